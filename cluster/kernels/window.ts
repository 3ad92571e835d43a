/**
 * The window operator's kernel: one partition's rows (holding whole window partitions, as the
 * hash shuffle by the partition columns guarantees) sorted by (partition columns, order keys,
 * every other column), cut into window partitions and peer groups, then every window function
 * of the operator computed in one pass over the sorted rows (`window_position.ts` for ranking and
 * offsets, `window_frame.ts` + `window_agg.ts` for frame aggregates). The output is the input's
 * columns, sorted that way, then one column per function.
 *
 * Determinism: partition columns compare as grouping keys do (`-0` = `0`, every `NaN` equal, as
 * the hash that placed them); order keys under the total order of `sort.ts`; the remaining
 * columns break ties, so rows that still tie are equal in every column and interchangeable. Each
 * window partition is computed from its own rows only, so the output rows are the same for any
 * partition count.
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import type { Batch, DataType, Field, Schema, Vec } from "../columnar/batch.ts";
import { columnIndex, emptyBatch, takeRows } from "../columnar/batch_ops.ts";
import { evalExpr } from "../expr/eval.ts";
import type { WindowExpr, WindowOrder } from "../expr/expr.ts";
import { inferField } from "../expr/resolve.ts";
import { formatWindowCall } from "../expr/format.ts";
import { hasRangeOffset, isFrameFn, windowProblem } from "../expr/window_rules.ts";
import { type SortColumn, sortIndices } from "./sort.ts";
import { frameBounds, sameValue, type WindowRows, windowRows } from "./window_frame.ts";
import { frameAggregate } from "./window_agg.ts";
import { rankColumn, shiftColumn } from "./window_position.ts";

/** A window operator: the partition columns, the order, and the functions it computes. */
export interface WindowOperator {
  /** Columns whose equal values make one window partition. */
  readonly partitionBy: readonly string[];
  /** Order within a window partition. */
  readonly orderBy: readonly WindowOrder[];
  /** The functions, each naming its output column. */
  readonly fns: readonly WindowExpr[];
}

const NUMERIC: ReadonlySet<DataType> = new Set(["int", "long", "double"]);
const OFFSETTABLE: ReadonlySet<DataType> = new Set(["int", "long", "double", "timestamp", "date"]);

function schemaError(fn: WindowExpr, problem: string): SchemaError {
  const text = formatWindowCall(fn);
  return new SchemaError(`Cannot compute ${text} AS ${fn.name} over this window: ${problem}`, {
    data: { fn: text, name: fn.name },
  });
}

/**
 * The output schema: `input`'s columns, then one per function. Checks every column exists, every
 * function suits its window (see `window_rules.ts`) and its argument's type (sums and averages
 * of numbers; a `lag` default of the argument's type), and that output names are new.
 *
 * @throws {SchemaError} naming the function and the problem.
 */
export function windowOutputSchema(input: Schema, op: WindowOperator): Schema {
  for (const k of op.partitionBy) columnIndex(input, k);
  for (const o of op.orderBy) columnIndex(input, o.column);
  const out: Field[] = [...input];
  for (const fn of op.fns) {
    const problem = windowProblem(fn, op.orderBy, fn.frame);
    if (problem !== undefined) throw schemaError(fn, problem);
    if (isFrameFn(fn.fn) !== (fn.frame !== undefined)) {
      throw schemaError(fn, isFrameFn(fn.fn) ? "it needs a frame" : "it takes no frame");
    }
    if (fn.frame && hasRangeOffset(fn.frame)) {
      const order = input[columnIndex(input, op.orderBy[0]!.column)]!;
      if (!OFFSETTABLE.has(order.type)) {
        throw schemaError(fn, `a range frame offsets its order column, and "${order.name}" is ${order.type}`);
      }
    }
    const field = windowField(fn, input);
    if (out.some((f) => f.name === field.name)) {
      throw new SchemaError(`Window output column "${field.name}" already exists; alias it`, {
        data: { column: field.name },
      });
    }
    out.push(field);
  }
  return out;
}

function windowField(fn: WindowExpr, input: Schema): Field {
  const name = fn.name;
  const arg = fn.arg ? inferField(fn.arg, input) : undefined;
  switch (fn.fn) {
    case "rowNumber":
    case "rank":
    case "denseRank":
      return { name, type: "int", nullable: false };
    case "count":
      return { name, type: "long", nullable: false };
    case "lag":
    case "lead": {
      if (!arg) throw schemaError(fn, "it needs an argument");
      if (fn.default !== undefined && !fits(fn.default, arg.type)) {
        throw schemaError(fn, `the default ${JSON.stringify(fn.default)} is not a ${arg.type}`);
      }
      const nullable = arg.nullable || (fn.default === undefined && (fn.offset ?? 1) !== 0);
      return { name, type: arg.type, nullable };
    }
    case "min":
    case "max":
      if (!arg) throw schemaError(fn, "it needs an argument");
      return { name, type: arg.type, nullable: true };
    case "sum":
    case "avg":
    case "stddev":
    case "variance":
      if (!arg || !NUMERIC.has(arg.type)) {
        throw schemaError(fn, `it needs a number, not ${arg?.type ?? "nothing"}`);
      }
      return { name, type: fn.fn === "sum" && arg.type !== "double" ? "long" : "double", nullable: true };
  }
}

function fits(value: string | number | boolean | null, type: DataType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "bool":
      return typeof value === "boolean";
    case "double":
    case "timestamp":
      return typeof value === "number";
    case "long":
      return Number.isSafeInteger(value);
    case "int":
    case "date":
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1;
  }
}

/**
 * The rows of `batch` sorted by (partition, order, other columns), then every function's column.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchFromRows, batchToRows } from "../columnar/batch_ops.ts";
 * const batch = batchFromRows(
 *   [{ name: "k", type: "string", nullable: false }, { name: "t", type: "long", nullable: false }],
 *   [{ k: "a", t: 5 }, { k: "b", t: 1 }, { k: "a", t: 1 }, { k: "a", t: 3 }],
 * );
 * const out = computeWindow(batch, {
 *   partitionBy: ["k"],
 *   orderBy: [{ column: "t", ascending: true, nullsFirst: true }],
 *   fns: [{ fn: "count", frame: { kind: "range", lower: -2, upper: 0 }, name: "n" }],
 * });
 * assert.deepEqual(batchToRows(out), [
 *   { k: "a", t: 1, n: 1 },
 *   { k: "a", t: 3, n: 2 }, // t = 1 is exactly 2 before: inside
 *   { k: "a", t: 5, n: 2 },
 *   { k: "b", t: 1, n: 1 },
 * ]);
 * ```
 */
export function computeWindow(batch: Batch, op: WindowOperator): Batch {
  const schema = windowOutputSchema(batch.schema, op);
  if (batch.length === 0) return emptyBatch(schema);
  const sorted = takeRows(batch, windowOrder(batch, op));
  const keys = op.partitionBy.map((k) => sorted.columns[columnIndex(sorted.schema, k)]!);
  const starts = partitionStarts(keys, sorted.length);
  const rows = windowRows(
    starts,
    op.orderBy.map((o) => sorted.columns[columnIndex(sorted.schema, o.column)]!),
  );
  const added = op.fns.map((fn, i) => computeFn(fn, sorted, rows, schema[batch.schema.length + i]!.type, op));
  return { schema, length: sorted.length, columns: [...sorted.columns, ...added] };
}

function computeFn(fn: WindowExpr, sorted: Batch, rows: WindowRows, type: DataType, op: WindowOperator): Vec {
  const arg = fn.arg ? evalExpr(fn.arg, sorted) : undefined;
  switch (fn.fn) {
    case "rowNumber":
    case "rank":
    case "denseRank":
      return rankColumn(fn.fn, rows);
    case "lag":
    case "lead": {
      const offset = fn.offset ?? 1;
      return shiftColumn(arg!, rows, fn.fn === "lag" ? -offset : offset, fn.default, type);
    }
    default: {
      const frame = fn.frame!;
      const first = op.orderBy[0];
      const range = first && hasRangeOffset(frame)
        ? { values: sorted.columns[columnIndex(sorted.schema, first.column)]!, order: first }
        : undefined;
      const { lo, hi } = frameBounds(frame, rows, range);
      return frameAggregate(fn.fn, arg, { starts: rows.starts, lo, hi }, type);
    }
  }
}

/**
 * The sorting permutation: partition columns (canonical: `-0` as `0`), then the order keys, then
 * every column not an order key (partition columns again, as stored), ascending, nulls first.
 */
function windowOrder(batch: Batch, op: WindowOperator): Int32Array {
  const names = new Set(batch.schema.map((f) => f.name));
  const fields: Field[] = [], columns: Vec[] = [], keys: SortColumn[] = [];
  op.partitionBy.forEach((k, i) => {
    let name = `__window_key${i}`;
    while (names.has(name)) name = `_${name}`;
    names.add(name);
    const field = batch.schema[columnIndex(batch.schema, k)]!;
    fields.push({ ...field, name });
    columns.push(canonicalZero(batch.columns[columnIndex(batch.schema, k)]!));
    keys.push({ column: name, ascending: true, nullsFirst: true });
  });
  keys.push(...op.orderBy);
  const ordered = new Set(op.orderBy.map((o) => o.column));
  for (const f of batch.schema) {
    if (!ordered.has(f.name)) keys.push({ column: f.name, ascending: true, nullsFirst: true });
  }
  const keyed: Batch = {
    schema: [...fields, ...batch.schema],
    length: batch.length,
    columns: [...columns, ...batch.columns],
  };
  return sortIndices(keyed, keys);
}

/** `v` with `-0` as `0` (floating columns only; others are returned as they are). */
function canonicalZero(v: Vec): Vec {
  if (v.type !== "double" && v.type !== "long" && v.type !== "timestamp") return v;
  if (!v.values.some((x) => x === 0 && 1 / x < 0)) return v;
  return { ...v, values: v.values.map((x) => (x === 0 ? 0 : x)) };
}

/** Where each window partition starts among `length` sorted rows, then `length`. */
function partitionStarts(keys: readonly Vec[], length: number): Int32Array {
  const starts = [0];
  for (let i = 1; i < length; i++) {
    if (!keys.every((v) => sameKey(v, i, i - 1))) starts.push(i);
  }
  starts.push(length);
  return Int32Array.from(starts);
}

/** Equal as grouping keys: `-0` = `0`, `NaN` = `NaN`, nulls equal. */
function sameKey(v: Vec, i: number, j: number): boolean {
  if (v.type !== "string" && v.values[i] === 0 && v.values[j] === 0) {
    return (v.valid?.[i] ?? 1) === (v.valid?.[j] ?? 1);
  }
  return sameValue(v, i, j);
}
