/**
 * What a tuning search needs of an estimator: a {@linkcode Tunable} prepares a fold once for
 * every trial that can share it, then fits one trial at a time on the prepared fold.
 *
 * Preparing a fold fits the feature pipeline on the fold's training rows and caches the
 * assembled (indexed, vectorized) training and validation columns on the executors; tree kinds
 * also count the partitions and fit the bin boundaries there. A trial then reads the cached
 * columns and the shared boundaries, never the raw input; only what depends on the trial's own
 * parameters is done per trial. Which parameters shape the preparation is
 * {@linkcode Tunable.prepareKey}: pipeline-stage parameters (dotted keys, see
 * {@linkcode StageParams}) and, for trees, `maxBins`.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { slotColumn } from "../features/column_info.ts";
import type { PipelineModel } from "../features/pipeline.ts";

/** A fold prepared for the trials that share it. */
export interface PreparedFold {
  /** What preparing it ran (jobs, milliseconds). */
  readonly stats: { readonly jobs: number };
  /** Frees its cached data on the executors. */
  release(): Promise<void>;
}

/** A trial's fitted model. */
export interface TrialModel {
  /** The fitted model (e.g. a `GbtModel`). */
  readonly model: unknown;
  /** The feature pipeline the model reads, fitted on the same rows. */
  readonly pipeline: PipelineModel;
  /** Boosting rounds (trees) kept, for kinds with rounds. */
  readonly rounds?: number | undefined;
  /** `raw` (the columns the pipeline reads) with a `probability` column appended (lazy). */
  score(raw: Dataset): Dataset;
}

/** What a trial fit gets besides the prepared fold and its parameters. */
export interface TrialContext {
  /** Seeds every random draw of the fit (the same for every trial and fold). */
  readonly seed: number;
  /** Fixed number of rounds (a refit reuses what early stopping chose on the folds). */
  readonly rounds?: number | undefined;
  /** Cancels the fit. */
  readonly signal?: AbortSignal | undefined;
}

/** A trial's outcome on one fold. */
export interface TrialFit {
  /** The fitted model. */
  readonly model: TrialModel;
  /** The fold's validation rows: the label column and `probability` (lazy); absent without them. */
  readonly scored: Dataset | undefined;
}

/** An estimator a search can tune; `P` are its parameters, pipeline-stage ones included. */
export interface Tunable<P extends object, F extends PreparedFold> {
  /** A short name (`"gbt"`). */
  readonly name: string;
  /** The 0/1 label column of the data (folds are stratified by it). */
  readonly label: string;
  /**
   * The key of what preparing a fold depends on among `params`: trials with equal keys share a
   * fold's preparation.
   */
  prepareKey(params: Partial<P>): string;
  /**
   * Fits the feature stages on `train` and prepares `train` (and `validation`, when given) for
   * every trial of this key. Throws `RangeError` for a bad stage parameter.
   */
  prepare(
    train: Dataset,
    validation: Dataset | undefined,
    params: Partial<P>,
    options: { readonly seed: number; readonly signal?: AbortSignal | undefined },
  ): Promise<F>;
  /**
   * Fits one trial on a prepared fold; kinds that stop early stop on its validation rows. Throws
   * `RangeError` for a bad parameter (a deterministic failure: not retried).
   */
  fit(prepared: F, params: Partial<P>, context: TrialContext): Promise<TrialFit>;
}

/** The slot columns of the pipeline's feature vector, in model order. */
export function featureColumns(pipeline: PipelineModel): string[] {
  return pipeline.featureNames.map((n) => slotColumn(pipeline.spec.features, n));
}

/** The slot columns that hold category indices (split natively by the tree models). */
export function categoricalColumns(pipeline: PipelineModel): string[] {
  return pipeline.layout.slots.flatMap((s) =>
    s.kind === "categorical" ? [slotColumn(pipeline.spec.features, s.name)] : []
  );
}

/** `params` cut into the estimator's own (no dot in the name) and the stages' (dotted). */
export function splitParams(
  params: object,
): { own: Record<string, unknown>; stages: Record<string, unknown> } {
  const own: Record<string, unknown> = {}, stages: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    (k.includes(".") ? stages : own)[k] = v;
  }
  return { own, stages };
}

/** A stable JSON key of `record` (keys sorted). */
export function stableKey(record: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(record).sort().map((k) => [k, record[k]]));
}
