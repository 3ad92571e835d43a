/**
 * A trained boosted-tree classifier: an initial score plus the sum of its trees' outputs gives the
 * log-odds of the positive class. Scores add tree by tree in order, the same float operations as
 * training, so a row's prediction is the same however the data was partitioned.
 *
 * @module
 */
import {
  binRows,
  decodeBinning,
  encodeBinning,
  type FeatureBinning,
  fromJsonNumber,
  toJsonNumber,
} from "../tree/binning.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { type TransformOptions, transformTrees } from "../tree/tree_transform.ts";
import { Tree } from "../tree/tree_model.ts";
import { sigmoid } from "./logistic.ts";

/** The model file's version. */
export const GBT_MODEL_VERSION = 1;

/** A boosted-trees binary classifier. */
export class GbtModel {
  /** The log-odds every row starts from (the training rows' weighted positive rate). */
  readonly initScore: number;
  /** The trees, in boosting order; their outputs add to the log-odds. */
  readonly trees: readonly Tree[];
  /** How each feature's raw values map to bins. */
  readonly binnings: readonly FeatureBinning[];
  /** One name per feature (the input columns, for a model fitted on a dataset). */
  readonly featureNames: readonly string[];

  /** A model of these parts; `RangeError` when names or split features do not match the binnings. */
  constructor(parts: {
    initScore: number;
    trees: readonly Tree[];
    binnings: readonly FeatureBinning[];
    featureNames?: readonly string[];
  }) {
    const { initScore, trees, binnings } = parts;
    const featureNames = parts.featureNames ?? binnings.map((_, f) => `f${f}`);
    if (featureNames.length !== binnings.length) {
      throw new RangeError(`Got ${featureNames.length} feature names for ${binnings.length} features`);
    }
    for (const tree of trees) {
      if (tree.arrays.feature.some((f) => f >= binnings.length)) {
        throw new RangeError(`A tree splits on a feature outside [0, ${binnings.length})`);
      }
    }
    this.initScore = initScore;
    this.trees = trees;
    this.binnings = binnings;
    this.featureNames = featureNames;
  }

  /** The first `n` trees as a model (e.g. the best iteration). */
  truncate(n: number): GbtModel {
    return new GbtModel({ ...this, trees: this.trees.slice(0, n) });
  }

  /** Log-odds of a raw row (one number per feature, `NaN` missing). */
  rawScore(row: ArrayLike<number>): number {
    let s = this.initScore;
    for (const tree of this.trees) s += tree.predictRow(row);
    return s;
  }

  /** Log-odds of a binned row starting at `bins[start]`. */
  rawScoreBinned(bins: Uint8Array, start: number): number {
    let s = this.initScore;
    for (const tree of this.trees) s += tree.predictBinned(bins, start);
    return s;
  }

  /** Probability of the positive class of a binned row starting at `bins[start]`. */
  probabilityBinned(bins: Uint8Array, start: number): number {
    return sigmoid(this.rawScoreBinned(bins, start));
  }

  /** Probability of the positive class of a raw row. */
  probability(row: ArrayLike<number>): number {
    return sigmoid(this.rawScore(row));
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

  /** Probabilities of the same columns through the model's binnings (faster for many trees). */
  predictColumnsBinned(columns: readonly ArrayLike<number>[], rows: number): Float64Array {
    const bins = binRows(this.binnings, columns, rows);
    const width = this.binnings.length;
    return Float64Array.from({ length: rows }, (_, r) => sigmoid(this.rawScoreBinned(bins, r * width)));
  }

  /** Total split gain per feature. */
  featureImportance(): Float64Array {
    const out = new Float64Array(this.binnings.length);
    for (const tree of this.trees) tree.addGainImportance(out);
    return out;
  }

  /**
   * `dataset` with the model's probability and prediction columns (and, when asked, each tree's
   * leaf), computed lazily on the executors; features are read from the columns named like the
   * model's features unless `options.features` says otherwise.
   */
  transform(dataset: Dataset, options: TransformOptions = {}): Dataset {
    return transformTrees(this, dataset, options);
  }

  /** A JSON-safe object read back by {@linkcode GbtModel.fromJSON}. */
  toJSON(): Record<string, unknown> {
    return {
      kind: "gbt",
      version: GBT_MODEL_VERSION,
      initScore: toJsonNumber(this.initScore),
      featureNames: [...this.featureNames],
      binnings: this.binnings.map(encodeBinning),
      trees: this.trees.map((t) => t.toJSON()),
    };
  }

  /** Decodes {@linkcode GbtModel.toJSON} output; refuses other kinds and versions (`TypeError`). */
  static fromJSON(value: unknown): GbtModel {
    if (typeof value !== "object" || value === null) throw new TypeError("A model must be an object");
    const v = value as Record<string, unknown>;
    if (v.kind !== "gbt") throw new TypeError(`Not a boosted-trees model: kind ${String(v.kind)}`);
    if (v.version !== GBT_MODEL_VERSION) {
      throw new TypeError(
        `Unsupported boosted-trees model version ${
          String(v.version)
        } (this build reads ${GBT_MODEL_VERSION})`,
      );
    }
    if (!Array.isArray(v.binnings) || !Array.isArray(v.trees) || !Array.isArray(v.featureNames)) {
      throw new TypeError("A boosted-trees model needs binnings, trees and featureNames arrays");
    }
    if (!v.featureNames.every((n): n is string => typeof n === "string")) {
      throw new TypeError("Feature names must be strings");
    }
    const initScore = fromJsonNumber(v.initScore);
    if (!Number.isFinite(initScore)) throw new TypeError("initScore must be a finite number");
    return new GbtModel({
      initScore,
      binnings: v.binnings.map(decodeBinning),
      trees: v.trees.map((t) => Tree.fromJSON(t)),
      featureNames: v.featureNames,
    });
  }
}
