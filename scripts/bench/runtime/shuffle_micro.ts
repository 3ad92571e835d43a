/**
 * Shuffle throughput between executor processes ({@linkcode measureShuffle}).
 *
 * The job: `range(rows)` → 4 double columns (`key = id % 1024`, `a`, `b`, `c`; 32 bytes a row) →
 * `repartition(2 × executors, "key")` → `count()`, on a process-mode cluster. How it is measured:
 *
 * - **Stage times**: `fx.status()` is polled every `pollMs`; the map stage ends when every partition of
 *   every non-final stage is done, the reduce stage ends when `count()` returns.
 * - **Shuffle bytes written**: the largest sum of the executors' `blockBytes` (heartbeats, every 500 ms)
 *   seen while the job runs — the Arrow IPC map outputs held for the reduce stage.
 * - **Bytes across executors**: the growth, during the reduce stage, of `bytes_received` (the kernel's
 *   TCP counter, read with `ss -tinp`) over the executor processes' sockets. Blocks another executor
 *   owns reach a reducer relayed through the driver, so this counts each remote block once (as received
 *   by its reducer), plus a few KiB of control frames. Needs `ss` (Linux iproute2); without it the
 *   figure is 0 and `method` says so.
 * - **MB/s** (the figure with the target): bytes across executors / reduce-stage time. Also reported:
 *   shuffle bytes written / (job time − time of the same job without the repartition).
 *
 * @module
 */

import { type Clock, systemClock } from "../../../actors/clock.ts";
import { col } from "../../../cluster/expr/column.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import type { ClusterStatus } from "../../../cluster/driver/driver.ts";
import { Frontier } from "../../../cluster/frontier.ts";

/** Options of {@linkcode measureShuffle}. */
export interface ShuffleOptions {
  /** Rows generated. @default {20_000_000} */
  rows?: number;
  /** Executor processes. @default {2} */
  executors?: number;
  /** Map partitions. @default {2 × executors} */
  mapPartitions?: number;
  /** Status polling interval, ms. @default {10} */
  pollMs?: number;
  /** Target MB/s across executors. @default {500} */
  targetMbPerSec?: number;
  /** @default {systemClock} */
  clock?: Clock;
}

/** Figures of one shuffle run. */
export interface ShuffleThroughput {
  rows: number;
  executors: number;
  mapPartitions: number;
  reducePartitions: number;
  /** Bytes a row takes in the generated columns (4 doubles). */
  rowBytes: number;
  /** Whole `repartition → count` job, ms. */
  jobMs: number;
  /** The same job without `repartition` (generation and counting only), ms. */
  noShuffleMs: number;
  mapStageMs: number;
  reduceStageMs: number;
  /** Peak sum of executors' block store bytes seen in heartbeats (0 if no heartbeat landed in time). */
  shuffleBytesWritten: number;
  /** `rchar` growth of the executor processes during the reduce stage. */
  bytesAcrossExecutors: number;
  /** bytesAcrossExecutors / reduceStageMs, in MB/s (10^6 bytes). */
  mbPerSec: number;
  /** shuffleBytesWritten / (jobMs − noShuffleMs), in MB/s. */
  endToEndMbPerSec: number;
  targetMbPerSec: number;
  met: boolean;
  method: string;
}

/** The generated table: 4 double columns, `key` in 0..1023. */
export function shuffleInput(fx: Frontier, rows: number, partitions: number): Dataset {
  return fx.range(0, rows, { partitions }).select(
    col("id").mod(1024).alias("key"),
    col("id").times(0.5).alias("a"),
    col("id").times(1.5).alias("b"),
    col("id").plus(0.25).alias("c"),
  );
}

/** Runs the shuffle job on a fresh process-mode cluster and measures it (see the module docs). */
export async function measureShuffle(options: ShuffleOptions = {}): Promise<ShuffleThroughput> {
  const clock = options.clock ?? systemClock;
  const rows = options.rows ?? 20_000_000;
  const executors = options.executors ?? 2;
  const mapPartitions = options.mapPartitions ?? 2 * executors;
  const reducePartitions = 2 * executors;
  const pollMs = options.pollMs ?? 10;
  const targetMbPerSec = options.targetMbPerSec ?? 500;
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new RangeError(`Cannot shuffle ${rows} rows: expected a positive integer`);
  }
  await using fx = await Frontier.start({ mode: "process", executors });
  const pids = (await fx.status()).executors.filter((e) => e.state === "alive").map((e) => e.pid);
  const input = shuffleInput(fx, rows, mapPartitions);

  const t0 = clock.monotonic();
  const plain = await input.count();
  const noShuffleMs = clock.monotonic() - t0;
  if (plain !== rows) throw new RangeError(`The unshuffled job counted ${plain} of ${rows} rows`);

  const known = new Set((await fx.status()).jobs.map((j) => j.id));
  const watch = new StageWatch(clock);
  const stop = new AbortController();
  const polling = (async () => {
    while (!stop.signal.aborted) {
      watch.observe(await fx.status(), known);
      if (watch.mapDone && watch.readAtMapEnd === undefined) watch.readAtMapEnd = await receivedOrZero(pids);
      await clock.sleep(pollMs, { signal: stop.signal }).catch(() => undefined);
    }
  })();
  const haveSs = (await socketBytesReceived(pids)) !== undefined;
  const readBefore = await receivedOrZero(pids);
  const t1 = clock.monotonic();
  let counted: number;
  try {
    counted = await input.repartition(reducePartitions, "key").count();
  } finally {
    stop.abort();
    await polling;
  }
  const jobEnd = clock.monotonic();
  const readAfter = await receivedOrZero(pids);
  if (counted !== rows) throw new RangeError(`The shuffle job counted ${counted} of ${rows} rows`);
  const mapEnd = watch.mapEndAt ?? t1;
  const jobMs = jobEnd - t1;
  const reduceStageMs = Math.max(jobEnd - mapEnd, 1e-3);
  const bytesAcrossExecutors = readAfter - (watch.readAtMapEnd ?? readBefore);
  const extraMs = jobMs - noShuffleMs;
  return {
    rows,
    executors,
    mapPartitions,
    reducePartitions,
    rowBytes: 32,
    jobMs,
    noShuffleMs,
    mapStageMs: mapEnd - t1,
    reduceStageMs,
    shuffleBytesWritten: watch.peakBlockBytes,
    bytesAcrossExecutors,
    mbPerSec: bytesAcrossExecutors / 1e6 / (reduceStageMs / 1000),
    endToEndMbPerSec: extraMs > 0 ? watch.peakBlockBytes / 1e6 / (extraMs / 1000) : 0,
    targetMbPerSec,
    met: bytesAcrossExecutors / 1e6 / (reduceStageMs / 1000) >= targetMbPerSec,
    method: `status polled every ${pollMs} ms for stage ends and heartbeat blockBytes; ` +
      (haveSs
        ? "bytes across executors = growth of the executor processes' TCP bytes_received (ss -tinp) during the reduce stage"
        : "ss is unavailable: bytes across executors not measured"),
  };
}

async function receivedOrZero(pids: readonly number[]): Promise<number> {
  return (await socketBytesReceived(pids)) ?? 0;
}

/** Follows the stages of the one new job in successive status snapshots. */
class StageWatch {
  readonly #clock: Clock;
  mapDone = false;
  mapEndAt: number | undefined;
  readAtMapEnd: number | undefined;
  peakBlockBytes = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  observe(status: ClusterStatus, known: ReadonlySet<number>): void {
    const blockBytes = status.executors.reduce((a, e) => a + (e.state === "alive" ? e.blockBytes : 0), 0);
    this.peakBlockBytes = Math.max(this.peakBlockBytes, blockBytes);
    if (this.mapDone) return;
    const job = status.jobs.find((j) => !known.has(j.id));
    if (job === undefined || job.stages.length < 2) return;
    const stages = [...job.stages].sort((a, b) => a.id - b.id);
    const maps = stages.slice(0, -1);
    if (maps.every((s) => s.done === s.partitions)) {
      this.mapDone = true;
      this.mapEndAt = this.#clock.monotonic();
    }
  }
}

/**
 * Bytes the processes `pids` received on their TCP sockets so far (`bytes_received` of `ss -tinp`), or
 * `undefined` when `ss` is unavailable (not Linux, iproute2 missing).
 */
export async function socketBytesReceived(pids: readonly number[]): Promise<number | undefined> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ss", { args: ["-tinpH"], stdout: "piped", stderr: "null" }).output();
  } catch {
    return undefined;
  }
  if (!out.success) return undefined;
  return sumReceivedByPid(new TextDecoder().decode(out.stdout), pids);
}

/** Sums `bytes_received` of the `ss -tinpH` entries owned by one of `pids`. */
export function sumReceivedByPid(ssText: string, pids: readonly number[]): number {
  const wanted = new Set(pids);
  let sum = 0;
  let owned = false;
  for (const line of ssText.split("\n")) {
    if (line.trim() === "") continue;
    if (!/^\s/.test(line)) {
      // An entry's first line: state, queues, addresses, users:(("deno",pid=N,fd=M)).
      const pid = /pid=(\d+)/.exec(line);
      owned = pid !== null && wanted.has(Number(pid[1]));
      continue;
    }
    const m = /bytes_received:(\d+)/.exec(line);
    if (owned && m) sum += Number(m[1]);
  }
  return sum;
}
