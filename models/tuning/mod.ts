/**
 * Hyperparameter tuning on the cluster: candidates ({@linkcode ParamGridBuilder},
 * {@linkcode randomSearch}), validation plans ({@linkcode CrossValidator},
 * {@linkcode TrainValidationSplit}, {@linkcode OutOfTimeValidator},
 * {@linkcode TimeSeriesValidator}), the metric and its direction ({@linkcode tuningMetric}),
 * the estimators ({@linkcode TreeTunable}, {@linkcode LogisticTunable}) and the search itself
 * ({@linkcode tune}).
 *
 * @module
 */
export {
  checkFoldPlan,
  describePlan,
  type Fold,
  type FoldPlan,
  makeFolds,
  type MakeFoldsOptions,
  MAX_FOLDS,
} from "./fold_plan.ts";
export {
  LogisticTunable,
  type LogisticTunableOptions,
  type PreparedLogisticFold,
} from "./logistic_tunable.ts";
export {
  type Distribution,
  MAX_CANDIDATES,
  ParamGridBuilder,
  randomSearch,
  type SearchSpace,
  type StageParams,
} from "./param_grid.ts";
export {
  type PreparedTreeFold,
  type TreeKindParams,
  TreeTunable,
  type TreeTunableOptions,
} from "./tree_tunable.ts";
export {
  categoricalColumns,
  featureColumns,
  type PreparedFold,
  type TrialContext,
  type TrialFit,
  type TrialModel,
  type Tunable,
} from "./tunable.ts";
export { tune, type TuneOptions } from "./tuner.ts";
export {
  paramsRecord,
  type TrialEvent,
  type TrialResult,
  type TunedWinner,
  type TuningResult,
} from "./tuning_result.ts";
export {
  isBetter,
  metricValue,
  TUNING_METRICS,
  type TuningMetric,
  tuningMetric,
  type TuningMetricName,
} from "./tuning_metric.ts";
export {
  CrossValidator,
  type FitSettings,
  OutOfTimeValidator,
  type SearchSettings,
  TimeSeriesValidator,
  TrainValidationSplit,
  Validator,
} from "./validators.ts";
