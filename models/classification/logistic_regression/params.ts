/**
 * Parameters of logistic regression, with defaults, validated once at construction: a bad value
 * is a `RangeError` naming the parameter and its allowed range.
 *
 * The objective (as Spark's) is
 * `(1/Σw) Σ_i w_i ℓ(y_i, x_i) + regParam · ((1 - α)/2 · Σ_j c_j² β_j² + α · Σ_j c_j |β_j|)`
 * with `α = elasticNetParam`, `c_j = std_j` when `standardization` is set (the penalty applies to
 * standardized coefficients) and 1 otherwise; the intercept is never penalized.
 *
 * @module
 */
import type { ClassWeightOption } from "./range_pass.ts";

/** Which solver runs. `"auto"`: Newton when there is no L1 term and few coefficients, else L-BFGS. */
export type Solver = "auto" | "lbfgs" | "newton";

/** Options of logistic regression. */
export interface LogisticRegressionParams {
  /**
   * Regularization strength λ ≥ 0. The default is a small L2: the unregularized problem is
   * ill-posed on collinear features (bank-additional's economic indicators), where it changes the
   * out-of-time ROC-AUC by 0.1 for an almost unchanged training loss. @default {1e-4}
   */
  regParam?: number;
  /** α in [0, 1]: 0 is pure L2 (ridge), 1 pure L1 (lasso). @default {0} */
  elasticNetParam?: number;
  /**
   * Iterations at most. Spark's 100 is short for L-BFGS at this `tol`: on bank-additional (52
   * one-hot features, 3 collinear pairs) it needed 135 at the default L2; Newton needs 8. @default {200}
   */
  maxIter?: number;
  /**
   * Converged when the largest magnitude of the objective's (pseudo-)gradient, in standardized
   * coordinates, is at most this. @default {1e-7}
   */
  tol?: number;
  /** Penalize standardized coefficients (as Spark); the unpenalized optimum is the same. @default {true} */
  standardization?: boolean;
  /** Fit an unpenalized intercept. @default {true} */
  fitIntercept?: boolean;
  /** Class weights, as instance weights: `"balanced"` or `[weight of 0, weight of 1]`. @default {none} */
  classWeight?: ClassWeightOption;
  /** The optimizer (see {@linkcode Solver}). @default {"auto"} */
  solver?: Solver;
  /**
   * Largest coefficient count (features + intercept) for which `"auto"` picks Newton. A Hessian
   * pass costs ~p²/2 terms per row: on bank-additional (p = 53, 41k rows) Newton took 12 passes
   * and 3.3 s, L-BFGS 147 passes and 2.9 s; Newton's far fewer rounds win on a cluster up to about
   * here, while at p = 200 its passes would cost ~14× more. @default {64}
   */
  newtonMaxDimension?: number;
  /** L-BFGS / OWL-QN curvature pairs kept. @default {10} */
  memory?: number;
  /** Warn about feature pairs whose |Pearson correlation| exceeds this (1 disables). @default {0.95} */
  collinearityThreshold?: number;
  /** Skip the collinearity check (a d²/2-term pass) above this many features. @default {300} */
  collinearityMaxDimension?: number;
  /** Feature names, for warnings. */
  featureNames?: readonly string[];
}

/** Every parameter resolved. */
export interface ResolvedParams {
  /** See {@linkcode LogisticRegressionParams.regParam}. */
  regParam: number;
  /** See {@linkcode LogisticRegressionParams.elasticNetParam}. */
  elasticNetParam: number;
  /** See {@linkcode LogisticRegressionParams.maxIter}. */
  maxIter: number;
  /** See {@linkcode LogisticRegressionParams.tol}. */
  tol: number;
  /** See {@linkcode LogisticRegressionParams.standardization}. */
  standardization: boolean;
  /** See {@linkcode LogisticRegressionParams.fitIntercept}. */
  fitIntercept: boolean;
  /** See {@linkcode LogisticRegressionParams.classWeight}. */
  classWeight: ClassWeightOption;
  /** See {@linkcode LogisticRegressionParams.solver}. */
  solver: Solver;
  /** See {@linkcode LogisticRegressionParams.newtonMaxDimension}. */
  newtonMaxDimension: number;
  /** See {@linkcode LogisticRegressionParams.memory}. */
  memory: number;
  /** See {@linkcode LogisticRegressionParams.collinearityThreshold}. */
  collinearityThreshold: number;
  /** See {@linkcode LogisticRegressionParams.collinearityMaxDimension}. */
  collinearityMaxDimension: number;
  /** See {@linkcode LogisticRegressionParams.featureNames}. */
  featureNames: readonly string[] | undefined;
}

/** Resolves defaults and validates; throws a `RangeError` naming the first bad parameter. */
export function resolveParams(params: LogisticRegressionParams = {}): ResolvedParams {
  const out: ResolvedParams = {
    regParam: params.regParam ?? 1e-4,
    elasticNetParam: params.elasticNetParam ?? 0,
    maxIter: params.maxIter ?? 200,
    tol: params.tol ?? 1e-7,
    standardization: params.standardization ?? true,
    fitIntercept: params.fitIntercept ?? true,
    classWeight: params.classWeight,
    solver: params.solver ?? "auto",
    newtonMaxDimension: params.newtonMaxDimension ?? 64,
    memory: params.memory ?? 10,
    collinearityThreshold: params.collinearityThreshold ?? 0.95,
    collinearityMaxDimension: params.collinearityMaxDimension ?? 300,
    featureNames: params.featureNames,
  };
  number("regParam", out.regParam, { min: 0, max: Infinity, range: "[0, Infinity)" });
  number("elasticNetParam", out.elasticNetParam, { min: 0, max: 1, range: "[0, 1]" });
  integer("maxIter", out.maxIter, 0);
  number("tol", out.tol, { min: 0, max: Infinity, range: "[0, Infinity)" });
  flag("standardization", out.standardization);
  flag("fitIntercept", out.fitIntercept);
  integer("newtonMaxDimension", out.newtonMaxDimension, 0);
  integer("memory", out.memory, 1);
  number("collinearityThreshold", out.collinearityThreshold, {
    min: 0,
    max: 1,
    range: "(0, 1]",
    openMin: true,
  });
  integer("collinearityMaxDimension", out.collinearityMaxDimension, 0);
  if (!["auto", "lbfgs", "newton"].includes(out.solver)) {
    throw new RangeError(
      `solver must be one of "auto", "lbfgs", "newton", got ${JSON.stringify(out.solver)}`,
    );
  }
  if (out.solver === "newton" && out.regParam * out.elasticNetParam > 0) {
    throw new RangeError(
      `solver "newton" needs a smooth objective: elasticNetParam must be 0 (or regParam 0), got ${out.elasticNetParam}`,
    );
  }
  const cw = out.classWeight;
  if (cw !== undefined && cw !== "balanced") {
    if (
      !Array.isArray(cw) || cw.length !== 2 ||
      !cw.every((w) => typeof w === "number" && w > 0 && w < Infinity)
    ) {
      throw new RangeError(
        `classWeight must be "balanced" or [w0, w1] with each weight in (0, Infinity), got ${
          JSON.stringify(cw)
        }`,
      );
    }
  }
  return out;
}

/** Checks a number in `[min, max]` (or `(min, max]`), finite unless `max` is `Infinity` (then below it). */
function number(
  name: string,
  v: unknown,
  range: { min: number; max: number; range: string; openMin?: boolean },
): void {
  const ok = typeof v === "number" && !Number.isNaN(v) && (range.openMin ? v > range.min : v >= range.min) &&
    v <= range.max && v < Infinity;
  if (!ok) throw new RangeError(`${name} must be in ${range.range}, got ${String(v)}`);
}

function integer(name: string, v: unknown, min: number): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
}

function flag(name: string, v: unknown): void {
  if (typeof v !== "boolean") throw new RangeError(`${name} must be true or false, got ${String(v)}`);
}
