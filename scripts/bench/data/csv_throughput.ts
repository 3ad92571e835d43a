/**
 * CSV ingest throughput of Frontier: `fx.read.csv` of the transaction CSV (quoting on — every string
 * field is quoted — and validation on: types, not-null, enums, quarantine) on an embedded cluster of 2
 * executors, reported as MB/s per core (MB = 10^6 bytes) three ways:
 * - by CPU time: file bytes / CPU time of the whole process during the read (`process.cpuUsage()`,
 *   i.e. getrusage over every thread: driver, both executor workers, GC) — the target's figure;
 * - by wall time: file bytes / (wall time × cores used, min(executors, machine cores));
 * - one thread, no cluster: the same scan + parse + validate by `readCsvBytes` on the main thread.
 *
 * ```sh
 * deno run -A scripts/bench/data/csv_throughput.ts --path out/bench/data/tx-10000000-s7/tx-head-1000000.csv --json
 * ```
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { type Clock, systemClock } from "../../../actors/clock.ts";
import { TaskFailedError } from "../../../cluster/errors.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { readCsvBytes } from "../../../cluster/io/csv/parse.ts";
import { transactionCsvSchema } from "./eda_spec.ts";
import { csvPartitions } from "./frontier.ts";
import { numberField } from "../measure.ts";
import { denoChildArgs, positiveFlag, runJsonChild } from "../harness.ts";

/** CSV ingest throughput of Frontier on one file (see {@linkcode measureCsvThroughput}). */
export interface CsvThroughput {
  bytes: number;
  rows: number;
  rowsQuarantined: number;
  executors: number;
  /** Byte ranges the file was read in. */
  partitions: number;
  /** Cores the read could use: min(executors, machine cores) — one JS thread per executor. */
  cores: number;
  /** Wall time of each `fx.read.csv` run, milliseconds. */
  runsMs: number[];
  /** The fastest run: wall milliseconds and the process CPU milliseconds spent during it. */
  wallMs: number;
  cpuMs: number;
  /** bytes / CPU time of the whole process during the read (driver, executor threads, GC). */
  mbPerSecPerCoreCpu: number;
  /** bytes / (wall time × cores). */
  mbPerSecPerCoreWall: number;
  /** The same scan + parse + validate run on one thread with no cluster (`readCsvBytes`), fastest run. */
  kernelMs: number;
  kernelMbPerSec: number;
}

/** Target of the CSV ingest throughput, MB/s per core. */
export const CSV_TARGET_MB_PER_CORE = 150;

function cpuMicros(): number {
  // getrusage(RUSAGE_SELF): every thread of the process, Web Worker executors included.
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * Reads `path` with `fx.read.csv` (transaction schema, quoting and validation on) `repeat` times on an
 * embedded cluster, then once more in-process on one thread, and reports MB/s per core (MB = 10^6 bytes).
 */
export async function measureCsvThroughput(
  path: string,
  options: { executors?: number; repeat?: number; partitions?: number; clock?: Clock } = {},
): Promise<CsvThroughput> {
  const clock = options.clock ?? systemClock;
  const executors = options.executors ?? 2;
  const repeat = options.repeat ?? 3;
  const bytes = (await Deno.stat(path)).size;
  const schema = transactionCsvSchema();
  const runsMs: number[] = [];
  let best = { wallMs: Infinity, cpuMs: 0 };
  let rows = 0, rowsQuarantined = 0, partitions = 0;
  {
    await using fx = await Frontier.start({ executors, slots: 2 });
    partitions = options.partitions ?? csvPartitions(bytes, fx.defaultParallelism);
    for (let i = 0; i < repeat; i++) {
      const c0 = cpuMicros();
      const t0 = clock.monotonic();
      const read = await fx.read.csv(path, { schema, separator: ",", header: true, partitions });
      const wallMs = clock.monotonic() - t0;
      const cpuMs = (cpuMicros() - c0) / 1000;
      runsMs.push(wallMs);
      if (wallMs < best.wallMs) best = { wallMs, cpuMs };
      rows = read.summary.rows_valid;
      rowsQuarantined = read.summary.rows_quarantined;
      await read.data.unpersist();
    }
  }
  const data = await Deno.readFile(path);
  let kernelMs = Infinity;
  for (let i = 0; i < Math.max(1, Math.min(repeat, 2)); i++) {
    const t0 = clock.monotonic();
    const r = readCsvBytes(data, { schema, separator: ",", header: true });
    kernelMs = Math.min(kernelMs, clock.monotonic() - t0);
    if (r.rowsValid !== rows) {
      throw new TaskFailedError(`In-process CSV read found ${r.rowsValid} valid rows, the cluster ${rows}`, {
        data: { path },
      });
    }
  }
  const cores = Math.min(executors, navigator.hardwareConcurrency);
  const mb = bytes / 1e6;
  return {
    bytes,
    rows,
    rowsQuarantined,
    executors,
    partitions,
    cores,
    runsMs,
    wallMs: best.wallMs,
    cpuMs: best.cpuMs,
    mbPerSecPerCoreCpu: mb / (best.cpuMs / 1000),
    mbPerSecPerCoreWall: mb / (best.wallMs / 1000) / cores,
    kernelMs,
    kernelMbPerSec: mb / (kernelMs / 1000),
  };
}

/** {@linkcode measureCsvThroughput} in a child process; adds the child's peak RSS. */
export async function runCsvThroughputExternal(
  path: string,
  options: { executors?: number; repeat?: number; signal?: AbortSignal } = {},
): Promise<CsvThroughput & { peakRssMb: number }> {
  const args = denoChildArgs(new URL(import.meta.url), [
    "--path",
    path,
    "--executors",
    String(options.executors ?? 2),
    "--repeat",
    String(options.repeat ?? 3),
  ]);
  const { run, line } = await runJsonChild(Deno.execPath(), args, {
    what: "CSV throughput child",
    signal: options.signal,
  });
  const get = (k: keyof CsvThroughput) => numberField(line, k);
  const runs = line["runsMs"];
  return {
    bytes: get("bytes"),
    rows: get("rows"),
    rowsQuarantined: get("rowsQuarantined"),
    executors: get("executors"),
    partitions: get("partitions"),
    cores: get("cores"),
    runsMs: Array.isArray(runs) ? runs.map(Number) : [],
    wallMs: get("wallMs"),
    cpuMs: get("cpuMs"),
    mbPerSecPerCoreCpu: get("mbPerSecPerCoreCpu"),
    mbPerSecPerCoreWall: get("mbPerSecPerCoreWall"),
    kernelMs: get("kernelMs"),
    kernelMbPerSec: get("kernelMbPerSec"),
    peakRssMb: run.peakRssMb,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      path: { type: "string" },
      executors: { type: "string" },
      repeat: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (values.path === undefined) throw new TypeError("--path is required");
  const out = await measureCsvThroughput(values.path, {
    executors: positiveFlag(values.executors, "executors", 2),
    repeat: positiveFlag(values.repeat, "repeat", 3),
  });
  console.log(values.json ? JSON.stringify(out) : out);
}

if (import.meta.main) await main();
