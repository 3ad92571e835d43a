/**
 * Splitting a batch into partitions: by key hash (the row hash of `row_hash.ts`, so a row lands in
 * the same partition however rows were batched), by key range (for global sorts), or round robin.
 * Every function keeps the input row order within each output partition.
 *
 * @module
 */
import type { Batch, Row, Schema } from "../columnar/batch.ts";
import { batchFromRows, column, columnIndex, takeRows } from "../columnar/batch_ops.ts";
import { hashColumns, partitionOf } from "../columnar/row_hash.ts";
import { rowComparator, type SortColumn, sortIndices } from "./sort.ts";

/**
 * Splits `batch` into `n` batches by the row hash of `keys`: row `i` goes to
 * `partitionOf(hashColumns(keys)[i], n)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchFromRows } from "../columnar/batch_ops.ts";
 * const rows = Array.from({ length: 100 }, (_, i) => ({ userId: i % 10 }));
 * const batch = batchFromRows([{ name: "userId", type: "int", nullable: false }], rows);
 * const parts = hashPartition(batch, ["userId"], 8);
 * assert.equal(parts.length, 8);
 * assert.equal(parts.reduce((n, p) => n + p.length, 0), 100);
 * ```
 */
export function hashPartition(batch: Batch, keys: readonly string[], n: number): Batch[] {
  checkCount(n);
  if (n === 1) return [batch];
  const hashes = hashColumns(keys.map((k) => column(batch, k)), batch.length);
  const part = new Int32Array(batch.length);
  for (let i = 0; i < batch.length; i++) part[i] = partitionOf(hashes[i]!, n);
  return split(batch, part, n);
}

/**
 * Splits `batch` round robin into `n` batches: row `i` goes to `(offset + i) % n`. Give each map
 * task a different `offset` (e.g. its partition index) to spread small inputs.
 */
export function roundRobinPartition(batch: Batch, n: number, options: { offset?: number } = {}): Batch[] {
  checkCount(n);
  const offset = options.offset ?? 0;
  const part = new Int32Array(batch.length);
  for (let i = 0; i < batch.length; i++) part[i] = (offset + i) % n;
  return split(batch, part, n);
}

/**
 * Splits `batch` by sort-key ranges: with bounds `b0 ≤ b1 ≤ …` (rows holding the key columns, as
 * from {@linkcode computeRangeBounds}), partition `p` gets the rows `r` with `b(p-1) < r ≤ b(p)`,
 * so there are `bounds.length + 1` partitions, and sorting each partition then concatenating
 * them gives the global sort order. Unsorted bounds are sorted first.
 */
export function rangePartition(
  batch: Batch,
  keys: readonly SortColumn[],
  bounds: Batch | readonly Row[],
): Batch[] {
  const boundBatch = "schema" in bounds ? bounds : batchFromRows(keySchema(batch.schema, keys), bounds);
  const sorted = takeRows(boundBatch, sortIndices(boundBatch, keys));
  const m = sorted.length;
  if (m === 0) return [batch];
  const cmp = rowComparator(batch, sorted, keys);
  const part = new Int32Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    let lo = 0, hi = m; // first bound >= row
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(i, mid) > 0) lo = mid + 1;
      else hi = mid;
    }
    part[i] = lo;
  }
  return split(batch, part, m + 1);
}

/**
 * A uniform random sample of at most `sampleSize` rows of `batch`, with only the `keys` columns,
 * for {@linkcode computeRangeBounds}. Deterministic given `seed` (derive it with `partitionSeed`
 * from the plan and the partition, never the attempt). Rows keep their input order.
 */
export function sampleForRangeBounds(
  batch: Batch,
  keys: readonly string[],
  sampleSize: number,
  seed: number,
): Batch {
  if (!(Number.isInteger(sampleSize) && sampleSize >= 0)) {
    throw new RangeError(`Cannot sample ${sampleSize} rows: expected an integer >= 0`);
  }
  const projected: Batch = {
    schema: keys.map((k) => batch.schema[columnIndex(batch.schema, k)]!),
    length: batch.length,
    columns: keys.map((k) => column(batch, k)),
  };
  if (batch.length <= sampleSize) return projected;
  // Reservoir sampling (algorithm R) with a seeded generator.
  const random = mulberry32(seed);
  const reservoir = Int32Array.from({ length: sampleSize }, (_, i) => i);
  for (let i = sampleSize; i < batch.length; i++) {
    const j = Math.floor(random() * (i + 1));
    if (j < sampleSize) reservoir[j] = i;
  }
  return takeRows(projected, reservoir.sort());
}

/**
 * `n - 1` boundary rows (the key columns) splitting `samples` into `n` ranges of about equal size,
 * in ascending `keys` order; no rows when `samples` is empty (then everything goes to one range).
 */
export function computeRangeBounds(samples: Batch, keys: readonly SortColumn[], n: number): Batch {
  checkCount(n);
  const projected: Batch = {
    schema: keySchema(samples.schema, keys),
    length: samples.length,
    columns: keys.map((k) => column(samples, k.column)),
  };
  const order = sortIndices(projected, keys);
  const m = order.length;
  if (m === 0) return takeRows(projected, []);
  const picks = Int32Array.from(
    { length: n - 1 },
    (_, j) => order[Math.max(0, Math.ceil(((j + 1) * m) / n) - 1)]!,
  );
  return takeRows(projected, picks);
}

function keySchema(schema: Schema, keys: readonly SortColumn[]): Schema {
  return keys.map((k) => schema[columnIndex(schema, k.column)]!);
}

function checkCount(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`Cannot split into ${n} partitions: expected an integer >= 1`);
  }
}

/** Rows of `batch` split by `part[i]` into `n` batches, keeping row order. */
function split(batch: Batch, part: Int32Array, n: number): Batch[] {
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < part.length; i++) counts[part[i]! + 1]!++;
  for (let p = 0; p < n; p++) counts[p + 1]! += counts[p]!;
  const order = new Int32Array(part.length);
  const cursor = counts.slice(0, n);
  for (let i = 0; i < part.length; i++) order[cursor[part[i]!]!++] = i;
  return Array.from({ length: n }, (_, p) => takeRows(batch, order.subarray(counts[p]!, counts[p + 1]!)));
}

/** A small seeded PRNG (mulberry32) returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
