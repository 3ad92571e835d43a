import assert from "node:assert/strict";
import { canonicalPlan, partitionSeed, planFingerprint } from "../../../cluster/plan/fingerprint.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import { planPart } from "../../../cluster/plan/planner.ts";
import type { TaskNode } from "../../../cluster/plan/task_plan.ts";
import { stubContext } from "./planner_stub.ts";

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

function seedsOf(node: TaskNode, out: number[] = []): number[] {
  if ("seed" in node) out.push(node.seed);
  for (const k of ["input", "left", "right"] as const) {
    const child = (node as Partial<Record<typeof k, TaskNode>>)[k];
    if (child) seedsOf(child, out);
  }
  return out;
}

Deno.test("planned task seeds do not depend on the driver's stage counter", async () => {
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
  const fresh = await planPart(plan, stubContext().ctx);
  const later = await planPart(plan, stubContext({ stageIdBase: 1_000 }).ctx);
  for (let p = 0; p < 4; p++) {
    const seeds = seedsOf(fresh.build(p));
    assert.equal(seeds.length, 2, "the sample and the generator each carry a seed");
    assert.deepEqual(seedsOf(later.build(p)), seeds);
  }
  assert.notDeepEqual(seedsOf(fresh.build(0)), seedsOf(fresh.build(1)));
});
