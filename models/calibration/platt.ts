/**
 * Platt scaling (Platt, 1999): a calibrated probability `σ(a·f + b)` of the model's score as a
 * log-odds `f = logit(p)` (`p` clipped to `[ε, 1 − ε]`, ε = 1e-12), with `a`, `b` the maximum
 * likelihood fit on held-out rows. As Platt proposed (and scikit-learn does), the targets are
 * smoothed towards the prior to avoid overfitting: a positive counts as `(N₊ + 1) / (N₊ + 2)`, a
 * negative as `1 / (N₋ + 2)`, with `N₊`, `N₋` the class weights. The fit is Newton's method on
 * the two parameters with a backtracking line search, over distinct scores (weighted groups), so
 * it costs O(distinct scores) per iteration whatever the number of rows.
 *
 * @module
 */

/** What a Platt calibrator learned: `p' = σ(a · logit(p) + b)`. */
export interface PlattState {
  /** The method, as written in JSON. */
  readonly kind: "platt";
  /** Slope on the score's log-odds. */
  readonly a: number;
  /** Intercept. */
  readonly b: number;
}

/** Distinct scores with their positive and negative weights (ascending scores). */
export interface WeightedScores {
  /** The scores (probabilities in [0, 1]). */
  readonly score: ArrayLike<number>;
  /** Weight of the positives per score. */
  readonly pos: ArrayLike<number>;
  /** Weight of the negatives per score. */
  readonly neg: ArrayLike<number>;
}

/** The clipping ε of the log-odds. */
export const LOGIT_EPS = 1e-12;

/** `log(p / (1 − p))` with `p` clipped to `[LOGIT_EPS, 1 − LOGIT_EPS]`. */
export function logit(p: number): number {
  const q = Math.min(Math.max(p, LOGIT_EPS), 1 - LOGIT_EPS);
  return Math.log(q / (1 - q));
}

/** `1 / (1 + e^−z)`, without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** `log(1 + e^z)`, without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** The Platt-calibrated probability of `p`. */
export function plattProbability(state: PlattState, p: number): number {
  return Number.isNaN(p) ? NaN : sigmoid(state.a * logit(p) + state.b);
}

/**
 * Fits `a`, `b` on `data` (see the module doc). Throws `RangeError` when a score is outside
 * [0, 1], a weight is negative or not finite, or either class has no weight.
 */
export function fitPlatt(data: WeightedScores, options: { maxIterations?: number } = {}): PlattState {
  const n = data.score.length;
  const f = new Float64Array(n), tp = new Float64Array(n), tn = new Float64Array(n);
  let nPos = 0, nNeg = 0;
  for (let i = 0; i < n; i++) {
    const s = data.score[i]!, p = data.pos[i]!, q = data.neg[i]!;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`Platt scaling needs probabilities in [0, 1], got ${s}`);
    if (!(p >= 0 && q >= 0 && p < Infinity && q < Infinity)) {
      throw new RangeError(`Platt scaling needs finite weights >= 0, got ${p} and ${q}`);
    }
    nPos += p;
    nNeg += q;
  }
  if (!(nPos > 0 && nNeg > 0)) {
    throw new RangeError(
      `Platt scaling needs both classes, got positive weight ${nPos} and negative ${nNeg}`,
    );
  }
  const hi = (nPos + 1) / (nPos + 2), lo = 1 / (nNeg + 2);
  for (let i = 0; i < n; i++) {
    f[i] = logit(data.score[i]!);
    // Weight of target 1 and of target 0 in group i, after smoothing.
    tp[i] = data.pos[i]! * hi + data.neg[i]! * lo;
    tn[i] = data.pos[i]! * (1 - hi) + data.neg[i]! * (1 - lo);
  }
  const loss = (a: number, b: number) => {
    let l = 0;
    for (let i = 0; i < n; i++) {
      const z = a * f[i]! + b;
      l += tp[i]! * softplus(-z) + tn[i]! * softplus(z);
    }
    return l;
  };
  let a = 1, b = 0, current = loss(a, b);
  const maxIterations = options.maxIterations ?? 100;
  for (let it = 0; it < maxIterations; it++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      const z = a * f[i]! + b, q = sigmoid(z), w = tp[i]! + tn[i]!;
      const r = q * w - tp[i]!; // d loss / d z
      const h = w * q * (1 - q);
      ga += r * f[i]!;
      gb += r;
      haa += h * f[i]! * f[i]!;
      hab += h * f[i]!;
      hbb += h;
    }
    const total = nPos + nNeg;
    if (Math.hypot(ga, gb) <= 1e-12 * total) break;
    // Newton direction, with a small ridge when the Hessian is near singular.
    const ridge = 1e-12 * (haa + hbb) + 1e-300;
    const det = (haa + ridge) * (hbb + ridge) - hab * hab;
    let da = -((hbb + ridge) * ga - hab * gb) / det;
    let db = -((haa + ridge) * gb - hab * ga) / det;
    if (!Number.isFinite(da) || !Number.isFinite(db)) {
      da = -ga;
      db = -gb;
    }
    let step = 1, next = loss(a + da, b + db);
    while (!(next <= current) && step > 1e-10) {
      step /= 2;
      next = loss(a + step * da, b + step * db);
    }
    if (!(next <= current)) break;
    a += step * da;
    b += step * db;
    const improved = current - next;
    current = next;
    if (improved <= 1e-15 * Math.max(1, Math.abs(current))) break;
  }
  return { kind: "platt", a, b };
}
