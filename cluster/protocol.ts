/**
 * The driver ⇄ executor protocol: closed tagged unions with a version field, decoded from
 * `unknown` at the boundary. Bulk data (Arrow IPC) rides in the frame payload, never in JSON.
 *
 * @module
 */
import { z } from "zod";
import { MalformedMessageError, type WireError } from "../actors/errors.ts";
import {
  arr,
  arrayValue,
  at,
  bool,
  describe,
  fail,
  failZod,
  isRecord,
  json,
  list,
  nat,
  num,
  type Obj,
  obj,
  oneOf,
  str,
  strs,
  type Where,
  where,
  wireErrorValue,
} from "../actors/decode.ts";
import type { Row, Scalar, Schema } from "./columnar/batch.ts";
import { DATA_TYPES } from "./columnar/batch.ts";
import { decodeCsvDialect, decodeCsvRange } from "./io/csv/range_options.ts";
import { decodeExpr, decodeWindowExpr } from "./expr/codec.ts";
import { AGG_FNS } from "./expr/expr.ts";
import type { TaskFailure } from "./driver/scheduler.ts";
import type { AggSpecJson, JoinHow, Partitioner, SortColumn, TaskNode, TaskSink } from "./plan/task_plan.ts";
import { VALUE_ENCODINGS, type ValueEncoding } from "./util/partition_value.ts";

export const PROTOCOL_VERSION = 1;

/** How a broadcast value is laid out in its `broadcast.put` payload: Arrow IPC batches, or UTF-8 JSON. */
export const BROADCAST_ENCODINGS: readonly ["arrow", "json"] = ["arrow", "json"];

/** One of {@linkcode BROADCAST_ENCODINGS}. */
export type BroadcastEncoding = typeof BROADCAST_ENCODINGS[number];

export type TaskOutputMsg =
  | { kind: "map"; rows: number[]; bytes: number[] }
  | { kind: "result"; rows: number }
  | { kind: "count"; rows: number }
  | { kind: "write"; rows: number; path: string; bytes: number }
  /** A fold's value: its bytes ride in the frame payload, laid out as `encoding` says. */
  | { kind: "value"; rows: number; encoding: ValueEncoding; bytes: number };

export interface TaskMetrics {
  durationMs: number;
  rowsIn: number;
  rowsOut: number;
  bytesFetched: number;
}

/** The first frame the driver sends a new executor (after authentication, if any). */
export interface ExecutorWelcome {
  v: 1;
  type: "executor.welcome";
  executorId: string;
  epoch: number;
  slots: number;
  heartbeatMs: number;
  allowedModules: string[];
  /** Bytes of executor-local state (`PartitionContext.state`) to keep; absent: the executor's own setting. */
  stateBudgetBytes?: number | undefined;
}

const welcome = z.object({
  v: z.literal(1),
  type: z.literal("executor.welcome"),
  executorId: z.string().min(1).max(300),
  epoch: z.number().int().min(1),
  slots: z.number().int().min(1).max(1024),
  heartbeatMs: z.number().int().min(10).max(600_000),
  allowedModules: z.array(z.string().max(4096)).max(1000),
  stateBudgetBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** Decodes the welcome frame. Throws `MalformedMessageError`. */
export function decodeWelcome(u: unknown): ExecutorWelcome {
  const r = welcome.safeParse(u);
  if (!r.success) throw failZod("executor.welcome", r.error);
  return r.data;
}

export type DriverMessage =
  | {
    v: 1;
    type: "task.launch";
    taskId: string;
    jobId: number;
    stageId: number;
    partition: number;
    attempt: number;
    node: TaskNode;
    sink: TaskSink;
  }
  | { v: 1; type: "task.kill"; taskId: string }
  /**
   * A broadcast value in the payload, kept until `blocks.remove` names it: Arrow IPC batches (a
   * broadcast join's side) or the UTF-8 JSON arguments of a per-partition operator.
   */
  | { v: 1; type: "broadcast.put"; broadcastId: string; encoding: BroadcastEncoding }
  | { v: 1; type: "blocks.remove"; outputIds: number[]; broadcastIds: string[] }
  /** Drop the executor-local state (`PartitionContext.state`) whose keys start with `prefix`. */
  | { v: 1; type: "state.release"; prefix: string }
  | {
    v: 1;
    type: "block.request";
    reqId: number;
    outputId: number;
    mapPartition: number;
    reducePartition: number;
  }
  | { v: 1; type: "block.response"; reqId: number; ok: boolean; error?: WireError | undefined }
  | { v: 1; type: "executor.shutdown" }
  | { v: 1; type: "error"; error: WireError };

export type ExecutorMessage =
  | {
    v: 1;
    type: "heartbeat";
    seq: number;
    running: number;
    blockBytes: number;
    /** Bytes of executor-local state (`PartitionContext.state`). */
    stateBytes: number;
    /** The state budget those bytes are counted against. */
    stateBudgetBytes: number;
    /** Broadcast values held. */
    broadcasts: number;
    /** Bytes of the broadcast values held (as received). */
    broadcastBytes: number;
    rssBytes: number;
  }
  | { v: 1; type: "task.finished"; taskId: string; output: TaskOutputMsg; metrics: TaskMetrics }
  | { v: 1; type: "task.failed"; taskId: string; failure: TaskFailure }
  | {
    v: 1;
    type: "block.fetch";
    reqId: number;
    from: string;
    outputId: number;
    mapPartition: number;
    reducePartition: number;
  }
  | { v: 1; type: "block.serve"; reqId: number; ok: boolean; error?: WireError | undefined }
  | { v: 1; type: "error"; error: WireError };

/** A zod schema for a value a hand decoder (`(u, where) => T`) reads, for use inside zod messages. */
export function decodedBy<T>(decode: (u: unknown, w: Where) => T): z.ZodType<T> {
  return z.unknown().transform((u, ctx) => {
    try {
      return decode(u, where(""));
    } catch (e) {
      const d = e instanceof MalformedMessageError ? e.data : {};
      const path = typeof d["path"] === "string" && d["path"] !== "" ? `${d["path"]}: ` : "";
      const problem = typeof d["problem"] === "string"
        ? d["problem"]
        : e instanceof Error
        ? e.message
        : String(e);
      ctx.addIssue({ code: "custom", message: `${path}${problem}` });
      return z.NEVER;
    }
  });
}

/** A serialized error (`{ name, message, data, deterministic?, cause? }`) in a zod message. */
export const wireErrorSchema: z.ZodType<WireError> = decodedBy(wireErrorValue);
/** A batch schema in a zod message. */
export const schemaSchema: z.ZodType<Schema> = decodedBy(decodeSchema);
/** A non-negative safe integer. */
export const natSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** What a finished task produced. */
export const taskOutputSchema: z.ZodType<TaskOutputMsg> = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("map"),
    rows: z.array(natSchema).max(100_000),
    bytes: z.array(natSchema).max(100_000),
  }),
  z.object({ kind: z.literal("result"), rows: natSchema }),
  z.object({ kind: z.literal("count"), rows: natSchema }),
  z.object({ kind: z.literal("write"), rows: natSchema, path: z.string().max(4096), bytes: natSchema }),
  z.object({
    kind: z.literal("value"),
    rows: natSchema,
    encoding: z.enum(VALUE_ENCODINGS),
    bytes: natSchema,
  }),
]);

const wireError = wireErrorSchema;
const int = natSchema;
const id = z.string().min(1).max(200);

const failure = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("task"), error: wireError }),
  z.object({
    kind: z.literal("fetch"),
    error: wireError,
    outputId: int,
    mapPartition: int,
    executorId: z.string().max(200),
  }),
]);

const executorMessage = z.discriminatedUnion("type", [
  z.object({
    v: z.literal(1),
    type: z.literal("heartbeat"),
    seq: int,
    running: int,
    blockBytes: z.number().min(0),
    stateBytes: z.number().min(0),
    stateBudgetBytes: z.number().min(0),
    broadcasts: int,
    broadcastBytes: z.number().min(0),
    rssBytes: z.number().min(0),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal("task.finished"),
    taskId: id,
    output: taskOutputSchema,
    metrics: z.object({ durationMs: z.number().min(0), rowsIn: int, rowsOut: int, bytesFetched: int }),
  }),
  z.object({ v: z.literal(1), type: z.literal("task.failed"), taskId: id, failure }),
  z.object({
    v: z.literal(1),
    type: z.literal("block.fetch"),
    reqId: int,
    from: z.string().max(200),
    outputId: int,
    mapPartition: int,
    reducePartition: int,
  }),
  z.object({
    v: z.literal(1),
    type: z.literal("block.serve"),
    reqId: int,
    ok: z.boolean(),
    error: wireError.optional(),
  }),
  z.object({ v: z.literal(1), type: z.literal("error"), error: wireError }),
]);

const driverSimple = z.discriminatedUnion("type", [
  z.object({ v: z.literal(1), type: z.literal("task.kill"), taskId: id }),
  z.object({
    v: z.literal(1),
    type: z.literal("broadcast.put"),
    broadcastId: id,
    encoding: z.enum(BROADCAST_ENCODINGS),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal("blocks.remove"),
    outputIds: z.array(int).max(100_000),
    broadcastIds: z.array(id).max(100_000),
  }),
  z.object({ v: z.literal(1), type: z.literal("state.release"), prefix: z.string().min(1).max(1000) }),
  z.object({
    v: z.literal(1),
    type: z.literal("block.request"),
    reqId: int,
    outputId: int,
    mapPartition: int,
    reducePartition: int,
  }),
  z.object({
    v: z.literal(1),
    type: z.literal("block.response"),
    reqId: int,
    ok: z.boolean(),
    error: wireError.optional(),
  }),
  z.object({ v: z.literal(1), type: z.literal("executor.shutdown") }),
  z.object({ v: z.literal(1), type: z.literal("error"), error: wireError }),
]);

/** Decodes a message an executor sent. Throws `MalformedMessageError`. */
export function decodeExecutorMessage(u: unknown): ExecutorMessage {
  const r = executorMessage.safeParse(u);
  if (!r.success) throw failZod("executor message", r.error);
  return r.data;
}

/** Decodes a message the driver sent. Throws `MalformedMessageError`. */
export function decodeDriverMessage(u: unknown): DriverMessage {
  if (isRecord(u) && u["type"] === "task.launch") {
    const o = obj(u, where("task.launch"));
    if (o["v"] !== 1) throw fail(at(o, "v"), `must be 1, got ${describe(o["v"])}`);
    return {
      v: 1,
      type: "task.launch",
      taskId: str(o, "taskId"),
      jobId: nat(o, "jobId"),
      stageId: nat(o, "stageId"),
      partition: nat(o, "partition"),
      attempt: nat(o, "attempt"),
      node: decodeTaskNode(o["node"], at(o, "node")),
      sink: decodeSink(o["sink"], at(o, "sink")),
    };
  }
  const r = driverSimple.safeParse(u);
  if (!r.success) throw failZod("driver message", r.error);
  return r.data;
}

// ---- hand decoders for the recursive task tree (toolkit: actors/decode.ts) ----

/** A batch schema from `u` (at `w`, for error messages). Throws `MalformedMessageError`. */
export function decodeSchema(u: unknown, w: Where = where("schema")): Schema {
  return arrayValue(u, w, 10_000).map((f, i) => {
    const o = obj(f, at(w, i));
    return { name: str(o, "name"), type: oneOf(o, "type", DATA_TYPES), nullable: bool(o, "nullable") };
  });
}

function decodeAggSpec(u: unknown, w: Where): AggSpecJson {
  const o = obj(u, w);
  const fn = oneOf(o, "fn", AGG_FNS);
  const out: { -readonly [K in keyof AggSpecJson]: AggSpecJson[K] } = { fn, name: str(o, "name") };
  if (o["input"] !== undefined) out.input = str(o, "input");
  if (o["q"] !== undefined) out.q = num(o, "q");
  if (o["relativeError"] !== undefined) out.relativeError = num(o, "relativeError");
  return out;
}
function decodeSortColumn(u: unknown, w: Where): SortColumn {
  const o = obj(u, w);
  return { column: str(o, "column"), ascending: bool(o, "ascending"), nullsFirst: bool(o, "nullsFirst") };
}
const HOWS: readonly JoinHow[] = ["inner", "left", "right", "full", "semi", "anti"];
const MAX_DEPTH = 64;

/** A task's operator tree from `u` (at `w`). Throws `MalformedMessageError` naming the bad field. */
export function decodeTaskNode(u: unknown, w: Where = where("task node"), depth = 0): TaskNode {
  if (depth > MAX_DEPTH) throw fail(w, `nests operators deeper than ${MAX_DEPTH}`);
  const o = obj(u, w);
  const op = o["op"];
  const child = (k: string) => decodeTaskNode(o[k], at(o, k), depth + 1);
  switch (op) {
    case "range": {
      const step = num(o, "step");
      if (step === 0) throw fail(at(o, "step"), "must not be 0");
      return { op, start: num(o, "start"), end: num(o, "end"), step, column: str(o, "column") };
    }
    case "generate":
      return {
        op,
        module: str(o, "module"),
        export: str(o, "export"),
        args: o["args"] === undefined ? null : json(o, "args"),
        partition: nat(o, "partition"),
        numPartitions: nat(o, "numPartitions"),
        schema: decodeSchema(o["schema"], at(o, "schema")),
        seed: nat(o, "seed"),
        ...argsBroadcast(o),
      };
    case "inline":
      return { op, schema: decodeSchema(o["schema"], at(o, "schema")) };
    case "broadcastRead":
      return { op, broadcastId: str(o, "broadcastId"), schema: decodeSchema(o["schema"], at(o, "schema")) };
    case "shuffleRead":
      return {
        op,
        outputId: nat(o, "outputId"),
        reducePartition: nat(o, "reducePartition"),
        sources: list(o, "sources", (s, sw) => {
          const so = obj(s, sw);
          return { mapPartition: nat(so, "mapPartition"), executorId: str(so, "executorId") };
        }),
        schema: decodeSchema(o["schema"], at(o, "schema")),
      };
    case "project":
      return { op, input: child("input"), exprs: arr(o, "exprs", 10_000).map(decodeExpr) };
    case "filter":
      return { op, input: child("input"), cond: decodeExpr(o["cond"]) };
    case "partialAgg":
    case "finalAgg":
      return {
        op,
        input: child("input"),
        keys: strs(o, "keys"),
        aggs: list(o, "aggs", decodeAggSpec, 10_000),
      };
    case "hashJoin": {
      const how = oneOf(o, "how", HOWS);
      return {
        op,
        left: child("left"),
        right: child("right"),
        leftOn: strs(o, "leftOn"),
        rightOn: strs(o, "rightOn"),
        how,
      };
    }
    case "sortLocal":
      return { op, input: child("input"), keys: list(o, "keys", decodeSortColumn) };
    case "window":
      return {
        op,
        input: child("input"),
        partitionBy: strs(o, "partitionBy"),
        orderBy: list(o, "orderBy", decodeSortColumn),
        fns: list(o, "fns", (x, xw) => decodeWindowExpr(x, xw.path), 10_000),
      };
    case "limit":
      return { op, input: child("input"), n: nat(o, "n") };
    case "sample":
      return { op, input: child("input"), keys: strs(o, "keys"), size: nat(o, "size"), seed: nat(o, "seed") };
    case "rowSample":
      return {
        op,
        input: child("input"),
        lower: num(o, "lower"),
        upper: num(o, "upper"),
        withReplacement: bool(o, "withReplacement"),
        seed: nat(o, "seed"),
      };
    case "csvScan":
      return {
        op,
        path: str(o, "path"),
        start: nat(o, "start"),
        end: nat(o, "end"),
        dialect: o["dialect"] === undefined ? {} : decodeCsvDialect(o["dialect"], at(o, "dialect")),
      };
    case "csvRange":
      return {
        op,
        path: str(o, "path"),
        ...decodeCsvRange({ entry: o["entry"], options: o["options"] }, w),
        schema: decodeSchema(o["schema"], at(o, "schema")),
      };
    case "fixLines":
      return { op, input: child("input"), offset: nat(o, "offset"), file: str(o, "file") };
    case "mapPartitions": {
      const node: Extract<TaskNode, { op: "mapPartitions" }> = {
        op,
        input: child("input"),
        module: str(o, "module"),
        export: str(o, "export"),
        args: json(o, "args"),
        schema: decodeSchema(o["schema"], at(o, "schema")),
        partition: nat(o, "partition"),
        numPartitions: nat(o, "numPartitions"),
        seed: nat(o, "seed"),
        ...argsBroadcast(o),
      };
      return o["carry"] === undefined ? node : { ...node, carry: json(o, "carry") };
    }
    case "fileRead": {
      const format = oneOf(o, "format", ["parquet", "arrow"]);
      return { op, path: str(o, "path"), format, schema: decodeSchema(o["schema"], at(o, "schema")) };
    }
    default:
      throw fail(at(o, "op"), `is not an operator: ${describe(op)}`);
  }
}

function decodePartitioner(u: unknown, w: Where): Partitioner {
  const o = obj(u, w);
  switch (o["kind"]) {
    case "hash":
      return { kind: "hash", keys: strs(o, "keys"), n: nat(o, "n") };
    case "roundRobin":
      return { kind: "roundRobin", n: nat(o, "n") };
    case "range":
      return {
        kind: "range",
        keys: list(o, "keys", decodeSortColumn),
        n: nat(o, "n"),
        bounds: o["bounds"] === undefined ? [] : list(o, "bounds", decodeRow),
      };
    case "single":
      return { kind: "single" };
    case "coalesce":
      return { kind: "coalesce", n: nat(o, "n"), numMaps: nat(o, "numMaps") };
    case "identity":
      return { kind: "identity" };
    case "split":
      return { kind: "split" };
    default:
      throw fail(at(o, "kind"), `is not a partitioner: ${describe(o["kind"])}`);
  }
}

/** Where a task's output goes, from `u` (at `w`). Throws `MalformedMessageError`. */
export function decodeSink(u: unknown, w: Where = where("sink")): TaskSink {
  const o = obj(u, w);
  switch (o["kind"]) {
    case "shuffle":
      return {
        kind: "shuffle",
        outputId: nat(o, "outputId"),
        partitioner: decodePartitioner(o["partitioner"], at(o, "partitioner")),
      };
    case "result":
      return { kind: "result" };
    case "count":
      return { kind: "count" };
    case "fold":
      return {
        kind: "fold",
        module: str(o, "module"),
        export: str(o, "export"),
        args: json(o, "args"),
        numPartitions: nat(o, "numPartitions"),
        seed: nat(o, "seed"),
        ...argsBroadcast(o),
      };
    case "write":
      return {
        kind: "write",
        format: oneOf(o, "format", ["arrow", "parquet", "csv"]),
        dir: str(o, "dir"),
        file: str(o, "file"),
      };
    default:
      throw fail(at(o, "kind"), `is not a sink: ${describe(o["kind"])}`);
  }
}

/** `{ argsBroadcast }` when the node's arguments travel as a broadcast value, else `{}`. */
function argsBroadcast(o: Obj): { argsBroadcast?: string } {
  return o["argsBroadcast"] === undefined ? {} : { argsBroadcast: str(o, "argsBroadcast") };
}

/** A row of scalars (a range partitioner's bound). */
function decodeRow(u: unknown, w: Where): Row {
  const o = obj(u, w);
  const row: Row = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    const ok = v === null || typeof v === "string" || typeof v === "boolean" ||
      (typeof v === "number" && Number.isFinite(v));
    if (!ok) throw fail(at(o, k), `must be a finite number, string, boolean or null, got ${describe(v)}`);
    row[k] = v as Scalar;
  }
  return row;
}
