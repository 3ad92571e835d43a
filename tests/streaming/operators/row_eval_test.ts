import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows, scalarAt } from "../../../cluster/columnar/batch_ops.ts";
import { col, lit, when } from "../../../cluster/expr/column.ts";
import { evalExpr } from "../../../cluster/expr/eval.ts";
import type { Expr } from "../../../cluster/expr/expr.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { compileRowExpr } from "../../../streaming/operators/row_eval.ts";

const SCHEMA: Schema = [
  { name: "x", type: "double", nullable: true },
  { name: "y", type: "double", nullable: true },
  { name: "n", type: "long", nullable: true },
  { name: "t", type: "timestamp", nullable: true },
  { name: "u", type: "timestamp", nullable: true },
  { name: "i", type: "int", nullable: true },
  { name: "b", type: "bool", nullable: true },
  { name: "s", type: "string", nullable: true },
];

/** Rows full of the values that trip evaluators: nulls, zeros of both signs, NaN, infinities, big ints. */
function rows(count: number, seed: number): Row[] {
  const rng = new CounterRandom(seed);
  let draw = 0;
  const pick = <T>(xs: readonly T[]): T => xs[rng.below(draw++, xs.length)]!;
  const doubles = [null, 0, -0, 1, -2.5, 3.75, NaN, Infinity, -Infinity, 1e308, 7];
  const ints = [null, 0, 1, 2, -1, 5, 2 ** 31 + 3, 1e3];
  return Array.from({ length: count }, () => ({
    x: pick(doubles),
    y: pick(doubles),
    n: pick(ints),
    t: pick([null, 0, 1_000, 3_600_000, 1_704_067_200_000]),
    u: pick([null, 0, 999, 1_704_067_200_500]),
    i: pick(ints),
    b: pick([null, true, false]),
    s: pick([null, "a", "b", ""]),
  }));
}

const EXPRS: [string, Expr][] = [
  ["arith", col("x").plus(col("y")).times(col("n")).minus(lit(1.5)).expr],
  ["div by zero is null", col("x").div(col("y")).expr],
  ["mod double", col("x").mod(col("y")).expr],
  ["time difference", col("t").minus(col("u")).div(1000).expr],
  ["comparisons", col("x").lt(col("y")).or(col("n").ge(2)).and(col("s").ne("a")).expr],
  ["three-valued logic", col("b").and(col("x").gt(0)).or(col("b").not()).expr],
  ["null tests", col("x").isNull().and(col("s").isNotNull()).expr],
  ["int equality", col("i").eq(1).expr],
  ["int widened", col("i").plus(col("x")).expr],
  ["neg abs", col("x").neg().plus(col("y").abs()).expr],
  ["when", when(col("y").ne(0), col("x").div(col("y"))).when(col("b"), lit(-1)).otherwise(col("n")).expr],
  ["when without otherwise", when(col("x").gt(col("y")), col("x").minus(col("y"))).expr],
  ["velocity's amount_z shape", when(col("y").gt(0), col("x").minus(col("n")).div(col("y"))).expr],
];

Deno.test("row-compiled expressions equal evalExpr on every row, nulls, zeros, NaN and overflow included", () => {
  const data = rows(2_000, 5);
  const batch = batchFromRows(SCHEMA, data);
  for (const [name, expr] of EXPRS) {
    const f = compileRowExpr(expr, SCHEMA);
    assert.ok(f !== undefined, `${name} compiles row by row`);
    const want = evalExpr(expr, batch);
    data.forEach((row, i) => {
      assert.ok(Object.is(f(row), scalarAt(want, i)), `${name}, row ${JSON.stringify(row)}`);
    });
  }
});

Deno.test("what only the batch evaluator computes is not compiled", () => {
  for (
    const e of [
      col("i").plus(col("i")).expr, // int32 arithmetic
      col("n").mod(col("n")).expr, // long modulo
      col("x").cast("int").expr, // narrowing
      col("x").sqrt().expr, // not compiled
    ]
  ) assert.equal(compileRowExpr(e, SCHEMA), undefined, JSON.stringify(e));
});
