import assert from "node:assert/strict";
import { canonicalPlan, partitionSeed, planFingerprint } from "../../../cluster/plan/fingerprint.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import type { Batch } from "../../../cluster/columnar/batch.ts";
import { type Part, type PlannerContext, planPart } from "../../../cluster/plan/planner.ts";
import type { TaskNode } from "../../../cluster/plan/task_plan.ts";

const SCHEMA = [{ name: "x", type: "long" as const, nullable: false }];

function inline(dataId: string): LogicalPlan {
  return { op: "inline", dataId, schema: SCHEMA, partitions: 2, rows: 10 };
}

Deno.test("canonicalPlan sorts keys and leaves out the ids a session assigns", () => {
  const a: LogicalPlan = { op: "cache", input: inline("data-1"), cacheId: 3 };
  const b: LogicalPlan = {
    cacheId: 17,
    input: { rows: 10, partitions: 2, schema: SCHEMA, dataId: "data-9", op: "inline" },
    op: "cache",
  };
  assert.equal(canonicalPlan(a), canonicalPlan(b));
  assert.doesNotMatch(canonicalPlan(a), /cacheId|dataId|data-1/);
  assert.deepEqual(planFingerprint(a), planFingerprint(b));
});

Deno.test("planFingerprint changes with arguments, children and salt", () => {
  const gen = (seed: number): LogicalPlan => ({
    op: "generate",
    module: "file:///m.ts",
    export: "rows",
    args: { seed, nested: { a: [1, 2] } },
    partitions: 2,
    schema: SCHEMA,
  });
  const fp = planFingerprint(gen(1));
  assert.notDeepEqual(planFingerprint(gen(2)), fp);
  assert.notDeepEqual(planFingerprint({ op: "limit", input: gen(1), n: 5 }), fp);
  assert.notDeepEqual(planFingerprint(gen(1), "fold"), fp);
  assert.deepEqual(planFingerprint(gen(1)), fp, "a new but equal plan object");
});

Deno.test("partitionSeed is a safe integer that differs by partition and by the operator's seed", () => {
  const fp = planFingerprint(inline("d"));
  const seeds = new Set<number>();
  for (let p = 0; p < 1000; p++) {
    const s = partitionSeed(fp, p, 7);
    assert.ok(Number.isSafeInteger(s) && s >= 0, `${s}`);
    assert.equal(partitionSeed(fp, p, 7), s);
    seeds.add(s);
  }
  assert.equal(seeds.size, 1000);
  assert.notEqual(partitionSeed(fp, 0, 8), partitionSeed(fp, 0, 7));
});

/** A planner context whose stage and output counters start at `base` (a driver with a history). */
function context(base: number): PlannerContext {
  let stage = base, output = base;
  return {
    shufflePartitions: 3,
    broadcastThresholdRows: 0,
    dryRun: false,
    nextStageId: () => ++stage,
    nextOutputId: () => ++output,
    locations: () => [],
    inlinePayload: () => undefined,
    cachedStage: () => undefined,
    rememberCachedStage: () => {},
    collect: (_part: Part): Promise<Batch[]> => Promise.resolve([]),
    broadcast: () => "bc",
    carries: () => Promise.resolve([]),
  };
}

function seedsOf(node: TaskNode, out: number[] = []): number[] {
  if ("seed" in node) out.push(node.seed);
  for (const k of ["input", "left", "right"] as const) {
    const child = (node as Partial<Record<typeof k, TaskNode>>)[k];
    if (child) seedsOf(child, out);
  }
  return out;
}

Deno.test("planned task seeds do not depend on the driver's stage or output counters", async () => {
  const plan: LogicalPlan = {
    op: "sample",
    input: {
      op: "generate",
      module: "file:///m.ts",
      export: "rows",
      args: null,
      partitions: 4,
      schema: SCHEMA,
    },
    lower: 0,
    upper: 0.5,
    withReplacement: false,
    seed: 9,
  };
  const fresh = await planPart(plan, context(0));
  const later = await planPart(plan, context(1_000));
  for (let p = 0; p < 4; p++) {
    const seeds = seedsOf(fresh.build(p));
    assert.equal(seeds.length, 2, "the sample and the generator each carry a seed");
    assert.deepEqual(seedsOf(later.build(p)), seeds);
  }
  assert.notDeepEqual(seedsOf(fresh.build(0)), seedsOf(fresh.build(1)));
});
