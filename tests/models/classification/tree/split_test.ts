import assert from "node:assert/strict";
import {
  buildHistogram,
  createHistogram,
  histogramLayout,
  quantizationScale,
  quantize,
} from "../../../../models/classification/tree/histogram.ts";
import {
  findBestSplit,
  type NodeSums,
  type SplitCriterion,
  splitGain,
  type SplitOptions,
  type SplitRule,
} from "../../../../models/classification/tree/split.ts";
import { below, uniforms } from "./tree_test_util.ts";

interface Node {
  bins: number[][];
  a: number[];
  b: number[];
  binCounts: number[];
}

/** Rows of random bins with quantized channels; `impurity` makes (a, b) = (w·y, w). */
function randomNode(
  seed: number,
  rows: number,
  binCounts: number[],
  impurity: boolean,
): Node & { scale: number } {
  const u = uniforms(seed);
  const scale = quantizationScale(rows, 1);
  const node: Node & { scale: number } = { bins: [], a: [], b: [], binCounts, scale };
  for (let r = 0; r < rows; r++) {
    // every third seed has no missing values; small nodes leave some bins empty
    node.bins.push(binCounts.map((n) => (seed % 3 !== 0 && u() < 0.15 ? 0 : 1 + below(u, n - 1))));
    if (impurity) {
      const w = 1 + below(u, 3);
      const y = u() < 0.3 + 0.4 * (node.bins[r]![0]! % 2) ? 1 : 0;
      node.a.push(quantize(w * y, scale));
      node.b.push(quantize(w, scale));
    } else {
      node.a.push(quantize(2 * u() - 1 + 0.3 * (node.bins[r]![1]! % 3), scale));
      node.b.push(quantize(0.05 + u() / 5, scale));
    }
  }
  return node;
}

function sumsOf(node: Node, goesLeft: (bins: number[]) => boolean, side: boolean): NodeSums {
  let a = 0, b = 0, count = 0;
  node.bins.forEach((bins, r) => {
    if (goesLeft(bins) === side) {
      a += node.a[r]!;
      b += node.b[r]!;
      count++;
    }
  });
  return { a, b, count };
}

function routes(rule: SplitRule): (bins: number[]) => boolean {
  return (bins) => {
    const t = bins[rule.feature]!;
    if (t === 0) return rule.defaultLeft;
    return rule.kind === "numeric" ? t <= rule.thresholdBin : rule.leftBins.includes(t);
  };
}

/** The best gain over every threshold / category subset and both missing directions. */
function bruteForce(node: Node, options: SplitOptions): number {
  const parent = sumsOf(node, () => true, true);
  let best = options.minGain;
  const consider = (goesLeft: (bins: number[]) => boolean) => {
    const left = sumsOf(node, goesLeft, true), right = sumsOf(node, goesLeft, false);
    if (left.count < options.minCount || right.count < options.minCount) return;
    if (left.b / options.scale < options.minWeight || right.b / options.scale < options.minWeight) return;
    const g = splitGain(options.criterion, { parent, left, right }, options.scale);
    if (g > best) best = g;
  };
  node.binCounts.forEach((nb, f) => {
    for (const missingLeft of [false, true]) {
      if (options.kinds[f] === "numeric") {
        for (let t = 1; t < nb; t++) consider((bins) => (bins[f] === 0 ? missingLeft : bins[f]! <= t));
      } else {
        for (let mask = 0; mask < 2 ** (nb - 1); mask++) {
          consider((bins) => (bins[f] === 0 ? missingLeft : ((mask >> (bins[f]! - 1)) & 1) === 1));
        }
      }
    }
  });
  return best;
}

function search(node: Node & { scale: number }, options: SplitOptions) {
  const layout = histogramLayout(node.binCounts);
  const width = node.binCounts.length;
  const hist = createHistogram(layout);
  const bins = Uint8Array.from(node.bins.flat());
  const rows = Int32Array.from(node.bins, (_, r) => r);
  buildHistogram(hist, {
    layout,
    matrix: { bins, numFeatures: width },
    channels: { a: Float64Array.from(node.a), b: Float64Array.from(node.b) },
  }, { rows, begin: 0, end: rows.length });
  const parent = sumsOf(node, () => true, true);
  return findBestSplit(hist, layout, { parent, features: node.binCounts.map((_, f) => f), options });
}

/** Newton categorical rules that try every prefix of the ordered categories (no regularization). */
const EXACT_CATEGORIES = {
  catSmooth: 0,
  catL2: 0,
  maxCatThreshold: 255,
  minDataPerGroup: 1,
  maxCatToOnehot: 0,
};

const CRITERIA: { criterion: SplitCriterion; impurity: boolean }[] = [
  { criterion: { kind: "newton", lambda: 0, ...EXACT_CATEGORIES }, impurity: false },
  { criterion: { kind: "gini" }, impurity: true },
  { criterion: { kind: "entropy" }, impurity: true },
];

Deno.test("split search equals a brute-force search over all thresholds and category subsets", () => {
  let checked = 0;
  for (const { criterion, impurity } of CRITERIA) {
    for (let seed = 0; seed < 12; seed++) {
      const node = randomNode(seed, 60 + 7 * seed, [6, 9, 6, 5], impurity);
      const options: SplitOptions = {
        criterion,
        kinds: ["numeric", "numeric", "categorical", "categorical"],
        scale: node.scale,
        minCount: 1,
        minWeight: 0,
        minGain: 0,
      };
      const found = search(node, options);
      const want = bruteForce(node, options);
      assert.ok(found !== undefined, `${criterion.kind} seed ${seed}: no split found`);
      assert.equal(found.gain, want, `${criterion.kind} seed ${seed}`);
      // the reported rule, replayed on the rows, gives the reported sums and gain
      const goesLeft = routes(found.rule);
      assert.deepEqual(sumsOf(node, goesLeft, true), found.left);
      assert.deepEqual(sumsOf(node, goesLeft, false), found.right);
      checked++;
    }
  }
  assert.equal(checked, 36);
});

Deno.test("split search over numeric features honours minimum rows, weight and gain like brute force", () => {
  for (let seed = 0; seed < 10; seed++) {
    const node = randomNode(100 + seed, 80, [12, 30, 7], false);
    for (const [minCount, minWeight, minGain] of [[10, 0, 0], [1, 3, 0], [5, 1, 0.5]] as const) {
      const options: SplitOptions = {
        criterion: { kind: "newton", lambda: 1, ...EXACT_CATEGORIES, catSmooth: 10 },
        kinds: ["numeric", "numeric", "numeric"],
        scale: node.scale,
        minCount,
        minWeight,
        minGain,
      };
      const found = search(node, options);
      const want = bruteForce(node, options);
      assert.equal(
        found?.gain ?? minGain,
        want,
        `seed ${seed} constraints ${[minCount, minWeight, minGain]}`,
      );
      if (found) {
        assert.ok(found.left.count >= minCount && found.right.count >= minCount);
        assert.ok(found.left.b / node.scale >= minWeight && found.right.b / node.scale >= minWeight);
      }
    }
  }
});

Deno.test("with no missing values at the node the default direction is the larger child", () => {
  const node = randomNode(3, 100, [8, 8], false); // seed % 3 === 0: no missing bins
  assert.ok(node.bins.every((b) => b.every((t) => t !== 0)));
  const found = search(node, {
    criterion: { kind: "newton", lambda: 0, ...EXACT_CATEGORIES },
    kinds: ["numeric", "numeric"],
    scale: node.scale,
    minCount: 1,
    minWeight: 0,
    minGain: 0,
  })!;
  assert.equal(found.rule.defaultLeft, found.left.count >= found.right.count);
});

type Newton = Extract<SplitCriterion, { kind: "newton" }>;

/**
 * LightGBM's categorical split search (`FindBestThresholdCategoricalInner`), written out on the
 * rows of one categorical feature, with exact counts: the best candidate's gain, left categories,
 * missing direction and extra L2, in the scan order (missing against the rest; then one category
 * against the rest, or the two scans of the ordered categories; missing right before left).
 */
function lightgbmCategorical(node: Node, f: number, options: SplitOptions, c: Newton) {
  const s = options.scale;
  const parent = sumsOf(node, () => true, true);
  const nb = node.binCounts[f]!;
  const stats = (t: number) => sumsOf(node, (bins) => bins[f] === t, true);
  const missing = stats(0);
  let best: { gain: number; left: number[]; defaultLeft: boolean; childL2: number } | undefined;
  let bestGain = options.minGain;
  const consider = (left: number[], missingLeft: boolean, childL2: number) => {
    const goesLeft = (bins: number[]) => (bins[f] === 0 ? missingLeft : left.includes(bins[f]!));
    const l = sumsOf(node, goesLeft, true), r = sumsOf(node, goesLeft, false);
    if (l.count < options.minCount || r.count < options.minCount) return;
    if (l.b / s < options.minWeight || r.b / s < options.minWeight) return;
    const score = (x: NodeSums, l2: number) => (x.a / s) ** 2 / (x.b / s + l2);
    const gain = score(l, c.lambda + childL2) + score(r, c.lambda + childL2) - score(parent, c.lambda);
    if (gain > bestGain) {
      bestGain = gain;
      const defaultLeft = missing.count === 0 ? l.count >= r.count : missingLeft;
      best = { gain, left: [...left].sort((x, y) => x - y), defaultLeft, childL2 };
    }
  };
  const both = (left: number[], childL2: number) => {
    const inLeft = left.reduce((n, t) => n + stats(t).count, 0);
    if (inLeft < parent.count) consider(left, false, childL2);
    if (missing.count > 0 && inLeft + missing.count < parent.count) consider(left, true, childL2);
  };
  const cats = Array.from({ length: nb - 1 }, (_, i) => i + 1);
  if (missing.count > 0 && missing.count < parent.count) consider(cats, false, 0);
  const present = cats.filter((t) => stats(t).count > 0);
  if (nb <= c.maxCatToOnehot) {
    for (const t of present) both([t], 0);
    return best;
  }
  const used = present.filter((t) => stats(t).count >= c.catSmooth);
  const key = (t: number) => stats(t).a / (stats(t).b + c.catSmooth * s);
  used.sort((x, y) => key(x) - key(y) || x - y);
  const most = Math.min(c.maxCatThreshold, Math.floor((used.length + 1) / 2));
  for (const order of [used, [...used].reverse()]) {
    let group = 0;
    for (let j = 1; j <= most; j++) {
      const left = order.slice(0, j), l = sumsOf(node, (bins) => left.includes(bins[f]!), true);
      group += stats(order[j - 1]!).count;
      if (l.count < options.minCount || l.b / s < options.minWeight) continue;
      const rc = parent.count - l.count;
      if (rc < options.minCount || rc < c.minDataPerGroup || (parent.b - l.b) / s < options.minWeight) break;
      if (group < c.minDataPerGroup) continue;
      group = 0;
      both(left, c.catL2);
    }
  }
  return best;
}

Deno.test("newton categorical splits follow LightGBM's rules, checked against a row-level rewrite", () => {
  const settings: Omit<Newton, "kind">[] = [
    { lambda: 0, catSmooth: 10, catL2: 10, maxCatThreshold: 32, minDataPerGroup: 100, maxCatToOnehot: 4 },
    { lambda: 1, catSmooth: 3, catL2: 2, maxCatThreshold: 2, minDataPerGroup: 15, maxCatToOnehot: 4 },
    { lambda: 0.5, catSmooth: 0, catL2: 1, maxCatThreshold: 32, minDataPerGroup: 1, maxCatToOnehot: 0 },
    { lambda: 0, catSmooth: 20, catL2: 0, maxCatThreshold: 3, minDataPerGroup: 40, maxCatToOnehot: 10 },
  ];
  let split = 0, regularized = 0, onehot = 0, limited = 0;
  for (const [i, setting] of settings.entries()) {
    const criterion: Newton = { kind: "newton", ...setting };
    for (let seed = 0; seed < 8; seed++) {
      const node = randomNode(200 + seed, 300 + 40 * seed, [12, 9], false);
      for (const [minCount, minWeight] of [[1, 0], [20, 2]] as const) {
        const options: SplitOptions = {
          criterion,
          kinds: ["categorical", "categorical"],
          scale: node.scale,
          minCount,
          minWeight,
          minGain: 0,
        };
        const found = search(node, options);
        let want: ReturnType<typeof lightgbmCategorical>;
        let wantFeature = -1;
        for (const f of [0, 1]) {
          const w = lightgbmCategorical(node, f, options, criterion);
          if (w !== undefined && (want === undefined || w.gain > want.gain)) [want, wantFeature] = [w, f];
        }
        const what = `setting ${i} seed ${seed} min ${minCount}/${minWeight}`;
        assert.equal(found === undefined, want === undefined, what);
        if (found === undefined || want === undefined) continue;
        assert.equal(found.rule.kind, "categorical", what);
        if (found.rule.kind !== "categorical") continue;
        assert.deepEqual(
          [found.rule.feature, found.rule.leftBins, found.rule.defaultLeft, found.childL2, found.gain],
          [wantFeature, want.left, want.defaultLeft, want.childL2, want.gain],
          what,
        );
        const goesLeft = routes(found.rule);
        assert.deepEqual(sumsOf(node, goesLeft, true), found.left, what);
        split++;
        if (found.childL2 > 0) regularized++;
        if (node.binCounts[found.rule.feature]! <= criterion.maxCatToOnehot) onehot++;
        if (found.rule.leftBins.length === criterion.maxCatThreshold) limited++;
      }
    }
  }
  // every branch of the rules decided some of the splits compared
  assert.ok(
    split >= 50 && regularized > 0 && onehot > 0 && limited > 0,
    `${[split, regularized, onehot, limited]}`,
  );
});

Deno.test("catL2 makes a threshold win over a category set that splits the rows alike", () => {
  // feature 0: numeric bins 1..6; feature 1: categories 1..6, the same value as feature 0.
  const u = uniforms(11);
  const rows = 600;
  const scale = quantizationScale(rows, 1);
  const node: Node & { scale: number } = { bins: [], a: [], b: [], binCounts: [7, 7], scale };
  for (let r = 0; r < rows; r++) {
    const v = 1 + below(u, 6);
    node.bins.push([v, v]);
    node.a.push(quantize((v <= 3 ? -0.6 : 0.4) + 0.2 * u(), scale));
    node.b.push(quantize(0.2, scale));
  }
  const options = (catL2: number, kinds: ("numeric" | "categorical")[]): SplitOptions => ({
    criterion: {
      kind: "newton",
      lambda: 0,
      catSmooth: 0,
      catL2,
      maxCatThreshold: 32,
      minDataPerGroup: 1,
      maxCatToOnehot: 0,
    },
    kinds,
    scale,
    minCount: 1,
    minWeight: 0,
    minGain: 0,
  });
  // Without catL2 the two tie exactly and the first feature wins, whichever kind it is.
  const flipped: Node & { scale: number } = { ...node, bins: node.bins.map(([x, y]) => [y!, x!]) };
  assert.equal(search(flipped, options(0, ["categorical", "numeric"]))!.rule.kind, "categorical");
  const plain = search(node, options(0, ["numeric", "categorical"]))!;
  assert.equal(plain.rule.kind, "numeric");
  // With catL2 the category set scores its children with λ + catL2 and loses, in either order.
  const cat = search(flipped, options(10, ["categorical", "numeric"]))!;
  assert.deepEqual([cat.rule.kind, cat.childL2, cat.gain], ["numeric", 0, plain.gain]);
  const alone = search(node, options(10, ["categorical", "categorical"]))!;
  const l = alone.left, r = alone.right, p = { a: l.a + r.a, b: l.b + r.b };
  const score = (x: { a: number; b: number }, l2: number) => (x.a / scale) ** 2 / (x.b / scale + l2);
  assert.equal(alone.childL2, 10);
  assert.equal(alone.gain, score(l, 10) + score(r, 10) - score(p, 0));
  assert.ok(alone.gain < plain.gain);
});
