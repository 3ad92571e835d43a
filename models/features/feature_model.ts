/**
 * The estimator / transformer contract of the feature stages, and the fitted stage.
 *
 * - An {@linkcode Estimator} is configured at construction (typed options with defaults, checked
 *   there: a `RangeError` names the parameter and its allowed range) and learns from a dataset
 *   with `fit`, which runs its statistics on the cluster (aggregations, never collected rows).
 * - A {@linkcode Transformer} maps a dataset to a new, lazy dataset.
 * - A {@linkcode FeatureModel} is one fitted stage: its JSON state plus the meaning of the columns
 *   it read in fit. It is also an estimator whose `fit` returns itself, so fitted stages can sit in
 *   a pipeline beside unfitted ones.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { type ColumnInfo, type ColumnInfos, inferColumnInfo } from "./column_info.ts";
import { bindStage, type BoundStage, encodeStage, type StageState } from "./stages/kernels.ts";
import { afterStage, overlayInfos, transformWithExpressions } from "./transform_plan.ts";
import type { Json } from "../../actors/errors.ts";

/** What `fit` is told besides the dataset. */
export interface FitContext {
  /** What the input columns mean (a pipeline passes what earlier stages made); else read from the schema. */
  readonly columns?: ColumnInfos;
  /** Cancels the jobs fit runs. */
  readonly signal?: AbortSignal;
}

/** Maps a dataset to a new lazy dataset. */
export interface Transformer {
  /** The transformed dataset (lazy). */
  transform(dataset: Dataset): Dataset;
}

/** Learns a transformer from a dataset. */
export interface Estimator<M extends Transformer = Transformer> {
  /** Learns from `dataset`; statistics run on the cluster. */
  fit(dataset: Dataset, context?: FitContext): Promise<M>;
}

/** The column meanings `fit` works with: the context's, laid over what the schema says. */
export function fitInfos(dataset: Dataset, context: FitContext | undefined): Map<string, ColumnInfo> {
  return overlayInfos(inferColumnInfo(dataset.schema), context?.columns);
}

/** One fitted feature stage. */
export class FeatureModel implements Transformer, Estimator<FeatureModel> {
  readonly #stage: BoundStage;
  readonly #inputInfos: ReadonlyMap<string, ColumnInfo>;

  /**
   * A fitted stage from its state and the meaning of its input columns. Throws `TypeError` when
   * the inputs do not fit the state (e.g. text where numbers are needed).
   */
  constructor(state: StageState, inputInfos: ColumnInfos) {
    this.#stage = bindStage(state);
    this.#inputInfos = new Map(
      this.#stage.inputs.flatMap((c) => {
        const info = inputInfos.get(c);
        return info === undefined ? [] : [[c, info] as const];
      }),
    );
    this.#stage.outputs(inputInfos); // validates
  }

  /** The fitted state (JSON-safe through {@linkcode FeatureModel.toJSON}). */
  get state(): StageState {
    return this.#stage.state;
  }

  /** Columns the stage reads. */
  get inputs(): readonly string[] {
    return this.#stage.inputs;
  }

  /** @internal The bound kernel. */
  get bound(): BoundStage {
    return this.#stage;
  }

  /** What the stage's output columns mean, given what its inputs mean (default: as in fit). */
  outputInfo(infos: ColumnInfos = this.#inputInfos): Map<string, ColumnInfo> {
    return new Map(afterStage(infos, this.#stage));
  }

  /** Returns itself: a fitted stage needs no fitting. */
  fit(): Promise<FeatureModel> {
    return Promise.resolve(this);
  }

  /** The dataset with the stage's output columns added (lazy; engine expressions). */
  transform(dataset: Dataset): Dataset {
    return transformWithExpressions(dataset, [this.#stage], this.#inputInfos);
  }

  /** The state as JSON (`{ kind, ... }`). */
  toJSON(): Json {
    return encodeStage(this.#stage.state);
  }
}
