/**
 * Every kind of fitted stage, as one closed union, and the single dispatch from a state to its
 * kernel. A state travels as JSON `{ kind, ...fields }` ({@linkcode encodeStage}) and is decoded
 * from `unknown` by {@linkcode decodeStage}; an unknown kind is a `ModelFormatError`.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { JsonFields } from "../../persistence/json_fields.ts";
import type { ColumnInfo, ColumnInfos } from "../column_info.ts";
import type { Frame } from "../frame.ts";
import { bucketizerKernel, type BucketizerState } from "./bucketizer.ts";
import { featureBinnerKernel, type FeatureBinnerState } from "./feature_binner.ts";
import { imputerKernel, type ImputerState } from "./imputer.ts";
import { oneHotEncoderKernel, type OneHotEncoderState } from "./one_hot_encoder.ts";
import type { CompileContext, CompiledStage, StageKernel } from "./stage.ts";
import { standardScalerKernel, type StandardScalerState } from "./standard_scaler.ts";
import { stringIndexerKernel, type StringIndexerState } from "./string_indexer.ts";
import { targetEncoderKernel, type TargetEncoderState } from "./target_encoder.ts";
import { vectorAssemblerKernel, type VectorAssemblerState } from "./vector_assembler.ts";

/** The fitted state of any feature stage. */
export type StageState =
  | StringIndexerState
  | OneHotEncoderState
  | VectorAssemblerState
  | ImputerState
  | StandardScalerState
  | BucketizerState
  | FeatureBinnerState
  | TargetEncoderState;

/** Every stage kind, as written in JSON. */
export const STAGE_KINDS: readonly StageState["kind"][] = [
  "string_indexer",
  "one_hot_encoder",
  "vector_assembler",
  "imputer",
  "standard_scaler",
  "bucketizer",
  "feature_binner",
  "target_encoder",
];

/** A state bound to its kernel. */
export interface BoundStage {
  readonly state: StageState;
  readonly inputs: readonly string[];
  outputs(infos: ColumnInfos): readonly (readonly [string, ColumnInfo])[];
  apply(frame: Frame, infos: ColumnInfos): void;
  compile(ctx: CompileContext): CompiledStage;
  encode(): Json;
}

function bind<S extends StageState>(kernel: StageKernel<S>, state: S): BoundStage {
  return {
    state,
    inputs: kernel.inputs(state),
    outputs: (infos) => kernel.outputs(state, infos),
    apply: (frame, infos) => kernel.apply(state, frame, infos),
    compile: (ctx) => kernel.compile(state, ctx),
    encode: () => kernel.encode(state),
  };
}

/** The kernel operations of `state`. */
export function bindStage(state: StageState): BoundStage {
  switch (state.kind) {
    case "string_indexer":
      return bind(stringIndexerKernel, state);
    case "one_hot_encoder":
      return bind(oneHotEncoderKernel, state);
    case "vector_assembler":
      return bind(vectorAssemblerKernel, state);
    case "imputer":
      return bind(imputerKernel, state);
    case "standard_scaler":
      return bind(standardScalerKernel, state);
    case "bucketizer":
      return bind(bucketizerKernel, state);
    case "feature_binner":
      return bind(featureBinnerKernel, state);
    case "target_encoder":
      return bind(targetEncoderKernel, state);
    default:
      return state satisfies never;
  }
}

/** `state` as JSON: `{ kind, ...fields }`. */
export function encodeStage(state: StageState): Json {
  const body = bindStage(state).encode();
  return {
    kind: state.kind,
    ...(typeof body === "object" && body !== null && !Array.isArray(body) ? body : {}),
  };
}

/** A stage state from `fields` (a parsed `{ kind, ... }` object); throws `ModelFormatError`. */
export function decodeStage(fields: JsonFields): StageState {
  const kind = fields.oneOf("kind", STAGE_KINDS);
  switch (kind) {
    case "string_indexer":
      return stringIndexerKernel.decode(fields);
    case "one_hot_encoder":
      return oneHotEncoderKernel.decode(fields);
    case "vector_assembler":
      return vectorAssemblerKernel.decode(fields);
    case "imputer":
      return imputerKernel.decode(fields);
    case "standard_scaler":
      return standardScalerKernel.decode(fields);
    case "bucketizer":
      return bucketizerKernel.decode(fields);
    case "feature_binner":
      return featureBinnerKernel.decode(fields);
    case "target_encoder":
      return targetEncoderKernel.decode(fields);
    default:
      return kind satisfies never;
  }
}

/** A stage state from `u`, reported as `file` in errors. */
export function decodeStageFrom(u: unknown, file = "feature stage"): StageState {
  return decodeStage(new JsonFields(u, { file }));
}
