/**
 * One model's entry of the training report from what `models/evaluation` computed on the test
 * rows ({@linkcode BinaryMetrics}): threshold-free metrics, the operating point at the chosen
 * threshold, and the down-sampled curves, as plain serializable data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateBinary } from "../../models/evaluation/mod.ts";
 * import { modelReportFromMetrics } from "./training_report_from_metrics.ts";
 * const metrics = evaluateBinary({ labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8] });
 * const report = modelReportFromMetrics("lr", metrics, { choice: { by: "f1" }, timings: { trainMs: 12 } });
 * assert.equal(report.metrics.rocAuc, 0.75);
 * assert.equal(report.operatingPoint.chosenOn, "test");
 * ```
 *
 * @module
 */
import type { BinaryMetrics, OperatingPoint } from "../../models/evaluation/mod.ts";
import type {
  Interval,
  MetricName,
  ModelImportance,
  ModelOperatingPoint,
  ModelReport,
  ModelTimings,
  ThresholdChoice,
} from "./training_report_input.ts";

/** Options of {@linkcode modelReportFromMetrics}. */
export interface ModelReportOptions {
  /** How the threshold was chosen. */
  choice: ThresholdChoice;
  /**
   * The operating point on the test rows at a threshold chosen elsewhere (on validation rows, as
   * it should be). Without it, the point comes from `metrics` — `bestF1`, `minCost` or
   * `atThreshold` as `choice` says — and so was chosen on the test rows.
   */
  operatingPoint?: OperatingPoint;
  /** Where the threshold was chosen. @default {"validation" with `operatingPoint`, else "test"} */
  chosenOn?: string;
  timings: ModelTimings;
  kind?: string;
  params?: Record<string, string | number | boolean>;
  intervals?: Partial<Record<MetricName, Interval>>;
  importance?: ModelImportance[];
}

/**
 * The report entry of model `name` from its test metrics.
 * @throws {RangeError} when `choice` asks for a point `metrics` lacks (`bestF1` without
 * positives, `minCost` without costs).
 */
export function modelReportFromMetrics(
  name: string,
  metrics: BinaryMetrics,
  options: ModelReportOptions,
): ModelReport {
  const point = options.operatingPoint ?? pointOf(name, metrics, options.choice);
  const chosenOn = options.chosenOn ?? (options.operatingPoint === undefined ? "test" : "validation");
  const operatingPoint: ModelOperatingPoint = {
    threshold: point.threshold,
    choice: options.choice,
    chosenOn,
    confusion: { ...point.confusion },
    precision: point.precision,
    recall: point.recall,
    f1: point.f1,
    accuracy: point.accuracy,
    ...(point.expectedCost === undefined ? {} : { expectedCost: point.expectedCost }),
  };
  const calibration = metrics.calibration;
  const report: ModelReport = {
    name,
    metrics: {
      rocAuc: metrics.rocAuc,
      averagePrecision: metrics.averagePrecision,
      ...(metrics.logLoss === undefined ? {} : { logLoss: metrics.logLoss }),
      ...(metrics.brier === undefined ? {} : { brier: metrics.brier }),
      ...(calibration === undefined ? {} : { ece: calibration.ece }),
      baselineAccuracy: metrics.baseline.accuracy,
    },
    operatingPoint,
    curves: {
      roc: metrics.curves.roc.map((p) => ({ fpr: p.fpr, tpr: p.tpr })),
      pr: metrics.curves.pr.map((p) => ({ recall: p.recall, precision: p.precision })),
      gains: metrics.curves.gains.map((p) => ({ depth: p.depth, gain: p.gain })),
      lift: metrics.lift.map((p) => ({
        percent: p.percent,
        gain: p.gain,
        lift: p.lift,
        precision: p.precision,
      })),
      calibration: (calibration?.bins ?? []).map((b) => ({ ...b })),
    },
    timings: { ...options.timings },
  };
  if (options.kind !== undefined) report.kind = options.kind;
  if (options.params !== undefined) report.params = { ...options.params };
  if (options.intervals !== undefined) report.intervals = { ...options.intervals };
  if (options.importance !== undefined) report.importance = options.importance;
  if (metrics.warnings.length > 0) report.warnings = [...metrics.warnings];
  return report;
}

function pointOf(name: string, metrics: BinaryMetrics, choice: ThresholdChoice): OperatingPoint {
  switch (choice.by) {
    case "f1":
      if (metrics.bestF1 === undefined) {
        throw new RangeError(
          `Cannot report model "${name}": no max-F1 threshold (the test rows have no positives)`,
        );
      }
      return metrics.bestF1;
    case "cost":
      if (metrics.minCost === undefined) {
        throw new RangeError(
          `Cannot report model "${name}": no least-cost threshold (metrics computed without costs)`,
        );
      }
      return metrics.minCost;
    case "fixed":
      return metrics.atThreshold;
    default:
      return choice satisfies never;
  }
}
