/**
 * The values per-partition operators hand between executors and the driver (a fold's result, a
 * summary): JSON, raw bytes, or float64s. On the wire a value is a small encoding tag in the
 * frame header and its bytes in the frame payload: JSON as UTF-8 text, bytes as they are,
 * float64s as their little-endian IEEE 754 bytes, so a gradient or a histogram of a million
 * doubles travels as 8 MB of payload, never as JSON-encoded numbers.
 *
 * @module
 */
import { type Json, MalformedMessageError } from "../../actors/errors.ts";
import { jsonValue, MAX_JSON_DEPTH, where } from "../../actors/decode.ts";

/** What a fold, merge or summarize export returns. */
export type PartitionValue = Json | Uint8Array | Float64Array;

/** The encodings of a {@linkcode PartitionValue} in a frame payload, for decoders. */
export const VALUE_ENCODINGS: readonly ["json", "bytes", "f64"] = ["json", "bytes", "f64"];

/** How a {@linkcode PartitionValue} is laid out in a frame payload. */
export type ValueEncoding = typeof VALUE_ENCODINGS[number];

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Checks that `u` is plain JSON (finite numbers, plain objects and arrays, at most as deep as the
 * wire decoders accept) and returns it typed; throws `TypeError` naming where it is not. For values
 * user code hands over (arguments, fold values, carries), before they reach the wire.
 */
export function checkJson(u: unknown, what: string): Json {
  const visit = (v: unknown, path: string, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) throw new TypeError(`${what} nests deeper than ${MAX_JSON_DEPTH} at ${path}`);
    if (v === null || typeof v === "string" || typeof v === "boolean") return;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new TypeError(`${what} holds a non-finite number at ${path}`);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${path}[${i}]`, depth + 1));
      return;
    }
    const proto = typeof v === "object" ? Object.getPrototypeOf(v) : undefined;
    if (typeof v === "object" && (proto === Object.prototype || proto === null)) {
      for (const [k, x] of Object.entries(v)) visit(x, `${path}.${k}`, depth + 1);
      return;
    }
    const kind = v === undefined
      ? "undefined"
      : typeof v === "object"
      ? v.constructor?.name ?? "object"
      : typeof v;
    throw new TypeError(`${what} must be JSON, found ${kind} at ${path}`);
  };
  visit(u, "$", 0);
  return u as Json;
}

/**
 * The most bytes of JSON arguments that travel inline, in the header of every task's frame (whose
 * limit is 1 MiB with the rest of the task). Larger arguments travel once per executor as a
 * broadcast value (see {@linkcode MAX_BROADCAST_ARGS_BYTES}), which the executor decodes once and
 * keeps until the job (or the cached dataset whose lineage holds them) is done.
 */
export const MAX_ARGS_BYTES = 512 * 1024;

/**
 * The most bytes of JSON arguments a per-partition operator may take at all: above
 * {@linkcode MAX_ARGS_BYTES} they are broadcast (each executor holds one decoded copy while jobs
 * use them), so this bounds what every executor keeps in memory for one operator.
 */
export const MAX_BROADCAST_ARGS_BYTES = 256 * 1024 * 1024;

/**
 * {@linkcode checkJson}, then a `RangeError` when the arguments' JSON text exceeds
 * {@linkcode MAX_BROADCAST_ARGS_BYTES} (as UTF-8).
 */
export function checkArgs(u: unknown, what: string): Json {
  const json = checkJson(u, what);
  const bytes = encodeArgs(json).byteLength;
  if (bytes > MAX_BROADCAST_ARGS_BYTES) {
    throw new RangeError(
      `${what} are ${bytes} bytes of JSON; at most ${MAX_BROADCAST_ARGS_BYTES} travel to the executors`,
    );
  }
  return json;
}

/** Encoded arguments by the argument object (plans are immutable, and re-planned for every job). */
const encodedArgs = new WeakMap<object, Uint8Array>();

/**
 * The UTF-8 JSON text of `args`, remembered for object arguments so that each job's planning
 * does not encode the same large arguments again. Do not mutate the result.
 */
export function encodeArgs(args: Json): Uint8Array {
  if (args === null || typeof args !== "object") return encoder.encode(JSON.stringify(args));
  let bytes = encodedArgs.get(args);
  if (bytes === undefined) {
    bytes = encoder.encode(JSON.stringify(args));
    encodedArgs.set(args, bytes);
  }
  return bytes;
}

/** Checks a value an export returned; throws `TypeError` when it is not a {@linkcode PartitionValue}. */
export function checkPartitionValue(u: unknown, what: string): PartitionValue {
  if (u instanceof Uint8Array || u instanceof Float64Array) return u;
  return checkJson(u, what);
}

/** A value's encoding and payload bytes (a copy: the transport may transfer the buffer). */
export function encodePartitionValue(v: PartitionValue): { encoding: ValueEncoding; bytes: Uint8Array } {
  if (v instanceof Uint8Array) return { encoding: "bytes", bytes: v.slice() };
  if (v instanceof Float64Array) {
    return { encoding: "f64", bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() };
  }
  return { encoding: "json", bytes: encoder.encode(JSON.stringify(v)) };
}

/** Rebuilds a value from its encoding and payload. Throws `MalformedMessageError`. */
export function decodePartitionValue(encoding: ValueEncoding, bytes: Uint8Array | undefined): PartitionValue {
  const b = bytes ?? new Uint8Array(0);
  switch (encoding) {
    case "bytes":
      return b;
    case "f64": {
      if (b.byteLength % 8 !== 0) {
        throw new MalformedMessageError(
          `A float64 value payload of ${b.byteLength} bytes is not a multiple of 8`,
        );
      }
      const aligned = b.byteOffset % 8 === 0 ? b : b.slice();
      return new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
    }
    case "json": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(b));
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new MalformedMessageError(`A JSON value payload does not decode: ${why}`, { cause: e });
      }
      return jsonValue(parsed, where("value payload"));
    }
    default:
      encoding satisfies never;
      throw new MalformedMessageError(`Unknown value encoding ${JSON.stringify(encoding)}`);
  }
}
