import assert from "node:assert/strict";
import { MalformedMessageError } from "../../actors/errors.ts";
import {
  decodeDriverMessage,
  decodeExecutorMessage,
  decodeSink,
  decodeTaskNode,
} from "../../cluster/protocol.ts";
import type { TaskNode, TaskSink } from "../../cluster/plan/task_plan.ts";

const input: TaskNode = { op: "range", start: 0, end: 10, step: 1, column: "id" };
const map: TaskNode = {
  op: "mapPartitions",
  input,
  module: "file:///m.ts",
  export: "tag",
  args: { factor: 2, names: ["a", null] },
  schema: [{ name: "id", type: "long", nullable: false }],
  partition: 1,
  numPartitions: 3,
  seed: 2 ** 52 - 1,
  carry: { year: 2008, month: 5 },
};
const fold: TaskSink = {
  kind: "fold",
  module: "file:///m.ts",
  export: "histogram",
  args: null,
  numPartitions: 3,
  seed: 17,
};

function rejects(decode: () => unknown, pattern: RegExp): void {
  assert.throws(decode, (e: unknown) => {
    assert.ok(e instanceof MalformedMessageError, `expected MalformedMessageError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("decodeTaskNode returns mapPartitions and rowSample nodes unchanged after a JSON round trip", () => {
  assert.deepEqual(decodeTaskNode(JSON.parse(JSON.stringify(map))), map);
  const { carry: _, ...noCarry } = map;
  const decoded = decodeTaskNode(JSON.parse(JSON.stringify(noCarry)));
  assert.deepEqual(decoded, noCarry);
  assert.ok(!("carry" in decoded), "no carry stays no carry (not null)");
  assert.deepEqual(decodeTaskNode({ ...map, carry: null }), { ...map, carry: null });
  const sample: TaskNode = {
    op: "rowSample",
    input,
    lower: 0.2,
    upper: 0.7,
    withReplacement: false,
    seed: 5,
  };
  assert.deepEqual(decodeTaskNode(JSON.parse(JSON.stringify(sample))), sample);
  const gen: TaskNode = {
    op: "generate",
    module: "file:///g.ts",
    export: "rows",
    args: null,
    partition: 0,
    numPartitions: 1,
    schema: [{ name: "id", type: "long", nullable: false }],
    seed: 3,
  };
  assert.deepEqual(decodeTaskNode(gen), gen);
});

Deno.test("decodeTaskNode rejects malformed mapPartitions and sample nodes, naming the field", () => {
  rejects(() => decodeTaskNode({ ...map, module: 7 }), /"module" must be a string/);
  rejects(() => decodeTaskNode({ ...map, export: undefined }), /"export" must be a string/);
  rejects(() => decodeTaskNode({ ...map, seed: -1 }), /"seed" must be a non-negative integer/);
  rejects(() => decodeTaskNode({ ...map, partition: 0.5 }), /"partition" must be a non-negative integer/);
  rejects(() => decodeTaskNode({ ...map, args: { f: () => 1 } }), /"args\.f" must be JSON, got function/);
  rejects(
    () => decodeTaskNode({ ...map, schema: [{ name: "x", type: "int128", nullable: false }] }),
    /"schema\[0\]\.type" must be one of/,
  );
  rejects(() => decodeTaskNode({ ...map, input: { op: "eval" } }), /"input\.op" is not an operator: "eval"/);
  rejects(
    () => decodeTaskNode({ op: "rowSample", input, lower: 0, upper: "1", withReplacement: false, seed: 1 }),
    /"upper" must be a finite number/,
  );
  rejects(
    () => decodeTaskNode({ op: "rowSample", input, lower: 0, upper: 1, withReplacement: 1, seed: 1 }),
    /"withReplacement" must be a boolean/,
  );
  rejects(() => decodeTaskNode({ op: "sample", input, keys: ["id"], size: 5 }), /"seed"/);
  rejects(() => decodeTaskNode({ op: "monthRuns", input }), /"op" is not an operator: "monthRuns"/);
  rejects(() => decodeTaskNode({ op: "contactDate", input, year: 2008, month: 5 }), /is not an operator/);
});

Deno.test("decodeSink returns a fold sink unchanged and rejects a malformed one by field", () => {
  assert.deepEqual(decodeSink(JSON.parse(JSON.stringify(fold))), fold);
  rejects(() => decodeSink({ ...fold, export: 1 }), /"export" must be a string/);
  rejects(() => decodeSink({ ...fold, numPartitions: -2 }), /"numPartitions" must be a non-negative integer/);
  rejects(() => decodeSink({ ...fold, seed: "1" }), /"seed" must be a non-negative integer/);
  rejects(() => decodeSink({ ...fold, args: [1n] }), /"args\[0\]" must be JSON, got bigint/);
});

Deno.test("task.launch carries no seed of its own; task.finished may carry a value output", () => {
  const launch = {
    v: 1,
    type: "task.launch",
    taskId: "t-1",
    jobId: 1,
    stageId: 2,
    partition: 0,
    attempt: 0,
    node: map,
    sink: fold,
  };
  assert.deepEqual(decodeDriverMessage(JSON.parse(JSON.stringify(launch))), launch);
  const finished = {
    v: 1,
    type: "task.finished",
    taskId: "t-1",
    output: { kind: "value", rows: 10, encoding: "f64", bytes: 80 },
    metrics: { durationMs: 1, rowsIn: 10, rowsOut: 10, bytesFetched: 0 },
  };
  assert.deepEqual(decodeExecutorMessage(finished), finished);
  for (const output of [{ ...finished.output, encoding: "float32" }, { kind: "value", rows: 1, bytes: 8 }]) {
    rejects(() => decodeExecutorMessage({ ...finished, output }), /output\.encoding/);
  }
  rejects(
    () => decodeExecutorMessage({ ...finished, output: { ...finished.output, bytes: -8 } }),
    /output\.bytes/,
  );
});

Deno.test("operators whose arguments travel as a broadcast name it, and decode unchanged", () => {
  const byBroadcast = { args: null, argsBroadcast: "bc-7" };
  const node = { ...map, ...byBroadcast };
  assert.deepEqual(decodeTaskNode(JSON.parse(JSON.stringify(node))), node);
  rejects(() => decodeTaskNode({ ...node, argsBroadcast: 7 }), /"argsBroadcast" must be a string/);
  const sink = { ...fold, ...byBroadcast };
  assert.deepEqual(decodeSink(JSON.parse(JSON.stringify(sink))), sink);
  rejects(() => decodeSink({ ...sink, argsBroadcast: ["bc-7"] }), /"argsBroadcast" must be a string/);
  const put = { v: 1, type: "broadcast.put", broadcastId: "bc-7", encoding: "json" };
  assert.deepEqual(decodeDriverMessage(put), put);
  assert.throws(() => decodeDriverMessage({ ...put, encoding: "yaml" }), MalformedMessageError);
  assert.throws(() => decodeDriverMessage({ ...put, encoding: undefined }), MalformedMessageError);
});
