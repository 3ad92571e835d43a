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

const CRITERIA: { criterion: SplitCriterion; impurity: boolean }[] = [
  { criterion: { kind: "newton", lambda: 0, catSmooth: 0 }, impurity: false },
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
        criterion: { kind: "newton", lambda: 1, catSmooth: 10 },
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
    criterion: { kind: "newton", lambda: 0, catSmooth: 0 },
    kinds: ["numeric", "numeric"],
    scale: node.scale,
    minCount: 1,
    minWeight: 0,
    minGain: 0,
  })!;
  assert.equal(found.rule.defaultLeft, found.left.count >= found.right.count);
});
