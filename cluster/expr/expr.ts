/**
 * Expressions are data, not closures: a JSON-serializable tree built with {@linkcode col},
 * {@linkcode lit} and friends (see `column.ts`), shipped to executors and evaluated there by
 * `eval_expr.ts`. No user function text ever crosses the network.
 *
 * @module
 */
import type { DataType, Scalar } from "../columnar/batch.ts";

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

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

export type AggFn = typeof AGG_FNS[number];

export interface AggExpr {
  readonly fn: AggFn;
  readonly arg?: Expr;
  /** Output column name. */
  readonly name: string;
  /** approxQuantile: the probability in [0, 1]. */
  readonly q?: number;
  /** approxQuantile: relative error. @default {0.01} */
  readonly relativeError?: number;
}

export interface SortKey {
  readonly expr: Expr;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}
