/**
 * Evaluation on the cluster: the label, score and weight columns of a {@linkcode Dataset} are
 * folded on the executors into exact score summaries (`partition_fold.ts`), merged on the driver
 * in partition order, and finished there — one `aggregatePartitions` job, no row shipped. The
 * merged summary is the bits a single node computes from the same rows, so every metric equals
 * the local computation exactly, for any partitioning.
 *
 * Its module is Frontier's own, so every cluster allows it (`cluster/modules.ts`).
 *
 * @example
 * ```ts ignore
 * const scored = model.transform(test);
 * const metrics = await evaluateBinary(scored, { labelCol: "y", scoreCol: "probability" });
 * const chosen = await chooseThresholdOn(model.transform(validation), {
 *   labelCol: "y",
 *   scoreCol: "probability",
 *   rule: { by: "cost", costs: { falseNegative: 5, falsePositive: 1 } },
 * });
 * const atTest = await operatingPointOn(scored, { labelCol: "y", scoreCol: "probability", threshold: chosen.threshold });
 * ```
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { type BinaryMetrics, binaryMetrics, type BinaryMetricsOptions } from "./binary_metrics.ts";
import { type ErrorCosts, type OperatingPoint, operatingPoint } from "./operating_point.ts";
import { scoreGroups } from "./score_groups.ts";
import type { ScoreSummary } from "./score_summary.ts";
import { decodeSummary } from "./summary_codec.ts";
import { chooseThreshold, type ThresholdRule } from "./threshold.ts";

/** The URL of the module the evaluation jobs name (what the allowlist must hold). */
export const EVALUATION_MODULE: string = new URL("./partition_fold.ts", import.meta.url).href;

/** Which columns hold what, and how to summarize them. */
export interface ScoreColumns {
  /** Label column: bool, or numeric holding 0 / 1. */
  labelCol: string;
  /** Score column (numeric), e.g. a model's `probability`. */
  scoreCol: string;
  /** Instance-weight column (finite, ≥ 0). */
  weightCol?: string | undefined;
  /** Binned mode: equal-width score bins (ranking metrics per bin; see `score_summary.ts`). */
  bins?: number | undefined;
  /** Binned mode: the score range. @default {[0, 1]} */
  range?: readonly [number, number] | undefined;
  /** Log-loss clipping epsilon. */
  eps?: number | undefined;
  /** Aborts the job. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode evaluateBinary}: the columns and the metric options. */
export type DatasetEvaluationOptions = ScoreColumns & BinaryMetricsOptions;

/** The merged score summary of `dataset`'s columns, computed on the cluster. */
export async function summarizeDataset(dataset: Dataset, columns: ScoreColumns): Promise<ScoreSummary> {
  const args: Record<string, Json> = { label: columns.labelCol, score: columns.scoreCol };
  if (columns.weightCol !== undefined) args.weight = columns.weightCol;
  if (columns.bins !== undefined) args.bins = columns.bins;
  if (columns.range !== undefined) args.range = [columns.range[0], columns.range[1]];
  if (columns.eps !== undefined) args.eps = columns.eps;
  for (const c of [columns.labelCol, columns.scoreCol, columns.weightCol]) {
    if (c !== undefined && !dataset.columns.includes(c)) {
      throw new TypeError(`Column "${c}" is not in the dataset (${dataset.columns.join(", ")})`);
    }
  }
  const merged = await dataset.aggregatePartitions(
    { module: EVALUATION_MODULE, fold: "foldEvaluation", merge: "mergeEvaluationPartials", args },
    { signal: columns.signal },
  );
  return decodeSummary(merged);
}

/**
 * Every binary-classification metric of `dataset`'s label and score columns (see
 * `binary_metrics.ts`): ROC-AUC, average precision, log loss, Brier score, accuracy beside the
 * majority baseline, the operating point at `threshold`, the best-F1 and (with `costs`) the
 * least-cost operating points, lift, calibration and chart curves.
 */
export async function evaluateBinary(
  dataset: Dataset,
  options: DatasetEvaluationOptions,
): Promise<BinaryMetrics> {
  const { labelCol, scoreCol, weightCol, bins, range, eps, signal, ...metricOptions } = options;
  const summary = await summarizeDataset(dataset, {
    labelCol,
    scoreCol,
    weightCol,
    bins,
    range,
    eps,
    signal,
  });
  return binaryMetrics(summary, metricOptions);
}

/**
 * The threshold `rule` picks on `dataset` (by max F1 or least cost; see `threshold.ts`) with its
 * operating point there. Choose on validation data, then report {@linkcode operatingPointOn} test.
 */
export async function chooseThresholdOn(
  dataset: Dataset,
  options: ScoreColumns & { rule: ThresholdRule },
): Promise<OperatingPoint> {
  return chooseThreshold(scoreGroups(await summarizeDataset(dataset, options)), options.rule);
}

/** The operating point of `dataset` at `threshold` (score ≥ threshold is positive). */
export async function operatingPointOn(
  dataset: Dataset,
  options: ScoreColumns & { threshold: number; costs?: ErrorCosts | undefined },
): Promise<OperatingPoint> {
  const groups = scoreGroups(await summarizeDataset(dataset, options));
  return operatingPoint(groups, options.threshold, { costs: options.costs });
}
