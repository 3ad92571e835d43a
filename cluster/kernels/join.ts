/**
 * Hash joins of two columnar batches, with Spark `join(other, on=[names])` semantics:
 *
 * - the output has the left columns, then the right columns except right keys named like their
 *   left key (`join(other, ["key"])` yields one `key` column; in right/full joins it holds the right
 *   value when the left row is missing). Any other name present on both sides is a `SchemaError`.
 * - semi and anti joins output the left columns only.
 * - null keys never match; numbers compare numerically across `int`/`long`/`double`, `-0 = 0` and
 *   `NaN = NaN` (as in grouping). No keys at all is a cross join.
 * - row order is deterministic whichever side is built: left rows in order, each followed by its
 *   matches in right row order; unmatched right rows (right/full joins) come last in right order.
 *
 * For broadcast joins, {@linkcode buildHashTable} prepares one side once and {@linkcode hashJoin}
 * probes it with many batches. Note that right/full joins then emit the table's unmatched rows on
 * every call, so reuse a table only for inner/left/semi/anti joins (build side right).
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import type { Batch, DataType, Field, Schema, Vec } from "../columnar/batch.ts";
import { allocVec, column, columnIndex, takeRows, takeVec } from "../columnar/batch_ops.ts";
import { hashColumns } from "../columnar/row_hash.ts";
import { KeyIndex } from "./key_index.ts";

/** The kinds of join. */
export type JoinHow = "inner" | "left" | "right" | "full" | "semi" | "anti";

/** What to join on and how. */
export interface JoinOptions {
  /** Key columns of the left side. */
  readonly leftOn: readonly string[];
  /** Key columns of the right side (same count and compatible types as `leftOn`). */
  readonly rightOn: readonly string[];
  readonly how: JoinHow;
  /** Side to build the hash table on. @default {the smaller batch (right on ties)} */
  readonly buildSide?: "left" | "right";
}

/** A batch indexed by its key columns, reusable across many probes. */
export interface JoinTable {
  readonly batch: Batch;
  readonly keys: readonly string[];
  /** Group of every row (`-1` for rows with a null key). */
  readonly index: KeyIndex;
  /** First row of every group. */
  readonly head: Int32Array;
  /** Next row of the same group after each row (`-1` at the end): rows in ascending order. */
  readonly next: Int32Array;
}

const NUMERIC = new Set<DataType>(["int", "long", "double"]);

/** Indexes `batch` by `keys` for {@linkcode hashJoin}. */
export function buildHashTable(batch: Batch, keys: readonly string[]): JoinTable {
  const index = new KeyIndex(keys.map((k) => column(batch, k)), batch.length, { skipNulls: true });
  const head = new Int32Array(index.groupCount).fill(-1);
  const tail = new Int32Array(index.groupCount);
  const next = new Int32Array(batch.length).fill(-1);
  for (let i = 0; i < batch.length; i++) {
    const g = index.groupOf[i]!;
    if (g < 0) continue;
    if (head[g]! < 0) head[g] = i;
    else next[tail[g]!] = i;
    tail[g] = i;
  }
  return { batch, keys: [...keys], index, head, next };
}

/** The output schema of {@linkcode hashJoin}; throws `SchemaError` on missing, incompatible or clashing columns. */
export function joinOutputSchema(left: Schema, right: Schema, options: JoinOptions): Schema {
  const { leftOn, rightOn, how } = options;
  if (leftOn.length !== rightOn.length) {
    throw new TypeError(`Cannot join on ${leftOn.length} left keys and ${rightOn.length} right keys`);
  }
  const merged = new Map<number, Field>();
  const dropped = new Set<number>();
  leftOn.forEach((ln, k) => {
    const rn = rightOn[k]!;
    const li = columnIndex(left, ln), ri = columnIndex(right, rn);
    const lf = left[li]!, rf = right[ri]!;
    const type = lf.type === rf.type
      ? lf.type
      : NUMERIC.has(lf.type) && NUMERIC.has(rf.type)
      ? widen(lf.type, rf.type)
      : undefined;
    if (type === undefined) {
      throw new SchemaError(
        `Cannot join on "${ln}" (${lf.type}) = "${rn}" (${rf.type}): the types are not comparable`,
        {
          data: { left: ln, right: rn },
        },
      );
    }
    if (ln === rn && !dropped.has(ri)) {
      dropped.add(ri);
      const nullable = how === "full"
        ? lf.nullable || rf.nullable
        : how === "right"
        ? rf.nullable
        : lf.nullable;
      merged.set(li, { name: ln, type: how === "semi" || how === "anti" ? lf.type : type, nullable });
    }
  });
  if (how === "semi" || how === "anti") return left;
  const leftNullable = how === "right" || how === "full";
  const rightNullable = how === "left" || how === "full";
  const out: Field[] = left.map((f, i) => merged.get(i) ?? (leftNullable ? { ...f, nullable: true } : f));
  const names = new Set(out.map((f) => f.name));
  right.forEach((f, i) => {
    if (dropped.has(i)) return;
    if (names.has(f.name)) {
      throw new SchemaError(
        `Cannot join: column "${f.name}" exists on both sides; rename it on one side (withColumnRenamed) or join on it`,
        { data: { column: f.name } },
      );
    }
    names.add(f.name);
    out.push(rightNullable ? { ...f, nullable: true } : f);
  });
  return out;
}

/**
 * Joins `left` and `right` (batches, or a {@linkcode JoinTable} prepared on one side).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchFromRows, batchToRows } from "../columnar/batch_ops.ts";
 * const orders = batchFromRows(
 *   [{ name: "order", type: "int", nullable: false }, { name: "customerId", type: "int", nullable: false }],
 *   [{ order: 1, customerId: 7 }, { order: 2, customerId: 8 }],
 * );
 * const customers = batchFromRows(
 *   [{ name: "customerId", type: "int", nullable: false }, { name: "name", type: "string", nullable: false }],
 *   [{ customerId: 7, name: "Ana" }],
 * );
 * const out = hashJoin(orders, customers, { leftOn: ["customerId"], rightOn: ["customerId"], how: "left" });
 * assert.deepEqual(batchToRows(out), [
 *   { order: 1, customerId: 7, name: "Ana" },
 *   { order: 2, customerId: 8, name: null },
 * ]);
 * ```
 */
export function hashJoin(left: Batch | JoinTable, right: Batch | JoinTable, options: JoinOptions): Batch {
  const lb = "index" in left ? left.batch : left;
  const rb = "index" in right ? right.batch : right;
  const schema = joinOutputSchema(lb.schema, rb.schema, options);
  const { li, ri } = joinIndices(left, right, options);
  if (options.how === "semi" || options.how === "anti") return takeRows(lb, li);
  const columns: Vec[] = [];
  lb.schema.forEach((f, j) => {
    const out = schema[j]!;
    const k = options.leftOn.indexOf(f.name);
    const merged = k >= 0 && options.rightOn[k] === f.name;
    columns.push(
      merged
        ? coalesceTake(out.type, [lb.columns[j]!, li], [column(rb, f.name), ri])
        : takeOrNull(lb.columns[j]!, li),
    );
  });
  rb.schema.forEach((f, j) => {
    const k = options.rightOn.indexOf(f.name);
    if (!(k >= 0 && options.leftOn[k] === f.name)) columns.push(takeOrNull(rb.columns[j]!, ri));
  });
  return { schema, length: li.length, columns };
}

/** Matching row pairs in output order (`-1` for a missing side). */
function joinIndices(
  left: Batch | JoinTable,
  right: Batch | JoinTable,
  options: JoinOptions,
): { li: Int32Array; ri: Int32Array } {
  const leftTable = "index" in left, rightTable = "index" in right;
  if (leftTable && rightTable) {
    throw new TypeError("Cannot join two prepared hash tables: pass one side as a batch");
  }
  const lb = leftTable ? left.batch : left as Batch;
  const rb = rightTable ? right.batch : right as Batch;
  const buildLeft = leftTable ||
    (!rightTable && (options.buildSide ? options.buildSide === "left" : lb.length < rb.length));
  if (buildLeft) {
    const table = leftTable ? checkTable(left, options.leftOn) : buildHashTable(lb, options.leftOn);
    return probeRight(table, rb, options);
  }
  const table = rightTable ? checkTable(right, options.rightOn) : buildHashTable(rb, options.rightOn);
  return probeLeft(lb, table, options);
}

function checkTable(table: JoinTable, keys: readonly string[]): JoinTable {
  if (table.keys.length !== keys.length || table.keys.some((k, i) => k !== keys[i])) {
    throw new TypeError(`Cannot probe a hash table built on [${table.keys}] with keys [${keys}]`);
  }
  return table;
}

/** Build side right: walk left rows in order. */
function probeLeft(lb: Batch, table: JoinTable, options: JoinOptions): { li: Int32Array; ri: Int32Array } {
  const how = options.how;
  const keys = options.leftOn.map((k) => column(lb, k));
  const hashes = hashColumns(keys, lb.length);
  const find = table.index.prober(keys);
  const out = new PairBuffer(lb.length);
  const rn = table.batch.length;
  const matched = how === "right" || how === "full" ? new Uint8Array(rn) : undefined;
  const { head, next } = table;
  for (let i = 0; i < lb.length; i++) {
    const g = find(hashes[i]!, i);
    if (how === "semi" || how === "anti") {
      if ((g >= 0) === (how === "semi")) out.push(i, -1);
      continue;
    }
    if (g < 0) {
      if (how === "left" || how === "full") out.push(i, -1);
      continue;
    }
    for (let r = head[g]!; r >= 0; r = next[r]!) {
      out.push(i, r);
      if (matched) matched[r] = 1;
    }
  }
  if (matched) { for (let r = 0; r < rn; r++) if (matched[r] === 0) out.push(-1, r); }
  return out.result();
}

/** Build side left: walk right rows, then reorder the pairs by left row (counting sort, stable). */
function probeRight(table: JoinTable, rb: Batch, options: JoinOptions): { li: Int32Array; ri: Int32Array } {
  const how = options.how;
  const keys = options.rightOn.map((k) => column(rb, k));
  const hashes = hashColumns(keys, rb.length);
  const find = table.index.prober(keys);
  const ln = table.batch.length;
  const { head, next } = table;
  if (how === "semi" || how === "anti") {
    const groupMatched = new Uint8Array(table.index.groupCount);
    for (let r = 0; r < rb.length; r++) {
      const g = find(hashes[r]!, r);
      if (g >= 0) groupMatched[g] = 1;
    }
    const out = new PairBuffer(ln);
    for (let l = 0; l < ln; l++) {
      const g = table.index.groupOf[l]!;
      if ((g >= 0 && groupMatched[g] === 1) === (how === "semi")) out.push(l, -1);
    }
    return out.result();
  }
  const pairs = new PairBuffer(rb.length);
  const perLeft = new Int32Array(ln + 1);
  const unmatchedRight: number[] = [];
  for (let r = 0; r < rb.length; r++) {
    const g = find(hashes[r]!, r);
    if (g < 0) {
      if (how === "right" || how === "full") unmatchedRight.push(r);
      continue;
    }
    for (let l = head[g]!; l >= 0; l = next[l]!) {
      pairs.push(l, r);
      perLeft[l + 1]!++;
    }
  }
  for (let l = 0; l < ln; l++) perLeft[l + 1]! += perLeft[l]!;
  const { li: pl, ri: pr } = pairs.result();
  const sortedRight = new Int32Array(pl.length);
  const cursor = perLeft.slice(0, ln);
  for (let p = 0; p < pl.length; p++) sortedRight[cursor[pl[p]!]!++] = pr[p]!;
  const keepUnmatchedLeft = how === "left" || how === "full";
  const out = new PairBuffer(pl.length + unmatchedRight.length);
  for (let l = 0; l < ln; l++) {
    const from = perLeft[l]!, to = perLeft[l + 1]!;
    if (from === to && keepUnmatchedLeft) out.push(l, -1);
    for (let p = from; p < to; p++) out.push(l, sortedRight[p]!);
  }
  for (const r of unmatchedRight) out.push(-1, r);
  return out.result();
}

/** A growable list of `(left, right)` row pairs. */
class PairBuffer {
  #l: Int32Array;
  #r: Int32Array;
  #n = 0;
  constructor(capacity: number) {
    this.#l = new Int32Array(Math.max(16, capacity));
    this.#r = new Int32Array(Math.max(16, capacity));
  }
  push(l: number, r: number): void {
    if (this.#n === this.#l.length) {
      const nl = new Int32Array(this.#n * 2), nr = new Int32Array(this.#n * 2);
      nl.set(this.#l);
      nr.set(this.#r);
      this.#l = nl;
      this.#r = nr;
    }
    this.#l[this.#n] = l;
    this.#r[this.#n++] = r;
  }
  result(): { li: Int32Array; ri: Int32Array } {
    return { li: this.#l.subarray(0, this.#n), ri: this.#r.subarray(0, this.#n) };
  }
}

/** Rows `idx` of `v`, with `-1` giving null. */
function takeOrNull(v: Vec, idx: Int32Array): Vec {
  let missing = false;
  for (let j = 0; j < idx.length; j++) {
    if (idx[j]! < 0) {
      missing = true;
      break;
    }
  }
  if (!missing) return takeVec(v, idx);
  const out = allocVec(v.type, idx.length, true);
  const valid = out.valid!;
  const dst = out.values as unknown as (number | string)[], src = v.values;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]!;
    if (i < 0 || (v.valid !== undefined && v.valid[i] === 0)) valid[j] = 0;
    else dst[j] = src[i]!;
  }
  return out;
}

/** Left value where the left row exists, else the right value (merged key columns). */
function coalesceTake(type: DataType, [lv, li]: [Vec, Int32Array], [rv, ri]: [Vec, Int32Array]): Vec {
  let allLeft = true;
  for (let j = 0; j < li.length; j++) {
    if (li[j]! < 0) {
      allLeft = false;
      break;
    }
  }
  // Inner and left joins: every output row has a left row, so this is a plain gather.
  if (allLeft && lv.type === type) return takeVec(lv, li);
  const out = allocVec(type, li.length, true);
  const valid = out.valid!;
  const dst = out.values as unknown as (number | string)[];
  for (let j = 0; j < li.length; j++) {
    const l = li[j]!;
    const v = l >= 0 ? lv : rv;
    const i = l >= 0 ? l : ri[j]!;
    if (v.valid !== undefined && v.valid[i] === 0) valid[j] = 0;
    else dst[j] = v.values[i]!;
  }
  return out;
}

function widen(a: DataType, b: DataType): DataType {
  return a === "double" || b === "double" ? "double" : "long";
}
