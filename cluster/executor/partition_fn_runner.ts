/**
 * Runs user code on an executor: a `mapPartitions` export over a partition's batches, or a fold
 * export into a value for the driver. The exports come from the executor's module allowlist
 * (`TaskContext.load`); what they return is checked before it goes anywhere.
 *
 * @module
 */
import { abortReason, type Json } from "../../actors/errors.ts";
import { SchemaError } from "../errors.ts";
import type { Batch, Schema } from "../columnar/batch.ts";
import type { FoldFn, MapPartitionsFn, PartitionState } from "../partition_fns.ts";
import type { TaskNode, TaskSink } from "../plan/task_plan.ts";
import { checkPartitionValue, encodePartitionValue, type ValueEncoding } from "../util/partition_value.ts";

/** What user code needs from the task: its exports, cancellation, and the executor's state. */
export interface UserCodeContext {
  /** Aborted when the task is killed. */
  readonly signal: AbortSignal;
  /** The executor's state store (`PartitionContext.state`). */
  readonly state: PartitionState;
  /** The function export `name` of an allowed `module`. Throws `NotAllowedError`. */
  load<F extends (...args: never[]) => unknown>(module: string, name: string): Promise<F>;
  /** The JSON of broadcast value `id` (arguments too large to travel with the task). */
  broadcastJson(id: string): Promise<Json>;
}

/** An operator's arguments: inline, or the broadcast value it names (decoded once per executor). */
export function argsOf(
  spec: { readonly args: Json; readonly argsBroadcast?: string | undefined },
  ctx: UserCodeContext,
): Promise<Json> {
  return spec.argsBroadcast === undefined
    ? Promise.resolve(spec.args)
    : ctx.broadcastJson(spec.argsBroadcast);
}

/** Applies the node's `MapPartitionsFn` to `input` (the child's batches); checks every output batch. */
export async function runMapPartitions(
  node: Extract<TaskNode, { op: "mapPartitions" }>,
  input: readonly Batch[],
  ctx: UserCodeContext,
): Promise<Batch[]> {
  const what = `${node.module}#${node.export}`;
  const fn = await ctx.load<MapPartitionsFn>(node.module, node.export);
  const out: Batch[] = [];
  const produced = fn(input.filter((b) => b.length > 0), {
    partition: node.partition,
    numPartitions: node.numPartitions,
    args: await argsOf(node, ctx),
    seed: node.seed,
    signal: ctx.signal,
    state: ctx.state,
    schema: input[0]!.schema,
    carry: node.carry,
  });
  for await (const b of produced as AsyncIterable<Batch>) {
    if (ctx.signal.aborted) throw abortReason(ctx.signal, "task");
    out.push(conform(node.schema, b, `mapPartitions ${what}`));
  }
  return out;
}

/** Folds `batches` with the sink's `FoldFn` into an encoded value. */
export async function runFold(
  sink: Extract<TaskSink, { kind: "fold" }>,
  batches: readonly Batch[],
  partition: number,
  ctx: UserCodeContext,
): Promise<{ encoding: ValueEncoding; bytes: Uint8Array }> {
  const fn = await ctx.load<FoldFn>(sink.module, sink.export);
  const value = await fn(batches.filter((b) => b.length > 0), {
    partition,
    numPartitions: sink.numPartitions,
    args: await argsOf(sink, ctx),
    seed: sink.seed,
    signal: ctx.signal,
    state: ctx.state,
    schema: batches[0]!.schema,
  });
  return encodePartitionValue(checkPartitionValue(value, `The value of fold ${sink.module}#${sink.export}`));
}

/** Checks a batch user code produced against the declared schema (names and types). */
export function conform(schema: Schema, b: Batch, what: string): Batch {
  if (
    b.schema.length !== schema.length ||
    b.schema.some((f, i) => f.name !== schema[i]!.name || f.type !== schema[i]!.type)
  ) {
    throw new SchemaError(
      `${what} produced a batch (${
        b.schema.map((f) => `${f.name}: ${f.type}`).join(", ")
      }) whose schema differs from the declared one (${
        schema.map((f) => `${f.name}: ${f.type}`).join(", ")
      })`,
    );
  }
  return b;
}
