/**
 * OWL-QN (Andrew & Gao 2007): L-BFGS for `f(x) + Σ_j l1_j |x_j|`. Each iteration takes the L-BFGS
 * direction of the pseudo-gradient, zeroes its components that disagree in sign with the steepest
 * descent direction, and backtracks along it while projecting every point onto the orthant of the
 * current one, so coordinates reach exactly 0 and stay there until the pseudo-gradient says
 * otherwise. The memory holds pairs of the smooth part only. Converged when the pseudo-gradient's
 * largest magnitude is at most `tol` (the subgradient optimality conditions, to `tol`).
 *
 * @module
 */
import { LbfgsMemory, subtract } from "./lbfgs.ts";
import {
  countingEvaluate,
  dot,
  type Evaluate,
  type Evaluation,
  maxAbs,
  type MinimizeOptions,
  type MinimizeResult,
  type StopReason,
} from "./optimizer.ts";

/** Settings of {@linkcode minimizeOwlqn}. */
export interface OwlqnOptions extends MinimizeOptions {
  /** Per-coordinate L1 weights (≥ 0; 0 leaves a coordinate unpenalized). */
  l1: Float64Array;
  /** Curvature pairs kept. @default {10} */
  memory?: number;
}

/** The steepest-descent subgradient of `f + Σ l1_j |x_j|` at `x`, negated (0 where 0 is optimal). */
export function pseudoGradient(
  x: Float64Array,
  at: { gradient: Float64Array; l1: Float64Array },
): Float64Array {
  const g = at.gradient, l1 = at.l1, out = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const l = l1[j]!, gj = g[j]!, xj = x[j]!;
    if (l === 0) out[j] = gj;
    else if (xj > 0) out[j] = gj + l;
    else if (xj < 0) out[j] = gj - l;
    else if (gj + l < 0) out[j] = gj + l;
    else if (gj - l > 0) out[j] = gj - l;
    else out[j] = 0;
  }
  return out;
}

/** `f(x) + Σ l1_j |x_j|`. */
export function l1Objective(x: Float64Array, at: { loss: number; l1: Float64Array }): number {
  const l1 = at.l1;
  let s = at.loss;
  for (let j = 0; j < x.length; j++) s += l1[j]! * Math.abs(x[j]!);
  return s;
}

/** Minimizes `evaluate + Σ l1_j |x_j|` from `x0`. */
export async function minimizeOwlqn(
  evaluate: Evaluate,
  x0: Float64Array,
  options: OwlqnOptions,
): Promise<MinimizeResult> {
  const { l1 } = options, n = x0.length;
  const counted = countingEvaluate(evaluate, options.signal);
  const memory = new LbfgsMemory(options.memory ?? 10);
  let x: Float64Array = Float64Array.from(x0), ev: Evaluation = await counted.evaluate(x, { hessian: false });
  let value = l1Objective(x, { loss: ev.loss, l1 }), pg = pseudoGradient(x, { gradient: ev.gradient, l1 });
  let reason: StopReason = "max-iterations", iterations = 0;
  while (true) {
    if (maxAbs(pg) <= options.tol) {
      reason = "gradient";
      break;
    }
    if (iterations >= options.maxIter) break;
    // Coordinates at 0 where 0 is optimal stay fixed; the direction lives on the others.
    const free = new Uint8Array(n);
    for (let j = 0; j < n; j++) free[j] = l1[j] === 0 || x[j] !== 0 || pg[j] !== 0 ? 1 : 0;
    const d = memory.direction(pg, free);
    for (let j = 0; j < n; j++) if (l1[j]! > 0 && x[j] === 0 && d[j]! * pg[j]! >= 0) d[j] = 0;
    if (!(dot(d, pg) < 0)) {
      memory.clear();
      for (let j = 0; j < n; j++) d[j] = -pg[j]!;
    }
    if (maxAbs(d) === 0) {
      if (memory.size === 0) {
        reason = "line-search";
        break;
      }
      memory.clear();
      continue;
    }
    const orthant = new Float64Array(n);
    for (let j = 0; j < n; j++) orthant[j] = x[j] !== 0 ? Math.sign(x[j]!) : Math.sign(-pg[j]!);
    let alpha = memory.size === 0 ? Math.min(1, 1 / Math.sqrt(dot(pg, pg))) : 1;
    let accepted: { x: Float64Array; ev: Evaluation; value: number } | undefined;
    for (let tries = 0; tries < 40 && accepted === undefined; tries++, alpha *= 0.5) {
      const point = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        const v = x[j]! + alpha * d[j]!;
        point[j] = l1[j] === 0 || Math.sign(v) === orthant[j] ? v : 0;
      }
      const e = await counted.evaluate(point, { hessian: false });
      const candidate = l1Objective(point, { loss: e.loss, l1 }), step = subtract(point, x);
      const decrease = dot(pg, step);
      // Near the optimum the objective's rounding hides a real decrease: then accept a step that
      // keeps the value within 1e-12 and whose new slope shows it did not overshoot (Hager–Zhang).
      const approximately = candidate <= value + 1e-12 * Math.abs(value) &&
        dot(pseudoGradient(point, { gradient: e.gradient, l1 }), step) <= -0.9 * decrease;
      if (candidate <= value + 1e-4 * decrease || approximately) {
        accepted = { x: point, ev: e, value: candidate };
      }
    }
    iterations++;
    if (accepted !== undefined && accepted.x.every((v, j) => v === x[j])) accepted = undefined;
    if (accepted === undefined) {
      if (memory.size > 0) {
        memory.clear();
        continue;
      }
      reason = "line-search";
      break;
    }
    memory.push(subtract(accepted.x, x), subtract(accepted.ev.gradient, ev.gradient));
    x = accepted.x;
    ev = accepted.ev;
    value = accepted.value;
    pg = pseudoGradient(x, { gradient: ev.gradient, l1 });
    options.onIteration?.({
      iteration: iterations,
      value,
      gradientNorm: maxAbs(pg),
      evaluations: counted.count(),
    });
  }
  return { x, value, gradientNorm: maxAbs(pg), iterations, evaluations: counted.count(), reason };
}
