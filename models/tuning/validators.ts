/**
 * Spark's names for a search: {@linkcode CrossValidator} (k stratified folds),
 * {@linkcode TrainValidationSplit} (one stratified split at `trainRatio`), and the time-aware
 * {@linkcode OutOfTimeValidator} (train before a time quantile, validate after) and
 * {@linkcode TimeSeriesValidator} (expanding windows: no fold trains on the future). Each holds
 * an estimator, the candidates and the metric, and `fit(data)` runs {@linkcode tune}.
 *
 * @example
 * ```ts ignore
 * const cv = new CrossValidator({
 *   estimator: new TreeTunable("gbt", { label: "y01", pipeline: () => pipeline }),
 *   candidates: new ParamGridBuilder<GbtParams>().addGrid("numLeaves", [7, 31]).build(),
 *   metric: "prAuc",
 *   numFolds: 3,
 *   parallelism: 2,
 * });
 * const { trials, best, winner } = await cv.fit(train, { test });
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import type { FoldPlan } from "./fold_plan.ts";
import type { PreparedFold } from "./tunable.ts";
import { tune, type TuneOptions } from "./tuner.ts";
import type { TuningResult } from "./tuning_result.ts";

/** What every validator takes: the search settings without the fold plan. */
export type SearchSettings<P extends object, F extends PreparedFold> = Omit<
  TuneOptions<P, F>,
  "plan" | "test" | "signal" | "onTrial"
>;

/** What `fit` takes besides the data. */
export type FitSettings<P extends object, F extends PreparedFold> = Pick<
  TuneOptions<P, F>,
  "test" | "signal" | "onTrial"
>;

/** A search with a fixed validation plan; the four validators below are its kinds. */
export abstract class Validator<P extends object, F extends PreparedFold> {
  /** The search settings. */
  readonly settings: SearchSettings<P, F>;
  /** A validator with `settings`. */
  constructor(settings: SearchSettings<P, F>) {
    this.settings = settings;
  }
  /** The folds this validator validates on. */
  abstract plan(): FoldPlan;
  /** Runs the search on `data` (the training rows); `test` is evaluated once, by the refitted winner. */
  fit(data: Dataset, options: FitSettings<P, F> = {}): Promise<TuningResult> {
    return tune(data, { ...this.settings, ...options, plan: this.plan() });
  }
}

/**
 * k-fold cross-validation, stratified by the label; with `foldCol` (Spark's), the folds are the
 * values `0 … numFolds − 1` of that column instead (negative or null: in no fold).
 */
export class CrossValidator<P extends object, F extends PreparedFold> extends Validator<P, F> {
  /** Folds. */
  readonly numFolds: number;
  /** The column giving each row's fold, when the folds are given. */
  readonly foldCol: string | undefined;
  /** `numFolds` defaults to 3. */
  constructor(settings: SearchSettings<P, F> & { readonly numFolds?: number; readonly foldCol?: string }) {
    const { numFolds, foldCol, ...rest } = settings;
    super(rest);
    this.numFolds = numFolds ?? 3;
    this.foldCol = foldCol;
  }
  /** See {@linkcode Validator.plan}. */
  plan(): FoldPlan {
    return this.foldCol === undefined
      ? { kind: "kfold", folds: this.numFolds }
      : { kind: "fold-column", column: this.foldCol, folds: this.numFolds };
  }
}

/** One stratified train/validation split. */
export class TrainValidationSplit<P extends object, F extends PreparedFold> extends Validator<P, F> {
  /** Training share. */
  readonly trainRatio: number;
  /** `trainRatio` defaults to 0.75 (Spark's default). */
  constructor(settings: SearchSettings<P, F> & { readonly trainRatio?: number }) {
    const { trainRatio, ...rest } = settings;
    super(rest);
    this.trainRatio = trainRatio ?? 0.75;
  }
  /** See {@linkcode Validator.plan}. */
  plan(): FoldPlan {
    return { kind: "holdout", trainRatio: this.trainRatio };
  }
}

/** Out-of-time holdout: validate on the latest `1 − trainRatio` of the rows by `time`. */
export class OutOfTimeValidator<P extends object, F extends PreparedFold> extends Validator<P, F> {
  /** The time column. */
  readonly time: string;
  /** Training share (the earliest rows). */
  readonly trainRatio: number;
  /** `trainRatio` defaults to 0.8. */
  constructor(settings: SearchSettings<P, F> & { readonly time: string; readonly trainRatio?: number }) {
    const { time, trainRatio, ...rest } = settings;
    super(rest);
    this.time = time;
    this.trainRatio = trainRatio ?? 0.8;
  }
  /** See {@linkcode Validator.plan}. */
  plan(): FoldPlan {
    return { kind: "time-holdout", time: this.time, trainRatio: this.trainRatio };
  }
}

/** Expanding-window time-series folds on `time`. */
export class TimeSeriesValidator<P extends object, F extends PreparedFold> extends Validator<P, F> {
  /** The time column. */
  readonly time: string;
  /** Folds (validation windows). */
  readonly numFolds: number;
  /** `numFolds` defaults to 3. */
  constructor(settings: SearchSettings<P, F> & { readonly time: string; readonly numFolds?: number }) {
    const { time, numFolds, ...rest } = settings;
    super(rest);
    this.time = time;
    this.numFolds = numFolds ?? 3;
  }
  /** See {@linkcode Validator.plan}. */
  plan(): FoldPlan {
    return { kind: "time-series", time: this.time, folds: this.numFolds };
  }
}
