import assert from "node:assert/strict";
import {
  approxQuantile,
  avg,
  col,
  count,
  countDistinct,
  Frontier,
  lit,
  max,
  min,
  SchemaError,
  stddev,
  sum,
  when,
} from "../../mod.ts";
import type { Row } from "../../mod.ts";
import { canonicalRows } from "../../cluster/columnar/batch_ops.ts";
import { Driver } from "../../cluster/driver/driver.ts";
import { FakeClock, flushMicrotasks } from "../../actors/clock.ts";
import { JobFailedError } from "../../cluster/errors.ts";

/** Reference: group id in [0, n) by id % m, with value = (id * 7919 % 1000) / 8. */
function reference(n: number, m: number) {
  const groups = new Map<number, { n: number; sum: number; min: number; max: number }>();
  for (let id = 0; id < n; id++) {
    const v = ((id * 7919) % 1000) / 8;
    if (v <= 10) continue;
    const k = id % m;
    const g = groups.get(k) ?? { n: 0, sum: 0, min: Infinity, max: -Infinity };
    g.n++;
    g.sum += v * 8;
    g.min = Math.min(g.min, v);
    g.max = Math.max(g.max, v);
    groups.set(k, g);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([k, g]) => ({ k, ...g }));
}

function job(fx: Frontier, n: number, partitions: number) {
  return fx.range(0, n, { partitions })
    .withColumn("k", col("id").mod(97))
    .withColumn("v", col("id").times(7919).mod(1000).div(8))
    .filter(col("v").gt(10))
    .groupBy("k")
    .agg(
      count().alias("n"),
      sum("v").alias("s"),
      min("v").alias("lo"),
      max("v").alias("hi"),
      avg("v").alias("mean"),
      stddev("v").alias("sd"),
    )
    .sort("k");
}

Deno.test("Dataset runs transformations and actions on an embedded 2-executor cluster", async (t) => {
  await using fx = await Frontier.start({ executors: 2, shufflePartitions: 3 });

  await t.step("group-by aggregate equals a plain computation", async () => {
    const rows = await job(fx, 50_000, 4).collect();
    const ref = reference(50_000, 97);
    assert.equal(rows.length, ref.length);
    rows.forEach((r, i) => {
      const e = ref[i]!;
      assert.equal(r["k"], e.k);
      assert.equal(r["n"], e.n);
      assert.equal(Math.round((r["s"] as number) * 8), Math.round(e.sum));
      assert.equal(r["lo"], e.min);
      assert.equal(r["hi"], e.max);
    });
  });

  await t.step("results are bit-identical for any partition count", async () => {
    const base = await job(fx, 30_000, 1).collect();
    for (const p of [2, 3, 7]) {
      const other = await job(fx, 30_000, p).collect();
      assert.equal(other.length, base.length);
      other.forEach((r, i) => {
        for (const k of Object.keys(r)) {
          assert.ok(
            Object.is(r[k], base[i]![k]),
            `partitions=${p} row ${i} column ${k}: ${r[k]} vs ${base[i]![k]}`,
          );
        }
      });
    }
  });

  await t.step("broadcast and shuffle joins agree, for every join type", async () => {
    const facts = fx.range(0, 5_000, { partitions: 3 }).withColumn("key", col("id").mod(50));
    const dim = fx.range(0, 40, { partitions: 2 }).withColumnRenamed("id", "key").withColumn(
      "region",
      col("key").mod(7),
    );
    for (const how of ["inner", "left", "semi", "anti"] as const) {
      const b = canonicalRows(await facts.join(dim, "key", how, { strategy: "broadcast" }).collect());
      const s = canonicalRows(await facts.join(dim, "key", how, { strategy: "shuffle" }).collect());
      assert.deepEqual(b, s, how);
      const expected = how === "inner" || how === "semi"
        ? 5_000 * 40 / 50
        : how === "left"
        ? 5_000
        : 5_000 * 10 / 50;
      assert.equal(b.length, expected, how);
    }
    const plan = await facts.join(dim, "key").explain();
    assert.match(plan, /BroadcastHashJoin/);
    assert.match(
      await facts.join(dim, "key", "inner", { strategy: "shuffle" }).explain(),
      /ShuffledHashJoin/,
    );
  });

  await t.step("sort, limit, union, repartition and coalesce", async () => {
    const ds = fx.range(0, 2_000, { partitions: 4 }).withColumn("r", col("id").times(37).mod(101));
    const sorted = await ds.sort(col("r").desc(), "id").collect();
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!, b = sorted[i]!;
      assert.ok(
        (a["r"] as number) > (b["r"] as number) ||
          (a["r"] === b["r"] && (a["id"] as number) < (b["id"] as number)),
      );
    }
    assert.equal(sorted.length, 2_000);
    const byExpr = await ds.sort(col("r").mod(10).desc(), col("id").neg()).limit(3).collect();
    assert.deepEqual(byExpr.map((r) => Object.keys(r)), [["id", "r"], ["id", "r"], ["id", "r"]]);
    const ids = [...Array(2_000).keys()].filter((i) => (i * 37) % 101 % 10 === 9).sort((a, b) => b - a).slice(
      0,
      3,
    );
    assert.deepEqual(byExpr.map((r) => r["id"]), ids);
    assert.deepEqual((await ds.sort("id").limit(3).collect()).map((r) => r["id"]), [0, 1, 2]);
    assert.equal(await ds.union(ds).count(), 4_000);
    assert.equal(await ds.repartition(5, "r").count(), 2_000);
    assert.equal(await ds.repartition(3).count(), 2_000);
    assert.equal(await ds.coalesce(1).count(), 2_000);
    assert.match(await ds.repartition(5, "r").explain(), /hash\(r\), 5 partitions/);
    assert.equal((await ds.take(7)).length, 7);
  });

  // That unpersist frees the executors' blocks is asserted on heartbeats in dataset_cache_test.ts.
  await t.step("cache keeps partitions on executors and unpersist drops them", async () => {
    const ds = fx.range(0, 10_000, { partitions: 4 }).withColumn("x", col("id").mod(13)).cache();
    assert.equal(await ds.count(), 10_000);
    assert.equal(await ds.filter(col("x").eq(0)).count(), 770);
    assert.match(await ds.explain(), /CacheRead/);
    await ds.unpersist();
    assert.equal(await ds.filter(col("x").eq(0)).count(), 770, "recomputed after unpersist");
  });

  await t.step("expressions: when/otherwise, casts, nulls, distinct and quantiles", async () => {
    const ds = fx.range(0, 1_000, { partitions: 3 })
      .withColumn(
        "band",
        when(col("id").lt(100), lit("low")).when(col("id").lt(500), lit("mid")).otherwise(lit("high")),
      )
      .withColumn("maybe", when(col("id").mod(2).eq(0), col("id")));
    const rows = await ds.groupBy("band").agg(
      count().alias("n"),
      count("maybe").alias("nn"),
      countDistinct("id").alias("d"),
      approxQuantile("id", 0.5).alias("med"),
    ).sort("band").collect();
    const byBand = Object.fromEntries(rows.map((r: Row) => [r["band"], r]));
    assert.equal(byBand["low"]!["n"], 100);
    assert.equal(byBand["mid"]!["n"], 400);
    assert.equal(byBand["high"]!["n"], 500);
    assert.equal(byBand["high"]!["nn"], 250);
    assert.equal(byBand["mid"]!["d"], 400);
    const med = byBand["high"]!["med"] as number;
    assert.ok(Math.abs(med - 749.5) / 749.5 < 0.02, `median ${med}`);
  });

  await t.step("analysis errors name the missing column at the call that introduced it", () => {
    const ds = fx.range(0, 10);
    assert.throws(
      () => ds.select("nope"),
      (e: unknown) => e instanceof SchemaError && /"nope"/.test(e.message) && /"id"/.test(e.message),
    );
    assert.throws(() => ds.filter(col("id").plus(1)), SchemaError);
  });

  await t.step("toArrow, fromRows and write round-trip", async () => {
    const ds = await fx.fromRows([{ a: 1, b: "x" }, { a: 2, b: null }, { a: 3, b: "z" }], {
      schema: [{ name: "a", type: "long", nullable: false }, { name: "b", type: "string", nullable: true }],
      partitions: 2,
    });
    const table = await ds.filter(col("a").ge(2)).toArrow();
    assert.equal(table.numRows, 2);
    const dir = await Deno.makeTempDir();
    try {
      const w = await ds.write.parquet(dir);
      assert.equal(w.rows, 3);
      assert.equal(w.files.length, 2);
      const c = await ds.write.csv(dir + "/csv");
      assert.equal(c.files.length, 2);
      const text = await Deno.readTextFile(c.files[1]!.path);
      assert.match(text, /^a,b\n/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("concurrent jobs keep their own stages and shuffle outputs", async () => {
    const a = job(fx, 20_000, 3);
    const b = fx.range(0, 20_000, { partitions: 5 }).withColumn("r", col("id").mod(11)).sort("r", "id");
    const [ra, rb, ra2] = await Promise.all([a.collect(), b.collect(), a.collect()]);
    assert.deepEqual(ra, ra2);
    assert.equal(rb.length, 20_000);
    assert.equal(rb[0]!["r"], 0);
  });

  await t.step("explain shows stages, fused operators and shuffles", async () => {
    const text = await job(fx, 1_000, 4).explain();
    assert.match(text, /Stage \d+: 4 partitions/);
    assert.match(text, /Range\(0, 1000, step 1\)\n\s+→ Project/);
    assert.match(text, /Filter\[/);
    assert.match(text, /PartialAgg\[keys: k/);
    assert.match(text, /Exchange\[hash\(k\), 3 partitions\]/);
    assert.match(text, /FinalAgg/);
    assert.match(text, /SortLocal/);
  });
});

Deno.test("stopping the cluster rejects a job that is still running", async () => {
  const fx = await Frontier.start({ executors: 1 });
  const running = fx.range(0, 3_000_000, { partitions: 64 }).withColumn("k", col("id").mod(7)).groupBy("k")
    .agg(count()).collect();
  await fx.stop();
  await assert.rejects(running, (e: unknown) => e instanceof Error && /stopped/i.test(e.message));
});

Deno.test("a job fails with a clear error once no executor has been alive for noExecutorTimeoutMs", async () => {
  const clock = new FakeClock(0);
  const driver = new Driver({ clock }, { noExecutorTimeoutMs: 5_000, livenessCheckMs: 100 });
  try {
    const job = driver.runJob({ op: "range", start: 0, end: 10, step: 1, partitions: 2 }, { kind: "count" });
    const outcome = job.then(() => "ok", (e: unknown) => e);
    await flushMicrotasks();
    await clock.tick(4_900, 49);
    assert.equal(await Promise.race([outcome, Promise.resolve("pending")]), "pending");
    await clock.tick(300, 3);
    const e = await outcome;
    assert.ok(
      e instanceof JobFailedError && /No executor has been alive for 5000 ms/.test(e.message),
      String(e),
    );
  } finally {
    await driver.stop();
  }
});
