/**
 * `frontier tune` on a running cluster, as a function: read → label → outer split (training rows
 * / untouched test rows: stratified random for `cv` and `tvs`, out of time for `time`) → the
 * search on the training rows (models/tuning) → the winner refitted on all training rows,
 * evaluated once on test → saved as a model directory (`frontier train`'s format, loadable by
 * `evaluate` and `predict`) → one summary object, also written to `<out>/tuning.json`.
 *
 * @module
 */
import type { Clock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import type { Frontier } from "../../../cluster/frontier.ts";
import { col } from "../../../cluster/expr/column.ts";
import { paramsJson } from "../../../models/classification/tree/cluster_training.ts";
import { randomSplit } from "../../../models/features/split/random_split.ts";
import { timeSplit } from "../../../models/features/split/time_split.ts";
import type { FoldPlan } from "../../../models/tuning/fold_plan.ts";
import { LogisticTunable } from "../../../models/tuning/logistic_tunable.ts";
import { TreeTunable } from "../../../models/tuning/tree_tunable.ts";
import type { PreparedFold, Tunable } from "../../../models/tuning/tunable.ts";
import { tune } from "../../../models/tuning/tuner.ts";
import type { TrialEvent, TuningResult } from "../../../models/tuning/tuning_result.ts";
import { tuningMetric, type TuningMetricName } from "../../../models/tuning/tuning_metric.ts";
import { FRONTIER_VERSION } from "../../eda/eda_report.ts";
import { contentChecksum } from "../generate.ts";
import { writeTrainingReport } from "../../report/training_report.ts";
import type { ModelReport } from "../../report/training_report_input.ts";
import { modelReportFromMetrics } from "../../report/training_report_from_metrics.ts";
import { type TuningReport, tuningSection } from "../../report/tuning_section.ts";
import { intervalsRecord, metricsAt, metricsRecord } from "./assess.ts";
import { reportIntervals } from "./train_one.ts";
import { LABEL01, planFeatures, withLabel01 } from "./features.ts";
import { FOREST_PARAMS, GBT_PARAMS, modelKind } from "./model_kinds.ts";
import { saveTrained } from "./model_store.ts";
import { readInput, type ReadOptions } from "./read_input.ts";
import { formatCut } from "./splits.ts";

/** What to tune. */
export interface TuningRequest extends ReadOptions {
  readonly input: string;
  readonly out: string;
  /** `gbt`, `rf` or `lr`. */
  readonly model: "gbt" | "rf" | "lr";
  /** The candidates (parsed `--grid`). */
  readonly candidates: readonly Record<string, unknown>[];
  readonly validator: "cv" | "tvs" | "time";
  readonly folds: number;
  readonly trainRatio: number;
  readonly testFraction: number;
  readonly parallelism: number;
  readonly metric: TuningMetricName;
  /** Error costs of `expectedCost` (a missed positive, a false alarm). */
  readonly costs?: { readonly falseNegative: number; readonly falsePositive: number } | undefined;
  readonly seed: number;
  readonly label?: string | undefined;
  readonly positive?: string | undefined;
  readonly exclude?: readonly string[] | undefined;
  readonly time?: string | undefined;
  readonly overwrite: boolean;
  /** Share each fold's preparation among the trials (see `tune`'s `share`). */
  readonly share: boolean;
  /** Prune trials whose first fold is worse than the worst first fold by more than this. */
  readonly prune?: number | undefined;
  readonly cluster: string;
}

/** Collaborators. */
export interface TuningHooks {
  readonly log: (line: string) => void;
  /** One line per trial event (always shown). */
  readonly trial: (line: string) => void;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}

/** What {@linkcode runTuning} resolves to. */
export interface TuningOutcome {
  /** The summary (`--json`, `<out>/tuning.json`). */
  readonly summary: Json;
  /** The search, for a report's tuning section. */
  readonly tuning: TuningReport;
  /** The refitted winner on the test rows, with bootstrap intervals, for a report's model table. */
  readonly report: ModelReport;
}

/**
 * Runs the search as `request` says, writes `<out>/tuning.json` and `<out>/report.html` (the
 * winner's test metrics and charts, and the tuning section); resolves to the outcome.
 */
export async function runTuning(
  fx: Frontier,
  request: TuningRequest,
  hooks: TuningHooks,
): Promise<TuningOutcome> {
  const { log, clock, signal } = hooks;
  const t0 = clock.monotonic();
  const out = request.out.replace(/\/+$/, "");
  const dir = `${out}/models/${request.model}`;
  try {
    await Deno.lstat(dir);
    if (!request.overwrite) throw new RangeError(`${dir} exists: pass --overwrite to replace it`);
    await Deno.remove(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  log(`reading ${request.input}`);
  const read = await readInput(fx, request.input, request);
  const plan = await planFeatures(read.data, {
    bank: read.bank,
    label: request.label,
    positive: request.positive,
    exclude: request.exclude,
    time: request.time,
  });
  const data = withLabel01(read.data, plan.label).filter(col(LABEL01).isNotNull());
  const opt = signal === undefined ? {} : { signal };
  const timeType = data.schema.find((f) => f.name === plan.time)?.type ?? "double";

  let train: Dataset, test: Dataset, split: string, foldPlan: FoldPlan;
  if (request.validator === "time") {
    if (plan.time === undefined) {
      throw new RangeError("--validator time needs a time column: give --time-col");
    }
    const s = await timeSplit(data, { time: plan.time, trainFraction: 1 - request.testFraction, ...opt });
    [train, test] = [s.train, s.test];
    split = `out-of-time on ${plan.time}: test is the latest ${Math.round(request.testFraction * 100)} %`;
    foldPlan = { kind: "time-series", time: plan.time, folds: request.folds };
  } else {
    const s = await randomSplit(data, [1 - request.testFraction, request.testFraction], {
      seed: request.seed,
      stratifyBy: LABEL01,
      ...opt,
    });
    [train, test] = s.splits as [Dataset, Dataset];
    split = `random, stratified by the label (seed ${request.seed}): test ${
      Math.round(request.testFraction * 100)
    } %`;
    foldPlan = request.validator === "cv"
      ? { kind: "kfold", folds: request.folds }
      : { kind: "holdout", trainRatio: request.trainRatio };
  }
  train = train.cache();
  try {
    const estimator: Tunable<Record<string, unknown>, PreparedFold> = request.model === "lr"
      ? new LogisticTunable({ label: LABEL01, pipeline: () => plan.pipeline("linear") })
      : request.model === "gbt"
      ? new TreeTunable("gbt", { label: LABEL01, pipeline: () => plan.pipeline("tree"), base: GBT_PARAMS })
      : new TreeTunable("rf", { label: LABEL01, pipeline: () => plan.pipeline("tree"), base: FOREST_PARAMS });
    const n = request.candidates.length;
    const onTrial = (e: TrialEvent) => {
      if (e.type === "start" && e.attempt === 1) {
        hooks.trial(`trial ${e.index + 1}/${n} started: ${JSON.stringify(request.candidates[e.index])}`);
      } else if (e.type === "retry") {
        hooks.trial(`trial ${e.index + 1}/${n} retried (attempt ${e.attempt} failed: ${e.reason})`);
      } else if (e.type === "fold") {
        hooks.trial(`trial ${e.index + 1}/${n} fold ${e.fold + 1}: ${request.metric} ${fmt(e.value)}`);
      } else if (e.type === "done") {
        const t = e.trial;
        hooks.trial(
          t.status === "failed"
            ? `trial ${t.index + 1}/${n} FAILED after ${t.attempts} attempt(s): ${t.error}`
            : `trial ${t.index + 1}/${n} ${t.status}: ${request.metric} ${fmt(t.mean)} ± ${fmt(t.std)}${
              t.rounds.length > 0 ? `, rounds ${t.rounds.join("/")}` : ""
            } in ${(t.ms / 1000).toFixed(1)} s`,
        );
      }
    };
    log(`tuning ${request.model}: ${n} candidates, ${request.validator}, parallelism ${request.parallelism}`);
    const result: TuningResult = await tune(train, {
      estimator,
      candidates: request.candidates,
      plan: foldPlan,
      metric: tuningMetric(request.metric, request.costs),
      seed: request.seed,
      parallelism: request.parallelism,
      share: request.share,
      ...(request.prune === undefined ? {} : { prune: { margin: request.prune } }),
      test,
      onTrial,
      clock,
      ...opt,
    });
    const w = result.winner!;
    const kind = modelKind(request.model)!;
    const best = result.trials[result.best]!;
    log(`best: trial ${best.index + 1} ${JSON.stringify(best.params)}, ${request.metric} ${fmt(best.mean)}`);
    const wrapped = kind.wrap(w.model.model).withThreshold(w.threshold);
    // model.json's params: the kind's base settings under the winner's (a refit runs a fixed
    // number of rounds, so early stopping is not among them)
    const base: Record<string, unknown> = request.model === "gbt"
      ? { ...GBT_PARAMS, earlyStoppingRounds: undefined }
      : request.model === "rf"
      ? { ...FOREST_PARAMS }
      : {};
    const resolvedParams = paramsJson({ ...base, ...w.params });
    // The winner again on the test rows, with bootstrap intervals (the search's own test metrics
    // have none); the figures are the same, exact for any layout.
    const tEval = clock.monotonic();
    const tested = await metricsAt(wrapped.score(test, w.model.pipeline, w.threshold), w.threshold, {
      seed: request.seed,
      signal,
    });
    const evaluateMs = clock.monotonic() - tEval;
    const metrics = metricsRecord(tested, w.threshold);
    const hash = await contentChecksum(train.select(...read.data.columns));
    const rowsTrain = await train.count(opt);
    await saveTrained(dir, { ...wrapped, params: () => resolvedParams }, {
      pipeline: w.model.pipeline,
      seed: request.seed,
      metrics,
      dataHash: `frontier-content:${hash.checksum}`,
      rows: rowsTrain,
      frontierVersion: FRONTIER_VERSION,
      createdAt: new Date(clock.now()).toISOString(),
    });
    log(`saved ${dir}`);
    const summary: Json = {
      command: "tune",
      input: request.input,
      model: request.model,
      label: plan.label.column,
      time_col: plan.time ?? null,
      excluded: [...plan.excluded],
      split,
      validation: result.validation,
      metric: request.metric,
      direction: result.metric.direction,
      seed: request.seed,
      parallelism: request.parallelism,
      rows_train: rowsTrain,
      rows_test: w.test!.rows,
      folds: result.folds.map((f) =>
        paramsJson({
          ...f,
          ...(f.validationFrom === undefined
            ? {}
            : { validationFrom: formatCut(f.validationFrom, timeType) }),
          ...(f.validationTo === undefined ? {} : { validationTo: formatCut(f.validationTo, timeType) }),
        })
      ),
      trials: result.trials.map((t) =>
        paramsJson({
          index: t.index,
          params: t.params,
          status: t.status,
          mean: t.mean,
          std: t.std,
          values: t.values,
          rounds: t.rounds,
          ms: Math.round(t.ms),
          attempts: t.attempts,
          error: t.error ?? null,
        })
      ),
      best: paramsJson({ index: best.index, params: best.params, mean: best.mean, std: best.std }),
      failed: result.failed,
      shared: paramsJson(result.shared),
      refit: paramsJson({
        params: w.params,
        threshold: w.threshold,
        test_value: w.testValue ?? null,
        test: metrics,
        intervals: intervalsRecord(tested),
        ms: Math.round(w.ms),
      }),
      model_path: dir,
      report_path: `${out}/report.html`,
      ms: Math.round(clock.monotonic() - t0),
      cluster: request.cluster,
    };
    const tuning: TuningReport = {
      model: request.model,
      metric: request.metric,
      direction: result.metric.direction,
      validation: result.validation,
      parallelism: request.parallelism,
      trials: result.trials.map((t) => ({
        index: t.index,
        params: { ...t.params },
        status: t.status,
        mean: t.mean,
        std: t.std,
        values: [...t.values],
        rounds: [...t.rounds],
        ms: t.ms,
        error: t.error ?? null,
      })),
      best: result.best,
      testValue: w.testValue,
      ms: result.ms,
    };
    const report = modelReportFromMetrics(`${request.model} (tuned)`, tested, {
      choice: { by: "f1" },
      operatingPoint: tested.atThreshold,
      chosenOn: "validation folds",
      timings: { trainMs: w.ms, evaluateMs },
      kind: kind.kind,
      params: Object.fromEntries(
        Object.entries(w.params).filter((e): e is [string, string | number | boolean] =>
          ["string", "number", "boolean"].includes(typeof e[1])
        ),
      ),
      intervals: reportIntervals(tested),
    });
    const trainPositives = await train.filter(col(LABEL01).eq(1)).count(opt);
    await writeTrainingReport({
      version: 1,
      title: `Frontier — tuning ${request.model} on ${request.input.split("/").at(-1)}`,
      data: {
        dataset: request.input.split("/").at(-1) ?? request.input,
        label: plan.label.column,
        split,
        rowsTrain,
        rowsTest: tested.rows,
        positiveRateTrain: trainPositives / rowsTrain,
        positiveRateTest: tested.positiveRate,
        seed: request.seed,
        versions: { frontier: FRONTIER_VERSION, deno: Deno.version.deno },
        excluded: [...plan.excluded],
      },
      models: [report],
    }, {
      outDir: out,
      extraSections: [
        tuningSection(tuning, {
          stamp: {
            dataRange: `${request.input.split("/").at(-1)}: ${rowsTrain} training rows`,
            seed: request.seed,
            versions: { frontier: FRONTIER_VERSION },
          },
        }),
      ],
      meta: { cluster: request.cluster },
      clock,
      log,
    });
    await Deno.mkdir(out, { recursive: true });
    await Deno.writeTextFile(`${out}/tuning.json`, JSON.stringify(summary, null, 1));
    return { summary, tuning, report };
  } finally {
    await train.unpersist();
  }
}
