/**
 * The Task 1 data benchmark: ingest + EDA of generated card transactions (CSV and Parquet) on Frontier
 * (embedded and process mode, 2 executors), DuckDB (2 threads) and Spark `local[2]`, in one run, each
 * engine in its own measured child process; results cross-checked between engines.
 *
 * ```sh
 * deno run -A scripts/bench/data/bench.ts [--rows 10000000] [--seed 7] [--quick] [--skip-spark]
 *                                        [--engines frontier-embedded,duckdb] [--inputs csv,parquet]
 *                                        [--regenerate] [--out out/bench/data.json]
 * ```
 *
 * 1. Data: `frontier generate` writes the rows as Parquet (generation time and rows/s reported), plus
 *    the same rows as one quoted CSV (`data_prepare.ts`); reused while their manifest matches.
 * 2. CSV ingest throughput of Frontier on the first 1M rows (target ≥ 150 MB/s per core).
 * 3. Ingest + EDA per engine and input (`data_eda_spec.ts`); every result must agree with the first
 *    one (counts exactly, sums and means to 1e-9) and every engine's quantiles must be within 2 % of
 *    the exact ones (DuckDB computes them after its measured phase).
 * 4. Ratio tables and targets (Frontier ≤ 0.5× Spark's and ≤ 3× DuckDB's ingest + EDA wall time),
 *    written with every figure to `out/bench/data.json`.
 *
 * Exit code 1 when results disagree or a Frontier embedded / DuckDB run fails; a part that cannot run
 * here (Spark without Java) is reported as skipped.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Clock, systemClock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import type { DataInput, EngineEdaRun } from "./eda_spec.ts";
import { runDuckdbEdaExternal } from "./duckdb.ts";
import { CSV_TARGET_MB_PER_CORE, type CsvThroughput, runCsvThroughputExternal } from "./csv_throughput.ts";
import { frontierEdaArgs, runFrontierEdaExternal } from "./frontier.ts";
import { type BenchData, prepareBenchData } from "./prepare.ts";
import { crossCheck, dataTargets, formatPhases } from "./report.ts";
import { describeError, machineInfo, printVerdicts, type TargetCheck, verdict } from "../harness.ts";
import { runSparkEdaExternal, sparkEdaArgs } from "./spark.ts";
import { type BenchFigure, printRatios, writeBenchReport } from "../report.ts";

/** Engines of the data benchmark, in run order. */
export const DATA_ENGINES = ["frontier-embedded", "frontier-process", "duckdb", "spark"] as const;
/** One engine. */
export type DataEngine = (typeof DATA_ENGINES)[number];

/** Settings of one run. */
export interface DataBenchSettings {
  rows: number;
  seed: number;
  /** Where the generated files live. */
  dataDir: string;
  /** The JSON report. */
  out: string;
  engines: DataEngine[];
  inputs: DataInput[];
  /** Rows of the CSV throughput file; 0 skips the throughput part. */
  throughputRows: number;
  throughputRepeat: number;
  regenerate: boolean;
}

/** Everything one run measured. */
export interface DataBenchOutcome {
  data: BenchData;
  throughput?: CsvThroughput & { peakRssMb: number };
  runs: EngineEdaRun[];
  /** Cross-check problems, `engine/input: difference`. Non-empty means the suite failed. */
  mismatches: string[];
  targets: TargetCheck[];
  skipped: Record<string, string>;
  failures: string[];
  figures: BenchFigure[];
}

/** Help of the command line. */
export const DATA_BENCH_HELP = `deno run -A scripts/bench/data/bench.ts [options]
  --rows N            generated transactions (default 10000000; --quick: 200000)
  --seed S            generator seed (default 7)
  --quick             smoke run: 200000 rows, throughput on 200000 rows, 1 repetition
  --engines LIST      comma-separated of ${DATA_ENGINES.join(", ")} (default: all)
  --skip-spark        same as leaving spark out of --engines
  --inputs LIST       csv,parquet (default both)
  --throughput-rows N rows of the CSV throughput file (default 1000000; 0 skips it)
  --regenerate        regenerate the data even when out/bench/data holds it
  --data-dir DIR      where the data is written (default out/bench/data)
  --out PATH          JSON report (default out/bench/data.json)`;

/** Parses the command line; `undefined` when help was asked for. */
export function parseDataBenchArgs(args: readonly string[]): DataBenchSettings | undefined {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: "string" },
      seed: { type: "string", default: "7" },
      quick: { type: "boolean", default: false },
      engines: { type: "string", default: DATA_ENGINES.join(",") },
      "skip-spark": { type: "boolean", default: false },
      inputs: { type: "string", default: "csv,parquet" },
      "throughput-rows": { type: "string" },
      regenerate: { type: "boolean", default: false },
      "data-dir": { type: "string", default: "out/bench/data" },
      out: { type: "string", default: "out/bench/data.json" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  const int = (text: string | undefined, fallback: number, name: string, min: number) => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new RangeError(`--${name} must be an integer >= ${min}, got ${text}`);
    }
    return n;
  };
  const list = <T extends string>(text: string, allowed: readonly T[], name: string): T[] => {
    const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
    for (const s of items) {
      if (!(allowed as readonly string[]).includes(s)) {
        throw new TypeError(`--${name}: unknown "${s}", expected some of ${allowed.join(", ")}`);
      }
    }
    return allowed.filter((a) => items.includes(a));
  };
  const quick = values.quick;
  const rows = int(values.rows, quick ? 200_000 : 10_000_000, "rows", 1);
  let engines = list(values.engines, DATA_ENGINES, "engines");
  if (values["skip-spark"]) engines = engines.filter((e) => e !== "spark");
  return {
    rows,
    seed: int(values.seed, 7, "seed", 0),
    dataDir: values["data-dir"],
    out: values.out,
    engines,
    inputs: list(values.inputs, ["csv", "parquet"] as const, "inputs"),
    throughputRows: Math.min(
      rows,
      int(values["throughput-rows"], quick ? 200_000 : 1_000_000, "throughput-rows", 0),
    ),
    throughputRepeat: quick ? 1 : 3,
    regenerate: values.regenerate,
  };
}

const f0 = (ms: number) => ms.toFixed(0);

/** Runs one engine on one input in its child process. */
async function runEngine(
  engine: DataEngine,
  input: DataInput,
  path: string,
  signal: AbortSignal | undefined,
): Promise<EngineEdaRun | { skipped: string }> {
  const s = signal === undefined ? {} : { signal };
  switch (engine) {
    case "frontier-embedded":
      return await runFrontierEdaExternal(path, { input, mode: "embedded", executors: 2, ...s });
    case "frontier-process":
      return await runFrontierEdaExternal(path, { input, mode: "process", executors: 2, ...s });
    case "duckdb":
      return await runDuckdbEdaExternal(path, { input, threads: 2, ...s });
    case "spark":
      return await runSparkEdaExternal(path, { input, threads: 2, ...s });
    default:
      return engine satisfies never;
  }
}

/** Runs every part, prints the tables, writes the report. */
export async function runDataBench(
  settings: DataBenchSettings,
  options: {
    log?: (line: string) => void;
    signal?: AbortSignal;
    clock?: Clock;
    /** The command line to stamp on the report. @default {this script with `Deno.args`} */
    command?: string;
  } = {},
): Promise<DataBenchOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  const startedAt = new Date(clock.now()).toISOString();
  const skipped: Record<string, string> = {};
  const failures: string[] = [];
  const figures: BenchFigure[] = [];
  const skip = (what: string, reason: string) => {
    skipped[what] = reason;
    log(`  ${what}: skipped: ${reason}`);
  };

  log(`== Data: ${settings.rows} generated transactions, seed ${settings.seed} ==`);
  const data = await prepareBenchData({
    rows: settings.rows,
    seed: settings.seed,
    dir: settings.dataDir,
    headRows: Math.max(1, settings.throughputRows),
    regenerate: settings.regenerate,
    log,
    ...(signal === undefined ? {} : { signal }),
  });
  const g = data.generation;
  log(
    `  generate + write Parquet: ${f0(g.generateMs)} ms = ${f0(g.rowsPerSec)} rows/s (peak RSS ${
      g.peakRssMb.toFixed(0)
    } MiB; checksum pass ${f0(g.checksumMs)} ms; CSV copy ${f0(g.csvMs)} ms)${
      data.reused ? ` — figures of the generation at ${g.generatedAt}, data reused` : ""
    }`,
  );
  log(
    `  Parquet ${data.parquetFiles} files ${(data.parquetBytes / 1e6).toFixed(1)} MB; CSV ${
      (data.csvBytes / 1e6).toFixed(1)
    } MB; checksum ${data.checksum}`,
  );
  figures.push({
    suite: "data_generate",
    engine: "frontier-embedded",
    wallMs: g.generateMs,
    peakRssMb: g.peakRssMb,
    extra: { rows: data.rows, rowsPerSec: g.rowsPerSec, checksumMs: g.checksumMs, reused: data.reused },
  });

  let throughput: (CsvThroughput & { peakRssMb: number }) | undefined;
  if (settings.throughputRows > 0) {
    log(`\n== CSV ingest throughput: fx.read.csv of ${data.headRows} rows, quoting and validation on ==`);
    try {
      throughput = await runCsvThroughputExternal(data.headPath, {
        executors: 2,
        repeat: settings.throughputRepeat,
        ...(signal === undefined ? {} : { signal }),
      });
      const t = throughput;
      log(
        `  ${(t.bytes / 1e6).toFixed(1)} MB in ${f0(t.wallMs)} ms wall (runs ${
          t.runsMs.map(f0).join(", ")
        }), ${f0(t.cpuMs)} ms CPU of the process`,
      );
      log(`  per core, by CPU time:        ${t.mbPerSecPerCoreCpu.toFixed(1)} MB/s`);
      log(`  per core, by wall × ${t.cores} cores: ${t.mbPerSecPerCoreWall.toFixed(1)} MB/s`);
      log(`  one thread, no cluster:       ${t.kernelMbPerSec.toFixed(1)} MB/s (readCsvBytes)`);
      log(
        `  target ≥ ${CSV_TARGET_MB_PER_CORE} MB/s per core (CPU-time basis): ${
          verdict(t.mbPerSecPerCoreCpu >= CSV_TARGET_MB_PER_CORE)
        }`,
      );
      figures.push({
        suite: "csv_throughput",
        engine: "frontier-embedded",
        wallMs: t.wallMs,
        peakRssMb: t.peakRssMb,
        extra: { ...t, runsMs: t.runsMs },
      });
    } catch (e) {
      failures.push(`CSV throughput: ${describeError(e)}`);
      skip("csv_throughput", describeError(e));
    }
  }

  const runs: EngineEdaRun[] = [];
  for (const input of settings.inputs) {
    const path = input === "csv" ? data.csvPath : data.parquetDir;
    log(`\n== Ingest + EDA from ${input}, ${data.rows} rows (each engine in its own measured process) ==`);
    for (const engine of settings.engines) {
      try {
        const run = await runEngine(engine, input, path, signal);
        if ("skipped" in run) {
          skip(`${engine}/${input}`, run.skipped);
          continue;
        }
        runs.push(run);
        log(
          `  ${engine.padEnd(17)} ingest ${f0(run.ingestMs).padStart(7)} ms  EDA ${
            f0(run.edaMs).padStart(7)
          } ms  total ${f0(run.wallMs).padStart(7)} ms  peak RSS ${
            run.peakRssMb.toFixed(0).padStart(5)
          } MiB  ` +
            `(startup ${
              f0(run.startupMs)
            } ms, rows ${run.result.rowsValid}, quarantined ${run.result.rowsQuarantined})`,
        );
      } catch (e) {
        if (engine === "frontier-embedded" || engine === "duckdb") {
          failures.push(`${engine}/${input}: ${describeError(e)}`);
        }
        skip(`${engine}/${input}`, describeError(e));
      }
    }
  }

  const mismatches = crossCheck(runs);
  log(`\n== Cross-check (${runs.length} runs) ==`);
  if (mismatches.length === 0) {
    const exact = runs.some((r) => r.exactQuantiles !== undefined);
    log(
      `  all results agree (counts exact, sums/means/std/min/max to 1e-9, quantiles within 2% of ${
        exact ? "the exact ones" : "the first run's"
      })`,
    );
  } else {
    log(`  RESULTS DISAGREE (${mismatches.length}):`);
    for (const m of mismatches.slice(0, 40)) log(`    ${m}`);
    failures.push(`${mismatches.length} cross-check differences`);
  }

  for (const r of runs) {
    figures.push({
      suite: `data_${r.input}`,
      engine: r.engine,
      wallMs: r.wallMs,
      peakRssMb: r.peakRssMb,
      extra: {
        ingestMs: r.ingestMs,
        edaMs: r.edaMs,
        startupMs: r.startupMs,
        processMs: r.processMs,
        queriesMs: r.queriesMs,
        config: r.config,
      },
    });
  }
  const targets = dataTargets(runs);
  if (runs.length > 0) {
    log("\n== Ingest + EDA phases ==");
    log(formatPhases(runs));
    log("\n== Ratios (ingest + EDA wall time and peak RSS; baseline frontier-embedded) ==");
    printRatios(figures.filter((f) => f.suite.startsWith("data_") && f.suite !== "data_generate"), {
      baseline: "frontier-embedded",
      log,
    });
  }
  if (throughput !== undefined) {
    targets.push({
      target: `CSV ingest ≥ ${CSV_TARGET_MB_PER_CORE} MB/s per core (CPU time)`,
      met: throughput.mbPerSecPerCoreCpu >= CSV_TARGET_MB_PER_CORE,
      detail: `${throughput.mbPerSecPerCoreCpu.toFixed(1)} MB/s (wall × cores: ${
        throughput.mbPerSecPerCoreWall.toFixed(1)
      }; one thread: ${throughput.kernelMbPerSec.toFixed(1)})`,
    });
  }
  printVerdicts({ targets, skipped, failures }, log);

  await writeBenchReport(settings.out, figures, {
    meta: {
      startedAt,
      finishedAt: new Date(clock.now()).toISOString(),
      settings: { ...settings },
      machine: await machineInfo(),
      data: { ...data, generation: { ...data.generation } } as unknown as Json,
      commands: {
        dataBench: options.command ?? `deno run -A scripts/bench/data/bench.ts ${Deno.args.join(" ")}`.trim(),
        generate: g.command,
        frontierEmbeddedCsv: `deno ${
          frontierEdaArgs(data.csvPath, { input: "csv", mode: "embedded" }).join(" ")
        }`,
        frontierProcessParquet: `deno ${
          frontierEdaArgs(data.parquetDir, { input: "parquet", mode: "process" }).join(" ")
        }`,
        duckdb:
          `deno run -A scripts/bench/data/duckdb.ts --input csv --path ${data.csvPath} --threads 2 --json`,
        spark: `out/venv-spark/bin/python ${sparkEdaArgs(data.csvPath, { input: "csv" }).join(" ")}`,
      },
      throughput: throughput === undefined ? null : { ...throughput, runsMs: throughput.runsMs },
      results: runs.map((r) => ({ engine: r.engine, input: r.input, result: r.result as unknown as Json })),
      exactQuantiles: (runs.find((r) => r.exactQuantiles)?.exactQuantiles ?? null) as unknown as Json,
      mismatches,
      targets: targets.map((t) => ({ target: t.target, met: t.met ?? null, detail: t.detail })),
      skipped,
      failures,
    },
  });
  log(`\nwrote ${settings.out}`);
  return {
    data,
    ...(throughput === undefined ? {} : { throughput }),
    runs,
    mismatches,
    targets,
    skipped,
    failures,
    figures,
  };
}

/** Help of the flags `deno task bench` (scripts/bench/main.ts) takes for this suite. */
export const DATA_SUITE_FLAGS_HELP =
  `  --data            run the Task 1 data benchmark after the runtime parts (default; see
                    scripts/bench/data/bench.ts --help; it takes --quick, --skip-spark, --rows)
  --skip-data       do not run it`;

/**
 * Splits `deno task bench`'s arguments: `runtime` for its own parser (without `--data`/`--skip-data`),
 * `data` for {@linkcode dataBenchMain} (`--quick`, `--skip-spark` and `--rows N` carried over), or
 * `undefined` when `--skip-data` is given.
 */
export function splitBenchArgs(args: readonly string[]): { runtime: string[]; data: string[] | undefined } {
  const runtime = args.filter((a) => a !== "--data" && a !== "--skip-data");
  if (args.includes("--skip-data")) return { runtime, data: undefined };
  const data: string[] = [];
  for (let i = 0; i < runtime.length; i++) {
    const a = runtime[i]!;
    if (a === "--quick" || a === "--skip-spark") data.push(a);
    else if (a === "--rows" && runtime[i + 1] !== undefined) data.push(a, runtime[++i]!);
    else if (a.startsWith("--rows=")) data.push(a);
  }
  return { runtime, data };
}

/** Runs the command line; resolves to the exit code. */
export async function dataBenchMain(args: readonly string[]): Promise<number> {
  const settings = parseDataBenchArgs(args);
  if (settings === undefined) {
    console.log(DATA_BENCH_HELP);
    return 0;
  }
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const outcome = await runDataBench(settings, {
      signal: controller.signal,
      command: `deno run -A scripts/bench/data/bench.ts ${args.join(" ")}`.trim(),
    });
    return outcome.failures.length === 0 ? 0 : 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) Deno.exit(await dataBenchMain(Deno.args));
