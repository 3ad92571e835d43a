/**
 * String columns kept as Arrow Utf8 buffers (offsets + bytes) and turned into JS strings only when
 * an operator reads them. Cache blocks, Parquet files and parsed CSV carry many string columns a
 * query never touches (ids, tokens, names); keeping their bytes lets a task decode only what it
 * uses, and lets concat, take and the Arrow encoder move bytes without making a string per row.
 *
 * A vector made here has a `utf8` field and a lazy `values` getter that decodes once (strictly:
 * invalid UTF-8 or offsets that split a character raise `MalformedMessageError` on first read).
 *
 * @module
 */
import { MalformedMessageError } from "../../actors/errors.ts";
import type { Utf8Buffers, Vec } from "./batch.ts";

type StringVec = Extract<Vec, { type: "string" }>;

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Rows in `v` (without decoding strings). */
export function vecLength(v: Vec): number {
  return v.type === "string" && v.utf8 !== undefined ? v.utf8.offsets.length - 1 : v.values.length;
}

/**
 * A string vector over `utf8` whose strings are decoded on first read. The offsets are checked
 * now (non-decreasing, within the bytes); the text when it is read. `name` appears in errors.
 */
export function utf8Vec(utf8: Utf8Buffers, valid: Uint8Array | undefined, name = "?"): StringVec {
  const { offsets, data } = utf8;
  const n = offsets.length - 1;
  if (n < 0) throw new MalformedMessageError(`Column "${name}" has no string offsets`);
  let prev = offsets[0]!;
  if (prev < 0) throw new MalformedMessageError(`Column "${name}" has a negative string offset`);
  for (let i = 1; i <= n; i++) {
    const next = offsets[i]!;
    if (next < prev) throw new MalformedMessageError(`Column "${name}" row ${i - 1} has decreasing offsets`);
    prev = next;
  }
  if (prev > data.length) {
    throw new MalformedMessageError(`Column "${name}" has string offsets beyond its ${data.length} bytes`);
  }
  return {
    type: "string",
    utf8,
    valid,
    get values(): readonly string[] {
      return materialize(this, decodeUtf8(name, offsets, data, n));
    },
  };
}

/**
 * Replaces a lazy vector's `values` getter with the values it computed, as a plain property:
 * loops that read `vec.values[i]` then pay a property load, not a call per element.
 */
export function materialize<T>(vec: object, values: T): T {
  Object.defineProperty(vec, "values", {
    value: values,
    enumerable: true,
    configurable: false,
    writable: false,
  });
  return values;
}

/** The Utf8 buffers of a string vector: its own, or its strings encoded (offsets from 0). */
export function utf8Of(v: StringVec, n: number): Utf8Buffers {
  if (v.utf8 !== undefined) {
    const { offsets, data } = v.utf8;
    const base = offsets[0]!;
    if (base === 0 && offsets.length === n + 1) return v.utf8;
    const out = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) out[i] = offsets[i]! - base;
    return { offsets: out, data: data.subarray(base, offsets[n]!) };
  }
  return encodeStrings(v.values, n);
}

/** Concatenates string vectors that all carry Utf8 buffers; `undefined` when one does not. */
export function concatUtf8(vecs: readonly Vec[], valid: Uint8Array | undefined): StringVec | undefined {
  let rows = 0, bytes = 0;
  for (const v of vecs) {
    if (v.type !== "string" || v.utf8 === undefined) return undefined;
    const o = v.utf8.offsets;
    rows += o.length - 1;
    bytes += o[o.length - 1]! - o[0]!;
  }
  const offsets = new Int32Array(rows + 1);
  const data = new Uint8Array(bytes);
  let row = 0, at = 0;
  for (const v of vecs) {
    const { offsets: o, data: d } = (v as StringVec).utf8!;
    const n = o.length - 1, base = o[0]!;
    data.set(d.subarray(base, o[n]!), at);
    const shift = at - base;
    for (let i = 1; i <= n; i++) offsets[row + i] = o[i]! + shift;
    row += n;
    at += o[n]! - base;
  }
  return utf8Vec({ offsets, data }, valid);
}

/** Rows `indices` of Utf8 buffers, as bytes (no strings made). */
export function takeUtf8(
  utf8: Utf8Buffers,
  indices: ArrayLike<number>,
  valid: Uint8Array | undefined,
): StringVec {
  const { offsets: o, data: d } = utf8;
  const n = indices.length;
  const offsets = new Int32Array(n + 1);
  let bytes = 0;
  for (let j = 0; j < n; j++) {
    const i = indices[j]!;
    bytes += o[i + 1]! - o[i]!;
    offsets[j + 1] = bytes;
  }
  const data = new Uint8Array(bytes);
  let at = 0;
  for (let j = 0; j < n; j++) {
    const i = indices[j]!;
    const a = o[i]!, b = o[i + 1]!;
    if (b - a < 32) { for (let k = a; k < b; k++) data[at++] = d[k]!; }
    else {
      data.set(d.subarray(a, b), at);
      at += b - a;
    }
  }
  return utf8Vec({ offsets, data }, valid);
}

/** Rows [s, e) of Utf8 buffers (views, no copy). */
export function sliceUtf8(utf8: Utf8Buffers, s: number, e: number, valid: Uint8Array | undefined): StringVec {
  return utf8Vec({ offsets: utf8.offsets.subarray(s, e + 1), data: utf8.data }, valid);
}

/**
 * Strings → Arrow Utf8 offsets and bytes: one native encode of the joined text; the offsets
 * come from the string lengths when all is ASCII, else from each string's UTF-8 length.
 */
export function encodeStrings(values: readonly string[], n: number): Utf8Buffers {
  const offsets = new Int32Array(n + 1);
  const used = values.length === n ? values : values.slice(0, n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    at += used[i]!.length;
    offsets[i + 1] = at;
  }
  const data = encoder.encode(used.join(""));
  if (data.length === at) return { offsets, data }; // every UTF-16 unit was ASCII
  at = 0;
  for (let i = 0; i < n; i++) {
    at += utf8Length(used[i]!);
    offsets[i + 1] = at;
  }
  if (data.length === at) return { offsets, data };
  // A surrogate pair split across two strings joined into one character: encode one by one.
  const parts = used.map((s) => encoder.encode(s));
  const out = new Uint8Array(parts.reduce((t, p) => t + p.length, 0));
  at = 0;
  parts.forEach((p, i) => {
    out.set(p, at);
    at += p.length;
    offsets[i + 1] = at;
  });
  return { offsets, data: out };
}

/** Bytes `TextEncoder` produces for `s` (lone surrogates become U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let bytes = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && k + 1 < s.length && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      k++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Utf8 → strings: one fatal UTF-8 decode of the used byte range, then substrings by character
 * offsets (byte offsets mapped through the bytes when the text is not ASCII). Offsets may be
 * 32- or 64-bit (LargeUtf8).
 */
export function decodeUtf8(
  name: string,
  rawOffsets: ArrayLike<number | bigint>,
  bytes: Uint8Array,
  n: number,
): string[] {
  const out = new Array<string>(n);
  if (n === 0) return out;
  const offsets = rawOffsets instanceof BigInt64Array
    ? Float64Array.from(rawOffsets, Number)
    : rawOffsets as ArrayLike<number>;
  const start = Number(offsets[0]!), end = Number(offsets[n]!);
  if (!(start >= 0 && start <= end && end <= bytes.length)) {
    throw new MalformedMessageError(
      `Column "${name}" has string offsets [${start}, ${end}) beyond ${bytes.length}`,
    );
  }
  const slice = bytes.subarray(start, end);
  let ascii = true;
  for (let i = 0; i < slice.length; i++) {
    if (slice[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  let text: string;
  try {
    text = utf8Fatal.decode(slice);
  } catch (e) {
    throw new MalformedMessageError(`Column "${name}" holds invalid UTF-8`, { cause: e });
  }
  const charAt = ascii ? undefined : charIndexOfBytes(slice);
  const intern = new Interner(slice);
  let prev = start;
  for (let i = 0; i < n; i++) {
    const next = Number(offsets[i + 1]!);
    if (next < prev || next > end || (next < end && (slice[next - start]! & 0xc0) === 0x80)) {
      throw new MalformedMessageError(
        `Column "${name}" row ${i} does not end on a UTF-8 character boundary`,
      );
    }
    const b0 = prev - start, b1 = next - start;
    out[i] = intern.get(b0, b1) ??
      intern.put(b0, b1, charAt ? text.substring(charAt[b0]!, charAt[b1]!) : text.substring(b0, b1));
    prev = next;
  }
  return out;
}

/** charAt[b] = UTF-16 index of byte b of valid UTF-8 (meaningful at character boundaries). */
function charIndexOfBytes(bytes: Uint8Array): Uint32Array {
  const charAt = new Uint32Array(bytes.length + 1);
  let c = 0;
  for (let b = 0; b < bytes.length; b++) {
    charAt[b] = c;
    const x = bytes[b]!;
    if ((x & 0xc0) !== 0x80) c += x >= 0xf0 ? 2 : 1;
  }
  charAt[bytes.length] = c;
  return charAt;
}

const INTERN_SLOTS = 1024;
const INTERN_MAX_BYTES = 32;

/**
 * A small direct-mapped cache of short strings by their bytes, so a low-cardinality column
 * decodes to a handful of shared strings instead of one allocation per row.
 */
class Interner {
  readonly #bytes: Uint8Array;
  readonly #start = new Int32Array(INTERN_SLOTS).fill(-1);
  readonly #len = new Int32Array(INTERN_SLOTS);
  readonly #str = new Array<string>(INTERN_SLOTS);
  #slot = 0;
  #probes = 0;
  #hits = 0;
  #enabled = true;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  get(b0: number, b1: number): string | undefined {
    const len = b1 - b0;
    if (!this.#enabled || len > INTERN_MAX_BYTES) {
      this.#slot = -1;
      return undefined;
    }
    const bytes = this.#bytes;
    let h = len;
    for (let k = b0; k < b1; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
    const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
    this.#slot = slot;
    // Give up on high-cardinality columns: probing would only cost time.
    if (++this.#probes === 4096 && this.#hits < 2048) this.#enabled = false;
    const s = this.#start[slot]!;
    if (s < 0 || this.#len[slot] !== len) return undefined;
    for (let k = 0; k < len; k++) if (bytes[s + k] !== bytes[b0 + k]) return undefined;
    this.#hits++;
    return this.#str[slot];
  }
  /** Remembers `str` (bytes [b0, b1)) in the slot the last `get` probed. */
  put(b0: number, b1: number, str: string): string {
    const slot = this.#slot;
    if (slot >= 0) {
      this.#start[slot] = b0;
      this.#len[slot] = b1 - b0;
      this.#str[slot] = str;
    }
    return str;
  }
}
