/**
 * `Pipeline`: stages fitted in order on the training data, each on the output of the ones before
 * it (transformed lazily on the cluster), with the meaning of every column passed along so an
 * encoder knows the labels its indexer learned. The result, a {@linkcode PipelineModel}, transforms
 * any dataset (fused engine expressions) and compiles to a {@linkcode FeatureSpec}.
 *
 * @example
 * ```ts ignore
 * const pipeline = new Pipeline([
 *   new StringIndexer({ inputCols: ["job", "marital"], handleInvalid: "keep" }),
 *   new OneHotEncoder({ inputCols: ["job_index", "marital_index"] }),
 *   new VectorAssembler({ inputCols: ["age", "job_index_vec", "marital_index_vec"] }),
 * ], { label: { column: "y", positive: "yes", negative: "no" } });
 * const model = await pipeline.fit(train);
 * model.featureNames; // ["age", "job=admin.", …]
 * const spec = model.spec; // JSON: what executors assemble with
 * ```
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { Schema } from "../../cluster/columnar/batch.ts";
import { emptyBatch } from "../../cluster/columnar/batch_ops.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { type ColumnInfos, inferColumnInfo } from "./column_info.ts";
import {
  type Estimator,
  FeatureModel,
  type FitContext,
  fitInfos,
  type Transformer,
} from "./feature_model.ts";
import { checkChoice, checkColumn } from "./params.ts";
import { FEATURE_FNS_MODULE, transformArgs } from "./partition_fns.ts";
import { transformBatch } from "./spec/assemble.ts";
import {
  type CompiledLayout,
  compileLayout,
  FEATURE_SPEC_VERSION,
  type FeatureLayout,
  featureLayout,
  type FeatureSpec,
  type LabelSpec,
  rawInputs,
} from "./spec/feature_spec.ts";
import { encodeFeatureSpec } from "./spec/spec_codec.ts";
import { afterStage, transformWithExpressions } from "./transform_plan.ts";

/** Options of {@linkcode Pipeline}: what the compiled spec names. */
export interface PipelineOptions {
  /** The column holding the features. @default {the last stage's last output} */
  features?: string;
  /**
   * The label: a column name (a 0/1 number or bool column) or a {@linkcode LabelSpec} (needed
   * for text labels, e.g. `{ column: "y", positive: "yes", negative: "no" }`).
   */
  label?: string | LabelSpec;
  /** An instance-weight column. */
  weight?: string;
  /** The time column (recorded for out-of-time evaluation and persistence). */
  time?: string;
}

/** A stage of a pipeline: an estimator of one fitted stage, or of a fitted pipeline. */
export type PipelineStage = Estimator<FeatureModel> | Estimator<PipelineModel>;

/** Fits stages in order. */
export class Pipeline implements Estimator<PipelineModel> {
  /** The stages, in fitting order. */
  readonly stages: readonly PipelineStage[];
  /** The options the compiled spec names. */
  readonly options: Readonly<PipelineOptions>;

  /** Throws `RangeError` for an empty stage list or a bad column option. */
  constructor(stages: readonly PipelineStage[], options: PipelineOptions = {}) {
    if (!Array.isArray(stages) || stages.length === 0) {
      throw new RangeError("stages must be a non-empty list");
    }
    this.stages = [...stages];
    if (options.features !== undefined) checkColumn("features", options.features);
    if (options.weight !== undefined) checkColumn("weight", options.weight);
    if (options.time !== undefined) checkColumn("time", options.time);
    if (options.label !== undefined) {
      checkColumn("label", typeof options.label === "string" ? options.label : options.label.column);
    }
    this.options = { ...options };
  }

  /** Fits every stage on the cluster, in order; the training data never leaves the executors. */
  async fit(dataset: Dataset, context?: FitContext): Promise<PipelineModel> {
    const base = fitInfos(dataset, context);
    let infos: ColumnInfos = base;
    const fitted: FeatureModel[] = [];
    for (const stage of this.stages) {
      const current = fitted.length === 0
        ? dataset
        : transformWithExpressions(dataset, fitted.map((m) => m.bound), base);
      const model = await stage.fit(current, {
        columns: infos,
        ...(context?.signal ? { signal: context.signal } : {}),
      });
      const models = model instanceof PipelineModel ? model.stages : [model];
      for (const m of models) {
        fitted.push(m);
        infos = afterStage(infos, m.bound);
      }
    }
    return PipelineModel.fromStages(fitted, {
      schema: dataset.schema,
      known: context?.columns,
      ...this.options,
    });
  }
}

/** Fitted stages and the spec they compile to. */
export class PipelineModel implements Transformer, Estimator<PipelineModel> {
  /** The fitted stages, in order. */
  readonly stages: readonly FeatureModel[];
  /** The spec the fitted stages compile to (JSON-serializable). */
  readonly spec: FeatureSpec;
  /** Feature names and kinds derived from the spec. */
  readonly layout: FeatureLayout;
  readonly #compiled: CompiledLayout;

  private constructor(stages: readonly FeatureModel[], spec: FeatureSpec) {
    this.stages = stages;
    this.spec = spec;
    this.#compiled = compileLayout(spec);
    this.layout = featureLayout(spec);
  }

  /**
   * A model of fitted `stages` over data with `schema`. Throws `TypeError` when the stages do not
   * fit together or the feature column is not numbers; `RangeError` for a text label without a
   * positive value.
   */
  static fromStages(
    stages: readonly FeatureModel[],
    options: PipelineOptions & { schema: Schema; known?: ColumnInfos | undefined },
  ): PipelineModel {
    const bound = stages.map((m) => m.bound);
    const start: ColumnInfos = new Map([...inferColumnInfo(options.schema), ...(options.known ?? [])]);
    let infos = start;
    for (const b of bound.slice(0, -1)) infos = afterStage(infos, b);
    const last = bound[bound.length - 1];
    const lastOutputs = last === undefined ? [] : last.outputs(infos).map(([n]) => n);
    const features = options.features ?? lastOutputs[lastOutputs.length - 1];
    if (features === undefined) throw new TypeError("A pipeline model needs a feature column");
    const label = options.label === undefined ? undefined : resolveLabel(options.label, options.schema);
    const spec: FeatureSpec = {
      version: FEATURE_SPEC_VERSION,
      inputColumns: rawInputs(bound, options.schema, start),
      stages: bound.map((b) => b.state),
      features,
      ...(label !== undefined ? { label } : {}),
      ...(options.weight !== undefined ? { weight: options.weight } : {}),
      ...(options.time !== undefined ? { time: options.time } : {}),
    };
    return new PipelineModel(stages, spec);
  }

  /** The model a spec describes (e.g. one loaded from a model directory). */
  static fromSpec(spec: FeatureSpec): PipelineModel {
    const layout = compileLayout(spec);
    const stages = layout.stages.map((s, i) => new FeatureModel(s.state, layout.before[i]!));
    return new PipelineModel(stages, spec);
  }

  /** Feature names in model order (`age`, `job=admin.`, …). */
  get featureNames(): readonly string[] {
    return this.layout.names;
  }

  /** Returns itself: a fitted pipeline needs no fitting. */
  fit(): Promise<PipelineModel> {
    return Promise.resolve(this);
  }

  /**
   * The dataset with every stage's outputs added (lazy). By default the spec itself runs on the
   * executors (`mapPartitions` of {@linkcode FEATURE_FNS_MODULE}, the code `assembleBlock` runs),
   * so `"error"` stages fail the job with `InvalidRowError` and vocabularies have no size limit.
   * `via: "expressions"` compiles the stages to fused engine expressions instead (visible in
   * `explain()`; for drivers that cannot load `models/` modules), with the limits noted in each
   * stage (vocabularies up to `MAX_EXPRESSION_LABELS`; `"error"` leaves null). Both give the same
   * columns, in the same order, with the same values.
   */
  transform(dataset: Dataset, options: { via?: "expressions" | "partitions" } = {}): Dataset {
    const via = checkChoice("via", options.via ?? "partitions", ["expressions", "partitions"]);
    if (via === "expressions") {
      return transformWithExpressions(
        dataset,
        this.#compiled.stages,
        inferColumnInfo(this.spec.inputColumns),
      );
    }
    return dataset.mapPartitions({
      module: FEATURE_FNS_MODULE,
      export: "transformPartition",
      schema: transformBatch(emptyBatch(dataset.schema), this.spec).schema,
      args: transformArgs(this.spec),
    });
  }

  /** The spec as JSON. */
  toJSON(): Json {
    return encodeFeatureSpec(this.spec);
  }
}

/** The label rule for `label` over `schema`. */
function resolveLabel(label: string | LabelSpec, schema: Schema): LabelSpec {
  const column = typeof label === "string" ? label : label.column;
  const field = schema.find((f) => f.name === column);
  if (field === undefined) throw new TypeError(`The label column "${column}" is not in the dataset`);
  if (typeof label !== "string") {
    const text = field.type === "string";
    const ok = (v: unknown) => v === undefined || (text ? typeof v === "string" : typeof v === "number");
    if (!ok(label.positive) || !ok(label.negative)) {
      throw new RangeError(
        `label.positive and label.negative must be ${
          text ? "text" : "numbers"
        } for ${field.type} column "${column}"`,
      );
    }
    return label;
  }
  if (field.type === "string") {
    throw new RangeError(`label "${column}" is text: give { column, positive } to say which value is 1`);
  }
  return { column, positive: 1, negative: 0 };
}
