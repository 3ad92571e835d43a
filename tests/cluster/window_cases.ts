/**
 * Window columns written with the public builder, and the oracle operator each set of columns
 * should equal: shared by the embedded and process-mode Dataset tests.
 *
 * @module
 */
import {
  avg,
  col,
  type Column,
  count,
  denseRank,
  lag,
  lead,
  max,
  min,
  rank,
  rowNumber,
  stddev,
  sum,
  variance,
  Window,
  type WindowSpec,
} from "../../mod.ts";
import type { Expr, WindowExpr } from "../../cluster/expr/expr.ts";
import { frameFor } from "../../cluster/expr/window_rules.ts";
import type { WindowOperator } from "../../cluster/kernels/window.ts";

/** One window's columns: their names and builders, all over windows with the same partition and order. */
export interface Case {
  readonly name: string;
  readonly base: WindowSpec;
  readonly columns: (w: WindowSpec) => [string, Column][];
}

export const CASES: Case[] = [
  {
    name: "by k, t ascending",
    base: Window.partitionBy("k").orderBy("t"),
    columns: (w) => [
      ["rn", rowNumber().over(w)],
      ["rk", rank().over(w)],
      ["drk", denseRank().over(w)],
      ["prev", lag("x").over(w)],
      ["next2", lead("tag", 2, "none").over(w)],
      ["n", count().over(w.rangeBetween(-3, 0))],
      ["nx", count("x").over(w.rowsBetween(-2, 0))],
      ["sx", sum("x").over(w.rowsBetween(Window.unboundedPreceding, -1))],
      ["mean", avg("x").over(w)],
      ["lo", min("x").over(w.rangeBetween(-3, 2))],
      ["hi", max("tag").over(w.rangeBetween(0, Window.unboundedFollowing))],
      ["sd", stddev("x").over(w.rowsBetween(-1, 1))],
      ["var", variance("x").over(w.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing))],
      ["st", sum("t").over(w.rangeBetween(1, 4))],
    ],
  },
  {
    name: "by k and tag, t descending nulls last then x",
    base: Window.partitionBy("k", "tag").orderBy(col("t").descNullsLast(), "x"),
    columns: (w) => [
      ["rn", rowNumber().over(w)],
      ["rk", rank().over(w)],
      ["n", count().over(w)],
      ["sx", sum("x").over(w.rowsBetween(-3, -1))],
    ],
  },
  {
    name: "no partition columns, t ascending",
    base: Window.orderBy("t"),
    columns: (w) => [
      ["rn", rowNumber().over(w)],
      ["n", count().over(w.rangeBetween(-2, 0))],
      ["mean", avg("x").over(w)],
    ],
  },
];

/** The oracle's operator for a case: each column's call with the frame the planner gives it. */
export function oracleOp(c: Case): WindowOperator {
  const fns = c.columns(c.base).map(([name, column]): WindowExpr => {
    const e = column.expr as Extract<Expr, { op: "over" }>;
    const frame = frameFor(e.call.fn, e.window);
    return frame ? { ...e.call, frame, name } : { ...e.call, name };
  });
  const w = c.base.toJSON();
  return { partitionBy: w.partitionBy, orderBy: w.orderBy, fns };
}
