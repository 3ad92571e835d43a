/**
 * Small pure helpers of the streaming benchmark: quantiles and the verdicts on its targets.
 *
 * @module
 */

/** The `q` quantile of `xs` (nearest rank; 1 is the maximum), 0 when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
  if (xs.length === 0) return 0;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))]!;
}
