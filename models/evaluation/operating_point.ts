/**
 * What a classifier does at one threshold: the (weighted) confusion matrix and the rates derived
 * from it, plus accuracy's yardstick, the majority-class baseline.
 *
 * A row is predicted positive when its score is **≥ the threshold** (scikit-learn's
 * `precision_recall_curve` convention; Spark's `predict` uses `>`). In binned mode a bin counts as
 * predicted positive when its mean score is ≥ the threshold, so thresholds inside a bin are
 * approximate; thresholds at bin edges (those {@linkcode chooseThreshold} reports) are exact.
 *
 * Rates follow their definitions and are `NaN` when undefined: precision `tp / (tp + fp)` (nothing
 * predicted positive), recall `tp / P` (no positives), false-positive rate `fp / N` (no negatives),
 * F1 `2tp / (2tp + fp + fn)` (which is 0, not `NaN`, when positives exist and none is found).
 *
 * @module
 */
import { DoubleDoubleSum, firstAtOrAbove, requireWeight, type ScoreGroups } from "./score_groups.ts";

/** Weighted confusion counts (plain counts when unweighted). */
export interface ConfusionMatrix {
  /** Positives predicted positive. */
  readonly tp: number;
  /** Negatives predicted positive. */
  readonly fp: number;
  /** Negatives predicted negative. */
  readonly tn: number;
  /** Positives predicted negative. */
  readonly fn: number;
}

/** Costs of the two errors, per unit of weight. */
export interface ErrorCosts {
  /** Cost of a missed positive (a false negative). */
  readonly falseNegative: number;
  /** Cost of a false alarm (a false positive). */
  readonly falsePositive: number;
}

/** The classifier at one threshold (see the module documentation). */
export interface OperatingPoint {
  /** Predicted positive iff score ≥ threshold (`Infinity`: nothing is). */
  readonly threshold: number;
  /** Weighted confusion counts. */
  readonly confusion: ConfusionMatrix;
  /** `tp / (tp + fp)`; `NaN` when nothing is flagged. */
  readonly precision: number;
  /** `tp / P`; `NaN` without positives. */
  readonly recall: number;
  /** `2tp / (2tp + fp + fn)`. */
  readonly f1: number;
  /** `(tp + tn) / Σw`. */
  readonly accuracy: number;
  /** `fp / N`; `NaN` without negatives. */
  readonly falsePositiveRate: number;
  /** Share of the weight predicted positive. */
  readonly predictedPositiveRate: number;
  /** `(falseNegative · fn + falsePositive · fp) / Σw`, when costs were given. */
  readonly expectedCost?: number;
}

/** The accuracy of always predicting the heavier class (ties: negative). */
export interface MajorityBaseline {
  /** The heavier class. */
  readonly label: 0 | 1;
  /** `(tp + tn) / Σw`. */
  readonly accuracy: number;
}

/** Validates error costs (finite, ≥ 0, not both 0). */
export function checkCosts(costs: ErrorCosts): void {
  const { falseNegative: a, falsePositive: b } = costs;
  if (!(a >= 0 && a < Infinity && b >= 0 && b < Infinity) || a + b === 0) {
    throw new RangeError(
      `Error costs must be finite, >= 0 and not both 0, got falseNegative ${a}, falsePositive ${b}`,
    );
  }
}

/** The operating point from the predicted-positive weights `tp` and `fp`. */
export function pointFromCounts(
  groups: ScoreGroups,
  counts: { threshold: number; tp: number; fp: number; costs?: ErrorCosts | undefined },
): OperatingPoint {
  const { threshold, tp, fp, costs } = counts;
  const P = groups.totalPos, N = groups.totalNeg, W = groups.totalWeight;
  const fn = Math.max(0, P - tp), tn = Math.max(0, N - fp);
  const point: OperatingPoint = {
    threshold,
    confusion: { tp, fp, tn, fn },
    precision: tp / (tp + fp),
    recall: tp / P,
    f1: (2 * tp) / (2 * tp + fp + fn),
    accuracy: (tp + tn) / W,
    falsePositiveRate: fp / N,
    predictedPositiveRate: (tp + fp) / W,
  };
  if (costs === undefined) return point;
  return { ...point, expectedCost: (costs.falseNegative * fn + costs.falsePositive * fp) / W };
}

/**
 * The operating point at `threshold` (score ≥ threshold predicted positive), with the expected
 * cost when `costs` are given. A `RangeError` when there is no weight or the threshold is `NaN`.
 */
export function operatingPoint(
  groups: ScoreGroups,
  threshold: number,
  options: { costs?: ErrorCosts | undefined } = {},
): OperatingPoint {
  requireWeight(groups, "an operating point");
  if (Number.isNaN(threshold)) throw new RangeError("Threshold must be a number, got NaN");
  if (options.costs !== undefined) checkCosts(options.costs);
  const start = firstAtOrAbove(groups, threshold);
  const tp = new DoubleDoubleSum(), fp = new DoubleDoubleSum();
  for (let i = groups.pos.length - 1; i >= start; i--) {
    tp.add(groups.pos[i]!);
    fp.add(groups.neg[i]!);
  }
  return pointFromCounts(groups, { threshold, tp: tp.value, fp: fp.value, costs: options.costs });
}

/** Accuracy of always predicting the class with more weight (ties: negative). */
export function majorityBaseline(groups: ScoreGroups): MajorityBaseline {
  requireWeight(groups, "the majority baseline");
  const label = groups.totalPos > groups.totalNeg ? 1 : 0;
  return { label, accuracy: (label === 1 ? groups.totalPos : groups.totalNeg) / groups.totalWeight };
}
