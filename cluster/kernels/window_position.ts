/**
 * Window functions of a row's position in its sorted window partition: `rowNumber`, `rank`,
 * `denseRank`, `lag` and `lead` (see `window_frame.ts` for the partitions and peers).
 *
 * @module
 */
import type { DataType, Scalar, Vec } from "../columnar/batch.ts";
import { allocVec } from "../columnar/batch_ops.ts";
import type { WindowRows } from "./window_frame.ts";

/** `rowNumber` (position from 1), `rank` (1 + rows strictly before) or `denseRank` (1 + peer groups before). */
export function rankColumn(fn: "rowNumber" | "rank" | "denseRank", rows: WindowRows): Vec {
  const { starts, peerStart } = rows;
  const out = new Int32Array(rows.length);
  for (let g = 0; g + 1 < starts.length; g++) {
    const gs = starts[g]!;
    let dense = 0;
    for (let i = gs; i < starts[g + 1]!; i++) {
      if (peerStart[i] === i) dense++;
      out[i] = fn === "rowNumber" ? i - gs + 1 : fn === "rank" ? peerStart[i]! - gs + 1 : dense;
    }
  }
  return { type: "int", values: out };
}

/**
 * The value of `input` `shift` rows away within each partition (`lag(k)` is `-k`, `lead(k)` is
 * `k`), or `fallback` (null when absent) where that row is outside the partition. `type` is the
 * input's type; `fallback` must fit it (the schema rule checks).
 */
export function shiftColumn(
  input: Vec,
  rows: WindowRows,
  shift: number,
  fallback: Scalar | undefined,
  type: DataType,
): Vec {
  const n = rows.length, { starts } = rows;
  const out = allocVec(type, n, true);
  const ok = out.valid!, valid = input.valid;
  const src = input.values as ArrayLike<number | string>, dst = out.values as (number | string)[];
  const filler = typeof fallback === "boolean" ? (fallback ? 1 : 0) : fallback ?? undefined;
  for (let g = 0; g + 1 < starts.length; g++) {
    const gs = starts[g]!, ge = starts[g + 1]!;
    for (let i = gs; i < ge; i++) {
      const j = i + shift;
      if (j >= gs && j < ge) {
        if (valid !== undefined && valid[j] === 0) ok[i] = 0;
        else dst[i] = src[j]!;
      } else if (filler === undefined || filler === null) ok[i] = 0;
      else dst[i] = filler;
    }
  }
  return out;
}
