/**
 * The one toolkit for decoding wire messages from `unknown`: every reader checks one value and,
 * when it is wrong, throws a {@linkcode MalformedMessageError} that names the message and the
 * path of the value inside it, e.g.
 * `task.launch: "node.entry.start" must be a non-negative integer`.
 *
 * A decoded object ({@linkcode Obj}, from {@linkcode obj}) remembers where it sits, so field
 * readers take just the object and the key: `nat(o, "start")`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nat, obj, str, where } from "./decode.ts";
 * const o = obj({ path: "a.csv", start: -1 }, where("csv.range"));
 * assert.equal(str(o, "path"), "a.csv");
 * assert.throws(() => nat(o, "start"), /csv.range: "start" must be a non-negative integer/);
 * ```
 *
 * @module
 */
import { type Json, MalformedMessageError, MAX_CAUSE_DEPTH, type WireError } from "./errors.ts";

/** Where a value sits: the message it arrived in (`task.launch`) and its path inside (`node.entry`). */
export interface Where {
  /** The message's name, e.g. `task.launch`. */
  readonly message: string;
  /** Dotted path with `[i]` indices, e.g. `node.entries[2].start`; `""` for the message itself. */
  readonly path: string;
}

/** The key under which an {@linkcode Obj} keeps its {@linkcode Where}. */
export const WHERE: unique symbol = Symbol("where");

/** An object being decoded: its fields, and where it sits (for naming the bad field). */
export type Obj = { readonly [key: string]: unknown } & { readonly [WHERE]: Where };

/** Longest string a reader accepts unless told otherwise. */
export const MAX_STRING = 10_000;
/** Longest array a reader accepts unless told otherwise. */
export const MAX_ITEMS = 100_000;
/** Deepest JSON value a reader accepts unless told otherwise. */
export const MAX_JSON_DEPTH = 32;

/** Longest path shown in an error message (its end is kept); `data.path` holds all of it. */
const MAX_SHOWN_PATH = 120;

/** The root of a message named `message`. */
export function where(message: string, path = ""): Where {
  return { message, path };
}

/** The place of `key` (a field name or an array index) inside `parent`. */
export function at(parent: Where | Obj, key: string | number): Where {
  const w = WHERE in parent ? parent[WHERE] : parent;
  const path = typeof key === "number" ? `${w.path}[${key}]` : w.path === "" ? key : `${w.path}.${key}`;
  return { message: w.message, path };
}

/** The error for a value at `w` that is not what it must be: `problem` reads after its path. */
export function fail(w: Where, problem: string): MalformedMessageError {
  const path = w.path.length > MAX_SHOWN_PATH ? `…${w.path.slice(-MAX_SHOWN_PATH)}` : w.path;
  const message = path === "" ? `${w.message}: ${problem}` : `${w.message}: "${path}" ${problem}`;
  return new MalformedMessageError(message, { data: { message: w.message, path: w.path, problem } });
}

/** The error for a zod failure (first issue named; all issues in `data`). */
export function failZod(
  message: string,
  error: { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] },
): MalformedMessageError {
  const issues = error.issues.map((i) => {
    const w = i.path.reduce<Where>(
      (w, k) => at(w, typeof k === "number" ? k : String(k)),
      where(message),
    );
    return { path: w.path, problem: i.message };
  });
  const first = issues[0] ?? { path: "", problem: "invalid" };
  const e = fail({ message, path: first.path }, first.problem);
  e.data["issues"] = issues.slice(0, 10).map((i) => `${i.path || "(root)"}: ${i.problem}`);
  return e;
}

/** Whether `u` is a plain object (not null, not an array). */
export function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === "object" && u !== null && !Array.isArray(u);
}

/** `u` as an object sitting at `w`; throws unless it is one. */
export function obj(u: unknown, w: Where): Obj {
  if (!isRecord(u)) throw fail(w, `must be an object, got ${describe(u)}`);
  return { ...u, [WHERE]: w };
}

/** The object in field `key` of `o`. */
export function field(o: Obj, key: string): Obj {
  return obj(o[key], at(o, key));
}

/** Throws unless every field of `o` is one of `keys`. */
export function only(o: Obj, keys: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw fail(o[WHERE], `has an unexpected field ${JSON.stringify(k.slice(0, 100))}`);
  }
}

/** Bounds of a string reader. */
export interface StringBounds {
  /** @default {0} */
  min?: number;
  /** @default {MAX_STRING} */
  max?: number;
}

/** `u` as a string of `min` to `max` characters. */
export function stringValue(u: unknown, w: Where, bounds: StringBounds = {}): string {
  const { min = 0, max = MAX_STRING } = bounds;
  if (typeof u !== "string" || u.length < min || u.length > max) {
    const size = min > 0 ? `${min} to ${max}` : `at most ${max}`;
    throw fail(w, `must be a string of ${size} characters`);
  }
  return u;
}

/** `u` as a finite number. */
export function numberValue(u: unknown, w: Where): number {
  if (typeof u !== "number" || !Number.isFinite(u)) throw fail(w, "must be a finite number");
  return u;
}

/** `u` as a safe integer. */
export function intValue(u: unknown, w: Where): number {
  if (typeof u !== "number" || !Number.isSafeInteger(u)) throw fail(w, "must be a safe integer");
  return u;
}

/** `u` as a non-negative safe integer. */
export function natValue(u: unknown, w: Where): number {
  if (typeof u !== "number" || !Number.isSafeInteger(u) || u < 0) {
    throw fail(w, "must be a non-negative integer");
  }
  return u;
}

/** `u` as a boolean. */
export function boolValue(u: unknown, w: Where): boolean {
  if (typeof u !== "boolean") throw fail(w, "must be a boolean");
  return u;
}

/** `u` as one of `allowed`. */
export function oneOfValue<K extends string>(allowed: readonly K[], u: unknown, w: Where): K {
  if (!(allowed as readonly unknown[]).includes(u)) {
    const list = allowed.length <= 8 ? `: ${allowed.map((a) => JSON.stringify(a)).join(", ")}` : "";
    throw fail(w, `must be one of ${allowed.length} values${list}, got ${describe(u)}`);
  }
  return u as K;
}

/** `u` as an array of at most `max` items. */
export function arrayValue(u: unknown, w: Where, max = MAX_ITEMS): readonly unknown[] {
  if (!Array.isArray(u)) throw fail(w, `must be an array, got ${describe(u)}`);
  if (u.length > max) throw fail(w, `must have at most ${max} items, has ${u.length}`);
  return u;
}

/** `u` as a JSON value (finite numbers, at most `maxDepth` levels deep). */
export function jsonValue(u: unknown, w: Where, maxDepth = MAX_JSON_DEPTH): Json {
  return json1(u, w, maxDepth, 0);
}

function json1(u: unknown, w: Where, maxDepth: number, depth: number): Json {
  if (depth > maxDepth) throw fail(w, `nests deeper than ${maxDepth}`);
  if (u === null || typeof u === "string" || typeof u === "boolean") return u;
  if (typeof u === "number") {
    if (!Number.isFinite(u)) throw fail(w, "must hold finite numbers");
    return u;
  }
  if (Array.isArray(u)) return u.map((x, i) => json1(x, at(w, i), maxDepth, depth + 1));
  if (isRecord(u)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(u)) out[k] = json1(v, at(w, k), maxDepth, depth + 1);
    return out;
  }
  throw fail(w, `must be JSON, got ${describe(u)}`);
}

/** Field `key` of `o` as a string (see {@linkcode stringValue}). */
export function str(o: Obj, key: string, bounds?: StringBounds): string {
  return stringValue(o[key], at(o, key), bounds);
}

/** Field `key` of `o` as a finite number. */
export function num(o: Obj, key: string): number {
  return numberValue(o[key], at(o, key));
}

/** Field `key` of `o` as a safe integer. */
export function int(o: Obj, key: string): number {
  return intValue(o[key], at(o, key));
}

/** Field `key` of `o` as a non-negative safe integer. */
export function nat(o: Obj, key: string): number {
  return natValue(o[key], at(o, key));
}

/** Field `key` of `o` as a boolean. */
export function bool(o: Obj, key: string): boolean {
  return boolValue(o[key], at(o, key));
}

/** Field `key` of `o` as one of `allowed`. */
export function oneOf<K extends string>(o: Obj, key: string, allowed: readonly K[]): K {
  return oneOfValue(allowed, o[key], at(o, key));
}

/** Field `key` of `o` as an array of at most `max` undecoded items. */
export function arr(o: Obj, key: string, max = MAX_ITEMS): readonly unknown[] {
  return arrayValue(o[key], at(o, key), max);
}

/** Field `key` of `o` as an array of at most `max` items, each decoded by `item`. */
export function list<T>(o: Obj, key: string, item: (u: unknown, w: Where) => T, max = MAX_ITEMS): T[] {
  const w = at(o, key);
  return arrayValue(o[key], w, max).map((u, i) => item(u, at(w, i)));
}

/** Field `key` of `o` as an array of strings. */
export function strs(o: Obj, key: string, max = MAX_ITEMS): string[] {
  return list(o, key, (u, w) => stringValue(u, w), max);
}

/** Field `key` of `o` as a JSON value (see {@linkcode jsonValue}). */
export function json(o: Obj, key: string, maxDepth?: number): Json {
  return jsonValue(o[key], at(o, key), maxDepth);
}

/** Field `key` of `o` read by `read`, or `undefined` when the field is absent (or `undefined`). */
export function optional<T>(o: Obj, key: string, read: (o: Obj, key: string) => T): T | undefined {
  return o[key] === undefined ? undefined : read(o, key);
}

/** `u` as a {@linkcode WireError} (name, message, JSON data, and optionally determinism and cause). */
export function wireErrorValue(u: unknown, w: Where): WireError {
  return wireError1(u, w, 0);
}

function wireError1(u: unknown, w: Where, depth: number): WireError {
  const o = obj(u, w);
  const data = field(o, "data");
  const e: WireError = {
    name: str(o, "name", { max: 200 }),
    message: str(o, "message", { max: 100_000 }),
    data: Object.fromEntries(Object.keys(data).map((k) => [k, json(data, k)])),
  };
  if (optional(o, "deterministic", bool)) e.deterministic = true;
  if (o["cause"] !== undefined) {
    if (depth >= MAX_CAUSE_DEPTH) throw fail(at(o, "cause"), `nests deeper than ${MAX_CAUSE_DEPTH}`);
    e.cause = wireError1(o["cause"], at(o, "cause"), depth + 1);
  }
  return e;
}

/** A short description of a value for an error message. */
export function describe(u: unknown): string {
  if (u === null) return "null";
  if (Array.isArray(u)) return "an array";
  if (typeof u === "string") return JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u);
  if (typeof u === "object") return "an object";
  return typeof u === "number" || typeof u === "boolean" ? String(u) : typeof u;
}
