/**
 * The contract every fitted feature stage implements, once per kind: what it reads and writes, the
 * per-row semantics over a {@linkcode Frame} (what executors, scoring and streaming run), the same
 * semantics as engine `Column` expressions (what `transform` ships to the cluster), and its state
 * as JSON. `models/features/spec/` checks that the two agree.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { InvalidRowError } from "../../../cluster/errors.ts";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import { col, type Column, lit } from "../../../cluster/expr/column.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import type { ColumnInfo, ColumnInfos } from "../column_info.ts";
import type { Frame } from "../frame.ts";

/** A stage's effect as column expressions over a dataset that has its inputs. */
export interface CompiledStage {
  /** Columns added (or replaced when the name exists), in order. */
  readonly columns: readonly (readonly [name: string, value: Column])[];
  /** Rows where this is not true are dropped after the columns are added (`handleInvalid: "skip"`). */
  readonly keep?: Column;
}

/** What a stage is told when it compiles: the meaning and the engine types of its inputs. */
export interface CompileContext {
  readonly infos: ColumnInfos;
  readonly schema: Schema;
}

/** The per-kind operations on a fitted state `S`. */
export interface StageKernel<S> {
  /** Columns the stage reads. */
  inputs(state: S): readonly string[];
  /** Columns the stage writes and what they mean; `TypeError` when an input has the wrong meaning. */
  outputs(state: S, infos: ColumnInfos): readonly (readonly [string, ColumnInfo])[];
  /** Applies the stage to a frame (throws on invalid values in `"error"` mode). */
  apply(state: S, frame: Frame, infos: ColumnInfos): void;
  /** The stage as expressions (see the limits in each stage's doc). */
  compile(state: S, ctx: CompileContext): CompiledStage;
  /** The state as JSON (read back by `decode`). */
  encode(state: S): Json;
  /** The state from JSON fields; throws `ModelFormatError` for malformed fields. */
  decode(fields: JsonFields): S;
}

/** A double literal; non-finite values are cast from text, since JSON cannot carry them. */
export function doubleLit(x: number): Column {
  return Number.isFinite(x) ? lit(x, "double") : lit(String(x)).cast("double");
}

/**
 * `a AND b AND …` as a balanced tree, so hundreds of conditions stay within the expression depth
 * the wire allows (64); `true` for none.
 */
export function allOf(conditions: readonly Column[]): Column {
  if (conditions.length === 0) return lit(true);
  if (conditions.length === 1) return conditions[0]!;
  const mid = conditions.length >> 1;
  return allOf(conditions.slice(0, mid)).and(allOf(conditions.slice(mid)));
}

/** `c` is missing: null or NaN. */
export function isMissing(c: Column): Column {
  return c.isNull().or(c.ne(c));
}

/** The numeric column `name` as a double (dates as days, timestamps as ms, bools as 0/1). */
export function asDouble(name: string, schema: Schema): Column {
  const f = schema.find((x) => x.name === name);
  return f === undefined || f.type === "double" ? col(name) : col(name).cast("double");
}

/**
 * The error for a value a stage in `"error"` mode cannot encode: an `InvalidRowError` (the same
 * data fails every retry) naming the stage, the column and the value.
 */
export function invalidValueError(
  stage: string,
  column: string,
  value: unknown,
  why: string,
): InvalidRowError {
  const missing = value === undefined || (typeof value === "number" && Number.isNaN(value));
  const shown = missing ? "a missing value" : JSON.stringify(value);
  return new InvalidRowError(
    `${stage} cannot encode ${shown} of column "${column}": ${why} (set handleInvalid to "keep" or "skip")`,
    { data: { stage, column, value: missing ? null : typeof value === "string" ? value : String(value) } },
  );
}

/** JSON for a number that may be ±Infinity (as the strings `"Infinity"`, `"-Infinity"`). */
export function jsonNumber(x: number): Json {
  return Number.isFinite(x) ? x : String(x);
}

/** The inverse of {@linkcode jsonNumber}; throws through `fail` for anything else. */
export function numberFromJson(u: unknown, fail: () => Error): number {
  if (typeof u === "number" && Number.isFinite(u)) return u;
  if (u === "Infinity") return Infinity;
  if (u === "-Infinity") return -Infinity;
  throw fail();
}

/** `u` as a list of strings; throws through `fail` otherwise. */
export function stringList(u: unknown, fail: () => Error): string[] {
  if (!Array.isArray(u)) throw fail();
  return u.map((x) => {
    if (typeof x !== "string") throw fail();
    return x;
  });
}

/** `u` as a list of numbers as {@linkcode jsonNumber} writes them; throws through `fail` otherwise. */
export function numberList(u: unknown, fail: () => Error): number[] {
  if (!Array.isArray(u)) throw fail();
  return u.map((x) => numberFromJson(x, fail));
}
