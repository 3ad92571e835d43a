/**
 * How a logical aggregation maps to the column-name based kernels: keys and aggregate inputs are
 * projected to columns (`key names`, `__a{i}`), then partial/final aggregation runs on those.
 *
 * @module
 */
import type { Schema } from "../columnar/batch.ts";
import type { AggExpr, Expr } from "../expr/expr.ts";
import { inferField } from "../expr/resolve.ts";
import type { AggSpecJson } from "./task_plan.ts";

/** Output names of grouping keys (column name, alias, or the formatted expression). */
export function keyNamesFor(keys: readonly Expr[], input: Schema): string[] {
  return keys.map((k) => inferField(k, input).name);
}

/**
 * The input column slot of each aggregate: the index of the first aggregate with the same input
 * expression (so `avg(x)`, `stddev(x)` and five quantiles of `x` project `x` once, and the
 * quantiles share one sketch), or -1 without an input.
 */
export function aggInputSlots(aggs: readonly AggExpr[]): number[] {
  const first = new Map<string, number>();
  return aggs.map((a, i) => {
    if (!a.arg) return -1;
    const key = JSON.stringify(a.arg);
    const j = first.get(key);
    if (j !== undefined) return j;
    first.set(key, i);
    return i;
  });
}

/** Kernel specs for the aggregates: input column `__a{slot}` (see {@linkcode aggInputSlots}). */
export function aggSpecsFor(aggs: readonly AggExpr[]): AggSpecJson[] {
  const slots = aggInputSlots(aggs);
  return aggs.map((a, i) => {
    const spec: { -readonly [K in keyof AggSpecJson]: AggSpecJson[K] } = { fn: a.fn, name: a.name };
    if (a.arg) spec.input = `__a${slots[i]}`;
    if (a.q !== undefined) spec.q = a.q;
    if (a.relativeError !== undefined) spec.relativeError = a.relativeError;
    return spec;
  });
}

/** The projection that feeds partial aggregation. */
export function preAggExprs(keys: readonly Expr[], aggs: readonly AggExpr[], input: Schema): Expr[] {
  const names = keyNamesFor(keys, input);
  const out: Expr[] = keys.map((k, i) => ({ op: "alias", name: names[i]!, arg: k }));
  const slots = aggInputSlots(aggs);
  aggs.forEach((a, i) => {
    if (a.arg && slots[i] === i) out.push({ op: "alias", name: `__a${i}`, arg: a.arg });
  });
  return out;
}
