/**
 * A row's random draw for splitting, as an engine expression: a 53-bit integer in `[0, 2^53)`
 * made of two 32-bit stable hashes of `(seed, salt, key columns)` (the same hash that places rows
 * in partitions). It depends only on the seed and the row's key values — never on the row's
 * position, partition, executor or attempt — so a split is the same for any partitioning, and
 * rows with equal keys (duplicate records) always land on the same side.
 *
 * @module
 */
import type { Schema } from "../../../cluster/columnar/batch.ts";
import { col, type Column, hash, lit } from "../../../cluster/expr/column.ts";

/** The draw of every row of a dataset with `schema`, keyed by `key` (default: every column). */
export function rowDraw(
  schema: Schema,
  options: { seed: number; key?: readonly string[] | undefined },
): Column {
  if (!Number.isSafeInteger(options.seed)) {
    throw new RangeError(`seed must be a safe integer, got ${options.seed}`);
  }
  const key = options.key ?? schema.map((f) => f.name);
  if (key.length === 0) throw new RangeError("key must name at least one column");
  for (const k of key) {
    if (!schema.some((f) => f.name === k)) throw new RangeError(`key column "${k}" is not in the dataset`);
  }
  const cols = key.map((k) => col(k));
  const high = hash(lit(options.seed), lit(0), ...cols);
  const low = hash(lit(options.seed), lit(1), ...cols);
  return high.times(2 ** 21).plus(low.div(2 ** 11).floor());
}
