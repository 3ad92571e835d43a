/**
 * Sorting columnar batches by key columns under one total order (that of `compareScalars`):
 * numbers ascending with `-0` before `0` and `NaN` after every number, strings by UTF-16 code
 * units, `false` before `true`. `ascending: false` reverses the value order; `nullsFirst` places
 * nulls independently of the direction (like SQL `DESC NULLS LAST`). Ties keep input order
 * (stable), so sorting is deterministic.
 *
 * @module
 */
import type { Batch, Vec } from "../columnar/batch.ts";
import { column, concatBatches, takeRows } from "../columnar/batch_ops.ts";

/** One sort key. */
export interface SortColumn {
  readonly column: string;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

/** Compares row `i` of one batch with row `j` of another: negative, zero or positive. */
export type RowComparator = (i: number, j: number) => number;

/** Total order of two numbers: `-0 < 0`, `NaN` after all numbers, `NaN = NaN`. */
export function compareNumbers(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) {
    if (x !== 0) return 0;
    const sx = 1 / x, sy = 1 / y;
    return sx === sy ? 0 : sx < 0 ? -1 : 1;
  }
  const xn = x !== x, yn = y !== y;
  return xn === yn ? 0 : xn ? 1 : -1;
}

/**
 * A comparator of rows of `a` with rows of `b` by `keys` (looked up by name in each batch; the
 * types must be comparable: numbers with numbers, strings with strings).
 */
export function rowComparator(a: Batch, b: Batch, keys: readonly SortColumn[]): RowComparator {
  const parts = keys.map((k) => columnComparator(column(a, k.column), column(b, k.column), k));
  if (parts.length === 1) return parts[0]!;
  return (i, j) => {
    for (const p of parts) {
      const c = p(i, j);
      if (c !== 0) return c;
    }
    return 0;
  };
}

function columnComparator(x: Vec, y: Vec, key: SortColumn): RowComparator {
  const sign = key.ascending ? 1 : -1;
  const nullSign = key.nullsFirst ? -1 : 1;
  const xv = x.values, yv = y.values;
  const value: RowComparator = x.type === "string" || y.type === "string"
    ? (i, j) => {
      const p = xv[i]!, q = yv[j]!;
      if (typeof p !== "string" || typeof q !== "string") {
        throw new TypeError(`Cannot compare ${x.type} with ${y.type} values of sort key "${key.column}"`);
      }
      return p < q ? -sign : p > q ? sign : 0;
    }
    : (i, j) => sign * compareNumbers(xv[i] as number, yv[j] as number);
  const xValid = x.valid, yValid = y.valid;
  if (!xValid && !yValid) return value;
  return (i, j) => {
    const xn = xValid !== undefined && xValid[i] === 0;
    const yn = yValid !== undefined && yValid[j] === 0;
    if (xn || yn) return xn && yn ? 0 : xn ? nullSign : -nullSign;
    return value(i, j);
  };
}

/** The stable sorting permutation of `batch` by `keys`. */
export function sortIndices(batch: Batch, keys: readonly SortColumn[]): Int32Array {
  if (keys.length === 1 && batch.length >= RADIX_MIN_ROWS) {
    const v = column(batch, keys[0]!.column);
    if (v.type !== "string") return radixSortIndices(v, keys[0]!);
  }
  const cmp = rowComparator(batch, batch, keys);
  const idx = Array.from({ length: batch.length }, (_, i) => i);
  idx.sort((i, j) => cmp(i, j) || i - j);
  return Int32Array.from(idx);
}

const RADIX_MIN_ROWS = 4096;

/**
 * Stable LSD radix sort (4 passes of 16 bits) of a numeric column, on the float64 bits mapped to
 * unsigned integers in total order (`-0` before `0`, one canonical `NaN` after `+Infinity`).
 */
function radixSortIndices(v: Exclude<Vec, { type: "string" }>, key: SortColumn): Int32Array {
  const n = v.values.length;
  const bits = new Float64Array(n);
  const words = new Uint32Array(bits.buffer); // little-endian: [lo, hi] per value
  const present: number[] = [], nulls: number[] = [];
  for (let i = 0; i < n; i++) {
    if (v.valid !== undefined && v.valid[i] === 0) nulls.push(i);
    else present.push(i);
    const x = v.values[i]!;
    bits[i] = x !== x ? NaN : x;
  }
  const flipAll = key.ascending ? 0 : 0xffffffff;
  for (let i = 0; i < n; i++) {
    let lo = words[2 * i]!, hi = words[2 * i + 1]!;
    if (hi >= 0x80000000) {
      hi = ~hi;
      lo = ~lo;
    } else hi |= 0x80000000;
    words[2 * i] = (lo ^ flipAll) >>> 0;
    words[2 * i + 1] = (hi ^ flipAll) >>> 0;
  }
  let order = Int32Array.from(present);
  let next = new Int32Array(order.length);
  const counts = new Int32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1, shift = (pass & 1) * 16;
    counts.fill(0);
    for (let j = 0; j < order.length; j++) counts[((words[2 * order[j]! + word]! >>> shift) & 0xffff) + 1]!++;
    if (counts.some((c) => c === order.length)) continue; // every row has the same digit
    for (let d = 0; d < 65536; d++) counts[d + 1]! += counts[d]!;
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      next[counts[(words[2 * i + word]! >>> shift) & 0xffff]!++] = i;
    }
    [order, next] = [next, order];
  }
  const out = new Int32Array(n);
  const nullIdx = Int32Array.from(nulls);
  if (key.nullsFirst) {
    out.set(nullIdx);
    out.set(order, nulls.length);
  } else {
    out.set(order);
    out.set(nullIdx, order.length);
  }
  return out;
}

/**
 * `batch` sorted by `keys` (stable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchFromRows, batchToRows } from "../columnar/batch_ops.ts";
 * const batch = batchFromRows([{ name: "price", type: "double", nullable: true }], [
 *   { price: 2.5 },
 *   { price: null },
 *   { price: 9 },
 * ]);
 * const sorted = sortBatch(batch, [{ column: "price", ascending: false, nullsFirst: false }]);
 * assert.deepEqual(batchToRows(sorted).map((r) => r["price"]), [9, 2.5, null]);
 * ```
 */
export function sortBatch(batch: Batch, keys: readonly SortColumn[]): Batch {
  return takeRows(batch, sortIndices(batch, keys));
}

/**
 * Merges batches each sorted by `keys` (k-way, stable: on ties earlier batches first) into one
 * sorted batch. All batches must share a schema; at least one is required.
 */
export function mergeSorted(batches: readonly Batch[], keys: readonly SortColumn[]): Batch {
  const first = batches[0];
  if (!first) {
    throw new TypeError("Cannot merge zero sorted batches: pass at least one (possibly empty) batch");
  }
  const all = concatBatches(first.schema, batches);
  const cmp = rowComparator(all, all, keys);
  // Cursors [pos, end) per batch in the concatenation; ties resolve to the lower global row.
  const pos: number[] = [], end: number[] = [];
  let at = 0;
  for (const b of batches) {
    if (b.length > 0) {
      pos.push(at);
      end.push(at + b.length);
    }
    at += b.length;
  }
  const less = (p: number, q: number): boolean => {
    const c = cmp(pos[p]!, pos[q]!);
    return c < 0 || (c === 0 && pos[p]! < pos[q]!);
  };
  const heap = new MinHeap(less);
  for (let c = 0; c < pos.length; c++) heap.push(c);
  const order = new Int32Array(all.length);
  let n = 0;
  while (heap.size > 0) {
    const c = heap.peek();
    order[n++] = pos[c]!++;
    if (pos[c]! < end[c]!) heap.replaceTop(c);
    else heap.pop();
  }
  return takeRows(all, order);
}

/** The first `k` rows of `batch` in `keys` order (as `sortBatch` then limit, in O(n log k)). */
export function topK(batch: Batch, keys: readonly SortColumn[], k: number): Batch {
  if (!(Number.isInteger(k) && k >= 0)) {
    throw new RangeError(`Cannot take the top ${k} rows: expected an integer >= 0`);
  }
  if (k >= batch.length) return sortBatch(batch, keys);
  const cmp = rowComparator(batch, batch, keys);
  const before = (i: number, j: number): number => cmp(i, j) || i - j;
  // A max-heap of the k best rows so far: its top is the worst of them.
  const heap = new MinHeap((i, j) => before(i, j) > 0);
  for (let i = 0; i < batch.length; i++) {
    if (heap.size < k) heap.push(i);
    else if (k > 0 && before(i, heap.peek()) < 0) heap.replaceTop(i);
  }
  const rows = heap.items().sort(before);
  return takeRows(batch, rows);
}

/** A binary heap of numbers under `less` (the top is the least). */
class MinHeap {
  #items: number[] = [];
  #less: (a: number, b: number) => boolean;
  constructor(less: (a: number, b: number) => boolean) {
    this.#less = less;
  }
  get size(): number {
    return this.#items.length;
  }
  peek(): number {
    return this.#items[0]!;
  }
  items(): number[] {
    return [...this.#items];
  }
  push(x: number): void {
    const h = this.#items;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): void {
    const h = this.#items;
    const last = h.pop()!;
    if (h.length > 0) this.replaceTop(last);
  }
  /** Replaces the top with `x` (or re-sifts the top when its key changed, passing the same item). */
  replaceTop(x: number): void {
    const h = this.#items;
    h[0] = x;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
