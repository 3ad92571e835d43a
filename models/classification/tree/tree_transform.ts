/**
 * `model.transform(dataset)` of boosted trees and forests: a lazy `mapPartitions` of
 * `scoreTrees` (`score_partition.ts`) that appends the positive-class probability, the 0 / 1
 * prediction and optionally each tree's leaf to every row, on the executors. The model travels
 * in the job's JSON arguments in compact form (`compact_trees.ts`: ~330 KB for 100 trees of 63
 * leaves, ~2.7 MB for 200k nodes): inline with each task up to 512 KiB, beyond that as a broadcast
 * value each executor receives and decodes once per job (or once while a cached dataset over the
 * transform lives).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { Field, Schema } from "../../../cluster/columnar/batch.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { SchemaError } from "../../../cluster/errors.ts";
import type { GbtModel } from "../gbt/gbt_model.ts";
import { encodeCompactBinnings, encodeCompactTrees } from "./compact_trees.ts";
import type { ForestModel } from "../random_forest/forest_model.ts";
import { TREE_JOBS_MODULE } from "../tree_jobs_url.ts";

/** A model `scoreTrees` can apply. */
export type TreeEnsemble = GbtModel | ForestModel;

/** Output columns and settings of a tree model's `transform`. */
export interface TransformOptions {
  /** The input columns of the features, in model order. @default the model's feature names */
  readonly features?: readonly string[];
  /** Name of the probability column. @default {"probability"} */
  readonly probabilityCol?: string;
  /** Name of the 0 / 1 prediction column. @default {"prediction"} */
  readonly predictionCol?: string;
  /** Prediction is 1 when the probability is above this. @default {0.5} */
  readonly threshold?: number;
  /**
   * Adds one `int` column per tree, `${leafCol}_${t}`: the ordinal of the leaf the row reaches
   * among the tree's leaves in node order (breadth first). Off by default.
   */
  readonly leafCol?: string;
}

/** The JSON arguments of `scoreTrees`. */
export interface ScoreArgs {
  readonly features: readonly string[];
  readonly probabilityCol: string;
  readonly predictionCol: string;
  readonly threshold: number;
  readonly leafCol: string | undefined;
}

/** The columns `scoreTrees` appends after the input's. */
export function scoreFields(trees: number, args: Omit<ScoreArgs, "features">): Field[] {
  const out: Field[] = [
    { name: args.probabilityCol, type: "double", nullable: false },
    { name: args.predictionCol, type: "double", nullable: false },
  ];
  if (args.leafCol !== undefined) {
    for (let t = 0; t < trees; t++) out.push({ name: `${args.leafCol}_${t}`, type: "int", nullable: false });
  }
  return out;
}

/**
 * `model` applied to `dataset`, lazily: a `mapPartitions` of {@linkcode scoreTrees} on the
 * executors. Throws `SchemaError` when a feature column is missing or an output column exists.
 */
export function transformTrees(
  model: TreeEnsemble,
  dataset: Dataset,
  options: TransformOptions = {},
): Dataset {
  const features = options.features ?? model.featureNames;
  if (features.length !== model.binnings.length) {
    throw new RangeError(`The model has ${model.binnings.length} features, got ${features.length} columns`);
  }
  const schema: Schema = dataset.schema;
  for (const f of features) {
    if (!schema.some((x) => x.name === f)) {
      throw new SchemaError(`Feature column "${f}" is not in the dataset`);
    }
  }
  const threshold = options.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) {
    throw new RangeError(`threshold must be a finite number, got ${threshold}`);
  }
  const settings = {
    probabilityCol: options.probabilityCol ?? "probability",
    predictionCol: options.predictionCol ?? "prediction",
    threshold,
    leafCol: options.leafCol,
  };
  const added = scoreFields(model.trees.length, settings);
  for (const f of added) {
    if (schema.some((x) => x.name === f.name)) {
      throw new SchemaError(`Output column "${f.name}" already exists`);
    }
  }
  const args: Json = {
    model: {
      ...("initScore" in model ? { kind: "gbt", initScore: model.initScore } : { kind: "random_forest" }),
      binnings: encodeCompactBinnings(model.binnings),
      trees: encodeCompactTrees(model.trees),
    },
    features: [...features],
    probabilityCol: settings.probabilityCol,
    predictionCol: settings.predictionCol,
    threshold,
    ...(settings.leafCol === undefined ? {} : { leafCol: settings.leafCol }),
  };
  return dataset.mapPartitions({
    module: TREE_JOBS_MODULE,
    export: "scoreTrees",
    schema: [...schema, ...added],
    args,
  });
}
