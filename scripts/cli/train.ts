/**
 * `frontier train`: trains binary classifiers on the cluster from a CSV (or Parquet/Arrow
 * directory), evaluates them honestly and saves each as a model directory, with a training
 * report. The work is `training/run_training.ts`; this file is the command line.
 *
 * @module
 */
import { loadCsvSchema } from "../../cluster/io/csv/schema.ts";
import {
  absolute,
  type CliIo,
  clusterLabel,
  COMMON_HELP,
  commonFlags,
  dirOf,
  openCluster,
  parseCommand,
  positiveInt,
  progressFor,
  required,
  UsageError,
} from "./common.ts";
import { MODEL_KINDS, type ModelKind, modelKind } from "./training/model_kinds.ts";
import { finiteOrString, runTraining } from "./training/run_training.ts";

/** Help of `frontier train`. */
export const TRAIN_USAGE = `Usage: deno task frontier train --input FILE --out DIR [options]

Trains binary classifiers on the cluster: reads the input (malformed CSV rows quarantined with their
reasons), splits it into training rows (fit + validation) and test rows, fits the feature pipeline
and each model on the fit rows, chooses the decision threshold by max F1 on the validation rows,
reports every metric on the test rows (ROC-AUC, PR-AUC, log loss, Brier, calibration, accuracy beside
the majority baseline, precision/recall/F1 of the positive and the minority class, lift), feature
importance (permutation on test for every model; split gain for trees), and test features outside
the training range. Writes DIR/models/<model>/ (model directories), DIR/report.html, DIR/summary.json
and DIR/quarantine/.

The UCI bank files (or any CSV with their header) use the bank defaults: label y ("yes" = 1),
duration excluded (it is known only after the call), contact_date (derived) as the time column.

Options:
  --input FILE          CSV file (optionally gzip), or a directory of .parquet/.arrow files (required)
  --out DIR             output directory (required)
  --label COL           label column (default: y for the bank files; required otherwise)
  --positive V          the positive value of a text label (default: yes/true/1/… when the label
                        has two values and one of them reads so)
  --exclude A,B         columns left out (default: duration for the bank files, else none)
  --time-col C          time column (date, timestamp or number) for --split time
                        (default: contact_date for the bank files)
  --models LIST         comma-separated models: ${MODEL_KINDS.map((k) => `${k.name} (${k.title})`).join(", ")}
                        (default: all of them)
  --split S             random (stratified by the label; default) or time (out-of-time: test is
                        the latest rows)
  --seed S              seed of the split, the models and the permutations (default: 42)
  --test-fraction F     share of the rows in test (default: 0.2)
  --validation-fraction F
                        share of the training rows held out to choose the threshold (default: 0.1)
  --importance-repeats N
                        permutations per column for permutation importance, 0 to skip (default: 2)
  --validation V        how validation rows are drawn from the training part of a time split:
                        random (stratified; default) or latest (the last rows in time)
  --refit               once the threshold is chosen, refit each model on the whole training part
                        (same settings, e.g. the early-stopped number of rounds) and save that one
  --tree-features F     what rf and gbt read: native (text columns index-coded and split natively as
                        categories, numbers raw; default) or onehot (the one-hot features of lr)
  --class-weight W      weights of the two classes in every model's loss: balanced (each class
                        weighs half of the total) or W0,W1 (e.g. 1,10); default: every row 1
  --max-categories N    text columns with more distinct values are not features (default: 100)
  --sep C               CSV separator (default: ";" for the bank files, else ",")
  --schema F            CSV schema JSON file (default: the bank schema, else inferred)
  --overwrite           replace existing model directories under DIR/models
  --checkpoint-every K  save each tree model so far every K boosting rounds or forest tree groups
                        under DIR/checkpoints/ (removed once the run completes)
  --resume              continue an interrupted run from DIR/checkpoints/ (needs --checkpoint-every;
                        the same input and options): the models equal an uninterrupted run's
  --title T             report title

${COMMON_HELP}

JSON summary: { command, input, source, label, time_col, features, excluded, dropped, split,
rows_read, rows_valid, rows_quarantined, rows_unlabeled, rows_untimed, rows_train, rows_fit,
rows_validation, rows_test, reconciled, reasons, quarantine_path, positive_rate_train,
positive_rate_test, data_hash, models: [{ name, kind, path, params, training, threshold,
validation, metrics, intervals, importance, warnings, ms }], out_of_range, report_path, summary_path, ms,
cluster }
`;

function fraction(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(x > 0 && x < 1)) {
    throw new UsageError(`${flag} must be a number in (0, 1), got ${JSON.stringify(value)}`);
  }
  return x;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The kinds `--models` names. */
export function parseModels(value: string | undefined): ModelKind[] {
  const names = list(value) ?? MODEL_KINDS.map((k) => k.name);
  const kinds = names.map((n) => {
    const k = modelKind(n);
    if (k === undefined) {
      throw new UsageError(
        `--models: unknown model ${JSON.stringify(n)} (available: ${
          MODEL_KINDS.map((k) => k.name).join(", ")
        })`,
      );
    }
    return k;
  });
  if (kinds.length === 0) throw new UsageError("--models names no model");
  if (new Set(kinds).size !== kinds.length) throw new UsageError("--models names a model twice");
  return kinds;
}

/** Runs `frontier train`; resolves to the exit code. */
export async function trainCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, {
    input: { type: "string" },
    out: { type: "string" },
    label: { type: "string" },
    positive: { type: "string" },
    exclude: { type: "string" },
    "time-col": { type: "string" },
    models: { type: "string" },
    split: { type: "string" },
    seed: { type: "string" },
    "test-fraction": { type: "string" },
    "validation-fraction": { type: "string" },
    "importance-repeats": { type: "string" },
    "max-categories": { type: "string" },
    "tree-features": { type: "string" },
    "class-weight": { type: "string" },
    sep: { type: "string" },
    schema: { type: "string" },
    refit: { type: "boolean" },
    validation: { type: "string" },
    overwrite: { type: "boolean" },
    "checkpoint-every": { type: "string" },
    resume: { type: "boolean" },
    title: { type: "string" },
  });
  if (values.help) {
    io.out(TRAIN_USAGE);
    return 0;
  }
  const flags = commonFlags(values);
  const input = absolute(required(values.input, "--input"));
  const out = absolute(required(values.out, "--out").replace(/\/+$/, ""));
  const split = values.split ?? "random";
  if (split !== "random" && split !== "time") {
    throw new UsageError(`--split must be "random" or "time", got ${JSON.stringify(split)}`);
  }
  const validation = values.validation ?? "random";
  if (validation !== "random" && validation !== "latest") {
    throw new UsageError(`--validation must be "random" or "latest", got ${JSON.stringify(validation)}`);
  }
  if (validation === "latest" && split !== "time") {
    throw new UsageError("--validation latest needs --split time");
  }
  const seedText = values.seed ?? "42";
  const seed = Number(seedText);
  if (!/^-?\d+$/.test(seedText) || !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer, got ${JSON.stringify(seedText)}`);
  }
  const repeatsText = values["importance-repeats"];
  const importanceRepeats = repeatsText === "0" ? 0 : positiveInt(repeatsText, "--importance-repeats", 2);
  const models = parseModels(values.models);
  const treeFeatures = values["tree-features"] ?? "native";
  if (treeFeatures !== "native" && treeFeatures !== "onehot") {
    throw new UsageError(`--tree-features must be "native" or "onehot", got ${JSON.stringify(treeFeatures)}`);
  }
  const classWeight = parseClassWeight(values["class-weight"]);
  const testFraction = fraction(values["test-fraction"], "--test-fraction", 0.2);
  const validationFraction = fraction(values["validation-fraction"], "--validation-fraction", 0.1);
  const maxCategories = positiveInt(values["max-categories"], "--max-categories", 100);
  const checkpointEvery = values["checkpoint-every"] === undefined
    ? undefined
    : positiveInt(values["checkpoint-every"], "--checkpoint-every");
  if (values.resume === true && checkpointEvery === undefined) {
    throw new UsageError("--resume needs --checkpoint-every (how often the resumed run saves)");
  }
  const schema = values.schema === undefined ? undefined : await loadCsvSchema(values.schema);
  const progress = progressFor(io, flags);
  progress.stage("starting the cluster");
  await using fx = await openCluster(flags, {
    readDirs: [dirOf(input), input, absolute("out")],
    writeDirs: [out, absolute("out")],
    log: io.err,
  });
  const summary = await runTraining(fx, {
    input,
    out,
    models,
    label: values.label,
    positive: values.positive,
    exclude: list(values.exclude),
    time: values["time-col"],
    split,
    seed,
    testFraction,
    validationFraction,
    importanceRepeats,
    maxCategories,
    treeFeatures,
    classWeight,
    refit: values.refit === true,
    validation,
    overwrite: values.overwrite === true,
    ...(checkpointEvery === undefined
      ? {}
      : { checkpoint: { every: checkpointEvery, resume: values.resume === true } }),
    title: values.title,
    separator: values.sep,
    schema,
    cluster: clusterLabel(flags),
  }, { log: (line) => progress.stage(line), warn: (line) => io.err(`warning: ${line}`), clock: io.clock });
  progress.stage("done");
  if (flags.json) io.out(JSON.stringify(summary, finiteOrString));
  else {
    io.out(
      `Trained ${summary.models.length} model(s) on ${summary.rows_train} rows, tested on ${summary.rows_test} ` +
        `(${summary.split.method} split; ${summary.rows_quarantined} rows quarantined):`,
    );
    for (const m of summary.models) {
      const x = m.metrics;
      io.out(
        `  ${m.name.padEnd(4)} ROC-AUC ${x["rocAuc"]!.toFixed(4)}  PR-AUC ${
          x["averagePrecision"]!.toFixed(4)
        }  ` +
          `F1 ${x["f1"]!.toFixed(4)}  accuracy ${x["accuracy"]!.toFixed(4)} (baseline ${
            x["baselineAccuracy"]!.toFixed(4)
          })  → ${m.path}`,
      );
    }
    io.out(`Report: ${summary.report_path}`);
  }
  return summary.reconciled ? 0 : 1;
}

/** `--class-weight`: `balanced`, or two positive numbers `W0,W1`. */
export function parseClassWeight(text: string | undefined): "balanced" | [number, number] | undefined {
  if (text === undefined) return undefined;
  if (text === "balanced") return "balanced";
  const parts = text.split(",").map((p) => p.trim());
  const w = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p === "") || !w.every((x) => Number.isFinite(x) && x > 0)) {
    throw new UsageError(
      `--class-weight must be "balanced" or two positive numbers W0,W1 (e.g. 1,10), got ${
        JSON.stringify(text)
      }`,
    );
  }
  return [w[0]!, w[1]!];
}
