/**
 * The model body: named typed arrays plus a small JSON `meta`, stored as `body.bin` (the arrays'
 * bytes) described by `body.json` (the header). See `mod.ts` for the directory format as a whole.
 *
 * `body.json` (format version 1):
 * ```json
 * {
 *   "format": "frontier-model-body",
 *   "byteOrder": "little-endian",
 *   "data": "body.bin",
 *   "byteLength": 48,
 *   "meta": { "initScore": -2.1 },
 *   "arrays": [
 *     { "name": "coefficients", "dtype": "f64", "length": 5, "offset": 0 },
 *     { "name": "featureIndex", "dtype": "i32", "length": 2, "offset": 40 }
 *   ]
 * }
 * ```
 * `body.bin` is the arrays in header order, each element little-endian, each array starting at the
 * first multiple of 8 at or after the previous one's end, the gaps and the tail up to the next
 * multiple of 8 zero: `offset` and `byteLength` are implied by the lengths and a reader refuses
 * any other value, so one body has exactly one byte image. Array bytes are copied, never
 * converted, so every bit pattern (NaN payloads, `-0`) survives. `dtype` is one of
 * {@linkcode BODY_DTYPES}; names start with a letter and use letters, digits, `_`, `.`, `-`.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import { JsonFields, toJson } from "./json_fields.ts";

/** The element types a body array may have. */
export const BODY_DTYPES = ["f64", "f32", "i32", "u32", "i16", "u16", "i8", "u8"] as const;
/** An element type of a body array. */
export type BodyDtype = typeof BODY_DTYPES[number];
/** A typed array a body may hold. */
export type BodyArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** What a model kind's codec writes and reads: named arrays (in order) and free-form JSON. */
export interface ModelBody {
  /** Free-form JSON (`body.json`'s `meta`). */
  readonly meta: Json;
  /** The named arrays, in order. */
  readonly arrays: ReadonlyMap<string, BodyArray>;
}

/** One array's entry in `body.json`. */
export interface BodyArrayEntry {
  readonly name: string;
  readonly dtype: BodyDtype;
  readonly length: number;
  readonly offset: number;
}

/** The file names of the body. */
export const BODY_HEADER_FILE = "body.json";
/** The file holding the arrays' bytes. */
export const BODY_DATA_FILE = "body.bin";

const FORMAT = "frontier-model-body";
const BYTE_ORDER = "little-endian";
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,199}$/;
const MAX_ARRAYS = 100_000;
const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const WIDTH: Readonly<Record<BodyDtype, number>> = {
  f64: 8,
  f32: 4,
  i32: 4,
  u32: 4,
  i16: 2,
  u16: 2,
  i8: 1,
  u8: 1,
};

/** The dtype of `a`. */
export function dtypeOf(a: BodyArray): BodyDtype {
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Int32Array) return "i32";
  if (a instanceof Uint32Array) return "u32";
  if (a instanceof Int16Array) return "i16";
  if (a instanceof Uint16Array) return "u16";
  if (a instanceof Int8Array) return "i8";
  return "u8";
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Reverses each `width`-byte element of `bytes` in place (for big-endian hosts). */
function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

function arrayOf(dtype: BodyDtype, buffer: ArrayBuffer, length: number): BodyArray {
  switch (dtype) {
    case "f64":
      return new Float64Array(buffer, 0, length);
    case "f32":
      return new Float32Array(buffer, 0, length);
    case "i32":
      return new Int32Array(buffer, 0, length);
    case "u32":
      return new Uint32Array(buffer, 0, length);
    case "i16":
      return new Int16Array(buffer, 0, length);
    case "u16":
      return new Uint16Array(buffer, 0, length);
    case "i8":
      return new Int8Array(buffer, 0, length);
    case "u8":
      return new Uint8Array(buffer, 0, length);
    default:
      return dtype satisfies never;
  }
}

/** The `body.json` object and `body.bin` bytes of `body`; `TypeError` on a bad name or meta. */
export function encodeBody(body: ModelBody): { header: Json; data: Uint8Array<ArrayBuffer> } {
  if (body.arrays.size > MAX_ARRAYS) throw new TypeError(`A model body holds at most ${MAX_ARRAYS} arrays`);
  const entries: BodyArrayEntry[] = [];
  const sources: Uint8Array[] = [];
  let end = 0;
  for (const [name, a] of body.arrays) {
    if (!NAME.test(name)) throw new TypeError(`Body array name "${name}" does not match ${NAME.source}`);
    const offset = align8(end);
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    sources.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    end = offset + a.byteLength;
  }
  const data = new Uint8Array(align8(end));
  entries.forEach((e, i) => {
    const bytes = sources[i]!;
    data.set(bytes, e.offset);
    if (!LITTLE) swapBytes(data.subarray(e.offset, e.offset + bytes.length), WIDTH[e.dtype]);
  });
  const meta = toJson(body.meta, (path, why) => new TypeError(`Body meta${path ? ` "${path}"` : ""} ${why}`));
  const header: Json = {
    format: FORMAT,
    byteOrder: BYTE_ORDER,
    data: BODY_DATA_FILE,
    byteLength: data.length,
    meta,
    arrays: entries.map((e) => ({ name: e.name, dtype: e.dtype, length: e.length, offset: e.offset })),
  };
  return { header, data };
}

/**
 * The body described by the parsed `body.json` `header` over the `body.bin` bytes `data`; throws
 * {@linkcode ModelFormatError} unless the header is exactly what {@linkcode encodeBody} would write
 * for those arrays. Arrays are copies, each on its own buffer.
 */
export function decodeBody(header: unknown, data: Uint8Array): ModelBody {
  const h = new JsonFields(header, { file: BODY_HEADER_FILE });
  if (h.raw("format") !== FORMAT) throw h.error(`must be "${FORMAT}"`, "format");
  if (h.raw("byteOrder") !== BYTE_ORDER) throw h.error(`must be "${BYTE_ORDER}"`, "byteOrder");
  if (h.raw("data") !== BODY_DATA_FILE) throw h.error(`must be "${BODY_DATA_FILE}"`, "data");
  const byteLength = h.integer("byteLength");
  if (byteLength !== data.length) {
    throw h.error(`is ${byteLength} but ${BODY_DATA_FILE} holds ${data.length} bytes`, "byteLength");
  }
  const meta = h.json("meta");
  const arrays = new Map<string, BodyArray>();
  let end = 0;
  for (const e of h.objects("arrays", MAX_ARRAYS)) {
    const name = e.string("name", 200);
    if (!NAME.test(name)) throw e.error(`does not match ${NAME.source}`, "name");
    if (arrays.has(name)) throw e.error(`repeats "${name}"`, "name");
    const dtype = e.oneOf("dtype", BODY_DTYPES);
    const length = e.integer("length");
    const offset = e.integer("offset");
    if (offset !== align8(end)) {
      throw e.error(`must be ${align8(end)}, the first multiple of 8 after the array before`, "offset");
    }
    if (data.subarray(end, offset).some((b) => b !== 0)) throw e.error("follows non-zero padding", "offset");
    end = offset + length * WIDTH[dtype];
    if (end > data.length) {
      throw e.error(`runs past the end of ${BODY_DATA_FILE} (${data.length} bytes)`, "length");
    }
    const bytes = data.slice(offset, end);
    if (!LITTLE) swapBytes(bytes, WIDTH[dtype]);
    arrays.set(name, arrayOf(dtype, bytes.buffer, length));
  }
  if (align8(end) !== data.length) {
    throw h.error(`must be ${align8(end)}, the end of the last array`, "byteLength");
  }
  if (data.subarray(end).some((b) => b !== 0)) throw h.error("leaves non-zero padding bytes", "byteLength");
  return { meta, arrays };
}
