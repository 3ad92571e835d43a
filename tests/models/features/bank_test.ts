import assert from "node:assert/strict";
import {
  assembleBinned,
  assembleBlock,
  bankColumns,
  bankPipeline,
  randomSplit,
  UNKNOWN_LABEL,
} from "../../../models/features/mod.ts";
import { BANK_ADDITIONAL_GZ, bankTable } from "../../scripts/eda/eda_test_util.ts";
import { duck, withCluster } from "./feature_test_util.ts";

Deno.test("bankColumns drops the label and duration and splits text from numbers", () => {
  const cols = bankColumns("additional");
  assert.equal(cols.all.length, 19);
  assert.ok(!cols.all.includes("duration") && !cols.all.includes("y"));
  assert.deepEqual(cols.numeric, [
    "age",
    "campaign",
    "pdays",
    "previous",
    "emp.var.rate",
    "cons.price.idx",
    "cons.conf.idx",
    "euribor3m",
    "nr.employed",
  ]);
  assert.equal(bankColumns("full").all.length, 15);
  assert.ok(bankColumns("full", { exclude: [] }).all.includes("duration"));
  assert.throws(() => bankPipeline("additional", { model: "forest" as "tree" }), /model must be one of/);
});

Deno.test("the bank-additional pipelines give 52 one-hot features and 19 native ones, named by source", async () => {
  const cols = bankColumns("additional");
  // Expected names: numbers as they are; each text column's labels by frequency (ties by value),
  // the least frequent dropped.
  const counts = await duck(
    `WITH t AS (SELECT * FROM ${bankTable(BANK_ADDITIONAL_GZ)}) ${
      cols.categorical.map((c) => `SELECT '${c}' AS c, "${c}" AS v, count(*) AS n FROM t GROUP BY 2`).join(
        " UNION ALL ",
      )
    }`,
  );
  const expected = cols.all.flatMap((c) => {
    if (cols.numeric.includes(c)) return [c];
    const labels = counts.filter((r) => r["c"] === c)
      .sort((a, b) => (b["n"] as number) - (a["n"] as number) || (String(a["v"]) < String(b["v"]) ? -1 : 1));
    return labels.slice(0, -1).map((r) => `${c}=${r["v"]}`);
  });
  await withCluster(async (fx) => {
    const { data } = await fx.read.bank("additional");
    const linear = await bankPipeline("additional", { model: "linear" }).fit(data);
    assert.equal(linear.featureNames.length, 52);
    assert.deepEqual(linear.featureNames, expected);
    assert.equal(linear.spec.label?.positive, "yes");
    assert.equal(linear.spec.time, "contact_date");
    assert.ok(!linear.spec.inputColumns.some((f) => ["duration", "contact_date", "y"].includes(f.name)));

    const { splits: [train, test] } = await randomSplit(data, [0.8, 0.2], { seed: 42, stratifyBy: "y" });
    const tree = await bankPipeline("additional", { model: "tree" }).fit(train!);
    assert.deepEqual(tree.featureNames, cols.all);
    const kinds = tree.layout.slots.map((s) =>
      s.kind === "categorical" ? `${s.name}:${s.cardinality}` : s.name
    );
    assert.equal(kinds[1], "job:13", "12 jobs and the __unknown index");
    const batch = await test!.collectBatch();
    const bins = assembleBinned(batch, tree.spec);
    assert.equal(bins.dim, 19);
    assert.equal(bins.rows, batch.length);
    assert.equal(bins.labels!.reduce((a, y) => a + y, 0), Math.round(4640 * 0.2));
    assert.ok(bins.binnings.every((b) => b.kind === "categorical" || b.upperBounds.length < 255));
    const dense = assembleBlock(
      batch,
      (await bankPipeline("additional", { model: "linear" }).fit(train!)).spec,
    );
    assert.equal(dense.dim, 52);
    assert.ok(dense.values.every((x) => Number.isFinite(x)));
    assert.ok(!linear.featureNames.some((n) => n.endsWith(`=${UNKNOWN_LABEL}`)));
  });
});
