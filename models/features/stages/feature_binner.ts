/**
 * The fitted feature binner: every slot of the assembled vector becomes a tree bin id
 * (`models/classification/tree/binning.ts`): 0 for missing values (and, for categorical slots,
 * categories without a bin of their own, e.g. unseen ones), `1…k` for values. Numeric slots keep
 * their order (a split "bin ≤ t" is "x ≤ bound"); categorical slots (category indices assembled
 * as is) get one bin per category seen in fit, which trees split natively. The output vector has
 * the input's slot names and kinds; `assembleBinned` gives the same ids as bytes.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { col, type Column, lit, when } from "../../../cluster/expr/column.ts";
import {
  binValue,
  decodeBinning,
  type FeatureBinning,
  MISSING_BIN,
} from "../../classification/tree/binning.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfos, infoOf, type Slot, slotColumn, slotsOf } from "../column_info.ts";
import { asDouble, type CompiledStage, doubleLit, isMissing, jsonNumber, type StageKernel } from "./stage.ts";

/** What a feature binner learned. */
export interface FeatureBinnerState {
  /** The stage kind, as written in JSON. */
  readonly kind: "feature_binner";
  /** The input column. */
  readonly input: string;
  /** The output column. */
  readonly output: string;
  /** Per slot of the input. */
  readonly binnings: readonly FeatureBinning[];
}

const STAGE = "FeatureBinner";

/** The input's slots, checked against the binnings (kinds must agree). */
export function binnerSlots(s: FeatureBinnerState, infos: ColumnInfos): readonly Slot[] {
  const slots = slotsOf(s.input, infoOf(infos, s.input, STAGE), STAGE);
  if (slots.length !== s.binnings.length) {
    throw new TypeError(
      `${STAGE} was fitted on ${s.binnings.length} slots, but "${s.input}" has ${slots.length}`,
    );
  }
  slots.forEach((slot, c) => {
    if (slot.kind !== s.binnings[c]!.kind) {
      throw new TypeError(
        `${STAGE} slot "${slot.name}" is ${slot.kind}, but its binning is ${s.binnings[c]!.kind}`,
      );
    }
  });
  return slots;
}

/** The feature binner's kernel. */
export const featureBinnerKernel: StageKernel<FeatureBinnerState> = {
  inputs: (s) => [s.input],
  outputs(s, infos) {
    return [[s.output, { kind: "vector", slots: binnerSlots(s, infos) }]];
  },
  apply(s, frame, infos) {
    const w = binnerSlots(s, infos).length;
    const src = frame.vector(s.input, w), out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = binValue(s.binnings[i % w]!, src[i]!);
    frame.set(s.output, { kind: "vector", width: w, values: out });
  },
  compile(s, ctx): CompiledStage {
    const info = infoOf(ctx.infos, s.input, STAGE);
    const slots = binnerSlots(s, ctx.infos);
    return {
      columns: slots.map((slot, c): [string, Column] => {
        const v = info.kind === "vector"
          ? col(slotColumn(s.input, slot.name))
          : asDouble(s.input, ctx.schema);
        const b = s.binnings[c]!;
        const out = slotColumn(s.output, slot.name);
        if (b.kind === "numeric") {
          let chain = when(isMissing(v), lit(MISSING_BIN, "double"));
          b.upperBounds.forEach((u, t) => chain = chain.when(v.le(doubleLit(u)), lit(t + 1, "double")));
          return [out, chain.otherwise(lit(b.upperBounds.length + 1, "double"))];
        }
        if (b.categories.length === 0) return [out, lit(MISSING_BIN, "double")];
        let chain = when(v.eq(doubleLit(b.categories[0]!)), lit(1, "double"));
        b.categories.forEach((code, t) => {
          if (t > 0) chain = chain.when(v.eq(doubleLit(code)), lit(t + 1, "double"));
        });
        return [out, chain.otherwise(lit(MISSING_BIN, "double"))];
      }),
    };
  },
  encode(s): Json {
    return {
      input: s.input,
      output: s.output,
      binnings: s.binnings.map((b): Json =>
        b.kind === "numeric"
          ? { kind: "numeric", upperBounds: b.upperBounds.map(jsonNumber) }
          : { kind: "categorical", categories: b.categories.map(jsonNumber) }
      ),
    };
  },
  decode(f: JsonFields): FeatureBinnerState {
    const binnings = f.array("binnings").map((u, j) => {
      try {
        return decodeBinning(u);
      } catch (e) {
        throw f.error(e instanceof Error ? e.message : String(e), `binnings[${j}]`);
      }
    });
    return { kind: "feature_binner", input: f.string("input"), output: f.string("output"), binnings };
  },
};
