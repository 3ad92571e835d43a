import assert from "node:assert/strict";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../../cluster/columnar/batch_ops.ts";
import type { JoinStrategy, LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import type { JoinHow } from "../../../cluster/plan/task_plan.ts";
import { opNames, planResult, range, shape, stagesOf, stubContext } from "./planner_stub.ts";

const LABELS: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "label", type: "string", nullable: false },
];
/** 10 rows, known to the planner: under the stub's broadcast threshold of 1000. */
const small: LogicalPlan = { op: "inline", dataId: "labels", schema: LABELS, partitions: 2, rows: 10 };
const labels = batchFromRows(LABELS, [{ id: 1, label: "a" }, { id: 2, label: "b" }]);

function join(right: LogicalPlan, how: JoinHow = "inner", strategy: JoinStrategy = "auto"): LogicalPlan {
  return { op: "join", left: range(100, 4), right, on: ["id"], how, strategy };
}

Deno.test("planner broadcasts a small right side: a sub-job collects it and the join fuses into the left's stage", async () => {
  const { ctx, record } = stubContext({ collect: () => [labels] });
  const final = await planResult(join(small), ctx);
  assert.equal(record.collected.length, 1, "one sub-job for the build side");
  const built = record.collected[0]!;
  assert.equal(built.n, 2);
  assert.deepEqual(built.ops, ["LocalData(labels)"]);
  assert.deepEqual(record.broadcasts, [{ id: "bc-1", schema: LABELS, batches: [labels] }]);

  assert.deepEqual(stagesOf(final).map(shape), [{
    id: 1,
    partitions: 4,
    parents: [],
    outputId: undefined,
    partitioner: undefined,
    ops: ["Range(0, 100, step 1)", "BroadcastHashJoin[inner; on id; build: (LocalData(labels))]"],
  }]);
  assert.deepEqual(final.broadcasts, ["bc-1"]);
  assert.deepEqual(final.buildTask(3).node, {
    op: "hashJoin",
    left: { op: "range", start: 75, end: 100, step: 1, column: "id" },
    right: { op: "broadcastRead", broadcastId: "bc-1", schema: LABELS },
    leftOn: ["id"],
    rightOn: ["id"],
    how: "inner",
  });
});

Deno.test("planner hash-shuffles both sides of a join whose right side is over the threshold", async () => {
  const big = range(1_000_000, 2);
  const { ctx, record } = stubContext({ shufflePartitions: 3, broadcastThresholdRows: 1_000 });
  const final = await planResult(join(big, "left"), ctx);
  assert.equal(record.collected.length, 0);
  assert.equal(record.broadcasts.length, 0);
  const partitioner = { kind: "hash", keys: ["id"], n: 3 };
  assert.deepEqual(stagesOf(final).map(shape), [
    {
      id: 1,
      partitions: 4,
      parents: [],
      outputId: 101,
      partitioner,
      ops: ["Range(0, 100, step 1)"],
    },
    {
      id: 2,
      partitions: 2,
      parents: [],
      outputId: 102,
      partitioner,
      ops: ["Range(0, 1000000, step 1)"],
    },
    {
      id: 3,
      partitions: 3,
      parents: [1, 2],
      outputId: undefined,
      partitioner: undefined,
      ops: ["ShuffledHashJoin[left; on id]"],
    },
  ]);
  const node = final.buildTask(1).node;
  assert.ok(node.op === "hashJoin" && node.left.op === "shuffleRead" && node.right.op === "shuffleRead");
  assert.deepEqual([node.left.outputId, node.left.reducePartition, node.left.sources.length], [101, 1, 4]);
  assert.deepEqual([node.right.outputId, node.right.reducePartition, node.right.sources.length], [102, 1, 2]);
  assert.equal(node.how, "left");
});

Deno.test("planner shuffles a join when the strategy says so or the right side's size is unknown", async () => {
  const unknown: LogicalPlan = {
    op: "generate",
    module: "file:///gen.ts",
    export: "rows",
    args: null,
    partitions: 2,
    schema: LABELS,
  };
  for (const plan of [join(small, "inner", "shuffle"), join(unknown)]) {
    const { ctx, record } = stubContext();
    const final = await planResult(plan, ctx);
    assert.deepEqual(opNames(final), ["ShuffledHashJoin"]);
    assert.equal(final.parents.length, 2);
    assert.equal(record.collected.length, 0);
  }
});

Deno.test("planner never broadcasts the right side of a right or full outer join, even when asked", async () => {
  for (const how of ["right", "full"] as const) {
    const { ctx, record } = stubContext({ collect: () => [labels] });
    const final = await planResult(join(small, how, "broadcast"), ctx);
    assert.deepEqual(opNames(final), ["ShuffledHashJoin"], how);
    assert.equal(record.collected.length, 0, how);
  }
  const { ctx, record } = stubContext({ collect: () => [labels] });
  const forced = await planResult(join(range(1_000_000, 2), "semi", "broadcast"), ctx);
  assert.deepEqual(opNames(forced), ["Range", "BroadcastHashJoin"]);
  assert.equal(record.collected.length, 1);
});

Deno.test("planner explains a broadcast join without running its sub-job", async () => {
  const { ctx, record } = stubContext({ dryRun: true, collect: () => [labels] });
  const final = await planResult(join(small), ctx);
  assert.equal(record.collected.length, 0);
  assert.equal(record.broadcasts.length, 0);
  assert.deepEqual(final.broadcasts, ["dry-run"]);
  assert.deepEqual(opNames(final), ["Range", "BroadcastHashJoin"]);
});
