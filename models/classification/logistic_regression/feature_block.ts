/**
 * The unit the logistic-regression folds read: a dense block of already assembled features with
 * their labels and optional instance weights.
 *
 * Features are **row-major**: row `i` is `features[i·dimension … (i+1)·dimension)`. Every kernel
 * walks a row once (its margin is a dot product over contiguous memory, then its gradient and
 * Hessian terms reuse the standardized row), which is the access pattern row-major serves best;
 * it is also what a vector assembler produces row by row.
 *
 * @module
 */

/** Dense assembled features of some rows. */
export interface FeatureBlock {
  /**
   * Row-major values, `rows · dimension` of them. Must be finite; the bounded sums refuse feature
   * ranges whose squared spread times the largest weight exceeds 2^960 (|x| up to ~1e140 is fine).
   */
  readonly features: Float64Array;
  /** The label of each row: exactly 0 or 1. Its length is the row count. */
  readonly labels: ArrayLike<number>;
  /** Optional instance weights (finite, ≥ 0); 1 for every row when absent. */
  readonly weights?: Float64Array;
}

/** Row count of a block. */
export function blockRows(block: FeatureBlock): number {
  return block.labels.length;
}

/** Throws a `RangeError` when the block's arrays do not fit `dimension` features per row. */
export function checkBlockShape(block: FeatureBlock, dimension: number): void {
  const rows = blockRows(block);
  if (block.features.length !== rows * dimension) {
    throw new RangeError(
      `Cannot read a feature block of ${block.features.length} values as ${rows} rows × ${dimension} features`,
    );
  }
  if (block.weights !== undefined && block.weights.length !== rows) {
    throw new RangeError(`Cannot read a feature block with ${block.weights.length} weights for ${rows} rows`);
  }
}

/**
 * Throws a `RangeError` naming the first bad value: a non-finite feature, a label other than 0 or
 * 1, or a weight that is negative or not finite. `firstRow` numbers the block's rows in messages.
 */
export function checkBlockValues(block: FeatureBlock, shape: { dimension: number; firstRow?: number }): void {
  const { dimension, firstRow = 0 } = shape;
  const { features, labels, weights } = block;
  const rows = blockRows(block);
  for (let i = 0; i < rows; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) {
      throw new RangeError(`Label of row ${firstRow + i} is ${y}: labels must be 0 or 1`);
    }
    if (weights !== undefined) {
      const w = weights[i]!;
      if (!(w >= 0 && w < Infinity)) {
        throw new RangeError(`Weight of row ${firstRow + i} is ${w}: weights must be finite and ≥ 0`);
      }
    }
  }
  for (let k = 0; k < features.length; k++) {
    const x = features[k]!;
    if (x - x !== 0) {
      const row = Math.floor(k / dimension);
      throw new RangeError(
        `Feature ${k - row * dimension} of row ${firstRow + row} is ${x}: features must be finite`,
      );
    }
  }
}
