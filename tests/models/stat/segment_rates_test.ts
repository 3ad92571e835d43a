import assert from "node:assert/strict";
import { col } from "../../../cluster/expr/column.ts";
import { binLayout, histogram, segmentStats } from "../../../models/stat/segment_rates.ts";
import { withCluster } from "../../scripts/eda/eda_test_util.ts";

Deno.test("binLayout puts integer bins on integers and rejects bad ranges", () => {
  assert.deepEqual(binLayout({ lo: 18, hi: 95, bins: 30, integer: true }), { lo: 18, width: 3, bins: 26 });
  assert.deepEqual(binLayout({ lo: 1, hi: 5, bins: 30, integer: true }), { lo: 1, width: 1, bins: 5 });
  assert.deepEqual(binLayout({ lo: 0, hi: 1, bins: 4 }), { lo: 0, width: 0.25, bins: 4 });
  assert.deepEqual(binLayout({ lo: 3, hi: 3 }), { lo: 2.5, width: 1, bins: 1 });
  assert.throws(() => binLayout({ lo: 2, hi: 1 }), RangeError);
  assert.throws(() => binLayout({ lo: 0, hi: 1, bins: 0 }), RangeError);
});

Deno.test("histogram counts every non-null value once, clipping outliers into the edge bins", async () => {
  const values = [-100, 0, 0.5, 1, 2.49, 2.5, 3.99, 4, 1000, null];
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(values.map((v) => ({ v })), {
      schema: [{ name: "v", type: "double", nullable: true }],
      partitions: 3,
    });
    const bins = await histogram(ds, col("v"), { lo: 0, hi: 4, bins: 4 });
    assert.deepEqual(bins.map((b) => [b.start, b.end]), [[0, 1], [1, 2], [2, 3], [3, 4]]);
    // [0,1): -100 (clipped), 0, 0.5 · [1,2): 1 · [2,3): 2.49, 2.5 · [3,4]: 3.99, 4, 1000 (clipped)
    assert.deepEqual(bins.map((b) => b.count), [3, 1, 2, 3]);
  });
});

Deno.test("segmentStats counts rows, label positives and value sums per segment, in the asked order", async () => {
  const rows = [
    { k: "b", ok: true, x: 1 },
    { k: "a", ok: false, x: 2 },
    { k: "b", ok: false, x: 3 },
    { k: null, ok: true, x: 4 },
    { k: "b", ok: true, x: null },
  ];
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(rows, {
      schema: [
        { name: "k", type: "string", nullable: true },
        { name: "ok", type: "bool", nullable: false },
        { name: "x", type: "int", nullable: true },
      ],
      partitions: 2,
    });
    const byKey = await segmentStats(ds, { key: col("k"), label: col("ok"), value: col("x") });
    assert.deepEqual(byKey, [
      { segment: "(null)", count: 1, positives: 1, rate: 1, sum: 4, mean: 4 },
      { segment: "a", count: 1, positives: 0, rate: 0, sum: 2, mean: 2 },
      { segment: "b", count: 3, positives: 2, rate: 2 / 3, sum: 4, mean: 2 },
    ]);
    const byCount = await segmentStats(ds, { key: col("k"), order: "count" });
    assert.deepEqual(byCount.map((r) => [r.segment, r.count, r.positives, r.sum]), [
      ["b", 3, null, null],
      ["(null)", 1, null, null],
      ["a", 1, null, null],
    ]);
    const listed = await segmentStats(ds, { key: col("k"), order: ["b", "a"] });
    assert.deepEqual(listed.map((r) => r.segment), ["b", "a", "(null)"]);
  });
});
