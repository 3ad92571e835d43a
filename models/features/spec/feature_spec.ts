/**
 * The `FeatureSpec`: a fitted feature pipeline as one JSON-serializable value — the raw input
 * columns, every stage's fitted state in order, the column that holds the model's features, and
 * the label, weight and time columns. It is what executors receive to assemble features inside
 * per-partition jobs, what a saved model keeps, and what scoring (and later streaming) runs, so
 * training and serving share one definition of every feature.
 *
 * Everything else — the meaning of every column, the feature names and kinds — is derived from
 * the spec by {@linkcode featureLayout}, the same way `fit` derived it.
 *
 * @module
 */
import type { Field, Schema } from "../../../cluster/columnar/batch.ts";
import {
  type ColumnInfo,
  type ColumnInfos,
  inferColumnInfo,
  type Slot,
  slotColumn,
  slotsOf,
} from "../column_info.ts";
import { bindStage, type BoundStage, type StageState } from "../stages/kernels.ts";
import { afterStage } from "../transform_plan.ts";

/** The version of the spec format this build writes and reads. */
export const FEATURE_SPEC_VERSION = 1;

/**
 * How the label column becomes 0/1: `positive` is 1; `negative` is 0 (when absent, every other
 * non-null value is 0). Number and bool columns are read as numbers (true = 1). Null labels are
 * errors.
 */
export interface LabelSpec {
  /** The label column. */
  readonly column: string;
  /** The value that means 1. */
  readonly positive: string | number;
  /** The value that means 0 (when absent, any other non-null value). */
  readonly negative?: string | number;
}

/** A fitted feature pipeline (see the module doc). */
export interface FeatureSpec {
  /** The format version ({@linkcode FEATURE_SPEC_VERSION}). */
  readonly version: typeof FEATURE_SPEC_VERSION;
  /** The raw columns the stages read, with their types. */
  readonly inputColumns: readonly Field[];
  /** Fitted stages, in order. */
  readonly stages: readonly StageState[];
  /** The column holding the features: a vector, or a single number column. */
  readonly features: string;
  /** How the label column becomes 0/1. */
  readonly label?: LabelSpec;
  /** The instance-weight column. */
  readonly weight?: string;
  /** The time column (e.g. of an out-of-time split). */
  readonly time?: string;
}

/** What a spec's features are, derived from it. */
export interface FeatureLayout {
  /** Feature names in model order (`age`, `job=admin.`, …). */
  readonly names: readonly string[];
  /** Every feature's name and kind (numeric, or categorical with its cardinality). */
  readonly slots: readonly Slot[];
  /** Features per row. */
  readonly dim: number;
  /** The index of the feature binner stage that produces the features, if the spec ends in one. */
  readonly binner: number | undefined;
}

/** @internal A layout with the stages bound to their kernels, for the code that runs them. */
export interface CompiledLayout extends FeatureLayout {
  /** The stages bound to their kernels. */
  readonly stages: readonly BoundStage[];
  /** What the columns mean before each stage (`before[i]` for stage `i`); `before[n]` is the end. */
  readonly before: readonly ColumnInfos[];
}

/** Derives the layout of `spec`; throws `TypeError` when its stages do not fit together. */
export function featureLayout(spec: FeatureSpec): FeatureLayout {
  const { names, slots, dim, binner } = compileLayout(spec);
  return { names, slots, dim, binner };
}

/** @internal {@linkcode featureLayout} with the bound stages; throws `TypeError` likewise. */
export function compileLayout(spec: FeatureSpec): CompiledLayout {
  const stages = spec.stages.map(bindStage);
  const before: ColumnInfos[] = [];
  let infos: ColumnInfos = inferColumnInfo(spec.inputColumns);
  for (const stage of stages) {
    before.push(infos);
    infos = afterStage(infos, stage);
  }
  before.push(infos);
  const info = infos.get(spec.features);
  if (info === undefined) {
    throw new TypeError(
      `The feature column "${spec.features}" is not made by the stages nor an input column`,
    );
  }
  const slots = slotsOf(spec.features, info, "FeatureSpec");
  let binner: number | undefined;
  for (let i = stages.length - 1; i >= 0; i--) {
    const s = stages[i]!.state;
    if (s.kind === "feature_binner" && s.output === spec.features) {
      binner = i;
      break;
    }
  }
  return { names: slots.map((s) => s.name), slots, dim: slots.length, stages, before, binner };
}

/**
 * The raw columns `stages` read from a dataset with `schema` (columns no earlier stage writes), in
 * the order first read; a vector input brings all its slot columns.
 */
export function rawInputs(stages: readonly BoundStage[], schema: Schema, infos: ColumnInfos): Field[] {
  const written = new Set<string>();
  const out = new Map<string, Field>();
  let current: ColumnInfos = infos;
  const add = (name: string) => {
    const f = schema.find((x) => x.name === name);
    if (f !== undefined && !out.has(name)) {
      out.set(name, { name: f.name, type: f.type, nullable: f.nullable });
    }
  };
  for (const stage of stages) {
    for (const input of stage.inputs) {
      if (written.has(input)) continue;
      const info: ColumnInfo | undefined = current.get(input);
      if (info?.kind === "vector") info.slots.forEach((s) => add(slotColumn(input, s.name)));
      else add(input);
    }
    for (const [name] of stage.outputs(current)) written.add(name);
    current = afterStage(current, stage);
  }
  return [...out.values()];
}
