/**
 * Where each row's frame starts and ends, for rows sorted by (partition, order): the window
 * partitions as index ranges, each row's peers (rows with equal order values), and the frame
 * bounds of a row or range frame as half-open index ranges `[lo[i], hi[i])`. Both arrays are
 * non-decreasing within a partition, so an aggregate can slide over them in one pass.
 *
 * @module
 */
import type { Vec } from "../columnar/batch.ts";
import type { WindowFrame, WindowOrder } from "../expr/expr.ts";
import { compareNumbers } from "./sort.ts";

/** Rows sorted by partition then order, cut into window partitions and peer groups. */
export interface WindowRows {
  /** Rows in all. */
  readonly length: number;
  /** Start of each window partition, then `length`: partition `g` is `[starts[g], starts[g + 1])`. */
  readonly starts: Int32Array;
  /** Of each row: the first row of its peer group. */
  readonly peerStart: Int32Array;
  /** Of each row: one past the last row of its peer group. */
  readonly peerEnd: Int32Array;
}

/** Whether rows `i` and `j` of `v` hold the same value (nulls equal, `NaN` equal, `-0` before `0`). */
export function sameValue(v: Vec, i: number, j: number): boolean {
  const valid = v.valid;
  if (valid !== undefined && (valid[i] === 0 || valid[j] === 0)) return valid[i] === valid[j];
  if (v.type === "string") return v.values[i] === v.values[j];
  return compareNumbers(v.values[i]!, v.values[j]!) === 0;
}

/**
 * Peer groups of `length` rows cut into partitions at `starts`: adjacent rows of one partition
 * are peers when every order column holds the same value (without order columns, the whole
 * partition is one peer group).
 */
export function windowRows(starts: Int32Array, orderColumns: readonly Vec[]): WindowRows {
  const length = starts[starts.length - 1]!;
  const peerStart = new Int32Array(length), peerEnd = new Int32Array(length);
  for (let g = 0; g + 1 < starts.length; g++) {
    const gs = starts[g]!, ge = starts[g + 1]!;
    let first = gs;
    for (let i = gs; i < ge; i++) {
      if (i > gs && !orderColumns.every((v) => sameValue(v, i, i - 1))) {
        peerEnd.fill(i, first, i);
        first = i;
      }
      peerStart[i] = first;
    }
    peerEnd.fill(ge, first, ge);
  }
  return { length, starts, peerStart, peerEnd };
}

/** The order column of a range frame with an offset, and how it is sorted. */
export interface RangeOrder {
  /** Its values, in row order (numbers: timestamps in ms, dates in days). */
  readonly values: Vec;
  /** Its sort direction and null placement. */
  readonly order: WindowOrder;
}

/**
 * The frame `[lo[i], hi[i])` of every row, clipped to its partition, with `hi ≥ lo` (an empty
 * frame is `lo = hi`). A range frame with an offset needs `range`; rows whose order value is
 * null see only each other there, as in Spark.
 */
export function frameBounds(
  frame: WindowFrame,
  rows: WindowRows,
  range?: RangeOrder,
): { lo: Int32Array; hi: Int32Array } {
  const n = rows.length;
  const lo = new Int32Array(n), hi = new Int32Array(n);
  const { starts } = rows;
  for (let g = 0; g + 1 < starts.length; g++) {
    const gs = starts[g]!, ge = starts[g + 1]!;
    if (frame.kind === "rows") {
      for (let i = gs; i < ge; i++) {
        lo[i] = frame.lower === "unbounded" ? gs : clamp(i + frame.lower, gs, ge);
        hi[i] = frame.upper === "unbounded" ? ge : clamp(i + frame.upper + 1, gs, ge);
      }
    } else {
      rangeEdge(frame.lower, "lower", { gs, ge, rows, range, out: lo });
      rangeEdge(frame.upper, "upper", { gs, ge, rows, range, out: hi });
    }
    for (let i = gs; i < ge; i++) if (hi[i]! < lo[i]!) hi[i] = lo[i]!;
  }
  return { lo, hi };
}

function clamp(x: number, a: number, b: number): number {
  return x < a ? a : x > b ? b : x;
}

interface EdgeTarget {
  readonly gs: number;
  readonly ge: number;
  readonly rows: WindowRows;
  readonly range: RangeOrder | undefined;
  readonly out: Int32Array;
}

/**
 * One edge of a range frame over partition `[gs, ge)`: the first row not before the bound
 * (`lower`), or the first row after it (`upper`). The bound is `v + offset` in the order's
 * direction (`v - offset` when descending); it only moves forward as `v` does, so one pointer
 * per edge walks the partition once.
 */
function rangeEdge(bound: WindowFrame["lower"], edge: "lower" | "upper", t: EdgeTarget): void {
  const { gs, ge, rows, out } = t;
  if (bound === "unbounded") {
    out.fill(edge === "lower" ? gs : ge, gs, ge);
    return;
  }
  if (bound === 0) {
    out.set((edge === "lower" ? rows.peerStart : rows.peerEnd).subarray(gs, ge), gs);
    return;
  }
  if (!t.range) throw new TypeError("A range frame with an offset needs its order column");
  const { values, order } = t.range;
  if (values.type === "string" || values.type === "bool") {
    throw new TypeError(`Cannot offset ${values.type} order values in a range frame`);
  }
  const v = values.values, valid = values.valid;
  const sign = order.ascending ? 1 : -1, nullSide = order.nullsFirst ? -1 : 1;
  const isNull = (j: number) => valid !== undefined && valid[j] === 0;
  // Row j against the bound b (null when the current row's value is null), in sort order.
  const cmp = (j: number, b: number | undefined): number => {
    const jn = isNull(j);
    if (jn || b === undefined) return jn && b === undefined ? 0 : jn ? nullSide : -nullSide;
    return sign * compareNumbers(v[j]!, b);
  };
  let p = gs;
  for (let i = gs; i < ge; i++) {
    const b = isNull(i) ? undefined : v[i]! + sign * bound;
    if (edge === "lower") { while (p < ge && cmp(p, b) < 0) p++; }
    else while (p < ge && cmp(p, b) <= 0) p++;
    out[i] = p;
  }
}
