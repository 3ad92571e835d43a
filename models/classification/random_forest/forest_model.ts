/**
 * A trained random-forest classifier: the probability of the positive class is the mean of its
 * trees' leaf probabilities (each leaf holds the weighted positive fraction of its training rows),
 * added in tree order.
 *
 * @module
 */
import { binRows, decodeBinning, encodeBinning, type FeatureBinning } from "../tree/binning.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { type TransformOptions, transformTrees } from "../tree/tree_transform.ts";
import { Tree } from "../tree/tree_model.ts";

/** The model file's version. */
export const FOREST_MODEL_VERSION = 1;

/** A random-forest binary classifier. */
export class ForestModel {
  /** The trees; each leaf holds the weighted positive fraction of its training rows. */
  readonly trees: readonly Tree[];
  /** How each feature's raw values map to bins. */
  readonly binnings: readonly FeatureBinning[];
  /** One name per feature (the input columns, for a model fitted on a dataset). */
  readonly featureNames: readonly string[];

  /** A forest of these parts; `RangeError` without trees or when names or features do not match. */
  constructor(
    parts: { trees: readonly Tree[]; binnings: readonly FeatureBinning[]; featureNames?: readonly string[] },
  ) {
    const { trees, binnings } = parts;
    const featureNames = parts.featureNames ?? binnings.map((_, f) => `f${f}`);
    if (trees.length === 0) throw new RangeError("A forest needs at least one tree");
    if (featureNames.length !== binnings.length) {
      throw new RangeError(`Got ${featureNames.length} feature names for ${binnings.length} features`);
    }
    for (const tree of trees) {
      if (tree.arrays.feature.some((f) => f >= binnings.length)) {
        throw new RangeError(`A tree splits on a feature outside [0, ${binnings.length})`);
      }
    }
    this.trees = trees;
    this.binnings = binnings;
    this.featureNames = featureNames;
  }

  /** Probability of the positive class of a raw row (one number per feature, `NaN` missing). */
  probability(row: ArrayLike<number>): number {
    let s = 0;
    for (const tree of this.trees) s += tree.predictRow(row);
    return s / this.trees.length;
  }

  /** Probability of the positive class of a binned row starting at `bins[start]`. */
  probabilityBinned(bins: Uint8Array, start: number): number {
    let s = 0;
    for (const tree of this.trees) s += tree.predictBinned(bins, start);
    return s / this.trees.length;
  }

  /** Probabilities of `rows` rows given as feature columns. */
  predictColumns(columns: readonly ArrayLike<number>[], rows: number): Float64Array {
    const out = new Float64Array(rows);
    const row = new Float64Array(columns.length);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < columns.length; f++) row[f] = columns[f]![r]!;
      out[r] = this.probability(row);
    }
    return out;
  }

  /** Probabilities of the same columns through the model's binnings. */
  predictColumnsBinned(columns: readonly ArrayLike<number>[], rows: number): Float64Array {
    const bins = binRows(this.binnings, columns, rows);
    const width = this.binnings.length;
    return Float64Array.from({ length: rows }, (_, r) => this.probabilityBinned(bins, r * width));
  }

  /**
   * Split-gain importance as Spark computes it: per tree, each split adds gain × weight of the
   * node's rows; each tree's vector is normalized to sum 1, the trees are averaged, and the
   * result is normalized to sum 1.
   */
  featureImportance(): Float64Array {
    const total = new Float64Array(this.binnings.length);
    const perTree = new Float64Array(this.binnings.length);
    for (const tree of this.trees) {
      perTree.fill(0);
      const { feature, gain, weight } = tree.arrays;
      for (let i = 0; i < feature.length; i++) {
        if (feature[i]! >= 0) perTree[feature[i]!]! += gain[i]! * weight[i]!;
      }
      const sum = perTree.reduce((s, x) => s + x, 0);
      if (sum > 0) perTree.forEach((x, f) => total[f]! += x / sum);
    }
    const sum = total.reduce((s, x) => s + x, 0);
    return sum > 0 ? total.map((x) => x / sum) : total;
  }

  /**
   * `dataset` with the model's probability and prediction columns (and, when asked, each tree's
   * leaf), computed lazily on the executors; features are read from the columns named like the
   * model's features unless `options.features` says otherwise.
   */
  transform(dataset: Dataset, options: TransformOptions = {}): Dataset {
    return transformTrees(this, dataset, options);
  }

  /** A JSON-safe object read back by {@linkcode ForestModel.fromJSON}. */
  toJSON(): Record<string, unknown> {
    return {
      kind: "random_forest",
      version: FOREST_MODEL_VERSION,
      featureNames: [...this.featureNames],
      binnings: this.binnings.map(encodeBinning),
      trees: this.trees.map((t) => t.toJSON()),
    };
  }

  /** Decodes {@linkcode ForestModel.toJSON} output; refuses other kinds and versions (`TypeError`). */
  static fromJSON(value: unknown): ForestModel {
    if (typeof value !== "object" || value === null) throw new TypeError("A model must be an object");
    const v = value as Record<string, unknown>;
    if (v.kind !== "random_forest") throw new TypeError(`Not a random-forest model: kind ${String(v.kind)}`);
    if (v.version !== FOREST_MODEL_VERSION) {
      throw new TypeError(
        `Unsupported random-forest model version ${
          String(v.version)
        } (this build reads ${FOREST_MODEL_VERSION})`,
      );
    }
    if (!Array.isArray(v.binnings) || !Array.isArray(v.trees) || !Array.isArray(v.featureNames)) {
      throw new TypeError("A random-forest model needs binnings, trees and featureNames arrays");
    }
    if (!v.featureNames.every((n): n is string => typeof n === "string")) {
      throw new TypeError("Feature names must be strings");
    }
    return new ForestModel({
      binnings: v.binnings.map(decodeBinning),
      trees: v.trees.map((t) => Tree.fromJSON(t)),
      featureNames: v.featureNames,
    });
  }
}
