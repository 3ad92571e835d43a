/**
 * Text output of the transaction generator: a string column written straight to UTF-8 bytes and
 * offsets (the Arrow layout), and the base-32 and ASCII encodings of generated ids.
 *
 * @module
 */
import type { Vec } from "../../columnar/batch.ts";
import { utf8Vec } from "../../columnar/utf8_vec.ts";

/** ASCII codes of the base-32 digits of generated ids (Crockford: no i, l, o, u). */
const B32 = Array.from("0123456789abcdefghjkmnpqrstvwxyz", (c) => c.charCodeAt(0));
const TWO_25 = 33_554_432;

/** Writes ASCII `s` at `dst[at]` (at most `max` bytes); returns its length. */
export function writeAscii(s: string, dst: Uint8Array, at: number, max: number): number {
  if (s.length > max) throw new RangeError(`Generated text "${s}" is longer than its ${max}-byte slot`);
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 0x7f) throw new RangeError(`Generated text "${s}" is not ASCII`);
    dst[at + k] = c;
  }
  return s.length;
}

/** A string column written as UTF-8 bytes and offsets, one row at a time. */
export class Utf8Builder {
  #data: Uint8Array;
  readonly #offsets: Int32Array;
  #byteLength = 0;
  #rows = 0;

  constructor(rows: number, bytesPerRow: number) {
    this.#data = new Uint8Array(Math.max(64, rows * bytesPerRow));
    this.#offsets = new Int32Array(rows + 1);
  }

  #room(bytes: number): void {
    if (this.#byteLength + bytes <= this.#data.length) return;
    const next = new Uint8Array(Math.max(2 * this.#data.length, this.#byteLength + bytes));
    next.set(this.#data.subarray(0, this.#byteLength));
    this.#data = next;
  }

  /** Appends `len` bytes of `src` from `at`. */
  pushFrom(src: Uint8Array, from: number, len: number): void {
    this.#room(len);
    const data = this.#data;
    let at = this.#byteLength;
    for (let k = from; k < from + len; k++) data[at++] = src[k]!;
    this.#byteLength = at;
    this.#offsets[++this.#rows] = at;
  }

  /** Appends one value's UTF-8 bytes. */
  push(bytes: Uint8Array): void {
    const len = bytes.length;
    this.#room(len);
    const data = this.#data;
    let at = this.#byteLength;
    if (len < 32) { for (let k = 0; k < len; k++) data[at++] = bytes[k]!; }
    else {
      data.set(bytes, at);
      at += len;
    }
    this.#byteLength = at;
    this.#offsets[++this.#rows] = at;
  }

  /** Appends the three bytes `p0 p1 p2` then 10 base-32 digits of `v` < 2^50 (a row id). */
  id50(p0: number, p1: number, p2: number, v: number): void {
    this.#room(13);
    const d = this.#data;
    let at = this.#byteLength;
    const hi = Math.floor(v / TWO_25), lo = v % TWO_25;
    d[at++] = p0;
    d[at++] = p1;
    d[at++] = p2;
    for (let shift = 20; shift >= 0; shift -= 5) d[at++] = B32[(hi >>> shift) & 31]!;
    for (let shift = 20; shift >= 0; shift -= 5) d[at++] = B32[(lo >>> shift) & 31]!;
    this.#byteLength = at;
    this.#offsets[++this.#rows] = at;
  }

  /** The column built so far. */
  vec(): Vec {
    return utf8Vec({ offsets: this.#offsets, data: this.#data.subarray(0, this.#byteLength) }, undefined);
  }
}

/** `prefix` + `chars` base-32 digits of `value` (most significant first). */
export function encodeId(prefix: string, value: number, chars: number): string {
  let v = value;
  let digits = "";
  for (let i = 0; i < chars; i++) {
    digits = String.fromCharCode(B32[v % 32]!) + digits;
    v = Math.floor(v / 32);
  }
  return prefix + digits;
}
