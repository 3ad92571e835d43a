import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { downsampleMajority } from "../../../models/features/split/downsample_majority.ts";
import { rowDraw } from "../../../models/features/split/row_draw.ts";

const SCHEMA: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "y", type: "string", nullable: true },
];

function rows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({ id: i, y: i % 10 === 3 ? "yes" : i === 7 ? null : "no" }));
}

Deno.test("downsampleMajority keeps every minority row and exactly the majority rows of the lowest draws", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const data = rows(2000);
  const results: string[] = [];
  for (const partitions of [1, 4]) {
    const ds = await fx.fromRows(data, { schema: SCHEMA, partitions });
    const r = await downsampleMajority(ds, {
      label: "y",
      positive: "yes",
      ratio: 2.5,
      seed: 9,
      weightCol: "w",
    });
    assert.deepEqual(r.before, [1799, 200]); // one null label left out
    assert.equal(r.majority, 0);
    assert.equal(r.target, 500);
    assert.equal(r.majorityWeight, 1799 / 500);
    const kept = await r.dataset.sort("id").collect();
    const pos = kept.filter((k) => k.y === "yes"), neg = kept.filter((k) => k.y === "no");
    assert.equal(pos.length, 200);
    assert.equal(neg.length, 500);
    assert.ok(pos.every((k) => k.w === 1) && neg.every((k) => k.w === 1799 / 500));
    // Independent selection: the 500 "no" rows with the smallest draws.
    const drawn = await ds.withColumn("u", rowDraw(ds.schema, { seed: 9 })).collect();
    const want = drawn.filter((d) => d.y === "no").sort((a, b) => (a.u as number) - (b.u as number)).slice(
      0,
      500,
    )
      .map((d) => d.id as number).sort((a, b) => a - b);
    assert.deepEqual(neg.map((k) => k.id), want);
    results.push(JSON.stringify(kept));
  }
  assert.equal(results[0], results[1], "the same rows for any partitioning");
  const ds = await fx.fromRows(data, { schema: SCHEMA, partitions: 2 });
  const all = await downsampleMajority(ds, { label: "y", positive: "yes", ratio: 100, seed: 1 });
  assert.equal(await all.dataset.count(), 1999, "a ratio above the majority keeps every labeled row");
  await assert.rejects(() => downsampleMajority(ds, { label: "y", seed: 1 }), /give positive/);
  await assert.rejects(
    () => downsampleMajority(ds, { label: "y", positive: "yes", ratio: 0, seed: 1 }),
    /ratio must be/,
  );
});
