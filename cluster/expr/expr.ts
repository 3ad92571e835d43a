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
  | { readonly op: "alias"; readonly name: string; readonly arg: Expr };

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
