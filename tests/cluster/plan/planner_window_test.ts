import assert from "node:assert/strict";
import type { Expr, WindowOrder } from "../../../cluster/expr/expr.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import { schemaOf } from "../../../cluster/plan/plan_schema.ts";
import { projectWithWindows } from "../../../cluster/plan/window_plan.ts";
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

const BY_ID: WindowOrder = { column: "id", ascending: true, nullsFirst: true };
const keyed: LogicalPlan = {
  op: "project",
  input: range(100, 4),
  exprs: [col("id"), alias("k", bin("%", col("id"), lit(7)))],
};
const window = (partitionBy: string[], input: LogicalPlan = keyed, suffix = ""): LogicalPlan => ({
  op: "window",
  input,
  partitionBy,
  orderBy: [BY_ID],
  fns: [
    { fn: "count", frame: { kind: "range", lower: -10, upper: 0 }, name: `n${suffix}` },
    { fn: "lag", arg: col("id"), offset: 1, name: `prev${suffix}` },
  ],
});

Deno.test("planner hash-shuffles a window by its partition columns, then sorts and scans in one narrow step", async () => {
  const { ctx } = stubContext({ shufflePartitions: 3 });
  const final = await planResult(window(["k"]), ctx);
  assert.deepEqual(stagesOf(final).map(shape), [
    {
      id: 1,
      partitions: 4,
      parents: [],
      outputId: 101,
      partitioner: { kind: "hash", keys: ["k"], n: 3 },
      ops: ["Range(0, 100, step 1)", "Project[id, (id % 7) AS k]"],
    },
    {
      id: 2,
      partitions: 3,
      parents: [1],
      outputId: undefined,
      partitioner: undefined,
      ops: [
        "ShuffleRead(output 101)",
        "Window[partition by k; order by id ASC NULLS FIRST; count(1) RANGE BETWEEN 10 PRECEDING AND " +
        "CURRENT ROW AS n, lag(id, 1, NULL) AS prev]",
      ],
    },
  ]);
  assert.deepEqual(final.buildTask(1).node, {
    op: "window",
    input: {
      op: "shuffleRead",
      outputId: 101,
      reducePartition: 1,
      sources: [0, 1, 2, 3].map((m) => ({ mapPartition: m, executorId: executorOf(m) })),
      schema: schemaOf(keyed),
    },
    partitionBy: ["k"],
    orderBy: [BY_ID],
    fns: (window(["k"]) as Extract<LogicalPlan, { op: "window" }>).fns,
  });
});

Deno.test("planner gathers a window without partition columns into a single partition", async () => {
  const { ctx } = stubContext({ shufflePartitions: 3 });
  const final = await planResult(window([]), ctx);
  const [map, scan] = stagesOf(final);
  assert.deepEqual(map!.partitioner, { kind: "single" });
  assert.equal(scan!.numPartitions, 1);
  assert.deepEqual(opNames(scan!), ["ShuffleRead", "Window"]);
});

Deno.test("planner runs stacked windows as one stage each, the second reading the first's output", async () => {
  const { ctx } = stubContext({ shufflePartitions: 2 });
  const final = await planResult(window(["id"], window(["k"]), "2"), ctx);
  const stages = stagesOf(final);
  assert.deepEqual(stages.map((s) => [s.id, s.numPartitions, s.partitioner?.kind, opNames(s)]), [
    [1, 4, "hash", ["Range", "Project"]],
    [2, 2, "hash", ["ShuffleRead", "Window"]],
    [3, 2, undefined, ["ShuffleRead", "Window"]],
  ]);
  assert.deepEqual(stages[1]!.partitioner, { kind: "hash", keys: ["id"], n: 2 });
});

Deno.test("planner reuses a window's shuffle for a window partitioned by a superset of its columns", async () => {
  const { ctx } = stubContext({ shufflePartitions: 2 });
  // by k, then by (k, id): rows equal in (k, id) are equal in k, so already together.
  const final = await planResult(window(["k", "id"], window(["k"]), "2"), ctx);
  const stages = stagesOf(final);
  assert.deepEqual(stages.map((s) => [s.numPartitions, s.partitioner?.kind, opNames(s)]), [
    [4, "hash", ["Range", "Project"]],
    [2, undefined, ["ShuffleRead", "Window", "Window"]],
  ]);
  // A projection in between may change the key columns: shuffle again.
  const projected: LogicalPlan = { op: "project", input: window(["k"]), exprs: [col("id"), col("k")] };
  const { ctx: ctx2 } = stubContext({ shufflePartitions: 2 });
  assert.equal(stagesOf(await planResult(window(["k"], projected, "2"), ctx2)).length, 3);
  // So does a window over every row after one by k (it needs a single partition).
  const { ctx: ctx3 } = stubContext({ shufflePartitions: 2 });
  assert.equal(stagesOf(await planResult(window([], window(["k"]), "2"), ctx3)).length, 3);
});

const SCHEMA = schemaOf(keyed);
const over = (fn: "count" | "rowNumber", orderBy: WindowOrder[], lower: number): Expr => ({
  op: "over",
  call: { fn },
  window: { partitionBy: ["k"], orderBy, frame: { kind: "rows", lower, upper: 0 } },
});

Deno.test("projectWithWindows moves window calls into one operator per window, computing each call once", () => {
  const byId = over("count", [BY_ID], -1);
  const plan = projectWithWindows(keyed, SCHEMA, [
    col("id"),
    alias("twice", bin("*", byId, lit(2))),
    byId,
    alias("rn", over("rowNumber", [BY_ID], -5)),
    alias("other", over("count", [{ ...BY_ID, ascending: false }], -1)),
  ]);
  assert.ok(plan.op === "project");
  const outer = plan.input, inner = outer.op === "window" ? outer.input : undefined;
  assert.ok(outer.op === "window" && inner?.op === "window");
  assert.equal(inner.input, keyed);
  assert.deepEqual(inner.fns, [
    { fn: "count", frame: { kind: "rows", lower: -1, upper: 0 }, name: "__w0" },
    { fn: "rowNumber", name: "__w1" }, // frames are dropped for functions that ignore them
  ]);
  assert.deepEqual(outer.orderBy, [{ ...BY_ID, ascending: false }]);
  assert.deepEqual(outer.fns.map((f) => f.name), ["__w2"]);
  assert.deepEqual(plan.exprs, [
    col("id"),
    alias("twice", bin("*", col("__w0"), lit(2))),
    alias(
      "count(1) OVER (PARTITION BY k ORDER BY id ASC NULLS FIRST ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)",
      col("__w0"),
    ),
    alias("rn", col("__w1")),
    alias("other", col("__w2")),
  ]);
  assert.deepEqual(schemaOf(plan).map((f) => f.name).slice(0, 2), ["id", "twice"]);
});

Deno.test("projectWithWindows is a plain projection without window calls and avoids taken names", () => {
  const exprs = [col("id"), alias("k2", bin("*", col("k"), lit(2)))];
  assert.deepEqual(projectWithWindows(keyed, SCHEMA, exprs), { op: "project", input: keyed, exprs });
  const withW0: LogicalPlan = {
    op: "project",
    input: keyed,
    exprs: [col("id"), col("k"), alias("__w0", col("k"))],
  };
  const plan = projectWithWindows(withW0, schemaOf(withW0), [over("count", [BY_ID], -1)]);
  assert.ok(plan.op === "project" && plan.input.op === "window");
  assert.deepEqual(plan.input.fns.map((f) => f.name), ["__w1"]);
});

Deno.test("projectWithWindows puts windows with fewer partition columns first, so later ones reuse the shuffle", async () => {
  const by = (partitionBy: string[]): Expr => ({
    op: "over",
    call: { fn: "rowNumber" },
    window: { partitionBy, orderBy: [BY_ID] },
  });
  const plan = projectWithWindows(keyed, SCHEMA, [alias("a", by(["k", "id"])), alias("b", by(["k"]))]);
  assert.ok(plan.op === "project" && plan.input.op === "window" && plan.input.input.op === "window");
  assert.deepEqual([plan.input.input.partitionBy, plan.input.partitionBy], [["k"], ["k", "id"]]);
  const { ctx } = stubContext();
  assert.equal(stagesOf(await planResult(plan, ctx)).length, 2, "one shuffle for both");
});
