/**
 * The feature schema saved with a model: what the model reads and how raw rows became its
 * features — the input columns with their types, the label, weight and time columns, every fitted
 * feature stage's state (indexer vocabularies, imputer fills, scaler moments, bucket splits…) as
 * JSON, and the names of the assembled features in model order.
 *
 * Stage states are free-form JSON owned by the stage that wrote them (`models/features/`); this
 * layer checks only that they are JSON and keeps them in order.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import { DATA_TYPES, type Field } from "../../cluster/columnar/batch.ts";
import type { JsonFields } from "./json_fields.ts";

/** One fitted feature stage, in pipeline order. */
export interface FeatureStageState {
  /** The stage type, e.g. `"string_indexer"`, `"one_hot_encoder"`, `"standard_scaler"`. */
  readonly kind: string;
  /** Columns the stage reads. */
  readonly inputs: readonly string[];
  /** Columns the stage writes. */
  readonly outputs: readonly string[];
  /** Everything the stage learned in `fit`, e.g. `{ labels: ["admin.", …], handleInvalid: "keep" }`. */
  readonly state: Json;
}

/** What a model reads and how its features were made. */
export interface FeatureSchema {
  /** The raw input columns the pipeline reads, with their types. */
  readonly inputColumns: readonly Field[];
  /** The label column. */
  readonly label: string;
  /** The instance-weight column, if training used one. */
  readonly weight?: string;
  /** The time column of an out-of-time split, if there was one. */
  readonly time?: string;
  /** The fitted feature stages, in order. */
  readonly stages: readonly FeatureStageState[];
  /** The model's features in model order (feature `j` of the body is `featureNames[j]`). */
  readonly featureNames: readonly string[];
}

const MAX_COLUMNS = 100_000;

/** `schema` as JSON (the `schema` field of `model.json`). */
export function encodeFeatureSchema(schema: FeatureSchema): Json {
  const out: Record<string, Json> = {
    inputColumns: schema.inputColumns.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable })),
    label: schema.label,
  };
  if (schema.weight !== undefined) out.weight = schema.weight;
  if (schema.time !== undefined) out.time = schema.time;
  out.stages = schema.stages.map((s) => ({
    kind: s.kind,
    inputs: [...s.inputs],
    outputs: [...s.outputs],
    state: s.state,
  }));
  out.featureNames = [...schema.featureNames];
  return out;
}

/** Decodes the `schema` field read through `f`; throws {@linkcode ModelFormatError}. */
export function decodeFeatureSchema(f: JsonFields): FeatureSchema {
  const inputColumns = f.objects("inputColumns", MAX_COLUMNS).map((c): Field => ({
    name: c.string("name", 1000),
    type: c.oneOf("type", DATA_TYPES),
    nullable: c.boolean("nullable"),
  }));
  const names = new Set<string>();
  inputColumns.forEach((c, i) => {
    if (names.has(c.name)) throw f.error(`repeats column "${c.name}"`, `inputColumns[${i}].name`);
    names.add(c.name);
  });
  const stages = f.objects("stages", MAX_COLUMNS).map((s): FeatureStageState => ({
    kind: s.string("kind", 200),
    inputs: s.strings("inputs", MAX_COLUMNS),
    outputs: s.strings("outputs", MAX_COLUMNS),
    state: s.json("state"),
  }));
  const weight = f.optionalString("weight"), time = f.optionalString("time");
  return {
    inputColumns,
    label: f.string("label", 1000),
    ...(weight === undefined ? {} : { weight }),
    ...(time === undefined ? {} : { time }),
    stages,
    featureNames: f.strings("featureNames", MAX_COLUMNS),
  };
}
