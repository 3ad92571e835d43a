/**
 * The bucketizer: `splits` `s_0 < s_1 < … < s_m` make `m` buckets; `x` in `[s_i, s_{i+1})` is
 * bucket `i`, and `x = s_m` is bucket `m - 1` (the last bucket is closed, as Spark's). Splits may
 * be ±Infinity. Missing values and values outside `[s_0, s_m]` are invalid: `"error"` throws,
 * `"skip"` drops the row, `"keep"` gives bucket `m` (named `__invalid`). The output is an ordinal
 * category index whose labels name the intervals, e.g. `[30, 40)`.
 *
 * As expressions, `"error"` cannot fail a job: invalid rows get null instead
 * (`PipelineModel.transform` runs the frame form by default, which fails).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { type Column, lit, when } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfo, infoOf } from "../column_info.ts";
import type { HandleInvalid } from "../params.ts";
import {
  allOf,
  asDouble,
  type CompiledStage,
  doubleLit,
  invalidValueError,
  jsonNumber,
  numberList,
  type StageKernel,
} from "./stage.ts";

/** The label of the bucket that `"keep"` gives invalid values. */
export const INVALID_BUCKET = "__invalid";

/** What a bucketizer is (given splits, or splits a quantile discretizer learned). */
export interface BucketizerState {
  /** The stage kind, as written in JSON. */
  readonly kind: "bucketizer";
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** Per input column: at least 2 strictly increasing splits. */
  readonly splits: readonly (readonly number[])[];
  /** What happens to values the stage cannot encode. */
  readonly handleInvalid: HandleInvalid;
}

const STAGE = "Bucketizer";

/** Throws `RangeError` unless `splits` has at least 2 strictly increasing, non-NaN values. */
export function checkSplits(name: string, splits: readonly number[]): void {
  if (!Array.isArray(splits) || splits.length < 2) {
    throw new RangeError(`${name} must have at least 2 values, got ${JSON.stringify(splits)}`);
  }
  for (let i = 0; i < splits.length; i++) {
    const x = splits[i];
    if (typeof x !== "number" || Number.isNaN(x) || (i > 0 && !(x > splits[i - 1]!))) {
      throw new RangeError(
        `${name} must be strictly increasing numbers, got ${splits.map(String).join(", ")}`,
      );
    }
  }
}

/** The bucket of `x`, or -1 when it is missing or outside the splits. */
export function bucketOf(splits: readonly number[], x: number): number {
  const m = splits.length - 1;
  if (!(x >= splits[0]! && x <= splits[m]!)) return -1;
  if (x === splits[m]) return m - 1;
  let lo = 0, hi = m; // splits[lo] <= x < splits[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (splits[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Interval labels of the buckets. */
function bucketLabels(splits: readonly number[], keep: boolean): string[] {
  const m = splits.length - 1;
  const labels = [];
  for (let i = 0; i < m; i++) labels.push(`[${splits[i]}, ${splits[i + 1]}${i === m - 1 ? "]" : ")"}`);
  if (keep) labels.push(INVALID_BUCKET);
  return labels;
}

/** The bucketizer's kernel. */
export const bucketizerKernel: StageKernel<BucketizerState> = {
  inputs: (s) => s.inputs,
  outputs(s, infos) {
    return s.inputs.map((input, j): [string, ColumnInfo] => {
      const info = infoOf(infos, input, STAGE);
      if (info.kind !== "numeric" && info.kind !== "nominal") {
        throw new TypeError(`${STAGE} reads numbers, but column "${input}" is ${info.kind}`);
      }
      const labels = bucketLabels(s.splits[j]!, s.handleInvalid === "keep");
      return [s.outputs[j]!, {
        kind: "nominal",
        source: input,
        labels,
        ordinal: true,
        catchAll: s.handleInvalid === "keep",
      }];
    });
  },
  apply(s, frame) {
    const n = frame.length;
    const drop = s.handleInvalid === "skip" ? new Uint8Array(n) : undefined;
    const outs = s.inputs.map((input, j) => {
      const splits = s.splits[j]!, m = splits.length - 1;
      const src = frame.number(input), out = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const b = bucketOf(splits, src[r]!);
        if (b >= 0) out[r] = b;
        else if (s.handleInvalid === "keep") out[r] = m;
        else if (drop !== undefined) drop[r] = 1;
        else throw invalidValueError(STAGE, input, src[r], `it is outside [${splits[0]}, ${splits[m]}]`);
      }
      return out;
    });
    outs.forEach((values, j) => frame.set(s.outputs[j]!, { kind: "number", values }));
    if (drop !== undefined) frame.dropRows(drop);
  },
  compile(s, ctx): CompiledStage {
    const keeps: Column[] = [];
    const columns = s.inputs.map((input, j): [string, Column] => {
      const splits = s.splits[j]!, m = splits.length - 1;
      const v = asDouble(input, ctx.schema);
      const invalid = s.handleInvalid === "keep" ? lit(m, "double") : lit(null, "double");
      let chain = when(v.lt(doubleLit(splits[0]!)), invalid);
      for (let i = 1; i <= m; i++) chain = chain.when(v.lt(doubleLit(splits[i]!)), lit(i - 1, "double"));
      keeps.push(v.ge(doubleLit(splits[0]!)).and(v.le(doubleLit(splits[m]!))));
      return [
        s.outputs[j]!,
        chain.when(v.eq(doubleLit(splits[m]!)), lit(m - 1, "double")).otherwise(invalid),
      ];
    });
    return s.handleInvalid === "skip" ? { columns, keep: allOf(keeps) } : { columns };
  },
  encode(s): Json {
    return {
      inputs: [...s.inputs],
      outputs: [...s.outputs],
      splits: s.splits.map((x) => x.map(jsonNumber)),
      handleInvalid: s.handleInvalid,
    };
  },
  decode(f: JsonFields): BucketizerState {
    const inputs = f.strings("inputs"), outputs = f.strings("outputs");
    const splits = f.array("splits").map((u, j) => {
      const fail = () => f.error("must be at least 2 strictly increasing numbers", `splits[${j}]`);
      const list = numberList(u, fail);
      try {
        checkSplits("splits", list);
      } catch {
        throw fail();
      }
      return list;
    });
    if (outputs.length !== inputs.length || splits.length !== inputs.length) {
      throw f.error("must have as many outputs and split lists as inputs");
    }
    return {
      kind: "bucketizer",
      inputs,
      outputs,
      splits,
      handleInvalid: f.oneOf("handleInvalid", ["error", "skip", "keep"]),
    };
  },
};
