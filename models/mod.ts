/**
 * Frontier's models: statistics, estimators, evaluation and persistence that run on a `Dataset`
 * in the cluster and bring back only small results.
 *
 * - Summary statistics of exploratory analysis, each computed by one aggregation job whatever the
 *   number of columns: {@linkcode summaryStats} (count, nulls, distinct, mean, standard deviation,
 *   quantiles per column), {@linkcode correlations} (Pearson, every pair),
 *   {@linkcode segmentStats} (per-segment counts, label rates and means) and
 *   {@linkcode histogram}.
 * - {@linkcode LogisticRegression}: `fit(dataset, { featureCols, labelCol, weightCol })` runs
 *   each pass as one job over the cached training data and the optimizer on the driver; the
 *   fitted {@linkcode LogisticModel}'s `transform` scores lazily on the executors. The same data
 *   gives the same bits for any partitioning or executor count.
 * - Feature pipelines ({@linkcode Pipeline} of {@linkcode StringIndexer}, {@linkcode OneHotEncoder},
 *   {@linkcode VectorAssembler}, {@linkcode Imputer}, {@linkcode StandardScaler},
 *   {@linkcode Bucketizer}, {@linkcode QuantileDiscretizer}, {@linkcode FeatureBinner}) fitted
 *   with aggregations on the training split; a fitted {@linkcode PipelineModel} transforms lazily
 *   (vector `features` as `features[name]` columns) and compiles to a JSON {@linkcode FeatureSpec}
 *   that executors apply per batch ({@linkcode assembleBlock}, {@linkcode assembleBinned}).
 *   Exact, partition-independent splits: stratified {@linkcode randomSplit}, out-of-time
 *   {@linkcode timeSplit}; bank defaults in {@linkcode bankPipeline}.
 * - Trees: {@linkcode GbtClassifier} (LightGBM-style boosting: leaf-wise, Newton leaves, early
 *   stopping) and {@linkcode RandomForestClassifier}, `fit(dataset, { features, categorical,
 *   label, weight })`: binned on the cluster, each partition's shard kept in its executor's
 *   state between rounds, one job per round trip; byte-identical models for any layout and after
 *   executor failures; `checkpoint` / `resume` for long trainings. {@linkcode GbtModel} and
 *   {@linkcode ForestModel} `transform` lazily on the executors (probability, prediction, leaves).
 * - Evaluation on the cluster, exact: {@linkcode evaluateBinary}, {@linkcode chooseThresholdOn}
 *   (max F1 or least cost), {@linkcode operatingPointOn}, {@linkcode permutationImportance}.
 * - Tuning ({@linkcode tune}): candidates from a {@linkcode ParamGridBuilder} (typed over the
 *   estimator's params, pipeline-stage ones included) or {@linkcode randomSearch}, validated by
 *   {@linkcode CrossValidator}, {@linkcode TrainValidationSplit}, {@linkcode OutOfTimeValidator}
 *   or {@linkcode TimeSeriesValidator}; trials in parallel on the cluster, each fold prepared once
 *   and shared; the winner refitted and evaluated once on a test set.
 * - Persistence: {@linkcode saveModel} / {@linkcode loadModel} with
 *   {@linkcode defaultModelRegistry} (and {@linkcode LOGISTIC_BODY_CODEC}, {@linkcode gbtCodec},
 *   {@linkcode forestCodec}).
 *
 * Model jobs run this package's modules on the executors; every cluster allows Frontier's own
 * packages, so nothing needs to be declared (`cluster/modules.ts`).
 *
 * @example Per-segment rates and a correlation
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier } from "@frontier/frontier";
 * import { correlations, segmentStats } from "@frontier/frontier/models";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const ds = fx.range(0, 100, { partitions: 2 })
 *   .withColumn("even", col("id").mod(2).eq(0))
 *   .withColumn("double", col("id").times(2));
 *
 * const segments = await segmentStats(ds, { key: col("id").lt(50), label: col("even") });
 * assert.deepEqual(segments.map((s) => [s.segment, s.count, s.rate]), [["false", 50, 0.5], ["true", 50, 0.5]]);
 *
 * const { matrix } = await correlations(ds, { columns: ["id", "double"] });
 * assert.equal(matrix[0]![1], 1);
 * ```
 *
 * @example Fit, score and evaluate a logistic regression on a cluster
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier } from "@frontier/frontier";
 * import { evaluateBinary, LogisticRegression } from "@frontier/frontier/models";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const ds = fx.range(0, 200, { partitions: 2 })
 *   .withColumn("x", col("id").mod(20))
 *   .withColumn("y", col("id").mod(20).plus(col("id").mod(3)).gt(10));
 * const model = await new LogisticRegression().fit(ds, { featureCols: ["x"], labelCol: "y" });
 * assert.equal(model.convergence.converged, true);
 * const metrics = await evaluateBinary(model.transform(ds), { labelCol: "y", scoreCol: "probability" });
 * assert.ok(metrics.rocAuc > 0.9);
 * ```
 *
 * @module
 */
export {
  type CorrelationOptions,
  type CorrelationPair,
  type CorrelationResult,
  correlations,
  numericColumns,
} from "./stat/correlations.ts";
export {
  type Bin,
  histogram,
  type HistogramOptions,
  type SegmentOptions,
  type SegmentStat,
  segmentStats,
} from "./stat/segment_rates.ts";
export {
  type CategoricalDrift,
  type DriftOptions,
  type DriftReport,
  driftReport,
  type FeatureDrift,
  type NumericDrift,
  psi,
  PSI_FLOOR,
} from "./stat/drift_report.ts";
export {
  type ColumnKind,
  columnKind,
  type ColumnSummary,
  EXACT_DISTINCT_MAX_ROWS,
  SUMMARY_HEADERS,
  SUMMARY_QUANTILES,
  type SummaryOptions,
  summaryRows,
  summaryStats,
  type SummaryTable,
} from "./stat/summary_stats.ts";

export {
  assembleBinned,
  assembleBlock,
  type AssembledBins,
  type AssembledBlock,
  type AssembleOptions,
  BANK_LABEL,
  BANK_TIME_COLUMN,
  type BankColumns,
  bankColumns,
  type BankFile,
  bankPipeline,
  type BankPipelineOptions,
  Bucketizer,
  type BucketizerOptions,
  type BucketizerState,
  type CategoricalBinning,
  type ColumnInfo,
  type ColumnInfos,
  decodeFeatureSpec,
  type DownsampledMajority,
  downsampleMajority,
  type DownsampleMajorityOptions,
  encodeFeatureSpec,
  type Estimator,
  FEATURE_FNS_MODULE,
  FEATURE_SPEC_VERSION,
  FeatureAssembler,
  FeatureBinner,
  type FeatureBinnerOptions,
  type FeatureBinnerState,
  type FeatureBinning,
  type FeatureLayout,
  featureLayout,
  FeatureModel,
  type FeatureSpec,
  type FitContext,
  FOLD_COLUMN,
  fromFeatureSchema,
  type HandleInvalid,
  Imputer,
  type ImputerOptions,
  type ImputerState,
  type ImputeStrategy,
  inferColumnInfo,
  type LabelSpec,
  MAX_EXPRESSION_LABELS,
  type NumericBinning,
  OneHotEncoder,
  type OneHotEncoderOptions,
  type OneHotEncoderState,
  Pipeline,
  PipelineModel,
  type PipelineOptions,
  type PipelineStage,
  QuantileDiscretizer,
  type QuantileDiscretizerOptions,
  type RandomSplit,
  randomSplit,
  type RandomSplitOptions,
  selectColumnRanks,
  selectRanks,
  type SelectRanksOptions,
  type Slot,
  slotColumn,
  STAGE_KINDS,
  type StageState,
  StandardScaler,
  type StandardScalerOptions,
  type StandardScalerState,
  type StratumCounts,
  type StratumRanks,
  StringIndexer,
  type StringIndexerOptions,
  type StringIndexerState,
  TargetEncoder,
  type TargetEncoderOptions,
  type TargetEncoderState,
  type TargetTable,
  type TimeSplit,
  timeSplit,
  type TimeSplitOptions,
  toFeatureSchema,
  transformBatch,
  type Transformer,
  UNKNOWN_LABEL,
  VectorAssembler,
  type VectorAssemblerOptions,
  type VectorAssemblerState,
  withFolds,
} from "./features/mod.ts";

export {
  type BlockSource,
  type ClassWeightOption,
  type CollinearPair,
  type ColumnsSource,
  type Convergence,
  type DatasetFitOptions,
  type FeatureBlock,
  type GridSummary,
  type IterationInfo,
  LOGISTIC_MODULE,
  LogisticModel,
  type LogisticModelParts,
  type LogisticPasses,
  LogisticRegression,
  type LogisticRegressionFit,
  type LogisticRegressionModel,
  type LogisticRegressionParams,
  type LogisticWarning,
  type LossContext,
  type LossSummary,
  type MomentContext,
  type MomentSummary,
  type RangeContext,
  type RangeSummary,
  type ResolvedParams as ResolvedLogisticParams,
  type Solver,
  type Standardization,
  type StopReason,
  type TrainOptions,
  type TransformOptions,
} from "./classification/logistic_regression/mod.ts";
export {
  LOGISTIC_BODY_CODEC,
  LOGISTIC_KIND,
  logisticParamsJson,
} from "./classification/logistic_regression/body_codec.ts";

export { GbtClassifier } from "./classification/gbt/gbt_classifier.ts";
export { GbtModel } from "./classification/gbt/gbt_model.ts";
export { type GbtParams, type ResolvedGbtParams } from "./classification/gbt/params.ts";
export { type TreeClassWeight } from "./classification/tree/class_weights.ts";
export { type GbtProgress, type GbtRoundInfo, type GbtTraining } from "./classification/gbt/booster.ts";
export {
  fitGbtCluster,
  type FitGbtClusterOptions,
  type GbtClusterTraining,
} from "./classification/gbt/fit_cluster.ts";
export { gbtCodec } from "./classification/gbt/gbt_codec.ts";
export { RandomForestClassifier } from "./classification/random_forest/forest_classifier.ts";
export { ForestModel } from "./classification/random_forest/forest_model.ts";
export {
  type FeatureSubsetStrategy,
  type ForestParams,
  type ResolvedForestParams,
} from "./classification/random_forest/params.ts";
export { type ForestTraining } from "./classification/random_forest/forest.ts";
export {
  fitForestCluster,
  type FitForestClusterOptions,
  type ForestClusterTraining,
} from "./classification/random_forest/fit_cluster.ts";
export { forestCodec } from "./classification/random_forest/forest_codec.ts";
export {
  type ClusterFitOptions,
  type ClusterTrainingStats,
  type TreeColumns,
} from "./classification/tree/cluster_training.ts";
export { type CheckpointOptions } from "./classification/tree/checkpoint.ts";
export { type TransformOptions as TreeTransformOptions } from "./classification/tree/tree_transform.ts";
export { TREE_JOBS_MODULE } from "./classification/tree_jobs_url.ts";

export {
  chooseThresholdOn,
  type DatasetEvaluationOptions,
  evaluateBinary,
  EVALUATION_MODULE,
  operatingPointOn,
  type ScoreColumns,
  summarizeDataset,
} from "./evaluation/dataset_evaluation.ts";
export {
  type ColumnImportance,
  type ImportanceMetric,
  permutationImportance,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
  type ScoringModel,
} from "./evaluation/permutation_importance.ts";
export { permutationKey, PERMUTE_MODULE, permuteColumn } from "./evaluation/permute_column.ts";
export {
  type BinaryCurves,
  type BinaryMetrics,
  binaryMetrics,
  type BinaryMetricsOptions,
  type Binning,
  BOOTSTRAP_METRICS,
  type BootstrapInterval,
  type BootstrapIntervals,
  bootstrapIntervals,
  type BootstrapMetric,
  type BootstrapOptions,
  type CalibrationBin,
  type CalibrationOptions,
  type CalibrationStrategy,
  type CalibrationTable,
  chooseThreshold,
  type ConfusionMatrix,
  type ErrorCosts,
  type GainsPoint,
  type LiftPoint,
  type MajorityBaseline,
  type OperatingPoint,
  operatingPoint,
  type PrPoint,
  type RocPoint,
  type ScoreGroups,
  scoreGroups,
  type ScoreSummary,
  type ThresholdRule,
} from "./evaluation/mod.ts";

export {
  type BodyArray,
  type BodyCodec,
  type BodyDecodeContext,
  type BodyDecoder,
  BodyReader,
  defaultModelRegistry,
  type FeatureSchema,
  type FeatureStageState,
  JsonFields,
  type LoadedModel,
  loadModel,
  type Manifest,
  type ManifestEntry,
  type ModelBody,
  type ModelEnvelope,
  ModelExistsError,
  ModelFormatError,
  type ModelInfo,
  ModelIntegrityError,
  ModelNotFoundError,
  ModelRegistry,
  type ModelWarning,
  type SavedModel,
  saveModel,
  type SaveModelInput,
  type TrainingInfo,
} from "./persistence/mod.ts";

// The fitted trees that GBT and RF models hold (flat arrays; see tree_model.ts).
export { Tree, type TreeArrays } from "./classification/tree/tree_model.ts";

// Probability calibration (Platt, isotonic) fitted on a validation part.
export {
  type CalibrationMethod,
  CalibrationModel,
  type CalibrationState,
  decodeCalibration,
  encodeCalibration,
  fitIsotonic,
  fitPlatt,
  type IsotonicState,
  loadCalibration,
  type PlattState,
  ProbabilityCalibrator,
  type ProbabilityCalibratorOptions,
  saveCalibration,
  type WeightedScores,
} from "./calibration/mod.ts";
export {
  categoricalColumns,
  checkFoldPlan,
  CrossValidator,
  describePlan,
  type Distribution,
  featureColumns,
  type FitSettings,
  type Fold,
  type FoldPlan,
  isBetter,
  LogisticTunable,
  type LogisticTunableOptions,
  makeFolds,
  type MakeFoldsOptions,
  MAX_CANDIDATES,
  MAX_FOLDS,
  metricValue,
  OutOfTimeValidator,
  ParamGridBuilder,
  paramsRecord,
  type PreparedFold,
  type PreparedLogisticFold,
  type PreparedTreeFold,
  randomSearch,
  type SearchSettings,
  type SearchSpace,
  type StageParams,
  TimeSeriesValidator,
  TrainValidationSplit,
  type TreeKindParams,
  TreeTunable,
  type TreeTunableOptions,
  type TrialContext,
  type TrialEvent,
  type TrialFit,
  type TrialModel,
  type TrialResult,
  type Tunable,
  tune,
  type TunedWinner,
  type TuneOptions,
  TUNING_METRICS,
  type TuningMetric,
  tuningMetric,
  type TuningMetricName,
  type TuningResult,
  Validator,
} from "./tuning/mod.ts";
