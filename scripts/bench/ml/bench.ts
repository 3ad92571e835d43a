/**
 * The ML benchmark (issue 8 §5): Frontier's logistic regression, random forest and boosted trees
 * side by side with scikit-learn, LightGBM and Spark MLlib, in one run.
 *
 * ```sh
 * deno run -A scripts/bench/ml/bench.ts [--quick] [--skip-spark] [--skip-python] [--skip-cv]
 *        [--parts quality,speed,cv,scale] [--resamples 1000] [--speed-rows 1000000]
 *        [--scale-rows 10000000] [--venv out/venv-ml] [--dir out/bench/ml] [--out out/bench/ml.json]
 * ```
 *
 * 1. Quality (`quality_part.ts`): bank-full and bank-additional-full without `duration`, random
 *    stratified 80/20 over 5 seeds and out-of-time 80/20 (forests there over 5 model seeds), the split
 *    written with the data; ROC-AUC and PR-AUC with paired bootstrap intervals computed here from
 *    every engine's test scores; targets
 *    GBT ≥ LightGBM − 0.005, RF ≥ best peer forest − 0.005, LR within 0.002 of scikit-learn, best
 *    Frontier model ≥ best peer − 0.005.
 * 2. Speed (`speed_part.ts`): 1M generated rows × 20 features, 100 trees / 63 leaves, 2 executors vs 2
 *    threads, each engine in its own measured process; Frontier ≤ 2× the peer's training time.
 * 3. Cross-validation (`cv_part.ts`, issue 9 §4; alone: `cv_bench.ts`): the same grid, folds and
 *    data for Frontier `CrossValidator(parallelism=2)`, Spark `CrossValidator(parallelism=2)` and
 *    scikit-learn `GridSearchCV(n_jobs=2)` with LightGBM; Frontier ≤ 0.3× Spark's wall time, best
 *    ROC-AUC ≥ each peer's − 0.005 (not under `--quick`, nor with `--skip-cv`).
 * 4. Scale (`scale_part.ts`): boosted trees on 10M generated transactions, time and peak RSS
 *    (not under `--quick`).
 *
 * The peers run in a throwaway venv with pinned versions (`scripts/setup/ml_peers.sh`); without
 * Python (or Java, for Spark) they are skipped with the reason. Exit code 1 only when a Frontier part
 * fails to run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import { machineInfo, positiveFlag, printVerdicts, readLoadAvg, type TargetCheck } from "../harness.ts";
import { type BenchFigure, writeBenchReport } from "../report.ts";
import { DEFAULT_SPLIT_SEEDS } from "./bank_data.ts";
import { MODEL_KINDS, type ModelKind } from "./engine_result.ts";
import type { PartContext } from "./part_context.ts";
import { DEFAULT_ML_VENV, javaMissing, setupMlPeers } from "./peers.ts";
import { type CvOutcome, runCvPart } from "./cv_part.ts";
import { type QualityOutcome, runQualityPart } from "./quality_part.ts";
import { qualityFiguresJson } from "./quality_report.ts";
import { runScalePart, type ScaleOutcome } from "./scale_part.ts";
import { runSpeedPart, type SpeedOutcome } from "./speed_part.ts";
import { speedBenchFigures } from "./speed_report.ts";

/** The parts, in run order. */
export const ML_PARTS = ["quality", "speed", "cv", "scale"] as const;
/** One part. */
export type MlPart = (typeof ML_PARTS)[number];

/** Settings of one run. */
export interface MlBenchSettings {
  quick: boolean;
  parts: MlPart[];
  skipSpark: boolean;
  skipPython: boolean;
  seeds: number[];
  resamples: number;
  speedRows: number;
  speedTestRows: number;
  /** Model families the speed part times. */
  speedModels: ModelKind[];
  scaleRows: number;
  threads: number;
  venv: string;
  dir: string;
  out: string;
  regenerate: boolean;
}

/** Help of the command line. */
export const ML_BENCH_HELP = `deno run -A scripts/bench/ml/bench.ts [options]
  --quick             smoke run: 1 random seed, 2 out-of-time model seeds, 200 resamples, 30-tree forests,
                      100000 speed rows, no scale
  --skip-spark        leave Spark MLlib out
  --skip-python       leave every Python peer out (scikit-learn, LightGBM, Spark)
  --skip-cv           leave the cross-validation part out
  --parts LIST        comma-separated of ${ML_PARTS.join(", ")} (default: all; --quick: quality,speed)
  --resamples N       bootstrap replicates per test set (default 1000)
  --speed-rows N      training rows of the speed data (default 1000000)
  --speed-models LIST comma-separated of gbt, rf, lr: the families the speed part times (default: all)
  --scale-rows N      transactions of the scale part (default 10000000)
  --venv DIR          the peers' venv (default out/venv-ml; made by scripts/setup/ml_peers.sh)
  --dir DIR           working directory (default out/bench/ml)
  --regenerate        rewrite the speed data even when it is there
  --out PATH          JSON report (default out/bench/ml.json)`;

/** Parses the command line; `undefined` when help was asked for. */
export function parseMlBenchArgs(args: readonly string[]): MlBenchSettings | undefined {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      "skip-spark": { type: "boolean", default: false },
      "skip-python": { type: "boolean", default: false },
      "skip-cv": { type: "boolean", default: false },
      parts: { type: "string" },
      resamples: { type: "string" },
      "speed-rows": { type: "string" },
      "speed-models": { type: "string", default: "gbt,rf,lr" },
      "scale-rows": { type: "string" },
      venv: { type: "string", default: DEFAULT_ML_VENV },
      dir: { type: "string", default: "out/bench/ml" },
      out: { type: "string", default: "out/bench/ml.json" },
      regenerate: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick;
  const parts = (values.parts ?? (quick ? "quality,speed" : ML_PARTS.join(","))).split(",").map((p) =>
    p.trim()
  );
  for (const p of parts) {
    if (!(ML_PARTS as readonly string[]).includes(p)) {
      throw new TypeError(`--parts: unknown "${p}", expected some of ${ML_PARTS.join(", ")}`);
    }
  }
  const speedModels = values["speed-models"].split(",").map((m) => m.trim());
  for (const m of speedModels) {
    if (!(MODEL_KINDS as readonly string[]).includes(m)) {
      throw new TypeError(`--speed-models: unknown "${m}", expected some of ${MODEL_KINDS.join(", ")}`);
    }
  }
  const speedRows = positiveFlag(values["speed-rows"], "speed-rows", quick ? 100_000 : 1_000_000);
  return {
    quick,
    parts: ML_PARTS.filter((p) => parts.includes(p) && !(p === "cv" && values["skip-cv"])),
    skipSpark: values["skip-spark"],
    skipPython: values["skip-python"],
    seeds: quick ? DEFAULT_SPLIT_SEEDS.slice(0, 1) : [...DEFAULT_SPLIT_SEEDS],
    resamples: positiveFlag(values.resamples, "resamples", quick ? 200 : 1000),
    speedRows,
    speedTestRows: Math.max(1000, Math.round(speedRows / 5)),
    speedModels: (["gbt", "rf", "lr"] as const).filter((m) => speedModels.includes(m)),
    scaleRows: positiveFlag(values["scale-rows"], "scale-rows", 10_000_000),
    threads: 2,
    venv: values.venv,
    dir: values.dir,
    out: values.out,
    regenerate: values.regenerate,
  };
}

/** Runs the parts, prints the tables and verdicts, writes the JSON report; resolves to the exit code. */
export async function runMlBench(
  settings: MlBenchSettings,
  options: { log?: (line: string) => void; signal?: AbortSignal; command?: string } = {},
): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = systemClock;
  const startedAt = new Date(clock.now()).toISOString();
  const loadAvgAtStart = await readLoadAvg();
  const skipped: Record<string, string> = {};
  const ctx: PartContext = {
    dir: settings.dir,
    quick: settings.quick,
    seeds: settings.seeds,
    resamples: settings.resamples,
    threads: settings.threads,
    log,
    skip: (what, reason) => {
      skipped[what] = reason;
      log(`  ${what}: skipped: ${reason}`);
    },
    failures: [],
    signal: options.signal,
  };
  await Deno.mkdir(settings.dir, { recursive: true });
  if (settings.skipPython) ctx.pythonMissing = "--skip-python given";
  else {
    const setup = await setupMlPeers({
      venvDir: settings.venv,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if ("skipped" in setup) ctx.pythonMissing = setup.skipped;
    else ctx.python = setup.python;
  }
  ctx.sparkMissing = settings.skipSpark ? "--skip-spark given" : await javaMissing();

  let quality: QualityOutcome | undefined;
  let speed: SpeedOutcome | undefined;
  let scale: ScaleOutcome | undefined;
  let cv: CvOutcome | undefined;
  if (settings.parts.includes("quality")) quality = await runQualityPart(ctx);
  if (settings.parts.includes("speed")) {
    speed = await runSpeedPart(ctx, {
      rows: settings.speedRows,
      testRows: settings.speedTestRows,
      seed: 7,
      regenerate: settings.regenerate,
      models: settings.speedModels,
    });
  }
  if (settings.parts.includes("cv")) cv = await runCvPart(ctx);
  if (settings.parts.includes("scale")) scale = await runScalePart(ctx, { rows: settings.scaleRows });

  const targets: TargetCheck[] = [
    ...(quality?.report.targets ?? []),
    ...(speed?.report.targets ?? []),
    ...(cv?.report.targets ?? []),
  ];
  printVerdicts({ targets, skipped, failures: ctx.failures }, log);
  const figures: BenchFigure[] = [
    ...(speed ? speedBenchFigures(speed.report.figures) : []),
    ...(cv ? cvBenchFigures(cv) : []),
    ...(scale?.figure ? [scale.figure] : []),
  ];
  await writeBenchReport(settings.out, figures, {
    meta: {
      startedAt,
      finishedAt: new Date(clock.now()).toISOString(),
      command: options.command ?? `deno run -A scripts/bench/ml/bench.ts ${Deno.args.join(" ")}`.trim(),
      settings: { ...settings },
      machine: { ...await machineInfo(), loadAvgAtStart: loadAvgAtStart ?? null },
      quality: quality === undefined ? null : {
        datasets: quality.manifests.map((m) => ({
          ...m,
          splits: m.splits.map((s) => ({ ...s, counts: { ...s.counts } })),
        })),
        engineSettings: quality.settings,
        figures: qualityFiguresJson(quality.report.figures),
        children: quality.children,
      },
      speed: speed === undefined ? null : {
        data: { ...speed.data },
        engineSettings: speed.settings,
        figures: speed.report.figures.map((f) => ({ ...f, extra: f.extra ?? {} })) as unknown as Json,
        children: speed.children,
      },
      cv: cv === undefined ? null : cv.json,
      scale: scale === undefined ? null : scale.json,
      targets: targets.map((t) => ({ target: t.target, met: t.met ?? null, detail: t.detail })),
      skipped,
      failures: ctx.failures,
    },
  });
  log(`\nwrote ${settings.out}`);
  return ctx.failures.length === 0 ? 0 : 1;
}

/** The CV part's figures for the report: one per engine, its whole process's wall time. */
export function cvBenchFigures(cv: CvOutcome): BenchFigure[] {
  return cv.report.figures.map((f) => ({
    suite: "ml_cv_gbt",
    engine: f.engine,
    wallMs: f.processSeconds * 1000,
    peakRssMb: f.peakRssMb,
    extra: {
      searchSeconds: f.result.fitSeconds,
      bestRocAuc: f.result.best.mean,
      bestParams: f.result.best.params,
    },
  }));
}

/**
 * Splits `deno task bench`'s arguments: `rest` for the other suites (without `--ml`/`--skip-ml`),
 * `ml` for {@linkcode mlBenchMain} (`--quick` and `--skip-spark` carried over), or `undefined` when
 * `--skip-ml` is given.
 */
export function splitMlArgs(args: readonly string[]): { rest: string[]; ml: string[] | undefined } {
  const rest = args.filter((a) => a !== "--ml" && a !== "--skip-ml");
  if (args.includes("--skip-ml")) return { rest, ml: undefined };
  return { rest, ml: rest.filter((a) => a === "--quick" || a === "--skip-spark") };
}

/** Help of the flags `deno task bench` takes for this suite. */
export const ML_SUITE_FLAGS_HELP =
  `  --ml              run the ML benchmark last (default; see scripts/bench/ml/bench.ts --help;
                    it takes --quick and --skip-spark)
  --skip-ml         do not run it`;

/** Runs the command line; resolves to the exit code. */
export async function mlBenchMain(args: readonly string[]): Promise<number> {
  const settings = parseMlBenchArgs(args);
  if (settings === undefined) {
    console.log(ML_BENCH_HELP);
    return 0;
  }
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    return await runMlBench(settings, {
      signal: controller.signal,
      command: `deno run -A scripts/bench/ml/bench.ts ${args.join(" ")}`.trim(),
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) Deno.exit(await mlBenchMain(Deno.args));
