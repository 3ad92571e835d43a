/**
 * Card numbers never leave the generator in clear. A PAN becomes a token, HMAC-SHA-256 of its ASCII
 * digits under a secret key, and a display form (BIN + stars + last 4).
 *
 * HMAC here is synchronous and written from FIPS 180-4 / RFC 2104, because WebCrypto's is async
 * and costs a promise per call. {@linkcode CardTokenizer} precomputes the keyed inner and outer
 * SHA-256 states once, so each token of a PAN up to 55 bytes costs exactly two compression-function
 * calls (about a microsecond). The generator also caches tokens per card, since cards repeat.
 *
 * Tokens default to base64url (43 characters), not hex: a 64-character hex string contains a run of
 * 13+ decimal digits in roughly one token in ten, and a tenth of those pass Luhn, so hex tokens would
 * set off PAN scanners (DLP) on about 1% of rows. A base64url token almost never does.
 *
 * @module
 */

/** How token bytes are written. */
export type TokenEncoding = "base64url" | "hex";

/** The shortest key {@linkcode loadTokenKey} and {@linkcode CardTokenizer} accept, in bytes. */
export const MIN_TOKEN_KEY_BYTES = 32;

const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);

/** Runs the SHA-256 compression function on the 64-byte block at `off`, updating `h` in place. */
function compress(h: Int32Array, w: Int32Array, block: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    w[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + hh) | 0;
}

/** Scratch space for one hashing context (kept per instance, never module-global). */
interface Scratch {
  readonly h: Int32Array;
  readonly w: Int32Array;
  readonly block: Uint8Array;
}

function newScratch(): Scratch {
  return { h: new Int32Array(8), w: new Int32Array(64), block: new Uint8Array(64) };
}

/**
 * Finishes SHA-256 from `state` (which has already absorbed `prefixLen` bytes, a multiple of 64),
 * over `data`, writing the 32-byte digest to `out`.
 */
function finish(state: Int32Array, prefixLen: number, data: Uint8Array, s: Scratch, out: Uint8Array): void {
  const { h, w, block } = s;
  h.set(state);
  const n = data.length;
  let off = 0;
  for (; off + 64 <= n; off += 64) compress(h, w, data, off);
  const rest = n - off;
  block.fill(0);
  block.set(data.subarray(off), 0);
  block[rest] = 0x80;
  if (rest >= 56) {
    compress(h, w, block, 0);
    block.fill(0);
  }
  const bits = (prefixLen + n) * 8;
  const hi = Math.floor(bits / 4294967296);
  block[56] = hi >>> 24;
  block[57] = hi >>> 16;
  block[58] = hi >>> 8;
  block[59] = hi;
  block[60] = bits >>> 24;
  block[61] = bits >>> 16;
  block[62] = bits >>> 8;
  block[63] = bits;
  compress(h, w, block, 0);
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = v >>> 16;
    out[i * 4 + 2] = v >>> 8;
    out[i * 4 + 3] = v;
  }
}

/** SHA-256 of `data` (synchronous). */
export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(32);
  finish(IV, 0, data, newScratch(), out);
  return out;
}

/** HMAC-SHA-256 of `message` under `key` (RFC 2104; synchronous; any key length). */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array<ArrayBuffer> {
  return new HmacSha256(key).digest(message, new Uint8Array(32));
}

/** HMAC-SHA-256 with the keyed inner and outer states computed once. Not safe to share across threads. */
class HmacSha256 {
  readonly #inner = new Int32Array(8);
  readonly #outer = new Int32Array(8);
  readonly #scratch = newScratch();
  readonly #innerDigest = new Uint8Array(32);

  constructor(key: Uint8Array) {
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? sha256(key) : key);
    const pad = new Uint8Array(64);
    const w = new Int32Array(64);
    for (let i = 0; i < 64; i++) pad[i] = k[i]! ^ 0x36;
    this.#inner.set(IV);
    compress(this.#inner, w, pad, 0);
    for (let i = 0; i < 64; i++) pad[i] = k[i]! ^ 0x5c;
    this.#outer.set(IV);
    compress(this.#outer, w, pad, 0);
  }

  digest<T extends Uint8Array>(message: Uint8Array, out: T): T {
    finish(this.#inner, 64, message, this.#scratch, this.#innerDigest);
    finish(this.#outer, 64, this.#innerDigest, this.#scratch, out);
    return out;
  }
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789abcdef";

/** Encodes bytes as unpadded base64url. */
function toBase64url(bytes: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64URL[v >>> 18]! + B64URL[(v >>> 12) & 63]! + B64URL[(v >>> 6) & 63]! + B64URL[v & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    s += B64URL[v >>> 18]! + B64URL[(v >>> 12) & 63]!;
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64URL[v >>> 18]! + B64URL[(v >>> 12) & 63]! + B64URL[(v >>> 6) & 63]!;
  }
  return s;
}

/** Encodes bytes as lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += HEX[b >>> 4]! + HEX[b & 15]!;
  return s;
}

function checkPan(pan: string): void {
  if (typeof pan !== "string" || !/^[0-9]{12,19}$/.test(pan)) {
    throw new TypeError(
      `A card number must be 12 to 19 decimal digits, got a ${typeof pan} of length ${pan.length}`,
    );
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array)) throw new TypeError("A card token key must be a Uint8Array");
  if (key.length < MIN_TOKEN_KEY_BYTES) {
    throw new RangeError(`A card token key must be at least ${MIN_TOKEN_KEY_BYTES} bytes, got ${key.length}`);
  }
}

/**
 * Tokenizes card numbers under one key, reusing the keyed HMAC state. Each call costs two
 * SHA-256 compressions. The instance keeps scratch buffers: use one per thread.
 */
export class CardTokenizer {
  readonly #hmac: HmacSha256;
  readonly #encoding: TokenEncoding;
  readonly #bytes = new Uint8Array(19);
  readonly #digest = new Uint8Array(32);

  constructor(key: Uint8Array, options: { encoding?: TokenEncoding } = {}) {
    checkKey(key);
    const encoding = options.encoding ?? "base64url";
    if (encoding !== "base64url" && encoding !== "hex") {
      throw new TypeError(`Unknown token encoding "${encoding}"`);
    }
    this.#hmac = new HmacSha256(key);
    this.#encoding = encoding;
  }

  /** The token of `pan` (12 to 19 digits). */
  tokenize(pan: string): string {
    checkPan(pan);
    for (let i = 0; i < pan.length; i++) this.#bytes[i] = pan.charCodeAt(i);
    this.#hmac.digest(this.#bytes.subarray(0, pan.length), this.#digest);
    return this.#encoding === "hex" ? toHex(this.#digest) : toBase64url(this.#digest);
  }
}

/**
 * HMAC-SHA-256 of the PAN's ASCII digits under `key`, as base64url (default) or hex.
 * For many cards, build one {@linkcode CardTokenizer} instead (this recomputes the keyed state).
 *
 * @example
 * ```ts
 * import { generateDemoKey, tokenizeCard } from "./card_token.ts";
 * const key = generateDemoKey({ seed: 1 });
 * const token = tokenizeCard("4111111111111111", key); // 43 characters, no digits of the PAN
 * ```
 */
export function tokenizeCard(
  pan: string,
  key: Uint8Array,
  options: { encoding?: TokenEncoding } = {},
): string {
  return new CardTokenizer(key, options).tokenize(pan);
}

/**
 * The masked display form: the 6-digit BIN, one `*` per hidden digit, and the last 4
 * (`4111111111111111` → `411111******1111`; a 15-digit Amex keeps its length too).
 */
export function displayCard(pan: string): string {
  checkPan(pan);
  return pan.slice(0, 6) + "*".repeat(pan.length - 10) + pan.slice(-4);
}

/** Whether `pan` is all digits (at least 2) and passes the Luhn (mod 10) check. */
export function luhnValid(pan: string): boolean {
  if (!/^[0-9]{2,}$/.test(pan)) return false;
  let sum = 0;
  for (let i = pan.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = pan.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit to append to `partial` (all digits) to make it valid. */
export function luhnCheckDigit(partial: string): number {
  if (!/^[0-9]+$/.test(partial)) throw new TypeError("Luhn input must be decimal digits");
  let sum = 0;
  for (let i = partial.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = partial.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Where {@linkcode loadTokenKey} looks: an environment variable (checked first) and/or a file. */
export interface TokenKeySource {
  /** Path of a file holding the key as hex or base64/base64url text (surrounding whitespace ignored). */
  file?: string | URL;
  /** Name of an environment variable holding the key as hex or base64/base64url text. */
  env?: string;
}

/**
 * Loads the tokenization key. If `env` names a set, non-empty variable it wins; otherwise `file`
 * is read. The text is hex when it is an even number of hex digits, else base64 or base64url.
 * Throws `TypeError` when no source has a key or the text does not decode, `RangeError` when the
 * key is shorter than {@linkcode MIN_TOKEN_KEY_BYTES}. Needs `--allow-env` / `--allow-read`.
 */
export async function loadTokenKey(source: TokenKeySource): Promise<Uint8Array<ArrayBuffer>> {
  if (source.env === undefined && source.file === undefined) {
    throw new TypeError("Cannot load the card token key: give an env variable name or a file path");
  }
  let text: string | undefined;
  let origin = "";
  if (source.env !== undefined) {
    const v = Deno.env.get(source.env);
    if (v !== undefined && v.trim() !== "") {
      text = v;
      origin = `environment variable ${source.env}`;
    }
  }
  if (text === undefined && source.file !== undefined) {
    origin = `file "${String(source.file)}"`;
    try {
      text = await Deno.readTextFile(source.file);
    } catch (e: unknown) {
      const why = e instanceof Deno.errors.NotFound ? "it does not exist" : String(e);
      throw new TypeError(`Cannot load the card token key from ${origin}: ${why}`, { cause: e });
    }
  }
  if (text === undefined) {
    throw new TypeError(`Cannot load the card token key: environment variable ${source.env} is not set`);
  }
  const key = decodeKeyText(text.trim(), origin);
  if (key.length < MIN_TOKEN_KEY_BYTES) {
    throw new RangeError(
      `Card token key from ${origin} is ${key.length} bytes; at least ${MIN_TOKEN_KEY_BYTES} are required`,
    );
  }
  return key;
}

function decodeKeyText(text: string, origin: string): Uint8Array<ArrayBuffer> {
  if (text.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(text)) {
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const std = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
    try {
      const bin = atob(std + "=".repeat((4 - (std.length % 4)) % 4));
      return Uint8Array.from(bin, (c) => c.charCodeAt(0));
    } catch (e: unknown) {
      throw new TypeError(`Card token key from ${origin} is not valid base64`, { cause: e });
    }
  }
  throw new TypeError(`Card token key from ${origin} is neither hex nor base64 text`);
}

/**
 * A 32-byte key for demos. Without a seed it is random (crypto.getRandomValues). With a seed it is
 * SHA-256("frontier-demo-key:" + seed): reproducible, and therefore NOT secret — demos only.
 */
export function generateDemoKey(options: { seed?: number } = {}): Uint8Array<ArrayBuffer> {
  if (options.seed === undefined) return crypto.getRandomValues(new Uint8Array(32));
  return sha256(new TextEncoder().encode(`frontier-demo-key:${options.seed}`));
}

/** The key as hex text, the format {@linkcode loadTokenKey} reads (for writing a key file or env var). */
export function encodeTokenKey(key: Uint8Array): string {
  return toHex(key);
}
