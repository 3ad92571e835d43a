/**
 * `deno task study`: measures, on bank-full and bank-additional-full without `duration`, out of
 * time (the latest 20 % by contact date is test; a stratified random 10 % of the rest is
 * validation, where boosting stops early, thresholds are chosen and calibrations are fitted):
 *
 * 1. categorical encodings per model: one-hot, native categorical splits (trees), target encoding
 *    (out of fold within the fit rows);
 * 2. imbalance strategies: none, class weights (`"balanced"`), majority down-sampling to 1:1 and
 *    1:3 — by PR-AUC and expected cost (cost matrix in `study_models.ts`: FN 5, FP 1);
 * 3. Platt and isotonic calibration fitted on validation: test log loss, Brier and ECE;
 * 4. the drift between the training and test periods, per feature;
 * 5. responses to drift: a model fitted without the latest 10 % of the training period and
 *    recalibrated on it, and a shorter training window (the latest 25 % of the fit rows);
 * 6. engineered feature groups, each kept only when it raises validation PR-AUC by more than
 *    {@linkcode MIN_GAIN} (smaller gains are noise at ~190 validation positives);
 * 7. on generated transactions, the PR-AUC gain of velocity features over the raw columns.
 *
 * Prints tables and writes `out/analysis/bank_study.json`.
 *
 * ```sh
 * deno task study [--rows 200000] [--seed 42] [--executors 2] [--skip-fraud] [--only full|additional|none]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Dataset } from "../../cluster/dataset.ts";
import { col, lit, when } from "../../cluster/expr/column.ts";
import { Frontier } from "../../cluster/frontier.ts";
import { BANK_TIME_COLUMN, bankColumns, type BankFile } from "../../models/features/bank.ts";
import { downsampleMajority } from "../../models/features/split/downsample_majority.ts";
import { randomSplit } from "../../models/features/split/random_split.ts";
import { timeSplit } from "../../models/features/split/time_split.ts";
import { FOLD_COLUMN, withFolds } from "../../models/features/target_encoder.ts";
import { type DriftReport, driftReport } from "../../models/stat/drift_report.ts";
import { fraudStudy } from "./fraud_study.ts";
import {
  type Columns,
  type Encoding,
  featureGroups,
  MACRO,
  studyPipeline,
  TARGET_FOLDS,
} from "./study_features.ts";
import { calibrations, COSTS, type Figures, LABEL, measure, type Scorer, train } from "./study_models.ts";
import { printDrift, printRows, type ResultRow } from "./study_report.ts";

/** The validation PR-AUC gain a feature group must bring to be kept. */
export const MIN_GAIN = 0.005;

interface Slices {
  /** Training rows the models are fitted on (training part minus validation). */
  readonly fit: Dataset;
  /** A stratified random 10 % of the training part: early stopping, thresholds, calibration. */
  readonly validation: Dataset;
  /** The latest 20 % by contact date. */
  readonly test: Dataset;
  /** The first day of the latest 10 % of the training part (days since 1970). */
  readonly latestCut: number;
  /** The latest 10 % of the training part (all of its rows). */
  readonly latest: Dataset;
}

interface Context {
  readonly which: BankFile;
  readonly slices: Slices;
  readonly seed: number;
  readonly rows: ResultRow[];
  readonly log: (line: string) => void;
  readonly memo: Map<string, { scorer: Scorer; figures: Figures; row: ResultRow }>;
}

/** Fits `model` with `encoding` over `cols` on `fit` (default: the fit rows) and measures it. */
async function run(
  ctx: Context,
  spec: {
    experiment: string;
    variant: string;
    model: "lr" | "gbt";
    encoding: Encoding;
    cols: Columns;
    fit?: Dataset;
    modelRows?: (fit: Dataset) => Promise<Dataset>;
    classWeight?: "balanced";
  },
): Promise<{ scorer: Scorer; figures: Figures; row: ResultRow }> {
  // The same model on the same rows is the same model (training is deterministic): reuse it.
  const key = spec.fit === undefined && spec.modelRows === undefined && spec.classWeight === undefined
    ? `${spec.model}|${spec.encoding}|${[...spec.cols.numeric].sort()}|${[...spec.cols.categorical].sort()}`
    : undefined;
  const seen = key === undefined ? undefined : ctx.memo.get(key);
  if (seen !== undefined) {
    const row = { ...seen.row, experiment: spec.experiment, variant: spec.variant };
    ctx.rows.push(row);
    ctx.log(
      `${ctx.which} · ${spec.experiment} · ${spec.model} · ${spec.variant}: the model of "${seen.row.variant}"`,
    );
    return { ...seen, row };
  }
  const t0 = performance.now();
  let fit = spec.fit ?? ctx.slices.fit;
  if (spec.encoding === "target") {
    fit = withFolds(fit, { folds: TARGET_FOLDS, seed: ctx.seed, column: FOLD_COLUMN });
  }
  const pipeline = await studyPipeline(spec.encoding, spec.cols).fit(fit);
  const modelRows = spec.modelRows === undefined ? fit : await spec.modelRows(fit);
  const scorer = await train({
    model: spec.model,
    pipeline,
    fit: modelRows,
    validation: ctx.slices.validation,
    seed: ctx.seed,
    ...(spec.classWeight === undefined ? {} : { classWeight: spec.classWeight }),
  });
  const figures = await measure(scorer, ctx.slices.validation, ctx.slices.test);
  const seconds = (performance.now() - t0) / 1000;
  const row: ResultRow = {
    dataset: ctx.which,
    experiment: spec.experiment,
    model: spec.model,
    variant: spec.variant,
    features: pipeline.featureNames.length,
    seconds,
    ...figures,
  };
  ctx.rows.push(row);
  if (key !== undefined) ctx.memo.set(key, { scorer, figures, row });
  ctx.log(
    `${ctx.which} · ${spec.experiment} · ${spec.model} · ${spec.variant}: PR-AUC ${
      figures.prAuc.toFixed(4)
    }, ` +
      `ROC-AUC ${figures.rocAuc.toFixed(4)}, cost ${figures.cost.toFixed(4)} (${
        seconds.toFixed(1)
      } s, ${scorer.describe})`,
  );
  return { scorer, figures, row };
}

/** Adds rows for the Platt and isotonic versions of `scorer`, fitted on `on` (default: validation). */
async function calibrated(
  ctx: Context,
  experiment: string,
  model: "lr" | "gbt",
  variant: string,
  scorer: Scorer,
  on: Dataset = ctx.slices.validation,
) {
  const { platt, isotonic } = await calibrations(scorer, on);
  for (const [name, c] of [["platt", platt], ["isotonic", isotonic]] as const) {
    const figures = await measure(scorer, ctx.slices.validation, ctx.slices.test, c);
    ctx.rows.push({
      dataset: ctx.which,
      experiment,
      model,
      variant: `${variant} + ${name}`,
      seconds: 0,
      ...figures,
    });
  }
}

async function bankStudy(fx: Frontier, which: BankFile, seed: number, log: (line: string) => void) {
  const read = await fx.read.bank(which, { workDir: "out/data" });
  const groups = featureGroups(which);
  let data = read.data.withColumn(
    LABEL,
    when(col("y").eq("yes"), lit(1, "double")).otherwise(lit(0, "double")),
  );
  for (const g of groups) data = g.add(data);
  data = data.cache();
  const split = await timeSplit(data, { time: BANK_TIME_COLUMN, trainFraction: 0.8 });
  const { splits: [fit, validation] } = await randomSplit(split.train, [0.9, 0.1], {
    seed,
    stratifyBy: LABEL,
  });
  const inner = await timeSplit(split.train, { time: BANK_TIME_COLUMN, trainFraction: 0.9 });
  const slices: Slices = {
    fit: fit!,
    validation: validation!,
    test: split.test,
    latestCut: inner.cut,
    latest: inner.test,
  };
  const [nFit, nValidation] = [await fit!.count(), await validation!.count()];
  log(
    `${which}: fit ${nFit}, validation ${nValidation}, test ${split.testRows}, latest slice ${inner.testRows} rows`,
  );
  const rows: ResultRow[] = [];
  const ctx: Context = { which, slices, seed, rows, log, memo: new Map() };
  const base = bankColumns(which);
  const cols: Columns = { categorical: base.categorical, numeric: base.numeric };

  // 4. Drift between the training and the test period.
  const drift = await driftReport(split.train, split.test, {
    numeric: cols.numeric,
    categorical: cols.categorical,
    label: LABEL,
  });

  // 1. Encodings.
  const enc = "encoding";
  const lr = await run(ctx, { experiment: enc, variant: "one-hot", model: "lr", encoding: "onehot", cols });
  await run(ctx, { experiment: enc, variant: "target (out of fold)", model: "lr", encoding: "target", cols });
  await run(ctx, { experiment: enc, variant: "one-hot", model: "gbt", encoding: "onehot", cols });
  const gbt = await run(ctx, { experiment: enc, variant: "native", model: "gbt", encoding: "native", cols });
  await run(ctx, {
    experiment: enc,
    variant: "target (out of fold)",
    model: "gbt",
    encoding: "target",
    cols,
  });

  // 2. Imbalance strategies, 3. calibration.
  const defaults = [["lr", "onehot", lr], ["gbt", "native", gbt]] as const;
  for (const [model, encoding, none] of defaults) {
    const imb = "imbalance";
    rows.push({ ...none.row, experiment: imb, variant: "none" });
    const weighted = await run(ctx, {
      experiment: imb,
      variant: "class weights",
      model,
      encoding,
      cols,
      classWeight: "balanced",
    });
    for (const ratio of [1, 3]) {
      await run(ctx, {
        experiment: imb,
        variant: `down-sample 1:${ratio}`,
        model,
        encoding,
        cols,
        modelRows: async (fit) => (await downsampleMajority(fit, { label: LABEL, ratio, seed })).dataset,
      });
    }
    const cal = "calibration";
    rows.push({ ...none.row, experiment: cal, variant: "raw" });
    await calibrated(ctx, cal, model, "raw", none.scorer);
    rows.push({ ...weighted.row, experiment: cal, variant: "class weights" });
    await calibrated(ctx, cal, model, "class weights", weighted.scorer);

    // 5. Responses to drift: recalibration on the latest slice, shorter training windows.
    const win = "drift response";
    rows.push({ ...none.row, experiment: win, variant: "all fit rows" });
    const early = await run(ctx, {
      experiment: win,
      variant: "fit rows before the latest 10 %",
      model,
      encoding,
      cols,
      fit: slices.fit.filter(col(BANK_TIME_COLUMN).cast("double").lt(slices.latestCut)),
    });
    await calibrated(ctx, win, model, "before latest 10 %, recalibrated on it", early.scorer, slices.latest);
    for (const keep of [0.25]) {
      const recent = (await timeSplit(slices.fit, { time: BANK_TIME_COLUMN, trainFraction: 1 - keep })).test;
      const variant = `latest ${keep * 100} % of fit rows`;
      const r = await run(ctx, { experiment: win, variant, model, encoding, cols, fit: recent });
      await calibrated(ctx, win, model, variant, r.scorer);
    }
  }

  // 6. Feature engineering, forward: each group against the base, kept if validation PR-AUC rises.
  const fe = "features";
  const baseCols: Columns = {
    categorical: cols.categorical,
    numeric: cols.numeric.filter((c) => !MACRO.includes(c)),
  };
  const kept: Record<string, string[]> = {};
  for (const [model, encoding] of [["lr", "onehot"], ["gbt", "native"]] as const) {
    const b = await run(ctx, { experiment: fe, variant: "base", model, encoding, cols: baseCols });
    const keep: string[] = [];
    let extra: string[] = [];
    for (const g of groups) {
      const r = await run(ctx, {
        experiment: fe,
        variant: `base + ${g.name}`,
        model,
        encoding,
        cols: { categorical: baseCols.categorical, numeric: [...baseCols.numeric, ...g.numeric] },
      });
      if (r.figures.validPrAuc > b.figures.validPrAuc + MIN_GAIN) {
        keep.push(g.name);
        extra = [...extra, ...g.numeric];
      }
    }
    kept[model] = keep;
    if (keep.length > 1) {
      await run(ctx, {
        experiment: fe,
        variant: `base + ${keep.join(" + ")} (kept)`,
        model,
        encoding,
        cols: { categorical: baseCols.categorical, numeric: [...baseCols.numeric, ...extra] },
      });
    }
  }
  await data.unpersist();
  return {
    which,
    rows: { fit: inner.trainRows, validation: inner.testRows, test: split.testRows },
    drift,
    results: rows,
    kept,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: "200000" },
      seed: { type: "string", default: "42" },
      executors: { type: "string", default: "2" },
      only: { type: "string" },
      "skip-fraud": { type: "boolean", default: false },
      out: { type: "string", default: "out/analysis" },
    },
  });
  const seed = Number(values.seed), txRows = Number(values.rows), executors = Number(values.executors);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`--seed must be an integer, got ${values.seed}`);
  if (!(Number.isInteger(txRows) && txRows >= 1000)) {
    throw new RangeError(`--rows must be an integer >= 1000, got ${values.rows}`);
  }
  if (!(Number.isInteger(executors) && executors >= 1 && executors <= 16)) {
    throw new RangeError(`--executors must be an integer in [1, 16], got ${values.executors}`);
  }
  const only = values.only;
  if (only !== undefined && !["full", "additional", "none"].includes(only)) {
    throw new RangeError(`--only must be full, additional or none (transactions only), got ${only}`);
  }
  const files: BankFile[] = only === undefined
    ? ["full", "additional"]
    : only === "none"
    ? []
    : [only as BankFile];
  const log = (line: string) => console.error(line);
  const t0 = performance.now();
  await using fx = await Frontier.start({ executors });
  const banks: Awaited<ReturnType<typeof bankStudy>>[] = [];
  for (const which of files) banks.push(await bankStudy(fx, which, seed, log));
  const fraud = values["skip-fraud"] ? undefined : await fraudStudy(fx, { rows: txRows, seed, log });
  const seconds = (performance.now() - t0) / 1000;
  for (const b of banks) {
    printDrift(b.which, b.drift as DriftReport);
    printRows(
      `bank-${b.which}: test figures (FN cost ${COSTS.falseNegative}, FP cost ${COSTS.falsePositive})`,
      b.results,
    );
    console.log(`kept feature groups: ${JSON.stringify(b.kept)}`);
  }
  if (fraud !== undefined) {
    printRows(
      `transactions (${fraud.rows.clean} clean rows, ${fraud.rows.positives} frauds; test ${fraud.split.test})`,
      fraud.results.map((r) => ({
        dataset: "tx",
        experiment: "velocity",
        model: "gbt",
        variant: r.variant,
        features: r.features,
        seconds: r.seconds,
        ...r.figures,
      })),
    );
  }
  console.log(`study: ${seconds.toFixed(0)} s`);
  await Deno.mkdir(values.out, { recursive: true });
  const path = `${values.out}/bank_study.json`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({ seed, costs: COSTS, seconds, banks, fraud }, null, 2) + "\n",
  );
  console.log(`wrote ${path}`);
}

if (import.meta.main) await main();
