/**
 * Binary-classification evaluation: exact, mergeable, and bit-identical for any partitioning.
 *
 * Executors fold partitions into a {@linkcode ScoreSummary} (per distinct score, the positive and
 * negative weight; or per bin in binned mode), summaries merge exactly, and the driver computes
 * ROC-AUC, average precision, log loss, Brier score, accuracy beside the majority baseline,
 * operating points and threshold choice (max F1 or least cost), lift and gains, calibration and
 * ECE, and down-sampled curves for charts.
 *
 * The cluster seam — fold a partition's batches into summary bytes, merge bytes, finish on the
 * driver — is `partition_fold.ts`, the module a generic per-partition aggregation operator loads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateBinary } from "./mod.ts";
 * const m = evaluateBinary({ labels: [0, 1, 0, 1], scores: [0.2, 0.9, 0.6, 0.6] });
 * assert.equal(m.rocAuc, 0.875);
 * ```
 *
 * @module
 */
export {
  binLowerEdge,
  type Binning,
  binOf,
  DEFAULT_LOG_LOSS_EPS,
  emptySummary,
  type LabeledScores,
  mergeSummaries,
  type ScoreSummary,
  summarizeScores,
  type SummaryConfig,
  summaryConfig,
  type SummaryOptions,
} from "./score_summary.ts";
export { decodeSummary, encodeSummary } from "./summary_codec.ts";
export { type ScoreGroups, scoreGroups } from "./score_groups.ts";
export { averagePrecision, rocAuc } from "./ranking_metrics.ts";
export { brierScore, logLoss } from "./probability_metrics.ts";
export {
  type ConfusionMatrix,
  type ErrorCosts,
  type MajorityBaseline,
  majorityBaseline,
  type OperatingPoint,
  operatingPoint,
} from "./operating_point.ts";
export { chooseThreshold, type ThresholdRule } from "./threshold.ts";
export { DEFAULT_TOP_PERCENTS, liftAt, type LiftPoint } from "./lift_gains.ts";
export {
  type CalibrationBin,
  type CalibrationOptions,
  type CalibrationStrategy,
  type CalibrationTable,
  calibrationTable,
} from "./calibration.ts";
export {
  type CurveOptions,
  gainsCurve,
  type GainsPoint,
  prCurve,
  type PrPoint,
  rocCurve,
  type RocPoint,
} from "./curves.ts";
export {
  BOOTSTRAP_METRICS,
  type BootstrapInterval,
  type BootstrapIntervals,
  bootstrapIntervals,
  type BootstrapMetric,
  type BootstrapOptions,
} from "./bootstrap.ts";
export { logFactorial, poisson } from "./poisson.ts";
export { downsample, type DownsampleOptions } from "./downsample.ts";
export {
  type BinaryCurves,
  type BinaryMetrics,
  binaryMetrics,
  type BinaryMetricsOptions,
  evaluateBinary,
} from "./binary_metrics.ts";
