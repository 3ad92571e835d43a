/**
 * Logistic regression trained data-parallel: folds over partitions of dense feature blocks
 * (ranges, moments, loss/gradient/Hessian) whose merged sums are the same bits for any
 * partitioning, and a driver-side optimizer (Newton, L-BFGS, OWL-QN) over an injected evaluator.
 * On a cluster every pass is one `aggregatePartitions` job (`cluster_passes.ts`) and the fitted
 * {@linkcode LogisticModel} scores on the executors through `mapPartitions`.
 *
 * @module
 */
export { type FeatureBlock } from "./feature_block.ts";
export { type DatasetFitOptions, LogisticRegression } from "./logistic_regression.ts";
export { LogisticModel, type LogisticModelParts, type TransformOptions } from "./logistic_model.ts";
export { type BlockSource, type ColumnsSource } from "./block_source.ts";
export { clusterPasses, type ClusterPassOptions } from "./cluster_passes.ts";
export { LOGISTIC_MODULE } from "./partition_functions.ts";
export { type LogisticRegressionParams, type ResolvedParams, type Solver } from "./params.ts";
export { type ClassWeightOption } from "./range_pass.ts";
export {
  type Convergence,
  type LogisticRegressionModel,
  type LogisticWarning,
  predictProbabilities,
  probabilitiesOf,
} from "./model.ts";
export {
  type LogisticPasses,
  type LogisticRegressionFit,
  trainLogisticRegression,
  type TrainOptions,
} from "./train.ts";
export { localPasses, treeMerge } from "./local_passes.ts";
export { foldRanges, mergeRanges, type RangeContext, type RangeSummary } from "./range_pass.ts";
export { foldMoments, mergeMoments, type MomentContext, type MomentSummary } from "./moment_pass.ts";
export {
  finishLoss,
  foldLoss,
  type LossContext,
  type LossEvaluation,
  type LossSummary,
  mergeLoss,
} from "./loss_pass.ts";
export type { CollinearPair, Standardization } from "./standardization.ts";
export type { GridSummary } from "./grid_sum.ts";
export { decodeSummary, encodeSummary, type FoldSummary } from "./summary_codec.ts";
export { decodeContext, encodeContext, type FoldContext } from "./context_codec.ts";
export type { Evaluate, Evaluation, IterationInfo, MinimizeResult, StopReason } from "./optimizer.ts";
export { minimizeLbfgs } from "./lbfgs.ts";
export { minimizeOwlqn } from "./owlqn.ts";
export { minimizeNewton } from "./newton.ts";
