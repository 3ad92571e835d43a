/**
 * Expressions are data, not closures: a JSON-serializable tree built with {@linkcode col},
 * {@linkcode lit} and friends (see `column.ts`), shipped to executors and evaluated there by
 * `eval_expr.ts`. No user function text ever crosses the network.
 *
 * @module
 */
import type { DataType, Scalar } from "../columnar/batch.ts";

/** Binary operators of {@linkcode Expr} `bin` nodes (arithmetic, comparison, three-valued logic). */
export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

/** Unary operators of {@linkcode Expr} `un` nodes. */
export type UnaryOp =
  | "not"
  | "neg"
  | "isNull"
  | "isNotNull"
  | "abs"
  | "sqrt"
  | "log"
  | "exp"
  | "floor"
  | "ceil";

/** Named scalar functions an executor knows (a closed set). */
export type FnName =
  | "hash" // 32-bit stable hash of the arguments, as long
  | "coalesce"
  | "concat"
  | "lower"
  | "upper"
  | "length"
  | "substr"
  | "pow"
  | "round"
  | "year"
  | "month"
  | "dayOfMonth"
  | "dayOfWeek"
  | "hour" // of a timestamp/date, UTC
  | "least"
  | "greatest"
  | "isIn"; // first arg in the rest (literals)

/**
 * An expression tree, as built by `Column` and sent to executors. Every node is plain JSON:
 * a column reference, a literal (optionally typed), an operator, a cast, a `CASE WHEN`, a named
 * function, or an alias naming its output column.
 */
export type Expr =
  | { readonly op: "col"; readonly name: string }
  | { readonly op: "lit"; readonly value: Scalar; readonly type?: DataType }
  | { readonly op: "bin"; readonly fn: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly op: "un"; readonly fn: UnaryOp; readonly arg: Expr }
  | { readonly op: "cast"; readonly to: DataType; readonly arg: Expr }
  | {
    readonly op: "when";
    readonly branches: readonly { readonly cond: Expr; readonly value: Expr }[];
    readonly otherwise?: Expr;
  }
  | { readonly op: "fn"; readonly fn: FnName; readonly args: readonly Expr[] }
  | { readonly op: "alias"; readonly name: string; readonly arg: Expr }
  /**
   * A window function over a window (`count().over(w)`). Allowed only in `select` and
   * `withColumn`, which move it into a window operator (see `plan/window_plan.ts`).
   */
  | { readonly op: "over"; readonly call: WindowCall; readonly window: WindowSpecData };

/**
 * The aggregate functions (a closed set, decoded against this list on every boundary):
 * - `count(arg)` counts non-null values; `count()` counts rows;
 * - `sum`, `avg`, `min`, `max`; `stddev`, `variance` (sample, n − 1);
 * - `countDistinct` (exact), `approxCountDistinct` (HyperLogLog, mergeable, order-independent);
 * - `approxQuantile` (relative-error sketch, mergeable, order-independent);
 * - `first`: the smallest value by the deterministic order (min over strings too).
 */
export const AGG_FNS = [
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "stddev",
  "variance",
  "countDistinct",
  "approxCountDistinct",
  "approxQuantile",
  "first",
] as const;

/** One of {@linkcode AGG_FNS}. */
export type AggFn = typeof AGG_FNS[number];

/** An aggregate as data: what `AggColumn` holds and `Dataset.agg` accepts as is. */
export interface AggExpr {
  /** The aggregate function. */
  readonly fn: AggFn;
  /** Its input; absent only for `count` (rows). */
  readonly arg?: Expr;
  /** Output column name. */
  readonly name: string;
  /** approxQuantile: the probability in [0, 1]. */
  readonly q?: number;
  /** approxQuantile: relative error. @default {0.01} */
  readonly relativeError?: number;
}

/** A sort key: what `Column.asc()`, `desc()` and friends return, and `Dataset.sort` accepts. */
export interface SortKey {
  /** What to sort by. */
  readonly expr: Expr;
  /** Smallest first. */
  readonly ascending: boolean;
  /** Nulls before every value (otherwise after). */
  readonly nullsFirst: boolean;
}

/** The aggregates a window frame slides over (the other window functions ignore frames). */
export const FRAME_FNS = ["count", "sum", "avg", "min", "max", "stddev", "variance"] as const;

/** One of {@linkcode FRAME_FNS}. */
export type FrameFn = typeof FRAME_FNS[number];

/**
 * The window functions (a closed set): `rowNumber`, `rank`, `denseRank` (ranking by the order
 * keys), `lag` and `lead` (the value `offset` rows before or after, in the partition), and the
 * aggregates of {@linkcode FRAME_FNS} over each row's frame.
 */
export const WINDOW_FNS = ["rowNumber", "rank", "denseRank", "lag", "lead", ...FRAME_FNS] as const;

/** One of {@linkcode WINDOW_FNS}. */
export type WindowFn = typeof WINDOW_FNS[number];

/**
 * A frame bound: `"unbounded"` runs to the partition's edge (UNBOUNDED PRECEDING as a lower bound,
 * UNBOUNDED FOLLOWING as an upper one); a number is an offset, negative before the current row
 * and 0 the current row (with its peers, in a range frame).
 */
export type FrameBound = number | "unbounded";

/**
 * Which rows an aggregate sees from the current row, both bounds inclusive. `rows` counts rows;
 * `range` offsets the current row's order value (in the order column's units: ms for a timestamp,
 * days for a date), so `{ kind: "range", lower: -3_600_000, upper: 0 }` is the hour up to and
 * including the current event and every event at the same instant.
 */
export interface WindowFrame {
  /** Rows or order values. */
  readonly kind: "rows" | "range";
  /** First row of the frame. */
  readonly lower: FrameBound;
  /** Last row of the frame. */
  readonly upper: FrameBound;
}

/** An order key of a window (a column, as in a sort). */
export interface WindowOrder {
  /** The column. */
  readonly column: string;
  /** Smallest first. */
  readonly ascending: boolean;
  /** Nulls before every value (otherwise after). */
  readonly nullsFirst: boolean;
}

/** A window as data: what `Window.partitionBy(…).orderBy(…).rangeBetween(…)` builds. */
export interface WindowSpecData {
  /** Columns whose equal values make one window partition (none: every row in one). */
  readonly partitionBy: readonly string[];
  /** Order of the rows within a window partition. */
  readonly orderBy: readonly WindowOrder[];
  /** The frame of aggregates; absent for the default (see `plan/window_plan.ts`). */
  readonly frame?: WindowFrame;
}

/** A window function applied to its arguments, before a window is given. */
export interface WindowCall {
  /** The function. */
  readonly fn: WindowFn;
  /** Its input; absent for `count` (rows) and the ranking functions. */
  readonly arg?: Expr;
  /** `lag` / `lead`: how many rows back or ahead. @default {1} */
  readonly offset?: number;
  /** `lag` / `lead`: the value when there is no such row. @default {null} */
  readonly default?: Scalar;
}

/**
 * A window function as a window operator computes it: its call, its frame (set for the frame
 * aggregates, defaults resolved; absent for the others) and its output column.
 */
export interface WindowExpr extends WindowCall {
  /** Frame of an aggregate. */
  readonly frame?: WindowFrame;
  /** Output column name. */
  readonly name: string;
}
