/**
 * `Bucketizer` (given splits) and `QuantileDiscretizer` (splits at the training data's quantiles,
 * computed exactly on the cluster). Both give an ordinal bucket index; see
 * `stages/bucketizer.ts` for the bucket rules.
 *
 * A quantile discretizer with `k` buckets puts its inner splits at the values of rank
 * `⌈j·n/k⌉` (`j = 1 … k-1`, SQL's `percentile_disc(j/k)`), drops repeats (so heavy ties give
 * fewer buckets) and closes the ends with −∞ and +∞, so every number has a bucket.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { selectColumnRanks } from "./order_statistics.ts";
import { checkChoice, checkNumber, type HandleInvalid, resolveColumns } from "./params.ts";
import { bucketizerKernel, type BucketizerState, checkSplits } from "./stages/bucketizer.ts";
import { asDouble } from "./stages/stage.ts";

/** Options of {@linkcode Bucketizer}. */
export interface BucketizerOptions {
  /** The input column (or set `inputCols`). */
  inputCol?: string;
  /** Several input columns, handled independently in one pass (instead of `inputCol`). */
  inputCols?: readonly string[];
  /** The output column. @default {`${inputCol}_bucket`} */
  outputCol?: string;
  /** Output columns, one per input column. */
  outputCols?: readonly string[];
  /** Splits of `inputCol` (at least 2, strictly increasing; ±Infinity allowed). */
  splits?: readonly number[];
  /** Splits per input column of `inputCols`. */
  splitsArray?: readonly (readonly number[])[];
  /** Missing or out-of-range values: throw, drop the row, or give bucket `m`. @default {"error"} */
  handleInvalid?: HandleInvalid;
}

/** Buckets numbers by given splits. */
export class Bucketizer implements Estimator<FeatureModel> {
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** Splits per input column. */
  readonly splits: readonly (readonly number[])[];
  /** What happens to values the stage cannot encode (see the option). */
  readonly handleInvalid: HandleInvalid;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: BucketizerOptions) {
    const { inputs, outputs } = resolveColumns(options, (c) => `${c}_bucket`);
    this.inputs = inputs;
    this.outputs = outputs;
    if ((options.splits === undefined) === (options.splitsArray === undefined)) {
      throw new RangeError("Set exactly one of splits and splitsArray");
    }
    const splits = options.splits !== undefined ? [options.splits] : options.splitsArray!;
    if (splits.length !== inputs.length) {
      throw new RangeError(
        `splitsArray must have one list per input column (${inputs.length}), got ${splits.length}`,
      );
    }
    splits.forEach((s, j) => checkSplits(options.splits !== undefined ? "splits" : `splitsArray[${j}]`, s));
    this.splits = splits.map((s) => [...s]);
    this.handleInvalid = checkChoice("handleInvalid", options.handleInvalid ?? "error", [
      "error",
      "skip",
      "keep",
    ]);
  }

  /** Checks the inputs (no job runs: the splits are given). */
  // deno-lint-ignore require-await
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const state: BucketizerState = {
      kind: "bucketizer",
      inputs: this.inputs,
      outputs: this.outputs,
      splits: this.splits,
      handleInvalid: this.handleInvalid,
    };
    bucketizerKernel.outputs(state, infos);
    return new FeatureModel(state, infos);
  }
}

/** Options of {@linkcode QuantileDiscretizer}. */
export interface QuantileDiscretizerOptions {
  /** The input column (or set `inputCols`). */
  inputCol?: string;
  /** Several input columns, handled independently in one pass (instead of `inputCol`). */
  inputCols?: readonly string[];
  /** The output column. @default {`${inputCol}_bucket`} */
  outputCol?: string;
  /** Output columns, one per input column. */
  outputCols?: readonly string[];
  /** Buckets wanted (fewer when quantiles repeat). @default {2} */
  numBuckets?: number;
  /** Missing values: throw, drop the row, or give bucket `m`. @default {"error"} */
  handleInvalid?: HandleInvalid;
}

/** Buckets numbers at the training data's quantiles. */
export class QuantileDiscretizer implements Estimator<FeatureModel> {
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** Buckets wanted per column. */
  readonly numBuckets: number;
  /** What happens to values the stage cannot encode (see the option). */
  readonly handleInvalid: HandleInvalid;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: QuantileDiscretizerOptions) {
    const { inputs, outputs } = resolveColumns(options, (c) => `${c}_bucket`);
    this.inputs = inputs;
    this.outputs = outputs;
    this.numBuckets = checkNumber("numBuckets", options.numBuckets ?? 2, {
      min: 2,
      max: 1000,
      integer: true,
    });
    this.handleInvalid = checkChoice("handleInvalid", options.handleInvalid ?? "error", [
      "error",
      "skip",
      "keep",
    ]);
  }

  /** Finds each column's quantiles exactly on the cluster; returns a fitted bucketizer. */
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const k = this.numBuckets;
    const found = await selectColumnRanks(dataset, this.inputs.map((c) => asDouble(c, dataset.schema)), {
      ranks: (n) => Array.from({ length: k - 1 }, (_, j) => Math.max(1, Math.ceil(((j + 1) * n) / k))),
      signal: context?.signal,
    });
    const splits = found.map((r) => {
      const inner = [...new Set(r?.values ?? [])].filter((x) => Number.isFinite(x));
      return [-Infinity, ...inner, Infinity];
    });
    const state: BucketizerState = {
      kind: "bucketizer",
      inputs: this.inputs,
      outputs: this.outputs,
      splits,
      handleInvalid: this.handleInvalid,
    };
    bucketizerKernel.outputs(state, infos);
    return new FeatureModel(state, infos);
  }
}
