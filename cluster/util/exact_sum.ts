/**
 * Frontier's one exact, order-independent sum of finite doubles: a fixed-point "superaccumulator"
 * over the whole double range, used wherever a sum must not depend on how rows were partitioned
 * or in which order partial sums were merged (evaluation's log-loss and Brier totals, logistic
 * regression's loss and weight sums).
 *
 * Adding a term costs a few flops: in the style of Neal's superaccumulator, chunk `j` is a double
 * holding an integer multiple of `2^(32j − 1074)`; a term is split exactly (by adding and
 * subtracting `1.5 · 2^(52 + 32k − 1074)`) into at most three parts on the grids of chunks `k`,
 * `k − 1`, `k − 2`, where `k` comes from its binary exponent, and every 2^19 additions the chunks
 * are renormalized so none reaches 2^53 units. Terms of magnitude 2^974 and above (whose rounding
 * constants would overflow) and merged states go to integer limbs instead.
 *
 * The state ({@linkcode ExactSum.state}, what travels between executors and the driver) is the
 * canonical form of `S`: {@linkcode EXACT_SUM_LIMBS} integer limbs, limb `k` weighing
 * `2^(32k − 1088)`, every limb in `(−2^32, 2^32)` with the sign of `S` — the unique base-2^32
 * digits of `S`, so two accumulators that saw the same multiset of values hold the same bits
 * whatever the order, grouping or partitioning (544 bytes).
 *
 * {@linkcode ExactSum.value} is `S` rounded once to the nearest double (ties to even), a function of
 * `S` alone; {@linkcode ExactSum.exact} is `S` as an integer count of `2^-1074`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExactSum } from "./exact_sum.ts";
 * const a = new ExactSum(), b = new ExactSum();
 * for (const x of [1e16, 1, -1e16, 1e-30]) a.add(x);
 * for (const x of [1e-30, -1e16, 1, 1e16]) b.add(x);
 * assert.deepEqual(a.state(), b.state());
 * assert.equal(a.value(), 1);
 * const merged = new ExactSum(a.state());
 * merged.addSum(b);
 * assert.equal(merged.value(), 2);
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
/** `2^-1074` in limb units (`2^-1088`). */
const SUB_UNIT = 16384;
const LIMB_NORMALIZE_EVERY = 1 << 20;
const POW2 = Float64Array.from({ length: 32 }, (_, r) => 2 ** r);

const CHUNKS = 66;
/** Highest chunk a term's leading part goes to (its rounding constant must stay finite). */
const TOP_TERM_CHUNK = 63;
const CHUNK_NORMALIZE_EVERY = 1 << 19;
const ROUNDER = Float64Array.from({ length: TOP_TERM_CHUNK + 1 }, (_, j) => 1.5 * 2 ** (32 * j - 1022));

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1, HI = LITTLE ? 1 : 0;

/** An exact running sum of finite doubles (see the module documentation). */
export class ExactSum {
  readonly #chunks = new Float64Array(CHUNKS);
  #chunkPending = 0;
  readonly #limbs = new Float64Array(EXACT_SUM_LIMBS);
  #limbPending = 0;

  /**
   * An empty sum, or one holding a normalized `state` (from {@linkcode ExactSum.state}, e.g. sent by
   * another process). `RangeError` for a state that is not one ({@linkcode isExactSumState}).
   */
  constructor(state?: Float64Array) {
    if (state !== undefined) this.addState(state);
  }

  /** Adds the finite double `x` exactly (a `RangeError` for `NaN` or ±Infinity). */
  add(x: number): void {
    if (x === 0) return;
    F64[0] = x;
    const biased = (U32[HI]! >>> 20) & 0x7ff;
    const k = ((Math.max(biased, 1) + 51) / 32) | 0; // ⌊(e + 1074) / 32⌋ with e = biased - 1023
    if (k > TOP_TERM_CHUNK) {
      if (biased === 0x7ff) throw new RangeError(`Cannot add ${x} to an exact sum`);
      this.#addToLimbs(x);
      return;
    }
    const c = this.#chunks;
    const r1 = ROUNDER[k]!, r0 = ROUNDER[k - 1]!;
    const a = (x + r1) - r1, rest = x - a;
    const b = (rest + r0) - r0;
    c[k]! += a;
    c[k - 1]! += b;
    if (k >= 2) c[k - 2]! += rest - b;
    if (++this.#chunkPending >= CHUNK_NORMALIZE_EVERY) this.#normalizeChunks();
  }

  /** Adds another accumulator's exact sum. */
  addSum(other: ExactSum): void {
    this.addState(other.state());
  }

  /** Adds a state made by {@linkcode ExactSum.state} (another accumulator's exact sum). */
  addState(state: Float64Array): void {
    if (!isExactSumState(state)) {
      throw new RangeError(
        `Cannot add an exact-sum state: expected ${EXACT_SUM_LIMBS} normalized limbs, got ${state.length} values`,
      );
    }
    const limbs = this.#limbs;
    for (let k = 0; k < EXACT_SUM_LIMBS; k++) limbs[k]! += state[k]!;
    if (++this.#limbPending === LIMB_NORMALIZE_EVERY) this.#normalizeLimbs();
  }

  /** The canonical state: normalized limbs, identical for equal sums. */
  state(): Float64Array {
    return unitsToState(this.exact());
  }

  /** The sum rounded to the nearest double, ties to even (a function of the exact sum alone). */
  value(): number {
    return scaledToNumber(this.exact(), -1074);
  }

  /** The exact sum as an integer count of `2^-1074`. */
  exact(): bigint {
    this.#normalizeChunks();
    this.#normalizeLimbs();
    let total = 0n;
    for (let j = CHUNKS - 1; j >= 0; j--) {
      const shift = 1074 - 32 * j, half = shift >> 1;
      const units = this.#chunks[j]! * 2 ** half * 2 ** (shift - half);
      total = (total << 32n) + BigInt(units);
    }
    return total + stateUnits(this.#limbs);
  }

  /** A term of magnitude ≥ 2^974, split exactly into three 32-bit pieces of the limbs. */
  #addToLimbs(x: number): void {
    F64[0] = x;
    const lo = U32[LO]!, hi = U32[HI]!;
    const biased = (hi >>> 20) & 0x7ff; // ≥ 1997 here: a normal number
    const m = (hi & 0xfffff) * BASE + lo + TWO_52;
    const shift = biased - 1075 + OFFSET;
    const k = shift >>> 5;
    const a = m * POW2[shift & 31]!; // exact: an integer below 2^85 with ≤ 53 significant bits
    const top = Math.floor(a / TWO_64);
    const rest = a - top * TWO_64;
    const mid = Math.floor(rest / BASE);
    const low = rest - mid * BASE;
    const limbs = this.#limbs, sign = x > 0 ? 1 : -1;
    limbs[k]! += sign * low;
    limbs[k + 1]! += sign * mid;
    limbs[k + 2]! += sign * top;
    if (++this.#limbPending === LIMB_NORMALIZE_EVERY) this.#normalizeLimbs();
  }

  /** Moves each chunk's carry up, exactly, so that no chunk nears 2^53 units. */
  #normalizeChunks(): void {
    const c = this.#chunks;
    for (let j = 0; j < CHUNKS - 1; j++) {
      const v = c[j]!;
      if (v === 0) continue;
      let carried: number;
      if (j + 1 <= TOP_TERM_CHUNK) {
        const r = ROUNDER[j + 1]!;
        carried = (v + r) - r;
      } else {
        const grid = 2 ** (32 * (j + 1) - 1074); // ≥ 2^974: v / grid is exact
        carried = Math.trunc(v / grid) * grid;
      }
      c[j] = v - carried;
      c[j + 1]! += carried;
    }
    this.#chunkPending = 0;
  }

  /** Carries the limbs into base-2^32 digits (each limb's integer value stays below 2^53). */
  #normalizeLimbs(): void {
    carry(this.#limbs);
    this.#limbPending = 0;
  }
}

function carry(limbs: Float64Array): void {
  for (let k = 0; k < limbs.length - 1; k++) {
    const c = Math.floor(limbs[k]! / BASE);
    if (c !== 0) {
      limbs[k]! -= c * BASE;
      limbs[k + 1]! += c;
    }
  }
}

/** The canonical state of the sum `units · 2^-1074`: its sign-magnitude base-2^32 digits. */
function unitsToState(units: bigint): Float64Array {
  const out = new Float64Array(EXACT_SUM_LIMBS);
  const negative = units < 0n;
  let mag = (negative ? -units : units) * BigInt(SUB_UNIT);
  for (let k = 0; k < EXACT_SUM_LIMBS && mag !== 0n; k++) {
    const digit = Number(mag & 0xffffffffn);
    out[k] = negative && digit !== 0 ? -digit : digit;
    mag >>= 32n;
  }
  return out;
}

/** Whether `state` is a normalized exact-sum state (what {@linkcode ExactSum.state} returns). */
export function isExactSumState(state: Float64Array): boolean {
  if (state.length !== EXACT_SUM_LIMBS) return false;
  let sign = 0;
  for (let k = 0; k < EXACT_SUM_LIMBS; k++) {
    const v = state[k]!;
    if (!(Number.isInteger(v) && Math.abs(v) < BASE) || Object.is(v, -0)) return false;
    if (k === 0 && v % SUB_UNIT !== 0) return false; // every double is a multiple of 2^-1074
    if (v !== 0) {
      if (sign !== 0 && Math.sign(v) !== sign) return false;
      sign = Math.sign(v);
    }
  }
  return true;
}

/** The value of a normalized state rounded to the nearest double, ties to even. */
export function exactSumValue(state: Float64Array): number {
  return scaledToNumber(stateUnits(state), -1074);
}

/** A normalized state's exact sum as an integer count of `2^-1074`. */
function stateUnits(state: Float64Array): bigint {
  let total = 0n;
  for (let k = state.length - 1; k >= 0; k--) total = (total << 32n) + BigInt(state[k]!);
  return total / BigInt(SUB_UNIT); // exact: the lowest 14 bits of a sum of doubles are zero
}

/** Sums `values` exactly and rounds once. */
export function exactSum(values: Iterable<number>): number {
  const s = new ExactSum();
  for (const v of values) s.add(v);
  return s.value();
}

/**
 * `t · 2^scale` rounded to a double: to nearest, ties to even (a result in the subnormal range may
 * be rounded twice, still as a fixed function of `t`).
 */
export function scaledToNumber(t: bigint, scale: number): number {
  if (t === 0n) return 0;
  const negative = t < 0n;
  let a = negative ? -t : t;
  const length = a.toString(2).length;
  let shift = 0;
  if (length > 64) {
    shift = length - 64;
    const dropped = a & ((1n << BigInt(shift)) - 1n);
    a >>= BigInt(shift);
    if (dropped !== 0n) a |= 1n; // sticky bit: 64 ≥ 53 + 2 bits keep the rounding correct
  }
  const exponent = shift + scale, half = Math.trunc(exponent / 2);
  const v = Number(a) * 2 ** half * 2 ** (exponent - half);
  return negative ? -v : v;
}
