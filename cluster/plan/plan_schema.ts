/**
 * Output schema of every logical operator. Called when a Dataset is built, so analysis errors
 * (unknown column, type mismatch) surface at the call that introduced them, as in Spark.
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import type { Field, Schema } from "../columnar/batch.ts";
import { assertSameSchema, columnIndex } from "../columnar/batch_ops.ts";
import { inferField } from "../expr/resolve.ts";
import { aggregateOutputSchema } from "../kernels/aggregate.ts";
import { joinOutputSchema } from "../kernels/join.ts";
import { windowOutputSchema } from "../kernels/window.ts";
import type { LogicalPlan } from "./logical_plan.ts";
import { CSV_META_SCHEMA, QUARANTINE_SCHEMA } from "../io/csv/parse.ts";
import type { AggExpr, Expr } from "../expr/expr.ts";
import { aggInputSlots, aggSpecsFor, keyNamesFor } from "./plan_agg.ts";

const cache = new WeakMap<LogicalPlan, Schema>();

export function schemaOf(plan: LogicalPlan): Schema {
  const hit = cache.get(plan);
  if (hit) return hit;
  const s = compute(plan);
  cache.set(plan, s);
  return s;
}

function compute(plan: LogicalPlan): Schema {
  switch (plan.op) {
    case "range":
      return [{ name: "id", type: "long", nullable: false }];
    case "generate":
    case "inline":
    case "files":
      return plan.schema;
    case "csv":
      return plan.which === "valid"
        ? plan.schema
        : plan.which === "meta"
        ? CSV_META_SCHEMA
        : QUARANTINE_SCHEMA;
    case "csvScan":
      return [{ name: "scan", type: "string", nullable: false }];
    case "mapPartitions":
      schemaOf(plan.input);
      assertUniqueNames(plan.schema);
      return plan.schema;
    case "project": {
      const input = schemaOf(plan.input);
      const fields = plan.exprs.map((e) => inferField(e, input));
      assertUniqueNames(fields);
      return fields;
    }
    case "filter": {
      const input = schemaOf(plan.input);
      const f = inferField(plan.cond, input);
      if (f.type !== "bool") throw new SchemaError(`filter condition must be bool, got ${f.type}`);
      return input;
    }
    case "aggregate": {
      const input = schemaOf(plan.input);
      const pre = preAggSchema(plan.keys, plan.aggs, input);
      return aggregateOutputSchema(pre, keyNamesFor(plan.keys, input), aggSpecsFor(plan.aggs));
    }
    case "join": {
      const l = schemaOf(plan.left), r = schemaOf(plan.right);
      for (const k of plan.on) {
        columnIndex(l, k);
        columnIndex(r, k);
      }
      return joinOutputSchema(l, r, { leftOn: [...plan.on], rightOn: [...plan.on], how: plan.how });
    }
    case "repartition": {
      const s = schemaOf(plan.input);
      for (const k of plan.keys) columnIndex(s, k);
      return s;
    }
    case "coalesce":
    case "limit":
    case "sample":
    case "cache":
      return schemaOf(plan.input);
    case "sort": {
      const s = schemaOf(plan.input);
      for (const k of plan.keys) inferField(k.expr, s);
      return s;
    }
    case "window":
      return windowOutputSchema(schemaOf(plan.input), plan);
    case "union": {
      const first = schemaOf(plan.inputs[0]!);
      for (const p of plan.inputs.slice(1)) assertSameSchema(first, schemaOf(p));
      return first.map((f, i) => ({
        ...f,
        nullable: plan.inputs.some((p) => schemaOf(p)[i]!.nullable),
      }));
    }
  }
}

/** Schema after projecting aggregation keys and aggregate inputs into named columns. */
export function preAggSchema(
  keys: readonly Expr[],
  aggs: readonly AggExpr[],
  input: Schema,
): Schema {
  const out: Field[] = [];
  for (const e of keys) out.push(inferField(e, input));
  const slots = aggInputSlots(aggs);
  aggs.forEach((a, i) => {
    if (a.arg && slots[i] === i) out.push({ ...inferField(a.arg, input), name: `__a${i}` });
  });
  const names = keyNamesFor(keys, input);
  return out.map((f, i) => i < names.length ? { ...f, name: names[i]! } : f);
}

function assertUniqueNames(fields: readonly Field[]): void {
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) {
      throw new SchemaError(`Duplicate column name "${f.name}" in select: alias one of them`, {
        data: { column: f.name },
      });
    }
    seen.add(f.name);
  }
}
