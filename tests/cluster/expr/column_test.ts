import assert from "node:assert/strict";
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
