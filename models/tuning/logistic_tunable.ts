/**
 * Logistic regression with its feature pipeline as a {@linkcode Tunable}: a fold is prepared
 * once per pipeline-stage parameters (pipeline fitted on the fold's training rows, the assembled
 * feature columns of its training and validation rows cached on the executors); each trial runs
 * its optimizer passes over the cached columns.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col } from "../../cluster/expr/column.ts";
import { LogisticRegression } from "../classification/logistic_regression/logistic_regression.ts";
import type { LogisticRegressionParams } from "../classification/logistic_regression/params.ts";
import type { Pipeline, PipelineModel } from "../features/pipeline.ts";
import {
  featureColumns,
  type PreparedFold,
  splitParams,
  stableKey,
  type TrialContext,
  type TrialFit,
  type Tunable,
} from "./tunable.ts";

/** Settings of a {@linkcode LogisticTunable}. */
export interface LogisticTunableOptions<S extends object> {
  /** The 0/1 label column. */
  readonly label: string;
  /** The feature pipeline of a trial's stage parameters (one-hot, imputed, dense). */
  readonly pipeline: (stages: Partial<S>) => Pipeline;
  /** Parameters every trial starts from. */
  readonly base?: LogisticRegressionParams;
}

/** A fold prepared for logistic trials. */
export interface PreparedLogisticFold extends PreparedFold {
  /** The feature pipeline fitted on the fold's training rows. */
  readonly pipeline: PipelineModel;
  /** The slot columns of its feature vector. */
  readonly features: readonly string[];
  /** The assembled training rows (cached). */
  readonly train: Dataset;
  /** The assembled validation rows (cached), when the fold has them. */
  readonly validation: Dataset | undefined;
}

/** Logistic regression with its pipeline, for a search. */
export class LogisticTunable<S extends object = Record<never, never>>
  implements Tunable<LogisticRegressionParams & S, PreparedLogisticFold> {
  /** `"lr"`. */
  readonly name = "lr";
  /** The 0/1 label column. */
  readonly label: string;
  readonly #options: LogisticTunableOptions<S>;

  /** Logistic regression over `options.pipeline`'s features. */
  constructor(options: LogisticTunableOptions<S>) {
    this.label = options.label;
    this.#options = options;
  }

  prepareKey(params: Partial<LogisticRegressionParams & S>): string {
    return stableKey(splitParams(params).stages);
  }

  async prepare(
    train: Dataset,
    validation: Dataset | undefined,
    params: Partial<LogisticRegressionParams & S>,
    options: { readonly seed: number; readonly signal?: AbortSignal | undefined },
  ): Promise<PreparedLogisticFold> {
    const signal = options.signal;
    const pipeline = await this.#options.pipeline(splitParams(params).stages as Partial<S>)
      .fit(train, signal === undefined ? undefined : { signal });
    const features = featureColumns(pipeline);
    const assembled = (ds: Dataset) => pipeline.transform(ds).select(...features, this.label).cache();
    const t = assembled(train);
    const v = validation === undefined ? undefined : assembled(validation);
    return {
      pipeline,
      features,
      train: t,
      validation: v,
      stats: { jobs: 0 },
      release: async () => {
        await t.unpersist();
        await v?.unpersist();
      },
    };
  }

  async fit(
    prepared: PreparedLogisticFold,
    params: Partial<LogisticRegressionParams & S>,
    context: TrialContext,
  ): Promise<TrialFit> {
    const own = { ...this.#options.base, ...splitParams(params).own } as LogisticRegressionParams;
    const { pipeline, features } = prepared;
    const lr = new LogisticRegression({ ...own, featureNames: pipeline.featureNames });
    const model = await lr.fit(prepared.train, {
      featureCols: features,
      labelCol: this.label,
      cache: false,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });
    const score = (assembled: Dataset) => model.transform(assembled).drop("prediction");
    return {
      model: { model, pipeline, score: (raw) => score(pipeline.transform(raw)) },
      scored: prepared.validation === undefined
        ? undefined
        : score(prepared.validation).select(col(this.label), col("probability")),
    };
  }
}
