/**
 * Shared shapes of the driver-side optimizers (`lbfgs.ts`, `owlqn.ts`, `newton.ts`). Each
 * minimizes `f(x) + Σ_j l1_j |x_j|` where the smooth part `f` is an injected asynchronous
 * {@linkcode Evaluate}: locally in tests, one distributed pass per call in training.
 *
 * @module
 */

/** The smooth part of the objective at a point. */
export interface Evaluation {
  loss: number;
  gradient: Float64Array;
  /** Full symmetric Hessian, row-major (only when asked for). */
  hessian?: Float64Array;
}

/** Evaluates the smooth part at `x` (with the Hessian when `hessian` is set). */
export type Evaluate = (x: Float64Array, options: { hessian: boolean }) => Promise<Evaluation>;

/** Why a minimizer stopped. */
export type StopReason =
  /** The (pseudo-)gradient's largest magnitude fell to `tol`: converged. */
  | "gradient"
  /** `maxIter` iterations ran. */
  | "max-iterations"
  /** No step along the search direction decreased the objective (at the limit of its precision). */
  | "line-search";

/** Progress after each iteration. */
export interface IterationInfo {
  /** Iterations done. */
  iteration: number;
  /** The full objective (smooth part plus L1). */
  value: number;
  /** Largest magnitude of the (pseudo-)gradient. */
  gradientNorm: number;
  /** Evaluations (passes over the data) so far. */
  evaluations: number;
}

/** Settings shared by the minimizers. */
export interface MinimizeOptions {
  /** Iterations at most (each is one search direction and its line search). */
  maxIter: number;
  /** Stop when the largest magnitude of the (pseudo-)gradient is at most this. */
  tol: number;
  /** Aborts the minimization between evaluations (the abort reason is thrown). */
  signal?: AbortSignal;
  /** Called after every iteration. */
  onIteration?: (info: IterationInfo) => void;
}

/** Where a minimizer stopped. */
export interface MinimizeResult {
  x: Float64Array;
  /** The full objective at `x`. */
  value: number;
  /** Largest magnitude of the (pseudo-)gradient at `x`. */
  gradientNorm: number;
  iterations: number;
  /** Calls of the evaluator. */
  evaluations: number;
  reason: StopReason;
}

/** `Σ a_i b_i`. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** `max |a_i|`. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Counts evaluations and checks the abort signal before each. */
export function countingEvaluate(
  evaluate: Evaluate,
  signal: AbortSignal | undefined,
): { evaluate: Evaluate; count: () => number } {
  let n = 0;
  return {
    evaluate: (x, options) => {
      signal?.throwIfAborted();
      n++;
      return evaluate(x, options);
    },
    count: () => n,
  };
}
