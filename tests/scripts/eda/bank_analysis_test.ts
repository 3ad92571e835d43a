import assert from "node:assert/strict";
import { col, year } from "../../../cluster/expr/column.ts";
import { AGE_BANDS, bandColumn, bankAnalysis, yearMonthColumn } from "../../../scripts/eda/bank_analysis.ts";
import { loadInput } from "../../../scripts/eda/load_input.ts";
import { BANK_ADDITIONAL_GZ, BANK_FULL_GZ, bankTable, duck, withCluster } from "./eda_test_util.ts";

Deno.test("bank-full subscription rates by job, month and age band match DuckDB over the same CSV", async () => {
  const byJob = await duck(`SELECT job AS segment, count(*) AS n, count(*) FILTER (WHERE y = 'yes') AS pos
    FROM ${bankTable()} GROUP BY job ORDER BY job`);
  const byMonth = await duck(`SELECT month AS segment, count(*) AS n, count(*) FILTER (WHERE y = 'yes') AS pos
    FROM ${bankTable()} GROUP BY month`);
  const byAge = await duck(`SELECT CASE WHEN age >= 65 THEN '65+' WHEN age >= 55 THEN '55-64'
      WHEN age >= 45 THEN '45-54' WHEN age >= 35 THEN '35-44' WHEN age >= 25 THEN '25-34' ELSE '<25' END AS segment,
      count(*) AS n, count(*) FILTER (WHERE y = 'yes') AS pos FROM ${bankTable()} GROUP BY 1`);
  const [total] = await duck(
    `SELECT count(*) AS n, count(*) FILTER (WHERE y = 'yes') AS pos FROM ${bankTable()}`,
  );
  await withCluster(async (fx) => {
    const input = await loadInput(fx, BANK_FULL_GZ);
    const a = await bankAnalysis(input.data);
    assert.equal(a.overall.count, total!["n"]);
    assert.equal(a.overall.positives, total!["pos"]);
    const dims = a.breakdowns.map((b) => b.dimension);
    assert.deepEqual(dims, [
      "job",
      "education",
      "marital",
      "month",
      "contact",
      "poutcome",
      "age band",
      "balance band",
    ]);
    const get = (d: string) => a.breakdowns.find((b) => b.dimension === d)!.rows;
    const shape = (rows: readonly { segment: string; count: number; positives: number | null }[]) =>
      Object.fromEntries(rows.map((r) => [r.segment, [r.count, r.positives]]));
    const expect = (rows: Record<string, unknown>[]) =>
      Object.fromEntries(rows.map((r) => [String(r["segment"]), [r["n"], r["pos"]]]));
    assert.deepEqual(shape(get("job")), expect(byJob));
    assert.deepEqual(shape(get("month")), expect(byMonth));
    assert.deepEqual(shape(get("age band")), expect(byAge));
    assert.deepEqual(
      get("month").map((r) => r.segment).slice(0, 3),
      ["jan", "feb", "mar"],
      "months in calendar order",
    );
    assert.deepEqual(get("age band").map((r) => r.segment), AGE_BANDS.map(([l]) => l), "bands in order");
    for (const r of get("job")) assert.equal(r.rate, r.positives! / r.count);
    // Over time: months in order from May 2008 to November 2010, covering every row.
    assert.equal(a.overTime[0]!.segment, "2008-05");
    assert.equal(a.overTime.at(-1)!.segment, "2010-11");
    assert.equal(a.overTime.reduce((s, r) => s + r.count, 0), total!["n"]);
    assert.equal(a.overTime.reduce((s, r) => s + (r.positives ?? 0), 0), total!["pos"]);
  });
});

Deno.test("bank-additional gets day-of-week and no balance band", async () => {
  await withCluster(async (fx) => {
    const input = await loadInput(fx, BANK_ADDITIONAL_GZ);
    assert.equal(input.kind, "bank");
    const a = await bankAnalysis(input.data);
    const dims = a.breakdowns.map((b) => b.dimension);
    assert.ok(dims.includes("day_of_week"));
    assert.ok(!dims.includes("balance band"));
    assert.equal(a.overall.count, 41_188);
    assert.deepEqual(
      a.breakdowns.find((b) => b.dimension === "day_of_week")!.rows.map((r) => r.segment),
      ["mon", "tue", "wed", "thu", "fri"],
    );
  });
});

Deno.test("bandColumn and yearMonthColumn label rows on the cluster", async () => {
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(
      [{ age: 18, d: 0 }, { age: 25, d: 40 }, { age: 44, d: 400 }, { age: 65, d: 20_000 }, {
        age: null,
        d: 31,
      }],
      {
        schema: [{ name: "age", type: "int", nullable: true }, { name: "d", type: "date", nullable: false }],
        partitions: 2,
      },
    );
    const rows = await ds.select(
      bandColumn(col("age"), AGE_BANDS).alias("band"),
      yearMonthColumn("d").alias("ym"),
      year("d").alias("y"),
    ).collect();
    assert.deepEqual(rows.map((r) => r["band"]), ["<25", "25-34", "35-44", "65+", null]);
    assert.deepEqual(rows.map((r) => r["ym"]), ["1970-01", "1970-02", "1971-02", "2024-10", "1970-02"]);
  });
});
