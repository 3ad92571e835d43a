/**
 * A fitted feature pipeline applied to one row without building a batch: what
 * {@linkcode FeatureAssembler.block} gives for a one-row batch, computed stage by stage on the
 * row's values, for the scorer's hot path (a one-row batch through the generic stages costs tens
 * of microseconds of allocation and setup, the arithmetic well under one).
 *
 * Each stage does what its kernel's `apply` does on one row (`models/features/stages/*.ts`):
 * string indexing with the fitted labels, imputing NaN / null, one-hot slots, assembling vectors,
 * standard scaling (`scaleValue`). The input row is read as `batchFromRows` then the frame read it
 * (null → NaN or undefined, booleans → 0/1, int32 columns truncated as an `Int32Array` stores
 * them). Whenever the batch path would do anything else for the row — skip it, throw (an unknown
 * category with `handleInvalid: "error"`, a non-number in a number column, a width mismatch) —
 * {@linkcode RowPipeline.assemble} returns `undefined` and the caller runs the batch path, which
 * gives the exact outcome. A pipeline with a stage of another kind (bucketizer, target encoder,
 * feature binner) has no row path ({@linkcode rowPipeline} returns `undefined`).
 *
 * @module
 */
import type { Row } from "../../cluster/columnar/batch.ts";
import { infoOf, slotsOf } from "../../models/features/column_info.ts";
import { compileLayout, type FeatureSpec } from "../../models/features/spec/feature_spec.ts";
import { scaleValue } from "../../models/features/stages/standard_scaler.ts";

/** One column's value in the row: a number (NaN missing), text (undefined missing) or a vector. */
type Value = number | string | undefined | number[];

/** A stage on one row: updates `values` in place; false when the batch path must decide. */
type RowStage = (values: Map<string, Value>) => boolean;

/** The pipeline compiled for single rows. */
export interface RowPipeline {
  /** The features of `row` (the pipeline's vector), or `undefined`: run the batch path. */
  assemble(row: Row): ArrayLike<number> | undefined;
}

/** `spec` compiled for single rows, or `undefined` when a stage has no row form. */
export function rowPipeline(spec: FeatureSpec): RowPipeline | undefined {
  const layout = compileLayout(spec);
  const stages: RowStage[] = [];
  for (let i = 0; i < spec.stages.length; i++) {
    const stage = rowStage(spec.stages[i]!, layout.before[i]!);
    if (stage === undefined) return undefined;
    stages.push(stage);
  }
  const inputs = spec.inputColumns, features = spec.features, dim = layout.dim;
  return {
    assemble(row) {
      const values = new Map<string, Value>();
      for (const f of inputs) {
        const x = row[f.name];
        if (f.type === "string") values.set(f.name, x === null || x === undefined ? undefined : String(x));
        else if (x === null || x === undefined) values.set(f.name, NaN);
        else if (f.type === "bool") values.set(f.name, x === true || x === 1 ? 1 : 0);
        else if (typeof x !== "number") return undefined;
        else values.set(f.name, f.type === "int" || f.type === "date" ? x | 0 : x);
      }
      for (const stage of stages) if (!stage(values)) return undefined;
      const out = values.get(features);
      if (dim === 1 && typeof out === "number") return [out];
      return Array.isArray(out) && out.length === dim ? out : undefined;
    },
  };
}

type StageState = FeatureSpec["stages"][number];
type Infos = Parameters<typeof infoOf>[0];

function rowStage(s: StageState, infos: Infos): RowStage | undefined {
  switch (s.kind) {
    case "string_indexer": {
      const indexes = s.labels.map((labels) => new Map(labels.map((l, i) => [l, i])));
      return (values) => {
        const out: number[] = [];
        for (let j = 0; j < s.inputs.length; j++) {
          const v = values.get(s.inputs[j]!);
          if (typeof v !== "string" && v !== undefined) return false;
          const i = v === undefined ? undefined : indexes[j]!.get(v);
          if (i !== undefined) out.push(i);
          else if (s.handleInvalid === "keep") out.push(s.labels[j]!.length);
          else return false;
        }
        s.outputs.forEach((o, j) => values.set(o, out[j]!));
        return true;
      };
    }
    case "imputer":
      return (values) => {
        const out: Value[] = [];
        for (let j = 0; j < s.inputs.length; j++) {
          const fill = s.fills[j]!, v = values.get(s.inputs[j]!);
          if (typeof fill === "string") {
            if (typeof v !== "string" && v !== undefined) return false;
            out.push(v ?? fill);
          } else {
            if (typeof v !== "number") return false;
            out.push(v === v ? v : fill);
          }
        }
        s.outputs.forEach((o, j) => values.set(o, out[j]));
        return true;
      };
    case "one_hot_encoder":
      return (values) => {
        const out: number[][] = [];
        for (let j = 0; j < s.inputs.length; j++) {
          const v = values.get(s.inputs[j]!);
          if (typeof v !== "number") return false;
          const size = s.sizes[j]!, k = s.dropLast && size > 0 ? size - 1 : size;
          const vec = new Array<number>(k + (s.handleInvalid === "keep" ? 1 : 0)).fill(0);
          if (Number.isInteger(v) && v >= 0 && v < size) {
            if (v < k) vec[v] = 1;
          } else if (!(s.catchAll[j]! && v === size)) {
            if (s.handleInvalid !== "keep") return false;
            vec[k] = 1;
          }
          out.push(vec);
        }
        s.outputs.forEach((o, j) => values.set(o, out[j]!));
        return true;
      };
    case "vector_assembler": {
      let widths: number[];
      try {
        widths = s.inputs.map((input) => slotsOf(input, infoOf(infos, input, "VectorAssembler"), "").length);
      } catch {
        return undefined;
      }
      const w = widths.reduce((a, x) => a + x, 0);
      return (values) => {
        const out = new Array<number>(w);
        let offset = 0;
        for (let j = 0; j < s.inputs.length; j++) {
          const v = values.get(s.inputs[j]!), k = widths[j]!;
          if (typeof v === "number" && k === 1) out[offset] = v;
          else if (Array.isArray(v) && v.length === k) {
            for (let c = 0; c < k; c++) out[offset + c] = v[c]!;
          } else return false;
          offset += k;
        }
        if (s.handleInvalid !== "keep") {
          for (let c = 0; c < w; c++) if (out[c] !== out[c]) return false;
        }
        values.set(s.output, out);
        return true;
      };
    }
    case "standard_scaler": {
      const w = s.mean.length;
      let vector: boolean;
      try {
        vector = infoOf(infos, s.input, "StandardScaler").kind === "vector";
      } catch {
        return undefined;
      }
      return (values) => {
        const v = values.get(s.input);
        const src = typeof v === "number" && w === 1 ? [v] : v;
        if (!Array.isArray(src) || src.length !== w) return false;
        const out = new Array<number>(w);
        for (let c = 0; c < w; c++) {
          out[c] = scaleValue(src[c]!, s.mean[c]!, s.std[c]!, s.withMean, s.withStd);
        }
        values.set(s.output, vector ? out : out[0]!);
        return true;
      };
    }
    default:
      return undefined;
  }
}
