/**
 * Exact summation of doubles whose result does not depend on the order of the additions or on how
 * the terms were split between partial sums: the state holds the exact sum, and the final double is
 * a fixed function of that exact value, so any partitioning and any merge order give the same bits.
 *
 * The state is a superaccumulator in the style of Neal's: chunk `j` is a double holding an integer
 * multiple of `2^(32j - 1074)`. A term is split exactly (by adding and subtracting a constant
 * `1.5 · 2^(52 + 32k - 1074)`) into at most three parts on the grids of chunks `k`, `k - 1`,
 * `k - 2`, where `k` comes from its binary exponent; each part adds to its chunk without rounding.
 * Every 2^19 additions the chunks are renormalized (carries moved up, exactly), so a chunk never
 * reaches 2^53 units. Costs ~15 ns per term (measured over 10^6 additions): used where there is one
 * term per row (weight sums, the loss) and no bound on the terms is known in advance; see
 * `grid_sum.ts` for the bounded, faster kind.
 *
 * Terms must be finite with magnitude below 2^974 (~3e293).
 *
 * @module
 */

const CHUNKS = 66;
/** Highest chunk a term's leading part goes to (its rounding constant must stay finite). */
const TOP_TERM_CHUNK = 63;
const NORMALIZE_EVERY = 1 << 19;

const ROUNDER = new Float64Array(TOP_TERM_CHUNK + 1);
for (let j = 0; j <= TOP_TERM_CHUNK; j++) ROUNDER[j] = 1.5 * 2 ** (32 * j - 1022);

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The exact sum of some doubles, as a mergeable, serializable state. */
export class ExactSum {
  #chunks: Float64Array;
  #pending = 0;

  /** An empty sum, or one restored from {@linkcode ExactSum.toArray}. */
  constructor(state?: Float64Array) {
    if (state === undefined) {
      this.#chunks = new Float64Array(CHUNKS);
      return;
    }
    if (state.length !== CHUNKS) {
      throw new RangeError(`Cannot restore an exact sum from ${state.length} values: expected ${CHUNKS}`);
    }
    this.#chunks = Float64Array.from(state);
    for (let j = 0; j < CHUNKS; j++) {
      const c = this.#chunks[j]!;
      if (!Number.isFinite(c) || !onGrid(c, j)) {
        throw new RangeError(`Cannot restore an exact sum: chunk ${j} (${c}) is not on its grid`);
      }
    }
    this.#normalize();
  }

  /** Adds `x` exactly. Throws a `RangeError` for a non-finite term or one of magnitude ≥ 2^974. */
  add(x: number): void {
    if (x === 0) return;
    bits[0] = x;
    const biased = (words[HIGH_WORD]! >>> 20) & 0x7ff;
    const k = ((Math.max(biased, 1) + 51) / 32) | 0; // ⌊(e + 1074) / 32⌋ with e = biased - 1023
    if (k > TOP_TERM_CHUNK) {
      throw new RangeError(
        `Cannot add ${x} to an exact sum: terms must be finite with magnitude below 2^974`,
      );
    }
    const c = this.#chunks;
    const r1 = ROUNDER[k]!, r0 = ROUNDER[k - 1]!;
    const a = (x + r1) - r1, rest = x - a;
    const b = (rest + r0) - r0;
    c[k]! += a;
    c[k - 1]! += b;
    if (k >= 2) c[k - 2]! += rest - b;
    if (++this.#pending >= NORMALIZE_EVERY) this.#normalize();
  }

  /** Adds another exact sum (exactly): merging in any order gives the same state value. */
  addSum(other: ExactSum): void {
    const c = this.#chunks, o = other.#chunks;
    for (let j = 0; j < CHUNKS; j++) c[j]! += o[j]!;
    this.#normalize();
  }

  /** The exact sum as an integer count of `2^-1074`. */
  exact(): bigint {
    this.#normalize();
    let total = 0n;
    for (let j = CHUNKS - 1; j >= 0; j--) {
      const shift = 1074 - 32 * j, half = shift >> 1;
      const units = this.#chunks[j]! * 2 ** half * 2 ** (shift - half);
      total = (total << 32n) + BigInt(units);
    }
    return total;
  }

  /** The exact sum rounded to a double (to nearest, ties to even, barring subnormal results). */
  value(): number {
    return scaledToNumber(this.exact(), -1074);
  }

  /** The state (a copy), for {@linkcode ExactSum}'s constructor on the other side. */
  toArray(): Float64Array {
    this.#normalize();
    return Float64Array.from(this.#chunks);
  }

  #normalize(): void {
    const c = this.#chunks;
    for (let j = 0; j < CHUNKS - 1; j++) {
      const v = c[j]!;
      if (v === 0) continue;
      let carry: number;
      if (j + 1 <= TOP_TERM_CHUNK) {
        const r = ROUNDER[j + 1]!;
        carry = (v + r) - r;
      } else {
        const grid = 2 ** (32 * (j + 1) - 1074); // ≥ 2^974: v / grid is exact
        carry = Math.trunc(v / grid) * grid;
      }
      c[j] = v - carry;
      c[j + 1]! += carry;
    }
    this.#pending = 0;
  }
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

function onGrid(c: number, j: number): boolean {
  const shift = 1074 - 32 * j, half = shift >> 1;
  const units = c * 2 ** half * 2 ** (shift - half);
  return Number.isInteger(units) && Math.abs(units) < 2 ** 53;
}
