/**
 * `frontier train` on a running cluster, as a function (the command and the demo call it):
 * read → label → split (fit / validation / test) → pipeline fitted on the fit rows → each model
 * fitted → threshold by max F1 on validation → every metric on test → importance (split gain when
 * the kind has it; permutation on test for every model) → out-of-range test features → one model
 * directory per model → report.html → one summary object.
 *
 * Output directory:
 * ```
 * <out>/models/<name>/    one model directory per model (models/persistence format)
 * <out>/quarantine/       malformed input rows with their reasons (CSV inputs)
 * <out>/report.html       the training report (charts/, tables/, report.json beside it)
 * <out>/summary.json      the summary `--json` prints
 * <out>/checkpoints/      with `checkpoint`: tree models so far, while the run lasts
 * ```
 *
 * @module
 */
import type { Clock } from "../../../actors/clock.ts";
import type { Frontier } from "../../../cluster/frontier.ts";
import { col, count, sum } from "../../../cluster/expr/column.ts";
import type { PipelineModel } from "../../../models/features/pipeline.ts";
import { FRONTIER_VERSION } from "../../eda/eda_report.ts";
import { writeTrainingReport } from "../../report/training_report.ts";
import type { ModelReport } from "../../report/training_report_input.ts";
import { contentChecksum } from "../generate.ts";
import { outOfRange } from "./assess.ts";
import { LABEL01, planFeatures, withLabel01 } from "./features.ts";
import type { ModelKind } from "./model_kinds.ts";
import { readInput, type ReadOptions, writeQuarantine } from "./read_input.ts";
import { openRunCheckpoints, type RunCheckpoints } from "./run_checkpoints.ts";
import { splitData } from "./splits.ts";
import { trainOne } from "./train_one.ts";
import type { TreeClassWeight } from "../../../models/classification/tree/class_weights.ts";
import { type ModelSummary, trainingReportInput, type TrainingSummary } from "./training_summary.ts";

/** What to train. */
export interface TrainingRequest extends ReadOptions {
  /** Input file or directory. */
  readonly input: string;
  /** Output directory. */
  readonly out: string;
  /** The kinds to train, in order. */
  readonly models: readonly ModelKind[];
  /** Label column (default for the bank files: y). */
  readonly label?: string | undefined;
  /** Positive value of a text label. */
  readonly positive?: string | undefined;
  /** Columns left out. */
  readonly exclude?: readonly string[] | undefined;
  /** Time column. */
  readonly time?: string | undefined;
  /** Split method. */
  readonly split: "random" | "time";
  /** Class weights of every model (`"balanced"` or `[w0, w1]`). */
  readonly classWeight?: TreeClassWeight | undefined;
  /** Seeds the split, the models and the permutations. */
  readonly seed: number;
  /** Share of rows in test. @default {0.2} */
  readonly testFraction?: number;
  /** Share of the training part held out for validation. @default {0.1} */
  readonly validationFraction?: number;
  /** Permutations per column. @default {2} */
  readonly importanceRepeats?: number;
  /** Most distinct values of a categorical text column. */
  readonly maxCategories?: number | undefined;
  /**
   * Refit each model on the whole training part once its threshold is chosen on validation
   * (otherwise the model fitted on the fit rows is final). @default {false}
   */
  readonly refit?: boolean;
  /** Validation rows of a time split: random (default) or the latest. */
  readonly validation?: "random" | "latest";
  /**
   * The features of the tree models: `"native"` (text columns index-coded and split natively as
   * categories, numbers raw) or `"onehot"` (the logistic regression's one-hot features).
   * @default {"native"}
   */
  readonly treeFeatures?: "native" | "onehot" | undefined;
  /** Replace existing model directories. @default {false} */
  readonly overwrite?: boolean;
  /**
   * Save tree models so far every `every` rounds (boosting) or tree groups (forests) under
   * `<out>/checkpoints`; with `resume`, continue the interrupted run saved there (its model
   * directories are replaced). See `run_checkpoints.ts`.
   */
  readonly checkpoint?: { readonly every: number; readonly resume: boolean } | undefined;
  /** Report title. */
  readonly title?: string | undefined;
  /** Where the cluster runs, for the summary. */
  readonly cluster: string;
}

/** Collaborators. */
export interface TrainingHooks {
  /** Progress lines. */
  readonly log: (line: string) => void;
  /** Warnings (always shown). */
  readonly warn: (line: string) => void;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Trains as `request` says on `fx` (see the module doc); resolves to the summary. */
export async function runTraining(
  fx: Frontier,
  request: TrainingRequest,
  hooks: TrainingHooks,
): Promise<TrainingSummary> {
  const { log, warn, clock, signal } = hooks;
  const t0 = clock.monotonic();
  const out = request.out.replace(/\/+$/, "");
  if (request.models.length === 0) throw new RangeError("No model to train");
  for (const kind of request.models) {
    const dir = `${out}/models/${kind.name}`;
    if (!(await exists(dir))) continue;
    if (!request.overwrite && request.checkpoint?.resume !== true) {
      throw new RangeError(`${dir} exists: pass --overwrite to replace it`);
    }
    await Deno.remove(dir, { recursive: true });
  }

  log(`reading ${request.input}`);
  const read = await readInput(fx, request.input, request);
  log(`read ${read.rowsRead} rows: ${read.rowsValid} valid, ${read.rowsQuarantined} quarantined`);
  const quarantinePath = await writeQuarantine(read, `${out}/quarantine`);
  const plan = await planFeatures(read.data, {
    bank: read.bank,
    label: request.label,
    positive: request.positive,
    exclude: request.exclude,
    time: request.time,
    maxCategories: request.maxCategories,
  });
  for (const d of plan.dropped) warn(`column "${d.column}" is not a feature: ${d.reason}`);
  const labeled = withLabel01(read.data, plan.label);
  const [counts] = await labeled.agg(count().alias("n"), count(col(LABEL01)).alias("labeled")).collect();
  const unlabeled = Number(counts?.["n"] ?? 0) - Number(counts?.["labeled"] ?? 0);
  if (unlabeled > 0) warn(`${unlabeled} rows have no label ${JSON.stringify(plan.label)} and are left out`);
  const data = labeled.filter(col(LABEL01).isNotNull());

  if (request.split === "time" && plan.time === undefined) {
    throw new RangeError("--split time needs a time column: give --time-col");
  }
  log(`splitting (${request.split})`);
  const splits = await splitData(data, {
    method: request.split,
    seed: request.seed,
    testFraction: request.testFraction ?? 0.2,
    validationFraction: request.validationFraction ?? 0.1,
    time: plan.time,
    validation: request.validation,
    signal,
  });
  const rows = splits.rows;
  log(`split: ${rows.fit} fit + ${rows.validation} validation, ${rows.test} test; ${splits.description}`);
  if (rows.untimed > 0) warn(`${rows.untimed} rows have no ${plan.time} and are in no split`);
  const test = splits.test.cache();
  const rawColumns = read.data.columns;
  const [trainCounts] = await splits.train.agg(count().alias("n"), sum(col(LABEL01)).alias("pos")).collect();
  const positiveRateTrain = Number(trainCounts?.["pos"] ?? 0) / Math.max(1, Number(trainCounts?.["n"] ?? 0));
  const hash = await contentChecksum(splits.train.select(...rawColumns));
  const dataHash = `frontier-content:${hash.checksum}`;
  let checkpoints: RunCheckpoints | undefined;
  if (request.checkpoint !== undefined) {
    checkpoints = await openRunCheckpoints(`${out}/checkpoints`, {
      ...request.checkpoint,
      identity: {
        dataHash,
        seed: request.seed,
        split: request.split,
        testFraction: request.testFraction ?? 0.2,
        validationFraction: request.validationFraction ?? 0.1,
        validation: request.validation ?? "random",
        refit: request.refit === true,
        label: plan.label.column,
        time: plan.time ?? null,
        features: [...plan.features],
      },
      clock,
      log,
    });
  }

  const pipelines = new Map<"linear" | "tree", PipelineModel>();
  const refitPipelines = new Map<"linear" | "tree", Promise<PipelineModel>>();
  const refitPipeline = (model: "linear" | "tree") => {
    let p = refitPipelines.get(model);
    if (p === undefined) {
      log(`fitting the ${model} feature pipeline on the whole training part`);
      p = plan.pipeline(model).fit(splits.train, signal ? { signal } : undefined);
      refitPipelines.set(model, p);
    }
    return p;
  };
  const models: ModelSummary[] = [];
  const reports: ModelReport[] = [];
  const createdAt = new Date(clock.now()).toISOString();
  try {
    for (const kind of request.models) {
      const which = kind.pipeline === "tree" && request.treeFeatures === "onehot" ? "linear" : kind.pipeline;
      let pipeline = pipelines.get(which);
      if (pipeline === undefined) {
        log(`fitting the ${which} feature pipeline on the fit rows`);
        pipeline = await plan.pipeline(which).fit(splits.fit, signal ? { signal } : undefined);
        pipelines.set(which, pipeline);
        log(`${pipeline.featureNames.length} features: ${pipeline.featureNames.slice(0, 8).join(", ")}…`);
      }
      const trained = await trainOne(kind, {
        splits: { fit: splits.fit, validation: splits.validation, test },
        pipeline,
        refit: request.refit !== true
          ? undefined
          : { train: splits.train, pipeline: () => refitPipeline(which) },
        seed: request.seed,
        ...(checkpoints === undefined
          ? {}
          : { checkpoint: (phase: "fit" | "refit") => checkpoints.forModel(kind.name, phase) }),
        importanceRepeats: request.importanceRepeats ?? 2,
        classWeight: request.classWeight,
        log,
        clock,
        signal,
      });
      for (const w of trained.warnings) warn(`${kind.name}: ${w.message}`);
      const dir = `${out}/models/${kind.name}`;
      await trained.save(dir, {
        seed: request.seed,
        dataHash,
        rows: trained.rows === "train" ? rows.fit + rows.validation : rows.fit,
        frontierVersion: FRONTIER_VERSION,
        createdAt,
      });
      log(`${kind.name}: saved ${dir}`);
      models.push({ ...trained.summary, path: dir });
      reports.push(trained.report);
    }
    const numeric = pipelines.values().next().value?.spec.inputColumns
      .filter((f) => f.type !== "string")
      .map((f) => f.name) ?? [];
    const ranges = await outOfRange(splits.train, test, numeric);
    for (const r of ranges) {
      warn(
        `test values of "${r.column}" fall outside the training range [${r.trainMin}, ${r.trainMax}]: ` +
          `${r.below} below, ${r.above} above (${(r.share * 100).toFixed(1)} % of test rows)`,
      );
    }
    const summary: TrainingSummary = {
      command: "train",
      input: request.input,
      source: plan.source,
      label: plan.label,
      time_col: plan.time ?? null,
      features: [...plan.features],
      excluded: [...plan.excluded],
      dropped: [...plan.dropped],
      split: {
        method: request.split,
        description: splits.description,
        seed: request.seed,
        test_fraction: request.testFraction ?? 0.2,
        validation_fraction: request.validationFraction ?? 0.1,
        cut: splits.cut ?? null,
      },
      rows_read: read.rowsRead,
      rows_valid: read.rowsValid,
      rows_quarantined: read.rowsQuarantined,
      rows_unlabeled: unlabeled,
      rows_untimed: rows.untimed,
      rows_train: rows.fit + rows.validation,
      rows_fit: rows.fit,
      rows_validation: rows.validation,
      rows_test: rows.test,
      reconciled: read.rowsRead === read.rowsValid + read.rowsQuarantined &&
        read.rowsValid === unlabeled + rows.untimed + rows.fit + rows.validation + rows.test,
      reasons: read.reasons,
      quarantine_path: quarantinePath ?? null,
      positive_rate_train: positiveRateTrain,
      positive_rate_test: models[0]?.metrics["positiveRate"] ?? NaN,
      data_hash: dataHash,
      models,
      out_of_range: ranges,
      report_path: "",
      summary_path: `${out}/summary.json`,
      ms: 0,
      cluster: request.cluster,
    };
    log("writing the training report");
    const report = await writeTrainingReport(
      trainingReportInput(summary, reports, {
        dataset: read.name,
        versions: { frontier: FRONTIER_VERSION, deno: Deno.version.deno },
        ...(request.title === undefined ? {} : { title: request.title }),
      }),
      { outDir: out, meta: { cluster: request.cluster, "data hash": dataHash }, clock, log },
    );
    const done: TrainingSummary = { ...summary, report_path: report.reportPath, ms: clock.monotonic() - t0 };
    await Deno.writeTextFile(done.summary_path, JSON.stringify(done, finiteOrString, 1));
    await checkpoints?.finish();
    return done;
  } finally {
    await test.unpersist();
  }
}

/** JSON replacer: non-finite numbers as `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function finiteOrString(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}
