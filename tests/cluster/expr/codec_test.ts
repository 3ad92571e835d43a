import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import { decodeAggExpr, decodeExpr, decodeSortKey } from "../../../cluster/expr/codec.ts";
import {
  approxCountDistinct,
  approxQuantile,
  avg,
  coalesce,
  col,
  concat,
  count,
  countDistinct,
  dayOfMonth,
  dayOfWeek,
  first,
  greatest,
  hash,
  hour,
  least,
  length,
  lit,
  lower,
  max,
  min,
  month,
  pow,
  round,
  stddev,
  substr,
  sum,
  upper,
  variance,
  when,
  year,
} from "../../../cluster/expr/column.ts";
import type { Expr } from "../../../cluster/expr/expr.ts";

const a = col("a");

/** One of every builder output. */
function everyBuilderOutput(): Expr[] {
  const b = col("b");
  return [
    a,
    lit(1),
    lit(2.5),
    lit("s"),
    lit(true),
    lit(null),
    lit(5, "long"),
    lit("2024-01-01", "timestamp"),
    a.plus(b),
    a.minus(1),
    a.times(2),
    a.div(b),
    a.mod(3),
    a.eq(1),
    a.ne("x"),
    a.lt(1),
    a.le(1),
    a.gt(1),
    a.ge(1),
    a.and(b),
    a.or(false),
    a.not(),
    a.neg(),
    a.isNull(),
    a.isNotNull(),
    a.isIn(1, 2, null),
    a.abs(),
    a.sqrt(),
    a.log(),
    a.exp(),
    a.floor(),
    a.ceil(),
    a.cast("date"),
    a.alias("z"),
    a.as("y"),
    when(a, 1),
    when(a, 1).when(b, 2).otherwise(3),
    hash("a", "b"),
    coalesce("a", 1),
    concat("a", "b"),
    lower("a"),
    upper("a"),
    length("a"),
    substr("a", 1),
    substr("a", -2, 1),
    pow("a", 2),
    round("a", 2),
    round("a"),
    year("a"),
    month("a"),
    dayOfMonth("a"),
    dayOfWeek("a"),
    hour("a"),
    least("a", "b", 1),
    greatest("a", 1),
  ].map((c) => c.expr);
}

Deno.test("decodeExpr accepts every builder output after a JSON round trip", () => {
  for (const e of everyBuilderOutput()) {
    const wire: unknown = JSON.parse(JSON.stringify(e));
    assert.deepEqual(decodeExpr(wire), e);
  }
  const aggs = [
    count(),
    count("a"),
    sum("a"),
    avg("a"),
    min("a"),
    max("a"),
    stddev("a"),
    variance("a"),
    countDistinct("a"),
    approxCountDistinct("a"),
    approxQuantile("a", 0.25, 0.05),
    first("a"),
    sum("a").alias("t"),
  ];
  for (const g of aggs) assert.deepEqual(decodeAggExpr(JSON.parse(JSON.stringify(g))), g.agg);
  for (const k of [a.asc(), a.plus(1).descNullsFirst()]) {
    assert.deepEqual(decodeSortKey(JSON.parse(JSON.stringify(k))), k);
  }
});

function nest(depth: number): unknown {
  let e: unknown = { op: "col", name: "a" };
  for (let i = 1; i < depth; i++) e = { op: "un", fn: "neg", arg: e };
  return e;
}

Deno.test("decodeExpr rejects malformed expressions with MalformedMessageError", () => {
  const bad: [unknown, RegExp][] = [
    [null, /expected an object/],
    [[], /expected an object/],
    ["col", /expected an object, got "col"/],
    [{ op: "sql", text: "DROP TABLE" }, /unknown op "sql"/],
    [{ op: "col" }, /expected a non-empty string/],
    [{ op: "col", name: "" }, /non-empty string/],
    [{ op: "col", name: "a", extra: 1 }, /unexpected key "extra"/],
    [{ op: "lit", value: { x: 1 } }, /finite number, string, boolean or null/],
    [{ op: "lit", value: 1, type: "float" }, /unknown data type "float"/],
    [{ op: "lit" }, /finite number/],
    [
      { op: "bin", fn: "**", left: { op: "col", name: "a" }, right: { op: "col", name: "b" } },
      /unknown binary operator/,
    ],
    [
      { op: "bin", fn: "+", left: { op: "col", name: "a" } },
      /^expression: "expr\.right" expected an object, got undefined$/,
    ],
    [{ op: "un", fn: "eval", arg: { op: "col", name: "a" } }, /unknown unary operator "eval"/],
    [{ op: "cast", to: "varchar", arg: { op: "col", name: "a" } }, /unknown data type/],
    [{ op: "when", branches: [] }, /non-empty array/],
    [{ op: "when", branches: [{ cond: { op: "col", name: "a" } }] }, /branches\[0\].value/],
    [{ op: "fn", fn: "system", args: [] }, /unknown function "system"/],
    [{ op: "fn", fn: "lower", args: [] }, /lower takes 1 arguments/],
    [{ op: "fn", fn: "lower", args: "a" }, /lower takes/],
    [{ op: "fn", fn: "isIn", args: [{ op: "col", name: "a" }, 3] }, /"expr\.args\[1\]" expected an object/],
    [{ op: "alias", name: 5, arg: { op: "col", name: "a" } }, /non-empty string/],
    [nest(65), /nesting deeper than 64/],
  ];
  for (const [u, re] of bad) {
    assert.throws(
      () => decodeExpr(u),
      (e: unknown) => e instanceof MalformedMessageError && re.test(e.message),
      JSON.stringify(u)?.slice(0, 80),
    );
  }
  assert.deepEqual(decodeExpr(nest(64)), nest(64), "depth 64 is allowed");
  const wide = {
    op: "fn",
    fn: "coalesce",
    args: Array.from({ length: 10_000 }, () => ({ op: "lit", value: 1 })),
  };
  assert.throws(() => decodeExpr(wide), /more than 10000 nodes/);
  const ok = {
    op: "fn",
    fn: "coalesce",
    args: Array.from({ length: 9_999 }, () => ({ op: "lit", value: 1 })),
  };
  assert.deepEqual(decodeExpr(ok), ok);
});

Deno.test("decodeAggExpr and decodeSortKey reject malformed input", () => {
  const bad: unknown[] = [
    { fn: "median", arg: { op: "col", name: "a" }, name: "m" },
    { fn: "sum", name: "s" },
    { fn: "sum", arg: { op: "col", name: "a" } },
    { fn: "sum", arg: { op: "col", name: "a" }, name: "s", q: 0.5 },
    { fn: "approxQuantile", arg: { op: "col", name: "a" }, name: "q" },
    { fn: "approxQuantile", arg: { op: "col", name: "a" }, name: "q", q: 2 },
    { fn: "approxQuantile", arg: { op: "col", name: "a" }, name: "q", q: 0.5, relativeError: 0 },
    { fn: "count", name: "c", arg: { op: "nope" } },
    { fn: "count", name: "c", extra: true },
  ];
  for (const u of bad) assert.throws(() => decodeAggExpr(u), MalformedMessageError, JSON.stringify(u));
  assert.throws(
    () => decodeSortKey({ expr: { op: "col", name: "a" }, ascending: "yes", nullsFirst: true }),
    MalformedMessageError,
  );
  assert.throws(
    () => decodeSortKey({ expr: { op: "col", name: "a" }, ascending: true }),
    MalformedMessageError,
  );
});
