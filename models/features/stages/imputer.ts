/**
 * The fitted imputer: a missing value (null, or NaN in a number column) becomes the column's fill
 * value learned in fit (mean, median or mode of the training data); other values pass through as
 * doubles (text stays text). Number columns only, except for `"mode"`, which also fills text.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { coalesce, col, type Column, lit, when } from "../../../cluster/expr/column.ts";
import { isRecord, type JsonFields } from "../../persistence/json_fields.ts";
import { type ColumnInfo, infoOf } from "../column_info.ts";
import {
  asDouble,
  type CompiledStage,
  doubleLit,
  isMissing,
  jsonNumber,
  numberFromJson,
  type StageKernel,
} from "./stage.ts";

/** How an imputer picks a column's fill value. */
export type ImputeStrategy = "mean" | "median" | "mode";

/** What an imputer learned. */
export interface ImputerState {
  /** The stage kind, as written in JSON. */
  readonly kind: "imputer";
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** How the fills were computed. */
  readonly strategy: ImputeStrategy;
  /** Per input column its fill: a number for number columns, text for text columns. */
  readonly fills: readonly (number | string)[];
}

const STAGE = "Imputer";

/** The imputer's kernel. */
export const imputerKernel: StageKernel<ImputerState> = {
  inputs: (s) => s.inputs,
  outputs(s, infos) {
    return s.inputs.map((input, j): [string, ColumnInfo] => {
      const info = infoOf(infos, input, STAGE);
      const fill = s.fills[j];
      if (info.kind === "vector") {
        throw new TypeError(`${STAGE} reads scalar columns, but "${input}" is a vector`);
      }
      if ((info.kind === "string") !== (typeof fill === "string")) {
        throw new TypeError(
          `${STAGE} fill ${JSON.stringify(fill)} does not fit ${info.kind} column "${input}"`,
        );
      }
      return [s.outputs[j]!, info];
    });
  },
  apply(s, frame) {
    const n = frame.length;
    const outs = s.inputs.map((input, j) => {
      const fill = s.fills[j]!;
      if (typeof fill === "string") {
        return { kind: "string" as const, values: frame.string(input).map((v) => v ?? fill) };
      }
      const src = frame.number(input), out = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const x = src[r]!;
        out[r] = x === x ? x : fill;
      }
      return { kind: "number" as const, values: out };
    });
    outs.forEach((c, j) => frame.set(s.outputs[j]!, c));
  },
  compile(s, ctx): CompiledStage {
    const columns = s.inputs.map((input, j): [string, Column] => {
      const fill = s.fills[j]!;
      if (typeof fill === "string") return [s.outputs[j]!, coalesce(col(input), lit(fill))];
      const v = asDouble(input, ctx.schema);
      return [s.outputs[j]!, when(isMissing(v), doubleLit(fill)).otherwise(v)];
    });
    return { columns };
  },
  encode(s): Json {
    return {
      inputs: [...s.inputs],
      outputs: [...s.outputs],
      strategy: s.strategy,
      fills: s.fills.map((x) => typeof x === "string" ? { text: x } : jsonNumber(x)),
    };
  },
  decode(f: JsonFields): ImputerState {
    const inputs = f.strings("inputs"), outputs = f.strings("outputs");
    const fills = f.array("fills").map((u, j) => {
      const fail = () => f.error("must be a number or { text }", `fills[${j}]`);
      if (isRecord(u)) {
        const text = u["text"];
        if (typeof text !== "string") throw fail();
        return text;
      }
      return numberFromJson(u, fail);
    });
    if (outputs.length !== inputs.length || fills.length !== inputs.length) {
      throw f.error("must have as many outputs and fills as inputs");
    }
    return {
      kind: "imputer",
      inputs,
      outputs,
      strategy: f.oneOf("strategy", ["mean", "median", "mode"]),
      fills,
    };
  },
};
