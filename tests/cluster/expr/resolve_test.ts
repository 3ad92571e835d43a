import assert from "node:assert/strict";
import { SchemaError } from "../../../cluster/errors.ts";
import type { DataType, Schema } from "../../../cluster/columnar/batch.ts";
import {
  coalesce,
  col,
  type Column,
  concat,
  hash,
  length,
  lit,
  lower,
  round,
  when,
  year,
} from "../../../cluster/expr/column.ts";
import type { Expr } from "../../../cluster/expr/expr.ts";
import { inferField } from "../../../cluster/expr/resolve.ts";

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

Deno.test("inferField derives arithmetic, comparison and timestamp result types", () => {
  const cases: [Column, DataType][] = [
    [col("i").plus(col("j")), "int"],
    [col("i").times(2), "int"],
    [col("i").plus(col("l")), "long"],
    [col("l").minus(1), "long"],
    [col("i").plus(col("d")), "double"],
    [col("i").plus(1.5), "double"],
    [col("i").div(col("j")), "double"],
    [col("l").mod(3), "long"],
    [col("i").gt(1), "bool"],
    [col("b").and(col("i").isNull()), "bool"],
    [col("ts").minus(col("ts")), "long"],
    [col("ts").plus(col("l")), "timestamp"],
    [col("ts").minus(1000), "timestamp"],
    [col("dt").plus(1), "date"],
    [col("dt").minus(col("dt")), "int"],
    [col("s").cast("double"), "double"],
    [col("d").floor(), "long"],
    [col("i").floor(), "int"],
    [col("i").sqrt(), "double"],
    [when(col("b"), col("i")).otherwise(col("d")), "double"],
    [when(col("b"), col("dt")).otherwise(col("ts")), "timestamp"],
    [hash("s", "i"), "long"],
    [length("s"), "int"],
    [year("ts"), "int"],
    [round("l", -1), "long"],
    [coalesce("i", "l"), "long"],
    [concat("s", "i"), "string"],
    [lit(null), "string"],
    [lit(null, "int").plus(col("d")), "double"],
  ];
  for (const [c, type] of cases) assert.equal(inferField(c.expr, SCHEMA).type, type, String(c));
});

Deno.test("inferField names fields by alias, column name, or Spark-like text", () => {
  assert.deepEqual(inferField(col("i").expr, SCHEMA), { name: "i", type: "int", nullable: true });
  assert.equal(inferField(col("d").gt(100).expr, SCHEMA).name, "(d > 100)");
  assert.equal(inferField(col("d").gt(100).alias("big").expr, SCHEMA).name, "big");
  assert.equal(
    inferField(col("d").gt(100).and(col("s").eq("PT")).expr, SCHEMA).name,
    "((d > 100) AND (s = 'PT'))",
  );
});

Deno.test("inferField tracks nullability through operators", () => {
  assert.equal(inferField(col("j").plus(col("l")).expr, SCHEMA).nullable, false);
  assert.equal(inferField(col("j").plus(col("i")).expr, SCHEMA).nullable, true);
  assert.equal(inferField(col("j").div(col("l")).expr, SCHEMA).nullable, true, "division by zero");
  assert.equal(inferField(col("i").isNull().expr, SCHEMA).nullable, false);
  assert.equal(inferField(when(col("b"), 1).expr, SCHEMA).nullable, true, "no otherwise");
  assert.equal(inferField(when(col("j").gt(0), 1).otherwise(2).expr, SCHEMA).nullable, false);
  assert.equal(inferField(coalesce("i", "j").expr, SCHEMA).nullable, false);
});

Deno.test("inferField names the missing column and lists the available ones", () => {
  assert.throws(() => inferField(col("amount").plus(1).expr, SCHEMA), (e: unknown) => {
    assert.ok(e instanceof SchemaError);
    assert.match(e.message, /"amount"/);
    assert.match(e.message, /"i", "j", "l", "d", "s", "b", "ts", "dt"/);
    return true;
  });
});

Deno.test("inferField rejects type errors with SchemaError naming the expression", () => {
  const bad: [Column, RegExp][] = [
    [col("s").plus(1), /Cannot apply "\+" to string and int in \(s \+ 1\)/],
    [col("b").times(col("i")), /bool and int/],
    [col("i").and(col("b")), /"and" needs bool operands, not int/],
    [col("s").not(), /NOT needs a bool/],
    [col("b").lt(1), /Cannot compare bool with int/],
    [when(col("b"), 1).otherwise("x"), /CASE mixes incompatible types int and string/],
    [when(col("i"), 1), /CASE condition 1 is int, not bool/],
    [lower("i"), /lower needs a string, not int/],
    [year("s"), /year needs a timestamp or date/],
    [col("b").cast("timestamp"), /Cannot cast bool to timestamp/],
    [col("ts").plus(col("ts")), /Cannot apply "\+" to timestamp and timestamp/],
    [round(col("d"), 1).plus(col("s")), /Cannot apply/],
  ];
  for (const [c, re] of bad) {
    assert.throws(
      () => inferField(c.expr, SCHEMA),
      (e: unknown) => e instanceof SchemaError && re.test(e.message),
      String(c),
    );
  }
  const isInCol: Expr = { op: "fn", fn: "isIn", args: [col("i").expr, col("j").expr] };
  assert.throws(() => inferField(isInCol, SCHEMA), /isIn takes literal values only/);
  const digits: Expr = { op: "fn", fn: "round", args: [col("d").expr, col("i").expr] };
  assert.throws(() => inferField(digits, SCHEMA), /literal integer digits/);
});
