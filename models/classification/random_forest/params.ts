/**
 * Parameters of random forests (Spark MLlib's names and meanings where they exist), with their
 * defaults and ranges. Validated once, by {@linkcode resolveForestParams}.
 *
 * @module
 */
import { MAX_VALUE_BINS } from "../tree/binning.ts";
import { checkClassWeight, type TreeClassWeight } from "../tree/class_weights.ts";
import { checkChoice, checkNumber } from "../tree/param_check.ts";

/** Features a node may split on: a named rule or a fraction of all features. */
export type FeatureSubsetStrategy = "auto" | "all" | "sqrt" | "log2" | "onethird" | number;

/** Options of random forests; every field is optional. */
export interface ForestParams {
  /** Trees. @default {20} */
  numTrees?: number;
  /** Most edges from root to leaf (≤ 20). @default {5} */
  maxDepth?: number;
  /** Split criterion. @default {"gini"} */
  impurity?: "gini" | "entropy";
  /**
   * Features drawn for each node, seeded by (seed, tree, node): `auto` is `sqrt` for a forest and
   * `all` for a single tree; `sqrt` = ⌈√F⌉, `log2` = max(1, ⌈log₂ F⌉), `onethird` = ⌈F/3⌉, a
   * fraction `x ∈ (0, 1]` = ⌈x·F⌉. @default {"auto"}
   */
  featureSubsetStrategy?: FeatureSubsetStrategy;
  /** Fewest rows (bootstrap copies counted) in each child. @default {1} */
  minInstancesPerNode?: number;
  /** Least weight in each child. @default {0} */
  minWeightPerNode?: number;
  /** Least information gain of a split (strictly exceeded). @default {0} */
  minInfoGain?: number;
  /** Value bins per feature when the forest bins the data itself. @default {255} */
  maxBins?: number;
  /** Poisson(1) bootstrap counts per (seed, tree, row id); `false` trains every tree on all rows. @default {true} */
  bootstrap?: boolean;
  /** Trees grown in the same pass over the data (shard memory ≈ 5 bytes × rows × trees). @default {20} */
  treesPerGroup?: number;
  /** Driver memory for open leaves' histograms, per group, in MiB. @default {256} */
  maxMemoryMB?: number;
  /**
   * Class weights, multiplying each row's weight in the class counts of Gini / entropy and of the
   * leaf probabilities (and its instance weight, when there is a weight column): `"balanced"`
   * (n / (2 · n_class), computed from the training rows) or `[weight of 0, weight of 1]`.
   * @default {none}
   */
  classWeight?: TreeClassWeight | undefined;
  /** Seed of every random draw. @default {0} */
  seed?: number;
}

/** {@linkcode ForestParams} with every default filled in. */
export type ResolvedForestParams = Readonly<Required<Omit<ForestParams, "classWeight">>> & {
  readonly classWeight: TreeClassWeight | undefined;
};

/** Fills defaults and validates; throws `RangeError` naming the parameter and its range. */
export function resolveForestParams(params: ForestParams = {}): ResolvedForestParams {
  const integer = true;
  const strategy = params.featureSubsetStrategy ?? "auto";
  if (typeof strategy === "number") {
    checkNumber("featureSubsetStrategy", strategy, { min: 0, max: 1, minExclusive: true });
  } else checkChoice("featureSubsetStrategy", strategy, ["auto", "all", "sqrt", "log2", "onethird"]);
  return {
    numTrees: checkNumber("numTrees", params.numTrees ?? 20, { min: 1, max: 100_000, integer }),
    maxDepth: checkNumber("maxDepth", params.maxDepth ?? 5, { min: 1, max: 20, integer }),
    impurity: checkChoice("impurity", params.impurity ?? "gini", ["gini", "entropy"]),
    featureSubsetStrategy: strategy,
    minInstancesPerNode: checkNumber("minInstancesPerNode", params.minInstancesPerNode ?? 1, {
      min: 1,
      max: 2 ** 31,
      integer,
    }),
    minWeightPerNode: checkNumber("minWeightPerNode", params.minWeightPerNode ?? 0, { min: 0, max: 1e15 }),
    minInfoGain: checkNumber("minInfoGain", params.minInfoGain ?? 0, { min: 0, max: 1 }),
    maxBins: checkNumber("maxBins", params.maxBins ?? MAX_VALUE_BINS, {
      min: 2,
      max: MAX_VALUE_BINS,
      integer,
    }),
    bootstrap: typeof params.bootstrap === "boolean" || params.bootstrap === undefined
      ? params.bootstrap ?? true
      : (() => {
        throw new RangeError(`bootstrap must be a boolean, got ${String(params.bootstrap)}`);
      })(),
    treesPerGroup: checkNumber("treesPerGroup", params.treesPerGroup ?? 20, {
      min: 1,
      max: 100_000,
      integer,
    }),
    maxMemoryMB: checkNumber("maxMemoryMB", params.maxMemoryMB ?? 256, { min: 0, max: 1e6 }),
    classWeight: checkClassWeight(params.classWeight),
    seed: checkNumber("seed", params.seed ?? 0, { min: -(2 ** 53 - 1), max: 2 ** 53 - 1, integer }),
  };
}

/** Features per node for `numFeatures` features under the resolved strategy. */
export function featuresPerNode(params: ResolvedForestParams, numFeatures: number): number {
  const s = params.featureSubsetStrategy;
  const f = numFeatures;
  const k = typeof s === "number"
    ? Math.ceil(s * f)
    : s === "all" || (s === "auto" && params.numTrees === 1)
    ? f
    : s === "log2"
    ? Math.ceil(Math.log2(f))
    : s === "onethird"
    ? Math.ceil(f / 3)
    : Math.ceil(Math.sqrt(f));
  return Math.min(f, Math.max(1, k));
}
