import assert from "node:assert/strict";
import type { Json } from "../../../actors/errors.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import { foldSinks } from "../../../cluster/plan/planner.ts";
import { MAX_ARGS_BYTES } from "../../../cluster/util/partition_value.ts";
import type { TaskNode, TaskSink } from "../../../cluster/plan/task_plan.ts";
import { opNames, planResult, range, shape, stagesOf, stubContext } from "./planner_stub.ts";

const SCHEMA = [{ name: "id", type: "long" as const, nullable: false }, {
  name: "y",
  type: "double" as const,
  nullable: false,
}];

function mapPartitions(carry: boolean, args: Json = { k: 1 }): LogicalPlan {
  return {
    op: "mapPartitions",
    input: { op: "sample", input: range(100, 4), lower: 0, upper: 0.5, withReplacement: false, seed: 7 },
    module: "file:///ops.ts",
    export: "score",
    args,
    schema: SCHEMA,
    ...(carry ? { carry: { summarize: "sum", chain: "prefix" } } : {}),
  };
}

function mapNode(node: TaskNode): Extract<TaskNode, { op: "mapPartitions" }> {
  assert.equal(node.op, "mapPartitions");
  return node as Extract<TaskNode, { op: "mapPartitions" }>;
}

Deno.test("planner fuses mapPartitions and sample into the stage that reads their input", async () => {
  const { ctx, record } = stubContext();
  const final = await planResult(mapPartitions(false), ctx);
  assert.deepEqual(stagesOf(final).map(opNames), [["Range", "Sample", "MapPartitions"]]);
  assert.equal(stagesOf(final).length, 1);
  assert.deepEqual(shape(final).ops.slice(1), [
    "Sample[[0, 0.5); seed 7]",
    "MapPartitions[score from file:///ops.ts]",
  ]);
  const node = mapNode(final.buildTask(2).node);
  assert.deepEqual(
    { ...node, input: node.input.op, seed: typeof node.seed },
    {
      op: "mapPartitions",
      input: "rowSample",
      module: "file:///ops.ts",
      export: "score",
      args: { k: 1 },
      schema: SCHEMA,
      partition: 2,
      numPartitions: 4,
      seed: "number",
    },
  );
  assert.ok(!("carry" in node), "no carry field without a carry");
  assert.equal(record.carries.length, 0);
});

Deno.test("planner asks for one carry per partition and hands partition p its own", async () => {
  const { ctx, record } = stubContext({
    carries: (part) => Array.from({ length: part.n }, (_, p) => ({ at: p * 10 })),
  });
  const plan = mapPartitions(true);
  const final = await planResult(plan, ctx);
  assert.equal(record.carries.length, 1);
  const { part, job } = record.carries[0]!;
  assert.equal(part.n, 4);
  assert.deepEqual(
    opNames({ ...final, ops: part.ops }),
    ["Range", "Sample"],
    "the summaries fold the map's input",
  );
  assert.deepEqual(job, {
    input: (plan as Extract<LogicalPlan, { op: "mapPartitions" }>).input,
    module: "file:///ops.ts",
    carry: { summarize: "sum", chain: "prefix" },
    args: { k: 1 },
  });
  assert.deepEqual([0, 1, 2, 3].map((p) => mapNode(final.buildTask(p).node).carry), [
    { at: 0 },
    { at: 10 },
    { at: 20 },
    { at: 30 },
  ]);
  assert.match(shape(final).ops.at(-1)!, /carry: sum → prefix/);
  // A carry chain that returns the wrong count fails planning.
  const short = stubContext({ carries: () => [1] });
  await assert.rejects(planResult(plan, short.ctx), /returned 1 carries for 4 partitions/);
  // explain() plans without sub-jobs.
  const dry = stubContext({ dryRun: true });
  await planResult(plan, dry.ctx);
  assert.equal(dry.record.carries.length, 0);
});

Deno.test("foldSinks seed each partition from the input plan, the fold and the partition", () => {
  const fold = { module: "file:///ops.ts", export: "histogram", args: { bins: 3 } };
  const sinks = foldSinks(range(100, 4), fold, 4);
  const s1 = sinks(1);
  assert.deepEqual({ ...s1, seed: 0 }, { kind: "fold", ...fold, numPartitions: 4, seed: 0 });
  assert.deepEqual(foldSinks(range(100, 4), fold, 4)(1), s1, "the same plan, the same seeds");
  const seeds = [0, 1, 2, 3].map((p) => (sinks(p) as { seed: number }).seed);
  assert.equal(new Set(seeds).size, 4);
  assert.notEqual(
    (foldSinks(range(100, 4), { ...fold, export: "other" }, 4)(1) as { seed: number }).seed,
    seeds[1],
  );
  assert.notEqual((foldSinks(range(101, 4), fold, 4)(1) as { seed: number }).seed, seeds[1]);
});

Deno.test("planner broadcasts arguments above the inline limit once and keeps the seeds they give", async () => {
  const { ctx, record } = stubContext();
  const pad = "p".repeat(MAX_ARGS_BYTES);
  const plan = mapPartitions(false, { k: 1, pad });
  const final = await planResult(plan, ctx);
  assert.equal(record.argsBroadcasts.length, 1);
  const { id, json } = record.argsBroadcasts[0]!;
  assert.deepEqual(JSON.parse(new TextDecoder().decode(json)), { k: 1, pad });
  assert.deepEqual(final.broadcasts, [id], "the stage lists it, so each executor gets it before a task");
  assert.match(shape(final).ops.at(-1)!, /; args by broadcast\]$/);
  for (const p of [0, 3]) {
    const node = mapNode(final.buildTask(p).node);
    assert.deepEqual([node.args, node.argsBroadcast], [null, id]);
  }
  const small = mapNode((await planResult(mapPartitions(false), ctx)).buildTask(0).node);
  assert.ok(!("argsBroadcast" in small), "small arguments travel inline");
  assert.equal(record.argsBroadcasts.length, 1);

  // A fold's seed comes from its arguments, whichever way they travel.
  const fold = { module: "m", export: "f", args: { pad } };
  const seedOf = (sink: TaskSink) => sink.kind === "fold" ? sink.seed : undefined;
  const shipped = foldSinks(range(10, 2), fold, 2, { args: null, argsBroadcast: "bc-9" })(1);
  assert.deepEqual(shipped.kind === "fold" && [shipped.args, shipped.argsBroadcast], [null, "bc-9"]);
  assert.equal(seedOf(shipped), seedOf(foldSinks(range(10, 2), fold, 2)(1)));
  assert.equal(typeof seedOf(shipped), "number");
});
