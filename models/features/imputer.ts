/**
 * `Imputer`: fills missing values (null, and NaN in number columns) with a statistic of the
 * training data, computed on the cluster: the mean, the exact lower median (the value of rank
 * ⌈n/2⌉, found by `selectRanks` without collecting rows), or the mode (the most frequent value,
 * ties to the smallest; text columns too). A column with no values in the training data cannot
 * be fitted (`RangeError`).
 *
 * @example
 * ```ts ignore
 * const model = await new Imputer({ inputCols: ["age", "balance"], strategy: "median" }).fit(train);
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col } from "../../cluster/expr/column.ts";
import { infoOf } from "./column_info.ts";
import { moments, valueCounts } from "./cluster_stats.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { selectColumnRanks } from "./order_statistics.ts";
import { checkChoice, resolveColumns } from "./params.ts";
import { imputerKernel, type ImputerState, type ImputeStrategy } from "./stages/imputer.ts";
import { asDouble } from "./stages/stage.ts";

/** Options of {@linkcode Imputer}. */
export interface ImputerOptions {
  /** The input column (or set `inputCols`). */
  inputCol?: string;
  /** Several input columns, handled independently in one pass (instead of `inputCol`). */
  inputCols?: readonly string[];
  /** The output column. @default {the input columns (filled in place)} */
  outputCol?: string;
  /** Output columns, one per input column. */
  outputCols?: readonly string[];
  /** How each column's fill is computed. @default {"mean"} */
  strategy?: ImputeStrategy;
}

/** Fills missing values with the training mean, median or mode. */
export class Imputer implements Estimator<FeatureModel> {
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** How each column's fill is computed. */
  readonly strategy: ImputeStrategy;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: ImputerOptions) {
    const { inputs, outputs } = resolveColumns(options, (c) => c);
    this.inputs = inputs;
    this.outputs = outputs;
    this.strategy = checkChoice("strategy", options.strategy ?? "mean", ["mean", "median", "mode"]);
  }

  /** Computes every column's fill on the cluster (one or two jobs per kind of statistic). */
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const signal = context?.signal;
    const text = this.inputs.map((c) => infoOf(infos, c, "Imputer").kind === "string");
    if (this.strategy !== "mode" && text.some((t) => t)) {
      const c = this.inputs[text.indexOf(true)]!;
      throw new TypeError(
        `Imputer strategy "${this.strategy}" needs numbers, but "${c}" is text: use "mode"`,
      );
    }
    const nums = this.inputs.filter((_, j) => !text[j]);
    const fills = new Map<string, number | string>();
    if (this.strategy === "mean") {
      const m = await moments(dataset, nums.map((c) => asDouble(c, dataset.schema)), { signal });
      nums.forEach((c, k) => m[k]!.mean !== undefined && fills.set(c, m[k]!.mean!));
    } else if (this.strategy === "median") {
      const medians = await selectColumnRanks(dataset, nums.map((c) => asDouble(c, dataset.schema)), {
        ranks: (n) => [Math.ceil(n / 2)],
        signal,
      });
      nums.forEach((c, k) => medians[k] !== undefined && fills.set(c, medians[k]!.values[0]!));
    } else {
      const texts = this.inputs.filter((_, j) => text[j]);
      const numCounts = await valueCounts(dataset, nums.map((c) => asDouble(c, dataset.schema)), { signal });
      const textCounts = await valueCounts(dataset, texts.map((c) => col(c)), { signal });
      [
        ...nums.map((c, k) => [c, numCounts[k]!] as const),
        ...texts.map((c, k) => [c, textCounts[k]!] as const),
      ]
        .forEach(([c, { counts }]) => {
          const mode = modeOf(counts);
          if (mode !== undefined) fills.set(c, mode);
        });
    }
    const missing = this.inputs.find((c) => !fills.has(c));
    if (missing !== undefined) {
      throw new RangeError(`Imputer cannot fit column "${missing}": it has no values in the training data`);
    }
    const state: ImputerState = {
      kind: "imputer",
      inputs: this.inputs,
      outputs: this.outputs,
      strategy: this.strategy,
      fills: this.inputs.map((c) => fills.get(c)!),
    };
    imputerKernel.outputs(state, infos);
    return new FeatureModel(state, infos);
  }
}

/** The most frequent value (NaN ignored), ties to the smallest. */
function modeOf(counts: ReadonlyMap<string | number | boolean, number>): number | string | undefined {
  let best: number | string | undefined, bestN = 0;
  for (const [v, n] of counts) {
    if (typeof v === "boolean" || (typeof v === "number" && Number.isNaN(v))) continue;
    if (n > bestN || (n === bestN && best !== undefined && v < best)) {
      best = v;
      bestN = n;
    }
  }
  return best;
}
