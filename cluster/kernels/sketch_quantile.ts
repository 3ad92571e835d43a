/**
 * A mergeable relative-error quantile sketch in the style of DDSketch: logarithmic buckets with a
 * fixed `gamma = (1 + α) / (1 - α)`; positive values go to bucket `ceil(log_gamma(x))`, negative
 * values to a mirrored store, zeros (and `-0`) to a counter. Bucket counts add on merge, so the
 * result depends only on the multiset of values, never on partitioning or merge order.
 *
 * `quantile(q)` returns an estimate of the value of rank `floor(q · (n - 1))` (0-based, in ascending
 * order) within relative error α (plus a rounding hair at bucket edges), clamped to the exact
 * minimum and maximum; `q = 0` and `q = 1` return the exact minimum and maximum. `-Infinity`,
 * `+Infinity` and `NaN` are counted separately and sort below / above all numbers (`NaN` last), as
 * in the total order of `compareScalars`. An empty sketch has no quantile (`undefined`).
 *
 * Memory: one map entry per occupied bucket; with α = 0.01 about 115 buckets per factor of 10 of
 * value range (at most ~71,000 per sign over the whole double range).
 *
 * The serialized form is a string
 * `α|zeros|-inf|+inf|nan|min|max|i:c,i:c…|i:c,i:c…` (negative then positive buckets, sorted by index).
 *
 * @module
 */
import type { Vec } from "../columnar/batch.ts";
import type { Accumulator } from "./agg_state.ts";

/** Default relative error. */
export const DEFAULT_RELATIVE_ERROR = 0.01;

/** A DDSketch-style quantile sketch. */
export class QuantileSketch {
  /** The relative error α. */
  readonly relativeError: number;
  #logGamma: number;
  #gamma: number;
  #pos = new Map<number, number>();
  #neg = new Map<number, number>();
  #zeros = 0;
  #negInf = 0;
  #posInf = 0;
  #nan = 0;
  #min = Infinity;
  #max = -Infinity;

  constructor(relativeError: number = DEFAULT_RELATIVE_ERROR) {
    if (!(relativeError > 0 && relativeError < 1)) {
      throw new RangeError(
        `Cannot build a quantile sketch with relative error ${relativeError}: expected 0 < α < 1`,
      );
    }
    this.relativeError = relativeError;
    this.#gamma = (1 + relativeError) / (1 - relativeError);
    this.#logGamma = Math.log(this.#gamma);
  }

  /** Number of values added. */
  get count(): number {
    return this.#zeros + this.#negInf + this.#posInf + this.#nan + sumCounts(this.#pos) +
      sumCounts(this.#neg);
  }

  /** Adds one value. */
  add(x: number): void {
    if (x !== x) {
      this.#nan++;
      return;
    }
    if (x === Infinity) this.#posInf++;
    else if (x === -Infinity) this.#negInf++;
    else if (x === 0) this.#zeros++;
    else {
      const store = x > 0 ? this.#pos : this.#neg;
      const i = Math.ceil(Math.log(Math.abs(x)) / this.#logGamma);
      store.set(i, (store.get(i) ?? 0) + 1);
    }
    if (x < this.#min || (x === 0 && this.#min === 0 && Object.is(x, -0))) this.#min = x;
    if (x > this.#max || (x === 0 && this.#max === 0 && Object.is(this.#max, -0))) this.#max = x;
  }

  /** Adds `other`'s counts to this sketch (same relative error required). */
  merge(other: QuantileSketch): void {
    if (other.relativeError !== this.relativeError) {
      throw new RangeError(
        `Cannot merge quantile sketches with relative errors ${this.relativeError} and ${other.relativeError}`,
      );
    }
    for (const [i, c] of other.#pos) this.#pos.set(i, (this.#pos.get(i) ?? 0) + c);
    for (const [i, c] of other.#neg) this.#neg.set(i, (this.#neg.get(i) ?? 0) + c);
    this.#zeros += other.#zeros;
    this.#negInf += other.#negInf;
    this.#posInf += other.#posInf;
    this.#nan += other.#nan;
    if (other.#min < this.#min || (other.#min === 0 && this.#min === 0 && Object.is(other.#min, -0))) {
      this.#min = other.#min;
    }
    if (other.#max > this.#max || (other.#max === 0 && this.#max === 0 && Object.is(this.#max, -0))) {
      this.#max = other.#max;
    }
  }

  /** Estimated value at quantile `q` ∈ [0, 1]; `undefined` when empty. */
  quantile(q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`Cannot compute quantile ${q}: expected 0 <= q <= 1`);
    const n = this.count;
    if (n === 0) return undefined;
    const rank = Math.floor(q * (n - 1));
    const finite = n - this.#nan;
    if (rank >= finite) return NaN;
    if (q === 0) return this.#min;
    if (q === 1 && this.#nan === 0) return this.#max;
    let seen = this.#negInf;
    if (rank < seen) return -Infinity;
    const negIdx = [...this.#neg.keys()].sort((a, b) => b - a);
    for (const i of negIdx) {
      seen += this.#neg.get(i)!;
      if (rank < seen) return this.#clamp(-this.#value(i));
    }
    seen += this.#zeros;
    if (rank < seen) return 0;
    const posIdx = [...this.#pos.keys()].sort((a, b) => a - b);
    for (const i of posIdx) {
      seen += this.#pos.get(i)!;
      if (rank < seen) return this.#clamp(this.#value(i));
    }
    return Infinity;
  }

  /** The canonical string form (a function of the counts only). */
  serialize(): string {
    return [
      this.relativeError,
      this.#zeros,
      this.#negInf,
      this.#posInf,
      this.#nan,
      numberText(this.#min),
      numberText(this.#max),
      storeText(this.#neg),
      storeText(this.#pos),
    ].join("|");
  }

  /** Reads {@linkcode QuantileSketch.serialize} output; `""` is an empty sketch with `relativeError`. */
  static deserialize(text: string, relativeError: number = DEFAULT_RELATIVE_ERROR): QuantileSketch {
    if (text === "") return new QuantileSketch(relativeError);
    const parts = text.split("|");
    if (parts.length !== 9) {
      throw new TypeError(`Malformed quantile sketch state: ${parts.length} fields, expected 9`);
    }
    const s = new QuantileSketch(Number(parts[0]));
    s.#zeros = count(parts[1]!);
    s.#negInf = count(parts[2]!);
    s.#posInf = count(parts[3]!);
    s.#nan = count(parts[4]!);
    s.#min = Number(parts[5]);
    s.#max = Number(parts[6]);
    readStore(parts[7]!, s.#neg);
    readStore(parts[8]!, s.#pos);
    return s;
  }

  #value(i: number): number {
    return 2 * Math.exp(i * this.#logGamma) / (this.#gamma + 1);
  }

  #clamp(x: number): number {
    return x < this.#min ? this.#min : x > this.#max ? this.#max : x;
  }
}

function sumCounts(store: Map<number, number>): number {
  let n = 0;
  for (const c of store.values()) n += c;
  return n;
}

function numberText(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

function storeText(store: Map<number, number>): string {
  return [...store.keys()].sort((a, b) => a - b).map((i) => `${i}:${store.get(i)}`).join(",");
}

function count(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`Malformed quantile sketch count "${text}"`);
  return n;
}

function readStore(text: string, store: Map<number, number>): void {
  if (text === "") return;
  for (const entry of text.split(",")) {
    const [i, c] = entry.split(":");
    const index = Number(i);
    if (!Number.isSafeInteger(index)) throw new TypeError(`Malformed quantile sketch bucket "${entry}"`);
    store.set(index, count(c ?? ""));
  }
}

/** Per-group quantile sketches (approxQuantile). */
export class QuantileAccumulator implements Accumulator {
  #sketches: QuantileSketch[];
  #q: number;
  #relativeError: number;

  constructor(groups: number, options: { q: number; relativeError: number }) {
    this.#q = options.q;
    this.#relativeError = options.relativeError;
    this.#sketches = Array.from({ length: groups }, () => new QuantileSketch(options.relativeError));
  }

  update(input: Vec | undefined, groupOf: Int32Array, length: number): void {
    if (!input || input.type === "string") {
      throw new TypeError("Cannot compute a quantile of a non-numeric input");
    }
    const valid = input.valid, v = input.values;
    for (let i = 0; i < length; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      this.#sketches[groupOf[i]!]!.add(v[i]!);
    }
  }

  merge(state: readonly Vec[], groupOf: Int32Array, length: number): void {
    const v = state[0]!.values as readonly string[];
    for (let i = 0; i < length; i++) {
      if (v[i] === "") continue;
      this.#sketches[groupOf[i]!]!.merge(QuantileSketch.deserialize(v[i]!, this.#relativeError));
    }
  }

  states(): Vec[] {
    return [{ type: "string", values: this.#sketches.map((s) => s.count === 0 ? "" : s.serialize()) }];
  }

  result(): Vec {
    const values = new Float64Array(this.#sketches.length);
    const valid = new Uint8Array(this.#sketches.length);
    this.#sketches.forEach((s, g) => {
      const x = s.quantile(this.#q);
      if (x !== undefined) {
        values[g] = x;
        valid[g] = 1;
      }
    });
    return { type: "double", values, valid };
  }
}
