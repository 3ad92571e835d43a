/**
 * Validation of estimator parameters at construction: a `RangeError` that names the parameter,
 * the allowed range and the value it got.
 *
 * @module
 */

/** The allowed range of a numeric parameter. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** Exclude `min` itself. */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

function describe(range: NumberRange): string {
  const lo = range.minExclusive ? "(" : "[";
  const hi = range.max === Infinity ? "∞)" : `${range.max}]`;
  return `${range.integer ? "an integer" : "a number"} in ${lo}${range.min}, ${hi}`;
}

/** Returns `value` when it is in `range`; throws `RangeError` naming `name` otherwise. */
export function checkNumber(name: string, value: number, range: NumberRange): number {
  const ok = typeof value === "number" && !Number.isNaN(value) &&
    (range.minExclusive ? value > range.min : value >= range.min) && value <= range.max &&
    (!range.integer || Number.isInteger(value) || value === Infinity);
  if (!ok) throw new RangeError(`${name} must be ${describe(range)}, got ${String(value)}`);
  return value;
}

/** Returns `value` when it is one of `allowed`; throws `RangeError` naming `name` otherwise. */
export function checkChoice<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new RangeError(
      `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${String(value)}`,
    );
  }
  return value;
}
