/**
 * Hand decoding of parsed JSON (`unknown`) for the model files: a {@linkcode JsonFields} reader
 * bound to a file and a JSON path, whose getters either return a typed value or throw a
 * {@linkcode ModelFormatError} naming the file and the field. No casts: every value is checked
 * before it is typed.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import { formatError } from "./errors.ts";

/** Nesting allowed in free-form JSON (params, stage states, body meta). */
export const MAX_JSON_DEPTH = 64;

/** Whether `u` is a non-array object. */
export function isRecord(u: unknown): u is Readonly<Record<string, unknown>> {
  return typeof u === "object" && u !== null && !Array.isArray(u);
}

/** `path` extended by key `k` (`a.b`) or index `i` (`a[3]`). */
function child(path: string, k: string | number): string {
  if (typeof k === "number") return `${path}[${k}]`;
  return path === "" ? k : `${path}.${k}`;
}

/**
 * `u` as a {@linkcode Json} value, rebuilt so nothing but JSON survives: finite numbers, strings,
 * booleans, `null`, arrays and plain objects, at most {@linkcode MAX_JSON_DEPTH} deep. Anything else
 * is reported through `fail(path, why)`, which must return the error to throw.
 */
export function toJson(u: unknown, fail: (path: string, why: string) => Error, path = ""): Json {
  return rebuild(u, fail, path, 0);
}

function rebuild(u: unknown, fail: (path: string, why: string) => Error, path: string, depth: number): Json {
  if (depth > MAX_JSON_DEPTH) throw fail(path, `nests deeper than ${MAX_JSON_DEPTH}`);
  if (u === null || typeof u === "string" || typeof u === "boolean") return u;
  if (typeof u === "number") {
    if (!Number.isFinite(u)) throw fail(path, `is ${u}, which JSON cannot hold`);
    return u;
  }
  if (Array.isArray(u)) return u.map((x, i) => rebuild(x, fail, child(path, i), depth + 1));
  if (isRecord(u) && (Object.getPrototypeOf(u) === Object.prototype || Object.getPrototypeOf(u) === null)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(u)) out[k] = rebuild(v, fail, child(path, k), depth + 1);
    return out;
  }
  throw fail(
    path,
    `is a ${u === undefined ? "undefined" : typeof u === "object" ? "non-plain object" : typeof u}`,
  );
}

/** Reads the fields of one JSON object of file `file` at JSON path `path`. */
export class JsonFields {
  /** The file the object was read from, for error messages. */
  readonly file: string;
  /** The object's JSON path in the file (`""` for the root). */
  readonly path: string;
  readonly #o: Readonly<Record<string, unknown>>;

  /** Checks that `u` is an object; throws {@linkcode ModelFormatError} otherwise. */
  constructor(u: unknown, where: { file: string; path?: string }) {
    this.file = where.file;
    this.path = where.path ?? "";
    if (!isRecord(u)) throw this.#error(this.path, "must be an object");
    this.#o = u;
  }

  /** The object's keys. */
  keys(): string[] {
    return Object.keys(this.#o);
  }

  /** The error for field `k` (or the object itself when `k` is omitted). */
  error(why: string, k?: string): Error {
    return this.#error(k === undefined ? this.path : child(this.path, k), why);
  }

  #error(path: string, why: string): Error {
    const where = path === "" ? this.file : `${this.file} field "${path}"`;
    return formatError(this.file, `${where} ${why}`, path === "" ? undefined : path);
  }

  /** Whether field `k` is present (and not `undefined`). */
  has(k: string): boolean {
    return this.#o[k] !== undefined;
  }

  /** Field `k`, unchecked. */
  raw(k: string): unknown {
    return this.#o[k];
  }

  /** A string, at most `maxLength` characters. */
  string(k: string, maxLength = 10_000): string {
    const v = this.#o[k];
    if (typeof v !== "string") throw this.error("must be a string", k);
    if (v.length > maxLength) throw this.error(`must be at most ${maxLength} characters`, k);
    return v;
  }

  /** A string, or `undefined` when absent. */
  optionalString(k: string): string | undefined {
    return this.has(k) ? this.string(k) : undefined;
  }

  /** A finite number. */
  number(k: string): number {
    const v = this.#o[k];
    if (typeof v !== "number" || !Number.isFinite(v)) throw this.error("must be a finite number", k);
    return v;
  }

  /** A safe integer `≥ min`. */
  integer(k: string, min = 0): number {
    const v = this.number(k);
    if (!Number.isSafeInteger(v) || v < min) throw this.error(`must be an integer ≥ ${min}`, k);
    return v;
  }

  /** A safe integer, or `undefined` when absent. */
  optionalInteger(k: string, min = 0): number | undefined {
    return this.has(k) ? this.integer(k, min) : undefined;
  }

  /** A boolean. */
  boolean(k: string): boolean {
    const v = this.#o[k];
    if (typeof v !== "boolean") throw this.error("must be true or false", k);
    return v;
  }

  /** An array of at most `maxLength` items. */
  array(k: string, maxLength = 1_000_000): readonly unknown[] {
    const v = this.#o[k];
    if (!Array.isArray(v)) throw this.error("must be an array", k);
    if (v.length > maxLength) throw this.error(`must have at most ${maxLength} items`, k);
    return v;
  }

  /** An array of strings. */
  strings(k: string, maxLength = 1_000_000): string[] {
    return this.array(k, maxLength).map((x, i) => {
      if (typeof x !== "string") throw this.error("must be a string", `${k}[${i}]`);
      return x;
    });
  }

  /** The object at field `k`. */
  object(k: string): JsonFields {
    return new JsonFields(this.#o[k], { file: this.file, path: child(this.path, k) });
  }

  /** The objects of the array at field `k`. */
  objects(k: string, maxLength = 1_000_000): JsonFields[] {
    const base = child(this.path, k);
    return this.array(k, maxLength).map((x, i) =>
      new JsonFields(x, { file: this.file, path: child(base, i) })
    );
  }

  /** Free-form JSON at field `k` (see {@linkcode toJson}). */
  json(k: string): Json {
    if (!(k in this.#o)) throw this.error("is missing", k);
    return toJson(this.#o[k], (path, why) => this.#error(path, why), child(this.path, k));
  }

  /** One of `allowed`. */
  oneOf<T extends string>(k: string, allowed: readonly T[]): T {
    const v = this.string(k);
    const found = allowed.find((a) => a === v);
    if (found === undefined) throw this.error(`is "${v}", not one of ${allowed.join(", ")}`, k);
    return found;
  }
}
