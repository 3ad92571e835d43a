/**
 * Hash aggregation on columnar batches, in three mergeable steps:
 * {@linkcode partialAggregate} (rows → one state row per group of the batch),
 * {@linkcode mergeAggregate} (states → states, for any number of levels) and
 * {@linkcode finalizeAggregate} (states → one output row per group). Results are identical bit for
 * bit however rows are split into batches and partitions and in whatever order states are merged
 * (see `agg_state.ts` for the per-aggregate guarantees and the one documented limit of sums).
 *
 * Keys and inputs are column *names*; the planner projects expressions to columns first. Rows with
 * a null key form their own group; `-0` and `0` keys are one group (output as `0`), as are `NaN`s.
 * A global aggregation (no keys) yields exactly one row, even over no rows (count 0, sum null).
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import type { Batch, DataType, Field, Schema, Vec } from "../columnar/batch.ts";
import { column, columnIndex, concatBatches, emptyBatch, takeVec } from "../columnar/batch_ops.ts";
import type { AggFn } from "../expr/expr.ts";
import { type Accumulator, createAccumulator, stateFields, stateInputType } from "./agg_state.ts";
import { KeyIndex } from "./key_index.ts";

/** One aggregate over a named input column. */
export interface AggSpec {
  readonly fn: AggFn;
  /** Input column; absent only for `count` (= count of rows). */
  readonly input?: string;
  /** Output column name. */
  readonly name: string;
  /** approxQuantile: the probability in [0, 1]. */
  readonly q?: number;
  /** approxQuantile: the relative error in (0, 1). @default {0.01} */
  readonly relativeError?: number;
}

interface AggregateSpec {
  readonly keys: readonly string[];
  readonly aggs: readonly AggSpec[];
}

const NUMERIC = new Set<DataType>(["double", "long", "int"]);

/** Schema of the state batches of {@linkcode partialAggregate} over `input`. */
export function partialStateSchema(input: Schema, keys: readonly string[], aggs: readonly AggSpec[]): Schema {
  const spec = { keys, aggs };
  validate(input, spec);
  const schema = [
    ...spec.keys.map((k) => input[columnIndex(input, k)]!),
    ...spec.aggs.flatMap((a, i) => stateFields(i, a.fn, inputField(input, a)?.type)),
  ];
  const clash = spec.keys.find((k) => schema.filter((f) => f.name === k).length > 1);
  if (clash !== undefined) {
    throw new SchemaError(
      `Cannot aggregate: grouping key "${clash}" collides with a state column; rename it`,
    );
  }
  return schema;
}

/** Schema of {@linkcode finalizeAggregate}'s output for an aggregation over `input`. */
export function aggregateOutputSchema(
  input: Schema,
  keys: readonly string[],
  aggs: readonly AggSpec[],
): Schema {
  const spec = { keys, aggs };
  validate(input, spec);
  return [
    ...spec.keys.map((k) => input[columnIndex(input, k)]!),
    ...spec.aggs.map((a) => outputField(a, inputField(input, a)?.type)),
  ];
}

/**
 * One state row per distinct key of `batch`: the key columns, then the state columns of every
 * aggregate (`__s<i>_...`, see `stateFields`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchFromRows, batchToRows } from "../columnar/batch_ops.ts";
 * const schema = [{ name: "k", type: "string", nullable: false }, { name: "x", type: "long", nullable: false }] as const;
 * const a = batchFromRows(schema, [{ k: "p", x: 1 }, { k: "q", x: 2 }]);
 * const b = batchFromRows(schema, [{ k: "p", x: 3 }]);
 * const keys = ["k"];
 * const aggs: AggSpec[] = [{ fn: "sum", input: "x", name: "total" }];
 * const states = [partialAggregate(a, keys, aggs), partialAggregate(b, keys, aggs)];
 * const out = finalizeAggregate(mergeAggregate(states, keys, aggs), keys, aggs);
 * assert.deepEqual(batchToRows(out), [{ k: "p", total: 4 }, { k: "q", total: 2 }]);
 * ```
 */
export function partialAggregate(batch: Batch, keys: readonly string[], aggs: readonly AggSpec[]): Batch {
  const spec = { keys, aggs };
  const schema = partialStateSchema(batch.schema, keys, aggs);
  const keyVecs = spec.keys.map((k) => column(batch, k));
  const { groupOf, groups, keyColumns } = group(keyVecs, batch.length);
  const columns: Vec[] = [...keyColumns];
  // Quantiles of one column share one sketch: its state does not depend on the probability.
  const sketches = new Map<string, Vec[]>();
  spec.aggs.forEach((a) => {
    const shared = a.fn === "approxQuantile" ? `${a.input}\u0000${a.relativeError ?? ""}` : undefined;
    const hit = shared === undefined ? undefined : sketches.get(shared);
    if (hit !== undefined) {
      columns.push(...hit);
      return;
    }
    const input = a.input === undefined ? undefined : column(batch, a.input);
    const acc = createAccumulator(a.fn, input?.type, { groups, q: a.q, relativeError: a.relativeError });
    acc.update(input, groupOf, batch.length);
    const states = acc.states();
    if (shared !== undefined) sketches.set(shared, states);
    columns.push(...states);
  });
  return { schema, length: groups, columns };
}

/**
 * Merges state batches (all with the schema of {@linkcode partialStateSchema}) into one state row
 * per distinct key. With no batches at all, `stateSchema` is required (it gives the layout).
 */
export function mergeAggregate(
  states: readonly Batch[],
  keys: readonly string[],
  aggs: readonly AggSpec[],
  stateSchema?: Schema,
): Batch {
  const spec = { keys, aggs };
  const merged = mergeStates(states.length > 0 || !stateSchema ? states : [emptyBatch(stateSchema)], spec);
  const columns = [...merged.keyColumns, ...merged.accs.flatMap((a) => a.states())];
  return { schema: merged.schema, length: merged.groups, columns };
}

/**
 * Final values from state batches (merging rows with equal keys first): the key columns, then one
 * column per aggregate named `agg.name`.
 */
export function finalizeAggregate(
  states: Batch | readonly Batch[],
  keys: readonly string[],
  aggs: readonly AggSpec[],
): Batch {
  const spec = { keys, aggs };
  const merged = mergeStates("schema" in states ? [states] : states, spec);
  const keyFields = spec.keys.map((k) => merged.schema[columnIndex(merged.schema, k)]!);
  const aggFields = spec.aggs.map((a, i) => outputField(a, merged.inputTypes[i]));
  const columns = [...merged.keyColumns, ...merged.accs.map((a) => a.result())];
  return { schema: [...keyFields, ...aggFields], length: merged.groups, columns };
}

/** `finalizeAggregate(partialAggregate(batch, keys, aggs), keys, aggs)`: a one-batch aggregation. */
export function aggregate(batch: Batch, keys: readonly string[], aggs: readonly AggSpec[]): Batch {
  return finalizeAggregate(partialAggregate(batch, keys, aggs), keys, aggs);
}

interface Merged {
  schema: Schema;
  groups: number;
  keyColumns: Vec[];
  accs: Accumulator[];
  inputTypes: (DataType | undefined)[];
}

function mergeStates(states: readonly Batch[], spec: AggregateSpec): Merged {
  const first = states[0];
  if (!first) {
    throw new TypeError("Cannot merge aggregate states: pass at least one (possibly empty) state batch");
  }
  const schema = first.schema;
  const all = concatBatches(schema, states);
  const { groupOf, groups, keyColumns } = group(spec.keys.map((k) => column(all, k)), all.length);
  const inputTypes: (DataType | undefined)[] = [];
  const accs = spec.aggs.map((a, i) => {
    const prefix = `__s${i}_`;
    const present = schema.filter((f) => f.name.startsWith(prefix));
    const inputType = a.fn === "count" ? undefined : stateInputType(a.fn, present);
    const layout = stateFields(i, a.fn, inputType);
    const stateVecs = layout.map((f) => {
      const v = column(all, f.name);
      if (v.type !== f.type) {
        throw new SchemaError(`Aggregate state column "${f.name}" is ${v.type}, expected ${f.type}`);
      }
      return v;
    });
    inputTypes.push(inputType);
    const acc = createAccumulator(a.fn, inputType, { groups, q: a.q, relativeError: a.relativeError });
    acc.merge(stateVecs, groupOf, all.length);
    return acc;
  });
  return { schema, groups, keyColumns, accs, inputTypes };
}

/** Groups rows by key; no keys → one group (even over no rows). */
function group(
  keys: readonly Vec[],
  length: number,
): { groupOf: Int32Array; groups: number; keyColumns: Vec[] } {
  if (keys.length === 0) return { groupOf: new Int32Array(length), groups: 1, keyColumns: [] };
  const index = new KeyIndex(keys, length);
  const firstRows = index.firstRows();
  const keyColumns = keys.map((k) => canonicalKeys(takeVec(k, firstRows)));
  return { groupOf: index.groupOf, groups: index.groupCount, keyColumns };
}

/** Rewrites `-0` as `0` and every NaN as the canonical NaN, so group keys never depend on row order. */
function canonicalKeys(v: Vec): Vec {
  if (v.type === "double" || v.type === "long" || v.type === "timestamp") {
    const x = v.values;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === 0) x[i] = 0;
      else if (x[i] !== x[i]) x[i] = NaN;
    }
  }
  return v;
}

function inputField(input: Schema, a: AggSpec): Field | undefined {
  return a.input === undefined ? undefined : input[columnIndex(input, a.input)];
}

function outputField(a: AggSpec, inputType: DataType | undefined): Field {
  switch (a.fn) {
    case "count":
    case "countDistinct":
    case "approxCountDistinct":
      return { name: a.name, type: "long", nullable: false };
    case "sum":
      return { name: a.name, type: inputType === "double" ? "double" : "long", nullable: true };
    case "min":
    case "max":
    case "first":
      return { name: a.name, type: inputType ?? "double", nullable: true };
    case "avg":
    case "stddev":
    case "variance":
    case "approxQuantile":
      return { name: a.name, type: "double", nullable: true };
  }
}

function validate(input: Schema, spec: AggregateSpec): void {
  const names = new Set<string>();
  const claim = (name: string, what: string): void => {
    if (names.has(name)) {
      throw new SchemaError(
        `Cannot aggregate: ${what} "${name}" appears twice; give it another name with alias`,
        {
          data: { column: name },
        },
      );
    }
    names.add(name);
  };
  for (const k of spec.keys) {
    columnIndex(input, k);
    claim(k, "grouping key");
  }
  for (const a of spec.aggs) {
    claim(a.name, "output column");
    if (a.input === undefined) {
      if (a.fn !== "count") throw new TypeError(`Cannot compute ${a.fn} "${a.name}" without an input column`);
      continue;
    }
    const type = input[columnIndex(input, a.input)]!.type;
    const numericOnly = a.fn === "sum" || a.fn === "avg" || a.fn === "stddev" || a.fn === "variance";
    const quantile = a.fn === "approxQuantile";
    if ((numericOnly && !NUMERIC.has(type)) || (quantile && (type === "string" || type === "bool"))) {
      throw new SchemaError(`Cannot compute ${a.fn} of column "${a.input}" of type ${type}`, {
        data: { column: a.input, type, fn: a.fn },
      });
    }
    if (quantile && !(a.q !== undefined && a.q >= 0 && a.q <= 1)) {
      throw new RangeError(`Cannot compute approxQuantile "${a.name}" with q = ${a.q}: expected 0 <= q <= 1`);
    }
    if (a.relativeError !== undefined && !(a.relativeError > 0 && a.relativeError < 1)) {
      throw new RangeError(`Cannot use relativeError ${a.relativeError} for "${a.name}": expected 0 < α < 1`);
    }
  }
}
