/**
 * The one stable hash Frontier uses to place keys in partitions and for the `hash` expression.
 * It depends only on the value (never on the process, platform or run), so every mode and every
 * partition count places rows the same way. 32-bit MurmurHash3-style mixing.
 *
 * @module
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const encoder = new TextEncoder();
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mixK(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a number (as its float64 bits; -0 and 0 hash alike, all NaNs alike). */
export function hashNumber(x: number, seed = 0): number {
  f64[0] = x === 0 ? 0 : Number.isNaN(x) ? NaN : x;
  let h = mixK(seed | 0, u32[0]!);
  h = mixK(h, u32[1]!);
  return fmix(h, 8);
}

/** Hash of a string's UTF-8 bytes. ASCII strings take a fast path with the same result. */
export function hashString(s: string, seed = 0): number {
  let h = seed | 0;
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  let len: number;
  if (ascii) {
    len = s.length;
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) |
        (s.charCodeAt(i + 3) << 24);
      h = mixK(h, k);
    }
    let k = 0;
    for (let j = len - 1; j >= i; j--) k = (k << 8) | s.charCodeAt(j);
    if (len - i > 0) h = mixK(h, k);
  } else {
    const b = encoder.encode(s);
    return hashUtf8(b, 0, b.length, seed);
  }
  return fmix(h, len);
}

/** Hash of UTF-8 bytes `b[a, e)`: equal to {@linkcode hashString} of the text they spell. */
export function hashUtf8(b: Uint8Array, a: number, e: number, seed = 0): number {
  let h = seed | 0;
  const len = e - a;
  let i = a;
  for (; i + 4 <= e; i += 4) {
    h = mixK(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
  }
  let k = 0;
  for (let j = e - 1; j >= i; j--) k = (k << 8) | b[j]!;
  if (e - i > 0) h = mixK(h, k);
  return fmix(h, len);
}

/** Hash of a null. */
export const NULL_HASH = 0x9e3779b9;

/** Combines a running row hash with the next column's hash (order matters). */
export function combineHash(acc: number, h: number): number {
  return (Math.imul(acc ^ h, 0x01000193) + 0x7feb352d) >>> 0;
}
