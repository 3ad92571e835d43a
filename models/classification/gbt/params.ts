/**
 * Parameters of gradient-boosted trees (LightGBM-style), with their defaults and ranges. Validated
 * once, by {@linkcode resolveGbtParams}.
 *
 * @module
 */
import { MAX_VALUE_BINS } from "../tree/binning.ts";
import { checkClassWeight, type TreeClassWeight } from "../tree/class_weights.ts";
import { checkNumber } from "../tree/param_check.ts";

/** Options of gradient-boosted trees; every field is optional. */
export interface GbtParams {
  /** Boosting rounds (trees) at most. @default {100} */
  numRounds?: number;
  /** Shrinkage of each tree's leaf values. @default {0.1} */
  learningRate?: number;
  /** Most leaves per tree (leaf-wise growth). @default {31} */
  numLeaves?: number;
  /** Most edges from root to leaf; `Infinity` for no limit. @default {Infinity} */
  maxDepth?: number;
  /** L2 regularization of leaf values (λ in `w = −G / (H + λ)`). @default {0} */
  lambdaL2?: number;
  /** Least Σhessian in a leaf. @default {1e-3} */
  minChildWeight?: number;
  /** Fewest rows in a leaf. @default {20} */
  minDataInLeaf?: number;
  /** Least gain of a split (strictly exceeded). @default {0} */
  minGain?: number;
  /** Fraction of features drawn for each tree, seeded by (seed, round, feature). @default {1} */
  featureFraction?: number;
  /** Fraction of rows drawn for each round, seeded by (seed, round, row id). @default {1} */
  baggingFraction?: number;
  /** Value bins per feature when the booster bins the data itself. @default {255} */
  maxBins?: number;
  /**
   * Categorical splits follow LightGBM's rules (`tree/split.ts`), with its defaults. Smoothing
   * of ΣH when ordering categories; a category with fewer rows at a node is left out. @default {10}
   */
  catSmooth?: number;
  /** L2 added to `lambdaL2` in the children of a many-category split. @default {10} */
  catL2?: number;
  /** Most categories on the left of a split. @default {32} */
  maxCatThreshold?: number;
  /** Fewest rows between two category sets tried, and on the right of a split. @default {100} */
  minDataPerGroup?: number;
  /**
   * Features of at most this many bins (categories + the missing bin, as LightGBM counts them)
   * split one category against the rest. @default {4}
   */
  maxCatToOnehot?: number;
  /** Stop after this many rounds without a better validation loss; needs a validation set. */
  earlyStoppingRounds?: number | undefined;
  /**
   * Leaves split per round trip to the shards: 1 is exact leaf-wise growth; more trades it for
   * fewer rounds when every round is a cluster job. @default {1}
   */
  splitsPerRound?: number;
  /**
   * With exact leaf-wise growth (`splitsPerRound` 1): splits sent per round trip ahead of need,
   * the best open leaves after the one growth splits next. Leaves are still split in exact
   * leaf-wise order and unneeded splits are dropped, so the model is the same for any value; a
   * larger one trades some histogram work for fewer round trips (cluster jobs). @default {8}
   */
  lookahead?: number;
  /**
   * Class weights, multiplying each row's gradient and hessian (and its instance weight, when
   * there is a weight column): `"balanced"` (n / (2 · n_class), computed from the training rows)
   * or `[weight of 0, weight of 1]`. @default {none}
   */
  classWeight?: TreeClassWeight | undefined;
  /**
   * Compute the mean training loss before every tree (progress and {@linkcode GbtTraining}'s
   * `trainLoss`): one `log1p` per row and round, ~8 % of a round's CPU on 1M rows. Off, `trainLoss`
   * is empty and the model is the same. LightGBM computes no training metric unless asked.
   * @default {true}
   */
  trainLoss?: boolean;
  /** Seed of every random draw. @default {0} */
  seed?: number;
}

/** {@linkcode GbtParams} with every default filled in. */
export type ResolvedGbtParams = Readonly<Required<Omit<GbtParams, "earlyStoppingRounds" | "classWeight">>> & {
  readonly earlyStoppingRounds: number | undefined;
  readonly classWeight: TreeClassWeight | undefined;
};

/** Fills defaults and validates; throws `RangeError` naming the parameter and its range. */
export function resolveGbtParams(params: GbtParams = {}): ResolvedGbtParams {
  const int = true;
  return {
    numRounds: checkNumber("numRounds", params.numRounds ?? 100, { min: 1, max: 1e6, integer: int }),
    learningRate: checkNumber("learningRate", params.learningRate ?? 0.1, {
      min: 0,
      max: 1,
      minExclusive: true,
    }),
    numLeaves: checkNumber("numLeaves", params.numLeaves ?? 31, { min: 2, max: 131072, integer: int }),
    maxDepth: checkNumber("maxDepth", params.maxDepth ?? Infinity, { min: 1, max: Infinity, integer: int }),
    lambdaL2: checkNumber("lambdaL2", params.lambdaL2 ?? 0, { min: 0, max: 1e12 }),
    minChildWeight: checkNumber("minChildWeight", params.minChildWeight ?? 1e-3, { min: 0, max: 1e12 }),
    minDataInLeaf: checkNumber("minDataInLeaf", params.minDataInLeaf ?? 20, {
      min: 1,
      max: 2 ** 31,
      integer: int,
    }),
    minGain: checkNumber("minGain", params.minGain ?? 0, { min: 0, max: 1e12 }),
    featureFraction: checkNumber("featureFraction", params.featureFraction ?? 1, {
      min: 0,
      max: 1,
      minExclusive: true,
    }),
    baggingFraction: checkNumber("baggingFraction", params.baggingFraction ?? 1, {
      min: 0,
      max: 1,
      minExclusive: true,
    }),
    maxBins: checkNumber("maxBins", params.maxBins ?? MAX_VALUE_BINS, {
      min: 2,
      max: MAX_VALUE_BINS,
      integer: int,
    }),
    catSmooth: checkNumber("catSmooth", params.catSmooth ?? 10, { min: 0, max: 1e12 }),
    catL2: checkNumber("catL2", params.catL2 ?? 10, { min: 0, max: 1e12 }),
    maxCatThreshold: checkNumber("maxCatThreshold", params.maxCatThreshold ?? 32, {
      min: 1,
      max: MAX_VALUE_BINS,
      integer: int,
    }),
    minDataPerGroup: checkNumber("minDataPerGroup", params.minDataPerGroup ?? 100, {
      min: 1,
      max: 2 ** 31,
      integer: int,
    }),
    maxCatToOnehot: checkNumber("maxCatToOnehot", params.maxCatToOnehot ?? 4, {
      min: 0,
      max: MAX_VALUE_BINS,
      integer: int,
    }),
    earlyStoppingRounds: params.earlyStoppingRounds === undefined
      ? undefined
      : checkNumber("earlyStoppingRounds", params.earlyStoppingRounds, { min: 1, max: 1e6, integer: int }),
    splitsPerRound: checkNumber("splitsPerRound", params.splitsPerRound ?? 1, {
      min: 1,
      max: Infinity,
      integer: int,
    }),
    lookahead: checkNumber("lookahead", params.lookahead ?? 8, { min: 0, max: 1024, integer: int }),
    classWeight: checkClassWeight(params.classWeight),
    trainLoss: checkBoolean("trainLoss", params.trainLoss ?? true),
    seed: checkNumber("seed", params.seed ?? 0, { min: -(2 ** 53 - 1), max: 2 ** 53 - 1, integer: int }),
  };
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new RangeError(`${name} must be true or false, got ${String(value)}`);
  return value;
}
