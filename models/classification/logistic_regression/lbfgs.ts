/**
 * L-BFGS (Nocedal 1980; Liu & Nocedal 1989) with a strong Wolfe line search, for smooth
 * objectives; {@linkcode LbfgsMemory} (the two-loop recursion over the last `m` curvature pairs) is
 * shared with OWL-QN.
 *
 * @module
 */
import { strongWolfe } from "./line_search.ts";
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

/** The last `m` pairs `s = x' - x`, `y = ∇f(x') - ∇f(x)` with `s·y > 0`. */
export class LbfgsMemory {
  #m: number;
  #s: Float64Array[] = [];
  #y: Float64Array[] = [];

  constructor(m: number) {
    this.#m = m;
  }

  get size(): number {
    return this.#s.length;
  }

  /** Records a pair; skipped (returns false) unless its curvature `s·y` is clearly positive. */
  push(s: Float64Array, y: Float64Array): boolean {
    const sy = dot(s, y);
    if (!(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return false;
    this.#s.push(s);
    this.#y.push(y);
    if (this.#s.length > this.#m) {
      this.#s.shift();
      this.#y.shift();
    }
    return true;
  }

  clear(): void {
    this.#s = [];
    this.#y = [];
  }

  /**
   * `-H g` for the inverse-Hessian approximation `H` (scaled by `s·y / y·y` of the newest pair).
   * With `free`, only coordinates where it is 1 take part (the others are held fixed, as OWL-QN
   * holds coordinates at zero): every pair is restricted to them, pairs whose restricted curvature
   * is not positive are skipped, and the direction is 0 elsewhere.
   */
  direction(g: Float64Array, free?: Uint8Array): Float64Array {
    const n = g.length, q = new Float64Array(n);
    for (let j = 0; j < n; j++) q[j] = free === undefined || free[j] === 1 ? g[j]! : 0;
    const mask = (v: Float64Array) => {
      if (free === undefined) return v;
      const out = new Float64Array(n);
      for (let j = 0; j < n; j++) if (free[j] === 1) out[j] = v[j]!;
      return out;
    };
    const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];
    for (let i = 0; i < this.#s.length; i++) {
      const s = mask(this.#s[i]!), y = mask(this.#y[i]!), sy = dot(s, y);
      if (free === undefined || sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
        pairs.push({ s, y, rho: 1 / sy });
      }
    }
    const k = pairs.length, alpha = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      const { s, y, rho } = pairs[i]!, a = rho * dot(s, q);
      alpha[i] = a;
      axpy(-a, y, q);
    }
    if (k > 0) {
      const { y, rho } = pairs[k - 1]!, gamma = 1 / (rho * dot(y, y));
      for (let j = 0; j < n; j++) q[j]! *= gamma;
    }
    for (let i = 0; i < k; i++) {
      const { s, y, rho } = pairs[i]!, b = rho * dot(y, q);
      axpy(alpha[i]! - b, s, q);
    }
    for (let j = 0; j < n; j++) q[j] = -q[j]!;
    return q;
  }
}

/** Settings of {@linkcode minimizeLbfgs}. */
export interface LbfgsOptions extends MinimizeOptions {
  /** Curvature pairs kept. @default {10} */
  memory?: number;
}

/** Minimizes the smooth objective `evaluate` from `x0`. */
export async function minimizeLbfgs(
  evaluate: Evaluate,
  x0: Float64Array,
  options: LbfgsOptions,
): Promise<MinimizeResult> {
  const counted = countingEvaluate(evaluate, options.signal);
  const memory = new LbfgsMemory(options.memory ?? 10);
  let x: Float64Array = Float64Array.from(x0), ev: Evaluation = await counted.evaluate(x, { hessian: false });
  let reason: StopReason = "max-iterations", iterations = 0;
  while (true) {
    if (maxAbs(ev.gradient) <= options.tol) {
      reason = "gradient";
      break;
    }
    if (iterations >= options.maxIter) break;
    let d = memory.direction(ev.gradient), slope = dot(ev.gradient, d);
    if (!(slope < 0)) {
      memory.clear();
      d = memory.direction(ev.gradient);
      slope = dot(ev.gradient, d);
    }
    const first = memory.size === 0 ? Math.min(1, 1 / Math.sqrt(dot(ev.gradient, ev.gradient))) : 1;
    const from = x, start = { alpha: 0, value: ev.loss, slope, data: { x, ev } };
    const step = await strongWolfe(
      async (alpha) => {
        const point = new Float64Array(from.length);
        for (let j = 0; j < point.length; j++) point[j] = from[j]! + alpha * d[j]!;
        const e = await counted.evaluate(point, { hessian: false });
        return { alpha, value: e.loss, slope: dot(e.gradient, d), data: { x: point, ev: e } };
      },
      start,
      { first },
    );
    iterations++;
    if (step === undefined) {
      if (memory.size > 0) {
        memory.clear();
        continue;
      }
      reason = "line-search";
      break;
    }
    memory.push(subtract(step.data.x, x), subtract(step.data.ev.gradient, ev.gradient));
    x = step.data.x;
    ev = step.data.ev;
    options.onIteration?.({
      iteration: iterations,
      value: ev.loss,
      gradientNorm: maxAbs(ev.gradient),
      evaluations: counted.count(),
    });
  }
  return {
    x,
    value: ev.loss,
    gradientNorm: maxAbs(ev.gradient),
    iterations,
    evaluations: counted.count(),
    reason,
  };
}

/** `y += a x`. */
export function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < y.length; j++) y[j]! += a * x[j]!;
}

/** `a - b` as a new array. */
export function subtract(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = a[j]! - b[j]!;
  return out;
}
