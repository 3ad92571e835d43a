/**
 * The Task 1 data benchmark (see `data_eda_spec.ts`) on Frontier, embedded (Web Worker executors) or
 * in process mode (executor processes over WebSockets on 127.0.0.1).
 *
 * In process: {@linkcode runFrontierEda}. As a measured child process (peak RSS of the driver and
 * every executor): {@linkcode runFrontierEdaExternal}, which spawns this file:
 *
 * ```sh
 * deno run -A scripts/bench/data/frontier.ts --input csv --path out/bench/data/tx-10000000-s7/tx.csv \
 *   --mode embedded --executors 2 --json
 * ```
 *
 * Ingest: CSV through `fx.read.csv` with the transaction schema (types, not-null, enums; malformed rows
 * to quarantine; the parsed partitions stay cached on the executors); Parquet through
 * `fx.read.parquet(...).cache()` and a count. EDA: one aggregation for the summary statistics, then
 * one `segmentStats` group-by per dimension (`models/stat/segment_rates.ts`, as `frontier eda` runs them).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Clock, systemClock } from "../../../actors/clock.ts";
import {
  type AggColumn,
  approxQuantile,
  avg,
  col,
  type Column,
  count,
  dayOfWeek,
  hour,
  max,
  min,
  stddev,
} from "../../../cluster/expr/column.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { segmentStats } from "../../../models/stat/segment_rates.ts";
import {
  DATA_DIMENSIONS,
  DATA_NUMERIC_COLUMNS,
  DATA_QUANTILES,
  type DataDimension,
  type DataInput,
  type EdaResult,
  type EdaTimings,
  type EngineEdaRun,
  type NumericSummary,
  runEdaChild,
  type SegmentRow,
  sortSegments,
  transactionCsvSchema,
} from "./eda_spec.ts";
import { denoChildArgs, positiveFlag } from "../harness.ts";

/**
 * Default CSV bytes per partition. Measured on the 10M-row file (2 GB, embedded, 2 executors): 31
 * partitions of 64 MiB took 47 s to ingest and 76 s for the EDA, 100 took 28 s + 32 s, 200 took
 * 23 s + 27 s — smaller batches keep the workers' heaps (and GC) small.
 */
export const CSV_PARTITION_BYTES = 10 * 1024 * 1024;

/** Partitions for a CSV file of `bytes`: one per {@linkcode CSV_PARTITION_BYTES}, at least `parallelism`. */
export function csvPartitions(bytes: number, parallelism: number): number {
  return Math.max(parallelism, Math.ceil(bytes / CSV_PARTITION_BYTES));
}

/** How the Frontier cluster runs. */
export type FrontierDataMode = "embedded" | "process";

/** Options of {@linkcode runFrontierEda}. */
export interface FrontierEdaOptions {
  input: DataInput;
  /** @default {"embedded"} */
  mode?: FrontierDataMode;
  /** @default {2} */
  executors?: number;
  /** Tasks per executor. @default {2} */
  slots?: number;
  /** CSV byte ranges read in parallel. @default {csvPartitions(file size, the cluster's parallelism)} */
  partitions?: number;
  clock?: Clock;
}

/** The segment key of each dimension over the transaction columns. */
function dimensionKey(d: DataDimension): Column {
  switch (d) {
    case "hour":
      return hour(col("event_time"));
    case "day_of_week":
      return dayOfWeek(col("event_time"));
    default:
      return col(d);
  }
}

/** The summary aggregation of the numeric columns: one `agg` with every statistic. */
export function frontierSummaryAggregates(): AggColumn[] {
  const out: AggColumn[] = [count().alias("rows")];
  DATA_NUMERIC_COLUMNS.forEach((name, i) => {
    const x = col(name).cast("double");
    out.push(
      count(col(name)).alias(`c${i}_count`),
      avg(x).alias(`c${i}_mean`),
      stddev(x).alias(`c${i}_std`),
      min(x).alias(`c${i}_min`),
      max(x).alias(`c${i}_max`),
      ...DATA_QUANTILES.map((q, j) => approxQuantile(x, q).alias(`c${i}_q${j}`)),
    );
  });
  return out;
}

/** Runs the summary and the group-bys over an ingested dataset. */
export async function frontierEda(
  ds: Dataset,
  clock: Clock,
): Promise<
  {
    summary: NumericSummary[];
    breakdowns: Record<DataDimension, SegmentRow[]>;
    queriesMs: Record<string, number>;
  }
> {
  const queriesMs: Record<string, number> = {};
  let t = clock.monotonic();
  const [row] = await ds.agg(...frontierSummaryAggregates()).collect();
  queriesMs["summary"] = clock.monotonic() - t;
  if (row === undefined) throw new RangeError("Cannot summarize: the aggregation returned no row");
  const rows = Number(row["rows"]);
  const summary = DATA_NUMERIC_COLUMNS.map((column, i): NumericSummary => {
    const n = Number(row[`c${i}_count`]);
    return {
      column,
      count: n,
      nulls: rows - n,
      mean: Number(row[`c${i}_mean`]),
      std: Number(row[`c${i}_std`]),
      min: Number(row[`c${i}_min`]),
      max: Number(row[`c${i}_max`]),
      quantiles: DATA_QUANTILES.map((_, j) => Number(row[`c${i}_q${j}`])),
    };
  });
  const breakdowns = {} as Record<DataDimension, SegmentRow[]>;
  for (const d of DATA_DIMENSIONS) {
    t = clock.monotonic();
    const stats = await segmentStats(ds, {
      key: dimensionKey(d),
      label: col("is_fraud"),
      value: col("amount"),
    });
    queriesMs[d] = clock.monotonic() - t;
    breakdowns[d] = sortSegments(stats.map((s) => ({
      segment: s.segment,
      count: s.count,
      frauds: s.positives ?? 0,
      amountSum: s.sum ?? 0,
      amountMean: s.mean ?? 0,
    })));
  }
  return { summary, breakdowns, queriesMs };
}

function parentDir(path: string): string {
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const trimmed = abs.replace(/\/+$/, "");
  return trimmed.slice(0, Math.max(1, trimmed.lastIndexOf("/")));
}

/** Starts a cluster, ingests `path`, runs the EDA, stops the cluster. */
export async function runFrontierEda(path: string, options: FrontierEdaOptions): Promise<EdaTimings> {
  const clock = options.clock ?? systemClock;
  const mode = options.mode ?? "embedded";
  const executors = options.executors ?? 2;
  const slots = options.slots ?? 2;
  const t0 = clock.monotonic();
  await using fx = await Frontier.start({
    mode,
    executors,
    slots,
    ...(mode === "process" ? { readDirs: [parentDir(path)], writeDirs: [] } : {}),
  });
  const startupMs = clock.monotonic() - t0;
  const t1 = clock.monotonic();
  let ds: Dataset;
  let ingest: Pick<EdaResult, "rowsRead" | "rowsValid" | "rowsQuarantined">;
  let partitions: number;
  if (options.input === "csv") {
    const bytes = (await Deno.stat(path)).size;
    const read = await fx.read.csv(path, {
      schema: transactionCsvSchema(),
      separator: ",",
      header: true,
      partitions: options.partitions ?? csvPartitions(bytes, fx.defaultParallelism),
    });
    ds = read.data;
    partitions = read.summary.partitions;
    ingest = {
      rowsRead: read.summary.rows_read,
      rowsValid: read.summary.rows_valid,
      rowsQuarantined: read.summary.rows_quarantined,
    };
  } else {
    ds = (await fx.read.parquet(path)).cache();
    const n = await ds.count();
    partitions = await countFiles(path, ".parquet");
    ingest = { rowsRead: n, rowsValid: n, rowsQuarantined: 0 };
  }
  const ingestMs = clock.monotonic() - t1;
  const t2 = clock.monotonic();
  const eda = await frontierEda(ds, clock);
  const edaMs = clock.monotonic() - t2;
  return {
    result: { ...ingest, summary: eda.summary, breakdowns: eda.breakdowns },
    startupMs,
    ingestMs,
    edaMs,
    queriesMs: eda.queriesMs,
    config: { mode, executors, slots, partitions, deno: Deno.version.deno },
  };
}

async function countFiles(path: string, ext: string): Promise<number> {
  if ((await Deno.stat(path)).isFile) return 1;
  let n = 0;
  for await (const e of Deno.readDir(path)) if (e.isFile && e.name.endsWith(ext)) n++;
  return n;
}

/** Options of {@linkcode runFrontierEdaExternal}. */
export interface FrontierEdaExternalOptions extends Omit<FrontierEdaOptions, "clock"> {
  signal?: AbortSignal;
}

/** The argv (after the deno executable) that runs the EDA of `path` in a child. */
export function frontierEdaArgs(path: string, options: Omit<FrontierEdaExternalOptions, "signal">): string[] {
  const flags = [
    "--input",
    options.input,
    "--path",
    path,
    "--mode",
    options.mode ?? "embedded",
    "--executors",
    String(options.executors ?? 2),
    "--slots",
    String(options.slots ?? 2),
  ];
  if (options.partitions !== undefined) flags.push("--partitions", String(options.partitions));
  return denoChildArgs(new URL(import.meta.url), flags);
}

/** Runs the workload in a child `deno run` process (peak RSS: driver + executors). */
export async function runFrontierEdaExternal(
  path: string,
  options: FrontierEdaExternalOptions,
): Promise<EngineEdaRun> {
  return await runEdaChild(Deno.execPath(), frontierEdaArgs(path, options), {
    engine: `frontier-${options.mode ?? "embedded"}`,
    input: options.input,
    signal: options.signal,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      input: { type: "string", default: "csv" },
      path: { type: "string" },
      mode: { type: "string", default: "embedded" },
      executors: { type: "string" },
      slots: { type: "string" },
      partitions: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const { input, mode, path } = values;
  if (path === undefined) throw new TypeError("--path is required");
  if (input !== "csv" && input !== "parquet") {
    throw new TypeError(`--input must be csv or parquet, got ${input}`);
  }
  if (mode !== "embedded" && mode !== "process") {
    throw new TypeError(`--mode must be embedded or process, got ${mode}`);
  }
  const out = await runFrontierEda(path, {
    input,
    mode,
    executors: positiveFlag(values.executors, "executors", 2),
    slots: positiveFlag(values.slots, "slots", 2),
    ...(values.partitions === undefined
      ? {}
      : { partitions: positiveFlag(values.partitions, "partitions", 1) }),
  });
  console.log(values.json ? JSON.stringify(out) : out);
}

if (import.meta.main) await main();
