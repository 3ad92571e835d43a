/**
 * The fitted one-hot encoder: category `i` of a column with `size` categories becomes a vector
 * with a 1 in slot `i` and 0 elsewhere.
 *
 * - Categories are the integers `0 … size - 1`. With `dropLast`, category `size - 1` has no slot
 *   (all zeros), so the slots never sum to a constant (no collinearity with an intercept).
 * - A `"keep"` stage's catch-all index (`size`, e.g. a string indexer's `__unknown` for null and
 *   unseen values) encodes as all zeros. This differs from Spark, whose encoder counts the
 *   catch-all as a category and drops it as the last one, keeping every real category's slot;
 *   here `dropLast` always drops the last real category, as scikit-learn's `drop` with
 *   `handle_unknown="ignore"` does.
 * - Anything else (null or NaN for a plain index column, fractions, out of range) is invalid:
 *   `"error"` throws, `"keep"` sets an extra last slot `…=__invalid`.
 *
 * Slots are named `source=label` when the input is a category index with its labels (a string
 * indexer's output: `job=admin.`), and `column=i` otherwise.
 *
 * As expressions, `"error"` cannot fail a job: invalid rows get null slots instead
 * (`PipelineModel.transform` runs the frame form by default, which fails).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { Column } from "../../../cluster/expr/column.ts";
import { lit, when } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfo, type ColumnInfos, infoOf, type Slot, slotColumn } from "../column_info.ts";
import { asDouble, type CompiledStage, invalidValueError, type StageKernel } from "./stage.ts";

/** The name of the slot that `"keep"` gives invalid values. */
export const INVALID_SLOT = "__invalid";

/** What a one-hot encoder learned. */
export interface OneHotEncoderState {
  /** The stage kind, as written in JSON. */
  readonly kind: "one_hot_encoder";
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** Categories per input column (not counting a catch-all index). */
  readonly sizes: readonly number[];
  /** Per input column: whether index `size` is a catch-all (encoded as all zeros). */
  readonly catchAll: readonly boolean[];
  /** Whether the last category has no slot. */
  readonly dropLast: boolean;
  /** What happens to values the stage cannot encode. */
  readonly handleInvalid: "error" | "keep";
}

const STAGE = "OneHotEncoder";

/** Slots of the categories of input `j` (before an invalid slot). */
function categorySlots(s: OneHotEncoderState, j: number): number {
  const size = s.sizes[j]!;
  return s.dropLast && size > 0 ? size - 1 : size;
}

/** Vector width of input `j`. */
function width(s: OneHotEncoderState, j: number): number {
  return categorySlots(s, j) + (s.handleInvalid === "keep" ? 1 : 0);
}

/** The slot names of input `j` (`width` of them). */
function slotNames(s: OneHotEncoderState, j: number, infos: ColumnInfos): string[] {
  const input = s.inputs[j]!, size = s.sizes[j]!;
  const info = infoOf(infos, input, STAGE);
  if (info.kind !== "numeric" && info.kind !== "nominal") {
    throw new TypeError(`${STAGE} reads category indices, but column "${input}" is ${info.kind}`);
  }
  const named = info.kind === "nominal" && info.labels.length === size + (s.catchAll[j] ? 1 : 0);
  const base = info.kind === "nominal" ? info.source : input;
  const names: string[] = [];
  for (let i = 0; i < categorySlots(s, j); i++) names.push(`${base}=${named ? info.labels[i]! : String(i)}`);
  if (s.handleInvalid === "keep") names.push(`${base}=${INVALID_SLOT}`);
  return names;
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
      const size = s.sizes[j]!, w = width(s, j), k = categorySlots(s, j), catchAll = s.catchAll[j]!;
      const values = frame.number(input);
      const out = new Float64Array(n * w);
      for (let r = 0; r < n; r++) {
        const v = values[r]!;
        if (Number.isInteger(v) && v >= 0 && v < size) {
          if (v < k) out[r * w + v] = 1;
        } else if (catchAll && v === size) continue;
        else if (s.handleInvalid === "keep") out[r * w + k] = 1;
        else throw invalidValueError(STAGE, input, v, `it is not a category index in [0, ${size})`);
      }
      return out;
    });
    outs.forEach((values, j) => frame.set(s.outputs[j]!, { kind: "vector", width: width(s, j), values }));
  },
  compile(s, ctx): CompiledStage {
    const columns: [string, Column][] = [];
    s.inputs.forEach((input, j) => {
      const size = s.sizes[j]!, k = categorySlots(s, j), names = slotNames(s, j, ctx.infos);
      const v = asDouble(input, ctx.schema);
      const indices = Array.from({ length: size + (s.catchAll[j] ? 1 : 0) }, (_, i) => i);
      const valid = indices.length === 0 ? lit(false) : v.isIn(...indices);
      names.forEach((name, i) => {
        const out = slotColumn(s.outputs[j]!, name);
        if (i === k) columns.push([out, when(valid, lit(0, "double")).otherwise(lit(1, "double"))]);
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
      catchAll: [...s.catchAll],
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
    const catchAll = f.array("catchAll").map((u, j) => {
      if (typeof u !== "boolean") throw f.error("must be true or false", `catchAll[${j}]`);
      return u;
    });
    if (
      outputs.length !== inputs.length || sizes.length !== inputs.length || catchAll.length !== inputs.length
    ) {
      throw f.error("must have as many outputs, sizes and catchAll flags as inputs");
    }
    return {
      kind: "one_hot_encoder",
      inputs,
      outputs,
      sizes,
      catchAll,
      dropLast: f.boolean("dropLast"),
      handleInvalid: f.oneOf("handleInvalid", ["error", "keep"]),
    };
  },
};
