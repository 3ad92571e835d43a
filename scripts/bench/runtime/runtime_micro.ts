/**
 * Runtime micro benchmarks: empty-task throughput of the scheduler ({@linkcode measureEmptyTasks}) and
 * the round-trip latency of an actor `ask` over each transport ({@linkcode measureAskLatency}). The
 * shuffle benchmark is in `shuffle_micro.ts`.
 *
 * @module
 */

import { type Clock, systemClock } from "../../../actors/clock.ts";
import { TimeoutError } from "../../../actors/errors.ts";
import { RemoteNode } from "../../../actors/remote.ts";
import { ActorSystem } from "../../../actors/system.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import type { Connection } from "../../../actors/connection.ts";
import { createMemoryPair } from "../../../cluster/transport/memory.ts";
import { connectWorker } from "../../../cluster/transport/worker.ts";
import { listenWebSocket } from "../../../cluster/transport/websocket.ts";
import { ECHO_ACTOR, ECHO_WORKER_NAME, ECHO_WS_PREFIX } from "./echo_worker.ts";

/** Transports the ask benchmark covers. */
export const ASK_TRANSPORTS = ["memory", "worker", "websocket"] as const;
/** A transport of the ask benchmark. */
export type AskTransport = (typeof ASK_TRANSPORTS)[number];

/** Latency percentiles of one transport, microseconds. */
export interface AskLatency {
  transport: AskTransport;
  /** Asks measured (warm-up excluded). */
  asks: number;
  /** Why fewer asks than asked were measured, if so. */
  note?: string;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  minUs: number;
  maxUs: number;
  /** Where the echo actor ran. */
  peer: string;
}

/** Options of {@linkcode measureAskLatency}. */
export interface AskLatencyOptions {
  /** Measured asks, one at a time. @default {5000} */
  asks?: number;
  /** Asks before measuring (JIT, connection warm-up). @default {500} */
  warmup?: number;
  /** Measuring stops early (after at least 100 asks) once this much time went by. @default {30_000} */
  budgetMs?: number;
  /** @default {systemClock} */
  clock?: Clock;
}

/** The `q`-quantile (0..1) of ascending `sorted`, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("Cannot take a quantile of no samples");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Cannot take quantile ${q}: expected 0..1`);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Sequential asks to an echo actor behind a {@linkcode RemoteNode} on `transport`: `memory` (both ends
 * in this isolate), `worker` (echo actor in a Web Worker), `websocket` (echo actor in a Web Worker that
 * dials this isolate's listener on 127.0.0.1, so each end has its own thread as two processes would).
 */
export async function measureAskLatency(
  transport: AskTransport,
  options: AskLatencyOptions = {},
): Promise<AskLatency> {
  const asks = options.asks ?? 5000;
  const warmup = options.warmup ?? 500;
  const clock = options.clock ?? systemClock;
  const budgetMs = options.budgetMs ?? 30_000;
  if (!Number.isSafeInteger(asks) || asks < 1 || !Number.isSafeInteger(warmup) || warmup < 0) {
    throw new RangeError(`Cannot measure ${asks} asks after ${warmup}: expected positive integers`);
  }
  await using peer = await openEchoPeer(transport, clock);
  const echo = peer.client.ref<{ seq: number }>(ECHO_ACTOR);
  const samples: number[] = [];
  const started = clock.monotonic();
  let over = false;
  for (let i = 0; i < warmup + asks; i++) {
    if (samples.length >= 100 && clock.monotonic() - started > budgetMs) {
      over = true;
      break;
    }
    const t0 = clock.monotonic();
    const reply = await echo.ask({ seq: i }, { timeout: 10_000 });
    const us = (clock.monotonic() - t0) * 1000;
    if ((reply as { seq?: unknown }).seq !== i) {
      throw new RangeError(`Echo over ${transport} answered ${JSON.stringify(reply)} to ask ${i}`);
    }
    if (i >= warmup) samples.push(us);
  }
  samples.sort((a, b) => a - b);
  return {
    transport,
    asks: samples.length,
    ...(over
      ? { note: `stopped after ${samples.length} of ${asks} asks: the ${budgetMs} ms budget ran out` }
      : {}),
    p50Us: quantile(samples, 0.5),
    p99Us: quantile(samples, 0.99),
    meanUs: samples.reduce((a, b) => a + b, 0) / samples.length,
    minUs: samples[0]!,
    maxUs: samples.at(-1)!,
    peer: peer.where,
  };
}

interface EchoPeer extends AsyncDisposable {
  client: RemoteNode;
  where: string;
}

async function openEchoPeer(transport: AskTransport, clock: Clock): Promise<EchoPeer> {
  const workerUrl = new URL("./echo_worker.ts", import.meta.url);
  switch (transport) {
    case "memory": {
      const system = new ActorSystem({ clock: systemClock });
      const echo = system.spawn<unknown, undefined, unknown>({
        init: () => undefined,
        receive: (state, msg, ctx) => {
          ctx.reply(msg);
          return state;
        },
      }, { name: ECHO_ACTOR });
      const [a, b] = createMemoryPair();
      const server = new RemoteNode({ connection: a });
      server.expose(ECHO_ACTOR, echo, { decode: (input) => input });
      const client = new RemoteNode({ connection: b });
      return {
        client,
        where: "same isolate",
        [Symbol.asyncDispose]: async () => {
          await client.close();
          await server.close();
          await system.stop();
        },
      };
    }
    case "worker": {
      const worker = new Worker(workerUrl, { type: "module", name: ECHO_WORKER_NAME });
      const conn = connectWorker(worker, { name: "echo" });
      return workerPeer(conn, "Web Worker over postMessage", () => conn.terminate("benchmark done"));
    }
    case "websocket": {
      const listener = listenWebSocket({ hostname: "127.0.0.1", port: 0 });
      const worker = new Worker(workerUrl, { type: "module", name: `${ECHO_WS_PREFIX}${listener.address}` });
      const timeout = new AbortController();
      const timer = clock.setTimeout(
        () => timeout.abort(new TimeoutError("The echo worker did not connect within 10000 ms")),
        10_000,
      );
      let conn: Connection | undefined;
      try {
        conn = await listener.accept({ signal: timeout.signal });
      } catch (e) {
        worker.terminate();
        await listener.close();
        throw e;
      } finally {
        clock.clearTimeout(timer);
      }
      if (conn === undefined) {
        worker.terminate();
        await listener.close();
        throw new RangeError("The echo worker did not connect over WebSocket");
      }
      return workerPeer(conn, `Web Worker over ${listener.address}`, async () => {
        await listener.close();
        worker.terminate();
      });
    }
  }
}

function workerPeer(conn: Connection, where: string, release: () => Promise<void>): EchoPeer {
  const client = new RemoteNode({ connection: conn });
  return {
    client,
    where,
    [Symbol.asyncDispose]: async () => {
      await client.close();
      await release();
    },
  };
}

/** Empty-task throughput of one cluster mode. */
export interface TaskThroughput {
  mode: "embedded" | "process";
  tasks: number;
  wallMs: number;
  tasksPerSec: number;
  /** Rate of the warm-up job (its size is `probeTasks`), used to size the measured job. */
  probeTasksPerSec: number;
  probeTasks: number;
  /** Target rate and whether it was reached. */
  targetPerSec: number;
  met: boolean;
  /** Why fewer tasks than asked were run, if so. */
  note?: string;
}

/** Options of {@linkcode measureEmptyTasks}. */
export interface EmptyTasksOptions {
  /** Tasks of the measured job. @default {10_000} */
  tasks?: number;
  /** @default {2} */
  executors?: number;
  /** Target tasks/s. @default {10_000 embedded, 2_000 process} */
  targetPerSec?: number;
  /**
   * Upper bound on the measured job's expected duration: when the warm-up rate says `tasks` would take
   * longer, fewer tasks are run (and `note` says so). @default {60_000}
   */
  budgetMs?: number;
  /** @default {systemClock} */
  clock?: Clock;
}

/**
 * A job of `tasks` trivial tasks (`range(0, n, { partitions: n }).count()`, one row each) on a fresh
 * cluster, after a warm-up job of `min(200, tasks)` tasks; the rate counts the whole job (planning,
 * scheduling, launch, result) as the caller sees it.
 */
export async function measureEmptyTasks(
  mode: "embedded" | "process",
  options: EmptyTasksOptions = {},
): Promise<TaskThroughput> {
  const clock = options.clock ?? systemClock;
  const asked = options.tasks ?? 10_000;
  const budgetMs = options.budgetMs ?? 60_000;
  const targetPerSec = options.targetPerSec ?? (mode === "embedded" ? 10_000 : 2_000);
  if (!Number.isSafeInteger(asked) || asked < 1) {
    throw new RangeError(`Cannot run ${asked} empty tasks: expected a positive integer`);
  }
  await using fx = await Frontier.start({ mode, executors: options.executors ?? 2 });
  const run = async (n: number) => {
    const t0 = clock.monotonic();
    const counted = await fx.range(0, n, { partitions: n }).count();
    const ms = clock.monotonic() - t0;
    if (counted !== n) throw new RangeError(`An empty-task job of ${n} tasks counted ${counted} rows`);
    return ms;
  };
  const probeTasks = Math.min(200, asked);
  const probeMs = await run(probeTasks);
  const probeRate = (probeTasks * 1000) / probeMs;
  const affordable = Math.max(probeTasks, Math.floor((probeRate * budgetMs) / 1000));
  const tasks = Math.min(asked, affordable);
  const wallMs = await run(tasks);
  const tasksPerSec = (tasks * 1000) / wallMs;
  return {
    mode,
    tasks,
    wallMs,
    tasksPerSec,
    probeTasksPerSec: probeRate,
    probeTasks,
    targetPerSec,
    met: tasksPerSec >= targetPerSec,
    ...(tasks < asked
      ? {
        note: `ran ${tasks} of ${asked} tasks: the warm-up rate (${
          probeRate.toFixed(0)
        }/s) would exceed the ${budgetMs} ms budget`,
      }
      : {}),
  };
}
