/**
 * `frontier tune`: a hyperparameter search on the cluster (models/tuning) from a CSV (or
 * Parquet/Arrow directory): the candidates of `--grid` validated by cross-validation, a
 * train/validation split or expanding time-series folds, trials in parallel, the winner refitted
 * on all training rows, evaluated once on untouched test rows and saved as a model directory.
 * The work is `training/run_tuning.ts`; this file is the command line.
 *
 * @module
 */
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
import { finiteOrString } from "./training/run_training.ts";
import { runTuning } from "./training/run_tuning.ts";
import { parseGrid, parseRandomSearch } from "./training/tune_grid.ts";
import { TUNING_METRICS, type TuningMetricName } from "../../models/tuning/tuning_metric.ts";

/** Help of `frontier tune`. */
export const TUNE_USAGE = `Usage: deno task frontier tune --input FILE --model M --grid G --out DIR [options]

Searches model parameters on the cluster: splits the input into training rows and untouched test
rows, fits every candidate of the grid on every validation fold of the training rows (trials in
parallel, each fold's feature pipeline and binned data prepared once and shared by the trials),
scores each fold, refits the best candidate on all training rows and evaluates it once on test.
Prints one line per trial event on stderr. Writes DIR/models/<model>/ (the model directory format
of \`frontier train\`: \`frontier evaluate\` and \`predict\` load it) and DIR/tuning.json.

Options:
  --input FILE          CSV file (optionally gzip), or a directory of .parquet/.arrow files (required)
  --out DIR             output directory (required)
  --model M             gbt, rf or lr (required)
  --grid G              candidates: name=v1,v2;name2=v3,v4 over the model's own parameters, e.g.
                        'maxDepth=3,5,7;learningRate=0.05,0.1' (required)
  --random N            a random search instead: N candidates drawn (seeded by --seed) from the
                        grid, whose parts may then be ranges: lo..hi (uniform), int:lo..hi,
                        log:lo..hi, e.g. 'numLeaves=int:7..63;learningRate=log:0.02..0.3'
  --validator V         cv (stratified k-fold; default), tvs (one stratified train/validation
                        split) or time (expanding-window folds on the time column; the test rows
                        are then the latest, out of time)
  --folds K             folds of cv and time (default: 3)
  --train-ratio R       training share of tvs (default: 0.75)
  --test-fraction F     share of the rows held out as the test set (default: 0.2)
  --parallelism N       trials at once (default: 2)
  --metric M            ${TUNING_METRICS.join(", ")} (default: rocAuc; expectedCost needs --costs)
  --costs FN,FP         costs of a missed positive and of a false alarm, for --metric expectedCost
                        (F1 and expected cost are taken at each fold's best threshold)
  --seed S              seed of the splits, folds and models (default: 42)
  --label COL           label column (default: y for the bank files; required otherwise)
  --positive V          the positive value of a text label
  --exclude A,B         columns left out (default: duration for the bank files)
  --time-col C          time column (default: contact_date for the bank files)
  --sep C               CSV separator (default: ";" for the bank files, else ",")
  --overwrite           replace DIR/models/<model>
  --prune M             skip the remaining folds of a trial whose first fold is worse than the
                        worst first fold so far by more than M (deterministic with --parallelism 1)
  --no-share            prepare each fold for every trial instead of once per fold (to measure
                        what sharing saves; the figures are the same)

${COMMON_HELP}

JSON summary: { command, input, model, label, time_col, excluded, split, validation, metric,
direction, seed, parallelism, rows_train, rows_test, folds, trials: [{ index, params, status,
mean, std, values, rounds, ms, attempts, error }], best, failed, shared, refit: { params,
threshold, test_value, test, ms }, model_path, ms, cluster }
`;

function number01(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(x > 0 && x < 1)) {
    throw new UsageError(`${flag} must be a number in (0, 1), got ${JSON.stringify(value)}`);
  }
  return x;
}

function prune(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!(x >= 0 && x < Infinity)) {
    throw new UsageError(`--prune must be a number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return x;
}

/** Runs `frontier tune`; resolves to the exit code. */
export async function tuneCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, {
    input: { type: "string" },
    out: { type: "string" },
    model: { type: "string" },
    grid: { type: "string" },
    random: { type: "string" },
    validator: { type: "string" },
    folds: { type: "string" },
    "train-ratio": { type: "string" },
    "test-fraction": { type: "string" },
    parallelism: { type: "string" },
    metric: { type: "string" },
    seed: { type: "string" },
    label: { type: "string" },
    positive: { type: "string" },
    exclude: { type: "string" },
    "time-col": { type: "string" },
    sep: { type: "string" },
    overwrite: { type: "boolean" },
    "no-share": { type: "boolean" },
    prune: { type: "string" },
    costs: { type: "string" },
  });
  if (values.help) {
    io.out(TUNE_USAGE);
    return 0;
  }
  const flags = commonFlags(values);
  const input = absolute(required(values.input, "--input"));
  const out = absolute(required(values.out, "--out").replace(/\/+$/, ""));
  const model = required(values.model, "--model");
  if (model !== "gbt" && model !== "rf" && model !== "lr") {
    throw new UsageError(`--model must be gbt, rf or lr, got ${JSON.stringify(model)}`);
  }
  const seedText = values.seed ?? "42";
  const seed = Number(seedText);
  if (!/^-?\d+$/.test(seedText) || !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer, got ${JSON.stringify(seedText)}`);
  }
  const grid = required(values.grid, "--grid");
  const candidates = values.random === undefined
    ? parseGrid(grid, model)
    : parseRandomSearch(grid, model, { trials: positiveInt(values.random, "--random"), seed });
  const validator = values.validator ?? "cv";
  if (validator !== "cv" && validator !== "tvs" && validator !== "time") {
    throw new UsageError(`--validator must be cv, tvs or time, got ${JSON.stringify(validator)}`);
  }
  const folds = positiveInt(values.folds, "--folds", 3);
  if (validator === "cv" && folds < 2) throw new UsageError("--folds must be at least 2 for cv");
  const metric = values.metric ?? "rocAuc";
  if (!(TUNING_METRICS as readonly string[]).includes(metric)) {
    throw new UsageError(
      `--metric must be one of ${TUNING_METRICS.join(", ")}, got ${JSON.stringify(metric)}`,
    );
  }
  const costs = values.costs === undefined ? undefined : parseCosts(values.costs);
  if (metric === "expectedCost" && costs === undefined) {
    throw new UsageError(
      "--metric expectedCost needs --costs FN,FP (the cost of a missed positive, of a false alarm)",
    );
  }
  const progress = progressFor(io, flags);
  progress.stage("starting the cluster");
  await using fx = await openCluster(flags, {
    readDirs: [dirOf(input), input, absolute("out")],
    writeDirs: [out, absolute("out")],
    log: io.err,
  });
  // Ctrl-C stops every running trial; the search then releases what it prepared and fails
  const interrupt = new AbortController();
  const onInt = () => {
    io.err("interrupted: stopping the running trials");
    interrupt.abort(new DOMException("Interrupted (SIGINT)", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", onInt);
  using _ = { [Symbol.dispose]: () => Deno.removeSignalListener("SIGINT", onInt) };
  const { summary } = await runTuning(fx, {
    input,
    out,
    model,
    candidates,
    validator,
    folds,
    trainRatio: number01(values["train-ratio"], "--train-ratio", 0.75),
    testFraction: number01(values["test-fraction"], "--test-fraction", 0.2),
    parallelism: positiveInt(values.parallelism, "--parallelism", 2),
    metric: metric as TuningMetricName,
    costs,
    seed,
    label: values.label,
    positive: values.positive,
    exclude: values.exclude?.split(",").map((s) => s.trim()).filter((s) => s !== ""),
    time: values["time-col"],
    separator: values.sep,
    overwrite: values.overwrite === true,
    share: values["no-share"] !== true,
    prune: prune(values.prune),
    cluster: clusterLabel(flags),
  }, { log: (line) => progress.stage(line), trial: io.err, clock: io.clock, signal: interrupt.signal });
  progress.stage("done");
  if (flags.json) io.out(JSON.stringify(summary, finiteOrString));
  else {
    const s = summary as Record<string, unknown>;
    const best = s["best"] as { index: number; params: unknown; mean: number; std: number };
    const refit = s["refit"] as { test_value: number | null };
    const trials = s["trials"] as {
      index: number;
      params: unknown;
      status: string;
      mean: number | string;
      std: number | string;
      rounds: number[];
      ms: number;
      error: string | null;
    }[];
    const num = (x: number | string) => typeof x === "number" ? x.toFixed(4) : x;
    io.out(`trial  ${metric.padEnd(8)} ± std     rounds        seconds  params`);
    for (const t of trials) {
      io.out(
        `${String(t.index + 1).padStart(5)}${t.index === best.index ? "*" : " "} ${num(t.mean).padEnd(8)} ${
          num(t.std).padEnd(8)
        } ${(t.rounds.join("/") || "-").padEnd(13)} ${(t.ms / 1000).toFixed(1).padStart(7)}  ${
          JSON.stringify(t.params)
        }${t.status === "ok" ? "" : ` ${t.status.toUpperCase()}${t.error ? `: ${t.error}` : ""}`}`,
      );
    }
    io.out(
      `Best of ${(s["trials"] as unknown[]).length} trials (${s["failed"]} failed): trial ${best.index + 1} ${
        JSON.stringify(best.params)
      }, ${metric} ${best.mean.toFixed(4)} ± ${best.std.toFixed(4)} (${s["validation"]}); test ${metric} ${
        refit.test_value?.toFixed(4)
      } → ${s["model_path"]}`,
    );
  }
  return 0;
}

/** `--costs FN,FP`: the cost of a missed positive and of a false alarm, both finite and ≥ 0, not both 0. */
export function parseCosts(text: string): { falseNegative: number; falsePositive: number } {
  const parts = text.split(",").map((p) => p.trim());
  const [fn, fp] = parts.map(Number);
  if (
    parts.length !== 2 || parts.some((p) => p === "") || !(fn! >= 0 && fp! >= 0) ||
    !Number.isFinite(fn) || !Number.isFinite(fp) || fn! + fp! === 0
  ) {
    throw new UsageError(
      `--costs must be two numbers FN,FP ≥ 0, not both 0 (e.g. 5,1), got ${JSON.stringify(text)}`,
    );
  }
  return { falseNegative: fn!, falsePositive: fp! };
}
