/**
 * How a logical aggregation maps to the column-name based kernels: keys and aggregate inputs are
 * projected to columns (`key names`, `__a{i}`), then partial/final aggregation runs on those.
 *
 * @module
 */
import type { Schema } from "./batch.ts";
import type { AggExpr, Expr } from "./expr.ts";
import { inferField } from "./eval_expr.ts";
import type { AggSpecJson } from "./task_plan.ts";

/** Output names of grouping keys (column name, alias, or the formatted expression). */
export function keyNamesFor(keys: readonly Expr[], input: Schema): string[] {
  return keys.map((k) => inferField(k, input).name);
}

/** Kernel specs for the aggregates: input column `__a{i}`. */
export function aggSpecsFor(aggs: readonly AggExpr[]): AggSpecJson[] {
  return aggs.map((a, i) => {
    const spec: { -readonly [K in keyof AggSpecJson]: AggSpecJson[K] } = { fn: a.fn, name: a.name };
    if (a.arg) spec.input = `__a${i}`;
    if (a.q !== undefined) spec.q = a.q;
    if (a.relativeError !== undefined) spec.relativeError = a.relativeError;
    return spec;
  });
}

/** The projection that feeds partial aggregation. */
export function preAggExprs(keys: readonly Expr[], aggs: readonly AggExpr[], input: Schema): Expr[] {
  const names = keyNamesFor(keys, input);
  const out: Expr[] = keys.map((k, i) => ({ op: "alias", name: names[i]!, arg: k }));
  aggs.forEach((a, i) => {
    if (a.arg) out.push({ op: "alias", name: `__a${i}`, arg: a.arg });
  });
  return out;
}
