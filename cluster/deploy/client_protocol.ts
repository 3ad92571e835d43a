/**
 * The remote client ⇄ driver protocol (after authentication): closed tagged unions with a version
 * field, decoded from `unknown` on both sides. Requests carry a `reqId` the reply echoes; bulk data
 * (inline partitions, job results) travels as Arrow IPC in the frame payload, never in JSON.
 *
 * ```
 * client → driver                                   driver → client
 * { type: "job.submit", reqId, plan, action }       { type: "job.result", reqId, schema, rows, outputs, value? }
 *   (or without plan and action, + UTF-8 JSON       + IPC (collect) or the value's bytes (aggregate)
 *    { plan, action } when they are large)
 * { type: "job.cancel", reqId }                     (the job's reply becomes an error)
 * { type: "plan.explain", reqId, plan }             { type: "plan.explained", reqId, text }
 * { type: "cluster.status", reqId }                 { type: "cluster.status.result", reqId, status }
 * { type: "data.put", reqId, schema, partitionRows } + IPC   { type: "data.stored", reqId, dataId }
 * { type: "cache.unpersist", reqId, cacheId }       { type: "cache.unpersisted", reqId }
 * { type: "state.release", reqId, prefix }          { type: "state.released", reqId }
 *                                                   { type: "error", reqId?, error }
 * first frame from the driver: { type: "session.welcome", defaultParallelism }
 * ```
 *
 * The hello both executors and clients send during authentication is {@linkcode NodeHello}.
 *
 * @module
 */
import { z } from "zod";
import { MalformedMessageError, type WireError } from "../../actors/errors.ts";
import { failZod } from "../../actors/decode.ts";
import type { Batch, Schema } from "../columnar/batch.ts";
import { concatBatches, sliceBatch } from "../columnar/batch_ops.ts";
import { decodeBatches, encodeBatches } from "../columnar/arrow_codec.ts";
import type { ClusterStatus } from "../driver/driver.ts";
import {
  natSchema,
  schemaSchema,
  type TaskOutputMsg,
  taskOutputSchema,
  wireErrorSchema,
} from "../protocol.ts";
import { VALUE_ENCODINGS, type ValueEncoding } from "../util/partition_value.ts";

/** What a node says about itself when it authenticates. */
export type NodeHello = {
  role: "executor" | "client";
  host: string;
  pid: number;
  /** Task slots (executors); 0 for clients. */
  slots: number;
};

/** A request from a remote client. `plan` and `action` are still undecoded (see `logical_plan_codec.ts`). */
export type ClientRequest =
  | {
    v: 1;
    type: "job.submit";
    reqId: number;
    /** Absent when the plan and action travel in the payload (large operator arguments). */
    plan?: unknown;
    action?: unknown;
    description?: string | undefined;
  }
  | { v: 1; type: "job.cancel"; reqId: number }
  | { v: 1; type: "plan.explain"; reqId: number; plan: unknown }
  | { v: 1; type: "cluster.status"; reqId: number }
  | { v: 1; type: "data.put"; reqId: number; schema: Schema; partitionRows: number[] }
  | { v: 1; type: "cache.unpersist"; reqId: number; cacheId: number }
  | { v: 1; type: "state.release"; reqId: number; prefix: string };

/** A reply or notice from the driver to a remote client. */
export type ClientReply =
  | { v: 1; type: "session.welcome"; defaultParallelism: number }
  | {
    v: 1;
    type: "job.result";
    reqId: number;
    schema: Schema;
    rows: number;
    outputs: TaskOutputMsg[];
    /** An `aggregate` action's value: its encoding here, its bytes in the payload. */
    value?: ValueEncoding | undefined;
  }
  | { v: 1; type: "plan.explained"; reqId: number; text: string }
  | { v: 1; type: "cluster.status.result"; reqId: number; status: ClusterStatus }
  | { v: 1; type: "data.stored"; reqId: number; dataId: string }
  | { v: 1; type: "cache.unpersisted"; reqId: number }
  | { v: 1; type: "state.released"; reqId: number }
  | { v: 1; type: "error"; reqId?: number | undefined; error: WireError };

/** Largest partition count of one `data.put`. */
export const MAX_PUT_PARTITIONS = 100_000;

const nat = natSchema;
const reqId = nat;
const schema = schemaSchema;

const hello = z.object({
  role: z.enum(["executor", "client"]),
  host: z.string().min(1).max(255),
  pid: z.number().int().min(0).max(2 ** 32),
  slots: z.number().int().min(0).max(1024),
});

const request = z.discriminatedUnion("type", [
  z.object({
    v: z.literal(1),
    type: z.literal("job.submit"),
    reqId,
    plan: z.unknown(),
    action: z.unknown(),
    description: z.string().max(1000).optional(),
  }),
  z.object({ v: z.literal(1), type: z.literal("job.cancel"), reqId }),
  z.object({ v: z.literal(1), type: z.literal("plan.explain"), reqId, plan: z.unknown() }),
  z.object({ v: z.literal(1), type: z.literal("cluster.status"), reqId }),
  z.object({
    v: z.literal(1),
    type: z.literal("data.put"),
    reqId,
    schema,
    partitionRows: z.array(nat).min(1).max(MAX_PUT_PARTITIONS),
  }),
  z.object({ v: z.literal(1), type: z.literal("cache.unpersist"), reqId, cacheId: nat }),
  z.object({ v: z.literal(1), type: z.literal("state.release"), reqId, prefix: z.string().min(1).max(1000) }),
]);

const stageStatus = z.object({
  id: nat,
  attempt: nat,
  partitions: nat,
  done: nat,
  running: nat,
  queued: nat,
});

const clusterStatus = z.object({
  executors: z.array(
    z.object({
      id: z.string().max(300),
      host: z.string().max(300),
      pid: nat,
      epoch: nat,
      kind: z.string().max(100),
      state: z.enum(["alive", "dead"]),
      slots: nat,
      runningTasks: nat,
      blockBytes: z.number().min(0),
      stateBytes: z.number().min(0),
      stateBudgetBytes: z.number().min(0),
      broadcasts: nat,
      broadcastBytes: z.number().min(0),
      rssBytes: z.number().min(0),
      lastHeartbeatAgoMs: z.number().optional(),
    }).transform((e) => ({ ...e, lastHeartbeatAgoMs: e.lastHeartbeatAgoMs })),
  ).max(100_000),
  jobs: z.array(z.object({
    id: nat,
    description: z.string().max(10_000),
    state: z.enum(["running", "succeeded", "failed"]),
    stages: z.array(stageStatus).max(100_000),
    error: z.string().max(100_000).optional(),
  })).max(100_000),
  malformedFrames: nat,
});

const reply = z.discriminatedUnion("type", [
  z.object({
    v: z.literal(1),
    type: z.literal("session.welcome"),
    defaultParallelism: z.number().int().min(1).max(1_000_000),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal("job.result"),
    reqId,
    schema,
    rows: nat,
    outputs: z.array(taskOutputSchema).max(1_000_000),
    value: z.enum(VALUE_ENCODINGS).optional(),
  }),
  z.object({ v: z.literal(1), type: z.literal("plan.explained"), reqId, text: z.string().max(10_000_000) }),
  z.object({ v: z.literal(1), type: z.literal("cluster.status.result"), reqId, status: clusterStatus }),
  z.object({ v: z.literal(1), type: z.literal("data.stored"), reqId, dataId: z.string().min(1).max(300) }),
  z.object({ v: z.literal(1), type: z.literal("cache.unpersisted"), reqId }),
  z.object({ v: z.literal(1), type: z.literal("state.released"), reqId }),
  z.object({ v: z.literal(1), type: z.literal("error"), reqId: reqId.optional(), error: wireErrorSchema }),
]);

/** Decodes the hello a node sends during authentication. Throws `MalformedMessageError`. */
export function decodeNodeHello(u: unknown): NodeHello {
  const r = hello.safeParse(u);
  if (!r.success) throw failZod("hello", r.error);
  return r.data;
}

/** Decodes a client request (driver side). Throws `MalformedMessageError`. */
export function decodeClientRequest(u: unknown): ClientRequest {
  const r = request.safeParse(u);
  if (!r.success) throw failZod("client request", r.error);
  return r.data;
}

/** Decodes a driver reply (client side). Throws `MalformedMessageError`. */
export function decodeClientReply(u: unknown): ClientReply {
  const r = reply.safeParse(u);
  if (!r.success) throw failZod("driver reply", r.error);
  return r.data;
}

/** Encodes partitions for `data.put`: one Arrow IPC stream plus each partition's row count. */
export function encodePartitions(
  schema: Schema,
  partitions: readonly Batch[],
): { payload: Uint8Array; partitionRows: number[] } {
  if (partitions.length === 0 || partitions.length > MAX_PUT_PARTITIONS) {
    throw new RangeError(`Inline data needs 1 to ${MAX_PUT_PARTITIONS} partitions, got ${partitions.length}`);
  }
  return {
    payload: encodeBatches(schema, partitions.filter((b) => b.length > 0)),
    partitionRows: partitions.map((b) => b.length),
  };
}

/**
 * Splits a `data.put` payload back into partitions. Throws `MalformedMessageError` unless the IPC
 * stream decodes, matches `schema`, and holds exactly `sum(partitionRows)` rows.
 */
export function decodePartitions(
  schema: Schema,
  partitionRows: readonly number[],
  payload: Uint8Array | undefined,
): Batch[] {
  if (!payload) throw new MalformedMessageError("Malformed data.put: the Arrow IPC payload is missing");
  const decoded = decodeBatches(payload);
  const same = decoded.schema.length === schema.length &&
    schema.every((f, i) => f.name === decoded.schema[i]!.name && f.type === decoded.schema[i]!.type);
  if (!same) {
    throw new MalformedMessageError("Malformed data.put: the payload's schema differs from the declared one");
  }
  // Data from a client is checked now, not when a task first reads it: reading every string
  // column validates its UTF-8 and offsets (a MalformedMessageError here rejects the put).
  for (const b of decoded.batches) for (const c of b.columns) if (c.type === "string") void c.values;
  const all = concatBatches(schema, decoded.batches);
  const total = partitionRows.reduce((a, b) => a + b, 0);
  if (all.length !== total) {
    throw new MalformedMessageError(
      `Malformed data.put: partitionRows sum to ${total}, the payload holds ${all.length} rows`,
    );
  }
  const out: Batch[] = [];
  let at = 0;
  for (const n of partitionRows) {
    out.push(sliceBatch({ ...all, schema }, at, at + n));
    at += n;
  }
  return out;
}

/** Plans and actions above this many bytes of JSON travel in a `job.submit` payload, not its header. */
export const MAX_INLINE_PLAN_BYTES = 256 * 1024;

const planEncoder = new TextEncoder();
const planDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The `job.submit` fields for `plan` and `action`: in the header when small, else as a payload of
 * UTF-8 JSON `{ plan, action }` (a header is limited to 1 MiB; a plan whose operator arguments hold
 * a large model is not).
 */
export function submitFields(
  plan: unknown,
  action: unknown,
): { header: { plan?: unknown; action?: unknown }; payload?: Uint8Array } {
  const json = JSON.stringify({ plan, action });
  if (json.length <= MAX_INLINE_PLAN_BYTES) return { header: { plan, action } };
  return { header: {}, payload: planEncoder.encode(json) };
}

/** The `{ plan, action }` of a `job.submit` (from its header, or its payload). Throws `MalformedMessageError`. */
export function submittedJob(
  req: Extract<ClientRequest, { type: "job.submit" }>,
  payload: Uint8Array | undefined,
): { plan: unknown; action: unknown } {
  if (req.plan !== undefined || payload === undefined) return { plan: req.plan, action: req.action };
  let parsed: unknown;
  try {
    parsed = JSON.parse(planDecoder.decode(payload));
  } catch (e) {
    throw new MalformedMessageError("A job.submit payload is not UTF-8 JSON", { cause: e });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new MalformedMessageError("A job.submit payload must be a JSON object { plan, action }");
  }
  const o = parsed as Record<string, unknown>;
  return { plan: o["plan"], action: o["action"] };
}
