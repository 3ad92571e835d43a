import assert from "node:assert/strict";
import { col, count, countDistinct, sum } from "../../../cluster/expr/column.ts";
import { lag, lead, rowNumber, Window } from "../../../cluster/expr/window.ts";

Deno.test("Window builds windows as data, with unbounded frame bounds as text", () => {
  const w = Window.partitionBy("account", col("card"))
    .orderBy(col("ts").desc(), "id")
    .rowsBetween(Window.unboundedPreceding, Window.currentRow);
  assert.deepEqual(w.toJSON(), {
    partitionBy: ["account", "card"],
    orderBy: [
      { column: "ts", ascending: false, nullsFirst: false },
      { column: "id", ascending: true, nullsFirst: true },
    ],
    frame: { kind: "rows", lower: "unbounded", upper: 0 },
  });
  assert.equal(
    String(w),
    "PARTITION BY account, card ORDER BY ts DESC NULLS LAST, id ASC NULLS FIRST " +
      "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
  );
  assert.deepEqual(Window.rangeBetween(-5, Window.unboundedFollowing).toJSON().frame, {
    kind: "range",
    lower: -5,
    upper: "unbounded",
  });
  // Each call returns a new window; the frame replaces the earlier one.
  const hour = Window.orderBy("ts").rangeBetween(-3_600_000, 0);
  assert.equal(hour.rowsBetween(-1, 1).toJSON().frame?.kind, "rows");
  assert.equal(hour.toJSON().frame?.kind, "range");
});

Deno.test("over() makes columns whose text names the call and its window", () => {
  const w = Window.partitionBy("account").orderBy("ts").rangeBetween(-3_600_000, 0);
  assert.equal(
    String(count().over(w)),
    "count(1) OVER (PARTITION BY account ORDER BY ts ASC NULLS FIRST RANGE BETWEEN 3600000 PRECEDING AND CURRENT ROW)",
  );
  assert.equal(String(lag("amount", 2, 0).over(w)).split(" OVER ")[0], "lag(amount, 2, 0)");
  assert.equal(String(lead("amount").over(w)).split(" OVER ")[0], "lead(amount, 1, NULL)");
  assert.deepEqual(sum("amount").alias("total").over(w).expr, {
    op: "alias",
    name: "total",
    arg: { op: "over", call: { fn: "sum", arg: { op: "col", name: "amount" } }, window: w.toJSON() },
  });
  assert.deepEqual(rowNumber().over(w).expr, { op: "over", call: { fn: "rowNumber" }, window: w.toJSON() });
});

Deno.test("the window builder rejects what Spark rejects, naming it", () => {
  assert.throws(() => rowNumber().over(Window.partitionBy("a")), {
    name: "TypeError",
    message: "Cannot apply rowNumber() over this window: it needs an ordered window; add Window.orderBy(…)",
  });
  assert.throws(
    () => count().over(Window.orderBy("a", "b").rangeBetween(-1, 0)),
    /count\(\) over this window: a range frame with an offset needs exactly one order column, not 2/,
  );
  assert.throws(
    () => countDistinct("x").over(Window.partitionBy("a")),
    /countDistinct\(\) cannot run over a window/,
  );
  assert.throws(
    () => Window.partitionBy(col("a").plus(1)),
    /Window.partitionBy\(\) takes columns, not \(a \+ 1\)/,
  );
  assert.throws(() => Window.orderBy(col("a").plus(1).desc()), /Window.orderBy\(\) takes columns/);
  assert.throws(() => Window.rowsBetween(-1.5, 0), {
    name: "RangeError",
    message: /rowsBetween\(\) start must be an integer/,
  });
  assert.throws(() => Window.rangeBetween(2, 1), {
    name: "RangeError",
    message: /rangeBetween\(\) start 2 is after end 1/,
  });
  assert.throws(
    () => Window.rangeBetween(Infinity, Infinity),
    /rangeBetween\(\) start must be a finite number/,
  );
  assert.throws(() => lag("x", 0.5), { name: "RangeError", message: /lag\(\) offset must be an integer/ });
  // A range frame without an offset works with any order: its bounds are peers.
  assert.equal(
    count().over(Window.orderBy("a", "b").rangeBetween(Window.unboundedPreceding, 0)).expr.op,
    "over",
  );
});
