/**
 * Small helpers shared by the expression evaluator, casts and functions: building vectors,
 * combining validity, and blending rows of one vector into another.
 *
 * @module
 */
import type { DataType, Vec } from "../columnar/batch.ts";
import { allocVec } from "../columnar/batch_ops.ts";

/** The value array of a vector of any type. */
export type Values = Float64Array | Int32Array | Uint8Array | string[];
/** A value array seen as writable slots. */
export type Slots = { [i: number]: number | string };

/** Bounds of `int`, of integers exact in a double, and milliseconds per day. */
export const INT32_MIN = -2147483648,
  INT32_MAX = 2147483647,
  SAFE = 9007199254740992,
  MS_PER_DAY = 86_400_000;

/** A vector of `type` over `values` with validity `valid` (undefined: no nulls). */
export function makeVec(type: DataType, values: Values, valid: Uint8Array | undefined): Vec {
  return { type, values, valid } as Vec;
}

/** A vector of `n` nulls. */
export function allNull(type: DataType, n: number): Vec {
  return { ...allocVec(type, n), valid: new Uint8Array(n) } as Vec;
}

/** Validity of rows valid in both (shared when only one side has nulls: never mutate the result). */
export function bothValid(
  a: Uint8Array | undefined,
  b: Uint8Array | undefined,
  n: number,
): Uint8Array | undefined {
  if (!a) return b;
  if (!b) return a;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** `valid`, with rows whose value fails `test` nulled (a copy only when some row fails). */
export function nullUnless(
  values: Float64Array,
  valid: Uint8Array | undefined,
  n: number,
  test: "safe" | "positive" | "number",
): Uint8Array | undefined {
  let bad = -1;
  if (test === "safe") {
    for (let i = 0; i < n && bad < 0; i++) if (!(values[i]! >= -SAFE && values[i]! <= SAFE)) bad = i;
  } else if (test === "positive") {
    for (let i = 0; i < n && bad < 0; i++) if (!(values[i]! > 0)) bad = i;
  } else {
    for (let i = 0; i < n && bad < 0; i++) if (values[i] !== values[i]) bad = i;
  }
  if (bad < 0) return valid;
  const out = valid ? valid.slice() : new Uint8Array(n).fill(1);
  for (let i = bad; i < n; i++) {
    const x = values[i]!;
    if (test === "safe" ? !(x >= -SAFE && x <= SAFE) : test === "positive" ? !(x > 0) : x !== x) out[i] = 0;
  }
  return out;
}

/** Copies rows where `take[i]` from `src` into `out`/`outValid`. */
export function blend(out: Values, outValid: Uint8Array, src: Vec, take: Uint8Array, n: number): void {
  const dst = out as Slots, from = src.values as ArrayLike<number | string>, sv = src.valid;
  for (let i = 0; i < n; i++) {
    if (take[i] === 0) continue;
    dst[i] = from[i]!;
    outValid[i] = sv ? sv[i]! : 1;
  }
}

/** A vector over `values`, keeping `valid` only when some row is null. */
export function finish(type: DataType, values: Values, valid: Uint8Array, n: number): Vec {
  for (let i = 0; i < n; i++) if (valid[i] === 0) return makeVec(type, values, valid);
  return makeVec(type, values, undefined);
}
