import assert from "node:assert/strict";
import { sampleRows } from "../../../cluster/kernels/row_sample.ts";
import type { Batch } from "../../../cluster/columnar/batch.ts";
import { concatBatches, sliceBatch } from "../../../cluster/columnar/batch_ops.ts";

function ids(n: number): Batch {
  return {
    schema: [{ name: "id", type: "long", nullable: false }],
    length: n,
    columns: [{ type: "long", values: Float64Array.from({ length: n }, (_, i) => i) }],
  };
}

function values(b: Batch): number[] {
  return Array.from(b.columns[0]!.values as Float64Array);
}

Deno.test("sampleRows draws per row, so batch boundaries do not change the sample", () => {
  const all = ids(10_000);
  const o = { seed: 42, lower: 0, upper: 0.3, withReplacement: false };
  const whole = sampleRows(all, { ...o, firstRow: 0 });
  const pieces = [0, 17, 4_000, 9_999, 10_000].slice(1).map((end, i, a) => {
    const start = i === 0 ? 0 : a[i - 1]!;
    return sampleRows(sliceBatch(all, start, end), { ...o, firstRow: start });
  });
  assert.deepEqual(values(concatBatches(all.schema, pieces)), values(whole));
  assert.ok(Math.abs(whole.length - 3_000) < 200, `${whole.length}`);
});

Deno.test("sampleRows intervals over one seed are disjoint and cover every row", () => {
  const all = ids(5_000);
  const bounds = [0, 0.1, 0.55, 1];
  const parts = bounds.slice(1).map((upper, i) =>
    values(sampleRows(all, { seed: 7, firstRow: 0, lower: bounds[i]!, upper, withReplacement: false }))
  );
  assert.deepEqual(parts.flat().sort((a, b) => a - b), values(all));
});

Deno.test("sampleRows with replacement emits Poisson(fraction) copies of each row", () => {
  const all = ids(20_000);
  const out = values(sampleRows(all, { seed: 3, firstRow: 0, lower: 0, upper: 2.5, withReplacement: true }));
  const counts = new Map<number, number>();
  for (const v of out) counts.set(v, (counts.get(v) ?? 0) + 1);
  // Mean 2.5 per row: 50 000 rows in all (sd 224); P(0 copies) = e^-2.5 = 8.2 %.
  assert.ok(Math.abs(out.length - 50_000) < 1_200, `${out.length}`);
  const zero = 20_000 - counts.size;
  assert.ok(Math.abs(zero - 1_642) < 200, `${zero} rows drawn 0 times`);
  // Large means are drawn in pieces: mean 45 per row.
  const big = sampleRows(ids(200), { seed: 3, firstRow: 0, lower: 0, upper: 45, withReplacement: true });
  assert.ok(Math.abs(big.length - 9_000) < 500, `${big.length}`);
  // Copies of a row stay together, in input order.
  for (let i = 1; i < out.length; i++) assert.ok(out[i]! >= out[i - 1]!);
});
