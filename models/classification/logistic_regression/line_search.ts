/**
 * A line search for the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6):
 * bracket a step, then zoom with safeguarded cubic interpolation. Near the optimum, where function
 * differences fall below the objective's rounding, sufficient decrease is also accepted in the
 * approximate form of Hager & Zhang (the value may rise by 1e-12 relative when the slope shows the
 * step is no worse than a tiny one).
 *
 * @module
 */

/** The objective along the search line at step `alpha`. */
export interface LinePoint<T> {
  alpha: number;
  value: number;
  /** Directional derivative `∇f(x + α d) · d`. */
  slope: number;
  /** Whatever the caller needs from the evaluation (the point, the gradient). */
  data: T;
}

/** Settings of {@linkcode strongWolfe}. */
export interface LineSearchOptions {
  /** Sufficient-decrease constant. @default {1e-4} */
  c1?: number;
  /** Curvature constant. @default {0.9} */
  c2?: number;
  /** Evaluations at most. @default {25} */
  maxEvaluations?: number;
  /** The step tried first. @default {1} */
  first?: number;
}

/**
 * A step satisfying the strong Wolfe conditions from `start` (step 0, with a negative slope),
 * trying `options.first` first; `undefined` when none was found within the evaluation budget and
 * no evaluated step decreased the objective.
 */
export async function strongWolfe<T>(
  phi: (alpha: number) => Promise<LinePoint<T>>,
  start: LinePoint<T>,
  options: LineSearchOptions = {},
): Promise<LinePoint<T> | undefined> {
  let alpha = options.first ?? 1;
  const c1 = options.c1 ?? 1e-4, c2 = options.c2 ?? 0.9, budget = options.maxEvaluations ?? 25;
  const f0 = start.value, g0 = start.slope;
  const sufficient = (p: LinePoint<T>) =>
    p.value <= f0 + c1 * p.alpha * g0 ||
    (p.value <= f0 + 1e-12 * Math.abs(f0) && p.slope <= (1 - 2 * c1) * -g0 && p.slope >= c2 * g0);
  const curvature = (p: LinePoint<T>) => Math.abs(p.slope) <= -c2 * g0;
  let used = 0, prev = start, best: LinePoint<T> | undefined;
  const note = (p: LinePoint<T>) => {
    if (p.value < f0 && (best === undefined || p.value < best.value)) best = p;
  };

  const zoom = async (lo: LinePoint<T>, hi: LinePoint<T>): Promise<LinePoint<T> | undefined> => {
    while (used < budget) {
      const a = interpolate(lo, hi);
      if (!(Math.abs(hi.alpha - lo.alpha) > 1e-16 * Math.max(1, Math.abs(lo.alpha)))) break;
      const cur = await phi(a);
      used++;
      note(cur);
      if (!sufficient(cur)) {
        hi = cur;
      } else if (curvature(cur)) {
        return cur;
      } else if (cur.value >= lo.value) {
        hi = cur;
      } else {
        if (cur.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = cur;
      }
    }
    return best;
  };

  while (used < budget) {
    const cur = await phi(alpha);
    used++;
    note(cur);
    if (!Number.isFinite(cur.value) || !sufficient(cur)) return await zoom(prev, cur);
    if (curvature(cur)) return cur;
    if (prev !== start && cur.value >= prev.value) return await zoom(prev, cur);
    if (cur.slope >= 0) return await zoom(cur, prev);
    prev = cur;
    alpha *= 4;
  }
  return best;
}

/** The minimizer of the cubic through two points, kept inside the middle 80 % of the bracket. */
function interpolate<T>(lo: LinePoint<T>, hi: LinePoint<T>): number {
  const a = lo.alpha, b = hi.alpha, width = b - a;
  const lower = Math.min(a, b) + 0.1 * Math.abs(width), upper = Math.max(a, b) - 0.1 * Math.abs(width);
  if (!Number.isFinite(hi.value) || !Number.isFinite(hi.slope)) return a + 0.5 * width;
  const d1 = lo.slope + hi.slope - 3 * (lo.value - hi.value) / (a - b);
  const radicand = d1 * d1 - lo.slope * hi.slope;
  if (radicand < 0) return a + 0.5 * width;
  const d2 = Math.sign(b - a) * Math.sqrt(radicand);
  const t = b - (b - a) * (hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2);
  return Number.isFinite(t) ? Math.min(upper, Math.max(lower, t)) : a + 0.5 * width;
}
