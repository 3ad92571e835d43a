import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import { decodeExpr, decodeWindowExpr } from "../../../cluster/expr/codec.ts";
import { avg, col, count, max, min, stddev, sum, variance } from "../../../cluster/expr/column.ts";
import type { Expr } from "../../../cluster/expr/expr.ts";
import { denseRank, lag, lead, rank, rowNumber, Window } from "../../../cluster/expr/window.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import { decodeLogicalPlan } from "../../../cluster/plan/logical_plan_codec.ts";
import { decodeTaskNode } from "../../../cluster/protocol.ts";
import { planResult, range, stubContext } from "./planner_stub.ts";

const w = Window.partitionBy("k").orderBy(col("t").desc()).rangeBetween(-3_600_000, 0);
const ties = Window.partitionBy("k", "s").orderBy(col("t").ascNullsLast(), "id");
const rows = Window.partitionBy("k").orderBy("t").rowsBetween(Window.unboundedPreceding, -1);

/** Every window function, as the builder writes it. */
const OVERS: Expr[] = [
  rowNumber().over(w).expr,
  rank().over(ties).expr,
  denseRank().over(ties).expr,
  lag("x").over(w).expr,
  lag(col("x").times(2), 3, 0).over(w).expr,
  lead("s", 2, "none").over(w).expr,
  count().over(Window.orderBy("t").rangeBetween(-1, 0)).expr,
  count("x").over(rows).expr,
  sum("x").over(rows).expr,
  avg("x").alias("mean").over(w).expr,
  min("x").over(w).expr,
  max("s").over(Window.partitionBy("k")).expr,
  stddev("x").over(rows).expr,
  variance("x").over(Window.rowsBetween(-2, 2)).expr,
];

Deno.test("decodeExpr round-trips every window function the builder writes", () => {
  for (const e of OVERS) assert.deepEqual(decodeExpr(JSON.parse(JSON.stringify(e))), e);
});

const plan: LogicalPlan = {
  op: "window",
  input: { op: "project", input: range(10, 2), exprs: [{ op: "col", name: "id" }] },
  partitionBy: ["id"],
  orderBy: [{ column: "id", ascending: false, nullsFirst: false }],
  fns: [
    { fn: "count", frame: { kind: "range", lower: -5, upper: "unbounded" }, name: "n" },
    { fn: "lead", arg: { op: "col", name: "id" }, offset: 2, default: -1, name: "next" },
    { fn: "rank", name: "r" },
  ],
};

Deno.test("a window operator round-trips through the logical plan and task node codecs", async () => {
  assert.deepEqual(decodeLogicalPlan(JSON.parse(JSON.stringify(plan))), plan);
  const { ctx } = stubContext();
  const node = (await planResult(plan, ctx)).buildTask(0).node;
  assert.equal(node.op, "window");
  assert.deepEqual(decodeTaskNode(JSON.parse(JSON.stringify(node))), node);
});

function over(call: unknown, window: unknown = { partitionBy: [], orderBy: [] }): unknown {
  return { op: "over", call, window };
}
const T = { column: "t", ascending: true, nullsFirst: true };

Deno.test("decodeExpr rejects malformed window calls and windows, naming the field", () => {
  const cases: [unknown, RegExp][] = [
    [
      over({ fn: "median", arg: { op: "col", name: "x" } }),
      /"expr.call.fn" unknown window function "median"/,
    ],
    [over({ fn: "sum" }), /"expr.call.arg" sum needs an argument/],
    [over({ fn: "rowNumber", arg: { op: "col", name: "x" } }), /"expr.call.arg" not allowed for rowNumber/],
    [
      over({ fn: "lag", arg: { op: "col", name: "x" }, offset: 1.5 }),
      /"expr.call.offset" expected an integer/,
    ],
    [over({ fn: "lag", arg: { op: "col", name: "x" }, offset: 2 ** 31 }), /"expr.call.offset"/],
    [over({ fn: "count", offset: 1 }), /"expr.call.offset" not allowed for count/],
    [over({ fn: "count", default: 0 }), /"expr.call.default" not allowed for count/],
    [
      over({ fn: "lead", arg: { op: "col", name: "x" }, default: [1] }),
      /"expr.call.default" expected a finite/,
    ],
    [over({ fn: "lag", arg: { op: "nope" } }), /"expr.call.arg" unknown op "nope"/],
    [over({ fn: "count", extra: 1 }), /"expr.call" unexpected key "extra"/],
    [
      over({ fn: "count" }, { partitionBy: [""], orderBy: [] }),
      /"expr.window.partitionBy\[0\]" expected a non-empty/,
    ],
    [over({ fn: "count" }, { partitionBy: "k", orderBy: [] }), /"expr.window.partitionBy" expected an array/],
    [over({ fn: "count" }, { partitionBy: Array(1001).fill("k"), orderBy: [] }), /at most 1000 items/],
    [
      over({ fn: "count" }, { partitionBy: [], orderBy: [{ column: "t" }] }),
      /"expr.window.orderBy\[0\]" ascending/,
    ],
    [
      over({ fn: "count" }, { partitionBy: [], orderBy: [], window: 1 }),
      /"expr.window" unexpected key "window"/,
    ],
    [
      over({ fn: "count" }, { partitionBy: [], orderBy: [T], frame: { kind: "groups", lower: 0, upper: 0 } }),
      /"expr.window.frame.kind" unknown frame kind "groups"/,
    ],
    [
      over({ fn: "count" }, {
        partitionBy: [],
        orderBy: [T],
        frame: { kind: "rows", lower: -1.5, upper: 0 },
      }),
      /"expr.window.frame.lower" expected "unbounded" or a finite integer/,
    ],
    [
      over({ fn: "count" }, {
        partitionBy: [],
        orderBy: [T],
        frame: { kind: "range", lower: 0, upper: "far" },
      }),
      /"expr.window.frame.upper" expected "unbounded" or a finite number, got "far"/,
    ],
    [
      over({ fn: "count" }, { partitionBy: [], orderBy: [T], frame: { kind: "range", lower: 2, upper: 1 } }),
      /"expr.window.frame" lower bound 2 is after upper bound 1/,
    ],
  ];
  for (const [u, message] of cases) {
    assert.throws(
      () => decodeExpr(u),
      (e: unknown) => e instanceof MalformedMessageError && message.test(e.message),
      String(message),
    );
  }
});

Deno.test("decodeWindowExpr demands a frame exactly for the frame aggregates", () => {
  assert.throws(() => decodeWindowExpr({ fn: "count", name: "n" }), /"windowFn.frame" count needs a frame/);
  assert.throws(
    () => decodeWindowExpr({ fn: "rank", frame: { kind: "rows", lower: 0, upper: 0 }, name: "r" }),
    /"windowFn.frame" not allowed for rank/,
  );
  assert.throws(() => decodeWindowExpr({ fn: "rank" }), /"windowFn.name" expected a non-empty string/);
});

Deno.test("decodeLogicalPlan rejects a window operator without functions or with bad parts, by path", () => {
  const bad = (change: Record<string, unknown>) => JSON.parse(JSON.stringify({ ...plan, ...change }));
  assert.throws(() => decodeLogicalPlan(bad({ fns: [] })), /"fns" must hold at least one window function/);
  assert.throws(() => decodeLogicalPlan(bad({ partitionBy: [3] })), /"partitionBy\[0\]" must be a string/);
  assert.throws(
    () => decodeLogicalPlan(bad({ orderBy: [{ column: "id", ascending: "yes", nullsFirst: true }] })),
    /"orderBy\[0\]" ascending and nullsFirst must be booleans/,
  );
  assert.throws(
    () =>
      decodeLogicalPlan(
        bad({ fns: [{ fn: "sum", name: "s", frame: { kind: "rows", lower: 0, upper: 0 } }] }),
      ),
    /"fns\[0\].arg" sum needs an argument/,
  );
  assert.throws(() => decodeLogicalPlan(bad({ frame: {} })), /unexpected field "frame" in window/);
});
