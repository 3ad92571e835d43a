/**
 * The fitted target (mean) encoder: each category of a text column becomes the smoothed positive
 * rate of its training rows, `(Σy + m·prior) / (n + m)` (m = smoothing, prior = the training
 * positive rate); null and unseen values get the prior.
 *
 * Out-of-fold encoding. With a fold column (`folds`), the state also holds, per fold `f`, the
 * encoding learned from the training rows *not* in fold `f` (with their own prior). A row whose
 * data has the fold column, with a value `0 … k − 1`, is encoded by its fold's table — that is how
 * the training rows are encoded, so no row's own label leaks into its feature — and any other row
 * (the data has no fold column, e.g. test or scoring data, or the value is missing) by the table
 * of the whole training split.
 *
 * As expressions each column is a `CASE` over its categories (per fold when the schema has the
 * fold column), so a vocabulary is limited to {@linkcode MAX_EXPRESSION_LABELS} there.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { col, type Column, lit, when, type WhenColumn } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfo, infoOf } from "../column_info.ts";
import type { Frame } from "../frame.ts";
import { MAX_EXPRESSION_LABELS } from "./string_indexer.ts";
import {
  type CompileContext,
  type CompiledStage,
  doubleLit,
  numberList,
  type StageKernel,
  stringList,
} from "./stage.ts";

/** One encoding table: per input column, the value of each category; the rest get `prior`. */
export interface TargetTable {
  /** Per input column, the value of each of its categories (in `categories` order). */
  readonly values: readonly (readonly number[])[];
  /** The value of null and unseen categories. */
  readonly prior: number;
}

/** What a target encoder learned. */
export interface TargetEncoderState {
  /** The stage kind, as written in JSON. */
  readonly kind: "target_encoder";
  /** The input (text) columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** Per input column, its training categories. */
  readonly categories: readonly (readonly string[])[];
  /** The smoothing weight m. */
  readonly smoothing: number;
  /** The table of the whole training split. */
  readonly full: TargetTable;
  /** Out-of-fold tables: `tables[f]` learned without fold `f`, used where `column` = f. */
  readonly folds?: { readonly column: string; readonly tables: readonly TargetTable[] };
}

const STAGE = "TargetEncoder";

function lookup(state: TargetEncoderState, j: number): Map<string, number> {
  return new Map(state.categories[j]!.map((c, i) => [c, i]));
}

function expressionOf(state: TargetEncoderState, table: TargetTable, j: number): Column {
  const cats = state.categories[j]!, values = table.values[j]!;
  const c = col(state.inputs[j]!);
  if (cats.length === 0) return doubleLit(table.prior);
  let chain: WhenColumn = when(c.eq(cats[0]!), doubleLit(values[0]!));
  for (let i = 1; i < cats.length; i++) chain = chain.when(c.eq(cats[i]!), doubleLit(values[i]!));
  return chain.otherwise(doubleLit(table.prior));
}

/** The target encoder's kernel. */
export const targetEncoderKernel: StageKernel<TargetEncoderState> = {
  inputs: (s) => s.inputs,
  outputs(s, infos) {
    return s.inputs.map((input, j): [string, ColumnInfo] => {
      const info = infoOf(infos, input, STAGE);
      if (info.kind !== "string") {
        throw new TypeError(`${STAGE} reads text, but column "${input}" is ${info.kind}: cast it to string`);
      }
      return [s.outputs[j]!, { kind: "numeric" }];
    });
  },
  apply(s, frame: Frame) {
    const n = frame.length;
    const fold = s.folds !== undefined && frame.has(s.folds.column)
      ? frame.number(s.folds.column)
      : undefined;
    const outs = s.inputs.map((input, j) => {
      const index = lookup(s, j), values = frame.string(input), out = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const f = fold === undefined ? NaN : fold[r]!;
        const table = Number.isInteger(f) && f >= 0 && f < s.folds!.tables.length
          ? s.folds!.tables[f]!
          : s.full;
        const v = values[r], i = v === undefined ? undefined : index.get(v);
        out[r] = i === undefined ? table.prior : table.values[j]![i]!;
      }
      return out;
    });
    outs.forEach((values, j) => frame.set(s.outputs[j]!, { kind: "number", values }));
  },
  compile(s, ctx: CompileContext): CompiledStage {
    const hasFold = s.folds !== undefined && ctx.schema.some((f) => f.name === s.folds!.column);
    const columns = s.inputs.map((input, j) => {
      const cats = s.categories[j]!;
      if (cats.length > MAX_EXPRESSION_LABELS) {
        throw new RangeError(
          `${STAGE} column "${input}" has ${cats.length} categories; as expressions at most ${MAX_EXPRESSION_LABELS}`,
        );
      }
      const full = expressionOf(s, s.full, j);
      if (!hasFold) return [s.outputs[j]!, full] as const;
      const f = col(s.folds!.column).cast("double");
      let chain: WhenColumn | undefined;
      s.folds!.tables.forEach((table, k) => {
        const cond = f.eq(lit(k, "double")), value = expressionOf(s, table, j);
        chain = chain === undefined ? when(cond, value) : chain.when(cond, value);
      });
      return [s.outputs[j]!, chain === undefined ? full : chain.otherwise(full)] as const;
    });
    return { columns };
  },
  encode(s): Json {
    const table = (t: TargetTable): Json => ({ values: t.values.map((v) => [...v]), prior: t.prior });
    return {
      inputs: [...s.inputs],
      outputs: [...s.outputs],
      categories: s.categories.map((c) => [...c]),
      smoothing: s.smoothing,
      full: table(s.full),
      ...(s.folds === undefined
        ? {}
        : { folds: { column: s.folds.column, tables: s.folds.tables.map(table) } }),
    };
  },
  decode(f: JsonFields): TargetEncoderState {
    const inputs = f.strings("inputs"), outputs = f.strings("outputs");
    const categories = f.array("categories").map((u, j) => {
      const list = stringList(u, () => f.error("must be a list of strings", `categories[${j}]`));
      if (new Set(list).size !== list.length) throw f.error("repeats a category", `categories[${j}]`);
      return list;
    });
    if (outputs.length !== inputs.length || categories.length !== inputs.length) {
      throw f.error("must have as many outputs and category lists as inputs");
    }
    const table = (t: JsonFields): TargetTable => {
      const values = t.array("values").map((u, j) => {
        const list = numberList(u, () => t.error("must be a list of numbers", `values[${j}]`));
        if (list.length !== categories[j]?.length) {
          throw t.error("must have one value per category", `values[${j}]`);
        }
        return list;
      });
      if (values.length !== inputs.length) throw t.error("must have one list per input", "values");
      return { values, prior: t.number("prior") };
    };
    const smoothing = f.number("smoothing");
    if (!(smoothing >= 0)) throw f.error("must be >= 0", "smoothing");
    const folds = f.has("folds")
      ? (() => {
        const o = f.object("folds");
        return { column: o.string("column"), tables: o.objects("tables").map(table) };
      })()
      : undefined;
    return {
      kind: "target_encoder",
      inputs,
      outputs,
      categories,
      smoothing,
      full: table(f.object("full")),
      ...(folds === undefined ? {} : { folds }),
    };
  },
};
