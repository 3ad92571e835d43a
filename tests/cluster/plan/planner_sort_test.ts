import assert from "node:assert/strict";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../../cluster/columnar/batch_ops.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import type { Part } from "../../../cluster/plan/planner.ts";
import { partitionSeed, planFingerprint } from "../../../cluster/plan/fingerprint.ts";
import {
  alias,
  bin,
  col,
  lit,
  opNames,
  planResult,
  range,
  shape,
  stagesOf,
  stubContext,
} from "./planner_stub.ts";

const ID: Schema = [{ name: "id", type: "long", nullable: false }];
const byIdDescending = (input: LogicalPlan): LogicalPlan => ({
  op: "sort",
  input,
  keys: [{ expr: col("id"), ascending: false, nullsFirst: false }],
});
const KEYS = [{ column: "id", ascending: false, nullsFirst: false }];

/** Ids 0..59 in two scrambled batches, as a sample sub-job might return them. */
function samples(): ReturnType<typeof batchFromRows>[] {
  const ids = Array.from({ length: 60 }, (_, i) => (i * 37) % 60);
  return [ids.slice(0, 25), ids.slice(25)].map((part) => batchFromRows(ID, part.map((id) => ({ id }))));
}

Deno.test("planner sorts by range partitioning on bounds that a sampling sub-job computes", async () => {
  const { ctx, record } = stubContext({ shufflePartitions: 3, collect: samples });
  const final = await planResult(byIdDescending(range(100, 4)), ctx);

  assert.equal(record.collected.length, 1, "one sampling sub-job");
  const sampled: Part = record.collected[0]!;
  assert.equal(sampled.n, 4);
  assert.deepEqual(sampled.ops, ["Range(0, 100, step 1)", "Sample[id]"]);
  const seed = partitionSeed(planFingerprint(range(100, 4)), 1); // of the sort's input and the partition
  assert.deepEqual(sampled.build(1), {
    op: "sample",
    input: { op: "range", start: 25, end: 50, step: 1, column: "id" },
    keys: ["id"],
    size: 60, // 20 per output partition
    seed,
  });

  // Descending over 60 samples into 3 partitions: cut after the 20th and 40th largest.
  const partitioner = { kind: "range", keys: KEYS, n: 3, bounds: [{ id: 40 }, { id: 20 }] };
  assert.deepEqual(stagesOf(final).map(shape), [
    { id: 1, partitions: 4, parents: [], outputId: 101, partitioner, ops: ["Range(0, 100, step 1)"] },
    {
      id: 2,
      partitions: 3,
      parents: [1],
      outputId: undefined,
      partitioner: undefined,
      ops: ["ShuffleRead(output 101)", "SortLocal[id DESC]"],
    },
  ]);
  const node = final.buildTask(2).node;
  assert.ok(node.op === "sortLocal" && node.input.op === "shuffleRead", JSON.stringify(node));
  assert.deepEqual(node.keys, KEYS);
  assert.equal(node.input.reducePartition, 2);
  assert.equal(node.input.sources.length, 4);
});

Deno.test("planner samples a sort's input once: the sub-job and the sort share the stage before it", async () => {
  const { ctx, record } = stubContext({ shufflePartitions: 2, collect: samples });
  const grouped: LogicalPlan = {
    op: "aggregate",
    input: { op: "project", input: range(100, 4), exprs: [alias("id", bin("%", col("id"), lit(7)))] },
    keys: [col("id")],
    aggs: [{ fn: "count", name: "n" }],
  };
  const final = await planResult(byIdDescending(grouped), ctx);
  const sampled = record.collected[0]!;
  const [agg, rangeMap, sort] = stagesOf(final);
  assert.deepEqual(opNames(agg!), ["Range", "Project", "Project", "PartialAgg"]);
  assert.equal(sampled.parents.length, 1);
  assert.equal(sampled.parents[0], agg, "the same stage object, so the scheduler runs it once");
  assert.deepEqual(rangeMap!.parents, [agg]);
  assert.deepEqual(opNames(rangeMap!), ["ShuffleRead", "FinalAgg"]);
  assert.equal(rangeMap!.partitioner?.kind, "range");
  assert.deepEqual(sort!.parents, [rangeMap]);
  assert.equal(record.stageIdsDrawn, 3);
});

Deno.test("planner skips the sampling sub-job when explaining, for a single partition, and on empty samples", async () => {
  const cases = [
    { name: "dry run", options: { dryRun: true }, input: range(100, 4), partitions: 3 },
    { name: "one input partition", options: {}, input: range(100, 1), partitions: 1 },
    { name: "one shuffle partition", options: { shufflePartitions: 1 }, input: range(100, 4), partitions: 1 },
  ];
  for (const c of cases) {
    const { ctx, record } = stubContext({ shufflePartitions: 3, ...c.options, collect: samples });
    const final = await planResult(byIdDescending(c.input), ctx);
    assert.equal(record.collected.length, 0, c.name);
    assert.equal(final.numPartitions, c.partitions, c.name);
    assert.deepEqual(final.parents[0]!.partitioner, {
      kind: "range",
      keys: KEYS,
      n: c.partitions,
      bounds: [],
    });
  }
  const { ctx, record } = stubContext({ shufflePartitions: 3, collect: () => [] });
  const final = await planResult(byIdDescending(range(100, 4)), ctx);
  assert.equal(record.collected.length, 1);
  assert.deepEqual(final.parents[0]!.partitioner, { kind: "range", keys: KEYS, n: 3, bounds: [] });
});

Deno.test("planner sorts into no more partitions than its input has", async () => {
  const { ctx } = stubContext({ shufflePartitions: 8, collect: samples });
  const final = await planResult(byIdDescending(range(100, 2)), ctx);
  assert.equal(final.numPartitions, 2);
  const partitioner = final.parents[0]!.partitioner;
  assert.ok(partitioner?.kind === "range");
  assert.deepEqual(partitioner.bounds, [{ id: 30 }]);
});

Deno.test("planner rejects a sort key that is an expression, naming it", async () => {
  const { ctx } = stubContext();
  const plan: LogicalPlan = {
    op: "sort",
    input: range(100, 4),
    keys: [{ expr: bin("%", col("id"), lit(7)), ascending: true, nullsFirst: true }],
  };
  await assert.rejects(planResult(plan, ctx), {
    name: "TypeError",
    message: /sort keys must be columns; .*id % 7/,
  });
});
