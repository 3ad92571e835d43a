/**
 * Window functions, Spark style: a window ({@linkcode Window}`.partitionBy(…).orderBy(…)`, with a
 * row or range frame) and functions over it — {@linkcode rowNumber}, {@linkcode rank},
 * {@linkcode denseRank}, {@linkcode lag}, {@linkcode lead}, and the aggregates `count`, `sum`,
 * `avg`, `min`, `max`, `stddev`, `variance` (via `AggColumn.over`). Each `over` is an expression
 * (data, like every column), allowed in `Dataset.select` and `Dataset.withColumn`, which plan it
 * as a window operator: rows are hash-partitioned by the partition columns, sorted, and scanned
 * once per window.
 *
 * Semantics (Spark's):
 * - Nulls in partition columns form one partition; rows with null order values sort first unless
 *   an order key says otherwise (`col("ts").ascNullsLast()`).
 * - `rowsBetween(a, b)`: the rows from `a` before to `b` after the current one (negative is
 *   before), clipped to the partition. `rangeBetween(a, b)`: the rows whose order value lies in
 *   `[v + a, v + b]` (v the current row's; both ends included, so an event exactly an hour back
 *   is in `rangeBetween(-3_600_000, 0)`); 0 means the current row and all its peers (equal order
 *   values); it needs one numeric, timestamp (ms) or date (days) order column, and a descending
 *   order offsets the other way. Rows with a null order value see only each other.
 * - Default frame: with an order, RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (running
 *   totals, peers included); without, the whole partition. `lag`, `lead` and the ranking
 *   functions ignore the frame (Spark rejects one; here the same window serves both).
 * - `stddev` / `variance` are sample statistics, null below two values; every aggregate ignores
 *   nulls and is null over no values (`count` is 0). Sums are exact double-double sums.
 *
 * Ties: rows with equal order values are ordered by every other column, ascending with nulls
 * first, in schema order. That makes `rowNumber`, `lag`, `lead` and row frames deterministic —
 * the same for any partition or executor count — because rows equal in every column are
 * interchangeable. Range frames and `rank` / `denseRank` never depend on the order among
 * peers. To choose the tie order, end `orderBy` with a unique column (an event id).
 *
 * @example Per-account velocity: events in the last hour, previous amount, running mean
 * ```ts
 * import assert from "node:assert/strict";
 * import { avg, col, count, Frontier, lag, rowNumber, Window } from "@frontier/frontier";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const hour = 3_600_000;
 * const ds = await fx.fromRows(
 *   [
 *     { account: "a", ts: 0, amount: 10 },
 *     { account: "a", ts: hour, amount: 30 }, // exactly an hour later: the first is in its frame
 *     { account: "a", ts: hour + 1, amount: 20 },
 *     { account: "b", ts: 5, amount: 7 },
 *   ],
 *   {
 *     schema: [
 *       { name: "account", type: "string", nullable: false },
 *       { name: "ts", type: "timestamp", nullable: false },
 *       { name: "amount", type: "double", nullable: false },
 *     ],
 *   },
 * );
 * const byTime = Window.partitionBy("account").orderBy("ts");
 * const rows = await ds
 *   .withColumn("n_1h", count().over(byTime.rangeBetween(-hour, 0)))
 *   .withColumn("prev", lag("amount").over(byTime))
 *   .withColumn("mean", avg("amount").over(byTime))
 *   .withColumn("nth", rowNumber().over(byTime))
 *   .sort("account", "ts")
 *   .collect();
 * assert.deepEqual(rows.map((r) => [r["n_1h"], r["prev"], r["mean"], r["nth"]]), [
 *   [1, null, 10, 1],
 *   [2, 10, 20, 2],
 *   [2, 30, 20, 3],
 *   [1, null, 7, 1],
 * ]);
 * ```
 *
 * @module
 */
import type { Scalar } from "../columnar/batch.ts";
import { Column, type ColumnLike, overExpr } from "./column.ts";
import type { Expr, FrameBound, SortKey, WindowCall, WindowOrder, WindowSpecData } from "./expr.ts";
import { describe, formatWindow, formatWindowCall } from "./format.ts";

/** A window: partition columns, order keys and a frame. Immutable; each method returns a new one. */
export class WindowSpec {
  readonly #data: WindowSpecData;

  /** A window over `data`; {@linkcode Window} builds these. */
  constructor(data: WindowSpecData = { partitionBy: [], orderBy: [] }) {
    this.#data = data;
  }

  /** This window partitioned by `cols` (columns, replacing any earlier partitioning). */
  partitionBy(...cols: ColumnLike[]): WindowSpec {
    return this.#with({ partitionBy: cols.map((c) => columnName(c, "partitionBy")) });
  }

  /**
   * This window ordered by `keys` (columns, ascending with nulls first unless a
   * {@linkcode SortKey} such as `col("ts").desc()` says otherwise), replacing any earlier order.
   */
  orderBy(...keys: (ColumnLike | SortKey)[]): WindowSpec {
    return this.#with({ orderBy: keys.map(windowOrder) });
  }

  /**
   * A frame of rows: from `start` rows before the current one (negative; 0 the current row) to
   * `end` (positive is after). {@linkcode Window.unboundedPreceding} and
   * {@linkcode Window.unboundedFollowing} run to the partition's edges.
   *
   * @throws {RangeError} when a bound is not an integer or `start > end`.
   */
  rowsBetween(start: number, end: number): WindowSpec {
    return this.#with({ frame: { kind: "rows", ...bounds("rowsBetween", start, end, true) } });
  }

  /**
   * A frame of order values: the rows whose order value lies in `[v + start, v + end]`, `v`
   * the current row's, both ends included; 0 is the current row and its peers.
   *
   * @throws {RangeError} when a bound is not a number or `start > end`.
   */
  rangeBetween(start: number, end: number): WindowSpec {
    return this.#with({ frame: { kind: "range", ...bounds("rangeBetween", start, end, false) } });
  }

  /** The window as data (what travels inside an `over` expression). */
  toJSON(): WindowSpecData {
    return this.#data;
  }

  /** SQL-like text: `PARTITION BY account ORDER BY ts ASC NULLS FIRST …`. */
  toString(): string {
    return formatWindow(this.#data);
  }

  #with(change: Partial<WindowSpecData>): WindowSpec {
    return new WindowSpec({ ...this.#data, ...change });
  }
}

/**
 * Where windows start, as Spark's `Window`: `Window.partitionBy("account").orderBy("ts")`, and
 * the frame bounds `unboundedPreceding`, `currentRow`, `unboundedFollowing`.
 */
export const Window: {
  /** A lower bound at the partition's first row. */
  readonly unboundedPreceding: number;
  /** The current row (in a range frame, with its peers). */
  readonly currentRow: number;
  /** An upper bound at the partition's last row. */
  readonly unboundedFollowing: number;
  /** A window partitioned by `cols`. */
  partitionBy(...cols: ColumnLike[]): WindowSpec;
  /** A window over one partition of every row, ordered by `keys`. */
  orderBy(...keys: (ColumnLike | SortKey)[]): WindowSpec;
  /** A window over every row with a row frame (see {@linkcode WindowSpec.rowsBetween}). */
  rowsBetween(start: number, end: number): WindowSpec;
  /** A window over every row with a range frame (see {@linkcode WindowSpec.rangeBetween}). */
  rangeBetween(start: number, end: number): WindowSpec;
} = Object.freeze({
  unboundedPreceding: -Infinity,
  currentRow: 0,
  unboundedFollowing: Infinity,
  partitionBy: (...cols: ColumnLike[]) => new WindowSpec().partitionBy(...cols),
  orderBy: (...keys: (ColumnLike | SortKey)[]) => new WindowSpec().orderBy(...keys),
  rowsBetween: (start: number, end: number) => new WindowSpec().rowsBetween(start, end),
  rangeBetween: (start: number, end: number) => new WindowSpec().rangeBetween(start, end),
});

/** A ranking or offset function waiting for its window: `rowNumber().over(w)`. */
export class WindowFunction {
  /** The call (JSON-serializable). */
  readonly call: WindowCall;

  /** A function over `call`; {@linkcode rowNumber}, {@linkcode lag} and friends build these. */
  constructor(call: WindowCall) {
    this.call = call;
  }

  /**
   * This function over `window`: a column for `select` or `withColumn`.
   *
   * @throws {TypeError} when the window has no order.
   */
  over(window: WindowSpec): Column {
    return new Column(overExpr(this.call, window));
  }

  /** SQL-like text, e.g. `lag(amount, 1, NULL)`. */
  toString(): string {
    return formatWindowCall(this.call);
  }

  /** The call, so `JSON.stringify` gives the wire form. */
  toJSON(): WindowCall {
    return this.call;
  }
}

/** The row's position in its window partition, from 1 (ties in the order broken as documented above). */
export function rowNumber(): WindowFunction {
  return new WindowFunction({ fn: "rowNumber" });
}

/** 1 + the number of rows ordered strictly before this one (peers share a rank, gaps follow). */
export function rank(): WindowFunction {
  return new WindowFunction({ fn: "rank" });
}

/** 1 + the number of distinct order values before this row's (peers share a rank, no gaps). */
export function denseRank(): WindowFunction {
  return new WindowFunction({ fn: "denseRank" });
}

/**
 * The value of `c` `offset` rows before this one in its window partition, or `defaultValue` when
 * there is no such row (a null value there stays null).
 *
 * @throws {RangeError} when `offset` is not an integer of at most 2^31 − 1.
 */
export function lag(c: ColumnLike, offset = 1, defaultValue?: Scalar): WindowFunction {
  return offsetFn("lag", c, offset, defaultValue);
}

/** The value of `c` `offset` rows after this one (see {@linkcode lag}). */
export function lead(c: ColumnLike, offset = 1, defaultValue?: Scalar): WindowFunction {
  return offsetFn("lead", c, offset, defaultValue);
}

function offsetFn(
  fn: "lag" | "lead",
  c: ColumnLike,
  offset: number,
  value: Scalar | undefined,
): WindowFunction {
  if (!Number.isInteger(offset) || Math.abs(offset) > 2 ** 31 - 1) {
    throw new RangeError(`${fn}() offset must be an integer of at most 2^31 - 1, not ${offset}`);
  }
  if (value !== undefined && value !== null && typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError(`${fn}() default must be finite, not ${value}`);
  }
  const arg = columnExpr(c, fn);
  const call: WindowCall = value === undefined || value === null
    ? { fn, arg, offset }
    : { fn, arg, offset, default: value };
  return new WindowFunction(call);
}

function columnExpr(c: ColumnLike, what: string): Expr {
  if (c instanceof Column) return c.expr;
  if (typeof c === "string" && c.length > 0) return { op: "col", name: c };
  throw new TypeError(`${what}() needs a Column or a column name, not ${describe(c)}`);
}

function columnName(c: ColumnLike, what: string): string {
  const e = columnExpr(c, `Window.${what}`);
  if (e.op !== "col") {
    throw new TypeError(`Window.${what}() takes columns, not ${String(c)}: add it with withColumn() first`);
  }
  return e.name;
}

function windowOrder(k: ColumnLike | SortKey): WindowOrder {
  if (typeof k === "object" && !(k instanceof Column) && "ascending" in k) {
    if (k.expr.op !== "col") {
      throw new TypeError("Window.orderBy() takes columns: add the expression with withColumn() first");
    }
    return { column: k.expr.name, ascending: k.ascending, nullsFirst: k.nullsFirst };
  }
  return { column: columnName(k, "orderBy"), ascending: true, nullsFirst: true };
}

function bounds(
  what: string,
  start: number,
  end: number,
  rows: boolean,
): { lower: FrameBound; upper: FrameBound } {
  const bound = (x: number, unbounded: number, name: string): FrameBound => {
    if (x === unbounded) return "unbounded";
    const ok = typeof x === "number" && Number.isFinite(x) && (!rows || Number.isSafeInteger(x));
    if (!ok) {
      throw new RangeError(
        `${what}() ${name} must be ${rows ? "an integer" : "a finite number"} or Window.unbounded*, not ${x}`,
      );
    }
    return x;
  };
  const lower = bound(start, -Infinity, "start"), upper = bound(end, Infinity, "end");
  if (typeof lower === "number" && typeof upper === "number" && lower > upper) {
    throw new RangeError(`${what}() start ${start} is after end ${end}`);
  }
  return { lower, upper };
}
