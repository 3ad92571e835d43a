/**
 * One column of a dataset shuffled across all its rows on the cluster, the rest left in place —
 * the input of permutation importance. The permutation is a seeded bijection of global row
 * positions, so the shuffled dataset holds the same rows for any partitioning or executor count.
 *
 * How: a `mapPartitions` with a prefix carry numbers the rows (each partition's {@linkcode countRows}
 * goes to the driver, {@linkcode rowOffsets} turns the counts into each partition's first row
 * number and the total) and appends each row's number `i` and its target `σ(i)`, with `σ` a
 * keyed Feistel permutation of `[0, n)` (`cluster/util/seeded_random.ts`). Joining the rows on
 * `i` with the column's values keyed by `σ(j)` gives row `i` the value of row `σ⁻¹(i)`. Row order
 * changes (a join shuffles); metrics do not depend on it.
 *
 * Its module is Frontier's own, so every cluster allows it.
 *
 * @module
 */
import { at, fail, nat, obj, only, str, where } from "../../actors/decode.ts";
import type { Json } from "../../actors/errors.ts";
import type { Batch } from "../../cluster/columnar/batch.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { col } from "../../cluster/expr/column.ts";
import type { InputContext, MapContext, PartitionValue } from "../../cluster/partition_fns.ts";
import { hashString } from "../../cluster/util/hash.ts";
import { mix32, Permutation } from "../../cluster/util/seeded_random.ts";

/** This module's URL: what the jobs name. */
export const PERMUTE_MODULE: string = import.meta.url;

/** Rows of a partition (a `FoldFn`, the carry's summary). */
export function countRows(batches: readonly Batch[], _ctx: InputContext): number {
  return batches.reduce((n, b) => n + b.length, 0);
}

/** Each partition's first row number and the total row count (a `ChainFn`). */
export function rowOffsets(summaries: readonly PartitionValue[]): Json[] {
  let offset = 0;
  const offsets = summaries.map((s, p) => {
    if (typeof s !== "number" || !Number.isSafeInteger(s) || s < 0) {
      throw new TypeError(`Partition ${p} reported ${String(s)} rows`);
    }
    const first = offset;
    offset += s;
    return first;
  });
  return offsets.map((first) => ({ first, total: offset }));
}

/** Appends the row number and its permuted target (a `MapPartitionsFn`). */
export function* addPermutedIndex(batches: readonly Batch[], ctx: MapContext): Generator<Batch> {
  const a = obj(ctx.args, where("permute-column arguments"));
  only(a, ["key", "rowCol", "targetCol"]);
  const key = nat(a, "key"),
    rowCol = str(a, "rowCol", { min: 1 }),
    targetCol = str(a, "targetCol", { min: 1 });
  if (key >= 2 ** 32) throw fail(at(a, "key"), "must be below 2^32");
  const c = obj(ctx.carry, where("permute-column carry"));
  let next = nat(c, "first");
  const total = nat(c, "total");
  const sigma = total > 0 ? new Permutation(total, key) : undefined;
  for (const batch of batches) {
    const rows = new Float64Array(batch.length), targets = new Float64Array(batch.length);
    for (let i = 0; i < batch.length; i++, next++) {
      rows[i] = next;
      targets[i] = sigma!.apply(next);
    }
    yield {
      schema: [
        ...batch.schema,
        { name: rowCol, type: "long", nullable: false },
        { name: targetCol, type: "long", nullable: false },
      ],
      length: batch.length,
      columns: [...batch.columns, { type: "long", values: rows }, { type: "long", values: targets }],
    };
  }
}

/** The permutation key of `(seed, column, repeat)`: a 32-bit word. */
export function permutationKey(seed: number, column: string, repeat: number): number {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const lo = mix32((seed % 2 ** 32) >>> 0), hi = mix32(Math.floor(seed / 2 ** 32) | 0);
  return mix32(hashString(column, lo ^ hi) ^ mix32(repeat + 0x9e3779b9));
}

/**
 * `dataset` with `column` permuted across all rows by the permutation keyed by `key` (see
 * {@linkcode permutationKey}); the other columns stay with their rows. Lazy. Throws a `TypeError`
 * when the column is not in the dataset.
 */
export function permuteColumn(dataset: Dataset, column: string, options: { key: number }): Dataset {
  const names = dataset.columns;
  if (!names.includes(column)) {
    throw new TypeError(`Cannot permute column "${column}": not in the dataset (${names.join(", ")})`);
  }
  const free = (base: string) => {
    let name = base;
    for (let k = 1; names.includes(name); k++) name = `${base}_${k}`;
    return name;
  };
  const rowCol = free("__permute_row"), targetCol = free("__permute_target");
  const field = dataset.schema.find((f) => f.name === column)!;
  const indexed = dataset.mapPartitions({
    module: PERMUTE_MODULE,
    export: "addPermutedIndex",
    schema: [
      ...dataset.schema,
      { name: rowCol, type: "long", nullable: false },
      { name: targetCol, type: "long", nullable: false },
    ],
    args: { key: options.key, rowCol, targetCol },
    carry: { summarize: "countRows", chain: "rowOffsets" },
  });
  const rest = indexed.drop(column, targetCol);
  const moved = indexed.select(col(targetCol).alias(rowCol), col(column));
  const joined = rest.join(moved, rowCol);
  const out = joined.select(...names);
  if (out.schema.find((f) => f.name === column)?.type !== field.type) {
    throw new TypeError(`Permuting "${column}" changed its type`);
  }
  return out;
}
