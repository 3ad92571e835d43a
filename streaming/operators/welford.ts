/**
 * Running mean and variance by Welford's update, as plain, serializable data: one pass, O(1)
 * state, numerically stable (no catastrophic cancellation of `Σx² − (Σx)²/n`).
 *
 * @module
 */

/** Count, mean and sum of squared deviations of the values seen. */
export interface Welford {
  /** Values seen. */
  n: number;
  /** Their mean (0 before the first). */
  mean: number;
  /** Σ (x − mean)². */
  m2: number;
}

/** No values yet. */
export function emptyWelford(): Welford {
  return { n: 0, mean: 0, m2: 0 };
}

/**
 * Adds `x` in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emptyWelford, welfordStd, welfordUpdate } from "@frontier/frontier/streaming";
 * const w = emptyWelford();
 * for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) welfordUpdate(w, x);
 * assert.equal(w.mean, 5);
 * assert.equal(welfordStd(w), Math.sqrt(32 / 7));
 * ```
 */
export function welfordUpdate(w: Welford, x: number): void {
  w.n++;
  const delta = x - w.mean;
  w.mean += delta / w.n;
  w.m2 += delta * (x - w.mean);
}

/** The sample standard deviation (`n − 1` in the denominator); NaN below two values. */
export function welfordStd(w: Welford): number {
  return w.n < 2 ? NaN : Math.sqrt(w.m2 / (w.n - 1));
}
