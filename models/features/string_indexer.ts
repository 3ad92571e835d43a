/**
 * `StringIndexer`: text columns to category indices, most frequent label first (index 0); ties
 * by label ascending (UTF-16 code units, the engine's string order). Fit counts the labels of
 * every input column in one aggregation job on the cluster; nulls never become labels.
 *
 * @example
 * ```ts ignore
 * const indexer = new StringIndexer({ inputCols: ["job", "marital"], handleInvalid: "keep" });
 * const model = await indexer.fit(train); // job_index, marital_index
 * model.transform(test);
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col } from "../../cluster/expr/column.ts";
import { valueCounts } from "./cluster_stats.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { checkChoice, type HandleInvalid, resolveColumns } from "./params.ts";
import { stringIndexerKernel } from "./stages/string_indexer.ts";

/** Options of {@linkcode StringIndexer}. */
export interface StringIndexerOptions {
  /** The text column to index (or use `inputCols`). */
  inputCol?: string;
  /** Several text columns, indexed independently in one job. */
  inputCols?: readonly string[];
  /** The output column. @default {`${inputCol}_index`} */
  outputCol?: string;
  /** Output columns, one per input column. @default {`${input}_index` for each input} */
  outputCols?: readonly string[];
  /**
   * Null and unseen values at transform time: `"error"` throws, `"skip"` drops the row, `"keep"`
   * gives index `labels.length`. @default {"error"}
   */
  handleInvalid?: HandleInvalid;
}

/** Sorts labels by count descending, then by label ascending. */
export function orderLabels(counts: ReadonlyMap<string, number>): string[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([l]) => l);
}

/** Indexes text columns by label frequency. */
export class StringIndexer implements Estimator<FeatureModel> {
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** What happens to values the stage cannot encode (see the option). */
  readonly handleInvalid: HandleInvalid;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: StringIndexerOptions) {
    const { inputs, outputs } = resolveColumns(options, (c) => `${c}_index`);
    this.inputs = inputs;
    this.outputs = outputs;
    this.handleInvalid = checkChoice("handleInvalid", options.handleInvalid ?? "error", [
      "error",
      "skip",
      "keep",
    ]);
  }

  /** Counts every input column's labels on the cluster (one job). */
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const state0 = {
      kind: "string_indexer" as const,
      inputs: this.inputs,
      outputs: this.outputs,
      labels: this.inputs.map(() => []),
      handleInvalid: this.handleInvalid,
    };
    stringIndexerKernel.outputs(state0, infos); // checks the inputs are text before any job runs
    const counts = await valueCounts(dataset, this.inputs.map((c) => col(c)), { signal: context?.signal });
    const labels = counts.map(({ counts }) => {
      const text = new Map<string, number>();
      for (const [v, n] of counts) if (typeof v === "string") text.set(v, n);
      return orderLabels(text);
    });
    return new FeatureModel({ ...state0, labels }, infos);
  }
}
