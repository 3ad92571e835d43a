/**
 * Numeric tree bins from value counts — what a cluster can return for a column with few distinct
 * values — giving exactly the bins `numericBinningFromSorted` gives for the same values expanded
 * and sorted (midpoint bounds; one bin per value when they fit, else greedy equal-count bins).
 *
 * @module
 */
import { MAX_VALUE_BINS, type NumericBinning } from "../classification/tree/binning.ts";

/** A bound `u` with `a ≤ u < b`: the midpoint, or `a` where the midpoint rounds onto `b`. */
function boundBetween(a: number, b: number): number {
  const mid = a / 2 + b / 2;
  return mid >= a && mid < b ? mid : a;
}

/** Bins from `(value, count)` pairs in any order (NaN and zero counts ignored). */
export function numericBinningFromCounts(
  pairs: readonly (readonly [number, number])[],
  maxBins: number = MAX_VALUE_BINS,
): NumericBinning {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_VALUE_BINS) {
    throw new RangeError(`maxBins must be an integer in [2, ${MAX_VALUE_BINS}], got ${maxBins}`);
  }
  const merged = new Map<number, number>();
  for (const [v, n] of pairs) if (v === v && n > 0) merged.set(v, (merged.get(v) ?? 0) + n);
  const sorted = [...merged].sort((a, b) => a[0] - b[0]);
  const upperBounds: number[] = [];
  if (sorted.length <= maxBins) {
    for (let j = 0; j + 1 < sorted.length; j++) {
      upperBounds.push(boundBetween(sorted[j]![0], sorted[j + 1]![0]));
    }
    return { kind: "numeric", upperBounds };
  }
  const n = sorted.reduce((a, [, c]) => a + c, 0);
  let bins = 1, cum = 0, target = n / maxBins;
  for (let j = 0; j + 1 < sorted.length; j++) {
    cum += sorted[j]![1];
    if (cum >= target) {
      upperBounds.push(boundBetween(sorted[j]![0], sorted[j + 1]![0]));
      bins++;
      target = cum + (n - cum) / (maxBins - bins + 1);
    }
  }
  return { kind: "numeric", upperBounds };
}
