/**
 * Per-row hashes of one or more key columns: the single definition used by hash partitioning,
 * hash joins, hash aggregation and the `hash()` expression.
 *
 * @module
 */
import type { Vec } from "./batch.ts";
import { combineHash, hashNumber, hashString, hashUtf8, NULL_HASH } from "../util/hash.ts";

/** Hash of each of the first `length` rows over `keys` (in order). */
export function hashColumns(keys: readonly Vec[], length: number): Uint32Array {
  const out = new Uint32Array(length);
  for (const v of keys) {
    const valid = v.valid;
    if (v.type === "string" && v.utf8 !== undefined) {
      const { offsets, data } = v.utf8;
      for (let i = 0; i < length; i++) {
        const h = valid && valid[i] === 0 ? NULL_HASH : hashUtf8(data, offsets[i]!, offsets[i + 1]!);
        out[i] = combineHash(out[i]!, h);
      }
    } else if (v.type === "string") {
      const vals = v.values;
      for (let i = 0; i < length; i++) {
        out[i] = combineHash(out[i]!, valid && valid[i] === 0 ? NULL_HASH : hashString(vals[i]!));
      }
    } else {
      const vals = v.values;
      for (let i = 0; i < length; i++) {
        out[i] = combineHash(out[i]!, valid && valid[i] === 0 ? NULL_HASH : hashNumber(vals[i]!));
      }
    }
  }
  return out;
}

/** Partition of a row hash among `n` partitions. */
export function partitionOf(hash: number, n: number): number {
  return hash % n;
}
