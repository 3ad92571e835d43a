/**
 * Isotonic calibration: the non-decreasing step function of the score that minimizes the weighted
 * squared error to the labels, found by pool-adjacent-violators (PAV) over distinct scores in
 * ascending order (each score one weighted point: its positive share). Between the fitted points
 * the map interpolates linearly, and outside the fitted range it is clipped to the end values, as
 * scikit-learn's `IsotonicRegression(out_of_bounds="clip")`.
 *
 * The map is stored as knots `(x, y)`: for every pooled block its smallest and largest score at
 * the block's value (one knot when they are equal), with knots on a flat run in between dropped.
 *
 * @module
 */
import type { WeightedScores } from "./platt.ts";

/** What an isotonic calibrator learned: knots of a non-decreasing piecewise-linear map. */
export interface IsotonicState {
  /** The method, as written in JSON. */
  readonly kind: "isotonic";
  /** Knot scores, strictly ascending. */
  readonly x: readonly number[];
  /** Knot values, non-decreasing, in [0, 1]. */
  readonly y: readonly number[];
}

/**
 * Pool-adjacent-violators: the non-decreasing fit of `y` (in the given order) with weights `w`
 * (each > 0) minimizing Σ wᵢ (yᵢ − fᵢ)². Returns the fitted value per point.
 */
export function pav(y: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  const n = y.length;
  const value = new Float64Array(n), weight = new Float64Array(n), size = new Int32Array(n);
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    value[blocks] = y[i]!;
    weight[blocks] = w[i]!;
    size[blocks] = 1;
    blocks++;
    while (blocks > 1 && value[blocks - 2]! > value[blocks - 1]!) {
      const w1 = weight[blocks - 2]!, w2 = weight[blocks - 1]!;
      value[blocks - 2] = (value[blocks - 2]! * w1 + value[blocks - 1]! * w2) / (w1 + w2);
      weight[blocks - 2] = w1 + w2;
      size[blocks - 2] = size[blocks - 2]! + size[blocks - 1]!;
      blocks--;
    }
  }
  const out = new Float64Array(n);
  for (let b = 0, i = 0; b < blocks; b++) out.fill(value[b]!, i, i += size[b]!);
  return out;
}

/**
 * Fits the isotonic map on `data` (distinct ascending scores with class weights). Scores with no
 * weight are ignored. Throws `RangeError` for scores that are not ascending or outside [0, 1],
 * negative weights, or no weight at all.
 */
export function fitIsotonic(data: WeightedScores): IsotonicState {
  const xs: number[] = [], ys: number[] = [], ws: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < data.score.length; i++) {
    const s = data.score[i]!, p = data.pos[i]!, q = data.neg[i]!;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`Isotonic calibration needs scores in [0, 1], got ${s}`);
    if (!(s > last)) {
      throw new RangeError(`Isotonic calibration needs strictly ascending scores, got ${s} after ${last}`);
    }
    if (!(p >= 0 && q >= 0 && p < Infinity && q < Infinity)) {
      throw new RangeError(`Isotonic calibration needs finite weights >= 0, got ${p} and ${q}`);
    }
    last = s;
    if (p + q === 0) continue;
    xs.push(s);
    ys.push(p / (p + q));
    ws.push(p + q);
  }
  if (xs.length === 0) throw new RangeError("Isotonic calibration needs rows with a positive weight");
  const fitted = pav(ys, ws);
  // Knots: the first and last score of every block, at the block's value.
  const kx: number[] = [], ky: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const first = i === 0 || fitted[i - 1] !== fitted[i];
    const lastOfBlock = i === xs.length - 1 || fitted[i + 1] !== fitted[i];
    if (first || lastOfBlock) {
      kx.push(xs[i]!);
      ky.push(fitted[i]!);
    }
  }
  // Drop knots inside a flat run (equal neighbours on both sides): they change nothing.
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < kx.length; i++) {
    if (i > 0 && i < kx.length - 1 && ky[i - 1] === ky[i] && ky[i + 1] === ky[i]) continue;
    x.push(kx[i]!);
    y.push(ky[i]!);
  }
  return { kind: "isotonic", x, y };
}

/** The isotonic-calibrated probability of `p` (linear between knots, clipped outside). */
export function isotonicProbability(state: IsotonicState, p: number): number {
  const { x, y } = state;
  if (Number.isNaN(p)) return NaN;
  if (p <= x[0]!) return y[0]!;
  const m = x.length;
  if (p >= x[m - 1]!) return y[m - 1]!;
  let lo = 0, hi = m - 1; // x[lo] < p < x[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= p) lo = mid;
    else hi = mid;
  }
  if (x[lo] === p) return y[lo]!;
  return y[lo]! + (p - x[lo]!) * (y[hi]! - y[lo]!) / (x[hi]! - x[lo]!);
}
