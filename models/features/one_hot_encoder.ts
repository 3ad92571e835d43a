/**
 * `OneHotEncoder`: category indices to one-hot vectors (`dropLast` drops the last category's slot;
 * a string indexer's `__unknown` index encodes as all zeros; see `stages/one_hot_encoder.ts` for
 * the rules and where they differ from Spark). The category count of a column comes from the
 * stage that made it (a string indexer's labels, a bucketizer's buckets); for a plain number
 * column fit takes `max + 1` over the training data on the cluster.
 *
 * @example
 * ```ts ignore
 * const pipeline = new Pipeline([
 *   new StringIndexer({ inputCol: "job" }),
 *   new OneHotEncoder({ inputCol: "job_index", outputCol: "job_vec" }), // job_vec[job=admin.], …
 * ]);
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col } from "../../cluster/expr/column.ts";
import { infoOf } from "./column_info.ts";
import { moments } from "./cluster_stats.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { checkChoice, checkFlag, resolveColumns } from "./params.ts";
import { oneHotEncoderKernel, type OneHotEncoderState } from "./stages/one_hot_encoder.ts";

/** Options of {@linkcode OneHotEncoder}. */
export interface OneHotEncoderOptions {
  /** The input column (or set `inputCols`). */
  inputCol?: string;
  /** Several input columns, handled independently in one pass (instead of `inputCol`). */
  inputCols?: readonly string[];
  /** The output column. @default {`${inputCol}_vec`} */
  outputCol?: string;
  /** Output columns, one per input column. */
  outputCols?: readonly string[];
  /** Drop the last category's slot (it is implied by all zeros). @default {true} */
  dropLast?: boolean;
  /** Invalid indices: `"error"` throws, `"keep"` gives them an extra slot. @default {"error"} */
  handleInvalid?: "error" | "keep";
}

/** Encodes category indices as one-hot vectors. */
export class OneHotEncoder implements Estimator<FeatureModel> {
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns, one per input column. */
  readonly outputs: readonly string[];
  /** Whether the last category has no slot. */
  readonly dropLast: boolean;
  /** What happens to values the stage cannot encode (see the option). */
  readonly handleInvalid: "error" | "keep";

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: OneHotEncoderOptions) {
    const { inputs, outputs } = resolveColumns(options, (c) => `${c}_vec`);
    this.inputs = inputs;
    this.outputs = outputs;
    this.dropLast = checkFlag("dropLast", options.dropLast ?? true);
    this.handleInvalid = checkChoice("handleInvalid", options.handleInvalid ?? "error", ["error", "keep"]);
  }

  /** Takes category counts from the inputs' meaning, or `max + 1` on the cluster for plain numbers. */
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const catchAll = this.inputs.map((c) => {
      const info = infoOf(infos, c, "OneHotEncoder");
      return info.kind === "nominal" && info.catchAll;
    });
    const sizes: number[] = this.inputs.map((c, j) => {
      const info = infoOf(infos, c, "OneHotEncoder");
      return info.kind === "nominal" ? info.labels.length - (catchAll[j] ? 1 : 0) : -1;
    });
    const plain = this.inputs.filter((_, j) => sizes[j]! < 0);
    const stats = await moments(dataset, plain.map((c) => col(c).cast("double")), {
      signal: context?.signal,
    });
    plain.forEach((c, k) => {
      const m = stats[k]!.max;
      if (m !== undefined && !(Number.isInteger(m) && m >= 0)) {
        throw new RangeError(`OneHotEncoder input "${c}" holds ${m}, not a category index (an integer ≥ 0)`);
      }
      sizes[this.inputs.indexOf(c)] = m === undefined ? 0 : m + 1;
    });
    const state: OneHotEncoderState = {
      kind: "one_hot_encoder",
      inputs: this.inputs,
      outputs: this.outputs,
      sizes,
      catchAll,
      dropLast: this.dropLast,
      handleInvalid: this.handleInvalid,
    };
    oneHotEncoderKernel.outputs(state, infos);
    return new FeatureModel(state, infos);
  }
}
