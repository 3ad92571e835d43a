/**
 * The fitted string indexer: each input column's labels, most frequent first (ties by value,
 * ascending by UTF-16 code units, as the engine orders strings). A value becomes the position of
 * its label, as a double. Null and unseen values are invalid: `"error"` throws, `"skip"` drops the
 * row, `"keep"` gives index `labels.length` (named `__unknown`, as Spark names it).
 *
 * As expressions each column is a `CASE WHEN` chain over its labels, so a vocabulary is limited
 * to {@linkcode MAX_EXPRESSION_LABELS} labels there (the frame form has no limit), and `"error"`
 * cannot fail a job: invalid rows get null instead
 * (`PipelineModel.transform` runs the frame form by default, which fails).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { col, lit, when } from "../../../cluster/expr/column.ts";
import type { WhenColumn } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfo, infoOf } from "../column_info.ts";
import type { HandleInvalid } from "../params.ts";
import { allOf, type CompiledStage, invalidValueError, type StageKernel, stringList } from "./stage.ts";

/** Labels a column may have when the indexer runs as engine expressions. */
export const MAX_EXPRESSION_LABELS = 1000;
/** The name of the index that `"keep"` gives invalid values. */
export const UNKNOWN_LABEL = "__unknown";

/** What a string indexer learned. */
export interface StringIndexerState {
  /** The stage kind, as written in JSON. */
  readonly kind: "string_indexer";
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** Per input column, its labels in index order. */
  readonly labels: readonly (readonly string[])[];
  /** What happens to values the stage cannot encode. */
  readonly handleInvalid: HandleInvalid;
}

const STAGE = "StringIndexer";

/** The string indexer's kernel. */
export const stringIndexerKernel: StageKernel<StringIndexerState> = {
  inputs: (s) => s.inputs,
  outputs(s, infos) {
    return s.inputs.map((input, j): [string, ColumnInfo] => {
      const info = infoOf(infos, input, STAGE);
      if (info.kind !== "string") {
        throw new TypeError(`${STAGE} reads text, but column "${input}" is ${info.kind}: cast it to string`);
      }
      const labels = s.labels[j]!;
      return [s.outputs[j]!, {
        kind: "nominal",
        source: input,
        labels: s.handleInvalid === "keep" ? [...labels, UNKNOWN_LABEL] : labels,
        ordinal: false,
        catchAll: s.handleInvalid === "keep",
      }];
    });
  },
  apply(s, frame) {
    const n = frame.length;
    const drop = s.handleInvalid === "skip" ? new Uint8Array(n) : undefined;
    const outs = s.inputs.map((input, j) => {
      const labels = s.labels[j]!;
      const index = new Map(labels.map((l, i) => [l, i]));
      const values = frame.string(input);
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = values[r];
        const i = v === undefined ? undefined : index.get(v);
        if (i !== undefined) out[r] = i;
        else if (s.handleInvalid === "keep") out[r] = labels.length;
        else if (drop !== undefined) drop[r] = 1;
        else {
          throw invalidValueError(STAGE, input, v, v === undefined ? "it is null" : "it was not seen in fit");
        }
      }
      return out;
    });
    outs.forEach((values, j) => frame.set(s.outputs[j]!, { kind: "number", values }));
    if (drop !== undefined) frame.dropRows(drop);
  },
  compile(s): CompiledStage {
    const columns = s.inputs.map((input, j) => {
      const labels = s.labels[j]!;
      if (labels.length > MAX_EXPRESSION_LABELS) {
        throw new RangeError(
          `${STAGE} column "${input}" has ${labels.length} labels; as expressions at most ${MAX_EXPRESSION_LABELS}`,
        );
      }
      const invalid = s.handleInvalid === "keep" ? lit(labels.length, "double") : lit(null, "double");
      if (labels.length === 0) return [s.outputs[j]!, invalid] as const;
      const c = col(input);
      let chain: WhenColumn = when(c.eq(labels[0]!), lit(0, "double"));
      for (let i = 1; i < labels.length; i++) chain = chain.when(c.eq(labels[i]!), lit(i, "double"));
      return [s.outputs[j]!, chain.otherwise(invalid)] as const;
    });
    if (s.handleInvalid !== "skip") return { columns };
    const keep = allOf(s.inputs.map((input, j) => {
      const labels = s.labels[j]!;
      return labels.length === 0 ? lit(false) : col(input).isIn(...labels);
    }));
    return { columns, keep };
  },
  encode(s): Json {
    return {
      inputs: [...s.inputs],
      outputs: [...s.outputs],
      labels: s.labels.map((l) => [...l]),
      handleInvalid: s.handleInvalid,
    };
  },
  decode(f: JsonFields): StringIndexerState {
    const inputs = f.strings("inputs"), outputs = f.strings("outputs");
    const lists = f.array("labels").map((u, j) => {
      const list = stringList(u, () => f.error("must be a list of strings", `labels[${j}]`));
      if (new Set(list).size !== list.length) throw f.error("repeats a label", `labels[${j}]`);
      return list;
    });
    if (outputs.length !== inputs.length || lists.length !== inputs.length) {
      throw f.error("must have as many outputs and label lists as inputs");
    }
    return {
      kind: "string_indexer",
      inputs,
      outputs,
      labels: lists,
      handleInvalid: f.oneOf("handleInvalid", ["error", "skip", "keep"]),
    };
  },
};
