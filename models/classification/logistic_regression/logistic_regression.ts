/**
 * The logistic-regression estimator: parameters validated at construction, then fitted through
 * any {@linkcode LogisticPasses} (a cluster's, or in-memory partitions').
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "./logistic_regression.ts";
 * const lr = new LogisticRegression({ regParam: 1e-3 });
 * const fit = await lr.fitBlocks([[{ features: new Float64Array([0, 1, 2, 3]), labels: [0, 0, 1, 1] }]], 1);
 * fit.model.coefficients; // Float64Array [ > 0 ]
 * ```
 *
 * @module
 */
import type { FeatureBlock } from "./feature_block.ts";
import { localPasses } from "./local_passes.ts";
import { type LogisticRegressionParams, type ResolvedParams, resolveParams } from "./params.ts";
import {
  type LogisticPasses,
  type LogisticRegressionFit,
  trainLogisticRegression,
  type TrainOptions,
} from "./train.ts";

/** Logistic regression with elastic-net regularization and class weights. */
export class LogisticRegression {
  /** The resolved parameters. */
  readonly params: Readonly<ResolvedParams>;

  /** Throws a `RangeError` naming the first invalid parameter and its allowed range. */
  constructor(params: LogisticRegressionParams = {}) {
    this.params = resolveParams(params);
  }

  /** Fits on `dimension` features through `passes`. */
  fit(passes: LogisticPasses, dimension: number, options: TrainOptions = {}): Promise<LogisticRegressionFit> {
    return trainLogisticRegression(passes, { dimension, params: this.params }, options);
  }

  /** Fits on in-memory partitions of feature blocks. */
  fitBlocks(
    partitions: readonly (readonly FeatureBlock[])[],
    dimension: number,
    options: TrainOptions = {},
  ): Promise<LogisticRegressionFit> {
    return this.fit(localPasses(partitions), dimension, options);
  }
}
