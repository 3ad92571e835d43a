/**
 * Class weights of the tree estimators, with the name and shape logistic regression uses:
 * `"balanced"` or `[weight of 0, weight of 1]`. A row's class weight multiplies its instance weight
 * (the weight column, 1 without one): in boosting its gradient, hessian and loss, in a forest its
 * class counts (Gini / entropy) and leaf probabilities.
 *
 * Exactness. The shards multiply a row's already quantized value by its class weight and round
 * once more to the same grid ({@linkcode weighOnGrid}): every sum stays an exact sum of integers,
 * so models stay byte-identical for any layout, and an integer weight `k` gives exactly the sums
 * of `k` copies of the row.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";

/** How the classes of a tree estimator are weighted: `"balanced"` or `[weight of 0, weight of 1]`. */
export type TreeClassWeight = "balanced" | readonly [number, number];

/** The multipliers of class 0 and class 1 that shards apply. */
export type ClassMultipliers = readonly [number, number];

/** Returns `value` when it is a valid class weight (or unset); throws `RangeError` naming `classWeight`. */
export function checkClassWeight(value: unknown): TreeClassWeight | undefined {
  if (value === undefined || value === "balanced") return value;
  if (
    Array.isArray(value) && value.length === 2 &&
    value.every((w) => typeof w === "number" && w > 0 && w < Infinity)
  ) {
    return [value[0] as number, value[1] as number];
  }
  throw new RangeError(
    `classWeight must be "balanced" or [w0, w1] with each weight in (0, Infinity), got ${
      JSON.stringify(value) ?? String(value)
    }`,
  );
}

/**
 * The multipliers of `option` given the training rows' exact class sums on one grid: `positive`
 * = Σ q(w·y), `total` = Σ q(w). `"balanced"` gives class `k` the weight `W / (2 · W_k)` (its row
 * count without a weight column: n / (2 · n_k), as scikit-learn), 1 for a class with no weight.
 */
export function classMultipliers(
  option: TreeClassWeight | undefined,
  sums: { positive: number; total: number },
): ClassMultipliers | undefined {
  if (option === undefined) return undefined;
  if (option !== "balanced") return [option[0], option[1]];
  const { positive, total } = sums, negative = total - positive;
  return [negative > 0 ? total / (2 * negative) : 1, positive > 0 ? total / (2 * positive) : 1];
}

/** `q` (a value on a fixed-point grid) times `multiplier`, on the same grid. */
export function weighOnGrid(q: number, multiplier: number): number {
  return multiplier === 1 ? q : Math.round(q * multiplier);
}

/** Decodes optional multipliers from a request; throws `MalformedMessageError`. */
export function decodeMultipliers(value: unknown, what: string): ClassMultipliers | undefined {
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) || value.length !== 2 ||
    !value.every((w) => typeof w === "number" && w > 0 && w < Infinity)
  ) {
    throw new MalformedMessageError(`Malformed ${what}: expected two positive finite class weights`);
  }
  return [value[0] as number, value[1] as number];
}
