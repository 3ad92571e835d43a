/**
 * `VectorAssembler`: numbers, category indices and vectors concatenated into one feature vector
 * whose slots keep names that point at the source column (`age`, `job=admin.`, or `job` for a
 * category index assembled as is — a categorical slot trees split natively). It learns nothing;
 * `fit` checks the inputs and fixes the slot layout.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { checkChoice, checkColumn, checkColumns, type HandleInvalid } from "./params.ts";
import { vectorAssemblerKernel, type VectorAssemblerState } from "./stages/vector_assembler.ts";

/** Options of {@linkcode VectorAssembler}. */
export interface VectorAssemblerOptions {
  /** Columns to concatenate, in order. */
  inputCols: readonly string[];
  /** The output column. @default {"features"} */
  outputCol?: string;
  /**
   * Rows with a missing value (null or NaN): `"error"` throws, `"skip"` drops them, `"keep"` keeps
   * NaN (trees treat it as missing). @default {"error"}
   */
  handleInvalid?: HandleInvalid;
}

/** Concatenates columns into a named feature vector. */
export class VectorAssembler implements Estimator<FeatureModel> {
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output column. */
  readonly output: string;
  /** What happens to values the stage cannot encode (see the option). */
  readonly handleInvalid: HandleInvalid;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: VectorAssemblerOptions) {
    this.inputs = checkColumns("inputCols", options.inputCols);
    this.output = checkColumn("outputCol", options.outputCol ?? "features");
    this.handleInvalid = checkChoice("handleInvalid", options.handleInvalid ?? "error", [
      "error",
      "skip",
      "keep",
    ]);
  }

  /** Fixes the slot layout from what the inputs mean (no job runs). */
  // deno-lint-ignore require-await
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const state: VectorAssemblerState = {
      kind: "vector_assembler",
      inputs: this.inputs,
      output: this.output,
      handleInvalid: this.handleInvalid,
    };
    vectorAssemblerKernel.outputs(state, infos);
    return new FeatureModel(state, infos);
  }
}
