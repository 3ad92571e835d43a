/**
 * One model of `frontier train`, the same for every kind: fit on the fit rows, threshold by max
 * F1 on the validation rows, every metric on the test rows at that threshold, importance (split
 * gain when the kind has it, permutation on test always), and what the summary, the report and the
 * model directory need.
 *
 * @module
 */
import type { Clock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import type { TreeClassWeight } from "../../../models/classification/tree/class_weights.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import type { CheckpointOptions } from "../../../models/classification/tree/checkpoint.ts";
import type { PipelineModel } from "../../../models/features/pipeline.ts";
import type { ModelWarning } from "../../../models/persistence/envelope.ts";
import { modelReportFromMetrics } from "../../report/training_report_from_metrics.ts";
import {
  type Interval,
  METRIC_NAMES,
  type MetricName,
  type ModelImportance,
  type ModelReport,
} from "../../report/training_report_input.ts";
import type { BinaryMetrics } from "../../../models/evaluation/binary_metrics.ts";
import type { BootstrapMetric } from "../../../models/evaluation/bootstrap.ts";
import { chooseF1Threshold, importanceOnTest, intervalsRecord, metricsAt, metricsRecord } from "./assess.ts";
import { LABEL01 } from "./features.ts";
import type { ModelKind } from "./model_kinds.ts";
import { saveTrained, type StoredInfo } from "./model_store.ts";
import type { ModelSummary } from "./training_summary.ts";

/** What {@linkcode trainOne} needs. */
export interface TrainOneInput {
  /** The slices (raw columns plus the 0/1 label). */
  readonly splits: { readonly fit: Dataset; readonly validation: Dataset; readonly test: Dataset };
  /** The pipeline of the kind, fitted on the fit rows. */
  readonly pipeline: PipelineModel;
  /**
   * Refit the final model on the whole training part (`train`) once the threshold is chosen, with
   * the kind's pipeline fitted on it (`pipeline()`); without it the model fitted on the fit rows
   * is final.
   */
  readonly refit?: { readonly train: Dataset; readonly pipeline: () => Promise<PipelineModel> } | undefined;
  readonly seed: number;
  /** Where the fit and the refit checkpoint (kinds that checkpoint: the tree models). */
  readonly checkpoint?: (phase: "fit" | "refit") => CheckpointOptions;
  /** Permutations per column (0: no permutation importance). */
  readonly importanceRepeats: number;
  /** Class weights of the fit and the refit (recorded in the model's params). */
  readonly classWeight?: TreeClassWeight | undefined;
  readonly log: (line: string) => void;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
}

/** A trained, evaluated model. */
export interface TrainOneResult {
  /** Its entry in the summary (without the path). */
  readonly summary: Omit<ModelSummary, "path">;
  /** Its entry in the training report. */
  readonly report: ModelReport;
  /** What training warned about. */
  readonly warnings: readonly ModelWarning[];
  /** Rows the final model was fitted on. */
  readonly rows: "fit" | "train";
  /** Saves the model directory (pipeline, metrics and threshold included). */
  save(dir: string, info: Omit<StoredInfo, "metrics" | "pipeline">): Promise<void>;
}

/** The params as report entries (scalars only). */
function scalarParams(params: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (typeof params !== "object" || params === null) return out;
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

/** The source column a pipeline feature comes from (`job=admin.` → `job`). */
function sourceOf(feature: string, sources: readonly string[]): string {
  if (sources.includes(feature)) return feature;
  const i = feature.indexOf("=");
  return i > 0 && sources.includes(feature.slice(0, i)) ? feature.slice(0, i) : feature;
}

/** Fits, evaluates and describes one model of `kind` (see the module doc). */
export async function trainOne(kind: ModelKind, input: TrainOneInput): Promise<TrainOneResult> {
  const { splits, clock, signal } = input;
  let pipeline = input.pipeline;
  const log = (line: string) => input.log(`${kind.name}: ${line}`);
  log(`fitting ${kind.title} on ${pipeline.featureNames.length} features`);
  const t0 = clock.monotonic();
  const fitted = await kind.fit({
    train: splits.fit,
    validation: splits.validation,
    pipeline,
    labelCol: LABEL01,
    seed: input.seed,
    log,
    classWeight: input.classWeight,
    ...(input.checkpoint === undefined ? {} : { checkpoint: input.checkpoint("fit") }),
    ...(signal === undefined ? {} : { signal }),
  });
  log(`trained in ${((clock.monotonic() - t0) / 1000).toFixed(1)} s: ${fitted.describe()}`);
  const chosen = await chooseF1Threshold(fitted.score(splits.validation, pipeline, 0.5), signal);
  log(`threshold ${chosen.threshold.toPrecision(6)} (max F1 ${chosen.f1.toFixed(4)} on validation)`);
  let final = fitted;
  if (input.refit !== undefined) {
    const t = clock.monotonic();
    pipeline = await input.refit.pipeline();
    log(`refitting on the whole training part (${pipeline.featureNames.length} features)`);
    final = await fitted.refit({
      train: input.refit.train,
      pipeline,
      labelCol: LABEL01,
      seed: input.seed,
      log,
      classWeight: input.classWeight,
      ...(input.checkpoint === undefined ? {} : { checkpoint: input.checkpoint("refit") }),
      ...(signal === undefined ? {} : { signal }),
    });
    log(`refitted in ${((clock.monotonic() - t) / 1000).toFixed(1)} s: ${final.describe()}`);
  }
  const trainMs = clock.monotonic() - t0;
  const thresholded = final.withThreshold(chosen.threshold);
  const classWeight = input.classWeight;
  // the tree kinds report their static settings: add the class weights the fit used
  const trained = classWeight === undefined ? thresholded : {
    ...thresholded,
    params: () => ({
      ...(thresholded.params() as Record<string, Json>),
      classWeight: classWeight === "balanced" ? classWeight : [...classWeight],
    }),
  };
  const features = pipeline.spec.inputColumns.map((f) => f.name);
  const t1 = clock.monotonic();
  const metrics = await metricsAt(
    trained.score(splits.test, pipeline, chosen.threshold),
    chosen.threshold,
    { seed: input.seed, signal },
  );
  const evaluateMs = clock.monotonic() - t1;
  const record = metricsRecord(metrics, chosen.threshold);
  log(
    `test: ROC-AUC ${metrics.rocAuc.toFixed(4)}, PR-AUC ${metrics.averagePrecision.toFixed(4)}, F1 ${
      record["f1"]!.toFixed(4)
    }, accuracy ${record["accuracy"]!.toFixed(4)} (majority baseline ${
      record["baselineAccuracy"]!.toFixed(4)
    })`,
  );

  const importance: ModelImportance[] = [];
  const gains = trained.splitGain();
  let splitGain: { feature: string; importance: number }[] | undefined;
  if (gains !== undefined) {
    const bySource = new Map<string, number>();
    pipeline.featureNames.forEach((f, j) => {
      const s = sourceOf(f, features);
      bySource.set(s, (bySource.get(s) ?? 0) + (gains[j] ?? 0));
    });
    splitGain = [...bySource].map(([feature, v]) => ({ feature, importance: v }))
      .sort((a, b) => b.importance - a.importance);
    importance.push({ method: "split gain (training)", features: splitGain });
  }
  const t2 = clock.monotonic();
  let permutation: { feature: string; importance: number; std: number }[] | undefined;
  if (input.importanceRepeats > 0) {
    const result = await importanceOnTest(
      { transform: (ds) => trained.score(ds, pipeline, chosen.threshold) },
      splits.test,
      { columns: features, seed: input.seed, repeats: input.importanceRepeats, log, signal },
    );
    permutation = result.columns.map((c) => ({ feature: c.column, importance: c.importance, std: c.std }));
    importance.push({
      method: `permutation (ROC-AUC drop, test, ${input.importanceRepeats} repeats)`,
      features: permutation.map(({ feature, importance }) => ({ feature, importance })),
    });
  }
  const importanceMs = clock.monotonic() - t2;
  const warnings = trained.warnings();
  const report = modelReportFromMetrics(kind.name, metrics, {
    choice: { by: "f1" },
    operatingPoint: metrics.atThreshold,
    chosenOn: "validation",
    timings: { trainMs, evaluateMs },
    kind: kind.kind,
    params: scalarParams(trained.params()),
    importance,
    intervals: reportIntervals(metrics),
  });
  if (warnings.length > 0) report.warnings = [...(report.warnings ?? []), ...warnings.map((w) => w.message)];
  return {
    summary: {
      name: kind.name,
      kind: kind.kind,
      title: kind.title,
      params: trained.params(),
      training: trained.describe(),
      refit: input.refit !== undefined,
      threshold: chosen.threshold,
      validation: {
        threshold: chosen.threshold,
        f1: chosen.f1,
        precision: chosen.precision,
        recall: chosen.recall,
      },
      metrics: record,
      intervals: intervalsRecord(metrics),
      importance: { permutation: permutation ?? null, split_gain: splitGain ?? null },
      warnings: warnings.map((w) => w.message),
      ms: {
        train: Math.round(trainMs),
        evaluate: Math.round(evaluateMs),
        importance: Math.round(importanceMs),
      },
    },
    report,
    warnings,
    rows: input.refit === undefined ? "fit" : "train",
    save: async (dir, info) => {
      await saveTrained(dir, trained, { ...info, pipeline, metrics: record });
    },
  };
}

/** The bootstrap intervals of `metrics` that the report's metrics table shows. */
export function reportIntervals(metrics: BinaryMetrics): Partial<Record<MetricName, Interval>> {
  const out: Partial<Record<MetricName, Interval>> = {};
  for (const name of METRIC_NAMES) {
    const i = metrics.intervals?.intervals[name as BootstrapMetric];
    if (i !== undefined) out[name] = { lo: i.lo, hi: i.hi };
  }
  return out;
}
