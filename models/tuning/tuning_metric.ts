/**
 * What a tuning search optimizes: one figure of the validation rows' {@linkcode BinaryMetrics},
 * with its direction.
 *
 * | metric        | figure                                                     | better |
 * |---------------|------------------------------------------------------------|--------|
 * | `rocAuc`      | ROC-AUC                                                    | higher |
 * | `prAuc`       | PR-AUC (average precision)                                 | higher |
 * | `logLoss`     | log loss                                                   | lower  |
 * | `brier`       | Brier score                                                | lower  |
 * | `f1`          | F1 at the best threshold of the validation rows             | higher |
 * | `expectedCost`| expected cost per row at the least-cost threshold, `costs` | lower  |
 *
 * F1 and expected cost are taken at the threshold that is best on the rows themselves (the
 * threshold is a choice made after the model, as `frontier train` makes it on validation), so
 * they compare rankings at their best operating point rather than at an arbitrary 0.5.
 *
 * @module
 */
import type { BinaryMetrics } from "../evaluation/binary_metrics.ts";
import { checkCosts, type ErrorCosts } from "../evaluation/operating_point.ts";

/** Names of the metrics a search can optimize. */
export const TUNING_METRICS = ["rocAuc", "prAuc", "logLoss", "brier", "f1", "expectedCost"] as const;

/** A metric name. */
export type TuningMetricName = typeof TUNING_METRICS[number];

/** A metric and, for `expectedCost`, the error costs. */
export interface TuningMetric {
  /** The figure. */
  readonly name: TuningMetricName;
  /** Whether larger is better. */
  readonly direction: "max" | "min";
  /** Error costs (`expectedCost` only). */
  readonly costs?: ErrorCosts;
}

/** The {@linkcode TuningMetric} of `name`; throws `RangeError` for an unknown name or missing costs. */
export function tuningMetric(name: string, costs?: ErrorCosts): TuningMetric {
  if (!(TUNING_METRICS as readonly string[]).includes(name)) {
    throw new RangeError(`metric must be one of ${TUNING_METRICS.join(", ")}, got ${JSON.stringify(name)}`);
  }
  const n = name as TuningMetricName;
  if (n === "expectedCost") {
    if (costs === undefined) {
      throw new RangeError(`metric "expectedCost" needs costs { falseNegative, falsePositive }`);
    }
    checkCosts(costs);
    return { name: n, direction: "min", costs };
  }
  return { name: n, direction: n === "logLoss" || n === "brier" ? "min" : "max" };
}

/** The figure of `metrics` (`NaN` when it is undefined there, e.g. log loss of scores outside [0, 1]). */
export function metricValue(metric: TuningMetric, metrics: BinaryMetrics): number {
  switch (metric.name) {
    case "rocAuc":
      return metrics.rocAuc;
    case "prAuc":
      return metrics.averagePrecision;
    case "logLoss":
      return metrics.logLoss ?? NaN;
    case "brier":
      return metrics.brier ?? NaN;
    case "f1":
      return metrics.bestF1?.f1 ?? NaN;
    case "expectedCost":
      return metrics.minCost?.expectedCost ?? NaN;
    default:
      metric.name satisfies never;
      return NaN;
  }
}

/** Whether `a` is strictly better than `b` (`NaN` is worse than any number). */
export function isBetter(metric: TuningMetric, a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return metric.direction === "max" ? a > b : a < b;
}
