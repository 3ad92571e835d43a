/**
 * The vector assembler: numeric columns, category indices and vectors, concatenated in order into
 * one vector whose slots keep their names (`age`, `job=admin.`; a category index assembled as is
 * becomes a categorical slot named after its source column, `job`, which trees split natively).
 * A row with a missing value (null or NaN) in any slot is invalid: `"error"` throws, `"skip"`
 * drops the row, `"keep"` keeps NaN in the slot (trees read it as missing).
 *
 * As expressions, `"error"` cannot fail a job: the slot is null instead
 * (`PipelineModel.transform` runs the frame form by default, which fails).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { InvalidRowError } from "../../../cluster/errors.ts";
import { col, type Column } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfos, infoOf, type Slot, slotColumn, slotsOf } from "../column_info.ts";
import type { HandleInvalid } from "../params.ts";
import { allOf, asDouble, type CompiledStage, isMissing, type StageKernel } from "./stage.ts";

/** What a vector assembler is (it learns nothing). */
export interface VectorAssemblerState {
  /** The stage kind, as written in JSON. */
  readonly kind: "vector_assembler";
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output column. */
  readonly output: string;
  /** What happens to values the stage cannot encode. */
  readonly handleInvalid: HandleInvalid;
}

const STAGE = "VectorAssembler";

/** The slots of every input, in order; `TypeError` on text inputs or repeated slot names. */
function inputSlots(s: VectorAssemblerState, infos: ColumnInfos): (readonly Slot[])[] {
  const all = s.inputs.map((input) => slotsOf(input, infoOf(infos, input, STAGE), STAGE));
  const seen = new Set<string>();
  for (const slot of all.flat()) {
    if (seen.has(slot.name)) {
      throw new TypeError(`${STAGE} would have two features named "${slot.name}": rename one input`);
    }
    seen.add(slot.name);
  }
  return all;
}

/** The vector assembler's kernel. */
export const vectorAssemblerKernel: StageKernel<VectorAssemblerState> = {
  inputs: (s) => s.inputs,
  outputs(s, infos) {
    return [[s.output, { kind: "vector", slots: inputSlots(s, infos).flat() }]];
  },
  apply(s, frame, infos) {
    const slots = inputSlots(s, infos);
    const w = slots.reduce((a, x) => a + x.length, 0), n = frame.length;
    const out = new Float64Array(n * w);
    let offset = 0;
    s.inputs.forEach((input, j) => {
      const k = slots[j]!.length;
      const src = frame.vector(input, k);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < k; c++) out[r * w + offset + c] = src[r * k + c]!;
      }
      offset += k;
    });
    let drop: Uint8Array | undefined;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < w; c++) {
        const x = out[r * w + c]!;
        if (x === x) continue;
        if (s.handleInvalid === "keep") continue;
        if (s.handleInvalid === "error") {
          const name = slots.flat()[c]!.name;
          throw new InvalidRowError(
            `${STAGE} found a missing value in feature "${name}" (set handleInvalid to "keep" or "skip", or impute it)`,
            { data: { stage: STAGE, feature: name } },
          );
        }
        (drop ??= new Uint8Array(n))[r] = 1;
        break;
      }
    }
    frame.set(s.output, { kind: "vector", width: w, values: out });
    if (drop !== undefined) frame.dropRows(drop);
  },
  compile(s, ctx): CompiledStage {
    const slots = inputSlots(s, ctx.infos);
    const columns: [string, Column][] = [];
    s.inputs.forEach((input, j) => {
      const info = infoOf(ctx.infos, input, STAGE);
      for (const slot of slots[j]!) {
        const value = info.kind === "vector"
          ? col(slotColumn(input, slot.name))
          : asDouble(input, ctx.schema);
        columns.push([slotColumn(s.output, slot.name), value]);
      }
    });
    if (s.handleInvalid !== "skip") return { columns };
    const keep = allOf(columns.map(([, v]) => isMissing(v).not()));
    return { columns, keep };
  },
  encode(s): Json {
    return { inputs: [...s.inputs], output: s.output, handleInvalid: s.handleInvalid };
  },
  decode(f: JsonFields): VectorAssemblerState {
    return {
      kind: "vector_assembler",
      inputs: f.strings("inputs"),
      output: f.string("output"),
      handleInvalid: f.oneOf("handleInvalid", ["error", "skip", "keep"]),
    };
  },
};
