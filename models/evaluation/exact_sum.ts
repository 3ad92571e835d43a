/**
 * An exact, order-independent sum of any finite doubles: a fixed-point "superaccumulator" over the
 * whole double range. The sum `S` is held as {@linkcode EXACT_SUM_LIMBS} integer limbs, limb `k`
 * weighing `2^(32k − 1088)`; each added double splits exactly into three 32-bit pieces, and carries
 * are propagated every 2^20 additions. Normalized (every limb in `(−2^32, 2^32)` with the sign of
 * `S`), the limbs are the unique base-2^32 digits of `S`, so two accumulators that saw
 * the same multiset of values hold the same bits whatever the order, grouping or partitioning.
 *
 * Used where double-double sums are not enough for bit-identical merges: the binned summary's
 * log-loss and Brier totals, whose per-row terms span from ~2^-52 (a clipped, confident, right
 * prediction) to ~2^5. State: 544 bytes. Cost: a few dozen flops per added value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExactSum } from "./exact_sum.ts";
 * const a = new ExactSum(), b = new ExactSum();
 * for (const x of [1e16, 1, -1e16, 1e-30]) a.add(x);
 * for (const x of [1e-30, -1e16, 1, 1e16]) b.add(x);
 * assert.deepEqual(a.state(), b.state());
 * assert.equal(a.value, 1);
 * ```
 *
 * @module
 */

/** Limbs of an {@linkcode ExactSum} state. */
export const EXACT_SUM_LIMBS = 68;

const BASE = 4294967296; // 2^32
const TWO_52 = 4503599627370496;
const TWO_64 = BASE * BASE;
const OFFSET = 1088; // limb k weighs 2^(32k - OFFSET); 32 * 34
const NORMALIZE_EVERY = 1 << 20;
const POW2 = Float64Array.from({ length: 32 }, (_, r) => 2 ** r);

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1, HI = LITTLE ? 1 : 0;

/** An exact running sum of finite doubles (see the module documentation). */
export class ExactSum {
  readonly #limbs = new Float64Array(EXACT_SUM_LIMBS);
  #pending = 0;

  /** Adds the finite double `x` exactly (a `RangeError` for `NaN` or ±Infinity). */
  add(x: number): void {
    if (x === 0) return;
    if (!Number.isFinite(x)) throw new RangeError(`Cannot add ${x} to an exact sum`);
    F64[0] = x;
    const lo = U32[LO]!, hi = U32[HI]!;
    const biased = (hi >>> 20) & 0x7ff;
    const m = (hi & 0xfffff) * BASE + lo + (biased === 0 ? 0 : TWO_52);
    const shift = (biased === 0 ? 1 : biased) - 1075 + OFFSET; // ≥ 14
    const k = shift >>> 5;
    const a = m * POW2[shift & 31]!; // exact: an integer below 2^85 with ≤ 53 significant bits
    const top = Math.floor(a / TWO_64);
    const rest = a - top * TWO_64;
    const mid = Math.floor(rest / BASE);
    const low = rest - mid * BASE;
    const limbs = this.#limbs;
    if (x > 0) {
      limbs[k]! += low;
      limbs[k + 1]! += mid;
      limbs[k + 2]! += top;
    } else {
      limbs[k]! -= low;
      limbs[k + 1]! -= mid;
      limbs[k + 2]! -= top;
    }
    if (++this.#pending === NORMALIZE_EVERY) this.#normalize();
  }

  /** Adds a state made by {@linkcode ExactSum.state} (another accumulator's exact sum). */
  addState(state: Float64Array): void {
    if (state.length !== EXACT_SUM_LIMBS) {
      throw new RangeError(`An exact-sum state has ${EXACT_SUM_LIMBS} limbs, got ${state.length}`);
    }
    const limbs = this.#limbs;
    for (let k = 0; k < EXACT_SUM_LIMBS; k++) limbs[k]! += state[k]!;
    if (++this.#pending === NORMALIZE_EVERY) this.#normalize();
  }

  /** The normalized limbs: a copy, identical for equal sums. */
  state(): Float64Array {
    this.#normalize();
    return this.#limbs.slice();
  }

  /** The sum as a double (within an ulp of the exact sum; a function of the state alone). */
  get value(): number {
    this.#normalize();
    return exactSumValue(this.#limbs);
  }

  /** Carries into base-2^32 digits that all share the sign of the sum (a unique form). */
  #normalize(): void {
    const limbs = this.#limbs;
    carry(limbs);
    if (limbs[EXACT_SUM_LIMBS - 1]! < 0) {
      // Two's-complement-like digits: redo on the magnitude so every digit is ≤ 0.
      for (let k = 0; k < EXACT_SUM_LIMBS; k++) limbs[k] = -limbs[k]!;
      carry(limbs);
      for (let k = 0; k < EXACT_SUM_LIMBS; k++) limbs[k] = -limbs[k]! + 0;
    }
    this.#pending = 0;
  }
}

function carry(limbs: Float64Array): void {
  for (let k = 0; k < EXACT_SUM_LIMBS - 1; k++) {
    const c = Math.floor(limbs[k]! / BASE);
    if (c !== 0) {
      limbs[k]! -= c * BASE;
      limbs[k + 1]! += c;
    }
  }
}

/** Whether `state` is a normalized exact-sum state (what {@linkcode ExactSum.state} returns). */
export function isExactSumState(state: Float64Array): boolean {
  if (state.length !== EXACT_SUM_LIMBS) return false;
  let sign = 0;
  for (let k = 0; k < EXACT_SUM_LIMBS; k++) {
    const v = state[k]!;
    if (!(Number.isInteger(v) && Math.abs(v) < BASE) || Object.is(v, -0)) return false;
    if (v !== 0) {
      if (sign !== 0 && Math.sign(v) !== sign) return false;
      sign = Math.sign(v);
    }
  }
  return true;
}

/** The double value of a normalized state, summed in double-double from the lowest limb up. */
export function exactSumValue(state: Float64Array): number {
  let hi = 0, lo = 0;
  for (let k = 0; k < state.length; k++) {
    const v = state[k]!;
    if (v === 0) continue;
    const p = 32 * k - OFFSET;
    const x = p < -960 ? (v * 2 ** (p + 128)) * 2 ** -128 : v * 2 ** p;
    const s = hi + x, bb = s - hi, e = (hi - (s - bb)) + (x - bb) + lo;
    hi = s + e;
    lo = e - (hi - s);
  }
  return hi + lo;
}
