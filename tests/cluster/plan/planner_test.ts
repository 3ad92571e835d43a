import assert from "node:assert/strict";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import type { BlockSource, TaskNode } from "../../../cluster/plan/task_plan.ts";
import {
  alias,
  bin,
  col,
  executorOf,
  lit,
  opNames,
  planResult,
  range,
  shape,
  stagesOf,
  stubContext,
} from "./planner_stub.ts";

const doubled = alias("d", bin("*", col("id"), lit(2)));
const projected: LogicalPlan = { op: "project", input: range(100, 4), exprs: [col("id"), doubled] };
const filtered: LogicalPlan = { op: "filter", input: projected, cond: bin(">", col("d"), lit(10)) };

/** Partition p of `range(100, 4)`: ids [25p, 25p + 25). */
function rangeNode(p: number): TaskNode {
  return { op: "range", start: 25 * p, end: 25 * p + 25, step: 1, column: "id" };
}

/** A read of every map output, each from the executor the stub puts it on. */
function allMaps(maps: number): BlockSource[] {
  return Array.from({ length: maps }, (_, m) => ({ mapPartition: m, executorId: executorOf(m) }));
}

Deno.test("planner fuses project and filter into the one stage that reads the range", async () => {
  const { ctx, record } = stubContext();
  const final = await planResult(filtered, ctx);
  assert.deepEqual(stagesOf(final).map(shape), [{
    id: 1,
    partitions: 4,
    parents: [],
    outputId: undefined,
    partitioner: undefined,
    ops: ["Range(0, 100, step 1)", "Project[id, (id * 2) AS d]", "Filter[(d > 10)]"],
  }]);
  assert.deepEqual(final.buildTask(2), {
    node: {
      op: "filter",
      input: { op: "project", input: rangeNode(2), exprs: [col("id"), doubled] },
      cond: bin(">", col("d"), lit(10)),
    },
    sink: { kind: "result" },
    payload: undefined,
  });
  assert.equal(record.outputIdsDrawn, 0);
  assert.equal(record.collected.length, 0);
});

Deno.test("planner splits a range evenly and keeps its step", async () => {
  const { ctx } = stubContext();
  const final = await planResult({ op: "range", start: 10, end: 20, step: 3, partitions: 3 }, ctx);
  assert.deepEqual([0, 1, 2].map((p) => final.buildTask(p).node), [
    // ids 10, 13, 16, 19: one, one and two per partition; an end past the plan's is harmless.
    { op: "range", start: 10, end: 13, step: 3, column: "id" },
    { op: "range", start: 13, end: 16, step: 3, column: "id" },
    { op: "range", start: 16, end: 22, step: 3, column: "id" },
  ]);
});

Deno.test("planner runs limit locally in every map task, then once more after a single-partition exchange", async () => {
  const { ctx } = stubContext();
  const final = await planResult({ op: "limit", input: filtered, n: 5 }, ctx);
  const [map, result] = stagesOf(final);
  assert.deepEqual(shape(map!), {
    id: 1,
    partitions: 4,
    parents: [],
    outputId: 101,
    partitioner: { kind: "single" },
    ops: ["Range(0, 100, step 1)", "Project[id, (id * 2) AS d]", "Filter[(d > 10)]", "LocalLimit[5]"],
  });
  const mapTask = map!.buildTask(3);
  assert.equal(mapTask.node.op, "limit");
  assert.deepEqual(mapTask.sink, { kind: "shuffle", outputId: 101, partitioner: { kind: "single" } });
  assert.deepEqual(shape(result!), {
    id: 2,
    partitions: 1,
    parents: [1],
    outputId: undefined,
    partitioner: undefined,
    ops: ["ShuffleRead(output 101)", "GlobalLimit[5]"],
  });
  const schema = [{ name: "id", type: "long", nullable: false }, {
    name: "d",
    type: "long",
    nullable: false,
  }];
  assert.deepEqual(result!.buildTask(0).node, {
    op: "limit",
    input: { op: "shuffleRead", outputId: 101, reducePartition: 0, sources: allMaps(4), schema },
    n: 5,
  });
});

Deno.test("planner plans group-by as project → partial agg → hash exchange → final agg", async () => {
  const { ctx } = stubContext({ shufflePartitions: 3 });
  const keyed: LogicalPlan = {
    op: "project",
    input: range(100, 4),
    exprs: [alias("k", bin("%", col("id"), lit(7))), alias("v", col("id"))],
  };
  const plan: LogicalPlan = {
    op: "aggregate",
    input: keyed,
    keys: [col("k")],
    aggs: [{ fn: "sum", arg: col("v"), name: "s" }, { fn: "count", name: "n" }, {
      fn: "max",
      arg: col("v"),
      name: "m",
    }],
  };
  const final = await planResult(plan, ctx);
  const [map, result] = stagesOf(final);
  const partitioner = { kind: "hash", keys: ["k"], n: 3 };
  assert.deepEqual(opNames(map!), ["Range", "Project", "Project", "PartialAgg"]);
  assert.equal(map!.numPartitions, 4);
  assert.deepEqual(map!.partitioner, partitioner);
  const aggs = [{ fn: "sum", name: "s", input: "__a0" }, { fn: "count", name: "n" }, {
    fn: "max",
    name: "m",
    input: "__a0",
  }];
  const mapTask = map!.buildTask(1);
  assert.deepEqual(mapTask.node, {
    op: "partialAgg",
    input: {
      op: "project",
      input: { op: "project", input: rangeNode(1), exprs: keyed.exprs },
      // sum(v) and max(v) share one projected input column.
      exprs: [alias("k", col("k")), alias("__a0", col("v"))],
    },
    keys: ["k"],
    aggs,
  });
  assert.deepEqual(mapTask.sink, { kind: "shuffle", outputId: 101, partitioner });
  assert.deepEqual(shape(result!), {
    id: 2,
    partitions: 3,
    parents: [1],
    outputId: undefined,
    partitioner: undefined,
    ops: ["ShuffleRead(output 101)", "FinalAgg[keys: k]"],
  });
  const read = result!.buildTask(2).node;
  assert.ok(read.op === "finalAgg" && read.input.op === "shuffleRead", JSON.stringify(read));
  assert.deepEqual(read.keys, ["k"]);
  assert.deepEqual(read.aggs, aggs);
  assert.equal(read.input.reducePartition, 2);
  assert.deepEqual(read.input.sources, allMaps(4));
});

Deno.test("planner sends a global aggregate to a single partition", async () => {
  const { ctx } = stubContext({ shufflePartitions: 3 });
  const final = await planResult({
    op: "aggregate",
    input: range(100, 4),
    keys: [],
    aggs: [{ fn: "count", name: "n" }],
  }, ctx);
  const [map, result] = stagesOf(final);
  assert.deepEqual(map!.partitioner, { kind: "single" });
  assert.equal(result!.numPartitions, 1);
  assert.deepEqual(result!.ops, ["ShuffleRead(output 101)", "FinalAgg[keys: ()]"]);
});

Deno.test("planner repartitions by hash with keys and round robin without", async () => {
  for (
    const [keys, partitioner] of [
      [["id"], { kind: "hash", keys: ["id"], n: 6 }],
      [[], { kind: "roundRobin", n: 6 }],
    ] as const
  ) {
    const { ctx } = stubContext({ shufflePartitions: 3 });
    const final = await planResult({ op: "repartition", input: filtered, n: 6, keys }, ctx);
    const [map, result] = stagesOf(final);
    assert.deepEqual(opNames(map!), ["Range", "Project", "Filter"]);
    assert.deepEqual(map!.partitioner, partitioner);
    assert.equal(map!.numPartitions, 4);
    assert.equal(result!.numPartitions, 6, "the requested count, not shufflePartitions");
    assert.deepEqual(result!.ops, ["ShuffleRead(output 101)"]);
  }
});

Deno.test("planner coalesces to fewer partitions through an exchange and ignores a coalesce that would not shrink", async () => {
  const { ctx } = stubContext();
  const final = await planResult({ op: "coalesce", input: filtered, n: 2 }, ctx);
  const [map, result] = stagesOf(final);
  assert.deepEqual(map!.partitioner, { kind: "coalesce", n: 2, numMaps: 4 });
  assert.equal(result!.numPartitions, 2);

  const same = stubContext();
  const kept = await planResult({ op: "coalesce", input: filtered, n: 4 }, same.ctx);
  assert.deepEqual(stagesOf(kept).map(shape), [{
    id: 1,
    partitions: 4,
    parents: [],
    outputId: undefined,
    partitioner: undefined,
    ops: ["Range(0, 100, step 1)", "Project[id, (id * 2) AS d]", "Filter[(d > 10)]"],
  }]);
  assert.equal(same.record.outputIdsDrawn, 0);
});

Deno.test("planner unions inputs side by side: partitions add up and each task builds its own input", async () => {
  const { ctx } = stubContext({ shufflePartitions: 3 });
  const small = range(1_010, 2, 1_000);
  const shuffled: LogicalPlan = { op: "repartition", input: range(100, 4), n: 3, keys: [] };
  const inline: LogicalPlan = {
    op: "inline",
    dataId: "data-7",
    schema: [{ name: "id", type: "long", nullable: false }],
    partitions: 2,
    rows: 4,
  };
  const final = await planResult({ op: "union", inputs: [small, shuffled, inline] }, ctx);
  const stages = stagesOf(final);
  assert.deepEqual(stages.map((s) => [s.id, s.numPartitions]), [[1, 4], [2, 7]]);
  assert.deepEqual(final.parents.map((p) => p.id), [1]);
  assert.match(final.ops[0]!, /^Union\[\(Range\(1000, 1010, step 1\)\), \(ShuffleRead\(output 101\)\), /);
  const tasks = Array.from({ length: 7 }, (_, p) => final.buildTask(p));
  assert.deepEqual(tasks.map((t) => t.node.op), [
    "range",
    "range",
    "shuffleRead",
    "shuffleRead",
    "shuffleRead",
    "inline",
    "inline",
  ]);
  assert.deepEqual(tasks[1]!.node, { op: "range", start: 1_005, end: 1_010, step: 1, column: "id" });
  const reads = tasks.slice(2, 5).map((t) => t.node.op === "shuffleRead" ? t.node.reducePartition : -1);
  assert.deepEqual(reads, [0, 1, 2]);
  const payloads = tasks.map((t) =>
    t.payload === undefined ? undefined : new TextDecoder().decode(t.payload)
  );
  assert.deepEqual(payloads, [undefined, undefined, undefined, undefined, undefined, "data-7#0", "data-7#1"]);
});
