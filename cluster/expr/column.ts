/**
 * The user-facing expression builder, Spark style: expressions are data ({@linkcode Expr}), built
 * with {@linkcode col}, {@linkcode lit}, {@linkcode Column} methods and the functions below, then
 * shipped to executors and evaluated there. No function text ever crosses the network.
 *
 * Where a column is expected (function arguments), a string names a column; where a value is
 * expected (the other operand of `plus`, `eq`, …), a string is a literal, as in Spark.
 *
 * @example Expressions are data
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, sum, when } from "@frontier/frontier";
 *
 * const big = col("amount").gt(100).and(col("country").eq("PT"));
 * assert.equal(String(big), "((amount > 100) AND (country = 'PT'))");
 * const tier = when(col("amount").gt(1000), "high").when(col("amount").gt(100), "mid").otherwise("low");
 * assert.equal(String(tier), "CASE WHEN (amount > 1000) THEN 'high' WHEN (amount > 100) THEN 'mid' ELSE 'low' END");
 * assert.equal(String(sum("amount").alias("total")), "sum(amount) AS total");
 * assert.deepEqual(JSON.parse(JSON.stringify(col("a").plus(1))), {
 *   op: "bin",
 *   fn: "+",
 *   left: { op: "col", name: "a" },
 *   right: { op: "lit", value: 1 },
 * });
 * ```
 *
 * @example Evaluated on the executors
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier, lit, round, when } from "@frontier/frontier";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const rows = await fx.range(1, 4)
 *   .select(
 *     col("id"),
 *     when(col("id").mod(2).eq(0), "even").otherwise("odd").alias("parity"),
 *     round(col("id").div(3), 2).alias("third"),
 *     lit("2024-01-31", "date").alias("day"),
 *   )
 *   .collect();
 * assert.deepEqual(rows, [
 *   { id: 1, parity: "odd", third: 0.33, day: 19753 },
 *   { id: 2, parity: "even", third: 0.67, day: 19753 },
 *   { id: 3, parity: "odd", third: 1, day: 19753 },
 * ]);
 * ```
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import { DATA_TYPES, type DataType, type Scalar } from "../columnar/batch.ts";
import type { AggExpr, AggFn, BinaryOp, Expr, FnName, SortKey, UnaryOp, WindowCall } from "./expr.ts";
import { inferField } from "./resolve.ts";
import { aggDefaultName, describe, formatAgg, formatExpr } from "./format.ts";
import type { WindowSpec } from "./window.ts";
import { frameFor, isFrameFn, windowProblem } from "./window_rules.ts";

/** A column reference: a {@linkcode Column} or a column name. */
export type ColumnLike = string | Column;
/** The other operand of an operator: a {@linkcode Column} or a literal (a `Date` is a timestamp). */
export type Operand = Column | Scalar | Date;

/** An expression over the columns of a dataset. Immutable; every method returns a new column. */
export class Column {
  /** The expression tree (JSON-serializable). */
  readonly expr: Expr;
  /** A column over an expression tree; {@linkcode col}, {@linkcode lit} and the functions build these. */
  constructor(expr: Expr) {
    this.expr = expr;
  }
  #bin(fn: BinaryOp, other: Operand): Column {
    return new Column({ op: "bin", fn, left: this.expr, right: operandExpr(other) });
  }
  #un(fn: UnaryOp): Column {
    return new Column({ op: "un", fn, arg: this.expr });
  }
  /** `this + other`. */
  plus(other: Operand): Column {
    return this.#bin("+", other);
  }
  /** `this - other`. */
  minus(other: Operand): Column {
    return this.#bin("-", other);
  }
  /** `this * other`. */
  times(other: Operand): Column {
    return this.#bin("*", other);
  }
  /** `this / other` (always double; null when dividing by zero). */
  div(other: Operand): Column {
    return this.#bin("/", other);
  }
  /** `this % other` (null when dividing by zero). */
  mod(other: Operand): Column {
    return this.#bin("%", other);
  }
  /** `this = other`. */
  eq(other: Operand): Column {
    return this.#bin("==", other);
  }
  /** `this != other`. */
  ne(other: Operand): Column {
    return this.#bin("!=", other);
  }
  /** `this < other`. */
  lt(other: Operand): Column {
    return this.#bin("<", other);
  }
  /** `this <= other`. */
  le(other: Operand): Column {
    return this.#bin("<=", other);
  }
  /** `this > other`. */
  gt(other: Operand): Column {
    return this.#bin(">", other);
  }
  /** `this >= other`. */
  ge(other: Operand): Column {
    return this.#bin(">=", other);
  }
  /** `this AND other` (three-valued). */
  and(other: Operand): Column {
    return this.#bin("and", other);
  }
  /** `this OR other` (three-valued). */
  or(other: Operand): Column {
    return this.#bin("or", other);
  }
  /** `NOT this`. */
  not(): Column {
    return this.#un("not");
  }
  /** `-this`. */
  neg(): Column {
    return this.#un("neg");
  }
  /** `this IS NULL`. */
  isNull(): Column {
    return this.#un("isNull");
  }
  /** `this IS NOT NULL`. */
  isNotNull(): Column {
    return this.#un("isNotNull");
  }
  /** `|this|`. */
  abs(): Column {
    return this.#un("abs");
  }
  /** Square root (double). */
  sqrt(): Column {
    return this.#un("sqrt");
  }
  /** Natural logarithm (double; null for values ≤ 0). */
  log(): Column {
    return this.#un("log");
  }
  /** `e^this` (double). */
  exp(): Column {
    return this.#un("exp");
  }
  /** Rounds down (a double becomes a long). */
  floor(): Column {
    return this.#un("floor");
  }
  /** Rounds up (a double becomes a long). */
  ceil(): Column {
    return this.#un("ceil");
  }
  /** True when this equals one of `values` (SQL `IN`: null when nothing matches and a value is null). */
  isIn(...values: (Scalar | Date)[]): Column {
    return new Column({ op: "fn", fn: "isIn", args: [this.expr, ...values.map((v) => literalExpr(v))] });
  }
  /** This converted to `type` (values that do not convert become null). */
  cast(type: DataType): Column {
    return new Column({ op: "cast", to: checkType(type), arg: this.expr });
  }
  /** This, named `name` in the output. */
  alias(name: string): Column {
    return new Column({ op: "alias", name: checkName(name, "alias"), arg: this.expr });
  }
  /** Same as {@linkcode Column.alias}. */
  as(name: string): Column {
    return this.alias(name);
  }
  /** Ascending, nulls first (Spark's default). */
  asc(): SortKey {
    return { expr: this.expr, ascending: true, nullsFirst: true };
  }
  /** Ascending, nulls first. */
  ascNullsFirst(): SortKey {
    return { expr: this.expr, ascending: true, nullsFirst: true };
  }
  /** Ascending, nulls last. */
  ascNullsLast(): SortKey {
    return { expr: this.expr, ascending: true, nullsFirst: false };
  }
  /** Descending, nulls last (Spark's default). */
  desc(): SortKey {
    return { expr: this.expr, ascending: false, nullsFirst: false };
  }
  /** Descending, nulls first. */
  descNullsFirst(): SortKey {
    return { expr: this.expr, ascending: false, nullsFirst: true };
  }
  /** Descending, nulls last. */
  descNullsLast(): SortKey {
    return { expr: this.expr, ascending: false, nullsFirst: false };
  }
  /** SQL-like text, e.g. `(amount > 100)`. */
  toString(): string {
    return formatExpr(this.expr);
  }
  /** The expression tree, so `JSON.stringify(column)` gives the wire form. */
  toJSON(): Expr {
    return this.expr;
  }
}

/** A `CASE WHEN` under construction: add branches with `when`, finish with `otherwise` (or leave null). */
export class WhenColumn extends Column {
  readonly #branches: readonly { readonly cond: Expr; readonly value: Expr }[];
  /**
   * A `CASE` with these branches, tried in order; {@linkcode when} starts one.
   *
   * @throws {TypeError} when there are no branches.
   */
  constructor(branches: readonly { readonly cond: Expr; readonly value: Expr }[]) {
    super({ op: "when", branches });
    if (branches.length === 0) throw new TypeError("A CASE expression needs at least one when() branch");
    this.#branches = branches;
  }
  /** Adds a branch tried after the earlier ones. */
  when(cond: Column, value: Operand): WhenColumn {
    return new WhenColumn([...this.#branches, { cond: columnExpr(cond), value: operandExpr(value) }]);
  }
  /** The value for rows no branch matched (without it they are null). */
  otherwise(value: Operand): Column {
    return new Column({ op: "when", branches: this.#branches, otherwise: operandExpr(value) });
  }
}

/** An aggregate (`sum("amount")`), named by default like Spark (`sum(amount)`). */
export class AggColumn {
  /** The aggregate (JSON-serializable). */
  readonly agg: AggExpr;
  /** An aggregate column over `agg`; {@linkcode sum}, {@linkcode count} and friends build these. */
  constructor(agg: AggExpr) {
    this.agg = agg;
  }
  /** This aggregate, named `name` in the output. */
  alias(name: string): AggColumn {
    return new AggColumn({ ...this.agg, name: checkName(name, "alias") });
  }
  /** Same as {@linkcode AggColumn.alias}. */
  as(name: string): AggColumn {
    return this.alias(name);
  }
  /**
   * This aggregate over each row's frame of `window` (see `window.ts`): a column for `select` or
   * `withColumn`. Supports `count`, `sum`, `avg`, `min`, `max`, `stddev` and `variance`.
   *
   * @throws {TypeError} for another aggregate, or a range frame with an offset over a window
   * without exactly one order column.
   */
  over(window: WindowSpec): Column {
    const { fn, arg, name } = this.agg;
    if (!isFrameFn(fn)) {
      throw new TypeError(
        `${fn}() cannot run over a window: use count, sum, avg, min, max, stddev or variance`,
      );
    }
    const call: WindowCall = arg ? { fn, arg } : { fn };
    const over = overExpr(call, window);
    return new Column(name === aggDefaultName(this.agg) ? over : { op: "alias", name, arg: over });
  }
  /** SQL-like text, e.g. `sum(amount) AS total`. */
  toString(): string {
    return formatAgg(this.agg);
  }
  /** The aggregate, so `JSON.stringify` gives the wire form. */
  toJSON(): AggExpr {
    return this.agg;
  }
}

/**
 * The `over` expression of `call` over `window`, checked as Spark would (ordered windows for the
 * ranking and offset functions, one order column for a range frame with an offset).
 *
 * @throws {TypeError} naming what is wrong.
 */
export function overExpr(call: WindowCall, window: WindowSpec): Expr {
  const data = window.toJSON();
  const problem = windowProblem(call, data.orderBy, frameFor(call.fn, data));
  if (problem !== undefined) throw new TypeError(`Cannot apply ${call.fn}() over this window: ${problem}`);
  return { op: "over", call, window: data };
}

/** A reference to the column `name`. */
export function col(name: string): Column {
  return new Column({ op: "col", name: checkName(name, "col") });
}

/**
 * A literal. Without `type`, numbers are `int` when they are 32-bit integers, `long` for larger
 * integers and `double` otherwise; a `Date` is a timestamp. With `type`, the value is converted
 * (`lit("2024-01-31", "date")`) and must be representable.
 */
export function lit(value: Scalar | Date, type?: DataType): Column {
  return new Column(literalExpr(value, type));
}

/** An expression from a column, a column name (a string) or a literal. */
export function toExpr(x: string | Column | Scalar): Expr {
  if (x instanceof Column) return x.expr;
  if (typeof x === "string") return col(x).expr;
  return literalExpr(x);
}

/** The {@linkcode AggExpr} of an aggregate column (or the expression itself). */
export function toAggExpr(x: AggColumn | AggExpr): AggExpr {
  return x instanceof AggColumn ? x.agg : x;
}

/** Starts a `CASE WHEN cond THEN value …` expression. */
export function when(cond: Column, value: Operand): WhenColumn {
  return new WhenColumn([{ cond: columnExpr(cond), value: operandExpr(value) }]);
}

function literalExpr(value: unknown, type?: DataType): Expr {
  if (type !== undefined) checkType(type);
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new RangeError("lit() got an invalid Date");
    return literalExpr(ms, type ?? "timestamp");
  }
  if (
    value !== null && typeof value !== "number" && typeof value !== "string" && typeof value !== "boolean"
  ) {
    throw new TypeError(`A literal must be a number, string, boolean, Date or null, not ${describe(value)}`);
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError(`lit(${value}) cannot travel as JSON; use lit("${value}").cast("double")`);
  }
  if (typeof value === "number" && (type === "int" || type === "long") && !Number.isInteger(value)) {
    throw new RangeError(`lit(${value}, "${type}") is not an integer`);
  }
  const expr: Expr = type === undefined ? { op: "lit", value } : { op: "lit", value, type };
  if (type !== undefined && value !== null) {
    let nullable: boolean;
    try {
      nullable = inferField(expr, []).nullable;
    } catch (e) {
      if (e instanceof SchemaError) throw new TypeError(e.message);
      throw e;
    }
    if (nullable) throw new RangeError(`Cannot make a ${type} literal of ${JSON.stringify(value)}`);
  }
  return expr;
}

function operandExpr(x: Operand): Expr {
  return x instanceof Column ? x.expr : literalExpr(x);
}

function columnExpr(x: ColumnLike): Expr {
  if (x instanceof Column) return x.expr;
  if (typeof x === "string") return col(x).expr;
  throw new TypeError(`Expected a Column or a column name, not ${describe(x)}`);
}

/** A function argument: a Column, a column name, or a non-string literal. */
function argExpr(x: ColumnLike | number | boolean | null | Date): Expr {
  return typeof x === "string" || x instanceof Column ? columnExpr(x) : literalExpr(x);
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`${what}() needs a non-empty name, not ${describe(name)}`);
  }
  return name;
}

function checkType(type: unknown): DataType {
  if (!(DATA_TYPES as readonly unknown[]).includes(type)) {
    throw new TypeError(`Unknown data type ${describe(type)}: expected one of ${DATA_TYPES.join(", ")}`);
  }
  return type as DataType;
}

function fn(name: FnName, args: readonly Expr[]): Column {
  return new Column({ op: "fn", fn: name, args });
}

function atLeastOne(name: string, args: readonly unknown[]): void {
  if (args.length === 0) throw new TypeError(`${name}() needs at least one argument`);
}

/** Stable 32-bit hash of the arguments, as a long (the same hash that places rows in partitions). */
export function hash(...cols: ColumnLike[]): Column {
  atLeastOne("hash", cols);
  return fn("hash", cols.map(columnExpr));
}
/** The first non-null argument. */
export function coalesce(...cols: (ColumnLike | number | boolean | null | Date)[]): Column {
  atLeastOne("coalesce", cols);
  return fn("coalesce", cols.map(argExpr));
}
/** The arguments as text, concatenated (null if any is null). Use `lit(" ")` for literal text. */
export function concat(...cols: ColumnLike[]): Column {
  atLeastOne("concat", cols);
  return fn("concat", cols.map(columnExpr));
}
/** Lower-case text. */
export function lower(c: ColumnLike): Column {
  return fn("lower", [columnExpr(c)]);
}
/** Upper-case text. */
export function upper(c: ColumnLike): Column {
  return fn("upper", [columnExpr(c)]);
}
/** Number of characters (code points). */
export function length(c: ColumnLike): Column {
  return fn("length", [columnExpr(c)]);
}
/** `len` characters from 1-based `pos` (0 acts as 1; negative counts from the end). */
export function substr(c: ColumnLike, pos: number | Column, len?: number | Column): Column {
  const int = (x: number | Column, what: string): Expr => {
    if (x instanceof Column) return x.expr;
    if (!Number.isInteger(x)) throw new RangeError(`substr() ${what} must be an integer, not ${x}`);
    return literalExpr(x);
  };
  return fn(
    "substr",
    len === undefined ? [columnExpr(c), int(pos, "pos")] : [columnExpr(c), int(pos, "pos"), int(len, "len")],
  );
}
/** `base ^ exponent` (double). */
export function pow(base: ColumnLike | number, exponent: ColumnLike | number): Column {
  return fn("pow", [argExpr(base), argExpr(exponent)]);
}
/** Rounds half away from zero to `digits` decimals (negative: tens, hundreds…). */
export function round(c: ColumnLike, digits = 0): Column {
  if (!Number.isInteger(digits) || Math.abs(digits) > 300) {
    throw new RangeError(`round() digits must be an integer in [-300, 300], not ${digits}`);
  }
  return fn("round", digits === 0 ? [columnExpr(c)] : [columnExpr(c), literalExpr(digits)]);
}
/** Year of a timestamp or date (UTC). */
export function year(c: ColumnLike): Column {
  return fn("year", [columnExpr(c)]);
}
/** Month (1–12) of a timestamp or date (UTC). */
export function month(c: ColumnLike): Column {
  return fn("month", [columnExpr(c)]);
}
/** Day of the month (1–31) of a timestamp or date (UTC). */
export function dayOfMonth(c: ColumnLike): Column {
  return fn("dayOfMonth", [columnExpr(c)]);
}
/** Day of the week, 1 = Sunday … 7 = Saturday (UTC), as in Spark. */
export function dayOfWeek(c: ColumnLike): Column {
  return fn("dayOfWeek", [columnExpr(c)]);
}
/** Hour (0–23) of a timestamp (UTC); 0 for a date. */
export function hour(c: ColumnLike): Column {
  return fn("hour", [columnExpr(c)]);
}
/** The smallest non-null argument. */
export function least(...cols: (ColumnLike | number | Date)[]): Column {
  atLeastOne("least", cols);
  return fn("least", cols.map(argExpr));
}
/** The largest non-null argument. */
export function greatest(...cols: (ColumnLike | number | Date)[]): Column {
  atLeastOne("greatest", cols);
  return fn("greatest", cols.map(argExpr));
}

function agg(
  fnName: AggFn,
  c: ColumnLike | undefined,
  extra: { q?: number; relativeError?: number } = {},
): AggColumn {
  const arg = c === undefined ? undefined : columnExpr(c);
  const base = { fn: fnName, ...(arg ? { arg } : {}), ...extra };
  return new AggColumn({ ...base, name: aggDefaultName(base) });
}

/** Number of rows (`count()` or `count("*")`), or of non-null values of `c`. */
export function count(c?: ColumnLike): AggColumn {
  return agg("count", c === "*" ? undefined : c);
}
/** Sum of the non-null values. */
export function sum(c: ColumnLike): AggColumn {
  return agg("sum", c);
}
/** Mean of the non-null values. */
export function avg(c: ColumnLike): AggColumn {
  return agg("avg", c);
}
/** Smallest value. */
export function min(c: ColumnLike): AggColumn {
  return agg("min", c);
}
/** Largest value. */
export function max(c: ColumnLike): AggColumn {
  return agg("max", c);
}
/** Sample standard deviation. */
export function stddev(c: ColumnLike): AggColumn {
  return agg("stddev", c);
}
/** Sample variance. */
export function variance(c: ColumnLike): AggColumn {
  return agg("variance", c);
}
/** Exact number of distinct non-null values. */
export function countDistinct(c: ColumnLike): AggColumn {
  return agg("countDistinct", c);
}
/** Approximate number of distinct values (HyperLogLog). */
export function approxCountDistinct(c: ColumnLike): AggColumn {
  return agg("approxCountDistinct", c);
}
/** Approximate `q`-quantile, `q` in [0, 1], within `relativeError` (in (0, 1)). */
export function approxQuantile(c: ColumnLike, q: number, relativeError = 0.01): AggColumn {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`approxQuantile() q must be in [0, 1], not ${q}`);
  if (!(relativeError > 0 && relativeError < 1)) {
    throw new RangeError(`approxQuantile() relativeError must be in (0, 1), not ${relativeError}`);
  }
  return agg("approxQuantile", c, relativeError === 0.01 ? { q } : { q, relativeError });
}
/** The smallest value by the deterministic order (deterministic under any partitioning). */
export function first(c: ColumnLike): AggColumn {
  return agg("first", c);
}
