/**
 * HyperLogLog distinct counting with 2^12 registers (standard error about 1.6%). Registers merge by
 * element-wise maximum, so the estimate depends only on the set of values seen, never on how they
 * were split into partitions or in which order sketches were merged.
 *
 * Values are hashed with two seeds of `hash.ts` into a 64-bit hash (12 bits of register index, 52
 * bits for the rank), so no large-range correction is needed. Numbers hash by value (`-0` as `0`,
 * all `NaN`s alike; `1` as `int` and `1.0` as `double` alike); booleans as 0/1.
 *
 * The serialized form is a string: `""` when empty, `"s"` + 3 characters per non-zero register
 * (sparse, when fewer than 512 are set) or `"d"` + one character per register (dense).
 *
 * @module
 */
import type { Vec } from "../columnar/batch.ts";
import type { Accumulator } from "./agg_state.ts";
import { hashNumber, hashString } from "../util/hash.ts";

const P = 12;
const M = 1 << P;
const SPARSE_LIMIT = 512;
const SEED2 = 0x5bd1e995;
const B64 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/** A mergeable HyperLogLog sketch (p = 12). */
export class HyperLogLog {
  /** Sparse registers (index → rank) until too many are set, then `undefined`. */
  #sparse: Map<number, number> | undefined = new Map();
  #dense: Uint8Array | undefined;

  /** Adds a number (or boolean as 0/1). */
  addNumber(x: number): void {
    this.#addHash(hashNumber(x), hashNumber(x, SEED2));
  }

  /** Adds a string. */
  addString(s: string): void {
    this.#addHash(hashString(s), hashString(s, SEED2));
  }

  /** Folds `other` into this sketch (register-wise maximum). */
  merge(other: HyperLogLog): void {
    if (other.#dense) {
      for (let i = 0; i < M; i++) if (other.#dense[i]! > 0) this.#set(i, other.#dense[i]!);
    } else {
      for (const [i, r] of other.#sparse!) this.#set(i, r);
    }
  }

  /** Estimated number of distinct values (rounded to an integer). */
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.#get(i);
      if (r === 0) zeros++;
      sum += 2 ** -r;
    }
    const alpha = 0.7213 / (1 + 1.079 / M);
    const raw = alpha * M * M / sum;
    if (raw <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(raw);
  }

  /** The canonical string form (a function of the registers only). */
  serialize(): string {
    if (this.#dense) {
      let s = "d";
      for (let i = 0; i < M; i++) s += B64[this.#dense[i]!];
      return s;
    }
    const sparse = this.#sparse!;
    if (sparse.size === 0) return "";
    const idx = [...sparse.keys()].sort((a, b) => a - b);
    let s = "s";
    for (const i of idx) s += B64[i >> 6]! + B64[i & 63]! + B64[sparse.get(i)!]!;
    return s;
  }

  /** Reads {@linkcode HyperLogLog.serialize} output; throws `TypeError` on malformed input. */
  static deserialize(text: string): HyperLogLog {
    const h = new HyperLogLog();
    if (text === "") return h;
    const digit = (c: number): number => {
      const d = B64.indexOf(text[c]!);
      if (d < 0) throw new TypeError(`Malformed HyperLogLog state at character ${c}`);
      return d;
    };
    if (text[0] === "d" && text.length === M + 1) {
      for (let i = 0; i < M; i++) h.#set(i, digit(i + 1));
    } else if (text[0] === "s" && (text.length - 1) % 3 === 0) {
      for (let c = 1; c < text.length; c += 3) h.#set(digit(c) * 64 + digit(c + 1), digit(c + 2));
    } else {
      throw new TypeError(`Malformed HyperLogLog state of ${text.length} characters`);
    }
    return h;
  }

  #addHash(h1: number, h2: number): void {
    const index = h1 >>> (32 - P);
    // Rank: position of the first 1 bit in the 52 remaining bits (20 of h1, then 32 of h2).
    const rest = (h1 << P) >>> 0;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : h2 !== 0 ? 32 - P + Math.clz32(h2) + 1 : 64 - P + 1;
    this.#set(index, rank);
  }

  #get(i: number): number {
    return this.#dense ? this.#dense[i]! : this.#sparse!.get(i) ?? 0;
  }

  #set(i: number, rank: number): void {
    if (this.#dense) {
      if (rank > this.#dense[i]!) this.#dense[i] = rank;
      return;
    }
    const sparse = this.#sparse!;
    const old = sparse.get(i) ?? 0;
    if (rank <= old) return;
    sparse.set(i, rank);
    if (sparse.size > SPARSE_LIMIT) {
      const dense = new Uint8Array(M);
      for (const [j, r] of sparse) dense[j] = r;
      this.#dense = dense;
      this.#sparse = undefined;
    }
  }
}

/** Per-group HyperLogLog sketches (approxCountDistinct). */
export class HllAccumulator implements Accumulator {
  #sketches: HyperLogLog[];

  constructor(groups: number) {
    this.#sketches = Array.from({ length: groups }, () => new HyperLogLog());
  }

  update(input: Vec | undefined, groupOf: Int32Array, length: number): void {
    if (!input) throw new TypeError("Cannot count distinct values without an input column");
    const valid = input.valid;
    for (let i = 0; i < length; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const h = this.#sketches[groupOf[i]!]!;
      if (input.type === "string") h.addString(input.values[i]!);
      else h.addNumber(input.values[i]!);
    }
  }

  merge(state: readonly Vec[], groupOf: Int32Array, length: number): void {
    const v = state[0]!.values as readonly string[];
    for (let i = 0; i < length; i++) {
      if (v[i] !== "") this.#sketches[groupOf[i]!]!.merge(HyperLogLog.deserialize(v[i]!));
    }
  }

  states(): Vec[] {
    return [{ type: "string", values: this.#sketches.map((h) => h.serialize()) }];
  }

  result(): Vec {
    return { type: "long", values: Float64Array.from(this.#sketches, (h) => h.estimate()) };
  }
}
