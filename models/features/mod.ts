/**
 * Feature pipelines: estimators fitted on the cluster (statistics by aggregation, never by
 * collecting rows), lazy transforms (the spec itself on the executors through `mapPartitions`,
 * or fused engine expressions), and a JSON {@linkcode FeatureSpec}
 * that executors, scoring and streaming apply per batch with {@linkcode assembleBlock} (dense
 * features for logistic regression) and {@linkcode assembleBinned} (tree bins). Plus exact,
 * partition-independent splits: stratified {@linkcode randomSplit} and out-of-time
 * {@linkcode timeSplit}.
 *
 * @example
 * ```ts ignore
 * import { bankPipeline, randomSplit, assembleBlock } from "./mod.ts";
 * const { data } = await fx.read.bank("additional");
 * const { splits: [train, test] } = await randomSplit(data, [0.8, 0.2], { seed: 42, stratifyBy: "y" });
 * const model = await bankPipeline("additional", { model: "linear" }).fit(train);
 * model.featureNames.length; // 52
 * const block = assembleBlock(await test.collectBatch(), model.spec);
 * ```
 *
 * @module
 */
export { type Estimator, FeatureModel, type FitContext, type Transformer } from "./feature_model.ts";
export { Pipeline, PipelineModel, type PipelineOptions, type PipelineStage } from "./pipeline.ts";
export { orderLabels, StringIndexer, type StringIndexerOptions } from "./string_indexer.ts";
export { OneHotEncoder, type OneHotEncoderOptions } from "./one_hot_encoder.ts";
export { VectorAssembler, type VectorAssemblerOptions } from "./vector_assembler.ts";
export { Imputer, type ImputerOptions } from "./imputer.ts";
export { StandardScaler, type StandardScalerOptions } from "./standard_scaler.ts";
export {
  Bucketizer,
  type BucketizerOptions,
  QuantileDiscretizer,
  type QuantileDiscretizerOptions,
} from "./bucketizer.ts";
export { FeatureBinner, type FeatureBinnerOptions } from "./feature_binner.ts";
export type { HandleInvalid } from "./params.ts";
export { type ColumnInfo, type ColumnInfos, inferColumnInfo, type Slot, slotColumn } from "./column_info.ts";
export {
  FEATURE_SPEC_VERSION,
  type FeatureLayout,
  featureLayout,
  type FeatureSpec,
  type LabelSpec,
} from "./spec/feature_spec.ts";
export {
  decodeFeatureSpec,
  encodeFeatureSpec,
  fromFeatureSchema,
  SPEC_OUTPUT_KIND,
  toFeatureSchema,
} from "./spec/spec_codec.ts";
export {
  assembleBinned,
  assembleBlock,
  type AssembledBins,
  type AssembledBlock,
  type AssembleOptions,
  FeatureAssembler,
  transformBatch,
} from "./spec/assemble.ts";
export { STAGE_KINDS, type StageState } from "./stages/kernels.ts";
export type { StringIndexerState } from "./stages/string_indexer.ts";
export type { OneHotEncoderState } from "./stages/one_hot_encoder.ts";
export type { VectorAssemblerState } from "./stages/vector_assembler.ts";
export type { ImputerState, ImputeStrategy } from "./stages/imputer.ts";
export type { StandardScalerState } from "./stages/standard_scaler.ts";
export type { BucketizerState } from "./stages/bucketizer.ts";
export type { FeatureBinnerState } from "./stages/feature_binner.ts";
export type { CategoricalBinning, FeatureBinning, NumericBinning } from "../classification/tree/binning.ts";
export { FEATURE_FNS_MODULE, transformArgs, transformPartition } from "./partition_fns.ts";
export { MAX_EXPRESSION_LABELS, UNKNOWN_LABEL } from "./stages/string_indexer.ts";
export {
  selectColumnRanks,
  selectRanks,
  type SelectRanksOptions,
  type StratumRanks,
} from "./order_statistics.ts";
export {
  type RandomSplit,
  randomSplit,
  type RandomSplitOptions,
  splitBoundaries,
  type StratumCounts,
} from "./split/random_split.ts";
export { type TimeSplit, timeSplit, type TimeSplitOptions } from "./split/time_split.ts";
export { rowDraw } from "./split/row_draw.ts";
export { FOLD_COLUMN, TargetEncoder, type TargetEncoderOptions, withFolds } from "./target_encoder.ts";
export { type TargetEncoderState, type TargetTable } from "./stages/target_encoder.ts";
export {
  type DownsampledMajority,
  downsampleMajority,
  type DownsampleMajorityOptions,
} from "./split/downsample_majority.ts";
export {
  BANK_LABEL,
  BANK_TIME_COLUMN,
  type BankColumns,
  bankColumns,
  type BankFile,
  bankPipeline,
  type BankPipelineOptions,
} from "./bank.ts";
