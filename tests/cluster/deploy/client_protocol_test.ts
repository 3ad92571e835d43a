import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows, batchToRows } from "../../../cluster/columnar/batch_ops.ts";
import { encodeBatches } from "../../../cluster/columnar/arrow_codec.ts";
import {
  decodeClientReply,
  decodeClientRequest,
  decodeNodeHello,
  decodePartitions,
  encodePartitions,
  MAX_INLINE_PLAN_BYTES,
  submitFields,
  submittedJob,
} from "../../../cluster/deploy/client_protocol.ts";

const SCHEMA: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "s", type: "string", nullable: true },
];

function part(from: number, n: number) {
  return batchFromRows(
    SCHEMA,
    Array.from({ length: n }, (_, i) => ({ id: from + i, s: i % 3 === 0 ? null : `v${from + i}` })),
  );
}

Deno.test("encodePartitions/decodePartitions keep each partition's rows, empty partitions included", () => {
  const parts = [part(0, 3), part(3, 0), part(3, 5), part(8, 0)];
  const { payload, partitionRows } = encodePartitions(SCHEMA, parts);
  assert.deepEqual(partitionRows, [3, 0, 5, 0]);
  const back = decodePartitions(SCHEMA, partitionRows, payload);
  assert.deepEqual(back.map(batchToRows), parts.map(batchToRows));
});

Deno.test("decodePartitions rejects a missing payload, garbage, a schema mismatch and wrong row counts", () => {
  const { payload } = encodePartitions(SCHEMA, [part(0, 4)]);
  assert.throws(() => decodePartitions(SCHEMA, [4], undefined), /payload is missing/);
  assert.throws(
    () => decodePartitions(SCHEMA, [4], new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])),
    MalformedMessageError,
  );
  assert.throws(
    () => decodePartitions(SCHEMA, [3], payload),
    /partitionRows sum to 3, the payload holds 4 rows/,
  );
  const other: Schema = [{ name: "x", type: "double", nullable: false }];
  assert.throws(() => decodePartitions(other, [4], payload), /schema differs/);
  const otherPayload = encodeBatches(other, [batchFromRows(other, [{ x: 1 }])]);
  assert.throws(() => decodePartitions(SCHEMA, [1], otherPayload), /schema differs/);
});

Deno.test("decodeClientRequest accepts each request type and rejects wrong versions, types and fields", () => {
  const ok = [
    { v: 1, type: "job.submit", reqId: 1, plan: { op: "range" }, action: { kind: "count" } },
    { v: 1, type: "job.cancel", reqId: 1 },
    { v: 1, type: "plan.explain", reqId: 2, plan: {} },
    { v: 1, type: "cluster.status", reqId: 3 },
    { v: 1, type: "data.put", reqId: 4, schema: SCHEMA, partitionRows: [1, 2] },
    { v: 1, type: "cache.unpersist", reqId: 5, cacheId: 77 },
    { v: 1, type: "state.release", reqId: 6, prefix: "gbt/1/" },
  ];
  for (const m of ok) assert.equal(decodeClientRequest(m).type, m.type);
  const bad = [
    { v: 2, type: "cluster.status", reqId: 3 },
    { v: 1, type: "cluster.delete", reqId: 3 },
    { v: 1, type: "cluster.status", reqId: -1 },
    { v: 1, type: "cluster.status", reqId: 1.5 },
    {
      v: 1,
      type: "data.put",
      reqId: 4,
      schema: [{ name: "a", type: "blob", nullable: true }],
      partitionRows: [1],
    },
    { v: 1, type: "data.put", reqId: 4, schema: SCHEMA, partitionRows: [] },
    { v: 1, type: "cache.unpersist", reqId: 5 },
    { v: 1, type: "state.release", reqId: 6, prefix: "" },
    "status",
    null,
  ];
  for (const m of bad) assert.throws(() => decodeClientRequest(m), MalformedMessageError, JSON.stringify(m));
});

Deno.test("decodeClientReply decodes a status and rejects a malformed one", () => {
  const status = {
    executors: [{
      id: "127.0.0.1:10:1",
      host: "127.0.0.1",
      pid: 10,
      epoch: 1,
      kind: "process",
      state: "alive",
      slots: 2,
      runningTasks: 0,
      blockBytes: 0,
      stateBytes: 0,
      stateBudgetBytes: 2 ** 30,
      broadcasts: 1,
      broadcastBytes: 2_048,
      rssBytes: 1e8,
      lastHeartbeatAgoMs: 12,
    }],
    jobs: [{
      id: 1,
      description: "count",
      state: "succeeded",
      stages: [{ id: 1, attempt: 0, partitions: 4, done: 4, running: 0, queued: 0 }],
    }],
    malformedFrames: 0,
  };
  const r = decodeClientReply({ v: 1, type: "cluster.status.result", reqId: 9, status });
  assert.deepEqual(r, { v: 1, type: "cluster.status.result", reqId: 9, status });
  const broken = { ...status, executors: [{ ...status.executors[0], state: "zombie" }] };
  assert.throws(
    () => decodeClientReply({ v: 1, type: "cluster.status.result", reqId: 9, status: broken }),
    MalformedMessageError,
  );
  assert.throws(
    () => decodeClientReply({ v: 1, type: "session.welcome", defaultParallelism: 0 }),
    MalformedMessageError,
  );
});

Deno.test("decodeNodeHello accepts executors and clients and rejects other roles", () => {
  assert.deepEqual(decodeNodeHello({ role: "executor", host: "h", pid: 1, slots: 2 }), {
    role: "executor",
    host: "h",
    pid: 1,
    slots: 2,
  });
  assert.equal(decodeNodeHello({ role: "client", host: "h", pid: 1, slots: 0 }).role, "client");
  assert.throws(
    () => decodeNodeHello({ role: "driver", host: "h", pid: 1, slots: 0 }),
    MalformedMessageError,
  );
  assert.throws(
    () => decodeNodeHello({ role: "executor", host: "", pid: 1, slots: 0 }),
    MalformedMessageError,
  );
});

Deno.test("decodeClientReply decodes a job.result carrying an aggregate's value encoding", () => {
  const result = {
    v: 1,
    type: "job.result",
    reqId: 4,
    schema: SCHEMA,
    rows: 10,
    outputs: [{ kind: "value", rows: 10, encoding: "f64", bytes: 16 }],
    value: "f64",
  };
  assert.deepEqual(decodeClientReply(JSON.parse(JSON.stringify(result))), result);
  const { value: _, ...plain } = result;
  assert.deepEqual(decodeClientReply(plain), plain);
  assert.throws(() => decodeClientReply({ ...result, value: "f32" }), MalformedMessageError);
  assert.throws(
    () => decodeClientReply({ ...result, outputs: [{ kind: "value", rows: 1, encoding: "json" }] }),
    MalformedMessageError,
  );
});

Deno.test("a job.submit carries its plan in the header when small and in the payload when large", () => {
  const action = { kind: "count" };
  const small = { op: "range", start: 0, end: 10, step: 1, partitions: 2 };
  const inline = submitFields(small, action);
  assert.equal(inline.payload, undefined);
  const req = (header: object) => decodeClientRequest({ v: 1, type: "job.submit", reqId: 1, ...header });
  const got = (r: ReturnType<typeof decodeClientRequest>, payload?: Uint8Array) => {
    assert.equal(r.type, "job.submit");
    return submittedJob(r as Extract<typeof r, { type: "job.submit" }>, payload);
  };
  assert.deepEqual(got(req(inline.header)), { plan: small, action });

  const large = { op: "mapPartitions", args: { pad: "x".repeat(MAX_INLINE_PLAN_BYTES) } };
  const moved = submitFields(large, action);
  assert.deepEqual(moved.header, {}, "nothing large in the header");
  assert.ok(moved.payload !== undefined && moved.payload.byteLength > MAX_INLINE_PLAN_BYTES);
  assert.deepEqual(got(req(moved.header), moved.payload), { plan: large, action });

  for (const bad of [new Uint8Array([0xff, 0xfe]), new TextEncoder().encode("[1, 2]")]) {
    assert.throws(() => got(req({}), bad), MalformedMessageError);
  }
});
