/**
 * Double-double arithmetic (a value is an unevaluated sum `hi + lo` of two doubles) for the
 * order-independent sums of `agg_state.ts`. Built from the error-free transformations TwoSum and
 * Dekker's TwoProduct.
 *
 * @module
 */

/** A double-double `[hi, lo]`. */
export type DoubleDouble = readonly [hi: number, lo: number];

const SPLITTER = 134217729; // 2^27 + 1

/** `[s, e]` with `s = fl(a + b)` and `a + b = s + e` exactly. */
export function twoSum(a: number, b: number): DoubleDouble {
  const s = a + b, bb = s - a;
  return [s, (a - (s - bb)) + (b - bb)];
}

/** `[p, e]` with `p = fl(a * b)` and `a * b = p + e` exactly (for |a|, |b| below ~2^996). */
export function twoProduct(a: number, b: number): DoubleDouble {
  const p = a * b;
  const ca = SPLITTER * a, ah = ca - (ca - a), al = a - ah;
  const cb = SPLITTER * b, bh = cb - (cb - b), bl = b - bh;
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}

/**
 * Adds the pair `(h, l)` into `hi[g] + lo[g]` in place. When all three small terms add exactly
 * (the documented span limit), the result is the normalized pair `(round(S), S - round(S))` of the
 * exact total `S`, whatever the order of merges.
 */
export function ddFromPair(hi: Float64Array, lo: Float64Array, g: number, h: number, l: number): void {
  const [s, e] = twoSum(hi[g]!, h);
  const small = (e + lo[g]!) + l;
  const [t, f] = twoSum(s, small);
  hi[g] = t;
  lo[g] = f;
}

/** Adds the double `x` into `hi[g] + lo[g]` in place (see {@linkcode ddFromPair}). */
export function ddAddInto(hi: Float64Array, lo: Float64Array, g: number, x: number): void {
  const a = hi[g]!, s = a + x, bb = s - a, e = (a - (s - bb)) + (x - bb) + lo[g]!;
  const t = s + e, cc = t - s;
  hi[g] = t;
  lo[g] = (s - (t - cc)) + (e - cc);
}

/** The exact rounding error `x * x - square` of `square = fl(x * x)` (for finite squares). */
export function squareError(x: number, square: number): number {
  const c = SPLITTER * x, xh = c - (c - x), xl = x - xh;
  return ((xh * xh - square) + 2 * xh * xl) + xl * xl;
}

/** Adds two double-doubles. */
export function ddAdd(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const [s, e] = twoSum(a[0], b[0]);
  const [t, f] = twoSum(a[1], b[1]);
  const [u, v] = twoSum(s, e + t);
  return twoSum(u, v + f);
}

/** Multiplies two double-doubles. */
export function ddMul(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const [p, e] = twoProduct(a[0], b[0]);
  return twoSum(p, e + (a[0] * b[1] + a[1] * b[0]));
}

/** Divides a double-double by a double. */
export function ddDivScalar(a: DoubleDouble, b: number): DoubleDouble {
  const q1 = a[0] / b;
  const [p, e] = twoProduct(q1, b);
  const r = ((a[0] - p) - e) + a[1];
  return twoSum(q1, r / b);
}

/**
 * Final value of a sum state: `NaN` when a NaN or both infinities were seen, `±Infinity` when one
 * infinity was, else `hi + lo`.
 */
export function ddResult(hi: number, lo: number, flags: number): number {
  if (flags & 1 || (flags & 6) === 6) return NaN;
  if (flags & 2) return Infinity;
  if (flags & 4) return -Infinity;
  return hi + lo;
}

/** Sample variance `(Σx² - (Σx)²/n) / (n - 1)` in double-double, clamped at 0. */
export function ddVariance(n: number, sum: DoubleDouble, sumSquares: DoubleDouble): number {
  const centered = ddAdd(sumSquares, neg(ddDivScalar(ddMul(sum, sum), n)));
  const v = ddDivScalar(centered, n - 1);
  const x = v[0] + v[1];
  return x > 0 ? x : 0;
}

function neg(a: DoubleDouble): DoubleDouble {
  return [-a[0], -a[1]];
}
