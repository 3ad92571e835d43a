/**
 * The fitted one-hot encoder: category index `i` of a column with `size` categories becomes a
 * vector with a 1 in slot `i` and 0 elsewhere (Spark's `OneHotEncoder`). Valid indices are the
 * integers `0 … size - 1`; anything else (null, NaN, fractions, out of range) is invalid:
 * `"error"` throws, `"keep"` sets an extra last slot `…=__invalid`. With `dropLast` the last slot
 * is dropped, so with `"keep"` invalid values become all zeros and every category keeps its slot.
 *
 * Slots are named `source=label` when the input is a category index with its labels (a string
 * indexer's output: `job=admin.`), and `column=i` otherwise.
 *
 * As expressions, `"error"` cannot fail a job: invalid rows get null slots instead.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { Column } from "../../../cluster/expr/column.ts";
import { lit, when } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfo, type ColumnInfos, infoOf, type Slot, slotColumn } from "../column_info.ts";
import { asDouble, type CompiledStage, invalidValueError, type StageKernel } from "./stage.ts";

/** The name of the slot that `"keep"` gives invalid values (before `dropLast`). */
export const INVALID_SLOT = "__invalid";

/** What a one-hot encoder learned. */
export interface OneHotEncoderState {
  readonly kind: "one_hot_encoder";
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Categories per input column. */
  readonly sizes: readonly number[];
  readonly dropLast: boolean;
  readonly handleInvalid: "error" | "keep";
}

const STAGE = "OneHotEncoder";

/** Vector width of input `j`. */
function width(s: OneHotEncoderState, j: number): number {
  return s.sizes[j]! + (s.handleInvalid === "keep" ? 1 : 0) - (s.dropLast ? 1 : 0);
}

/** The slot names of input `j` (`width` of them). */
function slotNames(s: OneHotEncoderState, j: number, infos: ColumnInfos): string[] {
  const input = s.inputs[j]!, size = s.sizes[j]!;
  const info = infoOf(infos, input, STAGE);
  if (info.kind !== "numeric" && info.kind !== "nominal") {
    throw new TypeError(`${STAGE} reads category indices, but column "${input}" is ${info.kind}`);
  }
  const named = info.kind === "nominal" && info.labels.length === size;
  const base = info.kind === "nominal" ? info.source : input;
  const names: string[] = [];
  for (let i = 0; i < size; i++) names.push(`${base}=${named ? info.labels[i]! : String(i)}`);
  if (s.handleInvalid === "keep") names.push(`${base}=${INVALID_SLOT}`);
  return names.slice(0, width(s, j));
}

/** The one-hot encoder's kernel. */
export const oneHotEncoderKernel: StageKernel<OneHotEncoderState> = {
  inputs: (s) => s.inputs,
  outputs(s, infos) {
    return s.inputs.map((_, j): [string, ColumnInfo] => {
      const slots = slotNames(s, j, infos).map((name): Slot => ({ name, kind: "numeric" }));
      return [s.outputs[j]!, { kind: "vector", slots }];
    });
  },
  apply(s, frame) {
    const n = frame.length;
    const outs = s.inputs.map((input, j) => {
      const size = s.sizes[j]!, w = width(s, j);
      const values = frame.number(input);
      const out = new Float64Array(n * w);
      for (let r = 0; r < n; r++) {
        const v = values[r]!;
        let slot: number;
        if (Number.isInteger(v) && v >= 0 && v < size) slot = v;
        else if (s.handleInvalid === "keep") slot = size;
        else throw invalidValueError(STAGE, input, v, `it is not a category index in [0, ${size})`);
        if (slot < w) out[r * w + slot] = 1;
      }
      return out;
    });
    outs.forEach((values, j) => frame.set(s.outputs[j]!, { kind: "vector", width: width(s, j), values }));
  },
  compile(s, ctx): CompiledStage {
    const columns: [string, Column][] = [];
    s.inputs.forEach((input, j) => {
      const size = s.sizes[j]!, names = slotNames(s, j, ctx.infos);
      const v = asDouble(input, ctx.schema);
      const indices = Array.from({ length: size }, (_, i) => i);
      const valid = size === 0 ? lit(false) : v.isIn(...indices);
      names.forEach((name, i) => {
        const out = slotColumn(s.outputs[j]!, name);
        if (i === size) columns.push([out, when(valid, lit(0, "double")).otherwise(lit(1, "double"))]);
        else {
          const hot = when(v.eq(i), lit(1, "double")).otherwise(lit(0, "double"));
          columns.push([out, s.handleInvalid === "keep" ? hot : when(valid, hot)]);
        }
      });
    });
    return { columns };
  },
  encode(s): Json {
    return {
      inputs: [...s.inputs],
      outputs: [...s.outputs],
      sizes: [...s.sizes],
      dropLast: s.dropLast,
      handleInvalid: s.handleInvalid,
    };
  },
  decode(f: JsonFields): OneHotEncoderState {
    const inputs = f.strings("inputs"), outputs = f.strings("outputs");
    const sizes = f.array("sizes").map((u, j) => {
      if (typeof u !== "number" || !Number.isSafeInteger(u) || u < 0) {
        throw f.error("must be an integer ≥ 0", `sizes[${j}]`);
      }
      return u;
    });
    if (outputs.length !== inputs.length || sizes.length !== inputs.length) {
      throw f.error("must have as many outputs and sizes as inputs");
    }
    return {
      kind: "one_hot_encoder",
      inputs,
      outputs,
      sizes,
      dropLast: f.boolean("dropLast"),
      handleInvalid: f.oneOf("handleInvalid", ["error", "keep"]),
    };
  },
};
