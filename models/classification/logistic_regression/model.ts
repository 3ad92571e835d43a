/**
 * A fitted logistic-regression model on the original feature scale, and its predictions.
 *
 * @module
 */
import { blockRows, checkBlockShape, type FeatureBlock } from "./feature_block.ts";
import type { StopReason } from "./optimizer.ts";

/** Coefficients on the original feature scale: `P(y = 1 | x) = 1 / (1 + e^{-(β·x + intercept)})`. */
export interface LogisticRegressionModel {
  /** The model type. */
  type: "logistic-regression";
  /** Features. */
  dimension: number;
  /** One per feature, on the original scale. */
  coefficients: Float64Array;
  /** The intercept (0 without one). */
  intercept: number;
  /** Feature names, when the parameters named them. */
  featureNames?: readonly string[];
}

/** How the optimizer ended. */
export interface Convergence {
  /** The solver that ran (`"none"` when there was nothing to optimize). */
  solver: "newton" | "lbfgs" | "owlqn" | "none";
  /** Whether the gradient criterion was met. */
  converged: boolean;
  /** Why the optimizer stopped (`"single-class"`: one class only, nothing to optimize). */
  reason: StopReason | "single-class";
  /** Optimizer iterations. */
  iterations: number;
  /** Passes over the data: the two standardization passes plus every evaluation. */
  passes: number;
  /** Largest magnitude of the objective's (pseudo-)gradient in standardized coordinates. */
  gradientNorm: number;
  /** The objective at the solution (data term divided by the weight total, plus the penalty). */
  objective: number;
}

/** Something the user should know about the fit. */
export type LogisticWarning =
  | { kind: "collinear"; features: [number, number]; correlation: number; message: string }
  | { kind: "constant-feature"; feature: number; message: string }
  | { kind: "single-class"; label: 0 | 1; message: string }
  | { kind: "not-converged"; reason: StopReason; gradientNorm: number; message: string };

/** `P(y = 1)` for every row of the block. */
export function predictProbabilities(model: LogisticRegressionModel, block: FeatureBlock): Float64Array {
  checkBlockShape(block, model.dimension);
  return probabilitiesOf(model, { features: block.features, rows: blockRows(block) });
}

/**
 * `P(y = 1)` for `rows` rows of row-major `features` (`rows · dimension` values). Each row's
 * probability depends on that row alone, so a row scores to the same bits in any partition.
 */
export function probabilitiesOf(
  model: Pick<LogisticRegressionModel, "dimension" | "coefficients" | "intercept">,
  input: { features: Float64Array; rows: number },
): Float64Array {
  const d = model.dimension, { features, rows } = input, out = new Float64Array(rows);
  if (features.length !== rows * d) {
    throw new RangeError(`Cannot read ${features.length} feature values as ${rows} rows × ${d} features`);
  }
  const { coefficients, intercept } = model;
  for (let i = 0; i < rows; i++) {
    let m = intercept;
    for (let j = 0; j < d; j++) m += coefficients[j]! * features[i * d + j]!;
    out[i] = m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m));
  }
  return out;
}
