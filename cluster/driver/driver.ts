/**
 * The driver: admits executors, watches their heartbeats, plans jobs into stages, feeds the
 * scheduler, sends tasks, relays shuffle blocks between executors, and collects results.
 * Transport-agnostic: executors arrive as authenticated {@linkcode Connection}s.
 *
 * @module
 */
import type { Clock } from "../../actors/clock.ts";
import {
  errorToWire,
  EscalationError,
  type Json,
  MalformedMessageError,
  PeerUnavailableError,
  StoppedError,
} from "../../actors/errors.ts";
import { JobFailedError } from "../errors.ts";
import { ActorSystem } from "../../actors/system.ts";
import type { ActorRef } from "../../actors/actor_ref.ts";
import type { Batch, Schema } from "../columnar/batch.ts";
import { concatBatches, emptyBatch } from "../columnar/batch_ops.ts";
import { decodeBatches, encodeBatches } from "../columnar/arrow_codec.ts";
import { PhiAccrualDetector } from "./failure_detector.ts";
import type { Action, LogicalPlan } from "../plan/logical_plan.ts";
import { schemaOf } from "../plan/plan_schema.ts";
import {
  argsBroadcasts,
  explainStages,
  foldSinks,
  type Part,
  type PlannedStage,
  type PlannerContext,
  planPart,
  resultStage,
  shipArgs,
} from "../plan/planner.ts";
import { BroadcastRegistry } from "./broadcast_registry.ts";
import { ModuleLoader } from "../modules.ts";
import type { ChainFn, MergeFn } from "../partition_fns.ts";
import { decodePartitionValue, type PartitionValue } from "../util/partition_value.ts";
import { chainCarries, mergeInOrder } from "./partition_values.ts";
import {
  decodeExecutorMessage,
  type DriverMessage,
  type ExecutorMessage,
  type ExecutorWelcome,
  type TaskOutputMsg,
} from "../protocol.ts";
import { Scheduler, type TaskAttempt } from "./scheduler.ts";
import type { TaskSink } from "../plan/task_plan.ts";
import type { Connection } from "../../actors/connection.ts";

export interface ExecutorInfo {
  host: string;
  pid: number;
  slots: number;
  /** How it runs: "worker", "process", "remote". */
  kind: string;
}

export interface DriverDeps {
  clock: Clock;
  log?: ((line: string) => void) | undefined;
}

/** Settings of the driver: shuffles, join strategy, failure detection and retries. */
export interface DriverOptions {
  /** Reduce partitions of shuffles. @default {4} */
  shufflePartitions?: number;
  /**
   * A join with `strategy: "auto"` broadcasts its right side when that side is estimated at most
   * this many rows. @default {100_000}
   */
  broadcastThresholdRows?: number;
  /** Phi threshold of the failure detector. @default {10} */
  phiThreshold?: number;
  /**
   * No heartbeat for this long means dead, whatever phi says. A third of it is the pause phi
   * tolerates (a task's long synchronous step, e.g. writing a big Parquet file, delays heartbeats).
   * @default {30_000}
   */
  heartbeatTimeoutMs?: number;
  /** Jobs fail when no executor has been alive for this long. @default {60_000} */
  noExecutorTimeoutMs?: number;
  /** How often liveness is checked. @default {250} */
  livenessCheckMs?: number;
  /** Attempts per task for failures the task caused (executor loss does not count). @default {4} */
  maxTaskAttempts?: number;
  /** Consecutive reruns of a stage whose map outputs were lost. @default {4} */
  maxStageAttempts?: number;
  /** How long a task waits for the executor holding its input before running elsewhere. @default {3_000} */
  localityWaitMs?: number;
  /**
   * Module URLs whose named exports jobs may run (generators, mapPartitions, folds): sent to every
   * executor, and used by the driver for `merge` and `chain` exports. Frontier's own modules are
   * always allowed. @default {[]}
   */
  modules?: readonly string[];
  /**
   * Bytes of executor-local state (`PartitionContext.state`: e.g. tree training's binned shards
   * and scores) each executor keeps before evicting the least recently used; a value larger than
   * the whole budget fails its job with `StateBudgetError`. Sent to every executor that joins
   * (an executor started with `--state-budget-bytes` keeps its own). @default {1 GiB}
   */
  stateBudgetBytes?: number | undefined;
}

/** One executor as the driver sees it (an element of {@linkcode ClusterStatus.executors}). */
export interface ExecutorStatus {
  /** The driver-assigned id, `host:pid:epoch`. */
  id: string;
  /** Host it runs on (`embedded` for Web Workers in the driver's process). */
  host: string;
  /** Its process id. */
  pid: number;
  /** Registration number, increasing over the driver's life: an executor that registers again gets a new one. */
  epoch: number;
  /** How it runs: `worker`, `process` or `remote`. */
  kind: string;
  /** `dead` once its heartbeats stopped or its connection closed; dead executors get no tasks. */
  state: "alive" | "dead";
  /** Tasks it runs at once. */
  slots: number;
  /** Tasks running on it now. */
  runningTasks: number;
  /** Bytes of shuffle and cache blocks it holds (from its last heartbeat). */
  blockBytes: number;
  /** Bytes of executor-local state (`PartitionContext.state`) at the last heartbeat. */
  stateBytes: number;
  /** The state budget those bytes count against (0 before the first heartbeat). */
  stateBudgetBytes: number;
  /** Broadcast values it holds (join sides, large operator arguments) at the last heartbeat. */
  broadcasts: number;
  /** Bytes of those broadcast values. */
  broadcastBytes: number;
  /** Its resident set size (from its last heartbeat). */
  rssBytes: number;
  /** Milliseconds since its last heartbeat; `undefined` before the first. */
  lastHeartbeatAgoMs: number | undefined;
}

/** Progress of one stage of a job (an element of {@linkcode JobStatus.stages}). */
export interface StageStatus {
  /** Stage id, unique within the driver. */
  id: number;
  /** 0 for the first run; higher after reruns for lost map outputs. */
  attempt: number;
  /** Tasks of the stage. */
  partitions: number;
  /** Tasks finished. */
  done: number;
  /** Tasks running now. */
  running: number;
  /** Tasks waiting for a slot. */
  queued: number;
}

/** One job: an action (`count`, `collect`, `write`, …) and the stages it ran. */
export interface JobStatus {
  /** Job id, in submission order. */
  id: number;
  /** What ran: the action's kind, or the description the caller gave. */
  description: string;
  /** Where the job is. */
  state: "running" | "succeeded" | "failed";
  /** Its stages (sub-jobs included), as last seen while it ran. */
  stages: StageStatus[];
  /** Why it failed, when it did. */
  error?: string | undefined;
}

/** Executors and jobs as the driver sees them (`Frontier.status()`). */
export interface ClusterStatus {
  /** Every executor that registered, dead ones included. */
  executors: ExecutorStatus[];
  /** The driver's last 100 jobs, oldest first. */
  jobs: JobStatus[];
  /** Frames from executors that failed to decode (counted and dropped). */
  malformedFrames: number;
}

interface ExecutorEntry {
  id: string;
  epoch: number;
  info: ExecutorInfo;
  conn: Connection;
  state: "alive" | "dead";
  broadcasts: Set<string>;
  lastHeartbeat: number | undefined;
  blockBytes: number;
  stateBytes: number;
  stateBudgetBytes: number;
  heldBroadcasts: number;
  broadcastBytes: number;
  rssBytes: number;
  chain: Promise<void>;
  loop?: Promise<void>;
  /** The actor that handles this executor's messages, in order, with a bounded mailbox. */
  actor?: ActorRef<Inbound>;
}

interface Inbound {
  msg: ExecutorMessage;
  payload: Uint8Array | undefined;
}

/**
 * What one action owns: the stages it registered (sub-jobs included), its cancellation, and its
 * name as an owner of broadcast values.
 */
interface JobScope {
  stages: Set<number>;
  signal: AbortSignal | undefined;
  owner: string;
}

interface Relay {
  requester: string;
  requesterReq: number;
  owner: string;
}

export interface JobResult {
  schema: Schema;
  batches: Batch[];
  rows: number;
  outputs: TaskOutputMsg[];
  /** The merged value of an `aggregate` action. */
  value?: PartitionValue | undefined;
}

/** What the tasks of one result stage returned, in partition order. */
interface PartResult {
  batches: Batch[];
  rows: number;
  outputs: TaskOutputMsg[];
  /** The fold values (fold sinks only). */
  values: PartitionValue[];
}

export class Driver implements AsyncDisposable {
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #opts: Required<Omit<DriverOptions, "stateBudgetBytes">>;
  readonly #stateBudgetBytes: number | undefined;
  readonly #modules: ModuleLoader;
  readonly #executors = new Map<string, ExecutorEntry>();
  readonly #scheduler: Scheduler;
  readonly #detector: PhiAccrualDetector;
  readonly #stages = new Map<number, PlannedStage>();
  readonly #inline = new Map<string, Uint8Array[]>();
  readonly #broadcasts = new BroadcastRegistry();
  readonly #cacheStages = new Map<number, PlannedStage>();
  readonly #relays = new Map<number, Relay>();
  readonly #results = new Map<string, Uint8Array>();
  readonly #jobs = new Map<number, JobStatus>();
  readonly #stopped = new AbortController();
  readonly #system: ActorSystem;
  readonly #actorOwner = new Map<string, string>();
  #epoch = 0;
  #jobSeq = 0;
  #stageSeq = 0;
  #outputSeq = 0;
  #dataSeq = 0;
  #relaySeq = 0;
  #scopeSeq = 0;
  #livenessTimer: number | undefined;
  #starvedSince: number | undefined;
  #waiters: (() => void)[] = [];
  malformedFrames = 0;

  constructor(deps: DriverDeps, options: DriverOptions = {}) {
    this.#clock = deps.clock;
    this.#log = deps.log ?? (() => {});
    this.#opts = {
      shufflePartitions: options.shufflePartitions ?? 4,
      broadcastThresholdRows: options.broadcastThresholdRows ?? 100_000,
      phiThreshold: options.phiThreshold ?? 10,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 30_000,
      noExecutorTimeoutMs: options.noExecutorTimeoutMs ?? 60_000,
      livenessCheckMs: options.livenessCheckMs ?? 250,
      maxTaskAttempts: options.maxTaskAttempts ?? 4,
      maxStageAttempts: options.maxStageAttempts ?? 4,
      localityWaitMs: options.localityWaitMs ?? 3_000,
      modules: [...(options.modules ?? [])],
    };
    this.#stateBudgetBytes = checkStateBudget(options.stateBudgetBytes);
    this.#modules = new ModuleLoader(this.#opts.modules, { owner: "the driver" });
    this.#scheduler = new Scheduler({
      clock: this.#clock,
      launch: (t) => this.#launch(t),
      kill: (t) => this.#sendTo(t.executorId, { v: 1, type: "task.kill", taskId: t.taskId }),
    }, {
      maxTaskAttempts: this.#opts.maxTaskAttempts,
      maxStageAttempts: this.#opts.maxStageAttempts,
      localityWaitMs: this.#opts.localityWaitMs,
    });
    this.#detector = new PhiAccrualDetector({
      clock: this.#clock,
      threshold: this.#opts.phiThreshold,
      hardTimeoutMs: this.#opts.heartbeatTimeoutMs,
      acceptableHeartbeatPauseMs: Math.floor(this.#opts.heartbeatTimeoutMs / 3),
    });
    this.#system = new ActorSystem({
      clock: this.#clock,
      onFailure: (f) => {
        this.#log(`actor ${f.actor} failed: ${f.error.message}`);
        const id = f.actor.startsWith("executor-") ? this.#actorOwner.get(f.actor) : undefined;
        if (id && f.error instanceof EscalationError) {
          this.#executorLost(id, `its actor escalated: ${f.error.message}`);
        }
      },
    });
    this.#scheduleLiveness();
  }

  get shufflePartitions(): number {
    return this.#opts.shufflePartitions;
  }

  // ---- membership ----

  /**
   * Admits an authenticated executor connection: sends its welcome (identity `host:pid:epoch`,
   * settings, its module allowlist: the driver's `modules` unless `allowedModules` is given), then
   * starts scheduling onto it.
   */
  async addExecutor(
    conn: Connection,
    info: ExecutorInfo,
    options: { heartbeatMs?: number | undefined; allowedModules?: readonly string[] | undefined } = {},
  ): Promise<{ id: string; epoch: number }> {
    if (this.#stopped.signal.aborted) throw new StoppedError("Driver is stopped");
    const epoch = ++this.#epoch;
    const id = `${info.host}:${info.pid}:${epoch}`;
    const welcome: ExecutorWelcome = {
      v: 1,
      type: "executor.welcome",
      executorId: id,
      epoch,
      slots: info.slots,
      heartbeatMs: options.heartbeatMs ?? 500,
      allowedModules: [...(options.allowedModules ?? this.#opts.modules)],
      ...(this.#stateBudgetBytes === undefined ? {} : { stateBudgetBytes: this.#stateBudgetBytes }),
    };
    await conn.send({ header: welcome });
    const entry: ExecutorEntry = {
      id,
      epoch,
      info,
      conn,
      state: "alive",
      broadcasts: new Set(),
      lastHeartbeat: undefined,
      blockBytes: 0,
      stateBytes: 0,
      stateBudgetBytes: 0,
      heldBroadcasts: 0,
      broadcastBytes: 0,
      rssBytes: 0,
      chain: Promise.resolve(),
    };
    this.#executors.set(id, entry);
    const name = `executor-${epoch}`;
    this.#actorOwner.set(name, id);
    entry.actor = this.#system.spawn<Inbound, undefined>({
      init: () => undefined,
      receive: (_s, m) => {
        this.#handle(entry, m.msg, m.payload);
        return undefined;
      },
    }, { name, mailbox: { capacity: 1024 }, supervision: { maxRestarts: 3, withinMs: 60_000 } });
    this.#detector.heartbeat(id);
    entry.loop = this.#receiveLoop(entry);
    this.#scheduler.addExecutor(id, epoch, info.slots);
    this.#log(`executor ${id} joined (${info.kind}, ${info.slots} slots)`);
    this.#notify();
    return { id, epoch };
  }

  /** Resolves once `n` executors are alive. */
  async waitForExecutors(n: number, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    while (this.aliveExecutors().length < n) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (this.#stopped.signal.aborted) throw new StoppedError("Driver is stopped");
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(options.signal?.reason);
        options.signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiters.push(() => {
          options.signal?.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
  }

  #notify(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  aliveExecutors(): string[] {
    return [...this.#executors.values()].filter((e) => e.state === "alive").map((e) => e.id);
  }

  #scheduleLiveness(): void {
    this.#livenessTimer = this.#clock.setTimeout(() => {
      for (const e of this.#executors.values()) {
        if (e.state === "alive" && !this.#detector.isAvailable(e.id)) {
          this.#executorLost(e.id, `no heartbeat (phi ${this.#detector.phi(e.id).toFixed(1)})`);
        }
      }
      this.#checkStarved();
      this.#scheduler.schedule(); // tasks whose locality wait ran out
      this.#scheduleLiveness();
    }, this.#opts.livenessCheckMs);
  }

  /** Fails running jobs once no executor has been alive for `noExecutorTimeoutMs`. */
  #checkStarved(): void {
    if (this.aliveExecutors().length > 0 || this.#scheduler.status().jobs.length === 0) {
      this.#starvedSince = undefined;
      return;
    }
    const now = this.#clock.now();
    this.#starvedSince ??= now;
    if (now - this.#starvedSince >= this.#opts.noExecutorTimeoutMs) {
      this.#starvedSince = undefined;
      this.#scheduler.cancelAll(
        new JobFailedError(
          `No executor has been alive for ${this.#opts.noExecutorTimeoutMs} ms; failing the running jobs`,
        ),
      );
    }
  }

  #executorLost(id: string, reason: string): void {
    const e = this.#executors.get(id);
    if (!e || e.state === "dead") return;
    e.state = "dead";
    this.#log(`executor ${id} lost: ${reason}`);
    this.#detector.remove(id);
    for (const [rid, r] of this.#relays) {
      if (r.owner === id) {
        this.#relays.delete(rid);
        this.#sendTo(r.requester, {
          v: 1,
          type: "block.response",
          reqId: r.requesterReq,
          ok: false,
          error: errorToWire(new PeerUnavailableError(`Executor ${id} was lost: ${reason}`)),
        });
      } else if (r.requester === id) this.#relays.delete(rid);
    }
    this.#scheduler.executorLost(id);
    e.conn.close(reason).catch(() => {});
    this.#notify();
  }

  async #receiveLoop(e: ExecutorEntry): Promise<void> {
    try {
      for (;;) {
        const frame = await e.conn.receive();
        if (!frame) break;
        let msg: ExecutorMessage;
        try {
          msg = decodeExecutorMessage(frame.header);
        } catch (err) {
          this.malformedFrames++;
          this.#sendTo(e.id, { v: 1, type: "error", error: errorToWire(err) });
          continue;
        }
        const delivered = await e.actor!.send({ msg, payload: frame.payload }).then(() => true, () => false);
        if (!delivered) break;
      }
    } catch (err) {
      this.#log(`executor ${e.id} connection failed: ${String(err)}`);
    }
    this.#executorLost(e.id, "connection closed");
  }

  #handle(e: ExecutorEntry, msg: ExecutorMessage, payload: Uint8Array | undefined): void {
    if (e.state === "dead") return; // results from a dead epoch are ignored
    switch (msg.type) {
      case "heartbeat":
        this.#detector.heartbeat(e.id);
        e.lastHeartbeat = this.#clock.now();
        e.blockBytes = msg.blockBytes;
        e.stateBytes = msg.stateBytes;
        e.stateBudgetBytes = msg.stateBudgetBytes;
        e.heldBroadcasts = msg.broadcasts;
        e.broadcastBytes = msg.broadcastBytes;
        e.rssBytes = msg.rssBytes;
        return;
      case "task.finished": {
        if (payload) this.#results.set(msg.taskId, payload);
        const output = msg.output;
        this.#scheduler.taskSucceeded(
          msg.taskId,
          output.kind === "map"
            ? { kind: "map", rows: output.rows, bytes: output.bytes }
            : { kind: "result", value: { output, taskId: msg.taskId } },
        );
        return;
      }
      case "task.failed":
        this.#scheduler.taskFailed(msg.taskId, msg.failure);
        return;
      case "block.fetch": {
        const owner = this.#executors.get(msg.from);
        if (!owner || owner.state !== "alive") {
          this.#sendTo(e.id, {
            v: 1,
            type: "block.response",
            reqId: msg.reqId,
            ok: false,
            error: errorToWire(new PeerUnavailableError(`Executor "${msg.from}" is not alive`)),
          });
          return;
        }
        const rid = ++this.#relaySeq;
        this.#relays.set(rid, { requester: e.id, requesterReq: msg.reqId, owner: owner.id });
        this.#sendTo(owner.id, {
          v: 1,
          type: "block.request",
          reqId: rid,
          outputId: msg.outputId,
          mapPartition: msg.mapPartition,
          reducePartition: msg.reducePartition,
        });
        return;
      }
      case "block.serve": {
        const r = this.#relays.get(msg.reqId);
        if (!r || r.owner !== e.id) return;
        this.#relays.delete(msg.reqId);
        this.#sendTo(r.requester, {
          v: 1,
          type: "block.response",
          reqId: r.requesterReq,
          ok: msg.ok,
          error: msg.error,
        }, payload);
        return;
      }
      case "error":
        this.#log(`executor ${e.id} reported: ${msg.error.name}: ${msg.error.message}`);
        return;
      default:
        msg satisfies never;
    }
  }

  /** Sends in order on the executor's connection; a failed send means the executor is lost. */
  #sendTo(id: string, msg: DriverMessage, payload?: Uint8Array): void {
    const e = this.#executors.get(id);
    if (!e || e.state === "dead") return;
    e.chain = e.chain.then(() => e.conn.send({ header: msg, payload })).catch((err) => {
      this.#executorLost(id, `send failed: ${String(err)}`);
    });
  }

  // ---- tasks ----

  #launch(t: TaskAttempt): void {
    const stage = this.#stages.get(t.stage.id);
    if (!stage) {
      this.#scheduler.taskFailed(t.taskId, {
        kind: "task",
        error: errorToWire(new MalformedMessageError(`Stage ${t.stage.id} is unknown to the driver`)),
      });
      return;
    }
    const e = this.#executors.get(t.executorId)!;
    for (const b of stage.broadcasts) {
      if (e.broadcasts.has(b)) continue;
      const value = this.#broadcasts.get(b);
      if (!value) continue;
      e.broadcasts.add(b);
      this.#sendTo(
        e.id,
        { v: 1, type: "broadcast.put", broadcastId: b, encoding: value.encoding },
        value.bytes.slice(),
      );
    }
    const built = stage.buildTask(t.partition);
    this.#sendTo(e.id, {
      v: 1,
      type: "task.launch",
      taskId: t.taskId,
      jobId: t.jobId,
      stageId: t.stage.id,
      partition: t.partition,
      attempt: t.attempt,
      node: built.node,
      sink: built.sink,
    }, built.payload?.slice());
  }

  // ---- jobs ----

  /** Keeps driver-side data (from `fromArrow`/`fromRows`) split into `partitions` for `inline` plans. */
  putInline(schema: Schema, partitions: readonly Batch[]): string {
    const id = `data-${++this.#dataSeq}`;
    this.#inline.set(id, partitions.map((b) => encodeBatches(schema, [b])));
    return id;
  }

  /** Stores inline data that arrived already encoded (remote clients). */
  putInlineEncoded(partitions: Uint8Array[]): string {
    const id = `data-${++this.#dataSeq}`;
    this.#inline.set(id, partitions);
    return id;
  }

  #plannerContext(dryRun: boolean, scope: JobScope): PlannerContext {
    return {
      shufflePartitions: this.#opts.shufflePartitions,
      broadcastThresholdRows: this.#opts.broadcastThresholdRows,
      dryRun,
      nextStageId: () => ++this.#stageSeq,
      nextOutputId: () => ++this.#outputSeq,
      locations: (o) => this.#scheduler.outputLocations(o),
      inlinePayload: (id, p) => this.#inline.get(id)?.[p],
      cachedStage: (id) => this.#cacheStages.get(id),
      rememberCachedStage: (id, s) => {
        this.#cacheStages.set(id, s);
        // Recomputing a lost cached partition reads them again: they live until unpersist.
        this.#broadcasts.retain(lineageBroadcasts(s), cacheOwner(id));
      },
      collect: async (part: Part) => {
        const r = await this.#runPart(part, { kind: "result" }, "sub-job", scope);
        return r.batches;
      },
      broadcast: (schema, batches) => {
        const bytes = encodeBatches(
          schema,
          batches.length ? [concatBatches(schema, batches)] : [emptyBatch(schema)],
        );
        return this.#broadcasts.put("arrow", bytes, scope.owner);
      },
      broadcastArgs: (json) => this.#broadcasts.put("json", json, scope.owner),
      carries: async (part, job) => {
        const { module, carry, args } = job;
        const chain = await this.#modules.load<ChainFn>(module, carry.chain);
        const fold = { module, export: carry.summarize, args };
        const r = await this.#runFold(part, fold, "sub-job: carry", scope, job.input);
        return await chainCarries(r.values, chain, { args, what: `${module}#${carry.chain}` });
      },
    };
  }

  /** Text of the stage plan (no sub-jobs run). */
  async explain(plan: LogicalPlan): Promise<string> {
    const ctx = this.#plannerContext(true, { stages: new Set(), signal: undefined, owner: "explain" });
    const part = await planPart(plan, ctx);
    return explainStages(resultStage(part, { kind: "result" }, ctx, "Result → driver"));
  }

  /** Runs `plan` with `action`. */
  async runJob(
    plan: LogicalPlan,
    action: Action,
    options: { signal?: AbortSignal | undefined; description?: string } = {},
  ): Promise<JobResult> {
    if (this.#stopped.signal.aborted) throw new StoppedError("Driver is stopped");
    const scope: JobScope = { stages: new Set(), signal: options.signal, owner: `job-${++this.#scopeSeq}` };
    try {
      const ctx = this.#plannerContext(false, scope);
      const part = await planPart(plan, ctx);
      const schema = schemaOf(plan);
      const description = options.description ?? action.kind;
      if (action.kind === "aggregate") {
        const { module, args } = action;
        const merge = await this.#modules.load<MergeFn>(module, action.merge);
        const fold = { module, export: action.fold, args };
        const { values, ...r } = await this.#runFold(part, fold, description, scope, plan);
        const value = await mergeInOrder(values, merge, { args, what: `${module}#${action.merge}` });
        return { ...r, schema, value };
      }
      const sink: TaskSink = action.kind === "collect"
        ? { kind: "result" }
        : action.kind === "count"
        ? { kind: "count" }
        : {
          kind: "write",
          format: action.format,
          dir: action.dir,
          file: "",
        };
      const { values: _, ...r } = await this.#runPart(part, sink, description, scope);
      return { ...r, schema: r.batches[0]?.schema ?? schema };
    } finally {
      this.#cleanup(scope);
    }
  }

  /** Folds every partition of `part` (the plan `input`) with `fold`, its arguments shipped by size. */
  #runFold(
    part: Part,
    fold: { module: string; export: string; args: Json },
    description: string,
    scope: JobScope,
    input: LogicalPlan,
  ): Promise<PartResult> {
    const shipped = shipArgs(fold.args, this.#plannerContext(false, scope));
    const reading: Part = { ...part, broadcasts: [...part.broadcasts, ...argsBroadcasts(shipped)] };
    return this.#runPart(reading, foldSinks(input, fold, part.n, shipped), description, scope);
  }

  async #runPart(
    part: Part,
    sink: TaskSink | ((p: number) => TaskSink),
    description: string,
    scope: JobScope,
  ): Promise<PartResult> {
    if (this.#stopped.signal.aborted) throw new StoppedError("Driver is stopped");
    const signal = scope.signal;
    const ctx = this.#plannerContext(false, scope);
    const sinkFor = typeof sink === "function" || sink.kind !== "write" ? sink : (p: number): TaskSink => {
      const ext = sink.format === "arrow" ? "arrow" : sink.format;
      return { ...sink, file: `part-${String(p).padStart(5, "0")}.${ext}` };
    };
    const final = resultStage(part, sinkFor, ctx, "Result");
    this.#register(final, scope.stages);
    const jobId = ++this.#jobSeq;
    const status: JobStatus = { id: jobId, description, state: "running", stages: [] };
    this.#jobs.set(jobId, status);
    const onAbort = () =>
      this.#scheduler.cancelJob(
        jobId,
        signal!.reason instanceof Error ? signal!.reason : new StoppedError("Job aborted"),
      );
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal?.aborted) throw signal.reason;
      const values = await this.#scheduler.submitJob(jobId, final);
      status.state = "succeeded";
      const batches: Batch[] = [];
      const outputs: TaskOutputMsg[] = [];
      const partitionValues: PartitionValue[] = [];
      let rows = 0;
      for (const v of values) {
        const { output, taskId } = v as { output: TaskOutputMsg; taskId: string };
        outputs.push(output);
        if (output.kind !== "map") rows += output.rows;
        const bytes = this.#results.get(taskId);
        this.#results.delete(taskId);
        if (output.kind === "value") partitionValues.push(decodePartitionValue(output.encoding, bytes));
        else if (bytes) { for (const b of decodeBatches(bytes).batches) batches.push(b); }
      }
      return { batches, rows, outputs, values: partitionValues };
    } catch (e) {
      status.state = "failed";
      status.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (this.#jobs.size > 100) this.#jobs.delete(this.#jobs.keys().next().value!);
    }
  }

  #register(stage: PlannedStage, owned: Set<number>): void {
    if (this.#stages.has(stage.id)) return;
    this.#stages.set(stage.id, stage);
    owned.add(stage.id);
    for (const p of stage.parents) this.#register(p, owned);
  }

  /** Drops the stages and shuffle outputs this job (and its sub-jobs) made; cached outputs stay. */
  #cleanup(scope: JobScope): void {
    const cached = new Set([...this.#cacheStages.values()].map((s) => s.id));
    const outputIds: number[] = [];
    for (const id of scope.stages) {
      if (cached.has(id)) continue;
      const s = this.#stages.get(id);
      this.#stages.delete(id);
      if (s?.outputId !== undefined) {
        outputIds.push(s.outputId);
        this.#scheduler.removeOutput(s.outputId);
      }
    }
    if (outputIds.length) {
      for (const e of this.#executors.values()) {
        this.#sendTo(e.id, { v: 1, type: "blocks.remove", outputIds, broadcastIds: [] });
      }
    }
    this.#dropBroadcasts(this.#broadcasts.release(scope.owner));
  }

  /** Tells every executor holding one of `ids` (released broadcast values) to drop it. */
  #dropBroadcasts(ids: readonly string[]): void {
    if (ids.length === 0) return;
    for (const e of this.#executors.values()) {
      const held = ids.filter((id) => e.broadcasts.delete(id));
      if (held.length) this.#sendTo(e.id, { v: 1, type: "blocks.remove", outputIds: [], broadcastIds: held });
    }
  }

  /** Forgets a cached dataset's blocks. */
  unpersist(cacheId: number): void {
    const s = this.#cacheStages.get(cacheId);
    if (!s || s.outputId === undefined) return;
    this.#cacheStages.delete(cacheId);
    this.#stages.delete(s.id);
    this.#scheduler.removeOutput(s.outputId);
    for (const e of this.#executors.values()) {
      this.#sendTo(e.id, { v: 1, type: "blocks.remove", outputIds: [s.outputId], broadcastIds: [] });
    }
    this.#dropBroadcasts(this.#broadcasts.release(cacheOwner(cacheId)));
  }

  /**
   * Drops the executor-local state (`PartitionContext.state`) whose keys start with `prefix` on
   * every alive executor (sent in order after the tasks already sent to it). `TypeError` for an
   * empty prefix.
   */
  releaseState(prefix: string): void {
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new TypeError("releaseState() needs a non-empty key prefix");
    }
    for (const e of this.#executors.values()) {
      this.#sendTo(e.id, { v: 1, type: "state.release", prefix });
    }
  }

  status(): ClusterStatus {
    const sched = this.#scheduler.status();
    const running = new Map(sched.executors.map((e) => [e.id, e.running]));
    const now = this.#clock.now();
    for (const j of sched.jobs) {
      const s = this.#jobs.get(j.id);
      if (s) s.stages = j.stages;
    }
    return {
      executors: [...this.#executors.values()].map((e) => ({
        id: e.id,
        host: e.info.host,
        pid: e.info.pid,
        epoch: e.epoch,
        kind: e.info.kind,
        state: e.state,
        slots: e.info.slots,
        runningTasks: running.get(e.id) ?? 0,
        blockBytes: e.blockBytes,
        stateBytes: e.stateBytes,
        stateBudgetBytes: e.stateBudgetBytes,
        broadcasts: e.heldBroadcasts,
        broadcastBytes: e.broadcastBytes,
        rssBytes: e.rssBytes,
        lastHeartbeatAgoMs: e.lastHeartbeat === undefined ? undefined : now - e.lastHeartbeat,
      })),
      jobs: [...this.#jobs.values()].map((j) => ({ ...j, stages: [...j.stages] })),
      malformedFrames: this.malformedFrames,
    };
  }

  /** Stops every executor connection and timer. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped.signal.aborted) return;
    this.#stopped.abort(new StoppedError("Driver stopped"));
    if (this.#livenessTimer !== undefined) this.#clock.clearTimeout(this.#livenessTimer);
    this.#scheduler.cancelAll(new StoppedError("Driver stopped while the job was running"));
    for (const e of this.#executors.values()) {
      if (e.state === "alive") this.#sendTo(e.id, { v: 1, type: "executor.shutdown" });
    }
    await Promise.allSettled([...this.#executors.values()].map((e) => e.chain));
    for (const e of this.#executors.values()) {
      e.state = "dead";
      await e.conn.close("driver stopped").catch(() => {});
    }
    await Promise.allSettled([...this.#executors.values()].map((e) => e.loop));
    await this.#system.stop();
    this.#notify();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** The broadcast owner name of cached dataset `cacheId`. */
function cacheOwner(cacheId: number): string {
  return `cache-${cacheId}`;
}

/** The broadcast values `stage` and the stages before it read. */
function lineageBroadcasts(stage: PlannedStage): Set<string> {
  const out = new Set<string>();
  const seen = new Set<number>();
  const visit = (s: PlannedStage) => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    for (const b of s.broadcasts) out.add(b);
    for (const p of s.parents) visit(p);
  };
  visit(stage);
  return out;
}

/** `stateBudgetBytes` when it is absent or a non-negative safe integer; `RangeError` naming it otherwise. */
export function checkStateBudget(bytes: number | undefined): number | undefined {
  if (bytes === undefined || (Number.isSafeInteger(bytes) && bytes >= 0)) return bytes;
  throw new RangeError(`stateBudgetBytes must be a non-negative integer of bytes, got ${bytes}`);
}
