/**
 * The logistic loss of binary classification on raw scores (log-odds): per-row loss, gradient and
 * hessian, and the initial score.
 *
 * @module
 */

/** Row losses above this are clipped when summed (a probability of e^−64 is as wrong as it gets). */
export const MAX_ROW_LOSS = 64;

/** `1 / (1 + e^−s)`. */
export function sigmoid(s: number): number {
  return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
}

/** `log(1 + e^x)` without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Log loss of score `s` for label `y ∈ {0, 1}`. */
export function logLoss(s: number, y: number): number {
  return y === 1 ? softplus(-s) : softplus(s);
}

/** The starting score for a weighted positive rate `p`: `log(p / (1 − p))`, p clipped to [1e−15, 1 − 1e−15]. */
export function initialScore(p: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return Math.log(q / (1 - q));
}
