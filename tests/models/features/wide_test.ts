/**
 * Wide pipelines stay within what the wire accepts for one expression (depth 64, 10,000 nodes):
 * skip conditions over many slots are balanced trees, and order-statistic searches over many
 * intervals run in several jobs.
 */
import assert from "node:assert/strict";
import { col, type Column } from "../../../cluster/expr/column.ts";
import { Pipeline, QuantileDiscretizer, VectorAssembler } from "../../../models/features/mod.ts";
import { withCluster } from "./feature_test_util.ts";

Deno.test("a 120-slot skip assembler and a 5 × 200-bucket discretizer run on the cluster", async () => {
  await withCluster(async (fx) => {
    const n = 10_000;
    const names = Array.from({ length: 120 }, (_, k) => `c${k}`);
    const value = (id: Column, k: number) => id.times(7919 * (k + 1)).mod(10_007).div(3);
    const ds = fx.range(n, undefined, { partitions: 3 }).select(
      col("id"),
      ...names.map((c, k) => value(col("id"), k).alias(c)),
    );
    const skipped = await new Pipeline([new VectorAssembler({ inputCols: names, handleInvalid: "skip" })])
      .fit(ds);
    assert.equal(await skipped.transform(ds, { via: "expressions" }).count(), n);

    const cols = names.slice(0, 5);
    const model = await new Pipeline([new QuantileDiscretizer({ inputCols: cols, numBuckets: 200 })]).fit(ds);
    const state = model.spec.stages[0]!;
    assert.equal(state.kind, "bucketizer");
    cols.forEach((_, k) => {
      const sorted = Array.from({ length: n }, (_, id) => (id * 7919 * (k + 1)) % 10_007 / 3).sort((a, b) =>
        a - b
      );
      const inner = [
        ...new Set(Array.from({ length: 199 }, (_, j) => sorted[Math.ceil(((j + 1) * n) / 200) - 1]!)),
      ];
      assert.deepEqual(
        state.kind === "bucketizer" && state.splits[k],
        [-Infinity, ...inner, Infinity],
        cols[k],
      );
    });
  });
});
