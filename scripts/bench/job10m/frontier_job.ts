/**
 * The shared benchmark job (see `job_10m.ts`) on Frontier: embedded (Web Worker executors) or process
 * mode (executor processes over WebSockets on 127.0.0.1).
 *
 * In process: {@linkcode runFrontierJob}. For a figure whose peak RSS covers the driver and every
 * executor process, run it in a child process with {@linkcode runFrontierExternal}, which spawns this
 * file:
 *
 * ```sh
 * deno run -A scripts/bench/job10m/frontier_job.ts --rows 10000000 --mode embedded --executors 2 --json
 * ```
 *
 * The fact rows are generated on the executors from `range()` with the job's formulas (the unused `cat`
 * column included, as in the other engines' queries); the 1,000-row dim is small enough to be broadcast.
 * `wallMs` covers the query (generation, filter, join, aggregate, collect); cluster startup is
 * `startupMs`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Clock, systemClock } from "../../../actors/clock.ts";
import { avg, col, count, sum } from "../../../cluster/expr/column.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import {
  decodeJobRows,
  type EngineRun,
  engineRunFromChild,
  JOB_10M_DEFAULT_ROWS,
  JOB_DIM_ROWS,
  JOB_VALUE_THRESHOLD,
  type JobRow,
  validateJobRows,
} from "./job_10m.ts";
import { denoChildArgs, runJsonChild } from "../harness.ts";

/** How the Frontier cluster runs: Web Workers in one process, or one process per executor. */
export type FrontierMode = "embedded" | "process";

/** Options of {@linkcode runFrontierJob}. */
export interface FrontierJobOptions {
  /** @default {"embedded"} */
  mode?: FrontierMode;
  /** Executors. @default {2} */
  executors?: number;
  /** Tasks per executor. @default {2} */
  slots?: number;
  /** Partitions of the fact range. @default {executors * slots} */
  partitions?: number;
  /** Query runs on the same cluster; `wallMs` is the fastest. @default {1} */
  repeat?: number;
  /** Clock for timings. @default {systemClock} */
  clock?: Clock;
}

/** A Frontier run measured from inside the process that ran it (no peak RSS). */
export interface FrontierJobResult {
  rows: JobRow[];
  /** Fastest query run, milliseconds. */
  wallMs: number;
  /** Every query run, milliseconds. */
  runsMs: number[];
  /** `Frontier.start` until executors joined, milliseconds. */
  startupMs: number;
  config: Record<string, string | number>;
}

/** The job as a Frontier dataset over `fx` with `rows` fact rows in `partitions` partitions. */
export function frontierJobDataset(
  fx: Frontier,
  rows: number,
  options: { partitions?: number } = {},
): Dataset {
  validateJobRows(rows);
  const fact = fx.range(0, rows, options.partitions === undefined ? {} : { partitions: options.partitions })
    .withColumn("key", col("id").times(7919).mod(1000))
    .withColumn("value", col("id").times(104729).mod(10007).div(100))
    .withColumn("cat", col("id").mod(7))
    .filter(col("value").gt(JOB_VALUE_THRESHOLD));
  const dim = fx.range(0, JOB_DIM_ROWS, { partitions: 1 })
    .withColumnRenamed("id", "key")
    .withColumn("region", col("key").mod(10))
    .withColumn("weight", col("key").mod(13).plus(1));
  return fact.join(dim, "key")
    .groupBy("region")
    .agg(
      count().alias("n"),
      sum(col("value").times(col("weight"))).alias("total"),
      avg("value").alias("mean"),
    )
    .sort("region");
}

/** Starts a cluster, runs the job `repeat` times, stops the cluster. */
export async function runFrontierJob(
  rows: number,
  options: FrontierJobOptions = {},
): Promise<FrontierJobResult> {
  validateJobRows(rows);
  const clock = options.clock ?? systemClock;
  const mode = options.mode ?? "embedded";
  const executors = options.executors ?? 2;
  const slots = options.slots ?? 2;
  const partitions = options.partitions ?? executors * slots;
  const repeat = options.repeat ?? 1;
  if (!Number.isSafeInteger(repeat) || repeat < 1) {
    throw new RangeError(`Cannot run the job ${repeat} times: expected a positive integer`);
  }
  const t0 = clock.monotonic();
  await using fx = await Frontier.start({ mode, executors, slots });
  const startupMs = clock.monotonic() - t0;
  const job = frontierJobDataset(fx, rows, { partitions });
  const runsMs: number[] = [];
  let result: JobRow[] = [];
  for (let i = 0; i < repeat; i++) {
    const t1 = clock.monotonic();
    const raw = await job.collect();
    runsMs.push(clock.monotonic() - t1);
    result = decodeJobRows(raw);
  }
  return {
    rows: result,
    wallMs: Math.min(...runsMs),
    runsMs,
    startupMs,
    config: { mode, executors, slots, partitions, deno: Deno.version.deno },
  };
}

/** Options of {@linkcode runFrontierExternal}. */
export interface FrontierExternalOptions extends Omit<FrontierJobOptions, "clock"> {
  /** Fact rows. @default {10_000_000} */
  rows?: number;
  /** Aborting kills the child process tree. */
  signal?: AbortSignal;
}

/** The argv (after the deno executable) that runs this file as a child. */
export function frontierJobArgs(options: Omit<FrontierExternalOptions, "signal"> = {}): string[] {
  const rows = validateJobRows(options.rows ?? JOB_10M_DEFAULT_ROWS);
  const flags = [
    "--rows",
    String(rows),
    "--mode",
    options.mode ?? "embedded",
    "--executors",
    String(options.executors ?? 2),
    "--slots",
    String(options.slots ?? 2),
    "--repeat",
    String(options.repeat ?? 1),
  ];
  if (options.partitions !== undefined) flags.push("--partitions", String(options.partitions));
  return denoChildArgs(new URL(import.meta.url), flags);
}

/**
 * Runs the job in a child `deno run` process, so the peak RSS measured is the whole Frontier process
 * tree (driver, its workers, and in process mode the executor processes). Throws a `TaskFailedError`
 * with the child's stderr if it fails.
 */
export async function runFrontierExternal(options: FrontierExternalOptions = {}): Promise<EngineRun> {
  const mode = options.mode ?? "embedded";
  const engine = `frontier-${mode}`;
  const child = await runJsonChild(Deno.execPath(), frontierJobArgs(options), {
    what: `Frontier (${mode}) benchmark`,
    data: { engine },
    signal: options.signal,
  });
  return engineRunFromChild(engine, child);
}

function parseMode(text: string): FrontierMode {
  if (text === "embedded" || text === "process") return text;
  throw new TypeError(`Cannot run Frontier in mode "${text}": expected "embedded" or "process"`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: String(JOB_10M_DEFAULT_ROWS) },
      mode: { type: "string", default: "embedded" },
      executors: { type: "string", default: "2" },
      slots: { type: "string", default: "2" },
      partitions: { type: "string" },
      repeat: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
    },
  });
  const result = await runFrontierJob(Number(values.rows), {
    mode: parseMode(values.mode),
    executors: Number(values.executors),
    slots: Number(values.slots),
    repeat: Number(values.repeat),
    ...(values.partitions === undefined ? {} : { partitions: Number(values.partitions) }),
  });
  if (values.json) {
    console.log(JSON.stringify({ engine: `frontier-${values.mode}`, ...result }));
  } else {
    console.table(result.rows);
    console.log(
      `frontier (${values.mode}): query ${result.wallMs.toFixed(1)} ms, startup ${
        result.startupMs.toFixed(1)
      } ms`,
    );
  }
}

if (import.meta.main) await main();
