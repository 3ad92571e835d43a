/**
 * Every setting of the cross-validation benchmark, pinned here, written into each child's job file
 * and the report: 3 folds (the `fold` column of `cv_data.ts`), the grid maxDepth {3, 5, 7} ×
 * learningRate {0.05, 0.1}, 50 boosting rounds without early stopping, 64 bins per feature,
 * ROC-AUC, 2 trials at once on 2 executors / threads.
 *
 * Per engine, one grid point `{ maxDepth: d, learningRate: r }` is: Frontier `numLeaves = 2^d,
 * maxDepth = d, learningRate = r`; LightGBM `num_leaves = 2^d, max_depth = d, learning_rate = r`;
 * Spark `maxDepth = d, stepSize = r`. Leaves: at least 20 rows (Frontier `minDataInLeaf`, LightGBM
 * `min_child_samples`, Spark `minInstancesPerNode`).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";

/** The settings of one CV benchmark run. */
export interface CvSettings {
  /** The prepared bank file. */
  dataset: "bank-additional-full";
  /** The split whose non-test rows are searched (`split_oot`: the first 80 % in file order). */
  splitColumn: string;
  folds: number;
  /** Seeds the fold column and every engine's model. */
  seed: number;
  grid: { maxDepth: number[]; learningRate: number[] };
  rounds: number;
  maxBins: number;
  minRowsInLeaf: number;
  /** Trials at once (and executors / threads). */
  parallelism: number;
}

/** The pinned settings. */
export function cvSettings(): CvSettings {
  return {
    dataset: "bank-additional-full",
    splitColumn: "split_oot",
    folds: 3,
    seed: 7,
    grid: { maxDepth: [3, 5, 7], learningRate: [0.05, 0.1] },
    rounds: 50,
    maxBins: 64,
    minRowsInLeaf: 20,
    parallelism: 2,
  };
}

/** The grid points, learningRate-major (the order every engine reports its trials in). */
export function gridPoints(grid: CvSettings["grid"]): { maxDepth: number; learningRate: number }[] {
  return grid.learningRate.flatMap((learningRate) =>
    grid.maxDepth.map((maxDepth) => ({ maxDepth, learningRate }))
  );
}

/** A grid point's key, e.g. `maxDepth=5,learningRate=0.1`. */
export function pointKey(params: Readonly<Record<string, Json>>): string {
  return `maxDepth=${params["maxDepth"]},learningRate=${params["learningRate"]}`;
}

/** The settings as JSON. */
export function cvSettingsJson(s: CvSettings): Record<string, Json> {
  return { ...s, grid: { maxDepth: [...s.grid.maxDepth], learningRate: [...s.grid.learningRate] } };
}
