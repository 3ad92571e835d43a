import assert from "node:assert/strict";
import type { Batch, Row, Schema } from "../../../cluster/columnar/batch.ts";
import {
  batchFromRows,
  batchToRows,
  column,
  concatBatches,
  sliceBatch,
} from "../../../cluster/columnar/batch_ops.ts";
import { hashColumns, partitionOf } from "../../../cluster/columnar/row_hash.ts";
import {
  computeRangeBounds,
  hashPartition,
  rangePartition,
  roundRobinPartition,
  sampleForRangeBounds,
} from "../../../cluster/kernels/partition.ts";
import { sortBatch, type SortColumn } from "../../../cluster/kernels/sort.ts";
import { rng } from "../test_rng.ts";

const SCHEMA: Schema = [
  { name: "id", type: "int", nullable: false },
  { name: "k", type: "long", nullable: true },
  { name: "s", type: "string", nullable: true },
];

function randomRows(random: () => number, n: number): Row[] {
  return Array.from({ length: n }, (_, id) => ({
    id,
    k: random() < 0.1 ? null : Math.floor(random() * 40) - 10,
    s: random() < 0.1 ? null : `v${Math.floor(random() * 30)}`,
  }));
}

/** Splits `batch` into consecutive slices at random points. */
function randomSlices(batch: Batch, random: () => number): Batch[] {
  const out: Batch[] = [];
  let at = 0;
  while (at < batch.length) {
    const len = 1 + Math.floor(random() * 60);
    out.push(sliceBatch(batch, at, at + len));
    at += len;
  }
  return out;
}

Deno.test("hashPartition sends each row to the same partition however the rows are batched", () => {
  const random = rng(1);
  const batch = batchFromRows(SCHEMA, randomRows(random, 500));
  const partitionOfId = (batches: Batch[]): Map<number, number> => {
    const out = new Map<number, number>();
    for (const b of batches) {
      hashPartition(b, ["k", "s"], 7).forEach((part, p) => {
        for (const row of batchToRows(part)) out.set(row["id"] as number, p);
      });
    }
    return out;
  };
  const whole = partitionOfId([batch]);
  assert.equal(whole.size, 500);
  for (let trial = 0; trial < 3; trial++) assert.deepEqual(partitionOfId(randomSlices(batch, random)), whole);
});

Deno.test("hashPartition uses partitionOf(hashColumns) and keeps row order within partitions", () => {
  const batch = batchFromRows(SCHEMA, randomRows(rng(2), 300));
  const hashes = hashColumns([column(batch, "k")], batch.length);
  const parts = hashPartition(batch, ["k"], 4);
  assert.equal(parts.length, 4);
  parts.forEach((part, p) => {
    const ids = batchToRows(part).map((r) => r["id"] as number);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    for (const id of ids) assert.equal(partitionOf(hashes[id]!, 4), p);
  });
  assert.equal(parts.reduce((n, b) => n + b.length, 0), 300);
  assert.throws(() => hashPartition(batch, ["k"], 0), RangeError);
});

Deno.test("roundRobinPartition deals rows in turn starting at the offset", () => {
  const batch = batchFromRows(SCHEMA, randomRows(rng(3), 10));
  const parts = roundRobinPartition(batch, 3, { offset: 1 });
  assert.deepEqual(parts.map((p) => batchToRows(p).map((r) => r["id"])), [[2, 5, 8], [0, 3, 6, 9], [
    1,
    4,
    7,
  ]]);
});

const SORTS: SortColumn[][] = [
  [{ column: "k", ascending: true, nullsFirst: true }],
  [{ column: "k", ascending: false, nullsFirst: false }, { column: "s", ascending: true, nullsFirst: true }],
  [{ column: "s", ascending: false, nullsFirst: true }, { column: "k", ascending: true, nullsFirst: false }],
];

Deno.test("range partition, per-partition sort and concatenation give the global sort", () => {
  const random = rng(4);
  const batch = batchFromRows(SCHEMA, randomRows(random, 600));
  for (const keys of SORTS) {
    const slices = randomSlices(batch, random);
    const names = keys.map((k) => k.column);
    const samples = concatBatches(
      sampleForRangeBounds(slices[0]!, names, 20, 0).schema,
      slices.map((b, i) => sampleForRangeBounds(b, names, 20, i)),
    );
    const bounds = computeRangeBounds(samples, keys, 5);
    assert.equal(bounds.length, 4);
    const partitions: Batch[][] = [[], [], [], [], []];
    for (const b of slices) rangePartition(b, keys, bounds).forEach((part, p) => partitions[p]!.push(part));
    const sortedParts = partitions.map((parts) => sortBatch(concatBatches(SCHEMA, parts), keys));
    const got = batchToRows(concatBatches(SCHEMA, sortedParts)).map((r) => r["id"]);
    assert.deepEqual(got, batchToRows(sortBatch(batch, keys)).map((r) => r["id"]));
    assert.ok(sortedParts.filter((p) => p.length > 0).length >= 3, "bounds spread the rows");
  }
});

Deno.test("rangePartition accepts bounds as rows and gives bounds + 1 partitions, rows equal to a bound going low", () => {
  const batch = batchFromRows(SCHEMA, [0, 5, 10, 15, 20].map((k, id) => ({ id, k, s: "" })));
  const keys: SortColumn[] = [{ column: "k", ascending: true, nullsFirst: true }];
  const parts = rangePartition(batch, keys, [{ k: 10 }, { k: 5 }]);
  assert.deepEqual(parts.map((p) => batchToRows(p).map((r) => r["k"])), [[0, 5], [10], [15, 20]]);
  assert.deepEqual(rangePartition(batch, keys, []).map((p) => p.length), [5]);
});

Deno.test("sampleForRangeBounds is deterministic for a seed, bounded in size, and keeps only the keys", () => {
  const batch = batchFromRows(SCHEMA, randomRows(rng(5), 1000));
  const a = sampleForRangeBounds(batch, ["k"], 50, 42);
  assert.deepEqual(batchToRows(a), batchToRows(sampleForRangeBounds(batch, ["k"], 50, 42)));
  assert.notDeepEqual(batchToRows(a), batchToRows(sampleForRangeBounds(batch, ["k"], 50, 43)));
  assert.equal(a.length, 50);
  assert.deepEqual(a.schema.map((f) => f.name), ["k"]);
  assert.equal(sampleForRangeBounds(sliceBatch(batch, 0, 10), ["k"], 50, 1).length, 10);
});

Deno.test("computeRangeBounds returns n - 1 sorted rows, or none without samples", () => {
  const keys: SortColumn[] = [{ column: "k", ascending: false, nullsFirst: false }];
  const samples = batchFromRows(
    [{ name: "k", type: "long", nullable: true }],
    [1, 9, null, 4, 7, 2].map((k) => ({ k })),
  );
  assert.deepEqual(batchToRows(computeRangeBounds(samples, keys, 3)).map((r) => r["k"]), [7, 2]);
  assert.equal(computeRangeBounds(sliceBatch(samples, 0, 0), keys, 3).length, 0);
});
