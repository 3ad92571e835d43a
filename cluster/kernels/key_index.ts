/**
 * A hash index over the key columns of a batch: gives every row a dense group id (rows with equal
 * keys share one, in order of first appearance) and finds the group of a row of another batch.
 * Hash aggregation groups with it; hash joins build and probe with it.
 *
 * Rows are hashed with {@linkcode hashColumns} (the one row hash) and compared by value: numbers
 * compare numerically across `int`/`long`/`double` columns, `-0` equals `0`, `NaN` equals `NaN`
 * (the same equivalence the hash uses); strings by code units; two nulls are equal.
 *
 * @module
 */
import type { Vec } from "../columnar/batch.ts";
import { hashColumns } from "../columnar/row_hash.ts";

/** Options of {@linkcode KeyIndex}. */
export interface KeyIndexOptions {
  /** Rows with a null in any key get group `-1` and never match (join semantics). @default {false} */
  skipNulls?: boolean;
}

/** Compares row `i` of one key set with row `j` of another. */
type RowEq = (i: number, j: number) => boolean;

const INITIAL_BITS = 10;
const GOLDEN = 0x9e3779b1;

/**
 * Groups the first `length` rows of `keys`; then {@linkcode KeyIndex.find} looks rows of other
 * batches up.
 *
 * @example
 * ```ts
 * const idx = new KeyIndex([{ type: "int", values: Int32Array.of(7, 3, 7) }], 3);
 * idx.groupOf; // Int32Array [0, 1, 0]
 * idx.groupCount; // 2
 * ```
 */
export class KeyIndex {
  /** The indexed key columns. */
  readonly keys: readonly Vec[];
  /** Row hashes of the indexed rows. */
  readonly hashes: Uint32Array;
  /** Group id of every indexed row (`-1` for skipped null keys). */
  readonly groupOf: Int32Array;
  #groupCount = 0;
  #groupRow = new Int32Array(1 << (INITIAL_BITS - 1));
  #groupHash = new Uint32Array(1 << (INITIAL_BITS - 1));
  #slots = new Int32Array(1 << INITIAL_BITS).fill(-1);
  #bits = INITIAL_BITS;

  constructor(keys: readonly Vec[], length: number, options: KeyIndexOptions = {}) {
    this.keys = keys;
    this.hashes = hashColumns(keys, length);
    this.groupOf = new Int32Array(length);
    const eq = rowEquality(keys, keys);
    const skipNulls = options.skipNulls === true && keys.some((k) => k.valid !== undefined);
    const hashes = this.hashes;
    const groupOf = this.groupOf;
    for (let i = 0; i < length; i++) {
      if (skipNulls && hasNull(keys, i)) {
        groupOf[i] = -1;
        continue;
      }
      const h = hashes[i]!;
      const mask = (1 << this.#bits) - 1;
      let s = Math.imul(h, GOLDEN) >>> (32 - this.#bits);
      for (;;) {
        const g = this.#slots[s]!;
        if (g < 0) {
          groupOf[i] = this.#addGroup(h, i, s);
          break;
        }
        if (this.#groupHash[g] === h && eq(i, this.#groupRow[g]!)) {
          groupOf[i] = g;
          break;
        }
        s = (s + 1) & mask;
      }
    }
  }

  /** Number of groups. */
  get groupCount(): number {
    return this.#groupCount;
  }

  /** The first row of every group, in group order. */
  firstRows(): Int32Array {
    return this.#groupRow.slice(0, this.#groupCount);
  }

  /**
   * Group of row `row` of `probe` (key columns in the same order as the indexed ones, with
   * `probeHashes` from `hashColumns(probe, ...)`), or `-1` when no indexed row has equal keys.
   * Use {@linkcode KeyIndex.prober} when probing many rows.
   */
  find(probe: readonly Vec[], probeHashes: Uint32Array, row: number): number {
    return this.prober(probe)(probeHashes[row]!, row);
  }

  /** A lookup function for rows of `probe`: `(hash, row) => group or -1`. Nulls never match. */
  prober(probe: readonly Vec[]): (hash: number, row: number) => number {
    if (probe.length !== this.keys.length) {
      throw new TypeError(`Cannot probe ${this.keys.length} key columns with ${probe.length}`);
    }
    const eq = rowEquality(probe, this.keys);
    const nullable = probe.some((k) => k.valid !== undefined);
    const slots = this.#slots, groupHash = this.#groupHash, groupRow = this.#groupRow;
    const bits = this.#bits, mask = (1 << bits) - 1;
    return (h, row) => {
      if (nullable && hasNull(probe, row)) return -1;
      let s = Math.imul(h, GOLDEN) >>> (32 - bits);
      for (;;) {
        const g = slots[s]!;
        if (g < 0) return -1;
        if (groupHash[g] === h && eq(row, groupRow[g]!)) return g;
        s = (s + 1) & mask;
      }
    };
  }

  #addGroup(h: number, row: number, slot: number): number {
    const g = this.#groupCount++;
    if (g === this.#groupRow.length) {
      const rows = new Int32Array(g * 2);
      rows.set(this.#groupRow);
      this.#groupRow = rows;
      const hs = new Uint32Array(g * 2);
      hs.set(this.#groupHash);
      this.#groupHash = hs;
    }
    this.#groupRow[g] = row;
    this.#groupHash[g] = h;
    this.#slots[slot] = g;
    if (this.#groupCount * 2 > this.#slots.length) this.#grow();
    return g;
  }

  #grow(): void {
    this.#bits++;
    const slots = new Int32Array(1 << this.#bits).fill(-1);
    const mask = slots.length - 1;
    for (let g = 0; g < this.#groupCount; g++) {
      let s = Math.imul(this.#groupHash[g]!, GOLDEN) >>> (32 - this.#bits);
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = g;
    }
    this.#slots = slots;
  }
}

/** True when any key of row `i` is null. */
export function hasNull(keys: readonly Vec[], i: number): boolean {
  for (const k of keys) if (k.valid !== undefined && k.valid[i] === 0) return true;
  return false;
}

/** Equality of row `i` of `a` and row `j` of `b` (same column count; nulls equal nulls). */
function rowEquality(a: readonly Vec[], b: readonly Vec[]): RowEq {
  if (a.length === 1) {
    const x = a[0]!, y = b[0]!;
    if (x.type !== "string" && y.type !== "string" && !x.valid && !y.valid) {
      const xv = x.values, yv = y.values;
      return (i, j) => {
        const p = xv[i]!, q = yv[j]!;
        return p === q || (p !== p && q !== q);
      };
    }
    if (x.type === "string" && y.type === "string" && x.utf8 !== undefined && y.utf8 !== undefined) {
      // Compare the bytes: no string is made for a key column that arrived as Utf8.
      const xo = x.utf8.offsets, xd = x.utf8.data, yo = y.utf8.offsets, yd = y.utf8.data;
      const xn = x.valid, yn = y.valid;
      return (i, j) => {
        const xNull = xn !== undefined && xn[i] === 0, yNull = yn !== undefined && yn[j] === 0;
        if (xNull || yNull) return xNull && yNull;
        let a = xo[i]!, b = yo[j]!;
        const end = xo[i + 1]!;
        if (end - a !== yo[j + 1]! - b) return false;
        for (; a < end; a++, b++) if (xd[a] !== yd[b]) return false;
        return true;
      };
    }
    if (x.type === "string" && y.type === "string" && !x.valid && !y.valid) {
      const xv = x.values, yv = y.values;
      return (i, j) => xv[i] === yv[j];
    }
  }
  return (i, j) => {
    for (let c = 0; c < a.length; c++) {
      const x = a[c]!, y = b[c]!;
      const xn = x.valid !== undefined && x.valid[i] === 0;
      const yn = y.valid !== undefined && y.valid[j] === 0;
      if (xn || yn) {
        if (xn && yn) continue;
        return false;
      }
      const p = x.values[i]!, q = y.values[j]!;
      if (p !== q && !(p !== p && q !== q)) return false;
    }
    return true;
  };
}
