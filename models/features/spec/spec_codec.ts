/**
 * A {@linkcode FeatureSpec} as JSON, decoded from `unknown` and checked to the end: every field,
 * every stage state, and that the stages fit together (decoding derives the layout). Malformed
 * input is a `ModelFormatError` naming the field. Also the bridge to the feature schema a saved
 * model keeps (`models/persistence/feature_schema.ts`): its stages are the spec's stages, and a
 * last entry of kind {@linkcode SPEC_OUTPUT_KIND} records the feature column and the label rule.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { DATA_TYPES, type Field } from "../../../cluster/columnar/batch.ts";
import type { FeatureSchema, FeatureStageState } from "../../persistence/feature_schema.ts";
import { isRecord, JsonFields } from "../../persistence/json_fields.ts";
import { decodeStage, encodeStage } from "../stages/kernels.ts";
import {
  compileLayout,
  FEATURE_SPEC_VERSION,
  featureLayout,
  type FeatureSpec,
  type LabelSpec,
} from "./feature_spec.ts";

/** The kind of the feature-schema entry that holds the feature column and the label rule. */
export const SPEC_OUTPUT_KIND = "feature_output";

const FILE = "feature spec";

function encodeLabel(label: LabelSpec): Json {
  return label.negative === undefined
    ? { column: label.column, positive: label.positive }
    : { column: label.column, positive: label.positive, negative: label.negative };
}

/** `spec` as JSON. */
export function encodeFeatureSpec(spec: FeatureSpec): Json {
  const out: Record<string, Json> = {
    version: spec.version,
    inputColumns: spec.inputColumns.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable })),
    stages: spec.stages.map(encodeStage),
    features: spec.features,
  };
  if (spec.label !== undefined) out.label = encodeLabel(spec.label);
  if (spec.weight !== undefined) out.weight = spec.weight;
  if (spec.time !== undefined) out.time = spec.time;
  return out;
}

function labelValue(f: JsonFields, k: string): string | number {
  const v = f.raw(k);
  if (typeof v === "string") return v;
  return f.number(k);
}

function decodeLabel(f: JsonFields): LabelSpec {
  const positive = labelValue(f, "positive");
  const column = f.string("column");
  return f.has("negative") ? { column, positive, negative: labelValue(f, "negative") } : { column, positive };
}

function decodeField(f: JsonFields): Field {
  return { name: f.string("name"), type: f.oneOf("type", DATA_TYPES), nullable: f.boolean("nullable") };
}

/** Decodes a spec from `u` (parsed JSON); throws `ModelFormatError`. */
export function decodeFeatureSpec(u: unknown, file = FILE): FeatureSpec {
  const f = new JsonFields(u, { file });
  const version = f.integer("version");
  if (version !== FEATURE_SPEC_VERSION) {
    throw f.error(`is ${version}; this build reads version ${FEATURE_SPEC_VERSION}`, "version");
  }
  const inputColumns = f.objects("inputColumns").map(decodeField);
  if (new Set(inputColumns.map((c) => c.name)).size !== inputColumns.length) {
    throw f.error("repeats a column", "inputColumns");
  }
  const spec: FeatureSpec = {
    version: FEATURE_SPEC_VERSION,
    inputColumns,
    stages: f.objects("stages").map(decodeStage),
    features: f.string("features"),
    ...(f.has("label") ? { label: decodeLabel(f.object("label")) } : {}),
    ...(f.has("weight") ? { weight: f.string("weight") } : {}),
    ...(f.has("time") ? { time: f.string("time") } : {}),
  };
  try {
    featureLayout(spec);
  } catch (e) {
    throw f.error(
      `has stages that do not fit together: ${e instanceof Error ? e.message : String(e)}`,
      "stages",
    );
  }
  return spec;
}

/** The feature schema a saved model keeps for `spec` (which must have a label). */
export function toFeatureSchema(spec: FeatureSpec): FeatureSchema {
  if (spec.label === undefined) throw new TypeError("A model's feature schema needs a label column");
  const layout = compileLayout(spec);
  const stages: FeatureStageState[] = layout.stages.map((s, i) => ({
    kind: s.state.kind,
    inputs: [...s.inputs],
    outputs: s.outputs(layout.before[i]!).map(([name]) => name),
    state: encodeStage(s.state),
  }));
  stages.push({
    kind: SPEC_OUTPUT_KIND,
    inputs: [spec.features],
    outputs: [],
    state: { version: spec.version, label: encodeLabel(spec.label) },
  });
  return {
    inputColumns: spec.inputColumns,
    label: spec.label.column,
    ...(spec.weight !== undefined ? { weight: spec.weight } : {}),
    ...(spec.time !== undefined ? { time: spec.time } : {}),
    stages,
    featureNames: layout.names,
  };
}

/** The spec a saved feature schema describes; throws `ModelFormatError` when it is not one. */
export function fromFeatureSchema(schema: FeatureSchema, file = FILE): FeatureSpec {
  const last = schema.stages[schema.stages.length - 1];
  if (
    last === undefined || last.kind !== SPEC_OUTPUT_KIND || last.inputs.length !== 1 || !isRecord(last.state)
  ) {
    throw new JsonFields({}, { file }).error(`has no final "${SPEC_OUTPUT_KIND}" stage`, "stages");
  }
  const out = new JsonFields(last.state, { file, path: `stages[${schema.stages.length - 1}].state` });
  const spec = decodeFeatureSpec({
    version: out.integer("version"),
    inputColumns: schema.inputColumns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    stages: schema.stages.slice(0, -1).map((s) => s.state),
    features: last.inputs[0]!,
    label: out.json("label"),
    ...(schema.weight !== undefined ? { weight: schema.weight } : {}),
    ...(schema.time !== undefined ? { time: schema.time } : {}),
  }, file);
  const names = featureLayout(spec).names;
  if (names.length !== schema.featureNames.length || names.some((n, i) => n !== schema.featureNames[i])) {
    throw new JsonFields({}, { file }).error("lists feature names its stages do not make", "featureNames");
  }
  return spec;
}
