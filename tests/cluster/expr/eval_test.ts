import assert from "node:assert/strict";
import type { Batch, DataType, Scalar, Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows, scalarAt } from "../../../cluster/columnar/batch_ops.ts";
import {
  coalesce,
  col,
  concat,
  dayOfMonth,
  dayOfWeek,
  greatest,
  hash,
  hour,
  least,
  length,
  lit,
  lower,
  month,
  pow,
  round,
  substr,
  upper,
  when,
  year,
} from "../../../cluster/expr/column.ts";
import type { Column } from "../../../cluster/expr/column.ts";
import { evalExpr, evalPredicate, projectBatch } from "../../../cluster/expr/eval.ts";
import { inferField } from "../../../cluster/expr/resolve.ts";
import type { Expr } from "../../../cluster/expr/expr.ts";
import { hashColumns } from "../../../cluster/columnar/row_hash.ts";

const SCHEMA: Schema = [
  { name: "i", type: "int", nullable: true },
  { name: "j", type: "int", nullable: false },
  { name: "l", type: "long", nullable: false },
  { name: "d", type: "double", nullable: true },
  { name: "s", type: "string", nullable: true },
  { name: "b", type: "bool", nullable: true },
  { name: "ts", type: "timestamp", nullable: true },
  { name: "dt", type: "date", nullable: true },
];

function values(c: Column | Expr, batch: Batch): Scalar[] {
  const v = evalExpr("expr" in c ? c.expr : c, batch);
  return Array.from({ length: batch.length }, (_, i) => scalarAt(v, i));
}

function one(schema: Schema, row: Record<string, Scalar>): Batch {
  return batchFromRows(schema, [row]);
}

const T = Date.UTC(2024, 1, 29, 13, 45, 30, 250); // Thursday 2024-02-29
const DAY = 19782; // 2024-02-29

const LOGIC: Schema = [{ name: "p", type: "bool", nullable: true }, {
  name: "q",
  type: "bool",
  nullable: true,
}];

Deno.test("and/or use three-valued logic", () => {
  const vals = [true, false, null];
  const rows = vals.flatMap((p) => vals.map((q) => ({ p, q })));
  const batch = batchFromRows(LOGIC, rows);
  const and = (p: boolean | null, q: boolean | null) =>
    p === false || q === false ? false : p === null || q === null ? null : true;
  const or = (p: boolean | null, q: boolean | null) =>
    p === true || q === true ? true : p === null || q === null ? null : false;
  assert.deepEqual(values(col("p").and(col("q")), batch), rows.map((r) => and(r.p, r.q)));
  assert.deepEqual(values(col("p").or(col("q")), batch), rows.map((r) => or(r.p, r.q)));
  assert.deepEqual(values(col("p").not(), batch), rows.map((r) => r.p === null ? null : !r.p));
});

Deno.test("arithmetic and comparisons propagate nulls; division and modulo by zero give null", () => {
  const s: Schema = [{ name: "x", type: "int", nullable: true }, { name: "y", type: "int", nullable: true }];
  const batch = batchFromRows(s, [{ x: 7, y: 2 }, { x: 7, y: 0 }, { x: null, y: 3 }, { x: -7, y: 2 }]);
  assert.deepEqual(values(col("x").plus(col("y")), batch), [9, 7, null, -5]);
  assert.deepEqual(values(col("x").div(col("y")), batch), [3.5, null, null, -3.5]);
  assert.deepEqual(values(col("x").mod(col("y")), batch), [1, null, null, -1]);
  assert.deepEqual(values(col("x").cast("double").div(0), batch), [null, null, null, null]);
  assert.deepEqual(values(col("x").gt(col("y")), batch), [true, true, null, false]);
  assert.deepEqual(values(col("x").eq(lit(null)), batch), [null, null, null, null]);
});

Deno.test("int arithmetic wraps to 32 bits like Java; long stays exact within 2^53", () => {
  const s: Schema = [{ name: "x", type: "int", nullable: false }, {
    name: "l",
    type: "long",
    nullable: false,
  }];
  const batch = batchFromRows(s, [{ x: 2147483647, l: 2 ** 40 }]);
  assert.deepEqual(values(col("x").plus(1), batch), [-2147483648]);
  assert.deepEqual(values(col("x").times(col("x")), batch), [1]);
  assert.deepEqual(values(col("x").cast("long").plus(1), batch), [2147483648]);
  assert.deepEqual(values(col("l").times(1000), batch), [2 ** 40 * 1000]);
  assert.deepEqual(values(lit(-2147483648).neg(), batch), [-2147483648]);
});

Deno.test("unary math functions follow Spark (log of non-positive is null, floor of double is long)", () => {
  const s: Schema = [{ name: "d", type: "double", nullable: true }];
  const batch = batchFromRows(s, [{ d: 2.5 }, { d: -2.5 }, { d: 0 }, { d: null }]);
  assert.deepEqual(values(col("d").neg(), batch), [-2.5, 2.5, -0, null]);
  assert.deepEqual(values(col("d").abs(), batch), [2.5, 2.5, 0, null]);
  assert.deepEqual(values(col("d").floor(), batch), [2, -3, 0, null]);
  assert.deepEqual(values(col("d").ceil(), batch), [3, -2, 0, null]);
  assert.deepEqual(values(col("d").log(), batch), [Math.log(2.5), null, null, null]);
  assert.deepEqual(values(col("d").exp(), batch), [Math.exp(2.5), Math.exp(-2.5), 1, null]);
  assert.deepEqual(values(col("d").sqrt(), batch).slice(0, 1), [Math.sqrt(2.5)]);
  assert.ok(Number.isNaN(values(col("d").sqrt(), batch)[1]));
  assert.deepEqual(values(col("d").isNull(), batch), [false, false, false, true]);
  assert.deepEqual(values(col("d").isNotNull(), batch), [true, true, true, false]);
  assert.equal(inferField(col("d").floor().expr, s).type, "long");
});

Deno.test("timestamp and date arithmetic", () => {
  const batch = one(SCHEMA, { ts: T, dt: DAY, l: 60_000, j: 1 });
  assert.deepEqual(values(col("ts").minus(lit(T - 5000, "timestamp")), batch), [5000]);
  assert.deepEqual(values(col("ts").plus(col("l")), batch), [T + 60_000]);
  assert.deepEqual(values(col("dt").plus(col("j")), batch), [DAY + 1]);
  assert.deepEqual(values(col("dt").minus(lit("2024-01-01", "date")), batch), [59]);
  assert.deepEqual(values(col("ts").gt("2024-02-29"), batch), [true], "string literal coerced to timestamp");
  assert.deepEqual(values(col("dt").lt(col("ts")), batch), [true], "date compared as its midnight");
});

Deno.test("cast converts between every pair of types as documented", () => {
  const cases: [Scalar, DataType, DataType, Scalar][] = [
    [" 42 ", "string", "int", 42],
    ["1.9", "string", "int", 1],
    ["-1.9", "string", "long", -1],
    ["1e3", "string", "double", 1000],
    ["abc", "string", "double", null],
    ["", "string", "int", null],
    ["99999999999", "string", "int", null],
    ["NaN", "string", "double", NaN],
    ["-Infinity", "string", "double", -Infinity],
    ["0x10", "string", "int", null],
    ["TRUE", "string", "bool", true],
    ["False", "string", "bool", false],
    ["maybe", "string", "bool", null],
    ["2024-02-29", "string", "date", DAY],
    ["2023-02-29", "string", "date", null],
    ["2024-02-29T13:45:30.250Z", "string", "timestamp", T],
    ["2024-02-29 13:45:30.25", "string", "timestamp", T],
    ["2024-02-29T15:45:30.250+02:00", "string", "timestamp", T],
    ["2024-02-29", "string", "timestamp", Date.UTC(2024, 1, 29)],
    ["29/02/2024", "string", "timestamp", null],
    ["2024-02-29T25:00", "string", "timestamp", null],
    [42, "int", "string", "42"],
    [2 ** 40, "long", "string", "1099511627776"],
    [1.5, "double", "string", "1.5"],
    [2, "double", "string", "2"],
    [true, "bool", "string", "true"],
    [T, "timestamp", "string", "2024-02-29T13:45:30.250Z"],
    [DAY, "date", "string", "2024-02-29"],
    [-1.9, "double", "int", -1],
    [1.9, "double", "long", 1],
    [NaN, "double", "int", null],
    [Infinity, "double", "long", null],
    [3e9, "double", "int", null],
    [3e9, "long", "int", null],
    [7, "int", "double", 7],
    [T, "timestamp", "date", DAY],
    [-1, "timestamp", "date", -1],
    [DAY, "date", "timestamp", DAY * 86_400_000],
    [T, "timestamp", "long", T],
    [DAY, "date", "int", DAY],
    [true, "bool", "int", 1],
    [false, "bool", "double", 0],
    [0, "int", "bool", false],
    [-3, "double", "bool", true],
    [NaN, "double", "bool", null],
  ];
  for (const [input, from, to, expected] of cases) {
    const s: Schema = [{ name: "x", type: from, nullable: true }];
    const batch = from === "double" && typeof input === "number" && !Number.isFinite(input)
      ? { schema: s, length: 1, columns: [{ type: "double" as const, values: Float64Array.of(input) }] }
      : one(s, { x: input });
    const got = values(col("x").cast(to), batch)[0];
    if (typeof expected === "number" && Number.isNaN(expected)) {
      assert.ok(Number.isNaN(got), `${input} ${from}→${to}`);
    } else assert.deepEqual(got, expected, `${JSON.stringify(input)} ${from}→${to}`);
    assert.equal(evalExpr(col("x").cast(to).expr, batch).type, to);
  }
});

Deno.test("when/otherwise picks the first true branch; null conditions fall through", () => {
  const s: Schema = [{ name: "x", type: "int", nullable: true }];
  const batch = batchFromRows(s, [{ x: 5 }, { x: 50 }, { x: 500 }, { x: null }]);
  const tier = when(col("x").gt(100), "high").when(col("x").gt(10), "mid");
  assert.deepEqual(values(tier.otherwise("low"), batch), ["low", "mid", "high", "low"]);
  assert.deepEqual(values(tier, batch), [null, "mid", "high", null]);
  const mixed = when(col("x").gt(10), col("x")).otherwise(0.5);
  assert.deepEqual(values(mixed, batch), [0.5, 50, 500, 0.5]);
  assert.equal(evalExpr(mixed.expr, batch).type, "double");
  assert.deepEqual(values(when(col("x").gt(10), lit(null)).otherwise(1), batch), [1, null, null, 1]);
});

Deno.test("string functions: concat, lower, upper, length, substr", () => {
  const s: Schema = [{ name: "s", type: "string", nullable: true }, {
    name: "n",
    type: "int",
    nullable: true,
  }];
  const batch = batchFromRows(s, [{ s: "Spark SQL", n: 1 }, { s: "héllo 😀", n: null }, { s: null, n: 2 }]);
  assert.deepEqual(values(concat("s", lit("-"), "n"), batch), ["Spark SQL-1", null, null]);
  assert.deepEqual(values(lower("s"), batch), ["spark sql", "héllo 😀", null]);
  assert.deepEqual(values(upper("s"), batch), ["SPARK SQL", "HÉLLO 😀", null]);
  assert.deepEqual(values(length("s"), batch), [9, 7, null]);
  assert.deepEqual(values(substr("s", 1, 5), batch), ["Spark", "héllo", null]);
  assert.deepEqual(values(substr("s", 0, 2), batch), ["Sp", "hé", null]);
  assert.deepEqual(values(substr("s", -3), batch), ["SQL", "o 😀", null]);
  assert.deepEqual(values(substr("s", 7, 1), batch), ["S", "😀", null]);
  assert.deepEqual(values(substr("s", -20, 13), batch), ["Sp", "", null]);
  assert.deepEqual(values(substr("s", 3, -1), batch), ["", "", null]);
  assert.deepEqual(values(substr("s", col("n")), batch), ["Spark SQL", null, null]);
});

Deno.test("numeric functions: pow, round half away from zero, least/greatest skip nulls", () => {
  const s: Schema = [
    { name: "x", type: "double", nullable: true },
    { name: "y", type: "int", nullable: true },
  ];
  const batch = batchFromRows(s, [{ x: 2.675, y: 1250 }, { x: -2.5, y: -15 }, { x: null, y: 3 }, {
    x: 0.125,
    y: null,
  }]);
  assert.deepEqual(values(pow("y", 2), batch), [1250 ** 2, 225, 9, null]);
  assert.deepEqual(values(round("x", 2), batch), [2.68, -2.5, null, 0.13]);
  assert.deepEqual(values(round("x"), batch), [3, -3, null, 0]);
  assert.deepEqual(values(round("y", -2), batch), [1300, 0, 0, null]);
  assert.deepEqual(values(round("y", -1), batch), [1250, -20, 0, null]);
  assert.equal(evalExpr(round("y", -1).expr, batch).type, "int");
  assert.deepEqual(values(least("x", "y"), batch), [2.675, -15, 3, 0.125]);
  assert.deepEqual(values(greatest("x", "y", 100), batch), [1250, 100, 100, 100]);
  assert.deepEqual(values(coalesce("x", "y", 0), batch), [2.675, -2.5, 3, 0.125]);
  assert.deepEqual(values(coalesce(lit(null), "y"), batch), [1250, -15, 3, null]);
});

Deno.test("date parts of timestamps and dates are UTC; dayOfWeek is 1 = Sunday", () => {
  const batch = batchFromRows(SCHEMA, [{ ts: T, dt: DAY }, { ts: Date.UTC(1969, 11, 31, 23), dt: -1 }, {
    ts: null,
    dt: null,
  }]);
  assert.deepEqual(values(year("ts"), batch), [2024, 1969, null]);
  assert.deepEqual(values(month("ts"), batch), [2, 12, null]);
  assert.deepEqual(values(dayOfMonth("ts"), batch), [29, 31, null]);
  assert.deepEqual(values(dayOfWeek("ts"), batch), [5, 4, null]);
  assert.deepEqual(values(hour("ts"), batch), [13, 23, null]);
  assert.deepEqual(values(year("dt"), batch), [2024, 1969, null]);
  assert.deepEqual(values(dayOfWeek("dt"), batch), [5, 4, null]);
  assert.deepEqual(values(hour("dt"), batch), [0, 0, null]);
});

Deno.test("hash equals hashColumns over the evaluated arguments", () => {
  const batch = batchFromRows(SCHEMA, [{ s: "a", i: 1 }, { s: null, i: 2 }, { s: "c", i: null }]);
  const expected = hashColumns([evalExpr(col("s").expr, batch), evalExpr(col("i").expr, batch)], 3);
  assert.deepEqual(values(hash("s", "i"), batch), Array.from(expected));
});

Deno.test("isIn follows SQL IN null semantics", () => {
  const s: Schema = [{ name: "x", type: "int", nullable: true }];
  const batch = batchFromRows(s, [{ x: 1 }, { x: 2 }, { x: null }]);
  assert.deepEqual(values(col("x").isIn(1, 3), batch), [true, false, null]);
  assert.deepEqual(values(col("x").isIn(1, null), batch), [true, null, null]);
  assert.deepEqual(values(col("x").isIn(2.0, 7.5), batch), [false, true, null]);
  const ts = one(SCHEMA, { ts: Date.UTC(2024, 0, 1) });
  assert.deepEqual(values(col("ts").isIn("2024-01-01", "2025-01-01"), ts), [true]);
});

Deno.test("a literal evaluates to a full-length vector", () => {
  const batch = batchFromRows(SCHEMA, [{ j: 1 }, { j: 2 }, { j: 3 }]);
  const v = evalExpr(lit(7).expr, batch);
  assert.equal(v.type, "int");
  assert.deepEqual(Array.from(v.values as Int32Array), [7, 7, 7]);
  assert.deepEqual(values(lit("x"), batch), ["x", "x", "x"]);
  assert.deepEqual(values(lit(null), batch), [null, null, null]);
  assert.deepEqual(values(lit(2 ** 40), batch), [2 ** 40, 2 ** 40, 2 ** 40]);
  assert.equal(evalExpr(lit(2 ** 40).expr, batch).type, "long");
});

Deno.test("evalPredicate returns selected row indices, treating null as false", () => {
  const s: Schema = [{ name: "x", type: "int", nullable: true }];
  const batch = batchFromRows(s, [{ x: 5 }, { x: null }, { x: 50 }, { x: 7 }]);
  assert.deepEqual(Array.from(evalPredicate(col("x").gt(6).expr, batch)), [2, 3]);
  assert.deepEqual(Array.from(evalPredicate(col("x").gt(6).or(col("x").isNull()).expr, batch)), [1, 2, 3]);
  assert.throws(() => evalPredicate(col("x").plus(1).expr, batch), /must be bool, not int/);
});

Deno.test("projectBatch passes column references through and infers the schema", () => {
  const batch = batchFromRows(SCHEMA, [{ i: 1, d: 1.5, s: "a" }, { i: null, d: 2, s: "b" }]);
  const out = projectBatch(batch, [col("s").expr, col("i").alias("k").expr, col("d").times(2).expr]);
  assert.strictEqual(out.columns[0], batch.columns[4], "col is not copied");
  assert.strictEqual(out.columns[1], batch.columns[0], "aliased col is not copied");
  assert.deepEqual(out.schema, [
    { name: "s", type: "string", nullable: true },
    { name: "k", type: "int", nullable: true },
    { name: "(d * 2)", type: "double", nullable: true },
  ]);
  assert.deepEqual(Array.from(out.columns[2]!.values as Float64Array), [3, 4]);
  assert.equal(out.length, 2);
});

Deno.test("vectorized evaluation handles an empty batch", () => {
  const batch = batchFromRows(SCHEMA, []);
  assert.equal(evalExpr(col("d").div(col("i")).plus(lit(1)).expr, batch).values.length, 0);
  assert.equal(evalPredicate(col("b").expr, batch).length, 0);
});

Deno.test("casts and comparisons of literals are folded once and evaluate correctly", () => {
  const batch = batchFromRows(SCHEMA, [{ j: 1 }, { j: 5 }]);
  assert.deepEqual(values(lit("5").cast("int"), batch), [5, 5]);
  assert.deepEqual(values(lit("x").cast("int"), batch), [null, null]);
  assert.deepEqual(values(col("j").eq("5"), batch), [false, true], "string compared with a number as double");
  assert.deepEqual(values(lit(null).isNull(), batch), [true, true]);
  assert.deepEqual(values(lit(null).cast("int").plus(1), batch), [null, null]);
  assert.deepEqual(Array.from(evalPredicate(lit(null).expr, batch)), []);
  assert.equal(inferField(lit("1.5").cast("double").alias("x").expr, SCHEMA).type, "double");
});

Deno.test("long % long matches JavaScript's % exactly, sign and -0 included, up to ±2^53", () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const n = 50_000;
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = Math.trunc((rnd() * 2 - 1) * [10, 1e6, 1e12, 2 ** 53 - 1][i % 4]!);
    b[i] = Math.trunc((rnd() * 2 - 1) * [3, 1000, 1e9, 2 ** 40][(i >> 2) % 4]!) || 7;
  }
  [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]] = [-6, 3, 2 ** 53 - 1, 3, -(2 ** 53 - 1), -7, -0, 5];
  const batch: Batch = {
    schema: [{ name: "a", type: "long", nullable: false }, { name: "b", type: "long", nullable: false }],
    length: n,
    columns: [{ type: "long", values: a }, { type: "long", values: b }],
  };
  const out = evalExpr(col("a").mod(col("b")).expr, batch).values as Float64Array;
  for (let i = 0; i < n; i++) assert.ok(Object.is(out[i], a[i]! % b[i]!), `${a[i]} % ${b[i]}: ${out[i]}`);
});
