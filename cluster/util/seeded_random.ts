/**
 * Counter-based randomness: every draw is a pure function of `(seed, domain, index, stream)`, so
 * any slice of a generated dataset can be produced on its own, in any order, on any executor, and
 * still give the same values as one sequential pass. No state is carried from one index to the
 * next. All mixing is 32-bit integer math (`Math.imul`, shifts); no BigInt.
 *
 * The mixer is Chris Wellons' "lowbias32" finaliser (a bijection on 32-bit words with low bias).
 * A row's base word is two rounds over the key and the index halves; each stream is one more round.
 *
 * @module
 */

const GOLDEN = 0x9e3779b9;
const TWO_32 = 4294967296;
const INV_TWO_32 = 1 / TWO_32;

/** Mixes a 32-bit word into an unsigned 32-bit word (a bijection). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A counter-based generator for one `(seed, domain)`. Call {@linkcode CounterRandom.at} to pick the
 * index (a row, an account, an episode…), then draw from numbered streams; the same
 * `(index, stream)` always gives the same value. Draws never change the position, so the order of
 * draws does not matter.
 *
 * @example
 * ```ts
 * import { CounterRandom } from "./seeded_random.ts";
 * const rng = new CounterRandom(42, 1);
 * const a = rng.at(1_000_000).float(3);
 * const b = new CounterRandom(42, 1).at(1_000_000).float(3);
 * if (a !== b) throw new Error("not deterministic");
 * ```
 */
export class CounterRandom {
  readonly #k0: number;
  readonly #k1: number;
  #base = 0;

  /**
   * @param seed any safe integer.
   * @param domain separates independent families of draws under one seed (e.g. rows vs accounts).
   */
  constructor(seed: number, domain = 0) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Seed must be a safe integer, got ${seed}`);
    if (!Number.isInteger(domain) || domain < 0 || domain >= TWO_32) {
      throw new RangeError(`Domain must be an integer in [0, 2^32), got ${domain}`);
    }
    const lo = ((seed % TWO_32) + TWO_32) % TWO_32;
    const hi = Math.floor(seed / TWO_32) | 0;
    const d = mix32(Math.imul(domain + 1, GOLDEN));
    this.#k0 = mix32(lo ^ d);
    this.#k1 = mix32((hi ^ this.#k0) + GOLDEN);
  }

  /** Positions the generator at `index` (a non-negative integer below 2^53). Returns `this`. */
  at(index: number): this {
    const lo = index >>> 0;
    const hi = (index * INV_TWO_32) >>> 0;
    this.#base = mix32(mix32(this.#k0 ^ lo) ^ hi ^ this.#k1);
    return this;
  }

  /** An unsigned 32-bit word for `stream` at the current index. */
  u32(stream: number): number {
    return mix32(this.#base ^ Math.imul(stream + 1, GOLDEN));
  }

  /** A uniform double in the open interval (0, 1): never exactly 0 or 1, so `log` is safe. */
  float(stream: number): number {
    return (this.u32(stream) + 0.5) * INV_TWO_32;
  }

  /** A uniform integer in [0, n). */
  below(stream: number, n: number): number {
    return Math.floor(this.float(stream) * n);
  }

  /** A standard normal deviate (inverse CDF of one uniform, so one stream). */
  normal(stream: number): number {
    return inverseNormal(this.float(stream));
  }

  /** An exponential deviate with the given mean. */
  exponential(stream: number, mean: number): number {
    return -mean * Math.log(this.float(stream));
  }
}

/**
 * A sequential `() => number` of uniforms in (0, 1) for `(seed, domain, index)`: the k-th call
 * returns stream k. Handy as the `rng` of functions that want a plain generator.
 */
export function counterStream(seed: number, index: number, domain = 0): () => number {
  const rng = new CounterRandom(seed, domain);
  let stream = 0;
  return () => rng.at(index).float(stream++);
}

// Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9).
const A = [
  -3.969683028665376e1,
  2.209460984245205e2,
  -2.759285104469687e2,
  1.38357751867269e2,
  -3.066479806614716e1,
  2.506628277459239,
];
const B = [
  -5.447609879822406e1,
  1.615858368580409e2,
  -1.556989798598866e2,
  6.680131188771972e1,
  -1.328068155288572e1,
];
const C = [
  -7.784894002430293e-3,
  -3.223964580411365e-1,
  -2.400758277161838,
  -2.549732539343734,
  4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** The standard normal quantile of `p` in (0, 1). */
export function inverseNormal(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** Cumulative distribution of non-negative `weights`, normalised so the last entry is exactly 1. */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`Weights must be finite and >= 0, got ${w}`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError("Weights must not all be zero");
  const cdf = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    cdf[i] = acc / total;
  }
  cdf[weights.length - 1] = 1;
  return cdf;
}

/** The index `k` with `cdf[k-1] <= u < cdf[k]` (linear scan: meant for short tables). */
export function pickCumulative(cdf: Float64Array, u: number): number {
  const last = cdf.length - 1;
  for (let k = 0; k < last; k++) if (u < cdf[k]!) return k;
  return last;
}

/**
 * A keyed bijection on [0, n) for n up to 2^52: a 4-round balanced Feistel network on the
 * smallest even number of bits covering n, with cycle-walking for values that land outside.
 * Distinct inputs give distinct outputs, so it turns a counter into unique, random-looking ids.
 *
 * @example
 * ```ts
 * import { Permutation } from "./seeded_random.ts";
 * const p = new Permutation(1000, 42);
 * const ids = new Set(Array.from({ length: 1000 }, (_, i) => p.apply(i))); // 1000 distinct values
 * ```
 */
export class Permutation {
  readonly #n: number;
  readonly #size: number;
  readonly #mask: number;
  readonly #k0: number;
  readonly #k1: number;
  readonly #k2: number;
  readonly #k3: number;

  constructor(n: number, key: number) {
    if (!(Number.isInteger(n) && n >= 1 && n <= 2 ** 52)) {
      throw new RangeError(`Domain size must be an integer in [1, 2^52], got ${n}`);
    }
    let bits = 2;
    while (2 ** bits < n) bits += 2;
    this.#n = n;
    this.#size = 2 ** (bits / 2);
    this.#mask = this.#size - 1;
    this.#k0 = mix32(key + GOLDEN);
    this.#k1 = mix32(key + Math.imul(2, GOLDEN));
    this.#k2 = mix32(key + Math.imul(3, GOLDEN));
    this.#k3 = mix32(key + Math.imul(4, GOLDEN));
  }

  /** The image of `x`, an integer in [0, n). */
  apply(x: number): number {
    if (!(x >= 0 && x < this.#n && Number.isInteger(x))) {
      throw new RangeError(`Value ${x} is outside [0, ${this.#n})`);
    }
    const size = this.#size, mask = this.#mask;
    let y = x;
    do {
      let l = Math.floor(y / size);
      let r = y % size;
      l = (l ^ mix32(r ^ this.#k0)) & mask;
      r = (r ^ mix32(l ^ this.#k1)) & mask;
      l = (l ^ mix32(r ^ this.#k2)) & mask;
      r = (r ^ mix32(l ^ this.#k3)) & mask;
      y = l * size + r;
    } while (y >= this.#n);
    return y;
  }
}

/** {@linkcode Permutation} as a one-off call: the image of `x` in [0, n) under `key`. */
export function permute(x: number, n: number, key: number): number {
  return new Permutation(n, key).apply(x);
}
