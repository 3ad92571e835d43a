/**
 * Model kinds and their body codecs. A model package (`classification/gbt`, …) exports a
 * {@linkcode BodyCodec} for its model; the caller assembles a {@linkcode ModelRegistry} of the
 * kinds it is willing to load. There is no global registry: loading a kind needs a registry that
 * holds it, and a directory of any other kind is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BodyCodec, BodyReader, ModelRegistry } from "./registry.ts";
 *
 * interface Linear { weights: Float64Array; bias: number }
 * const linear: BodyCodec<Linear> = {
 *   kind: "linear",
 *   version: 1,
 *   readableVersions: [1],
 *   encode: (m) => ({ meta: { bias: m.bias }, arrays: new Map([["weights", m.weights]]) }),
 *   decode: (body) => {
 *     const r = new BodyReader(body);
 *     return { weights: r.f64("weights"), bias: r.meta.number("bias") };
 *   },
 * };
 * const registry = new ModelRegistry([linear]);
 * assert.deepEqual(registry.kinds(), ["linear"]);
 * ```
 *
 * @module
 */
import { BODY_HEADER_FILE, type BodyArray, type ModelBody } from "./body_layout.ts";
import { isKindName, type ModelEnvelope } from "./envelope.ts";
import { formatError } from "./errors.ts";
import { JsonFields } from "./json_fields.ts";

/** What a decoder is told besides the body. */
export interface BodyDecodeContext {
  /** The body version the directory was written with (one of the decoder's readable versions). */
  readonly version: number;
  /** The decoded `model.json` (feature names, params…), e.g. to check the body's dimension. */
  readonly envelope: ModelEnvelope;
}

/** Reads one kind's body. */
export interface BodyDecoder<M> {
  /** The kind, lowercase snake case, e.g. `"gbt"`. */
  readonly kind: string;
  /** Body versions `decode` accepts. */
  readonly readableVersions: readonly number[];
  /** The model in `body`; throws {@linkcode ModelFormatError} (e.g. via {@linkcode BodyReader}). */
  decode(body: ModelBody, context: BodyDecodeContext): M;
}

/** Writes and reads one kind's body. */
export interface BodyCodec<M> extends BodyDecoder<M> {
  /** The body version `encode` writes; one of `readableVersions`. */
  readonly version: number;
  /** The arrays and meta of `model`. */
  encode(model: M): ModelBody;
}

/** The kinds a loader accepts, each with its decoder; immutable. */
export class ModelRegistry<M> {
  readonly #decoders: ReadonlyMap<string, BodyDecoder<M>>;

  /** A registry of `decoders`; `TypeError` on a malformed or repeated kind. */
  constructor(decoders: Iterable<BodyDecoder<M>> = []) {
    const map = new Map<string, BodyDecoder<M>>();
    for (const d of decoders) {
      if (!isKindName(d.kind)) throw new TypeError(`Model kind "${d.kind}" must be lowercase snake case`);
      if (map.has(d.kind)) throw new TypeError(`Model kind "${d.kind}" is registered twice`);
      if (d.readableVersions.length === 0) {
        throw new TypeError(`Model kind "${d.kind}" reads no body version`);
      }
      map.set(d.kind, d);
    }
    this.#decoders = map;
  }

  /** A new registry holding these kinds and `decoder`'s. */
  with<N>(decoder: BodyDecoder<N>): ModelRegistry<M | N> {
    return new ModelRegistry<M | N>([...this.#decoders.values(), decoder]);
  }

  /** The registered kinds, in registration order. */
  kinds(): string[] {
    return [...this.#decoders.keys()];
  }

  /** The decoder of `kind`, if registered. */
  decoder(kind: string): BodyDecoder<M> | undefined {
    return this.#decoders.get(kind);
  }
}

/**
 * Typed access to a body for decoders: each getter returns the named array if it has the asked
 * type (and length, when given) and throws {@linkcode ModelFormatError} naming it otherwise.
 */
export class BodyReader {
  /** The body's meta, read as an object. */
  readonly meta: JsonFields;
  readonly #arrays: ReadonlyMap<string, BodyArray>;

  /** A reader over `body`; its meta must be a JSON object. */
  constructor(body: ModelBody) {
    this.meta = new JsonFields(body.meta, { file: BODY_HEADER_FILE, path: "meta" });
    this.#arrays = body.arrays;
  }

  /** The array names, in order. */
  names(): string[] {
    return [...this.#arrays.keys()];
  }

  /** Whether array `name` exists. */
  has(name: string): boolean {
    return this.#arrays.has(name);
  }

  #get<T extends BodyArray>(name: string, dtype: string, is: (a: BodyArray) => a is T, length?: number): T {
    const a = this.#arrays.get(name);
    if (a === undefined) throw formatError(BODY_HEADER_FILE, `${BODY_HEADER_FILE} has no array "${name}"`);
    if (!is(a)) {
      throw formatError(BODY_HEADER_FILE, `${BODY_HEADER_FILE} array "${name}" must have dtype ${dtype}`);
    }
    if (length !== undefined && a.length !== length) {
      throw formatError(
        BODY_HEADER_FILE,
        `${BODY_HEADER_FILE} array "${name}" has ${a.length} items, expected ${length}`,
      );
    }
    return a;
  }

  /** Float64 array `name`. */
  f64(name: string, length?: number): Float64Array {
    return this.#get(name, "f64", (a) => a instanceof Float64Array, length);
  }
  /** Float32 array `name`. */
  f32(name: string, length?: number): Float32Array {
    return this.#get(name, "f32", (a) => a instanceof Float32Array, length);
  }
  /** Int32 array `name`. */
  i32(name: string, length?: number): Int32Array {
    return this.#get(name, "i32", (a) => a instanceof Int32Array, length);
  }
  /** Uint32 array `name`. */
  u32(name: string, length?: number): Uint32Array {
    return this.#get(name, "u32", (a) => a instanceof Uint32Array, length);
  }
  /** Int16 array `name`. */
  i16(name: string, length?: number): Int16Array {
    return this.#get(name, "i16", (a) => a instanceof Int16Array, length);
  }
  /** Uint16 array `name`. */
  u16(name: string, length?: number): Uint16Array {
    return this.#get(name, "u16", (a) => a instanceof Uint16Array, length);
  }
  /** Int8 array `name`. */
  i8(name: string, length?: number): Int8Array {
    return this.#get(name, "i8", (a) => a instanceof Int8Array, length);
  }
  /** Uint8 array `name`. */
  u8(name: string, length?: number): Uint8Array {
    return this.#get(name, "u8", (a) => a instanceof Uint8Array, length);
  }
}
