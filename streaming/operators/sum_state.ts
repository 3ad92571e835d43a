/**
 * The sum of a sliding frame as plain, serializable data: the same double-double arithmetic as
 * the batch window kernel (`cluster/kernels/window_agg.ts`), so a frame's count, sum, mean,
 * variance and standard deviation online are the batch values bit for bit.
 *
 * Values enter with `sign = 1` and leave with `sign = -1` (removal adds the negation, exact under
 * the kernel's documented span limit); NaN and infinities are counted, not summed; squares (for the
 * variance) are kept only when asked for.
 *
 * @module
 */
import { ddAdd, ddVariance, squareError } from "../../cluster/util/double_double.ts";

/** A frame's running sums (every field a number, so the state is plain data). */
export interface SumState {
  /** Values in the frame. */
  n: number;
  /** NaN values in the frame. */
  nan: number;
  /** `+Infinity` values in the frame. */
  posInf: number;
  /** `-Infinity` values in the frame. */
  negInf: number;
  /** Finite values whose square overflowed. */
  overflow: number;
  /** Σx of the finite values, high part of a double-double. */
  hi: number;
  /** Σx, low part. */
  lo: number;
  /** Σx² (rounded squares), high part. */
  qhi: number;
  /** Σx², low part. */
  qlo: number;
  /** Σ of the squares' exact rounding errors, high part. */
  ehi: number;
  /** Σ of the squares' rounding errors, low part. */
  elo: number;
}

/** An empty frame. */
export function emptySum(): SumState {
  return { n: 0, nan: 0, posInf: 0, negInf: 0, overflow: 0, hi: 0, lo: 0, qhi: 0, qlo: 0, ehi: 0, elo: 0 };
}

/**
 * Adds `x` to the frame (`sign` 1) or removes it (`sign` -1), in place. Each pair update is the
 * kernel's: TwoSum(hi, x), then TwoSum(s, e + lo), written out to allocate nothing.
 */
export function updateSum(s: SumState, x: number, sign: 1 | -1, squares: boolean): void {
  s.n += sign;
  if (x - x !== 0) {
    if (x !== x) s.nan += sign;
    else if (x > 0) s.posInf += sign;
    else s.negInf += sign;
    return;
  }
  let v = sign * x,
    a = s.hi,
    u = a + v,
    bb = u - a,
    e = (a - (u - bb)) + (v - bb) + s.lo,
    t = u + e,
    cc = t - u;
  s.hi = t;
  s.lo = (u - (t - cc)) + (e - cc);
  if (!squares) return;
  const y = x * x;
  if (y === Infinity) {
    s.overflow += sign;
    return;
  }
  v = sign * y,
    a = s.qhi,
    u = a + v,
    bb = u - a,
    e = (a - (u - bb)) + (v - bb) + s.qlo,
    t = u + e,
    cc = t - u;
  s.qhi = t;
  s.qlo = (u - (t - cc)) + (e - cc);
  v = sign * squareError(x, y), a = s.ehi, u = a + v, bb = u - a, e = (a - (u - bb)) + (v - bb) + s.elo;
  t = u + e, cc = t - u;
  s.ehi = t;
  s.elo = (u - (t - cc)) + (e - cc);
}

/** The sum as IEEE would give it: NaN with a NaN or both infinities, ±Infinity with one. */
export function sumOf(s: SumState): number {
  if (s.nan > 0 || (s.posInf > 0 && s.negInf > 0)) return NaN;
  if (s.posInf > 0) return Infinity;
  if (s.negInf > 0) return -Infinity;
  return s.hi + s.lo;
}

/** The sample variance (meaningful for `n ≥ 2`). */
export function varianceOf(s: SumState): number {
  if (s.nan > 0 || s.posInf > 0 || s.negInf > 0) return NaN;
  if (s.overflow > 0) return Infinity;
  return ddVariance(s.n, [s.hi, s.lo], ddAdd([s.qhi, s.qlo], [s.ehi, s.elo]));
}

/**
 * A `long` sum, refused when it is not an exact integer (as the kernel refuses it).
 *
 * @throws {RangeError} when the sum leaves the range of exact integers.
 */
export function longSumOf(s: SumState): number {
  const v = sumOf(s);
  if (!(Number.isSafeInteger(v) && s.lo === 0)) {
    throw new RangeError(
      `Cannot represent sum ${s.hi} + ${s.lo} as a long: it exceeds 2^53; cast the input to double`,
    );
  }
  return v;
}
