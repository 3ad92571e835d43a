/**
 * The fitted standard scaler: every slot of a vector (or a single number column) becomes
 * `(x - mean) / std` with `withMean` and `withStd`, `x - mean` with `withMean` only, `x / std` with
 * `withStd` only; a slot whose training standard deviation is 0 scales to 0 (as Spark). Means and
 * sample standard deviations (n − 1) come from the training data; missing values stay missing.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { col, type Column, lit, when } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfo, type ColumnInfos, infoOf, slotColumn, slotsOf } from "../column_info.ts";
import {
  asDouble,
  type CompiledStage,
  doubleLit,
  jsonNumber,
  numberList,
  type StageKernel,
} from "./stage.ts";

/** What a standard scaler learned. */
export interface StandardScalerState {
  /** The stage kind, as written in JSON. */
  readonly kind: "standard_scaler";
  /** The input column. */
  readonly input: string;
  /** The output column. */
  readonly output: string;
  /** Whether the mean is subtracted. */
  readonly withMean: boolean;
  /** Whether values are divided by the standard deviation. */
  readonly withStd: boolean;
  /** Per slot. */
  readonly mean: readonly number[];
  /** Per slot (sample standard deviation; 0 when it has fewer than two values). */
  readonly std: readonly number[];
}

const STAGE = "StandardScaler";

/** Scales one value (the single definition of the arithmetic; expressions mirror it). */
export function scaleValue(
  x: number,
  mean: number,
  std: number,
  withMean: boolean,
  withStd: boolean,
): number {
  if (x !== x) return NaN;
  if (withStd && std === 0) return 0;
  if (withMean && withStd) return (x - mean) / std;
  if (withMean) return x - mean;
  if (withStd) return x / std;
  return x;
}

function inputInfo(s: StandardScalerState, infos: ColumnInfos): ColumnInfo {
  const info = infoOf(infos, s.input, STAGE);
  const width = info.kind === "vector" ? info.slots.length : 1;
  if (width !== s.mean.length) {
    throw new TypeError(`${STAGE} was fitted on ${s.mean.length} slots, but "${s.input}" has ${width}`);
  }
  return info;
}

/** The standard scaler's kernel. */
export const standardScalerKernel: StageKernel<StandardScalerState> = {
  inputs: (s) => [s.input],
  outputs(s, infos) {
    const info = inputInfo(s, infos);
    if (info.kind !== "vector") {
      slotsOf(s.input, info, STAGE); // rejects text
      return [[s.output, { kind: "numeric" }]];
    }
    return [[s.output, {
      kind: "vector",
      slots: info.slots.map((x) => ({ name: x.name, kind: "numeric" })),
    }]];
  },
  apply(s, frame, infos) {
    const info = inputInfo(s, infos);
    const w = s.mean.length, src = frame.vector(s.input, w), out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const c = i % w;
      out[i] = scaleValue(src[i]!, s.mean[c]!, s.std[c]!, s.withMean, s.withStd);
    }
    frame.set(
      s.output,
      info.kind === "vector" ? { kind: "vector", width: w, values: out } : {
        kind: "number",
        values: out,
      },
    );
  },
  compile(s, ctx): CompiledStage {
    const info = inputInfo(s, ctx.infos);
    const scale = (v: Column, c: number): Column => {
      const mean = s.mean[c]!, std = s.std[c]!;
      let y: Column;
      if (s.withStd && std === 0) y = lit(0, "double");
      else if (s.withMean && s.withStd) y = v.minus(doubleLit(mean)).div(doubleLit(std));
      else if (s.withMean) y = v.minus(doubleLit(mean));
      else if (s.withStd) y = v.div(doubleLit(std));
      else y = v;
      return when(v.eq(v), y);
    };
    if (info.kind !== "vector") return { columns: [[s.output, scale(asDouble(s.input, ctx.schema), 0)]] };
    return {
      columns: info.slots.map((slot, c) => [
        slotColumn(s.output, slot.name),
        scale(col(slotColumn(s.input, slot.name)), c),
      ]),
    };
  },
  encode(s): Json {
    return {
      input: s.input,
      output: s.output,
      withMean: s.withMean,
      withStd: s.withStd,
      mean: s.mean.map(jsonNumber),
      std: s.std.map(jsonNumber),
    };
  },
  decode(f: JsonFields): StandardScalerState {
    const mean = numberList(f.raw("mean"), () => f.error("must be a list of numbers", "mean"));
    const std = numberList(f.raw("std"), () => f.error("must be a list of numbers", "std"));
    if (mean.length !== std.length) throw f.error("must have as many means as standard deviations");
    if (std.some((x) => !(x >= 0))) throw f.error("must hold standard deviations ≥ 0", "std");
    return {
      kind: "standard_scaler",
      input: f.string("input"),
      output: f.string("output"),
      withMean: f.boolean("withMean"),
      withStd: f.boolean("withStd"),
      mean,
      std,
    };
  },
};
