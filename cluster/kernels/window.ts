/**
 * The window operator's kernel: one partition's rows (holding whole window partitions, as the
 * hash shuffle by the partition columns guarantees) grouped by window partition, sorted within
 * each by (order keys, every other column), cut into peer groups, then every window function of
 * the operator computed in one pass over the sorted rows (`window_position.ts` for ranking and
 * offsets, `window_frame.ts` + `window_agg.ts` for frame aggregates). The output is the input's
 * rows in their order, columns untouched (only order keys and arguments are gathered into sorted
 * order), then one column per function.
 *
 * Determinism: partition columns group as `groupBy` keys do (`-0` = `0`, every `NaN` equal, as
 * the hash that placed them); order keys compare under the total order of `sort.ts`; the
 * remaining columns break ties, so rows that still tie are equal in every column and
 * interchangeable. Each window partition is computed from its own rows only, so the output rows
 * are the same for any partition count.
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import type { Batch, DataType, Field, Schema, Vec } from "../columnar/batch.ts";
import { column, columnIndex, emptyBatch, takeVec } from "../columnar/batch_ops.ts";
import { evalExpr } from "../expr/eval.ts";
import type { WindowExpr, WindowOrder } from "../expr/expr.ts";
import { inferField } from "../expr/resolve.ts";
import { formatWindowCall } from "../expr/format.ts";
import { hasRangeOffset, isFrameFn, windowProblem } from "../expr/window_rules.ts";
import { KeyIndex } from "./key_index.ts";
import { rowComparator, type SortColumn, sortIndices } from "./sort.ts";
import { frameBounds, type RangeOrder, sameValue, type WindowRows, windowRows } from "./window_frame.ts";
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
 * The rows of `batch`, in their order, then every function's column.
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
 *   { k: "a", t: 5, n: 2 },
 *   { k: "b", t: 1, n: 1 },
 *   { k: "a", t: 1, n: 1 },
 *   { k: "a", t: 3, n: 2 }, // t = 1 is exactly 2 before: inside
 * ]);
 * ```
 */
export function computeWindow(batch: Batch, op: WindowOperator): Batch {
  const schema = windowOutputSchema(batch.schema, op);
  if (batch.length === 0) return emptyBatch(schema);
  const { order, starts } = windowOrder(batch, op);
  const sortedColumn = (name: string) => takeVec(column(batch, name), order);
  const rows = windowRows(starts, op.orderBy.map((o) => sortedColumn(o.column)));
  const first = op.orderBy[0];
  const range = first && op.fns.some((f) => f.frame && hasRangeOffset(f.frame))
    ? { values: sortedColumn(first.column), order: first }
    : undefined;
  const back = new Int32Array(order.length); // sorted position → input row
  for (let i = 0; i < order.length; i++) back[order[i]!] = i;
  const added = op.fns.map((fn, i) => {
    const arg = fn.arg ? takeVec(evalExpr(fn.arg, batch), order) : undefined;
    const sorted = computeFn(fn, { arg, rows, range }, schema[batch.schema.length + i]!.type);
    return takeVec(sorted, back);
  });
  return { schema, length: batch.length, columns: [...batch.columns, ...added] };
}

/** A function's input in sorted order: its argument, the partitions and peers, a range frame's order. */
interface SortedInput {
  readonly arg: Vec | undefined;
  readonly rows: WindowRows;
  readonly range: RangeOrder | undefined;
}

function computeFn(fn: WindowExpr, input: SortedInput, type: DataType): Vec {
  const { arg, rows } = input;
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
      const { lo, hi } = frameBounds(frame, rows, hasRangeOffset(frame) ? input.range : undefined);
      return frameAggregate(fn.fn, arg, { starts: rows.starts, lo, hi }, type);
    }
  }
}

/**
 * The rows grouped by window partition (in order of first appearance, grouped as `groupBy` does:
 * `-0` = `0`, `NaN` = `NaN`, nulls together), sorted within each by the order keys, and runs of
 * peers sorted by every other column (ascending, nulls first): the permutation and where each
 * partition starts. Sorting only partitions' rows and only peers' ties keeps the comparisons
 * cheap: one stable sort by the order keys, a counting sort by partition, then the ties.
 */
function windowOrder(batch: Batch, op: WindowOperator): { order: Int32Array; starts: Int32Array } {
  const n = batch.length;
  const keys = op.partitionBy.map((k) => column(batch, k));
  const groupOf = keys.length === 0 ? new Int32Array(n) : new KeyIndex(keys, n).groupOf;
  const byOrder = op.orderBy.length === 0
    ? Int32Array.from({ length: n }, (_, i) => i)
    : sortIndices(batch, op.orderBy);
  let groups = 0;
  for (let i = 0; i < n; i++) if (groupOf[i]! >= groups) groups = groupOf[i]! + 1;
  const starts = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) starts[groupOf[i]! + 1]!++;
  for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
  const order = new Int32Array(n), next = starts.slice(0, groups);
  for (const i of byOrder) order[next[groupOf[i]!]!++] = i;
  const ordered = new Set(op.orderBy.map((o) => o.column));
  const rest: SortColumn[] = batch.schema
    .filter((f) => !ordered.has(f.name))
    .map((f) => ({ column: f.name, ascending: true, nullsFirst: true }));
  const orderColumns = op.orderBy.map((o) => column(batch, o.column));
  // Built at the first tie only: it reads every other column (decoding string columns).
  let tie: ((a: number, b: number) => number) | undefined;
  for (let g = 0; g < groups && rest.length > 0; g++) {
    let first = starts[g]!;
    for (let i = first + 1; i <= starts[g + 1]!; i++) {
      if (i < starts[g + 1]! && orderColumns.every((v) => sameValue(v, order[i]!, order[i - 1]!))) continue;
      if (i - first > 1) {
        tie ??= rowComparator(batch, batch, rest);
        const cmp = tie;
        order.subarray(first, i).sort((a, b) => cmp(a, b) || a - b);
      }
      first = i;
    }
  }
  return { order, starts };
}
