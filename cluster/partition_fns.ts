/**
 * The user code that runs per partition, and how a job names it. User code never travels as
 * text: a job names an export of a module URL, and executors (and, for `merge` and `chain`, the
 * driver) import it only when the URL is on the cluster's allowlist (`Frontier.start({ modules })`)
 * or is one of Frontier's own modules (`modules.ts`); anything else fails with `NotAllowedError`.
 *
 * - {@linkcode GeneratorFn} (`fx.generate`): yields a partition's rows from nothing.
 * - {@linkcode MapPartitionsFn} (`Dataset.mapPartitions`): turns a partition's batches into batches
 *   of a declared schema, optionally with a carry from the partitions before it: a
 *   {@linkcode FoldFn} `summarize` runs over every partition first, a {@linkcode ChainFn} `chain`
 *   on the driver turns the summaries, in partition order, into one carry per partition.
 * - {@linkcode FoldFn} + {@linkcode MergeFn} (`Dataset.aggregatePartitions`, Spark's
 *   `treeAggregate`): each partition folds into a {@linkcode PartitionValue}; the driver merges
 *   the values pairwise in partition-index order, so the result never depends on which task
 *   finished first.
 *
 * Every function gets the partition's `seed` (a function of the plan and the partition, never
 * of the attempt), so a retried task reproduces its output, and the executor's
 * {@linkcode PartitionState}: values kept on the executor between jobs (a cache the function must
 * be able to rebuild, see `executor/state_store.ts`).
 *
 * @module
 */
import type { Json } from "../actors/errors.ts";
import type { Batch, Schema } from "./columnar/batch.ts";
import type { PartitionValue } from "./util/partition_value.ts";

export type { PartitionValue, ValueEncoding } from "./util/partition_value.ts";

/**
 * Executor-local values that outlive a task (`ctx.state`), keyed by string: a bounded cache with
 * least-recently-used eviction, counted in the executor's status. A value may be gone at any
 * time (evicted, the executor replaced, the task run elsewhere after a failure): code that uses
 * it must rebuild it from its input when it is missing, and must not let the result depend on
 * whether it was there. Keys are shared by every job on the executor: prefix them with
 * something unique to the caller, and release them (`Dataset.releaseState(prefix)`) when done.
 */
export interface PartitionState {
  /** The value under `key` (now the most recently used), or `undefined`. */
  get(key: string): unknown;
  /**
   * Keeps `value` under `key`, declared as `bytes` bytes of the executor's state budget; evicts
   * least recently used entries to make room. False when `bytes` exceeds the whole budget (then
   * nothing is kept under `key`).
   */
  set(key: string, value: unknown, bytes: number): boolean;
  /** Drops `key`; whether it was there. */
  delete(key: string): boolean;
  /**
   * The executor's state budget in bytes (`Frontier.start({ stateBudgetBytes })`); absent for
   * stores that do not say.
   */
  readonly budgetBytes?: number;
}

/** What every per-partition function is told about its partition. */
export interface PartitionContext {
  /** This partition's index. */
  readonly partition: number;
  /** Partitions of the dataset. */
  readonly numPartitions: number;
  /** The job's JSON arguments for this operator. */
  readonly args: Json;
  /** The partition's seed: the same on every executor and every attempt. */
  readonly seed: number;
  /** Aborted when the task is killed. */
  readonly signal: AbortSignal;
  /** This executor's state store, shared by the tasks that run on it. */
  readonly state: PartitionState;
}

/** A {@linkcode PartitionContext} over input rows. */
export interface InputContext extends PartitionContext {
  /** The schema of the input batches. */
  readonly schema: Schema;
}

/** What a map function is told: its input and, with a carry, the value chained for its partition. */
export interface MapContext extends InputContext {
  /** This partition's carry (see {@linkcode ChainFn}); `undefined` when the operator has none. */
  readonly carry: Json | undefined;
}

/**
 * Yields a partition's batches (each with the declared schema).
 *
 * @example A generator of squares, split by partition
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Batch, GeneratorFn, Schema } from "@frontier/frontier";
 *
 * const schema: Schema = [{ name: "square", type: "long", nullable: false }];
 * const squares: GeneratorFn = function* ({ partition, numPartitions, args }) {
 *   const n = Number(args);
 *   const from = Math.floor((n * partition) / numPartitions);
 *   const to = Math.floor((n * (partition + 1)) / numPartitions);
 *   const values = new Float64Array(to - from).map((_, i) => (from + i) ** 2);
 *   yield { schema, length: values.length, columns: [{ type: "long", values }] };
 * };
 *
 * const noState = { get: () => undefined, set: () => false, delete: () => false };
 * const signal = new AbortController().signal;
 * const ctx = { partition: 1, numPartitions: 2, args: 6, seed: 0, signal, state: noState };
 * const [batch] = [...squares(ctx) as Iterable<Batch>];
 * assert.deepEqual([...batch!.columns[0]!.values], [9, 16, 25]);
 * ```
 */
export type GeneratorFn = (ctx: PartitionContext) => Iterable<Batch> | AsyncIterable<Batch>;

/** Turns a partition's batches (in order, none empty) into batches of the declared schema. */
export type MapPartitionsFn = (
  batches: readonly Batch[],
  ctx: MapContext,
) => Iterable<Batch> | AsyncIterable<Batch>;

/** Folds a partition's batches (in order, none empty) into one value. */
export type FoldFn = (
  batches: readonly Batch[],
  ctx: InputContext,
) => PartitionValue | Promise<PartitionValue>;

/**
 * Merges two values (`a` from lower partition indices than `b`). Must be associative for the
 * result not to depend on the partition count; the order of calls is fixed for a given count.
 */
export type MergeFn = (
  a: PartitionValue,
  b: PartitionValue,
  ctx: { readonly args: Json },
) => PartitionValue | Promise<PartitionValue>;

/** Turns every partition's summary, in partition order, into one JSON carry per partition. */
export type ChainFn = (
  summaries: readonly PartitionValue[],
  ctx: { readonly args: Json },
) => readonly Json[] | Promise<readonly Json[]>;

/** A prefix carry: the named `summarize` ({@linkcode FoldFn}) and `chain` ({@linkcode ChainFn}) exports. */
export interface CarrySpec {
  /** Name of the {@linkcode FoldFn} export that summarizes a partition (on the executors). */
  readonly summarize: string;
  /** Name of the {@linkcode ChainFn} export that turns the summaries into carries (on the driver). */
  readonly chain: string;
}

/** What `Dataset.mapPartitions` runs. */
export interface MapPartitionsSpec {
  /** URL of an allowlisted (or built-in) module. */
  readonly module: string;
  /** Name of its {@linkcode MapPartitionsFn} export. */
  readonly export: string;
  /** The schema of every batch it yields. */
  readonly schema: Schema;
  /** JSON arguments. @default {null} */
  readonly args?: Json;
  /** Exports that compute each partition's carry from the partitions before it. */
  readonly carry?: CarrySpec;
}

/** What `Dataset.aggregatePartitions` runs. */
export interface AggregatePartitionsSpec {
  /** URL of an allowlisted (or built-in) module. */
  readonly module: string;
  /** Name of its {@linkcode FoldFn} export (runs on the executors). */
  readonly fold: string;
  /** Name of its {@linkcode MergeFn} export (runs on the driver). */
  readonly merge: string;
  /** JSON arguments, given to both. @default {null} */
  readonly args?: Json;
}
