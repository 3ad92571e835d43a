/**
 * The DAG scheduler: a state machine over stages, tasks and executors. It decides what runs
 * where; the driver performs the I/O. Pure of sockets and timers except the injected clock, so
 * it is tested with fake executors on a {@linkcode FakeClock}.
 *
 * Semantics (Spark's, simplified):
 * - a job is a final (result) stage whose parents are map stages producing registered outputs;
 *   a stage runs once all its parents' outputs are complete; stages with complete outputs are skipped;
 * - a task is retried up to `maxTaskAttempts` times for failures it caused, unless its error is
 *   deterministic (`FrontierError.deterministic`, carried on the wire): then the job fails at once;
 *   executor loss does not count;
 * - a fetch failure unregisters the lost map output, and the parent stage is resubmitted for its
 *   missing partitions (at most `maxStageAttempts` consecutive times);
 * - when an executor is lost, its outputs are unregistered and recomputed from lineage when needed,
 *   its running tasks are re-queued; results reported from a dead epoch are ignored;
 * - the first successful attempt of a partition commits; later duplicates are dropped;
 * - an executor that keeps failing tasks is excluded for a bounded time, never the last one.
 *
 * @module
 */
import type { Clock } from "../../actors/clock.ts";
import { errorFromWire, type WireError } from "../../actors/errors.ts";
import { JobFailedError } from "../errors.ts";

export interface StageDef {
  readonly id: number;
  readonly numPartitions: number;
  readonly parents: readonly StageDef[];
  /** Set for map stages: the id their outputs are registered under. */
  readonly outputId?: number | undefined;
  /** Executor that should preferably run partition `p` (e.g. where its cached input lives). */
  readonly preferredExecutor?: ((p: number) => string | undefined) | undefined;
}

export interface TaskAttempt {
  readonly taskId: string;
  readonly jobId: number;
  readonly stage: StageDef;
  readonly stageAttempt: number;
  readonly partition: number;
  readonly attempt: number;
  readonly executorId: string;
  readonly epoch: number;
}

export interface MapOutputLocation {
  readonly executorId: string;
  readonly epoch: number;
  /** Rows and bytes per reduce partition. */
  readonly rows: readonly number[];
  readonly bytes: readonly number[];
}

export type TaskOutput =
  | { readonly kind: "map"; readonly rows: readonly number[]; readonly bytes: readonly number[] }
  | { readonly kind: "result"; readonly value: unknown };

export type TaskFailure =
  | { readonly kind: "task"; readonly error: WireError }
  | {
    readonly kind: "fetch";
    readonly error: WireError;
    readonly outputId: number;
    readonly mapPartition: number;
    readonly executorId: string;
  };

export interface SchedulerDeps {
  clock: Clock;
  /** Start `task` on its executor. Failures to send are reported back through `executorLost`. */
  launch(task: TaskAttempt): void;
  /** Best-effort cancellation of a running attempt. */
  kill(task: TaskAttempt): void;
}

export interface SchedulerOptions {
  /** Attempts per task for failures the task caused. @default {4} */
  maxTaskAttempts?: number;
  /** Consecutive resubmissions of a stage after fetch failures. @default {4} */
  maxStageAttempts?: number;
  /** Task failures on one executor within `exclusionWindowMs` that exclude it. @default {2} */
  excludeAfterFailures?: number;
  /** @default {60_000} */
  exclusionWindowMs?: number;
  /** How long an executor stays excluded. @default {30_000} */
  excludeForMs?: number;
  /**
   * How long a task whose input lives on one executor (a cached partition) waits for a slot
   * there before it runs elsewhere and fetches the input over the network, as Spark's
   * `spark.locality.wait`. The driver re-runs placement on its liveness tick. @default {3_000}
   */
  localityWaitMs?: number;
}

interface ExecutorState {
  id: string;
  epoch: number;
  slots: number;
  running: Set<string>;
  failures: number[];
  excludedUntil: number;
}

interface StageState {
  def: StageDef;
  attempt: number;
  consecutiveFailures: number;
  /** Partitions queued to launch. */
  queued: Set<number>;
  /** When each queued partition was queued (clock.now()), for the locality wait. */
  queuedAt: Map<number, number>;
  /** Running attempts by partition. */
  running: Map<number, Set<string>>;
  /** Task-caused failures by partition. */
  failures: Map<number, number>;
  launches: Map<number, number>;
}

interface JobState {
  id: number;
  final: StageDef;
  results: Map<number, unknown>;
  resolve(results: unknown[]): void;
  reject(error: Error): void;
  stages: Set<number>;
  done: boolean;
}

export interface SchedulerStatus {
  executors: {
    id: string;
    epoch: number;
    slots: number;
    running: number;
    excludedUntil: number | undefined;
  }[];
  jobs: {
    id: number;
    stages: {
      id: number;
      attempt: number;
      partitions: number;
      done: number;
      running: number;
      queued: number;
    }[];
  }[];
}

/** Queued tasks waiting for their preferred executor that one placement pass looks past. */
const LOOKAHEAD = 1024;

export class Scheduler {
  readonly #deps: SchedulerDeps;
  readonly #opts: Required<SchedulerOptions>;
  readonly #executors = new Map<string, ExecutorState>();
  readonly #stages = new Map<number, StageState>();
  readonly #outputs = new Map<number, (MapOutputLocation | undefined)[]>();
  readonly #jobs = new Map<number, JobState>();
  readonly #tasks = new Map<string, TaskAttempt>();
  /** FIFO of [stageId, partition] waiting for a slot. Bounded by the partitions of active stages. */
  #queue: [number, number][] = [];

  constructor(deps: SchedulerDeps, options: SchedulerOptions = {}) {
    this.#deps = deps;
    this.#opts = {
      maxTaskAttempts: options.maxTaskAttempts ?? 4,
      maxStageAttempts: options.maxStageAttempts ?? 4,
      excludeAfterFailures: options.excludeAfterFailures ?? 2,
      exclusionWindowMs: options.exclusionWindowMs ?? 60_000,
      excludeForMs: options.excludeForMs ?? 30_000,
      localityWaitMs: options.localityWaitMs ?? 3_000,
    };
  }

  // ---- executors ----

  addExecutor(id: string, epoch: number, slots: number): void {
    if (!(slots >= 1)) throw new RangeError(`Executor "${id}" needs at least 1 slot, got ${slots}`);
    this.#executors.set(id, { id, epoch, slots, running: new Set(), failures: [], excludedUntil: 0 });
    this.#schedule();
  }

  /** An executor died or left: forget its outputs, re-queue its running tasks. */
  executorLost(id: string): void {
    const ex = this.#executors.get(id);
    if (!ex) return;
    this.#executors.delete(id);
    for (const taskId of ex.running) {
      const t = this.#tasks.get(taskId);
      if (!t) continue;
      this.#tasks.delete(taskId);
      const st = this.#stages.get(t.stage.id);
      if (!st) continue;
      st.running.get(t.partition)?.delete(taskId);
      if (!this.#isPartitionDone(st.def, t.partition, t.jobId)) this.#enqueue(st, t.partition);
    }
    for (const [outputId, locs] of this.#outputs) {
      locs.forEach((loc, p) => {
        if (loc?.executorId === id) locs[p] = undefined;
      });
      void outputId;
    }
    this.#recheckActiveStages();
    this.#schedule();
  }

  isAlive(id: string, epoch: number): boolean {
    return this.#executors.get(id)?.epoch === epoch;
  }

  // ---- outputs ----

  /** Locations of every map partition of `outputId` (all defined once the stage completed). */
  outputLocations(outputId: number): readonly (MapOutputLocation | undefined)[] {
    return this.#outputs.get(outputId) ?? [];
  }

  /** Forgets outputs (shuffle cleanup, unpersist). */
  removeOutput(outputId: number): void {
    this.#outputs.delete(outputId);
  }

  #outputComplete(stage: StageDef): boolean {
    if (stage.outputId === undefined) return false;
    const locs = this.#outputs.get(stage.outputId);
    if (!locs || locs.length !== stage.numPartitions) return false;
    for (let p = 0; p < stage.numPartitions; p++) if (!locs[p]) return false;
    return true;
  }

  // ---- jobs ----

  /** Runs `final` (a result stage) and resolves with each partition's result value, in order. */
  submitJob(jobId: number, final: StageDef): Promise<unknown[]> {
    if (final.outputId !== undefined) {
      throw new TypeError(`Stage ${final.id} of job ${jobId} is not a result stage`);
    }
    return new Promise<unknown[]>((resolve, reject) => {
      const job: JobState = {
        id: jobId,
        final,
        results: new Map(),
        resolve,
        reject,
        stages: new Set(),
        done: false,
      };
      this.#jobs.set(jobId, job);
      if (final.numPartitions === 0) {
        this.#finishJob(job);
        return;
      }
      this.#submitStage(final, job);
      this.#schedule();
    });
  }

  /** Rejects every active job with `reason` (driver shutdown). */
  cancelAll(reason: Error): void {
    for (const job of [...this.#jobs.values()]) this.#failJob(job, reason);
  }

  cancelJob(jobId: number, reason: Error): void {
    const job = this.#jobs.get(jobId);
    if (job) this.#failJob(job, reason);
  }

  #submitStage(def: StageDef, job: JobState): void {
    job.stages.add(def.id);
    let st = this.#stages.get(def.id);
    if (!st) {
      st = {
        def,
        attempt: 0,
        consecutiveFailures: 0,
        queued: new Set(),
        queuedAt: new Map(),
        running: new Map(),
        failures: new Map(),
        launches: new Map(),
      };
      this.#stages.set(def.id, st);
      if (def.outputId !== undefined && !this.#outputs.has(def.outputId)) {
        this.#outputs.set(def.outputId, new Array(def.numPartitions).fill(undefined));
      }
    }
    if (def.outputId !== undefined && this.#outputComplete(def)) return;
    const missingParents = def.parents.filter((p) => !this.#outputComplete(p));
    if (missingParents.length > 0) {
      for (const p of missingParents) this.#submitStage(p, job);
      return;
    }
    for (let p = 0; p < def.numPartitions; p++) {
      if (!this.#isPartitionDone(def, p, job.id) && !(st.running.get(p)?.size)) this.#enqueue(st, p);
    }
  }

  #isPartitionDone(def: StageDef, p: number, jobId: number): boolean {
    if (def.outputId !== undefined) return this.#outputs.get(def.outputId)?.[p] !== undefined;
    return this.#jobs.get(jobId)?.results.has(p) ?? true;
  }

  #enqueue(st: StageState, p: number): void {
    if (st.queued.has(p)) return;
    st.queued.add(p);
    st.queuedAt.set(p, this.#deps.clock.now());
    this.#queue.push([st.def.id, p]);
  }

  #jobOfStage(stageId: number): JobState | undefined {
    for (const job of this.#jobs.values()) if (!job.done && job.stages.has(stageId)) return job;
    return undefined;
  }

  /** After outputs were lost: stages whose parents are incomplete go back to waiting. */
  #recheckActiveStages(): void {
    for (const job of this.#jobs.values()) {
      if (job.done) continue;
      for (const stageId of job.stages) {
        const st = this.#stages.get(stageId);
        if (!st) continue;
        const active = st.queued.size > 0 || [...st.running.values()].some((s) => s.size > 0);
        if (!active) continue;
        if (st.def.parents.some((p) => !this.#outputComplete(p))) {
          this.#dequeueStage(st);
          this.#submitStage(st.def, job);
        }
      }
      this.#submitStage(job.final, job);
    }
  }

  #dequeueStage(st: StageState): void {
    st.queued.clear();
    st.queuedAt.clear();
    this.#queue = this.#queue.filter(([s]) => s !== st.def.id);
  }

  // ---- task events ----

  taskSucceeded(taskId: string, output: TaskOutput): void {
    const t = this.#takeTask(taskId);
    if (!t) return;
    const st = this.#stages.get(t.stage.id);
    const job = this.#jobs.get(t.jobId);
    if (!st || !job || job.done) return;
    if (output.kind === "map") {
      if (t.stage.outputId === undefined) return;
      const locs = this.#outputs.get(t.stage.outputId);
      if (!locs || locs[t.partition]) return; // a later duplicate: dropped
      locs[t.partition] = {
        executorId: t.executorId,
        epoch: t.epoch,
        rows: output.rows,
        bytes: output.bytes,
      };
      if (this.#outputComplete(t.stage)) {
        st.consecutiveFailures = 0;
        this.#onStageOutputComplete();
      }
    } else {
      if (t.stage.outputId !== undefined || job.results.has(t.partition)) return;
      job.results.set(t.partition, output.value);
      if (job.results.size === job.final.numPartitions) this.#finishJob(job);
    }
    this.#killOtherAttempts(st, t.partition);
    this.#schedule();
  }

  taskFailed(taskId: string, failure: TaskFailure): void {
    const t = this.#takeTask(taskId);
    if (!t) return;
    const st = this.#stages.get(t.stage.id);
    const job = this.#jobs.get(t.jobId);
    if (!st || !job || job.done) return;
    if (failure.kind === "task") {
      if (failure.error.deterministic === true) {
        // The error's class says a retry would fail the same way (bad input, bad plan, refused
        // code), and it is no executor's fault. The job fails with the task's own error (e.g.
        // InvalidRowError naming file, line and column), rebuilt as its class.
        this.#failJob(job, errorFromWire(failure.error));
        return;
      }
      const n = (st.failures.get(t.partition) ?? 0) + 1;
      st.failures.set(t.partition, n);
      this.#noteExecutorFailure(t.executorId);
      if (n >= this.#opts.maxTaskAttempts) {
        this.#failJob(
          job,
          new JobFailedError(
            `Job ${job.id} failed: task for partition ${t.partition} of stage ${t.stage.id} failed ${n} times; last error: ${failure.error.name}: ${failure.error.message}`,
            {
              data: {
                jobId: job.id,
                stageId: t.stage.id,
                partition: t.partition,
                attempts: n,
                lastError: { ...failure.error },
              },
            },
          ),
        );
        return;
      }
      if (!this.#isPartitionDone(t.stage, t.partition, t.jobId)) this.#enqueue(st, t.partition);
    } else {
      const locs = this.#outputs.get(failure.outputId);
      const loc = locs?.[failure.mapPartition];
      if (locs && loc && loc.executorId === failure.executorId) locs[failure.mapPartition] = undefined;
      // Counted on the stage that saw the failure, once per stage attempt (several of its tasks
      // usually fail for the same lost output); reset when that stage completes.
      if (t.stageAttempt === st.attempt) {
        st.attempt++;
        st.consecutiveFailures++;
        if (st.consecutiveFailures >= this.#opts.maxStageAttempts) {
          this.#failJob(
            job,
            new JobFailedError(
              `Job ${job.id} failed: stage ${st.def.id} hit fetch failures in ${st.consecutiveFailures} consecutive attempts; last: ${failure.error.message}`,
              { data: { jobId: job.id, stageId: st.def.id } },
            ),
          );
          return;
        }
      }
      this.#recheckActiveStages();
      if (!this.#isPartitionDone(t.stage, t.partition, t.jobId)) {
        if (t.stage.parents.every((p) => this.#outputComplete(p))) this.#enqueue(st, t.partition);
      }
    }
    this.#schedule();
  }

  #takeTask(taskId: string): TaskAttempt | undefined {
    const t = this.#tasks.get(taskId);
    if (!t) return undefined;
    this.#tasks.delete(taskId);
    this.#executors.get(t.executorId)?.running.delete(taskId);
    this.#stages.get(t.stage.id)?.running.get(t.partition)?.delete(taskId);
    if (!this.isAlive(t.executorId, t.epoch)) return undefined;
    return t;
  }

  #killOtherAttempts(st: StageState, partition: number): void {
    const others = st.running.get(partition);
    if (!others) return;
    for (const id of others) {
      const t = this.#tasks.get(id);
      if (t) this.#deps.kill(t);
    }
  }

  #noteExecutorFailure(executorId: string): void {
    const ex = this.#executors.get(executorId);
    if (!ex) return;
    const now = this.#deps.clock.now();
    ex.failures = ex.failures.filter((t) => now - t < this.#opts.exclusionWindowMs);
    ex.failures.push(now);
    if (ex.failures.length < this.#opts.excludeAfterFailures) return;
    const others = [...this.#executors.values()].filter((e) => e !== ex && !this.#isExcluded(e, now));
    if (others.length === 0) return; // never exclude the last one
    ex.excludedUntil = now + this.#opts.excludeForMs;
    ex.failures = [];
  }

  #isExcluded(ex: ExecutorState, now: number): boolean {
    return ex.excludedUntil > now;
  }

  #onStageOutputComplete(): void {
    for (const job of this.#jobs.values()) if (!job.done) this.#submitStage(job.final, job);
  }

  #finishJob(job: JobState): void {
    job.done = true;
    this.#jobs.delete(job.id);
    const out: unknown[] = [];
    for (let p = 0; p < job.final.numPartitions; p++) out.push(job.results.get(p));
    this.#forgetStages(job);
    job.resolve(out);
  }

  #failJob(job: JobState, error: Error): void {
    job.done = true;
    this.#jobs.delete(job.id);
    for (const t of [...this.#tasks.values()]) {
      if (t.jobId === job.id) {
        this.#deps.kill(t);
        this.#tasks.delete(t.taskId);
        this.#executors.get(t.executorId)?.running.delete(t.taskId);
      }
    }
    this.#forgetStages(job);
    job.reject(error);
  }

  #forgetStages(job: JobState): void {
    for (const stageId of job.stages) {
      if (this.#jobOfStage(stageId)) continue;
      const st = this.#stages.get(stageId);
      if (st) this.#dequeueStage(st);
      this.#stages.delete(stageId);
    }
  }

  // ---- placement ----

  /** Launches queued tasks on free, non-excluded executors. Call after clock changes too. */
  schedule(): void {
    this.#schedule();
  }

  #schedule(): void {
    if (this.#queue.length === 0) return;
    const now = this.#deps.clock.now();
    const free = [...this.#executors.values()].filter((e) =>
      !this.#isExcluded(e, now) && e.running.size < e.slots
    );
    let slots = free.reduce((a, e) => a + e.slots - e.running.size, 0);
    if (slots === 0) return;
    // Launch from the head of the FIFO until the slots run out. A task waiting for its preferred
    // (busy) executor stays queued; the scan looks past at most LOOKAHEAD such tasks.
    const waiting: [number, number][] = [];
    let i = 0;
    for (; i < this.#queue.length && slots > 0; i++) {
      const entry = this.#queue[i]!;
      const [stageId, p] = entry;
      const st = this.#stages.get(stageId);
      if (!st || !st.queued.has(p)) continue;
      const job = this.#jobOfStage(stageId);
      if (!job) continue;
      const ex = this.#pickExecutor(st, p, free, now);
      if (!ex) {
        waiting.push(entry);
        if (waiting.length >= LOOKAHEAD) {
          i++;
          break;
        }
        continue;
      }
      st.queued.delete(p);
      st.queuedAt.delete(p);
      slots--;
      const attempt = st.launches.get(p) ?? 0;
      st.launches.set(p, attempt + 1);
      const t: TaskAttempt = {
        taskId: `${job.id}.${stageId}.${st.attempt}.${p}.${attempt}`,
        jobId: job.id,
        stage: st.def,
        stageAttempt: st.attempt,
        partition: p,
        attempt,
        executorId: ex.id,
        epoch: ex.epoch,
      };
      this.#tasks.set(t.taskId, t);
      ex.running.add(t.taskId);
      let set = st.running.get(p);
      if (!set) st.running.set(p, set = new Set());
      set.add(t.taskId);
      this.#deps.launch(t);
    }
    const rest = this.#queue.slice(i);
    this.#queue = waiting.length > 0 ? [...waiting, ...rest] : rest;
  }

  /**
   * Where partition `p` runs now: its preferred executor when that has a free slot; nowhere yet
   * while it waits for it (up to `localityWaitMs`); else the least loaded free executor.
   */
  #pickExecutor(st: StageState, p: number, free: ExecutorState[], now: number): ExecutorState | undefined {
    const preferred = st.def.preferredExecutor?.(p);
    if (preferred !== undefined) {
      const pe = this.#executors.get(preferred);
      if (pe !== undefined && !this.#isExcluded(pe, now)) {
        if (pe.running.size < pe.slots) return pe;
        if (now - (st.queuedAt.get(p) ?? now) < this.#opts.localityWaitMs) return undefined;
      }
    }
    let best: ExecutorState | undefined;
    for (const e of free) {
      if (e.running.size >= e.slots) continue;
      if (!best || e.running.size / e.slots < best.running.size / best.slots) best = e;
    }
    return best;
  }

  status(): SchedulerStatus {
    const now = this.#deps.clock.now();
    return {
      executors: [...this.#executors.values()].map((e) => ({
        id: e.id,
        epoch: e.epoch,
        slots: e.slots,
        running: e.running.size,
        excludedUntil: this.#isExcluded(e, now) ? e.excludedUntil : undefined,
      })),
      jobs: [...this.#jobs.values()].map((j) => ({
        id: j.id,
        stages: [...j.stages].map((sid) => {
          const st = this.#stages.get(sid)!;
          let done = 0;
          for (let p = 0; p < st.def.numPartitions; p++) if (this.#isPartitionDone(st.def, p, j.id)) done++;
          let running = 0;
          for (const s of st.running.values()) running += s.size;
          return {
            id: sid,
            attempt: st.attempt,
            partitions: st.def.numPartitions,
            done,
            running,
            queued: st.queued.size,
          };
        }),
      })),
    };
  }

  /** Tasks currently running (for tests and status). */
  runningTasks(): TaskAttempt[] {
    return [...this.#tasks.values()];
  }
}
