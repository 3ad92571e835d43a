import assert from "node:assert/strict";
import {
  decodeDriverMessage,
  decodeExecutorMessage,
  decodeSchema,
  decodeTaskNode,
} from "../../cluster/protocol.ts";
import { assertMalformed, wire } from "./protocol_test_util.ts";

const WIRE_ERROR = { name: "SchemaError", message: "no column x", data: { column: "x" } };
const RANGE = { op: "range", start: 0, end: 10, step: 1, column: "id" };
const LAUNCH = {
  v: 1,
  type: "task.launch",
  taskId: "t-17",
  jobId: 3,
  stageId: 9,
  partition: 1,
  attempt: 0,
  seed: 123_456_789,
  node: { op: "limit", n: 5, input: RANGE },
  sink: { kind: "result" },
};

Deno.test("a well-formed launch decodes (the cases below each break one thing of it)", () => {
  assert.deepEqual(decodeDriverMessage(wire(LAUNCH)), LAUNCH);
});

Deno.test("decodeExecutorMessage rejects malformed messages, naming the field", () => {
  const heartbeat = { v: 1, type: "heartbeat", seq: 7, running: 2, blockBytes: 0, rssBytes: 0 };
  const cases: [unknown, RegExp][] = [
    [{ ...heartbeat, seq: -1 }, /seq: /],
    [{ ...heartbeat, running: "2" }, /running: /],
    [{ ...heartbeat, v: 2 }, /v: /],
    [{ ...heartbeat, type: "heartbeats" }, /type: /],
    [{ v: 1, type: "task.finished", taskId: "", output: { kind: "count", rows: 1 } }, /taskId: /],
    [
      { v: 1, type: "task.failed", taskId: "t", failure: { kind: "oops", error: WIRE_ERROR } },
      /failure\.kind: /,
    ],
    [{ v: 1, type: "error", error: { name: "X", message: "m" } }, /error\.data: /],
    [{ v: 1, type: "block.serve", reqId: 1.5, ok: true }, /reqId: /],
    [null, /\(root\): /],
    [[heartbeat], /\(root\): /],
  ];
  for (const [u, what] of cases) assertMalformed(() => decodeExecutorMessage(u), what);
  assertMalformed(() => decodeExecutorMessage({ ...heartbeat, seq: -1 }), /^Malformed executor message: /);
});

Deno.test("decodeDriverMessage rejects malformed launches, naming the field or value", () => {
  const ok = LAUNCH;
  const withNode = (node: unknown) => ({ ...ok, node });
  const withSink = (sink: unknown) => ({ ...ok, sink });
  const range = RANGE;
  let deep: unknown = range;
  for (let i = 0; i < 70; i++) deep = { op: "limit", n: 1, input: deep };
  const cases: [unknown, RegExp][] = [
    [{ ...ok, v: 2 }, /unsupported version/],
    [{ ...ok, partition: -1 }, /"partition" must be a non-negative integer/],
    [{ ...ok, attempt: 0.5 }, /"attempt" must be a non-negative integer/],
    [{ ...ok, taskId: 17 }, /"taskId" must be a string/],
    [withNode("range"), /operator must be an object/],
    [withNode({ op: "bogus" }), /unknown operator "bogus"/],
    [withNode({ ...range, start: "0" }), /"start" must be a finite number/],
    [withNode({ ...range, end: null }), /"end" must be a finite number/],
    [withNode({ op: "limit", n: 1 }), /operator must be an object/],
    [withNode(deep), /operator tree deeper than 64/],
    [withNode({ op: "project", input: range, exprs: "id" }), /"exprs" must be an array/],
    [
      withNode({ op: "partialAgg", input: range, keys: [], aggs: [{ fn: "median", name: "m" }] }),
      /unknown aggregate "median"/,
    ],
    [withNode({ op: "partialAgg", input: range, keys: [1], aggs: [] }), /"keys" must hold strings/],
    [
      withNode({ op: "hashJoin", left: range, right: range, leftOn: ["id"], rightOn: ["id"], how: "outer" }),
      /unknown join type "outer"/,
    ],
    [
      withNode({
        op: "sortLocal",
        input: range,
        keys: [{ column: "id", ascending: "yes", nullsFirst: true }],
      }),
      /sort key flags must be booleans/,
    ],
    [
      withNode({ op: "inline", schema: [{ name: "x", type: "decimal", nullable: true }] }),
      /unknown type "decimal"/,
    ],
    [withNode({ op: "inline", schema: [{ name: "x", type: "long" }] }), /nullable must be a boolean/],
    [withNode({ op: "inline", schema: {} }), /Malformed schema: must be an array/],
    [withNode({ op: "fileRead", path: "/x", format: "orc", schema: [] }), /unknown file format "orc"/],
    [withNode({ op: "csvRange", path: "/x", entry: 4, options: {}, schema: [] }), /entry must be an object/],
    [
      withSink({ kind: "shuffle", outputId: 1, partitioner: { kind: "zigzag" } }),
      /unknown partitioner "zigzag"/,
    ],
    [withSink({ kind: "shuffle", outputId: 1, partitioner: { kind: "hash", keys: ["k"] } }), /"n" must be/],
    [withSink({ kind: "write", format: "xlsx", dir: "/o", file: "f" }), /unknown format "xlsx"/],
    [withSink({ kind: "email" }), /unknown sink "email"/],
    [withSink(undefined), /sink must be an object/],
  ];
  for (const [u, what] of cases) assertMalformed(() => decodeDriverMessage(u), what);
});

Deno.test("decodeDriverMessage rejects malformed simple messages with the zod path", () => {
  const cases: [unknown, RegExp][] = [
    [{ v: 1, type: "task.kill", taskId: "" }, /^Malformed driver message: taskId: /],
    [{ v: 1, type: "blocks.remove", outputIds: [-1], broadcastIds: [] }, /outputIds\.0: /],
    [{ v: 1, type: "block.request", reqId: 1, outputId: 1, mapPartition: 0 }, /reducePartition: /],
    [{ v: 1, type: "executor.restart" }, /type: /],
    [undefined, /\(root\): /],
  ];
  for (const [u, what] of cases) assertMalformed(() => decodeDriverMessage(u), what);
});

Deno.test("the exported part decoders name what they reject", () => {
  let deep: unknown = RANGE;
  for (let i = 0; i < 64; i++) deep = { op: "limit", n: 1, input: deep };
  assert.equal(decodeTaskNode(deep, 0).op, "limit", "64 levels below the root are allowed");
  assertMalformed(() => decodeTaskNode(deep, 1), /operator tree deeper than 64/);
  assertMalformed(
    () => decodeSchema([{ name: "x", type: "long", nullable: true }, 5]),
    /field must be an object/,
  );
});
