/**
 * The driver side of logistic-regression training. It runs the passes it is given — ranges,
 * moments, then one loss pass per objective evaluation — and never sees a row: locally the passes
 * fold in-memory blocks (`local_passes.ts`); on a cluster each is one
 * `aggregatePartitions(fold, merge)` over the cached partitions.
 *
 * Steps: class totals and ranges → class weights → moments (and the Gram matrix for the
 * collinearity warning) → the standardization → the optimizer (Newton for small smooth problems,
 * L-BFGS for L2, OWL-QN with an L1 term) from θ = 0 and intercept `log(p/(1-p))` (the optimum for
 * centered features at θ = 0) → coefficients mapped back to the original scale.
 *
 * @module
 */
import { minimizeLbfgs } from "./lbfgs.ts";
import type { LossContext, LossSummary } from "./loss_pass.ts";
import type { Convergence, LogisticRegressionModel, LogisticWarning } from "./model.ts";
import type { MomentContext, MomentSummary } from "./moment_pass.ts";
import { minimizeNewton } from "./newton.ts";
import { penaltyWeights, smoothObjective } from "./objective.ts";
import type { IterationInfo, MinimizeResult } from "./optimizer.ts";
import { minimizeOwlqn } from "./owlqn.ts";
import type { ResolvedParams } from "./params.ts";
import { classTotals, type RangeContext, type RangeSummary, resolveClassWeights } from "./range_pass.ts";
import { finishStandardization, momentContext, type Standardization } from "./standardization.ts";

/** The three folds over all partitions, each merged into one summary. */
export interface LogisticPasses {
  /** Feature ranges and class totals (the first pass). */
  ranges(context: RangeContext): Promise<RangeSummary>;
  /** Centered moments (the second pass). */
  moments(context: MomentContext): Promise<MomentSummary>;
  /** Loss, gradient and optionally Hessian at the context's coefficients (every later pass). */
  loss(context: LossContext): Promise<LossSummary>;
}

/** A fitted model with everything learned on the way. */
export interface LogisticRegressionFit {
  /** Coefficients on the original scale. */
  model: LogisticRegressionModel;
  /** The solution in standardized coordinates (intercept last when fitted). */
  standardizedCoefficients: Float64Array;
  /** The standardization the solver used. */
  standardization: Standardization;
  /** How the optimizer ended. */
  convergence: Convergence;
  /** What the user should know about the fit. */
  warnings: LogisticWarning[];
}

/** Collaborators of {@linkcode trainLogisticRegression} besides the passes. */
export interface TrainOptions {
  /** Aborts training between passes (the abort reason is thrown). */
  signal?: AbortSignal;
  /** Progress after each optimizer iteration. */
  onIteration?: (info: IterationInfo) => void;
}

/** Fits logistic regression on `dimension` features through `passes`. */
export async function trainLogisticRegression(
  passes: LogisticPasses,
  settings: { dimension: number; params: ResolvedParams },
  options: TrainOptions = {},
): Promise<LogisticRegressionFit> {
  const { dimension, params } = settings;
  const { signal } = options, names = params.featureNames;
  if (names !== undefined && names.length !== dimension) {
    throw new RangeError(`featureNames has ${names.length} names for ${dimension} features`);
  }
  const name = (j: number) => (names === undefined ? `feature ${j}` : `"${names[j]}"`);
  signal?.throwIfAborted();
  const ranges = await passes.ranges({ dimension });
  const totals = classTotals(ranges);
  if (!(totals.weightSum[0] + totals.weightSum[1] > 0)) {
    throw new RangeError(`Cannot fit logistic regression: the total instance weight is 0`);
  }
  const classWeights = resolveClassWeights(params.classWeight, totals);
  signal?.throwIfAborted();
  const gram = dimension <= params.collinearityMaxDimension && params.collinearityThreshold < 1;
  const context = momentContext(ranges, classWeights, { gram });
  const moments = await passes.moments(context);
  const std = finishStandardization({ ranges, context, moments }, {
    center: params.fitIntercept,
    collinearityThreshold: params.collinearityThreshold,
  });
  const warnings: LogisticWarning[] = [];
  for (let j = 0; j < dimension; j++) {
    if (std.invStd[j] === 0) {
      warnings.push({
        kind: "constant-feature",
        feature: j,
        message: `${name(j)} is constant on the training data: its coefficient is 0`,
      });
    }
  }
  for (const { a, b, correlation } of std.collinear) {
    warnings.push({
      kind: "collinear",
      features: [a, b],
      correlation,
      message: `${name(a)} and ${name(b)} are nearly collinear (correlation ${
        correlation.toFixed(4)
      }): their coefficients are poorly determined without regularization`,
    });
  }
  const p = dimension + (params.fitIntercept ? 1 : 0);
  const single = totals.weightSum[0] === 0 ? 1 : totals.weightSum[1] === 0 ? 0 : undefined;
  if (single !== undefined) {
    warnings.push({
      kind: "single-class",
      label: single,
      message: `Every row with weight has label ${single}: the model predicts ${single} for everything`,
    });
    const theta = new Float64Array(p);
    if (params.fitIntercept) theta[dimension] = single === 1 ? Infinity : -Infinity;
    const convergence: Convergence = {
      solver: "none",
      converged: true,
      reason: "single-class",
      iterations: 0,
      passes: 2,
      gradientNorm: 0,
      objective: 0,
    };
    return {
      model: toModel(theta, std, params),
      standardizedCoefficients: theta,
      standardization: std,
      convergence,
      warnings,
    };
  }

  const penalty = penaltyWeights(std, params);
  const evaluate = smoothObjective(passes.loss.bind(passes), std, {
    fitIntercept: params.fitIntercept,
    penalty,
  });
  const x0 = new Float64Array(p);
  if (params.fitIntercept) {
    const positive = std.positiveWeight / std.weightSum;
    x0[dimension] = Math.log(positive / (1 - positive));
  }
  const smooth = penalty.l1.every((v) => v === 0);
  const solver = !smooth ? "owlqn" : params.solver === "newton" ||
      (params.solver === "auto" && p <= params.newtonMaxDimension)
    ? "newton"
    : "lbfgs";
  const common = { maxIter: params.maxIter, tol: params.tol, ...optional(options) };
  let result: MinimizeResult;
  if (solver === "newton") result = await minimizeNewton(evaluate, x0, common);
  else if (solver === "lbfgs") {
    result = await minimizeLbfgs(evaluate, x0, { ...common, memory: params.memory });
  } else result = await minimizeOwlqn(evaluate, x0, { ...common, memory: params.memory, l1: penalty.l1 });

  const convergence: Convergence = {
    solver,
    converged: result.reason === "gradient",
    reason: result.reason,
    iterations: result.iterations,
    passes: 2 + result.evaluations,
    gradientNorm: result.gradientNorm,
    objective: result.value,
  };
  if (!convergence.converged) {
    warnings.push({
      kind: "not-converged",
      reason: result.reason,
      gradientNorm: result.gradientNorm,
      message:
        `${solver} stopped (${result.reason}) after ${result.iterations} iterations with gradient norm ${
          result.gradientNorm.toExponential(2)
        } > tol ${params.tol}`,
    });
  }
  return {
    model: toModel(result.x, std, params),
    standardizedCoefficients: result.x,
    standardization: std,
    convergence,
    warnings,
  };
}

/** Maps standardized coordinates back: `β_j = θ_j / std_j`, `intercept = b - Σ β_j shift_j`. */
function toModel(theta: Float64Array, std: Standardization, params: ResolvedParams): LogisticRegressionModel {
  const d = std.dimension, coefficients = new Float64Array(d);
  let intercept = params.fitIntercept ? theta[d]! : 0;
  for (let j = 0; j < d; j++) {
    coefficients[j] = theta[j]! * std.invStd[j]!;
    if (params.fitIntercept) intercept -= coefficients[j]! * std.shift[j]!;
  }
  const model: LogisticRegressionModel = {
    type: "logistic-regression",
    dimension: d,
    coefficients,
    intercept,
  };
  if (params.featureNames !== undefined) model.featureNames = [...params.featureNames];
  return model;
}

function optional(o: TrainOptions): { signal?: AbortSignal; onIteration?: (info: IterationInfo) => void } {
  const out: { signal?: AbortSignal; onIteration?: (info: IterationInfo) => void } = {};
  if (o.signal !== undefined) out.signal = o.signal;
  if (o.onIteration !== undefined) out.onIteration = o.onIteration;
  return out;
}
