/**
 * The training objective in standardized coordinates, as the optimizers see it: one loss pass per
 * evaluation, its sums divided by the weight total, plus the L2 part of the penalty. The L1 part
 * is handed to OWL-QN as per-coordinate weights.
 *
 * With `θ_j` the standardized coefficient (`β_j = θ_j / std_j`), Spark's penalty on standardized
 * coefficients is `λ((1-α)/2 θ_j² + α|θ_j|)`; without standardization it is on `β_j`, i.e.
 * `λ((1-α)/2 (θ_j/std_j)² + α|θ_j|/std_j)`. The intercept is not penalized. A constant feature
 * (`1/std = 0`) has `z = 0`, so its coordinate has gradient 0 and stays at 0; its Hessian diagonal
 * gets 1 so Newton's system stays definite.
 *
 * @module
 */
import { finishLoss, type LossContext, type LossSummary } from "./loss_pass.ts";
import type { Evaluate } from "./optimizer.ts";
import type { ResolvedParams } from "./params.ts";
import type { Standardization } from "./standardization.ts";

/** Per-coordinate penalty weights (intercept last, 0). */
export interface Penalty {
  /** `f += ½ Σ l2_j θ_j²`. */
  l2: Float64Array;
  /** `f += Σ l1_j |θ_j|`. */
  l1: Float64Array;
}

/** The penalty weights of `params` for this standardization. */
export function penaltyWeights(std: Standardization, params: ResolvedParams): Penalty {
  const d = std.dimension, p = d + (params.fitIntercept ? 1 : 0);
  const l2 = new Float64Array(p), l1 = new Float64Array(p);
  const lambda = params.regParam, alpha = params.elasticNetParam;
  for (let j = 0; j < d; j++) {
    const scale = params.standardization ? 1 : std.invStd[j]!;
    l2[j] = lambda * (1 - alpha) * scale * scale;
    l1[j] = lambda * alpha * scale;
  }
  return { l2, l1 };
}

/** The loss pass's context at `coefficients` (standardized, intercept last when fitted). */
export function lossContext(
  std: Standardization,
  at: { fitIntercept: boolean; coefficients: Float64Array; hessian: boolean },
): LossContext {
  const { fitIntercept, coefficients, hessian } = at;
  return {
    dimension: std.dimension,
    fitIntercept,
    classWeights: std.classWeights,
    maxWeight: std.maxWeight,
    shift: std.shift,
    invStd: std.invStd,
    maxAbsZ: std.maxAbsZ,
    coefficients,
    hessian,
  };
}

/** The smooth objective: `loss / Σw + ½ Σ l2_j θ_j²`, with gradient and Hessian. */
export function smoothObjective(
  loss: (context: LossContext) => Promise<LossSummary>,
  std: Standardization,
  options: { fitIntercept: boolean; penalty: Penalty },
): Evaluate {
  const { l2 } = options.penalty, W = std.weightSum, d = std.dimension;
  return async (theta, { hessian }) => {
    const sums = finishLoss(
      await loss(lossContext(std, { fitIntercept: options.fitIntercept, coefficients: theta, hessian })),
    );
    const p = theta.length, gradient = new Float64Array(p);
    let value = sums.loss / W;
    for (let j = 0; j < p; j++) {
      value += 0.5 * l2[j]! * theta[j]! * theta[j]!;
      gradient[j] = sums.gradient[j]! / W + l2[j]! * theta[j]!;
    }
    if (!hessian) return { loss: value, gradient };
    if (sums.hessian === undefined) throw new RangeError("The loss pass returned no Hessian");
    const h = sums.hessian.map((v) => v / W);
    for (let j = 0; j < p; j++) {
      h[j * p + j]! += l2[j]!;
      if (j < d && std.invStd[j] === 0) h[j * p + j]! += 1;
    }
    return { loss: value, gradient, hessian: h };
  };
}
