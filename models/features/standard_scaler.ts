/**
 * `StandardScaler`: centres and/or scales every slot of a vector (or one number column) by the
 * training mean and sample standard deviation, computed on the cluster in one aggregation.
 * Defaults follow Spark (`withMean: false`, `withStd: true`).
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col } from "../../cluster/expr/column.ts";
import { infoOf, slotColumn, slotsOf } from "./column_info.ts";
import { moments } from "./cluster_stats.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { checkColumn, checkFlag } from "./params.ts";
import { standardScalerKernel, type StandardScalerState } from "./stages/standard_scaler.ts";
import { asDouble } from "./stages/stage.ts";

/** Options of {@linkcode StandardScaler}. */
export interface StandardScalerOptions {
  /** A vector (e.g. `"features"`) or a number column. */
  inputCol: string;
  /** The output column. @default {`${inputCol}_scaled`} */
  outputCol?: string;
  /** Subtract the mean. @default {false} */
  withMean?: boolean;
  /** Divide by the standard deviation. @default {true} */
  withStd?: boolean;
}

/** Standardizes features with training moments. */
export class StandardScaler implements Estimator<FeatureModel> {
  /** The input column. */
  readonly input: string;
  /** The output column. */
  readonly output: string;
  /** Whether the mean is subtracted. */
  readonly withMean: boolean;
  /** Whether values are divided by the standard deviation. */
  readonly withStd: boolean;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: StandardScalerOptions) {
    this.input = checkColumn("inputCol", options.inputCol);
    this.output = checkColumn("outputCol", options.outputCol ?? `${this.input}_scaled`);
    this.withMean = checkFlag("withMean", options.withMean ?? false);
    this.withStd = checkFlag("withStd", options.withStd ?? true);
  }

  /** Every slot's mean and standard deviation, in one job. */
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const info = infoOf(infos, this.input, "StandardScaler");
    const columns = info.kind === "vector"
      ? info.slots.map((s) => col(slotColumn(this.input, s.name)))
      : (slotsOf(this.input, info, "StandardScaler"), [asDouble(this.input, dataset.schema)]);
    const m = await moments(dataset, columns, { signal: context?.signal });
    const state: StandardScalerState = {
      kind: "standard_scaler",
      input: this.input,
      output: this.output,
      withMean: this.withMean,
      withStd: this.withStd,
      mean: m.map((x) => x.mean ?? 0),
      std: m.map((x) => x.std ?? 0),
    };
    standardScalerKernel.outputs(state, infos);
    return new FeatureModel(state, infos);
  }
}
