/**
 * Calibration table and expected calibration error (ECE): scores are grouped into bins and, per
 * bin, the mean predicted probability is set beside the observed share of positives.
 *
 * Binning strategies (`bins` defaults to 10):
 * - `"uniform"` (default): equal-width bins over [0, 1] with edges `i / bins`; bin `i` holds the
 *   scores in `[edge_i, edge_i+1)`, the last bin also holds 1. (scikit-learn's `calibration_curve`
 *   puts a score equal to an inner edge in the lower bin instead.) `lower` / `upper` are the edges.
 * - `"quantile"`: bins of about equal weight, cut between distinct scores only (ties are never
 *   split, so there may be fewer bins): a score group goes to bin `⌊bins · W_below / W⌋`, with
 *   `W_below` the weight of the lower scores. `lower` / `upper` are the smallest and largest score
 *   in the bin.
 *
 * Empty bins are left out. ECE is `Σ_b (W_b / W) · |meanScore_b − positiveRate_b|`; the maximum
 * calibration error is the largest such gap. In binned mode each summary bin goes whole to the
 * calibration bin holding its mean score, so choose summary bins finer than calibration bins.
 * Scores must be probabilities (a `RangeError` otherwise, as is a summary without weight).
 *
 * @module
 */
import { DoubleDoubleSum, requireWeight, type ScoreGroups } from "./score_groups.ts";

/** How scores are binned for calibration. */
export type CalibrationStrategy = "uniform" | "quantile";

/** Options of {@linkcode calibrationTable}. */
export interface CalibrationOptions {
  /** Number of bins, an integer in [1, 10000]. @default {10} */
  bins?: number;
  /** Equal-width or equal-weight bins. @default {"uniform"} */
  strategy?: CalibrationStrategy;
}

/** One non-empty calibration bin. */
export interface CalibrationBin {
  /** Lower and upper edge (uniform) or smallest and largest score (quantile). */
  readonly lower: number;
  /** Upper edge (uniform) or largest score (quantile). */
  readonly upper: number;
  /** Weight in the bin (the row count when unweighted). */
  readonly weight: number;
  /** Weighted mean predicted probability. */
  readonly meanScore: number;
  /** Weighted share of positives. */
  readonly positiveRate: number;
}

/** The calibration table (see the module documentation). */
export interface CalibrationTable {
  /** How the bins were made. */
  readonly strategy: CalibrationStrategy;
  /** The non-empty bins, by ascending score. */
  readonly bins: CalibrationBin[];
  /** Expected calibration error. */
  readonly ece: number;
  /** Maximum calibration error over the non-empty bins. */
  readonly mce: number;
}

/** The calibration table of `groups` (see the module documentation). */
export function calibrationTable(groups: ScoreGroups, options: CalibrationOptions = {}): CalibrationTable {
  const bins = options.bins ?? 10;
  const strategy = options.strategy ?? "uniform";
  if (!Number.isInteger(bins) || bins < 1 || bins > 10_000) {
    throw new RangeError(`Calibration "bins" must be an integer in [1, 10000], got ${bins}`);
  }
  if (strategy !== "uniform" && strategy !== "quantile") {
    throw new RangeError(`Calibration "strategy" must be "uniform" or "quantile", got ${String(strategy)}`);
  }
  requireWeight(groups, "a calibration table");
  if (!groups.probabilities) {
    throw new RangeError(
      `Cannot compute a calibration table: scores span [${groups.minScore}, ${groups.maxScore}], not [0, 1]`,
    );
  }
  const { score, pos, neg } = groups;
  const W = groups.totalWeight;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => i / bins);
  const binOf = strategy === "uniform" ? (s: number) => uniformBin(edges, s) : undefined;
  const weight = Array.from({ length: bins }, () => new DoubleDoubleSum());
  const positives = Array.from({ length: bins }, () => new DoubleDoubleSum());
  const scoreSum = Array.from({ length: bins }, () => new DoubleDoubleSum());
  const lower = new Float64Array(bins).fill(Infinity), upper = new Float64Array(bins).fill(-Infinity);
  const below = new DoubleDoubleSum();
  for (let i = 0; i < score.length; i++) {
    const s = score[i]!, w = pos[i]! + neg[i]!;
    if (w === 0) continue;
    const b = binOf !== undefined ? binOf(s) : Math.min(bins - 1, Math.floor((bins * below.value) / W));
    below.add(w);
    weight[b]!.add(w);
    positives[b]!.add(pos[i]!);
    scoreSum[b]!.add(w * s);
    if (s < lower[b]!) lower[b] = s;
    if (s > upper[b]!) upper[b] = s;
  }
  const out: CalibrationBin[] = [];
  const ece = new DoubleDoubleSum();
  let mce = 0;
  for (let b = 0; b < bins; b++) {
    const w = weight[b]!.value;
    if (w === 0) continue;
    const meanScore = scoreSum[b]!.value / w, positiveRate = positives[b]!.value / w;
    const gap = Math.abs(meanScore - positiveRate);
    ece.add((w / W) * gap);
    if (gap > mce) mce = gap;
    out.push({
      lower: binOf !== undefined ? edges[b]! : lower[b]!,
      upper: binOf !== undefined ? edges[b + 1]! : upper[b]!,
      weight: w,
      meanScore,
      positiveRate,
    });
  }
  return { strategy, bins: out, ece: ece.value, mce };
}

/** The last `i < edges.length − 1` with `edges[i] ≤ s`. */
function uniformBin(edges: Float64Array, s: number): number {
  let lo = 0, hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (edges[mid]! <= s) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
