/**
 * The driver's finish: every binary-classification metric from one merged {@linkcode ScoreSummary}.
 *
 * On the cluster, executors fold their partitions with `summarizeScores` (see `partition_fold.ts`),
 * summaries merge with `mergeSummaries`, and the driver calls {@linkcode binaryMetrics} once. For
 * data already in memory, {@linkcode evaluateBinary} does all three steps.
 *
 * Metrics that a degenerate input leaves undefined are `NaN` (ROC-AUC with one class, precision
 * with nothing flagged, …; see each module) and `warnings` says why; probability metrics
 * (`logLoss`, `brier`, `calibration`) are `undefined` when a score lies outside [0, 1]. A summary
 * without any weight (no rows, or every weight 0) is a `RangeError`: nothing can be computed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateBinary } from "./binary_metrics.ts";
 * const m = evaluateBinary({ labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8] });
 * assert.equal(m.rocAuc, 0.75);
 * assert.equal(m.baseline.accuracy, 0.5);
 * assert.deepEqual(m.atThreshold.confusion, { tp: 1, fp: 0, tn: 2, fn: 1 });
 * ```
 *
 * @module
 */
import { type BootstrapIntervals, bootstrapIntervals, type BootstrapOptions } from "./bootstrap.ts";
import { type CalibrationOptions, type CalibrationTable, calibrationTable } from "./calibration.ts";
import { gainsCurve, type GainsPoint, prCurve, type PrPoint, rocCurve, type RocPoint } from "./curves.ts";
import { DEFAULT_TOP_PERCENTS, liftAt, type LiftPoint } from "./lift_gains.ts";
import {
  checkCosts,
  type ErrorCosts,
  type MajorityBaseline,
  majorityBaseline,
  type OperatingPoint,
  operatingPoint,
  pointFromCounts,
} from "./operating_point.ts";
import { brierScore, logLoss } from "./probability_metrics.ts";
import { averagePrecision, rocAuc } from "./ranking_metrics.ts";
import { type ScoreGroups, scoreGroups } from "./score_groups.ts";
import {
  type LabeledScores,
  type ScoreSummary,
  summarizeScores,
  type SummaryOptions,
} from "./score_summary.ts";
import { chooseThreshold } from "./threshold.ts";

/** Options of {@linkcode binaryMetrics}. */
export interface BinaryMetricsOptions {
  /** Decision threshold of `atThreshold` (score ≥ threshold is positive). @default {0.5} */
  threshold?: number;
  /** Error costs: adds `minCost` and the expected cost of every operating point. */
  costs?: ErrorCosts;
  /** Depths of the lift table, in percent. @default {DEFAULT_TOP_PERCENTS} */
  topPercents?: readonly number[];
  /** Calibration binning. @default {{ bins: 10, strategy: "uniform" }} */
  calibration?: CalibrationOptions;
  /** Most points per chart curve. @default {200} */
  maxCurvePoints?: number;
  /**
   * Adds bootstrap confidence intervals (see `bootstrap.ts`); their threshold is `threshold`.
   * @default {undefined: no intervals}
   */
  bootstrap?: Omit<BootstrapOptions, "threshold">;
}

/** Chart-ready curves, down-sampled. */
export interface BinaryCurves {
  /** ROC points, from (0, 0) to (1, 1). */
  readonly roc: RocPoint[];
  /** Precision–recall points, from (recall 0, precision 1). */
  readonly pr: PrPoint[];
  /** Cumulative gains and lift points, from depth 0 to 1. */
  readonly gains: GainsPoint[];
}

/** Everything {@linkcode binaryMetrics} reports. */
export interface BinaryMetrics {
  /** Whether rankings are exact or per bin. */
  readonly mode: "exact" | "binned";
  /** Rows with a positive weight, and the total, positive and negative weight. */
  readonly rows: number;
  /** Total weight (the row count when unweighted). */
  readonly weight: number;
  /** Weight of the positives. */
  readonly positives: number;
  /** Weight of the negatives. */
  readonly negatives: number;
  /** Weighted share of positives. */
  readonly positiveRate: number;
  /** Distinct scores (exact) or non-empty bins (binned). */
  readonly groups: number;
  /** ROC-AUC (`NaN` with one class). */
  readonly rocAuc: number;
  /** PR-AUC as average precision. */
  readonly averagePrecision: number;
  /** `undefined` when some score is outside [0, 1]. */
  readonly logLoss: number | undefined;
  /** Brier score; `undefined` when some score is outside [0, 1]. */
  readonly brier: number | undefined;
  /** Always predicting the heavier class: accuracy's yardstick. */
  readonly baseline: MajorityBaseline;
  /** The operating point at `options.threshold`. */
  readonly atThreshold: OperatingPoint;
  /** The threshold with the best F1 (`undefined` without positives). */
  readonly bestF1: OperatingPoint | undefined;
  /** The threshold with the least expected cost, when costs were given. */
  readonly minCost: OperatingPoint | undefined;
  /** Lift and gains at each of `options.topPercents`. */
  readonly lift: LiftPoint[];
  /** `undefined` when some score is outside [0, 1]. */
  readonly calibration: CalibrationTable | undefined;
  /** Chart curves, down-sampled to `options.maxCurvePoints`. */
  readonly curves: BinaryCurves;
  /** Bootstrap intervals, when `options.bootstrap` asked for them. */
  readonly intervals: BootstrapIntervals | undefined;
  /** Why some figure is `NaN` or `undefined`. */
  readonly warnings: string[];
}

/** Every metric of `summary` (see the module documentation). */
export function binaryMetrics(summary: ScoreSummary, options: BinaryMetricsOptions = {}): BinaryMetrics {
  const threshold = options.threshold ?? 0.5;
  if (Number.isNaN(threshold)) throw new RangeError(`Option "threshold" must be a number, got NaN`);
  if (options.costs !== undefined) checkCosts(options.costs);
  const groups = scoreGroups(summary);
  return metricsOfGroups(groups, options, threshold);
}

function metricsOfGroups(
  groups: ScoreGroups,
  options: BinaryMetricsOptions,
  threshold: number,
): BinaryMetrics {
  const costs = options.costs;
  const curveOptions = { maxPoints: options.maxCurvePoints ?? 200 };
  const baseline = majorityBaseline(groups); // also the RangeError for "no weight"
  const warnings: string[] = [];
  if (!(groups.totalPos > 0)) {
    warnings.push("no positives: ROC-AUC, average precision, recall and lift are NaN");
  }
  if (!(groups.totalNeg > 0)) warnings.push("no negatives: ROC-AUC and the false-positive rate are NaN");
  if (!groups.probabilities) {
    warnings.push(
      `scores span [${groups.minScore}, ${groups.maxScore}]: log loss, Brier score and calibration need [0, 1]`,
    );
  }
  return {
    mode: groups.mode,
    rows: groups.rows,
    weight: groups.totalWeight,
    positives: groups.totalPos,
    negatives: groups.totalNeg,
    positiveRate: groups.totalPos / groups.totalWeight,
    groups: groups.score.length,
    rocAuc: rocAuc(groups),
    averagePrecision: averagePrecision(groups),
    logLoss: groups.probabilities ? logLoss(groups) : undefined,
    brier: groups.probabilities ? brierScore(groups) : undefined,
    baseline,
    atThreshold: operatingPoint(groups, threshold, { costs }),
    bestF1: groups.totalPos > 0 ? withCost(chooseThreshold(groups, { by: "f1" }), groups, costs) : undefined,
    minCost: costs === undefined ? undefined : chooseThreshold(groups, { by: "cost", costs }),
    lift: liftAt(groups, options.topPercents ?? DEFAULT_TOP_PERCENTS),
    calibration: groups.probabilities ? calibrationTable(groups, options.calibration) : undefined,
    curves: {
      roc: rocCurve(groups, curveOptions),
      pr: prCurve(groups, curveOptions),
      gains: gainsCurve(groups, curveOptions),
    },
    intervals: options.bootstrap === undefined
      ? undefined
      : bootstrapIntervals(groups, { ...options.bootstrap, threshold }),
    warnings,
  };
}

function withCost(point: OperatingPoint, groups: ScoreGroups, costs: ErrorCosts | undefined): OperatingPoint {
  if (costs === undefined) return point;
  const { tp, fp } = point.confusion;
  return pointFromCounts(groups, { threshold: point.threshold, tp, fp, costs });
}

/** Summarizes in-memory labeled scores and reports every metric: fold, then finish, on one node. */
export function evaluateBinary(
  input: LabeledScores,
  options: SummaryOptions & BinaryMetricsOptions = {},
): BinaryMetrics {
  const { bins, range, eps, ...rest } = options;
  return binaryMetrics(summarizeScores(input, { bins, range, eps }), rest);
}
