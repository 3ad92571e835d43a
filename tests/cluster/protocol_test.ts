import assert from "node:assert/strict";
import type { Schema } from "../../cluster/columnar/batch.ts";
import type { Expr } from "../../cluster/expr/expr.ts";
import {
  decodeDriverMessage,
  decodeExecutorMessage,
  decodeSchema,
  decodeSink,
  decodeTaskNode,
  decodeWelcome,
  type DriverMessage,
  type ExecutorMessage,
  type ExecutorWelcome,
  type TaskOutputMsg,
} from "../../cluster/protocol.ts";
import type { Partitioner, TaskNode, TaskSink } from "../../cluster/plan/task_plan.ts";
import { assertMalformed, wire } from "./protocol_test_util.ts";

const SCHEMA: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "s", type: "string", nullable: true },
  { name: "t", type: "timestamp", nullable: true },
];
const WIRE_ERROR = {
  name: "SchemaError",
  message: "no column x",
  data: { column: "x", at: [1, null, true] },
};

const col = (name: string): Expr => ({ op: "col", name });
/** Every expression kind. */
const EXPRS: Expr[] = [
  { op: "alias", name: "k", arg: { op: "bin", fn: "%", left: col("id"), right: { op: "lit", value: 7 } } },
  { op: "un", fn: "isNotNull", arg: col("s") },
  { op: "cast", to: "double", arg: col("id") },
  {
    op: "when",
    branches: [{
      cond: { op: "bin", fn: ">", left: col("id"), right: { op: "lit", value: 3 } },
      value: col("s"),
    }],
    otherwise: { op: "lit", value: null, type: "string" },
  },
  { op: "fn", fn: "isIn", args: [col("s"), { op: "lit", value: "a" }, { op: "lit", value: "b" }] },
  { op: "fn", fn: "year", args: [col("t")] },
];

function shuffleRead(outputId: number, reducePartition: number): TaskNode {
  return {
    op: "shuffleRead",
    outputId,
    reducePartition,
    sources: [{ mapPartition: 0, executorId: "e-1" }, { mapPartition: 1, executorId: "" }],
    schema: SCHEMA,
  };
}

/** Task trees that together use every operator the executor runs. */
const TREES: TaskNode[] = [
  {
    op: "limit",
    n: 10,
    input: {
      op: "sortLocal",
      keys: [{ column: "id", ascending: false, nullsFirst: true }],
      input: {
        op: "hashJoin",
        how: "left",
        leftOn: ["id"],
        rightOn: ["id"],
        left: {
          op: "filter",
          cond: { op: "bin", fn: "and", left: EXPRS[1]!, right: { op: "lit", value: true } },
          input: {
            op: "project",
            exprs: EXPRS,
            input: { op: "range", start: 0, end: 100, step: 2, column: "id" },
          },
        },
        right: { op: "broadcastRead", broadcastId: "bc-1", schema: SCHEMA },
      },
    },
  },
  {
    op: "finalAgg",
    keys: ["k"],
    aggs: [{ fn: "count", name: "n" }],
    input: {
      op: "partialAgg",
      keys: ["k"],
      aggs: [
        { fn: "sum", input: "__a0", name: "s" },
        { fn: "approxQuantile", input: "__a0", name: "p99", q: 0.99, relativeError: 0.001 },
      ],
      input: { op: "inline", schema: SCHEMA },
    },
  },
  {
    op: "sample",
    keys: ["id", "s"],
    size: 60,
    seed: 2 ** 52 - 1,
    input: {
      op: "generate",
      module: "file:///gen.ts",
      export: "rows",
      args: { n: 5, tags: ["a", null], nested: { x: 1.5 } },
      partition: 2,
      numPartitions: 4,
      schema: SCHEMA,
      seed: 0,
    },
  },
  { op: "fileRead", path: "/data/part-00000.parquet", format: "parquet", schema: SCHEMA },
  { op: "fixLines", input: shuffleRead(3, 1), offset: 812, file: "x.csv" },
  {
    op: "window",
    input: shuffleRead(4, 2),
    partitionBy: ["k"],
    orderBy: [{ column: "id", ascending: true, nullsFirst: false }],
    fns: [
      { fn: "count", frame: { kind: "range", lower: -3_600_000, upper: 0 }, name: "n" },
      { fn: "lag", arg: EXPRS[1]!, offset: 2, default: 0, name: "prev" },
      { fn: "denseRank", name: "r" },
    ],
  },
];

/** The CSV and per-partition operators. */
const SOURCE_TREES: TaskNode[] = [
  { op: "csvScan", path: "/in/x.csv", start: 0, end: 4096, dialect: { separator: ";", quote: '"' } },
  {
    op: "csvRange",
    path: "/in/x.csv",
    entry: { start: 4096, end: 8192, state: 0, line: 57 },
    options: {
      dialect: { separator: ";", quote: '"', header: true },
      schema: { fields: [{ name: "id", type: "long" }] },
      file: "x.csv",
      strict: false,
      gzip: false,
      fused: true,
      dataStart: 10,
    },
    schema: SCHEMA,
  },
  {
    op: "mapPartitions",
    module: "file:///ops.ts",
    export: "addDate",
    args: { name: "d" },
    schema: SCHEMA,
    partition: 1,
    numPartitions: 3,
    seed: 77,
    carry: { year: 2008, month: 5 },
    input: {
      op: "rowSample",
      lower: 0.25,
      upper: 0.5,
      withReplacement: false,
      seed: 9,
      input: shuffleRead(1, 0),
    },
  },
];

const PARTITIONERS: Partitioner[] = [
  { kind: "hash", keys: ["k", "s"], n: 8 },
  { kind: "roundRobin", n: 3 },
  {
    kind: "range",
    keys: [{ column: "id", ascending: true, nullsFirst: false }],
    n: 3,
    bounds: [{ id: 5 }, { id: 9 }],
  },
  { kind: "single" },
  { kind: "coalesce", n: 2, numMaps: 7 },
  { kind: "identity" },
  { kind: "split" },
];

const SINKS: TaskSink[] = [
  ...PARTITIONERS.map((partitioner, i): TaskSink => ({ kind: "shuffle", outputId: 100 + i, partitioner })),
  { kind: "result" },
  { kind: "count" },
  {
    kind: "fold",
    module: "file:///ops.ts",
    export: "histogram",
    args: { bins: 4 },
    numPartitions: 3,
    seed: 5,
  },
  ...(["arrow", "parquet", "csv"] as const).map((format): TaskSink => ({
    kind: "write",
    format,
    dir: "/out",
    file: `part-00001.${format}`,
  })),
];

function launch(node: TaskNode, sink: TaskSink): DriverMessage {
  return {
    v: 1,
    type: "task.launch",
    taskId: "t-17",
    jobId: 3,
    stageId: 9,
    partition: 1,
    attempt: 0,
    node,
    sink,
  };
}

Deno.test("decodeWelcome round-trips a welcome and rejects out-of-range fields by name", () => {
  const welcome: ExecutorWelcome = {
    v: 1,
    type: "executor.welcome",
    executorId: "e-1",
    epoch: 2,
    slots: 4,
    heartbeatMs: 500,
    allowedModules: ["file:///gen.ts"],
  };
  assert.deepEqual(decodeWelcome(wire(welcome)), welcome);
  assertMalformed(() => decodeWelcome({ ...welcome, epoch: 0 }), /^executor.welcome: "epoch" /);
  assertMalformed(() => decodeWelcome({ ...welcome, slots: 1.5 }), /^executor.welcome: "slots" /);
  assertMalformed(() => decodeWelcome({ ...welcome, heartbeatMs: 5 }), /^executor.welcome: "heartbeatMs" /);
  assertMalformed(() => decodeWelcome({ ...welcome, executorId: "" }), /^executor.welcome: "executorId" /);
  assertMalformed(() => decodeWelcome({ ...welcome, v: 2 }), /^executor.welcome: "v" /);
  assertMalformed(() => decodeWelcome("hello"), /^executor.welcome: Invalid input: expected object/);
});

Deno.test("decodeDriverMessage round-trips every message kind", () => {
  const kinds = {
    "task.launch": 1,
    "task.kill": 1,
    "broadcast.put": 1,
    "blocks.remove": 1,
    "state.release": 1,
    "block.request": 1,
    "block.response": 1,
    "executor.shutdown": 1,
    error: 1,
  } satisfies Record<DriverMessage["type"], 1>;
  const messages: DriverMessage[] = [
    launch(TREES[0]!, { kind: "result" }),
    { v: 1, type: "task.kill", taskId: "t-17" },
    { v: 1, type: "broadcast.put", broadcastId: "bc-1", encoding: "arrow" },
    { v: 1, type: "broadcast.put", broadcastId: "bc-2", encoding: "json" },
    { v: 1, type: "blocks.remove", outputIds: [1, 2, 30], broadcastIds: ["bc-1"] },
    { v: 1, type: "state.release", prefix: "gbt/7f3e/" },
    { v: 1, type: "block.request", reqId: 4, outputId: 2, mapPartition: 0, reducePartition: 3 },
    { v: 1, type: "block.response", reqId: 4, ok: true },
    { v: 1, type: "block.response", reqId: 5, ok: false, error: WIRE_ERROR },
    { v: 1, type: "executor.shutdown" },
    { v: 1, type: "error", error: WIRE_ERROR },
  ];
  for (const m of messages) assert.deepEqual(decodeDriverMessage(wire(m)), m, m.type);
  assert.deepEqual([...new Set(messages.map((m) => m.type))].sort(), Object.keys(kinds).sort());
});

/** Every operator, sink and partitioner kind: adding one to the protocol fails this until it has a case here. */
const OPS = Object.keys(
  {
    range: 1,
    generate: 1,
    inline: 1,
    broadcastRead: 1,
    shuffleRead: 1,
    project: 1,
    filter: 1,
    partialAgg: 1,
    finalAgg: 1,
    hashJoin: 1,
    sortLocal: 1,
    window: 1,
    limit: 1,
    sample: 1,
    csvScan: 1,
    csvRange: 1,
    fixLines: 1,
    rowSample: 1,
    mapPartitions: 1,
    fileRead: 1,
  } satisfies Record<TaskNode["op"], 1>,
);
const SINK_KINDS = Object.keys(
  { shuffle: 1, result: 1, count: 1, fold: 1, write: 1 } satisfies Record<TaskSink["kind"], 1>,
);
const PARTITIONER_KINDS = Object.keys(
  {
    hash: 1,
    roundRobin: 1,
    range: 1,
    single: 1,
    coalesce: 1,
    identity: 1,
    split: 1,
  } satisfies Record<Partitioner["kind"], 1>,
);

function opsIn(node: TaskNode, into = new Set<string>()): Set<string> {
  into.add(node.op);
  for (const child of ["input", "left", "right"] as const) {
    const c = (node as Partial<Record<typeof child, TaskNode>>)[child];
    if (c) opsIn(c, into);
  }
  return into;
}

Deno.test("the round-trip cases cover every operator, sink and partitioner kind", () => {
  const ops = new Set<string>();
  for (const t of [...TREES, ...SOURCE_TREES]) opsIn(t, ops);
  assert.deepEqual([...ops].sort(), [...OPS].sort());
  assert.deepEqual([...new Set(SINKS.map((s) => s.kind))].sort(), [...SINK_KINDS].sort());
  assert.deepEqual(PARTITIONERS.map((p) => p.kind).sort(), [...PARTITIONER_KINDS].sort());
});

Deno.test("decodeDriverMessage round-trips task trees using every operator and every sink and partitioner", () => {
  for (const node of [...TREES, ...SOURCE_TREES]) {
    const m = launch(node, { kind: "count" });
    assert.deepEqual(decodeDriverMessage(wire(m)), m, node.op);
  }
  for (const sink of SINKS) {
    const m = launch(TREES[3]!, sink);
    assert.deepEqual(decodeDriverMessage(wire(m)), m, JSON.stringify(sink));
  }
});

Deno.test("decodeExecutorMessage round-trips every message kind and task output", () => {
  const metrics = { durationMs: 12.5, rowsIn: 100, rowsOut: 10, bytesFetched: 4096 };
  const outputs: TaskOutputMsg[] = [
    { kind: "map", rows: [1, 0, 9], bytes: [100, 0, 900] },
    { kind: "result", rows: 10 },
    { kind: "count", rows: 0 },
    { kind: "write", rows: 10, path: "/out/part-00001.parquet", bytes: 2048 },
    { kind: "value", rows: 10, encoding: "f64", bytes: 80 },
  ];
  const kinds = {
    heartbeat: 1,
    "task.finished": 1,
    "task.failed": 1,
    "block.fetch": 1,
    "block.serve": 1,
    error: 1,
  } satisfies Record<ExecutorMessage["type"], 1>;
  const messages: ExecutorMessage[] = [
    {
      v: 1,
      type: "heartbeat",
      seq: 7,
      running: 2,
      blockBytes: 1e9,
      stateBytes: 3e8,
      stateBudgetBytes: 2 ** 30,
      broadcasts: 2,
      broadcastBytes: 4e6,
      rssBytes: 2.5e8,
    },
    ...outputs.map((output): ExecutorMessage => ({
      v: 1,
      type: "task.finished",
      taskId: "t-1",
      output,
      metrics,
    })),
    { v: 1, type: "task.failed", taskId: "t-1", failure: { kind: "task", error: WIRE_ERROR } },
    {
      v: 1,
      type: "task.failed",
      taskId: "t-2",
      failure: { kind: "fetch", error: WIRE_ERROR, outputId: 3, mapPartition: 1, executorId: "e-2" },
    },
    { v: 1, type: "block.fetch", reqId: 1, from: "e-2", outputId: 3, mapPartition: 1, reducePartition: 0 },
    { v: 1, type: "block.serve", reqId: 1, ok: true },
    { v: 1, type: "block.serve", reqId: 2, ok: false, error: WIRE_ERROR },
    { v: 1, type: "error", error: WIRE_ERROR },
  ];
  for (const m of messages) assert.deepEqual(decodeExecutorMessage(wire(m)), m, m.type);
  assert.deepEqual([...new Set(messages.map((m) => m.type))].sort(), Object.keys(kinds).sort());
});

Deno.test("the exported part decoders decode a schema, a task tree and a sink on their own", () => {
  assert.deepEqual(decodeSchema(wire(SCHEMA)), SCHEMA);
  assert.deepEqual(decodeTaskNode(wire(TREES[1])), TREES[1]);
  assert.deepEqual(decodeSink(wire(SINKS[2])), SINKS[2]);
  assertMalformed(() => decodeTaskNode(TREES[0], undefined, 64), /nests operators deeper than 64/);
  assertMalformed(
    () => decodeSchema([{ name: "x", type: "long", nullable: true }, 5]),
    /"\[1\]" must be an object/,
  );
});
