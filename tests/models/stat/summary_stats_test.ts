import assert from "node:assert/strict";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import {
  columnKind,
  summaryAggregates,
  summaryFromRow,
  summaryStats,
  temporal,
} from "../../../models/stat/summary_stats.ts";
import { assertClose, bankTable, duck, withCluster } from "../../scripts/eda/eda_test_util.ts";

Deno.test("summaryAggregates puts every statistic of every column into one list for a single agg", () => {
  const schema: Schema = [
    { name: "n", type: "int", nullable: true },
    { name: "s", type: "string", nullable: true },
    { name: "b", type: "bool", nullable: false },
    { name: "d", type: "date", nullable: false },
  ];
  const names = summaryAggregates(schema, { approxDistinct: false }).map((a) => a.agg.name);
  // rows + numeric (count, distinct, min, max, mean, std, 5 quantiles) + string (4) + bool (6) + date (11)
  assert.equal(names.length, 1 + 11 + 4 + 6 + 11);
  assert.equal(new Set(names).size, names.length, "names are unique");
  assert.deepEqual(names.filter((n) => n.startsWith("c1_")), ["c1_count", "c1_distinct", "c1_min", "c1_max"]);
  const fns = summaryAggregates(schema, { approxDistinct: true }).map((a) => a.agg.fn);
  assert.ok(fns.includes("approxCountDistinct") && !fns.includes("countDistinct"));
});

Deno.test("summaryFromRow derives nulls from the row count and shows dates as ISO text", () => {
  const schema: Schema = [
    { name: "x", type: "double", nullable: true },
    { name: "d", type: "date", nullable: true },
  ];
  const t = summaryFromRow(schema, {
    rows: 10,
    c0_count: 7,
    c0_distinct: 5,
    c0_min: -1,
    c0_max: 3,
    c0_mean: 1.5,
    c0_std: 0.5,
    c1_count: 10,
    c1_distinct: 2,
    c1_min: 0,
    c1_max: 365,
    c1_mean: 19.9,
    c1_q50: 100.7,
  }, { approxDistinct: false });
  assert.equal(t.rows, 10);
  assert.equal(t.columns[0]!.nulls, 3);
  assert.equal(t.columns[0]!.q25, null);
  assert.equal(t.columns[1]!.min, "1970-01-01");
  assert.equal(t.columns[1]!.max, "1971-01-01");
  assert.equal(t.columns[1]!.q50, "1970-04-11");
  assert.equal(columnKind("timestamp"), "temporal");
  assert.equal(temporal("timestamp", 86_400_000), "1970-01-02T00:00:00.000Z");
});

Deno.test("summaryStats of bank-full matches DuckDB over the same CSV (age, balance, job, y)", async () => {
  const [want] = await duck(`SELECT count(*) AS n,
      count(DISTINCT age) AS age_distinct, min(age) AS age_min, max(age) AS age_max, avg(age) AS age_mean,
      stddev_samp(age) AS age_std, quantile_cont(age, 0.25) AS age_q25, quantile_cont(age, 0.5) AS age_q50,
      quantile_cont(age, 0.75) AS age_q75,
      count(DISTINCT balance) AS bal_distinct, min(balance) AS bal_min, max(balance) AS bal_max,
      avg(balance) AS bal_mean, stddev_samp(balance) AS bal_std, quantile_cont(balance, 0.5) AS bal_q50,
      quantile_cont(balance, 0.75) AS bal_q75,
      count(DISTINCT job) AS job_distinct, min(job) AS job_min, max(job) AS job_max
    FROM ${bankTable()}`);
  await withCluster(async (fx) => {
    const input = await fx.read.bank("full");
    const t = await summaryStats(input.data, { distinct: "exact" });
    const col = (name: string) => t.columns.find((c) => c.column === name)!;
    assert.equal(t.rows, want!["n"]);
    assert.equal(t.columns.length, 18, "17 file columns + contact_date");
    const age = col("age"), bal = col("balance"), job = col("job");
    assert.deepEqual([age.count, age.nulls, age.distinct, age.min, age.max], [
      want!["n"],
      0,
      want!["age_distinct"],
      want!["age_min"],
      want!["age_max"],
    ]);
    assertClose(age.mean, want!["age_mean"], { what: "age mean", relative: 1e-12 });
    assertClose(age.std, want!["age_std"], { what: "age std", relative: 1e-12 });
    // Quantiles are sketch estimates within 1% relative error.
    assertClose(age.q25, want!["age_q25"], { what: "age q25", relative: 0.011 });
    assertClose(age.q50, want!["age_q50"], { what: "age median", relative: 0.011 });
    assertClose(age.q75, want!["age_q75"], { what: "age q75", relative: 0.011 });
    assert.deepEqual([bal.distinct, bal.min, bal.max], [
      want!["bal_distinct"],
      want!["bal_min"],
      want!["bal_max"],
    ]);
    assertClose(bal.mean, want!["bal_mean"], { what: "balance mean", relative: 1e-12 });
    assertClose(bal.std, want!["bal_std"], { what: "balance std", relative: 1e-12 });
    assertClose(bal.q50, want!["bal_q50"], { what: "balance median", relative: 0.011 });
    assertClose(bal.q75, want!["bal_q75"], { what: "balance q75", relative: 0.011 });
    assert.deepEqual([job.distinct, job.min, job.max, job.mean], [
      want!["job_distinct"],
      want!["job_min"],
      want!["job_max"],
      null,
    ]);
    const date = col("contact_date");
    assert.deepEqual([date.min, date.max], ["2008-05-05", "2010-11-17"]);
  });
});
