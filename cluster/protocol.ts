/**
 * The driver ⇄ executor protocol: closed tagged unions with a version field, decoded from
 * `unknown` at the boundary. Bulk data (Arrow IPC) rides in the frame payload, never in JSON.
 *
 * @module
 */
import { z } from "zod";
import { type Json, MalformedMessageError, type WireError } from "../actors/errors.ts";
import type { DataType, Schema } from "./columnar/batch.ts";
import { DATA_TYPES } from "./columnar/batch.ts";
import { decodeExpr } from "./expr/codec.ts";
import { AGG_FNS } from "./expr/expr.ts";
import type { TaskFailure } from "./driver/scheduler.ts";
import type { AggSpecJson, JoinHow, Partitioner, SortColumn, TaskNode, TaskSink } from "./plan/task_plan.ts";

export const PROTOCOL_VERSION = 1;

export type TaskOutputMsg =
  | { kind: "map"; rows: number[]; bytes: number[] }
  | { kind: "result"; rows: number }
  | { kind: "count"; rows: number }
  | { kind: "write"; rows: number; path: string; bytes: number };

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
}

const welcome = z.object({
  v: z.literal(1),
  type: z.literal("executor.welcome"),
  executorId: z.string().min(1).max(300),
  epoch: z.number().int().min(1),
  slots: z.number().int().min(1).max(1024),
  heartbeatMs: z.number().int().min(10).max(600_000),
  allowedModules: z.array(z.string().max(4096)).max(1000),
});

/** Decodes the welcome frame. Throws `MalformedMessageError`. */
export function decodeWelcome(u: unknown): ExecutorWelcome {
  const r = welcome.safeParse(u);
  if (!r.success) throw new MalformedMessageError(`Malformed welcome: ${zodDetail(r.error)}`);
  return r.data as ExecutorWelcome;
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
    seed: number;
    node: TaskNode;
    sink: TaskSink;
  }
  | { v: 1; type: "task.kill"; taskId: string }
  | { v: 1; type: "broadcast.put"; broadcastId: string }
  | { v: 1; type: "blocks.remove"; outputIds: number[]; broadcastIds: string[] }
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
  | { v: 1; type: "heartbeat"; seq: number; running: number; blockBytes: number; rssBytes: number }
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

const json: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)])
);
const wireError = z.object({
  name: z.string().max(200),
  message: z.string().max(100_000),
  data: z.record(z.string(), json),
});
const int = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
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
    rssBytes: z.number().min(0),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal("task.finished"),
    taskId: id,
    output: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("map"), rows: z.array(int).max(100_000), bytes: z.array(int).max(100_000) }),
      z.object({ kind: z.literal("result"), rows: int }),
      z.object({ kind: z.literal("count"), rows: int }),
      z.object({ kind: z.literal("write"), rows: int, path: z.string().max(4096), bytes: int }),
    ]),
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
  z.object({ v: z.literal(1), type: z.literal("broadcast.put"), broadcastId: id }),
  z.object({
    v: z.literal(1),
    type: z.literal("blocks.remove"),
    outputIds: z.array(int).max(100_000),
    broadcastIds: z.array(id).max(100_000),
  }),
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

function malformed(what: string, detail: string): MalformedMessageError {
  return new MalformedMessageError(`Malformed ${what}: ${detail}`, { data: { detail } });
}

function zodDetail(e: z.ZodError): string {
  return e.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

/** Decodes a message an executor sent. Throws `MalformedMessageError`. */
export function decodeExecutorMessage(u: unknown): ExecutorMessage {
  const r = executorMessage.safeParse(u);
  if (!r.success) throw malformed("executor message", zodDetail(r.error));
  return r.data as ExecutorMessage;
}

/** Decodes a message the driver sent. Throws `MalformedMessageError`. */
export function decodeDriverMessage(u: unknown): DriverMessage {
  if (isObj(u) && u["type"] === "task.launch") {
    if (u["v"] !== 1) throw malformed("driver message", "unsupported version");
    return {
      v: 1,
      type: "task.launch",
      taskId: str(u, "taskId"),
      jobId: nat(u, "jobId"),
      stageId: nat(u, "stageId"),
      partition: nat(u, "partition"),
      attempt: nat(u, "attempt"),
      seed: nat(u, "seed"),
      node: decodeTaskNode(u["node"], 0),
      sink: decodeSink(u["sink"]),
    };
  }
  const r = driverSimple.safeParse(u);
  if (!r.success) throw malformed("driver message", zodDetail(r.error));
  return r.data as DriverMessage;
}

// ---- hand decoders for the recursive task tree ----

type Obj = Record<string, unknown>;
function isObj(u: unknown): u is Obj {
  return typeof u === "object" && u !== null && !Array.isArray(u);
}
function obj(u: unknown, what: string): Obj {
  if (!isObj(u)) throw malformed("task", `${what} must be an object`);
  return u;
}
function str(o: Obj, k: string): string {
  const v = o[k];
  if (typeof v !== "string" || v.length > 10_000) throw malformed("task", `"${k}" must be a string`);
  return v;
}
function num(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isFinite(v)) throw malformed("task", `"${k}" must be a finite number`);
  return v;
}
function nat(o: Obj, k: string): number {
  const v = num(o, k);
  if (!Number.isSafeInteger(v) || v < 0) throw malformed("task", `"${k}" must be a non-negative integer`);
  return v;
}
function arr(o: Obj, k: string, max = 100_000): unknown[] {
  const v = o[k];
  if (!Array.isArray(v) || v.length > max) {
    throw malformed("task", `"${k}" must be an array (at most ${max})`);
  }
  return v;
}
function strs(o: Obj, k: string): string[] {
  return arr(o, k).map((x) => {
    if (typeof x !== "string") throw malformed("task", `"${k}" must hold strings`);
    return x;
  });
}

export function decodeSchema(u: unknown): Schema {
  if (!Array.isArray(u) || u.length > 10_000) throw malformed("schema", "must be an array");
  return u.map((f) => {
    const o = obj(f, "field");
    const type = str(o, "type") as DataType;
    if (!DATA_TYPES.includes(type)) throw malformed("schema", `unknown type "${type}"`);
    if (typeof o["nullable"] !== "boolean") throw malformed("schema", "nullable must be a boolean");
    return { name: str(o, "name"), type, nullable: o["nullable"] };
  });
}

const AGG_FN_SET: ReadonlySet<string> = new Set(AGG_FNS);
function decodeAggSpec(u: unknown): AggSpecJson {
  const o = obj(u, "aggregate");
  const fn = str(o, "fn") as AggSpecJson["fn"];
  if (!AGG_FN_SET.has(fn)) throw malformed("task", `unknown aggregate "${fn}"`);
  const out: { -readonly [K in keyof AggSpecJson]: AggSpecJson[K] } = { fn, name: str(o, "name") };
  if (o["input"] !== undefined) out.input = str(o, "input");
  if (o["q"] !== undefined) out.q = num(o, "q");
  if (o["relativeError"] !== undefined) out.relativeError = num(o, "relativeError");
  return out;
}
function decodeSortColumns(u: unknown[]): SortColumn[] {
  return u.map((x) => {
    const o = obj(x, "sort key");
    if (typeof o["ascending"] !== "boolean" || typeof o["nullsFirst"] !== "boolean") {
      throw malformed("task", "sort key flags must be booleans");
    }
    return { column: str(o, "column"), ascending: o["ascending"], nullsFirst: o["nullsFirst"] };
  });
}
const HOWS = new Set<JoinHow>(["inner", "left", "right", "full", "semi", "anti"]);
const MAX_DEPTH = 64;

export function decodeTaskNode(u: unknown, depth: number): TaskNode {
  if (depth > MAX_DEPTH) throw malformed("task", `operator tree deeper than ${MAX_DEPTH}`);
  const o = obj(u, "operator");
  const op = o["op"];
  const child = (k: string) => decodeTaskNode(o[k], depth + 1);
  switch (op) {
    case "range":
      return {
        op,
        start: num(o, "start"),
        end: num(o, "end"),
        step: num(o, "step"),
        column: str(o, "column"),
      };
    case "generate":
      return {
        op,
        module: str(o, "module"),
        export: str(o, "export"),
        args: (o["args"] ?? null) as Json,
        partition: nat(o, "partition"),
        numPartitions: nat(o, "numPartitions"),
        schema: decodeSchema(o["schema"]),
      };
    case "inline":
      return { op, schema: decodeSchema(o["schema"]) };
    case "broadcastRead":
      return { op, broadcastId: str(o, "broadcastId"), schema: decodeSchema(o["schema"]) };
    case "shuffleRead":
      return {
        op,
        outputId: nat(o, "outputId"),
        reducePartition: nat(o, "reducePartition"),
        sources: arr(o, "sources").map((s) => {
          const so = obj(s, "source");
          return { mapPartition: nat(so, "mapPartition"), executorId: str(so, "executorId") };
        }),
        schema: decodeSchema(o["schema"]),
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
        aggs: arr(o, "aggs", 10_000).map(decodeAggSpec),
      };
    case "hashJoin": {
      const how = str(o, "how") as JoinHow;
      if (!HOWS.has(how)) throw malformed("task", `unknown join type "${how}"`);
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
      return { op, input: child("input"), keys: decodeSortColumns(arr(o, "keys")) };
    case "limit":
      return { op, input: child("input"), n: nat(o, "n") };
    case "sample":
      return { op, input: child("input"), keys: strs(o, "keys"), size: nat(o, "size") };
    case "csvScan":
      return {
        op,
        path: str(o, "path"),
        start: nat(o, "start"),
        end: nat(o, "end"),
        dialect: (o["dialect"] ?? {}) as Json,
      };
    case "csvRange":
      return {
        op,
        path: str(o, "path"),
        entry: obj(o["entry"], "entry") as Json,
        options: obj(o["options"], "options") as Json,
        schema: decodeSchema(o["schema"]),
      };
    case "monthRuns":
      return { op, input: child("input") };
    case "fixLines":
      return { op, input: child("input"), offset: nat(o, "offset"), file: str(o, "file") };
    case "contactDate":
      return { op, input: child("input"), year: nat(o, "year"), month: nat(o, "month") };
    case "fileRead": {
      const format = str(o, "format");
      if (format !== "parquet" && format !== "arrow") {
        throw malformed("task", `unknown file format "${format}"`);
      }
      return { op, path: str(o, "path"), format, schema: decodeSchema(o["schema"]) };
    }
    default:
      throw malformed("task", `unknown operator ${JSON.stringify(op)}`);
  }
}

function decodePartitioner(u: unknown): Partitioner {
  const o = obj(u, "partitioner");
  switch (o["kind"]) {
    case "hash":
      return { kind: "hash", keys: strs(o, "keys"), n: nat(o, "n") };
    case "roundRobin":
      return { kind: "roundRobin", n: nat(o, "n") };
    case "range":
      return {
        kind: "range",
        keys: decodeSortColumns(arr(o, "keys")),
        n: nat(o, "n"),
        bounds: (o["bounds"] ?? []) as Json,
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
      throw malformed("task", `unknown partitioner ${JSON.stringify(o["kind"])}`);
  }
}

export function decodeSink(u: unknown): TaskSink {
  const o = obj(u, "sink");
  switch (o["kind"]) {
    case "shuffle":
      return {
        kind: "shuffle",
        outputId: nat(o, "outputId"),
        partitioner: decodePartitioner(o["partitioner"]),
      };
    case "result":
      return { kind: "result" };
    case "count":
      return { kind: "count" };
    case "write": {
      const format = str(o, "format");
      if (format !== "arrow" && format !== "parquet" && format !== "csv") {
        throw malformed("task", `unknown format "${format}"`);
      }
      return { kind: "write", format, dir: str(o, "dir"), file: str(o, "file") };
    }
    default:
      throw malformed("task", `unknown sink ${JSON.stringify(o["kind"])}`);
  }
}
