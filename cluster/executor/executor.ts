/**
 * The executor: runs tasks the driver assigns, keeps their shuffle outputs in its block store,
 * serves blocks to other executors (relayed by the driver), and heartbeats. One executor per
 * connection; it ends when the connection closes or the driver says shutdown.
 *
 * @module
 */
import type { Clock } from "../../actors/clock.ts";
import {
  errorToWire,
  EscalationError,
  PeerUnavailableError,
  StoppedError,
  TimeoutError,
} from "../../actors/errors.ts";
import { FetchFailedError } from "../errors.ts";
import type { Batch } from "../columnar/batch.ts";
import { decodeBatches } from "../columnar/arrow_codec.ts";
import { blockKey, BlockStore } from "./block_store.ts";
import { BroadcastStore } from "./broadcast_store.ts";
import { StateStore } from "./state_store.ts";
import type { Connection } from "../../actors/connection.ts";
import { ActorSystem } from "../../actors/system.ts";
import { decodeDriverMessage, type DriverMessage, type ExecutorMessage } from "../protocol.ts";
import { runTask } from "./task_runner.ts";
import { ModuleLoader } from "../modules.ts";

export interface ExecutorDeps {
  connection: Connection;
  clock: Clock;
  log?: ((line: string) => void) | undefined;
}

export interface ExecutorOptions {
  executorId: string;
  /** Tasks run at once. @default {2} */
  slots?: number;
  /** @default {500} */
  heartbeatMs?: number;
  /** @default {60_000} */
  fetchTimeoutMs?: number;
  memoryBudgetBytes?: number;
  spillDir?: string | undefined;
  /** Module URLs whose named exports jobs may run (besides Frontier's built-in modules). */
  allowedModules?: readonly string[];
  /** Bounded table of in-flight block fetches. @default {1024} */
  maxPendingFetches?: number;
  /**
   * Bytes of executor-local state (`PartitionContext.state`) kept before LRU eviction (the
   * driver's `stateBudgetBytes` arrives in the welcome). @default {1 GiB}
   */
  stateBudgetBytes?: number | undefined;
}

interface Inbound {
  msg: Exclude<DriverMessage, { type: "executor.shutdown" }>;
  payload: Uint8Array | undefined;
}

interface PendingFetch {
  resolve(bytes: Uint8Array): void;
  reject(e: Error): void;
  timer: number;
}

export class Executor {
  readonly #conn: Connection;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #opts: Required<Omit<ExecutorOptions, "spillDir" | "memoryBudgetBytes" | "stateBudgetBytes">>;
  readonly #blocks: BlockStore;
  readonly #state: StateStore;
  readonly #broadcasts = new BroadcastStore();
  /** Decoded blocks by their bytes (held blocks are the same object every time; see decodeBlock). */
  readonly #decoded = new WeakMap<Uint8Array, readonly Batch[]>();
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  readonly #fetches = new Map<number, PendingFetch>();
  readonly #modules: ModuleLoader;
  readonly #stopped = new AbortController();
  #reqSeq = 0;
  #hbSeq = 0;
  #hbTimer: number | undefined;
  malformed = 0;

  constructor(deps: ExecutorDeps, options: ExecutorOptions) {
    this.#conn = deps.connection;
    this.#clock = deps.clock;
    this.#log = deps.log ?? (() => {});
    this.#opts = {
      executorId: options.executorId,
      slots: options.slots ?? 2,
      heartbeatMs: options.heartbeatMs ?? 500,
      fetchTimeoutMs: options.fetchTimeoutMs ?? 60_000,
      allowedModules: options.allowedModules ?? [],
      maxPendingFetches: options.maxPendingFetches ?? 1024,
    };
    this.#modules = new ModuleLoader(this.#opts.allowedModules, { owner: `executor ${options.executorId}` });
    this.#blocks = new BlockStore({
      memoryBudgetBytes: options.memoryBudgetBytes,
      spillDir: options.spillDir,
    });
    this.#state = new StateStore(
      options.stateBudgetBytes === undefined ? {} : { budgetBytes: options.stateBudgetBytes },
    );
  }

  get id(): string {
    return this.#opts.executorId;
  }

  /**
   * Serves the driver until the connection closes or it says shutdown. Decoded messages go
   * through a supervised actor with a bounded mailbox: when it is full the read loop waits, so
   * the transport stops granting credit and the driver's sends wait too. A handler that keeps
   * throwing escalates past its restart limit and stops the executor.
   */
  async run(): Promise<void> {
    this.#heartbeat();
    await using system = new ActorSystem({
      clock: this.#clock,
      onFailure: (f) => {
        this.#log(`executor actor failed: ${f.error.message}`);
        if (f.error instanceof EscalationError) this.#stopped.abort(f.error);
      },
    });
    const actor = system.spawn<Inbound, undefined>({
      init: () => undefined,
      receive: (_state, m) => this.#handle(m.msg, m.payload),
    }, { name: "executor", mailbox: { capacity: 256 }, supervision: { maxRestarts: 3, withinMs: 60_000 } });
    try {
      for (;;) {
        const frame = await this.#conn.receive({ signal: this.#stopped.signal }).catch(() => undefined);
        if (!frame) break;
        let msg: DriverMessage;
        try {
          msg = decodeDriverMessage(frame.header);
        } catch (e) {
          this.malformed++;
          // A task that cannot be decoded fails as itself, so its job ends with the reason
          // instead of waiting for a task that will never run.
          const taskId = launchedTaskId(frame.header);
          const reply: ExecutorMessage = taskId === undefined
            ? { v: 1, type: "error", error: errorToWire(e) }
            : { v: 1, type: "task.failed", taskId, failure: { kind: "task", error: errorToWire(e) } };
          await this.#send(reply).catch(() => {});
          continue;
        }
        if (msg.type === "executor.shutdown") break;
        const sent = await actor.send({ msg, payload: frame.payload }, { signal: this.#stopped.signal }).then(
          () => true,
          () => false,
        );
        if (!sent) break;
      }
    } finally {
      await this.#shutdown();
    }
  }

  /** Stops: aborts running tasks, rejects pending fetches, closes the connection. */
  async stop(): Promise<void> {
    this.#stopped.abort(new StoppedError(`Executor ${this.id} stopped`));
    await this.#conn.close("executor stopped");
  }

  async #shutdown(): Promise<void> {
    if (this.#hbTimer !== undefined) this.#clock.clearTimeout(this.#hbTimer);
    this.#hbTimer = undefined;
    for (const t of this.#running.values()) {
      t.abort.abort(new StoppedError(`Executor ${this.id} is shutting down`));
    }
    for (const [id, f] of this.#fetches) {
      this.#clock.clearTimeout(f.timer);
      f.reject(new PeerUnavailableError(`Executor ${this.id} lost its driver`));
      this.#fetches.delete(id);
    }
    await Promise.allSettled([...this.#running.values()].map((t) => t.done));
    this.#blocks.clear();
    this.#state.clear();
    this.#broadcasts.clear();
    await this.#conn.close("executor finished");
  }

  #heartbeat(): void {
    const beat = () => {
      const mem = Deno.memoryUsage();
      this.#send({
        v: 1,
        type: "heartbeat",
        seq: this.#hbSeq++,
        running: this.#running.size,
        blockBytes: this.#blocks.memoryBytes + this.#blocks.spilledBytes,
        stateBytes: this.#state.bytes,
        stateBudgetBytes: this.#state.budgetBytes,
        broadcasts: this.#broadcasts.size,
        broadcastBytes: this.#broadcasts.bytes,
        rssBytes: mem.rss,
      }).catch(() => {});
      this.#hbTimer = this.#clock.setTimeout(beat, this.#opts.heartbeatMs);
    };
    beat();
  }

  #send(msg: ExecutorMessage, payload?: Uint8Array): Promise<void> {
    return this.#conn.send({ header: msg, payload }, { signal: this.#stopped.signal });
  }

  #handle(
    msg: Exclude<DriverMessage, { type: "executor.shutdown" }>,
    payload: Uint8Array | undefined,
  ): undefined {
    const frame = { payload };
    switch (msg.type) {
      case "task.launch":
        this.#launch(msg, frame.payload);
        return;
      case "task.kill":
        this.#running.get(msg.taskId)?.abort.abort(new StoppedError(`Task ${msg.taskId} was killed`));
        return;
      case "broadcast.put":
        this.#broadcasts.put(msg.broadcastId, msg.encoding, frame.payload ?? new Uint8Array(0));
        return;
      case "blocks.remove":
        for (const o of msg.outputIds) this.#blocks.deletePrefix(String(o));
        for (const b of msg.broadcastIds) this.#broadcasts.delete(b);
        return;
      case "state.release":
        this.#state.deletePrefix(msg.prefix);
        return;
      case "block.request": {
        const bytes = this.#blocks.get(blockKey(msg.outputId, msg.mapPartition, msg.reducePartition));
        const reply: ExecutorMessage = bytes ? { v: 1, type: "block.serve", reqId: msg.reqId, ok: true } : {
          v: 1,
          type: "block.serve",
          reqId: msg.reqId,
          ok: false,
          error: errorToWire(
            new PeerUnavailableError(
              `Executor ${this.id} has no block ${msg.outputId}/${msg.mapPartition}/${msg.reducePartition}`,
            ),
          ),
        };
        // A copy: the transport may transfer (detach) the buffer and the block must stay here.
        this.#send(reply, bytes ? bytes.slice() : undefined).catch(() => {});
        return;
      }
      case "block.response": {
        const f = this.#fetches.get(msg.reqId);
        if (!f) return;
        this.#fetches.delete(msg.reqId);
        this.#clock.clearTimeout(f.timer);
        if (msg.ok && frame.payload) f.resolve(frame.payload);
        else f.reject(new PeerUnavailableError(msg.error?.message ?? "block unavailable"));
        return;
      }
      case "error":
        this.#log(`driver reported: ${msg.error.name}: ${msg.error.message}`);
        return;
      default:
        msg satisfies never;
    }
  }

  #launch(msg: Extract<DriverMessage, { type: "task.launch" }>, payload: Uint8Array | undefined): void {
    if (this.#running.has(msg.taskId)) return;
    const abort = new AbortController();
    const onStop = () => abort.abort(this.#stopped.signal.reason);
    this.#stopped.signal.addEventListener("abort", onStop, { once: true });
    const done = (async () => {
      try {
        const result = await runTask(msg.node, msg.sink, {
          mapPartition: msg.partition,
          signal: abort.signal,
          payload,
          fetchBlock: (o, m, r, ex) => this.#fetchBlock(o, m, r, ex),
          decodeBlock: (bytes) => this.#decodeBlock(bytes),
          broadcast: (id) => Promise.resolve(this.#broadcasts.batches(id)),
          broadcastJson: (id) => Promise.resolve(this.#broadcasts.json(id)),
          load: (mod, name) => this.#modules.load(mod, name),
          state: this.#state,
          putBlock: (o, m, r, bytes) => this.#blocks.put(blockKey(o, m, r), bytes),
        }, () => this.#clock.monotonic());
        await this.#send(
          { v: 1, type: "task.finished", taskId: msg.taskId, output: result.output, metrics: result.metrics },
          result.payload,
        );
      } catch (e) {
        if (this.#stopped.signal.aborted) return;
        const failure = e instanceof FetchFailedError
          ? { kind: "fetch" as const, error: errorToWire(e), ...e.block }
          : { kind: "task" as const, error: errorToWire(e) };
        await this.#send({ v: 1, type: "task.failed", taskId: msg.taskId, failure }).catch(() => {});
      } finally {
        this.#stopped.signal.removeEventListener("abort", onStop);
        this.#running.delete(msg.taskId);
      }
    })();
    this.#running.set(msg.taskId, { abort, done });
  }

  #fetchBlock(outputId: number, map: number, reduce: number, executorId: string): Promise<Uint8Array> {
    if (executorId === this.id) {
      const b = this.#blocks.get(blockKey(outputId, map, reduce));
      if (b) return Promise.resolve(b);
      return Promise.reject(
        FetchFailedError.of(`Block ${outputId}/${map}/${reduce} is missing on ${this.id}`, {
          outputId,
          mapPartition: map,
          executorId,
        }),
      );
    }
    if (this.#fetches.size >= this.#opts.maxPendingFetches) {
      return Promise.reject(
        new RangeError(`Executor ${this.id} has ${this.#fetches.size} block fetches in flight`),
      );
    }
    const reqId = ++this.#reqSeq;
    return new Promise<Uint8Array>((resolve, reject) => {
      const fail = (e: Error) =>
        reject(
          FetchFailedError.of(
            `Cannot fetch block ${outputId}/${map}/${reduce} from "${executorId}": ${e.message}`,
            { outputId, mapPartition: map, executorId, cause: e },
          ),
        );
      const timer = this.#clock.setTimeout(() => {
        this.#fetches.delete(reqId);
        fail(new TimeoutError(`no answer in ${this.#opts.fetchTimeoutMs} ms`));
      }, this.#opts.fetchTimeoutMs);
      this.#fetches.set(reqId, { resolve, reject: fail, timer });
      this.#send({
        v: 1,
        type: "block.fetch",
        reqId,
        from: executorId,
        outputId,
        mapPartition: map,
        reducePartition: reduce,
      })
        .catch((e) => {
          this.#clock.clearTimeout(timer);
          this.#fetches.delete(reqId);
          fail(e instanceof Error ? e : new Error(String(e)));
        });
    });
  }

  #decodeBlock(bytes: Uint8Array): readonly Batch[] {
    let batches = this.#decoded.get(bytes);
    if (batches === undefined) {
      batches = decodeBatches(bytes).batches;
      this.#decoded.set(bytes, batches);
    }
    return batches;
  }

  /** Blocks held (for tests and status). */
  get blockBytes(): number {
    return this.#blocks.memoryBytes + this.#blocks.spilledBytes;
  }

  /** Bytes of executor-local state held (for tests and status). */
  get stateBytes(): number {
    return this.#state.bytes;
  }

  /** Broadcast values held and their bytes (for tests and status). */
  get broadcasts(): { count: number; bytes: number } {
    return { count: this.#broadcasts.size, bytes: this.#broadcasts.bytes };
  }
}

/** The task id of a `task.launch` header that failed to decode, when it is a plausible id. */
function launchedTaskId(header: unknown): string | undefined {
  if (typeof header !== "object" || header === null) return undefined;
  const h = header as Record<string, unknown>;
  const id = h["taskId"];
  return h["type"] === "task.launch" && typeof id === "string" && id.length > 0 && id.length <= 200
    ? id
    : undefined;
}
