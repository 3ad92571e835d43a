import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import {
  AggColumn,
  approxCountDistinct,
  approxQuantile,
  avg,
  coalesce,
  col,
  type Column,
  concat,
  count,
  countDistinct,
  dayOfMonth,
  dayOfWeek,
  decodeAggExpr,
  decodeExpr,
  decodeSortKey,
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
  toAggExpr,
  toExpr,
  upper,
  variance,
  when,
  year,
} from "../../../cluster/expr/column.ts";
import type { Expr } from "../../../cluster/expr/expr.ts";
import { formatAgg, formatExpr, formatSortKey } from "../../../cluster/expr/format.ts";

const a = col("a");

Deno.test("builder methods produce the expected expression JSON", () => {
  assert.deepEqual(a.plus(1).expr, {
    op: "bin",
    fn: "+",
    left: { op: "col", name: "a" },
    right: { op: "lit", value: 1 },
  });
  assert.deepEqual(a.eq("PT").expr, {
    op: "bin",
    fn: "==",
    left: { op: "col", name: "a" },
    right: { op: "lit", value: "PT" },
  }, "a string operand is a literal");
  assert.deepEqual(a.gt(col("b")).and(a.isNotNull()).expr, {
    op: "bin",
    fn: "and",
    left: { op: "bin", fn: ">", left: { op: "col", name: "a" }, right: { op: "col", name: "b" } },
    right: { op: "un", fn: "isNotNull", arg: { op: "col", name: "a" } },
  });
  assert.deepEqual(a.cast("double").alias("x").expr, {
    op: "alias",
    name: "x",
    arg: { op: "cast", to: "double", arg: { op: "col", name: "a" } },
  });
  assert.deepEqual(a.isIn(1, "x", null).expr, {
    op: "fn",
    fn: "isIn",
    args: [{ op: "col", name: "a" }, { op: "lit", value: 1 }, { op: "lit", value: "x" }, {
      op: "lit",
      value: null,
    }],
  });
  assert.deepEqual(lit(new Date(Date.UTC(2024, 0, 1))).expr, {
    op: "lit",
    value: 1704067200000,
    type: "timestamp",
  });
  assert.deepEqual(lit("2024-01-01", "date").expr, { op: "lit", value: "2024-01-01", type: "date" });
  const ops: [Column, string][] = [
    [a.minus(1), "-"],
    [a.times(1), "*"],
    [a.div(1), "/"],
    [a.mod(1), "%"],
    [a.ne(1), "!="],
    [a.lt(1), "<"],
    [a.le(1), "<="],
    [a.ge(1), ">="],
    [a.or(true), "or"],
  ];
  for (const [c, fn] of ops) assert.equal((c.expr as { fn: string }).fn, fn);
  const unary: [Column, string][] = [
    [a.not(), "not"],
    [a.neg(), "neg"],
    [a.isNull(), "isNull"],
    [a.abs(), "abs"],
    [a.sqrt(), "sqrt"],
    [a.log(), "log"],
    [a.exp(), "exp"],
    [a.floor(), "floor"],
    [a.ceil(), "ceil"],
  ];
  for (const [c, fn] of unary) assert.deepEqual(c.expr, { op: "un", fn, arg: { op: "col", name: "a" } });
});

Deno.test("when/otherwise builds one CASE expression; without otherwise it has none", () => {
  const c = when(a.gt(1), "big").when(a.gt(0), "small");
  assert.deepEqual(c.expr, {
    op: "when",
    branches: [
      { cond: a.gt(1).expr, value: { op: "lit", value: "big" } },
      { cond: a.gt(0).expr, value: { op: "lit", value: "small" } },
    ],
  });
  assert.deepEqual(c.otherwise(col("b")).expr, { ...c.expr, otherwise: { op: "col", name: "b" } });
  assert.equal(
    formatExpr(c.otherwise("none").expr),
    "CASE WHEN (a > 1) THEN 'big' WHEN (a > 0) THEN 'small' ELSE 'none' END",
  );
});

Deno.test("functions accept column names and build fn expressions", () => {
  const colA = { op: "col", name: "a" }, colB = { op: "col", name: "b" };
  assert.deepEqual(hash("a", col("b")).expr, { op: "fn", fn: "hash", args: [colA, colB] });
  assert.deepEqual(coalesce("a", 0).expr, {
    op: "fn",
    fn: "coalesce",
    args: [colA, { op: "lit", value: 0 }],
  });
  assert.deepEqual(substr("a", 2, 3).expr, {
    op: "fn",
    fn: "substr",
    args: [colA, { op: "lit", value: 2 }, { op: "lit", value: 3 }],
  });
  assert.deepEqual(round("a", 2).expr, { op: "fn", fn: "round", args: [colA, { op: "lit", value: 2 }] });
  assert.deepEqual(round("a").expr, { op: "fn", fn: "round", args: [colA] });
  const single: [Column, string][] = [
    [lower("a"), "lower"],
    [upper("a"), "upper"],
    [length("a"), "length"],
    [year("a"), "year"],
    [month("a"), "month"],
    [dayOfMonth("a"), "dayOfMonth"],
    [dayOfWeek("a"), "dayOfWeek"],
    [hour("a"), "hour"],
  ];
  for (const [c, fn] of single) assert.deepEqual(c.expr, { op: "fn", fn, args: [colA] });
  assert.deepEqual(pow("a", 2).expr, { op: "fn", fn: "pow", args: [colA, { op: "lit", value: 2 }] });
  assert.deepEqual(least("a", "b").expr, { op: "fn", fn: "least", args: [colA, colB] });
  assert.deepEqual(greatest("a", "b").expr, { op: "fn", fn: "greatest", args: [colA, colB] });
  assert.deepEqual(concat("a", lit("-")).expr, {
    op: "fn",
    fn: "concat",
    args: [colA, { op: "lit", value: "-" }],
  });
});

Deno.test("toExpr treats strings as column names and other scalars as literals", () => {
  assert.deepEqual(toExpr("a"), { op: "col", name: "a" });
  assert.deepEqual(toExpr(3), { op: "lit", value: 3 });
  assert.deepEqual(toExpr(null), { op: "lit", value: null });
  assert.deepEqual(toExpr(a.plus(1)), a.plus(1).expr);
});

Deno.test("aggregates get Spark-like default names and can be aliased", () => {
  assert.deepEqual(count().agg, { fn: "count", name: "count(1)" });
  assert.deepEqual(count("*").agg, { fn: "count", name: "count(1)" });
  assert.deepEqual(count("a").agg, { fn: "count", arg: { op: "col", name: "a" }, name: "count(a)" });
  assert.equal(sum("amount").agg.name, "sum(amount)");
  assert.equal(avg("amount").agg.name, "avg(amount)");
  assert.equal(min("x").agg.name, "min(x)");
  assert.equal(max("x").agg.name, "max(x)");
  assert.equal(stddev("x").agg.name, "stddev(x)");
  assert.equal(variance("x").agg.name, "variance(x)");
  assert.equal(first("x").agg.name, "first(x)");
  assert.equal(countDistinct("x").agg.name, "count(DISTINCT x)");
  assert.equal(approxCountDistinct("x").agg.name, "approx_count_distinct(x)");
  assert.deepEqual(approxQuantile("x", 0.5).agg, {
    fn: "approxQuantile",
    arg: { op: "col", name: "x" },
    q: 0.5,
    name: "approx_quantile(x, 0.5)",
  });
  assert.equal(approxQuantile("x", 0.9, 0.001).agg.relativeError, 0.001);
  assert.equal(sum(col("a").times(2)).agg.name, "sum((a * 2))");
  const total = sum("amount").alias("total");
  assert.ok(total instanceof AggColumn);
  assert.equal(total.agg.name, "total");
  assert.equal(sum("amount").as("t").agg.name, "t");
  assert.equal(toAggExpr(total), total.agg);
  assert.equal(toAggExpr(total.agg), total.agg);
});

Deno.test("sort keys follow Spark's null placement defaults", () => {
  assert.deepEqual(a.asc(), { expr: a.expr, ascending: true, nullsFirst: true });
  assert.deepEqual(a.desc(), { expr: a.expr, ascending: false, nullsFirst: false });
  assert.deepEqual(a.ascNullsLast(), { expr: a.expr, ascending: true, nullsFirst: false });
  assert.deepEqual(a.ascNullsFirst(), { expr: a.expr, ascending: true, nullsFirst: true });
  assert.deepEqual(a.descNullsFirst(), { expr: a.expr, ascending: false, nullsFirst: true });
  assert.deepEqual(a.descNullsLast(), { expr: a.expr, ascending: false, nullsFirst: false });
  assert.equal(formatSortKey(a.desc()), "a DESC NULLS LAST");
});

Deno.test("builder validates arguments with TypeError and RangeError", () => {
  assert.throws(() => col(""), TypeError);
  assert.throws(() => col(3 as unknown as string), TypeError);
  assert.throws(() => lit(undefined as unknown as null), TypeError);
  assert.throws(() => lit({} as unknown as null), TypeError);
  assert.throws(() => lit(NaN), RangeError);
  assert.throws(() => lit(Infinity), RangeError);
  assert.throws(() => lit(1.5, "int"), RangeError);
  assert.throws(() => lit("abc", "int"), RangeError);
  assert.throws(() => lit("2024-13-01", "date"), RangeError);
  assert.throws(() => lit(true, "date"), TypeError);
  assert.throws(() => lit(1, "float" as "double"), TypeError);
  assert.throws(() => a.cast("varchar" as "string"), TypeError);
  assert.throws(() => a.alias(""), TypeError);
  assert.throws(() => a.plus(undefined as unknown as null), TypeError);
  assert.throws(() => a.plus(10n as unknown as number), TypeError);
  assert.throws(() => approxQuantile("x", 1.5), RangeError);
  assert.throws(() => approxQuantile("x", -0.1), RangeError);
  assert.throws(() => approxQuantile("x", NaN), RangeError);
  assert.throws(() => approxQuantile("x", 0.5, 0), RangeError);
  assert.throws(() => round("x", 1.5), RangeError);
  assert.throws(() => substr("x", 1.5), RangeError);
  assert.throws(() => hash(), TypeError);
  assert.throws(() => coalesce(), TypeError);
  assert.throws(() => when(3 as unknown as Column, 1), TypeError);
});

Deno.test("Column and AggColumn print as SQL and serialize as their expression", () => {
  const c = a.gt(100).and(col("country").eq("PT"));
  assert.equal(String(c), "((a > 100) AND (country = 'PT'))");
  assert.equal(JSON.stringify(c), JSON.stringify(c.expr));
  assert.equal(String(sum("amount").alias("total")), "sum(amount) AS total");
  assert.equal(formatAgg(sum("amount").agg), "sum(amount)");
  assert.equal(formatAgg(count().agg), "count(1)");
  assert.equal(
    formatAgg(approxQuantile("x", 0.5).alias("median").agg),
    "approx_quantile(x, 0.5, 0.01) AS median",
  );
  assert.equal(formatExpr(a.cast("double").expr), "CAST(a AS double)");
  assert.equal(formatExpr(a.isNull().not().expr), "(NOT (a IS NULL))");
  assert.equal(formatExpr(a.isIn(1, 2).expr), "(a IN (1, 2))");
  assert.equal(formatExpr(a.plus(1).alias("b").expr), "(a + 1) AS b");
  assert.equal(formatExpr(lit("it's").expr), "'it''s'");
  assert.equal(formatExpr(lit(0, "date").expr), "DATE '1970-01-01'");
  assert.equal(formatExpr(lit(null, "int").expr), "CAST(NULL AS int)");
  assert.equal(formatExpr(a.log().expr), "ln(a)");
});

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
    [{ op: "bin", fn: "+", left: { op: "col", name: "a" } }, /expr.right: expected an object/],
    [{ op: "un", fn: "eval", arg: { op: "col", name: "a" } }, /unknown unary operator "eval"/],
    [{ op: "cast", to: "varchar", arg: { op: "col", name: "a" } }, /unknown data type/],
    [{ op: "when", branches: [] }, /non-empty array/],
    [{ op: "when", branches: [{ cond: { op: "col", name: "a" } }] }, /branches\[0\].value/],
    [{ op: "fn", fn: "system", args: [] }, /unknown function "system"/],
    [{ op: "fn", fn: "lower", args: [] }, /lower takes 1 arguments/],
    [{ op: "fn", fn: "lower", args: "a" }, /lower takes/],
    [{ op: "fn", fn: "isIn", args: [{ op: "col", name: "a" }, 3] }, /args\[1\]: expected an object/],
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
