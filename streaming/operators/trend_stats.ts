/**
 * The statistics of trend analysis over a series of panes (equal-width windows): the
 * least-squares slope, and a two-window mean-shift test for change points.
 *
 * @module
 */

/**
 * The least-squares slope of `y` against its index (units of `y` per pane); `undefined` below two
 * values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leastSquaresSlope } from "@frontier/frontier/streaming";
 * assert.equal(leastSquaresSlope([5, 7, 9, 11]), 2);
 * ```
 */
export function leastSquaresSlope(y: readonly number[]): number | undefined {
  const n = y.length;
  if (n < 2) return undefined;
  const xMean = (n - 1) / 2;
  let yMean = 0;
  for (const v of y) yMean += v;
  yMean /= n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - xMean) * (y[i]! - yMean);
    sxx += (i - xMean) ** 2;
  }
  return sxy / sxx;
}

/** The result of {@linkcode meanShift}. */
export interface MeanShift {
  /** Mean of the earlier window. */
  readonly before: number;
  /** Mean of the later window. */
  readonly after: number;
  /**
   * Welch's statistic `(after − before) / √((s²_before + s²_after) / w)`; `±Number.MAX_VALUE` (not
   * infinity, so outputs stay JSON) when both
   * windows are constant and differ, 0 when they are equal.
   */
  readonly statistic: number;
  /**
   * Where the change most likely happened: the index (into the `2w` values) of the first value
   * after it, the split maximizing `|mean(right) − mean(left)| · √(n_l n_r / 2w)` (the CUSUM
   * split statistic).
   */
  readonly split: number;
  /** The means of the values before and from the split. */
  readonly levels: readonly [before: number, after: number];
}

function meanVar(y: readonly number[], from: number, to: number): { mean: number; variance: number } {
  let mean = 0;
  for (let i = from; i < to; i++) mean += y[i]!;
  mean /= to - from;
  let ss = 0;
  for (let i = from; i < to; i++) ss += (y[i]! - mean) ** 2;
  return { mean, variance: to - from > 1 ? ss / (to - from - 1) : 0 };
}

/**
 * The two-window mean-shift test over the last `2w` values of `y` (`w ≥ 2`): the earlier `w`
 * against the later `w`. `undefined` while `y` holds fewer than `2w` values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanShift } from "@frontier/frontier/streaming";
 * const shift = meanShift([10, 11, 9, 10, 20, 21, 19, 20], 4)!;
 * assert.deepEqual([shift.before, shift.after, shift.split, shift.levels], [10, 20, 4, [10, 20]]);
 * assert.ok(shift.statistic > 10);
 * ```
 */
export function meanShift(y: readonly number[], w: number): MeanShift | undefined {
  if (!(Number.isInteger(w) && w >= 2)) throw new RangeError(`the window must be an integer >= 2, got ${w}`);
  if (y.length < 2 * w) return undefined;
  const tail = y.slice(y.length - 2 * w);
  const a = meanVar(tail, 0, w), b = meanVar(tail, w, 2 * w);
  const se = Math.sqrt((a.variance + b.variance) / w);
  const diff = b.mean - a.mean;
  const statistic = se > 0 ? diff / se : diff === 0 ? 0 : Math.sign(diff) * Number.MAX_VALUE;
  const n = tail.length;
  let total = 0;
  for (const v of tail) total += v;
  let best = w, bestScore = -1, left = 0, levels: [number, number] = [a.mean, b.mean];
  for (let s = 1; s < n; s++) {
    left += tail[s - 1]!;
    const ml = left / s, mr = (total - left) / (n - s);
    const score = Math.abs(mr - ml) * Math.sqrt((s * (n - s)) / n);
    if (score > bestScore) {
      bestScore = score;
      best = s;
      levels = [ml, mr];
    }
  }
  return { before: a.mean, after: b.mean, statistic, split: best, levels };
}
