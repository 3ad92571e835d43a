/**
 * Driver side of the two standardization passes: turns the merged ranges into the moment pass's
 * context, and the merged moments into the {@linkcode Standardization} every later pass uses.
 *
 * As in Spark, the solver works on internally standardized features `z = (x - shift) / std`
 * (`shift` is the mean when an intercept is fitted, else 0) and reports coefficients on the
 * original scale; a constant feature gets `1 / std = 0`, so it contributes nothing and its
 * coefficient stays 0. The variance is Spark's weighted one,
 * `Σ w (x - mean)² / (Σ w - Σ w² / Σ w)` (the sample variance for unit weights).
 *
 * @module
 */
import { gridValues } from "./grid_sum.ts";
import { MOMENT_LAYOUT, type MomentContext, type MomentSummary } from "./moment_pass.ts";
import type { RangeSummary } from "./range_pass.ts";

/** A pair of features whose weighted Pearson correlation exceeds the threshold in magnitude. */
export interface CollinearPair {
  /** The first feature's index. */
  a: number;
  /** The second feature's index, `a < b`. */
  b: number;
  /** Their weighted Pearson correlation. */
  correlation: number;
}

/** Everything the loss passes need to standardize a row, plus what the report needs. */
export interface Standardization {
  /** Features. */
  dimension: number;
  /** Σ of effective weights (instance × class). */
  weightSum: number;
  /** Σ of effective weights over the positive rows. */
  positiveWeight: number;
  /** The class weight multipliers `[label 0, label 1]`. */
  classWeights: [number, number];
  /** An upper bound of every effective weight. */
  maxWeight: number;
  /** Weighted mean of each feature. */
  mean: Float64Array;
  /** Weighted standard deviation of each feature (Spark's unbiased form). */
  std: Float64Array;
  /** `z_j = (x_j - shift_j) · invStd_j`. */
  shift: Float64Array;
  /** `1 / std_j`, 0 for a constant feature. */
  invStd: Float64Array;
  /** An upper bound of `|z_j|` over all rows (as rounded by the kernels). */
  maxAbsZ: Float64Array;
  /** Pairs with |correlation| above the threshold (empty when the Gram matrix was not summed). */
  collinear: CollinearPair[];
}

/** The moment pass's context for these ranges and class weights. */
export function momentContext(
  ranges: RangeSummary,
  classWeights: readonly [number, number],
  options: { gram: boolean },
): MomentContext {
  const d = ranges.dimension, centers = new Float64Array(d), spreads = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const lo = ranges.min[j]!, hi = ranges.max[j]!;
    const c = lo / 2 + hi / 2;
    centers[j] = c;
    spreads[j] = Math.max(hi - c, c - lo);
  }
  const maxWeight = Math.max(ranges.maxWeight[0] * classWeights[0], ranges.maxWeight[1] * classWeights[1]);
  return {
    dimension: d,
    classWeights: [classWeights[0], classWeights[1]],
    maxWeight,
    centers,
    spreads,
    gram: options.gram,
  };
}

/** Options of {@linkcode finishStandardization}. */
export interface FinishOptions {
  /** Center the features at their means (done when an intercept is fitted). */
  center: boolean;
  /** Report pairs whose |correlation| exceeds this. */
  collinearityThreshold: number;
}

/** The standardization from the merged ranges and moments (a fixed function of their bits). */
export function finishStandardization(
  passes: { ranges: RangeSummary; context: MomentContext; moments: MomentSummary },
  options: FinishOptions,
): Standardization {
  const { ranges, context, moments } = passes;
  const d = ranges.dimension, sums = gridValues(moments.sums);
  const W = sums[MOMENT_LAYOUT.weight]!, W2 = sums[MOMENT_LAYOUT.weightSquare]!;
  const denominator = W - W2 / W;
  const mean = new Float64Array(d), std = new Float64Array(d), shift = new Float64Array(d);
  const invStd = new Float64Array(d), maxAbsZ = new Float64Array(d);
  const first = MOMENT_LAYOUT.first;
  for (let j = 0; j < d; j++) {
    const s1 = sums[first + j]!, s2 = sums[first + d + j]!;
    mean[j] = context.centers[j]! + s1 / W;
    const constant = ranges.min[j] === ranges.max[j];
    const variance = constant || !(denominator > 0) ? 0 : Math.max(0, (s2 - (s1 * s1) / W) / denominator);
    std[j] = Math.sqrt(variance);
    invStd[j] = std[j]! > 0 ? 1 / std[j]! : 0;
    shift[j] = options.center ? mean[j]! : 0;
    const reach = Math.max(Math.abs(ranges.max[j]! - shift[j]!), Math.abs(ranges.min[j]! - shift[j]!));
    maxAbsZ[j] = reach * invStd[j]!;
  }
  return {
    dimension: d,
    weightSum: W,
    positiveWeight: sums[MOMENT_LAYOUT.positiveWeight]!,
    classWeights: [context.classWeights[0], context.classWeights[1]],
    maxWeight: context.maxWeight,
    mean,
    std,
    shift,
    invStd,
    maxAbsZ,
    collinear: moments.gram === undefined ? [] : collinearPairs(gridValues(moments.gram), sums, {
      d,
      W,
      invStd,
      threshold: options.collinearityThreshold,
    }),
  };
}

function collinearPairs(
  gram: Float64Array,
  sums: Float64Array,
  c: { d: number; W: number; invStd: Float64Array; threshold: number },
): CollinearPair[] {
  const { d, W } = c, first = MOMENT_LAYOUT.first;
  const centered = (j: number, k: number) => {
    const g = j >= k ? gram[(j * (j + 1)) / 2 + k]! : gram[(k * (k + 1)) / 2 + j]!;
    return g - (sums[first + j]! * sums[first + k]!) / W;
  };
  const out: CollinearPair[] = [];
  for (let a = 0; a < d; a++) {
    if (c.invStd[a] === 0) continue;
    const va = centered(a, a);
    for (let b = a + 1; b < d; b++) {
      if (c.invStd[b] === 0) continue;
      const vb = centered(b, b);
      if (!(va > 0 && vb > 0)) continue;
      const r = Math.max(-1, Math.min(1, centered(a, b) / Math.sqrt(va * vb)));
      if (Math.abs(r) > c.threshold) out.push({ a, b, correlation: r });
    }
  }
  return out.sort((x, y) => Math.abs(y.correlation) - Math.abs(x.correlation) || x.a - y.a || x.b - y.b);
}
