/**
 * Best split of a node from its histogram.
 *
 * Criteria, on the node sums `(A, B)` in real units (histogram sums divided by the quantization
 * scale):
 * - `newton` (boosting; `A = ΣG`, `B = ΣH`): node score `A² / (B + λ)`, gain
 *   `score(L) + score(R) − score(parent)` (LightGBM's convention, without the ½).
 * - `gini` / `entropy` (random forest, binary labels; `A` = weighted positives, `B` = weight):
 *   information gain `I(parent) − (B_L/B) I(L) − (B_R/B) I(R)` as in Spark.
 *
 * Numeric features: every threshold "bin ≤ t" with the missing bin sent left or right (both are
 * tried when the node has missing values; "all values left, missing right" is a split too). When
 * the node has no missing values the default direction is the larger child, so unseen missing
 * values at prediction time follow the majority.
 *
 * Categorical features, gini / entropy: the categories present at the node are sorted by their
 * positive fraction, ties by bin, and every prefix of that order is tried as the left set, with
 * missing values either side: on binary labels this finds the best of all 2^k subsets (Fisher
 * 1958, Breiman et al. 1984), as Spark's ordered categorical splits do.
 *
 * Categorical features, newton: LightGBM's rules (its `FindBestThresholdCategorical`), with exact
 * row counts where LightGBM estimates them from ΣH.
 * - A feature of at most `maxCatToOnehot` bins (its categories and the missing bin, as LightGBM
 *   counts them) is split one category against the rest.
 * - Otherwise the categories with at least `catSmooth` rows at the node are sorted by
 *   `ΣG / (ΣH + catSmooth)` (ties by bin) and scanned from each end in turn; the left set is the
 *   first j categories of a scan, j ≤ min(`maxCatThreshold`, ⌈used / 2⌉). A prefix is scored only
 *   when the categories added since the last scored one hold `minDataPerGroup` rows, and a scan
 *   stops once the rest holds fewer than `minDataPerGroup`. Its children are scored, and valued,
 *   with `λ + catL2`, against the parent's score with λ: a set of categories is a freer choice
 *   than a threshold, and this is what keeps it from winning a tie with a threshold that splits
 *   the rows the same way.
 * - Missing values are tried on either side, and against every category, as for numeric
 *   features.
 * With `catL2` 0, `catSmooth` 0, `minDataPerGroup` 1 and a `maxCatThreshold` of at least half the
 * categories, this too finds the best of all subsets when λ = 0.
 * Categories absent at the node (and unseen ones) go right.
 *
 * A split must leave each child at least `minCount` rows and `minWeight` of `B`, and gain more than
 * `minGain`. Ties keep the first found: features in the given order, thresholds ascending, missing
 * right before missing left, so the result is deterministic.
 *
 * @module
 */
import type { Histogram, HistogramLayout } from "./histogram.ts";

/** How candidate splits are scored. */
export type SplitCriterion =
  | {
    readonly kind: "newton";
    /** L2 on leaf values. */
    readonly lambda: number;
    /** Added to ΣH when ordering categories; fewer rows than this leave a category out. */
    readonly catSmooth: number;
    /** Added to λ in the children of a many-category split. */
    readonly catL2: number;
    /** Most categories on the left of a split. */
    readonly maxCatThreshold: number;
    /** Fewest rows between two scored prefixes, and on the right of a split. */
    readonly minDataPerGroup: number;
    /** Up to this many categories, one category against the rest. */
    readonly maxCatToOnehot: number;
  }
  | { readonly kind: "gini" }
  | { readonly kind: "entropy" };

/** Whether a feature is split by thresholds or by category sets. */
export type FeatureKind = "numeric" | "categorical";

/** How rows are routed at an internal node (on bins; the raw form lives in the tree). */
export type SplitRule =
  | {
    readonly kind: "numeric";
    readonly feature: number;
    /** Value bins `1..thresholdBin` go left. */
    readonly thresholdBin: number;
    /** Where missing values (bin 0) go. */
    readonly defaultLeft: boolean;
  }
  | {
    readonly kind: "categorical";
    readonly feature: number;
    /** Value bins going left, ascending. */
    readonly leftBins: readonly number[];
    readonly defaultLeft: boolean;
  };

/** Quantized sums of a node. */
export interface NodeSums {
  readonly a: number;
  readonly b: number;
  readonly count: number;
}

/** The best split of a node. */
export interface SplitCandidate {
  readonly rule: SplitRule;
  readonly gain: number;
  readonly left: NodeSums;
  readonly right: NodeSums;
  /** L2 added to λ in the children's values (newton: `catL2` after a many-category split). */
  readonly childL2: number;
}

/** Constraints and scoring of split search. */
export interface SplitOptions {
  readonly criterion: SplitCriterion;
  readonly kinds: readonly FeatureKind[];
  /** The quantization scale of the histogram sums. */
  readonly scale: number;
  /** Fewest rows in a child (≥ 1). */
  readonly minCount: number;
  /** Least `B` (hessian or weight, real units) in a child. */
  readonly minWeight: number;
  /** A split must gain strictly more than this. */
  readonly minGain: number;
}

/** The score of a node with real sums `(a, b)`: higher is better, additive over children. */
export function nodeScore(criterion: SplitCriterion, a: number, b: number): number {
  switch (criterion.kind) {
    case "newton":
      return a * a / (b + criterion.lambda);
    case "gini":
      return b > 0 ? -2 * a * (b - a) / b : 0;
    case "entropy": {
      if (!(b > 0)) return 0;
      const n = b - a;
      return (a > 0 ? a * Math.log2(a / b) : 0) + (n > 0 ? n * Math.log2(n / b) : 0);
    }
    default:
      return criterion satisfies never;
  }
}

/** The gain of splitting `parent` into `left` and `right` (quantized sums, `scale`). */
export function splitGain(
  criterion: SplitCriterion,
  sums: { parent: NodeSums; left: NodeSums; right: NodeSums },
  scale: number,
): number {
  const { parent, left, right } = sums;
  const raw = nodeScore(criterion, left.a / scale, left.b / scale) +
    nodeScore(criterion, right.a / scale, right.b / scale) -
    nodeScore(criterion, parent.a / scale, parent.b / scale);
  return criterion.kind === "newton" ? raw : parent.b > 0 ? raw / (parent.b / scale) : 0;
}

interface Best {
  gain: number;
  rule: SplitRule | undefined;
  left: NodeSums | undefined;
  right: NodeSums | undefined;
  childL2: number;
}

/**
 * The best split of the node whose histogram is `hist` and totals `parent`, over `features`;
 * `undefined` when no split satisfies the constraints.
 */
export function findBestSplit(
  hist: Histogram,
  layout: HistogramLayout,
  node: { parent: NodeSums; features: ArrayLike<number>; options: SplitOptions },
): SplitCandidate | undefined {
  const { parent, features, options } = node;
  const best: Best = {
    gain: options.minGain,
    rule: undefined,
    left: undefined,
    right: undefined,
    childL2: 0,
  };
  if (!(parent.b > 0) && options.criterion.kind !== "newton") return undefined;
  const s = options.scale;
  const parentScore = nodeScore(options.criterion, parent.a / s, parent.b / s);
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    const scan = { f, parentScore, parent, options, best };
    if (options.kinds[f] !== "categorical") scanNumeric(hist, layout, scan);
    else if (options.criterion.kind === "newton") {
      scanCategoricalNewton(hist, layout, scan, options.criterion);
    } else scanCategorical(hist, layout, scan);
  }
  if (best.rule === undefined) return undefined;
  return { rule: best.rule, gain: best.gain, left: best.left!, right: best.right!, childL2: best.childL2 };
}

interface Scan {
  f: number;
  parentScore: number;
  parent: NodeSums;
  options: SplitOptions;
  best: Best;
}

/**
 * Scores one candidate (left sums given); returns whether it became the best. `childL2` is added
 * to λ in the children's scores (newton only).
 */
function consider(scan: Scan, la: number, lb: number, lc: number, childL2 = 0): boolean {
  const { parent, options, best } = scan;
  const rc = parent.count - lc;
  if (lc < options.minCount || rc < options.minCount) return false;
  const ra = parent.a - la, rb = parent.b - lb;
  const s = options.scale, criterion = options.criterion;
  if (lb / s < options.minWeight || rb / s < options.minWeight) return false;
  let gain: number;
  if (criterion.kind === "newton") {
    const xl = la / s, yl = lb / s, xr = ra / s, yr = rb / s, l2 = criterion.lambda + childL2;
    gain = xl * xl / (yl + l2) + xr * xr / (yr + l2) - scan.parentScore;
  } else {
    gain = (nodeScore(criterion, la / s, lb / s) + nodeScore(criterion, ra / s, rb / s) - scan.parentScore) /
      (parent.b / s);
  }
  if (!(gain > best.gain)) return false;
  best.gain = gain;
  best.left = { a: la, b: lb, count: lc };
  best.right = { a: ra, b: rb, count: rc };
  best.childL2 = childL2;
  return true;
}

function scanNumeric(hist: Histogram, layout: HistogramLayout, scan: Scan): void {
  const criterion = scan.options.criterion;
  if (criterion.kind === "newton") {
    scanNumericNewton(hist, layout, scan, criterion.lambda);
    return;
  }
  const { f, best } = scan;
  const off = layout.offsets[f]!, nb = layout.binCounts[f]!;
  const sums = hist.sums, counts = hist.counts;
  const ma = sums[2 * off]!, mb = sums[2 * off + 1]!, mc = counts[off]!;
  let la = 0, lb = 0, lc = 0;
  for (let t = 1; t < nb; t++) {
    const k = off + t;
    la += sums[2 * k]!;
    lb += sums[2 * k + 1]!;
    lc += counts[k]!;
    const last = t === nb - 1;
    if (last && mc === 0) break;
    if (consider(scan, la, lb, lc)) {
      const defaultLeft = mc === 0 ? lc >= scan.parent.count - lc : false;
      best.rule = { kind: "numeric", feature: f, thresholdBin: t, defaultLeft };
    }
    if (mc > 0 && !last && consider(scan, la + ma, lb + mb, lc + mc)) {
      best.rule = { kind: "numeric", feature: f, thresholdBin: t, defaultLeft: true };
    }
  }
}

/**
 * {@linkcode scanNumeric} under the newton criterion, with {@linkcode consider} written out (the
 * driver's hot loop: every bin of every feature of every histogram it receives), the same
 * arithmetic in the same order, so the same split. Two shortcuts that cannot change the result:
 * an empty bin after the first gives the same two candidates as the bin before it, which cannot
 * gain strictly more, so it is skipped; and once the right side has fewer than `minCount` rows it
 * only shrinks, so the scan stops.
 */
function scanNumericNewton(hist: Histogram, layout: HistogramLayout, scan: Scan, lambda: number): void {
  const { f, best, parent, options, parentScore } = scan;
  const off = layout.offsets[f]!, nb = layout.binCounts[f]!;
  const sums = hist.sums, counts = hist.counts;
  const ma = sums[2 * off]!, mb = sums[2 * off + 1]!, mc = counts[off]!;
  const pa = parent.a, pb = parent.b, pc = parent.count;
  const s = options.scale, minCount = options.minCount, minWeight = options.minWeight;
  let la = 0, lb = 0, lc = 0;
  for (let t = 1; t < nb; t++) {
    const k = off + t;
    const c = counts[k]!, sa = sums[2 * k]!, sb = sums[2 * k + 1]!;
    const last = t === nb - 1;
    if (c === 0 && sa === 0 && sb === 0 && t > 1 && !last) continue;
    la += sa;
    lb += sb;
    lc += c;
    if (pc - lc < minCount) break;
    if (last && mc === 0) break;
    if (lc >= minCount) {
      const ra = pa - la, rb = pb - lb;
      if (!(lb / s < minWeight || rb / s < minWeight)) {
        const xl = la / s, yl = lb / s, xr = ra / s, yr = rb / s;
        const gain = xl * xl / (yl + lambda) + xr * xr / (yr + lambda) - parentScore;
        if (gain > best.gain) {
          best.gain = gain;
          best.childL2 = 0;
          best.left = { a: la, b: lb, count: lc };
          best.right = { a: ra, b: rb, count: pc - lc };
          best.rule = {
            kind: "numeric",
            feature: f,
            thresholdBin: t,
            defaultLeft: mc === 0 ? lc >= pc - lc : false,
          };
        }
      }
    }
    if (mc > 0 && !last) {
      const ma2 = la + ma, mb2 = lb + mb, mc2 = lc + mc;
      const rc = pc - mc2;
      if (mc2 < minCount || rc < minCount) continue;
      const ra = pa - ma2, rb = pb - mb2;
      if (mb2 / s < minWeight || rb / s < minWeight) continue;
      const xl = ma2 / s, yl = mb2 / s, xr = ra / s, yr = rb / s;
      const gain = xl * xl / (yl + lambda) + xr * xr / (yr + lambda) - parentScore;
      if (gain > best.gain) {
        best.gain = gain;
        best.childL2 = 0;
        best.left = { a: ma2, b: mb2, count: mc2 };
        best.right = { a: ra, b: rb, count: rc };
        best.rule = { kind: "numeric", feature: f, thresholdBin: t, defaultLeft: true };
      }
    }
  }
}

function scanCategorical(hist: Histogram, layout: HistogramLayout, scan: Scan): void {
  const { f, best } = scan;
  const off = layout.offsets[f]!, nb = layout.binCounts[f]!;
  const sums = hist.sums, counts = hist.counts;
  const ma = sums[2 * off]!, mb = sums[2 * off + 1]!, mc = counts[off]!;
  const present: { bin: number; key: number }[] = [];
  for (let t = 1; t < nb; t++) {
    const k = off + t;
    if (counts[k] === 0) continue;
    const a = sums[2 * k]!, b = sums[2 * k + 1]!;
    present.push({ bin: t, key: b > 0 ? a / b : 0 });
  }
  present.sort((x, y) => x.key - y.key || x.bin - y.bin);
  const m = present.length;
  let la = 0, lb = 0, lc = 0;
  for (let j = 1; j <= m; j++) {
    const k = off + present[j - 1]!.bin;
    la += sums[2 * k]!;
    lb += sums[2 * k + 1]!;
    lc += counts[k]!;
    const last = j === m;
    if (last && mc === 0) break;
    const leftBins = (): number[] => present.slice(0, j).map((c) => c.bin).sort((x, y) => x - y);
    if (consider(scan, la, lb, lc)) {
      const defaultLeft = mc === 0 ? lc >= scan.parent.count - lc : false;
      best.rule = { kind: "categorical", feature: f, leftBins: leftBins(), defaultLeft };
    }
    if (mc > 0 && !last && consider(scan, la + ma, lb + mb, lc + mc)) {
      best.rule = { kind: "categorical", feature: f, leftBins: leftBins(), defaultLeft: true };
    }
  }
}

/** Categorical split search under the newton criterion: LightGBM's rules (module documentation). */
function scanCategoricalNewton(
  hist: Histogram,
  layout: HistogramLayout,
  scan: Scan,
  criterion: Extract<SplitCriterion, { kind: "newton" }>,
): void {
  const { f, best, parent } = scan;
  const off = layout.offsets[f]!, nb = layout.binCounts[f]!;
  const sums = hist.sums, counts = hist.counts;
  const ma = sums[2 * off]!, mb = sums[2 * off + 1]!, mc = counts[off]!;
  /** Tries `bins` on the left, missing values right and (when there are any) left. */
  const tryLeft = (bins: readonly number[], la: number, lb: number, lc: number, childL2: number) => {
    const leftBins = (): number[] => [...bins].sort((x, y) => x - y);
    if (lc < parent.count && consider(scan, la, lb, lc, childL2)) {
      const defaultLeft = mc === 0 ? lc >= parent.count - lc : false;
      best.rule = { kind: "categorical", feature: f, leftBins: leftBins(), defaultLeft };
    }
    if (mc > 0 && lc + mc < parent.count && consider(scan, la + ma, lb + mb, lc + mc, childL2)) {
      best.rule = { kind: "categorical", feature: f, leftBins: leftBins(), defaultLeft: true };
    }
  };
  if (mc > 0 && mc < parent.count) {
    // every category left, missing values right ("all values left, missing right", as numeric)
    const all = Array.from({ length: nb - 1 }, (_, i) => i + 1);
    if (consider(scan, parent.a - ma, parent.b - mb, parent.count - mc)) {
      best.rule = { kind: "categorical", feature: f, leftBins: all, defaultLeft: false };
    }
  }
  if (nb <= criterion.maxCatToOnehot) {
    for (let t = 1; t < nb; t++) {
      const k = off + t;
      if (counts[k] !== 0) tryLeft([t], sums[2 * k]!, sums[2 * k + 1]!, counts[k]!, 0);
    }
    return;
  }
  const smooth = criterion.catSmooth * scan.options.scale;
  const used: { bin: number; key: number }[] = [];
  for (let t = 1; t < nb; t++) {
    const k = off + t;
    if (counts[k] === 0 || counts[k]! < criterion.catSmooth) continue;
    const a = sums[2 * k]!, b = sums[2 * k + 1]! + smooth;
    used.push({ bin: t, key: b > 0 ? a / b : 0 });
  }
  used.sort((x, y) => x.key - y.key || x.bin - y.bin);
  const m = used.length, s = scan.options.scale, { minCount, minWeight } = scan.options;
  const most = Math.min(criterion.maxCatThreshold, Math.floor((m + 1) / 2));
  for (const backwards of [false, true]) {
    const bins: number[] = [];
    let la = 0, lb = 0, lc = 0, group = 0;
    for (let j = 0; j < most; j++) {
      const t = used[backwards ? m - 1 - j : j]!.bin, k = off + t;
      bins.push(t);
      la += sums[2 * k]!;
      lb += sums[2 * k + 1]!;
      lc += counts[k]!;
      group += counts[k]!;
      // LightGBM's order of checks: a left side too small waits for more categories without
      // closing the group; a right side too small ends the scan.
      if (lc < minCount || lb / s < minWeight) continue;
      const rc = parent.count - lc;
      if (rc < minCount || rc < criterion.minDataPerGroup || (parent.b - lb) / s < minWeight) break;
      if (group < criterion.minDataPerGroup) continue;
      group = 0;
      tryLeft(bins, la, lb, lc, criterion.catL2);
    }
  }
}
