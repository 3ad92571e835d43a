import assert from "node:assert/strict";
import { avg, col, count, Frontier, type Row, SchemaError, sum, Window } from "../../mod.ts";
import { canonicalRows } from "../../cluster/columnar/batch_ops.ts";
import { assertSameRows, randomRows, SCHEMA, windowOracle } from "./kernels/window_oracle.ts";
import { CASES, oracleOp } from "./window_cases.ts";

const ROWS = randomRows(21, 400);

Deno.test("window functions on a Dataset equal the oracle for 1, 3 and 8 partitions on 1 and 2 executors", async () => {
  const seen = new Map<string, Row[]>();
  for (const executors of [1, 2]) {
    for (const partitions of [1, 3, 8]) {
      await using fx = await Frontier.start({ executors, shufflePartitions: partitions });
      const ds = await fx.fromRows(ROWS, { schema: SCHEMA, partitions });
      for (const c of CASES) {
        const cols = c.columns(c.base).map(([name, column]) => column.alias(name));
        const rows = await ds.select(...SCHEMA.map((f) => col(f.name)), ...cols).collect();
        const what = `${c.name}, ${executors} executor(s), ${partitions} partition(s)`;
        assertSameRows(rows, windowOracle(ROWS, oracleOp(c)), what);
        const first = seen.get(c.name);
        if (first) {
          assert.deepEqual(canonicalRows(rows), first, `${what}: same as the first run, bit for bit`);
        } else seen.set(c.name, canonicalRows(rows));
      }
    }
  }
});

Deno.test("withColumn computes window columns inside expressions and keeps every other column", async () => {
  await using fx = await Frontier.start({ executors: 2, shufflePartitions: 3 });
  const ds = await fx.fromRows(ROWS, { schema: SCHEMA, partitions: 4 });
  const w = Window.partitionBy("k").orderBy("t");
  const out = ds
    .withColumn("x_vs_mean", col("x").minus(avg("x").over(w)))
    .withColumn("x", col("x").times(2)); // replaced in place, after the window saw the original
  assert.deepEqual(out.columns, ["k", "t", "x", "tag", "x_vs_mean"]);
  const expected = windowOracle(ROWS, {
    partitionBy: ["k"],
    orderBy: [{ column: "t", ascending: true, nullsFirst: true }],
    fns: [{
      fn: "avg",
      arg: { op: "col", name: "x" },
      frame: { kind: "range", lower: "unbounded", upper: 0 },
      name: "m",
    }],
  }).map(({ m, ...r }) => ({
    ...r,
    x: r["x"] === null ? null : (r["x"] as number) * 2,
    x_vs_mean: r["x"] === null || m === null ? null : (r["x"] as number) - (m as number),
  }));
  assertSameRows(await out.collect(), expected, "x_vs_mean");
  const plan = await out.explain();
  assert.match(plan, /Exchange\[hash\(k\), 3 partitions\]/);
  assert.match(
    plan,
    /Window\[partition by k; order by t ASC NULLS FIRST; avg\(x\) RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW AS __w0\]/,
  );
});

Deno.test("a window function outside select and withColumn, or over a bad column, fails where it was written", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  const ds = await fx.fromRows(ROWS, { schema: SCHEMA, partitions: 2 });
  const w = Window.partitionBy("k").orderBy("t");
  assert.throws(() => ds.filter(count().over(w).gt(1)), SchemaError);
  assert.throws(() => ds.groupBy("k").agg(sum("x")).withColumn("n", count().over(Window.partitionBy("t"))), {
    name: "SchemaError",
    message: /Cannot resolve column "t"/,
  });
  assert.throws(() => ds.withColumn("s", sum("tag").over(w)), {
    name: "SchemaError",
    message: /sum\(tag\) AS __w0 over this window: it needs a number, not string/,
  });
  assert.throws(() => ds.withColumn("n", count().over(Window.orderBy("tag").rangeBetween(-1, 0))), {
    name: "SchemaError",
    message: /"tag" is string/,
  });
});
