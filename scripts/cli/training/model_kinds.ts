/**
 * The model kinds `frontier train` knows, as one table: adding a kind is one entry. An entry says
 * which feature pipeline the kind reads (`"linear"`: one-hot, dense; `"tree"`: category indices
 * split natively, raw numbers), how it fits on the cluster, how it scores, and its persistence
 * codec; the CLI does everything else (splits, threshold, evaluation, importance, model
 * directory, report) the same way for every kind.
 *
 * A kind is written once, typed over its own model class ({@linkcode defineKind}), and exposed
 * through {@linkcode ModelKind}, which hides the model type behind {@linkcode TrainedModel}, so
 * the table holds kinds of different model classes without casts.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { col } from "../../../cluster/expr/column.ts";
import { gbtCodec } from "../../../models/classification/gbt/gbt_codec.ts";
import { GbtClassifier } from "../../../models/classification/gbt/gbt_classifier.ts";
import { GbtModel } from "../../../models/classification/gbt/gbt_model.ts";
import { type GbtParams, resolveGbtParams } from "../../../models/classification/gbt/params.ts";
import {
  LOGISTIC_BODY_CODEC,
  logisticParamsJson,
} from "../../../models/classification/logistic_regression/body_codec.ts";
import { LogisticModel } from "../../../models/classification/logistic_regression/logistic_model.ts";
import { LogisticRegression } from "../../../models/classification/logistic_regression/logistic_regression.ts";
import { forestCodec } from "../../../models/classification/random_forest/forest_codec.ts";
import { RandomForestClassifier } from "../../../models/classification/random_forest/forest_classifier.ts";
import { ForestModel } from "../../../models/classification/random_forest/forest_model.ts";
import {
  type ForestParams,
  resolveForestParams,
} from "../../../models/classification/random_forest/params.ts";
import type { TreeClassWeight } from "../../../models/classification/tree/class_weights.ts";
import type { CheckpointOptions } from "../../../models/classification/tree/checkpoint.ts";
import { paramsJson } from "../../../models/classification/tree/cluster_training.ts";
import type { TreeEnsemble } from "../../../models/classification/tree/tree_transform.ts";
import { slotColumn } from "../../../models/features/column_info.ts";
import type { PipelineModel } from "../../../models/features/pipeline.ts";
import type { ModelWarning } from "../../../models/persistence/envelope.ts";
import type { BodyCodec, BodyDecoder } from "../../../models/persistence/registry.ts";

/** What a kind's `fit` gets: fit rows, validation rows and the pipeline fitted on the fit rows. */
export interface FitInput {
  /** The fit rows: raw columns plus the 0/1 label column `labelCol`. */
  readonly train: Dataset;
  /**
   * Held-out training rows, for kinds that stop early (absent on a refit: the kind then reuses
   * what the first fit chose, e.g. its number of rounds).
   */
  readonly validation?: Dataset;
  /** The feature pipeline, fitted on `train`. */
  readonly pipeline: PipelineModel;
  /** The 0/1 label column (a double). */
  readonly labelCol: string;
  /** Seeds every random choice of the fit. */
  readonly seed: number;
  /** Progress lines (rounds, trees, loss). */
  readonly log: (line: string) => void;
  /**
   * Save the model so far every few rounds or tree groups, and resume from the latest save (kinds
   * that train long: the tree models; others ignore it).
   */
  readonly checkpoint?: CheckpointOptions;
  /** Class weights (`"balanced"` or `[w0, w1]`); unset: every row weighs 1. */
  readonly classWeight?: TreeClassWeight | undefined;
  /** Cancels the fit. */
  readonly signal?: AbortSignal;
}

/** A fitted model of some kind, behind the operations the CLI needs. */
export interface TrainedModel {
  /** Its kind. */
  readonly kind: ModelKind;
  /**
   * `raw` (the columns the pipeline reads) with `probability` and `prediction` (1 when
   * probability ≥ `threshold`) appended (lazy, on the executors); other added columns may follow.
   */
  score(raw: Dataset, pipeline: PipelineModel, threshold: number): Dataset;
  /** The same model with `threshold` as its decision threshold (what is saved). */
  withThreshold(threshold: number): TrainedModel;
  /**
   * A model of the same kind and settings fitted on `input.train` (the whole training part), with
   * what this fit chose on its validation rows (e.g. the number of rounds) kept.
   */
  refit(input: FitInput): Promise<TrainedModel>;
  /** The estimator's parameters as JSON (`model.json`'s `params`). */
  params(): Json;
  /** What training warned about (collinear features, no convergence…). */
  warnings(): ModelWarning[];
  /** Split gain per feature (in pipeline feature order), for kinds that have it. */
  splitGain(): number[] | undefined;
  /** One line on how training ended (iterations, trees, loss). */
  describe(): string;
  /** Saves the model body through its codec: hands the codec and model to `save`. */
  save<R>(save: <M>(codec: BodyCodec<M>, model: M) => R): R;
}

/** A model kind, as the table holds it. */
export interface ModelKind {
  /** The CLI name (`--models lr,rf,gbt`). */
  readonly name: string;
  /** The persistence kind (`model.json`'s `kind`). */
  readonly kind: string;
  /** For people, e.g. `"logistic regression"`. */
  readonly title: string;
  /** The feature pipeline the kind reads. */
  readonly pipeline: "linear" | "tree";
  /** Fits on the cluster. */
  fit(input: FitInput): Promise<TrainedModel>;
  /** Decodes bodies of this kind (for loading). */
  readonly decoder: BodyDecoder<unknown>;
  /** Wraps a model its codec decoded. */
  wrap(model: unknown): TrainedModel;
}

/** A kind written against its own model type `M`. */
export interface KindSpec<M> {
  /** See {@linkcode ModelKind.name}. */
  readonly name: string;
  /** See {@linkcode ModelKind.title}. */
  readonly title: string;
  /** See {@linkcode ModelKind.pipeline}. */
  readonly pipeline: "linear" | "tree";
  /** The body codec of `M`. */
  readonly codec: BodyCodec<M>;
  /** Whether a decoded value is an `M` (the codec's output is checked before it is wrapped). */
  readonly is: (model: unknown) => model is M;
  /** Fits on the cluster. */
  fit(input: FitInput): Promise<M>;
  /** See {@linkcode TrainedModel.score}. */
  score(model: M, raw: Dataset, pipeline: PipelineModel, threshold: number): Dataset;
  /** See {@linkcode TrainedModel.refit}. @default {fit again} */
  refit?(model: M, input: FitInput): Promise<M>;
  /** See {@linkcode TrainedModel.withThreshold}. */
  withThreshold(model: M, threshold: number): M;
  /** See {@linkcode TrainedModel.params}. */
  params(model: M): Json;
  /** See {@linkcode TrainedModel.warnings}. */
  warnings(model: M): ModelWarning[];
  /** See {@linkcode TrainedModel.splitGain}. */
  splitGain?(model: M): number[] | undefined;
  /** See {@linkcode TrainedModel.describe}. */
  describe(model: M): string;
}

/** The {@linkcode ModelKind} of `spec`. */
export function defineKind<M>(spec: KindSpec<M>): ModelKind {
  const kind: ModelKind = {
    name: spec.name,
    kind: spec.codec.kind,
    title: spec.title,
    pipeline: spec.pipeline,
    decoder: spec.codec,
    fit: async (input) => wrap(await spec.fit(input)),
    wrap: (model) => {
      if (!spec.is(model)) throw new TypeError(`The ${spec.codec.kind} codec did not give a ${spec.title}`);
      return wrap(model);
    },
  };
  function wrap(model: M): TrainedModel {
    return {
      kind,
      score: (raw, pipeline, threshold) => spec.score(model, raw, pipeline, threshold),
      withThreshold: (t) => wrap(spec.withThreshold(model, t)),
      refit: async (input) => wrap(spec.refit ? await spec.refit(model, input) : await spec.fit(input)),
      params: () => spec.params(model),
      warnings: () => spec.warnings(model),
      splitGain: () => spec.splitGain?.(model),
      describe: () => spec.describe(model),
      save: (save) => save(spec.codec, model),
    };
  }
  return kind;
}

/** The slot columns of the pipeline's feature vector, in model order. */
export function featureColumns(pipeline: PipelineModel): string[] {
  return pipeline.featureNames.map((n) => slotColumn(pipeline.spec.features, n));
}

/** The slot columns that hold category indices (split natively by the tree models). */
export function categoricalColumns(pipeline: PipelineModel): string[] {
  return pipeline.layout.slots.flatMap((s) =>
    s.kind === "categorical" ? [slotColumn(pipeline.spec.features, s.name)] : []
  );
}

const LOGISTIC_REGRESSION = defineKind<LogisticModel>({
  name: "lr",
  title: "logistic regression",
  pipeline: "linear",
  codec: LOGISTIC_BODY_CODEC,
  is: (m): m is LogisticModel => m instanceof LogisticModel,
  async fit(input) {
    const { pipeline, labelCol, log } = input;
    const lr = new LogisticRegression({
      featureNames: pipeline.featureNames,
      ...(input.classWeight === undefined ? {} : { classWeight: input.classWeight }),
    });
    return await lr.fit(pipeline.transform(input.train), {
      featureCols: featureColumns(pipeline),
      labelCol,
      onIteration: (i) =>
        log(
          `iteration ${i.iteration}, loss ${i.value.toPrecision(8)}, gradient ${
            i.gradientNorm.toExponential(2)
          }`,
        ),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  },
  score: (model, raw, pipeline, threshold) => model.transform(pipeline.transform(raw), { threshold }),
  withThreshold: (model, threshold) => model.withThreshold(threshold),
  params: (model) => logisticParamsJson(model.params),
  warnings: (model) =>
    model.warnings.map((w): ModelWarning => {
      const { kind, message, ...data } = w;
      return { kind, message, data };
    }),
  describe: (model) => {
    const c = model.convergence;
    return `${c.solver}, ${c.iterations} iterations, ${c.passes} passes, ${
      c.converged ? "converged" : `not converged (${c.reason})`
    }, objective ${c.objective.toPrecision(8)}`;
  },
});

/**
 * Boosting settings of the CLI: modest, so `train` and the demo stay fast; early stopping on the
 * validation rows picks the number of rounds.
 */
export const GBT_PARAMS: GbtParams = {
  numRounds: 100,
  learningRate: 0.1,
  numLeaves: 31,
  earlyStoppingRounds: 20,
};

/** Forest settings of the CLI. */
export const FOREST_PARAMS: ForestParams = { numTrees: 50, maxDepth: 8 };

/** Resolved tree parameters as JSON, without the seed (`model.json` records the training seed). */
function estimatorParams(params: { readonly seed: number }): Json {
  const { seed: _, ...rest } = params;
  return paramsJson(rest);
}

/** Temporary name of the tree transform's own prediction (it predicts 1 above the threshold). */
const TREE_PREDICTION = "__tree_prediction";

/**
 * `raw` scored by a tree ensemble over the pipeline's slot columns, with `prediction` 1 when
 * probability ≥ `threshold` (the CLI's contract; the tree transform's own prediction, 1 strictly
 * above, is dropped).
 */
function scoreTrees(model: TreeEnsemble, raw: Dataset, pipeline: PipelineModel, threshold: number): Dataset {
  return model
    .transform(pipeline.transform(raw), {
      features: featureColumns(pipeline),
      threshold,
      predictionCol: TREE_PREDICTION,
    })
    .drop(TREE_PREDICTION)
    .withColumn("prediction", col("probability").ge(threshold).cast("double"));
}

/**
 * Boosted trees fitted on `input.train`: at most `numRounds` rounds, stopping early on the
 * validation rows when `stopEarly` and there are some (the model is then cut to its best round).
 */
async function fitGbt(input: FitInput, numRounds: number, stopEarly: boolean): Promise<GbtModel> {
  const { pipeline, labelCol, log } = input;
  const validation = stopEarly && input.validation !== undefined
    ? pipeline.transform(input.validation)
    : undefined;
  const { earlyStoppingRounds, ...rest } = GBT_PARAMS;
  const gbt = new GbtClassifier({
    ...rest,
    numRounds,
    seed: input.seed,
    classWeight: input.classWeight,
    ...(validation === undefined ? {} : { earlyStoppingRounds }),
  });
  let first = true;
  const t = await gbt.fit(pipeline.transform(input.train), {
    features: featureColumns(pipeline),
    categorical: categoricalColumns(pipeline),
    label: labelCol,
    ...(validation === undefined ? {} : { validation }),
    onRound: (r) => {
      if (first && r.round > 0) log(`resumed from the checkpoint after ${r.round} rounds`);
      first = false;
      log(
        `round ${r.round}, train loss ${r.trainLoss?.toPrecision(6) ?? "off"}${
          r.validationLoss === undefined ? "" : `, validation loss ${r.validationLoss.toPrecision(6)}`
        }, ${r.leaves} leaves`,
      );
    },
    ...(input.checkpoint === undefined ? {} : { checkpoint: input.checkpoint }),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
  log(
    `${t.roundsTrained} rounds${
      t.stoppedEarly ? ", stopped early" : ""
    }, keeping ${t.model.trees.length} trees`,
  );
  return t.model;
}

const GRADIENT_BOOSTED_TREES = defineKind<GbtModel>({
  name: "gbt",
  title: "gradient-boosted trees",
  pipeline: "tree",
  codec: gbtCodec,
  is: (m): m is GbtModel => m instanceof GbtModel,
  fit: (input) => fitGbt(input, GBT_PARAMS.numRounds!, true),
  // The whole training part has no validation rows: reuse the rounds early stopping chose.
  refit: (model, input) => fitGbt(input, Math.max(1, model.trees.length), false),
  score: scoreTrees,
  // Tree models carry no threshold: the CLI keeps it in `model.json`'s metrics.
  withThreshold: (model) => model,
  params: () => estimatorParams(resolveGbtParams(GBT_PARAMS)),
  warnings: () => [],
  splitGain: (model) => [...model.featureImportance()],
  describe: (model) => `${model.trees.length} trees, initial score ${model.initScore.toPrecision(6)}`,
});

const RANDOM_FOREST = defineKind<ForestModel>({
  name: "rf",
  title: "random forest",
  pipeline: "tree",
  codec: forestCodec,
  is: (m): m is ForestModel => m instanceof ForestModel,
  async fit(input) {
    const { pipeline, labelCol, log } = input;
    const rf = new RandomForestClassifier({
      ...FOREST_PARAMS,
      seed: input.seed,
      classWeight: input.classWeight,
    });
    const group = rf.params.treesPerGroup;
    let first = true;
    const { model } = await rf.fit(pipeline.transform(input.train), {
      features: featureColumns(pipeline),
      categorical: categoricalColumns(pipeline),
      label: labelCol,
      onProgress: (n) => {
        // groups start at multiples of treesPerGroup, and so do checkpoints
        const from = Math.floor((n - 1) / group) * group;
        if (first && from > 0) log(`resumed from the checkpoint after ${from} trees`);
        first = false;
        log(`${n} of ${FOREST_PARAMS.numTrees} trees`);
      },
      ...(input.checkpoint === undefined ? {} : { checkpoint: input.checkpoint }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
    return model;
  },
  score: scoreTrees,
  withThreshold: (model) => model,
  params: () => estimatorParams(resolveForestParams(FOREST_PARAMS)),
  warnings: () => [],
  splitGain: (model) => [...model.featureImportance()],
  describe: (model) => `${model.trees.length} trees`,
});

/** Every kind, in the order `--models` lists them by default. */
export const MODEL_KINDS: readonly ModelKind[] = [LOGISTIC_REGRESSION, RANDOM_FOREST, GRADIENT_BOOSTED_TREES];

/** The kind named `name` (CLI name or persistence kind), or undefined. */
export function modelKind(name: string): ModelKind | undefined {
  return MODEL_KINDS.find((k) => k.name === name || k.kind === name);
}
