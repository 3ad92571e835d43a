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
  node: { op: "limit", n: 5, input: RANGE },
  sink: { kind: "result" },
};

Deno.test("a well-formed launch decodes (the cases below each break one thing of it)", () => {
  assert.deepEqual(decodeDriverMessage(wire(LAUNCH)), LAUNCH);
});

Deno.test("decodeExecutorMessage rejects malformed messages, naming the field", () => {
  const heartbeat = {
    v: 1,
    type: "heartbeat",
    seq: 7,
    running: 2,
    blockBytes: 0,
    stateBytes: 0,
    stateBudgetBytes: 0,
    broadcasts: 0,
    broadcastBytes: 0,
    rssBytes: 0,
  };
  const cases: [unknown, RegExp][] = [
    [{ ...heartbeat, seq: -1 }, /"seq" /],
    [{ ...heartbeat, running: "2" }, /"running" /],
    [{ ...heartbeat, v: 2 }, /"v" /],
    [{ ...heartbeat, type: "heartbeats" }, /"type" /],
    [{ v: 1, type: "task.finished", taskId: "", output: { kind: "count", rows: 1 } }, /"taskId" /],
    [
      { v: 1, type: "task.failed", taskId: "t", failure: { kind: "oops", error: WIRE_ERROR } },
      /"failure\.kind" /,
    ],
    [{ v: 1, type: "error", error: { name: "X", message: "m" } }, /"error" data: must be an object/],
    [{ v: 1, type: "block.serve", reqId: 1.5, ok: true }, /"reqId" /],
    [null, /^executor message: Invalid input: expected object, received null$/],
    [[heartbeat], /^executor message: Invalid input: expected object, received array$/],
  ];
  for (const [u, what] of cases) assertMalformed(() => decodeExecutorMessage(u), what);
  assertMalformed(() => decodeExecutorMessage({ ...heartbeat, seq: -1 }), /^executor message: "seq" /);
});

Deno.test("decodeDriverMessage rejects malformed launches, naming the field or value", () => {
  const ok = LAUNCH;
  const withNode = (node: unknown) => ({ ...ok, node });
  const withSink = (sink: unknown) => ({ ...ok, sink });
  const range = RANGE;
  let deep: unknown = range;
  for (let i = 0; i < 70; i++) deep = { op: "limit", n: 1, input: deep };
  const cases: [unknown, RegExp][] = [
    [{ ...ok, v: 2 }, /^task.launch: "v" must be 1, got 2$/],
    [{ ...ok, partition: -1 }, /"partition" must be a non-negative integer/],
    [{ ...ok, attempt: 0.5 }, /"attempt" must be a non-negative integer/],
    [{ ...ok, taskId: 17 }, /"taskId" must be a string/],
    [withNode("range"), /"node" must be an object, got "range"/],
    [withNode({ op: "bogus" }), /"node\.op" is not an operator: "bogus"/],
    [withNode({ ...range, start: "0" }), /"node\.start" must be a finite number/],
    [withNode({ ...range, end: null }), /"node\.end" must be a finite number/],
    [withNode({ op: "limit", n: 1 }), /"node\.input" must be an object/],
    [withNode(deep), /nests operators deeper than 64/],
    [withNode({ op: "project", input: range, exprs: "id" }), /"node\.exprs" must be an array/],
    [
      withNode({ op: "partialAgg", input: range, keys: [], aggs: [{ fn: "median", name: "m" }] }),
      /"node\.aggs\[0\]\.fn" must be one of 11 values, got "median"/,
    ],
    [withNode({ op: "partialAgg", input: range, keys: [1], aggs: [] }), /"node\.keys\[0\]" must be a string/],
    [
      withNode({ op: "hashJoin", left: range, right: range, leftOn: ["id"], rightOn: ["id"], how: "outer" }),
      /"node\.how" must be one of 6 values: .*, got "outer"/,
    ],
    [
      withNode({
        op: "sortLocal",
        input: range,
        keys: [{ column: "id", ascending: "yes", nullsFirst: true }],
      }),
      /"node\.keys\[0\]\.ascending" must be a boolean/,
    ],
    [
      withNode({ op: "inline", schema: [{ name: "x", type: "decimal", nullable: true }] }),
      /"node\.schema\[0\]\.type" must be one of 7 values: .*, got "decimal"/,
    ],
    [
      withNode({ op: "inline", schema: [{ name: "x", type: "long" }] }),
      /"node\.schema\[0\]\.nullable" must be a boolean/,
    ],
    [withNode({ op: "inline", schema: {} }), /"node\.schema" must be an array, got an object/],
    [
      withNode({ op: "fileRead", path: "/x", format: "orc", schema: [] }),
      /"node\.format" must be one of 2 values: "parquet", "arrow", got "orc"/,
    ],
    [
      withNode({ op: "csvRange", path: "/x", entry: 4, options: {}, schema: [] }),
      /"node\.entry" must be an object, got 4/,
    ],
    [
      withSink({ kind: "shuffle", outputId: 1, partitioner: { kind: "zigzag" } }),
      /"sink\.partitioner\.kind" is not a partitioner: "zigzag"/,
    ],
    [
      withSink({ kind: "shuffle", outputId: 1, partitioner: { kind: "hash", keys: ["k"] } }),
      /"sink\.partitioner\.n" must be/,
    ],
    [
      withSink({ kind: "write", format: "xlsx", dir: "/o", file: "f" }),
      /"sink\.format" must be one of 3 values/,
    ],
    [withSink({ kind: "email" }), /"sink\.kind" is not a sink: "email"/],
    [withSink(undefined), /"sink" must be an object, got undefined/],
  ];
  for (const [u, what] of cases) assertMalformed(() => decodeDriverMessage(u), what);
});

Deno.test("decodeDriverMessage rejects malformed simple messages with the zod path", () => {
  const cases: [unknown, RegExp][] = [
    [{ v: 1, type: "task.kill", taskId: "" }, /^driver message: "taskId" /],
    [{ v: 1, type: "blocks.remove", outputIds: [-1], broadcastIds: [] }, /"outputIds\[0\]" /],
    [{ v: 1, type: "block.request", reqId: 1, outputId: 1, mapPartition: 0 }, /"reducePartition" /],
    [{ v: 1, type: "executor.restart" }, /"type" /],
    [undefined, /^driver message: Invalid input: expected object, received undefined$/],
  ];
  for (const [u, what] of cases) assertMalformed(() => decodeDriverMessage(u), what);
});

Deno.test("the exported part decoders name what they reject", () => {
  let deep: unknown = RANGE;
  for (let i = 0; i < 64; i++) deep = { op: "limit", n: 1, input: deep };
  assert.equal(decodeTaskNode(deep).op, "limit", "64 levels below the root are allowed");
  assertMalformed(
    () => decodeTaskNode(deep, undefined, 1),
    /^task node: "…(\.input)+" nests operators deeper than 64$/,
  );
  assertMalformed(() => decodeTaskNode({ ...RANGE, step: 0 }), /^task node: "step" must not be 0$/);
  assertMalformed(
    () => decodeSchema([{ name: "x", type: "long", nullable: true }, 5]),
    /^schema: "\[1\]" must be an object, got 5$/,
  );
});
