/**
 * Little-endian byte writing and bounds-checked reading for the summary and context codecs.
 * Doubles travel as their exact 8 bytes (so `-0`, subnormals and every last bit survive).
 *
 * @module
 */
import type { GridSummary } from "./grid_sum.ts";

/** Appends values; {@linkcode ByteWriter.bytes} joins them. */
export class ByteWriter {
  #parts: Uint8Array[] = [];

  u8(v: number): void {
    this.#parts.push(Uint8Array.of(v));
  }

  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.#parts.push(b);
  }

  f64s(values: ArrayLike<number>): void {
    const b = new Uint8Array(8 * values.length), view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i]!, true);
    this.#parts.push(b);
  }

  /** `u32 n` then the values. */
  f64Array(values: ArrayLike<number>): void {
    this.u32(values.length);
    this.f64s(values);
  }

  grid(g: GridSummary): void {
    const n = g.exponents.length;
    this.u8(g.folds);
    this.u32(n);
    const b = new Uint8Array(2 * n), view = new DataView(b.buffer);
    for (let i = 0; i < n; i++) view.setInt16(2 * i, g.exponents[i]!, true);
    this.#parts.push(b);
    this.f64s(g.hi1);
    this.f64s(g.lo1);
    if (g.folds === 2) {
      this.f64s(g.hi2);
      this.f64s(g.lo2);
    }
  }

  optionalGrid(g: GridSummary | undefined): void {
    this.u8(g === undefined ? 0 : 1);
    if (g !== undefined) this.grid(g);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Reads what a {@linkcode ByteWriter} wrote; every problem is `fail(what)`, thrown. */
export class ByteReader {
  #view: DataView;
  #at = 0;
  #fail: (what: string) => Error;

  constructor(bytes: Uint8Array, fail: (what: string) => Error) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#fail = fail;
  }

  #need(n: number): number {
    if (!(n >= 0) || this.#at + n > this.#view.byteLength) throw this.#fail("truncated");
    const at = this.#at;
    this.#at += n;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#need(1));
  }

  u32(): number {
    return this.#view.getUint32(this.#need(4), true);
  }

  f64s(n: number): Float64Array {
    const at = this.#need(8 * n), out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#view.getFloat64(at + 8 * i, true);
    return out;
  }

  f64Array(): Float64Array {
    return this.f64s(this.u32());
  }

  grid(): GridSummary {
    const folds = this.u8();
    if (folds !== 1 && folds !== 2) throw this.#fail(`grid sums with ${folds} folds`);
    const n = this.u32(), at = this.#need(2 * n), exponents = new Int16Array(n);
    for (let i = 0; i < n; i++) exponents[i] = this.#view.getInt16(at + 2 * i, true);
    const hi1 = this.f64s(n), lo1 = this.f64s(n);
    const hi2 = folds === 2 ? this.f64s(n) : new Float64Array(0);
    const lo2 = folds === 2 ? this.f64s(n) : new Float64Array(0);
    for (const a of [hi1, lo1, hi2, lo2]) {
      if (!a.every(Number.isFinite)) throw this.#fail("non-finite grid sum");
    }
    return { folds, exponents, hi1, lo1, hi2, lo2 };
  }

  optionalGrid(): GridSummary | undefined {
    const flag = this.u8();
    if (flag > 1) throw this.#fail(`presence byte ${flag}`);
    return flag === 1 ? this.grid() : undefined;
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.#at !== this.#view.byteLength) throw this.#fail("trailing bytes");
  }
}

/** Standard base64 of `bytes`, for byte codecs carried inside JSON job arguments. */
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** The bytes of standard base64 `text`; `fail(what)` is thrown when it is not base64. */
export function fromBase64(text: string, fail: (what: string) => Error): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw fail("not base64");
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
