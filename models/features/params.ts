/**
 * Validation of feature-stage parameters at construction: a `RangeError` naming the parameter, the
 * allowed range or choices, and the value it got.
 *
 * @module
 */

/** How a stage treats values it cannot encode (nulls, NaN, unseen categories, out-of-range numbers). */
export type HandleInvalid = "error" | "skip" | "keep";

/** Returns `value` when it is a number in `[min, max]` (an integer when asked); throws `RangeError`. */
export function checkNumber(
  name: string,
  value: unknown,
  range: { min: number; max: number; integer?: boolean; minExclusive?: boolean },
): number {
  const ok = typeof value === "number" && !Number.isNaN(value) &&
    (range.minExclusive ? value > range.min : value >= range.min) && value <= range.max &&
    (!range.integer || Number.isInteger(value));
  if (!ok) {
    const lo = range.minExclusive ? "(" : "[";
    const hi = range.max === Infinity ? "∞)" : `${range.max}]`;
    throw new RangeError(
      `${name} must be ${range.integer ? "an integer" : "a number"} in ${lo}${range.min}, ${hi}, got ${
        String(value)
      }`,
    );
  }
  return value as number;
}

/** Returns `value` when it is one of `allowed`; throws `RangeError` naming `name` otherwise. */
export function checkChoice<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new RangeError(
      `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** Returns `value` when it is a boolean; throws `RangeError` naming `name` otherwise. */
export function checkFlag(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new RangeError(`${name} must be true or false, got ${String(value)}`);
  return value;
}

/** Returns `value` when it is a non-empty column name; throws `RangeError` naming `name` otherwise. */
export function checkColumn(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new RangeError(`${name} must be a non-empty column name, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A non-empty list of distinct column names; throws `RangeError` naming `name` otherwise. */
export function checkColumns(name: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RangeError(`${name} must be a non-empty list of column names, got ${JSON.stringify(value)}`);
  }
  const out = value.map((v, i) => checkColumn(`${name}[${i}]`, v));
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c)) throw new RangeError(`${name} must not repeat a column, got "${c}" twice`);
    seen.add(c);
  }
  return out;
}

/**
 * Input and output columns of a stage that takes either `inputCol` or `inputCols` (as Spark's
 * multi-column stages). Outputs default to `defaultOutput(input)`; the counts must match.
 */
export function resolveColumns(
  options: {
    inputCol?: string | undefined;
    inputCols?: readonly string[] | undefined;
    outputCol?: string | undefined;
    outputCols?: readonly string[] | undefined;
  },
  defaultOutput: (input: string) => string,
): { inputs: string[]; outputs: string[] } {
  if ((options.inputCol === undefined) === (options.inputCols === undefined)) {
    throw new RangeError("Set exactly one of inputCol and inputCols");
  }
  if (options.outputCol !== undefined && options.outputCols !== undefined) {
    throw new RangeError("Set at most one of outputCol and outputCols");
  }
  const inputs = options.inputCol !== undefined
    ? [checkColumn("inputCol", options.inputCol)]
    : checkColumns("inputCols", options.inputCols);
  let outputs: string[];
  if (options.outputCol !== undefined) outputs = [checkColumn("outputCol", options.outputCol)];
  else if (options.outputCols !== undefined) outputs = checkColumns("outputCols", options.outputCols);
  else outputs = inputs.map(defaultOutput);
  if (outputs.length !== inputs.length) {
    throw new RangeError(
      `outputCols must name one column per input column (${inputs.length}), got ${outputs.length}`,
    );
  }
  return { inputs, outputs };
}
