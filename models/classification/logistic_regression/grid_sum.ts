/**
 * Fast deterministic sums of terms with a known bound (the kind of ReproBLAS's binned sums): entry
 * `i` fixes a power of two `2^e ≥ bound[i]`, rounds every term to a grid tied to `e` alone
 * (`(t + C) - C` with a constant `C`, so the rounding of a term depends on nothing but the term),
 * and adds the rounded parts exactly. The total of a set of terms is therefore the same bits for
 * any partitioning and merge order.
 *
 * - fold 1 keeps each term to a multiple of `2^(e-40)`; fold 2 (optional) keeps the remainder to a
 *   multiple of `2^(e-80)`. Two folds lose at most `n · 2^(e-81)` over `n` terms (for a gradient
 *   entry bounded by 1: ~1e-18 per million rows); one fold (Hessians, Gram matrices) `n · 2^(e-41)`.
 * - The running parts are plain doubles, exact for 2048 rows (`DRAIN_ROWS`); callers add at most
 *   one term per entry per row and {@linkcode GridAccumulator.drain} at least that often, which
 *   moves them into double-double totals (exact up to ~2^64 rows, canonical after every step).
 *
 * Entries whose bound is 0 use `2^-900` (their terms must be 0). Bounds above 2^960 are refused.
 * Hot loops use the public arrays directly:
 * `const h = (t + round1[i]) - round1[i]; part1[i] += h; part2[i] += (t - h + round2[i]) - round2[i];`
 *
 * @module
 */
import { ddAdd, ddFromPair } from "../../../cluster/util/double_double.ts";

/** Rows after which the running parts must be drained. */
export const DRAIN_ROWS = 2048;
const MIN_EXPONENT = -900;
const MAX_EXPONENT = 960;

/** The merged totals of a {@linkcode GridAccumulator}: serializable, mergeable. */
export interface GridSummary {
  /** Folds per entry: 1, or 2 for about twice the precision. */
  folds: 1 | 2;
  /** Per entry, the exponent `e` of its grid (equal on every partition for the same bounds). */
  exponents: Int16Array;
  /** Fold-1 totals as double-double pairs. */
  hi1: Float64Array;
  /** Fold-1 low parts. */
  lo1: Float64Array;
  /** Fold-2 totals (empty arrays when `folds` is 1). */
  hi2: Float64Array;
  /** Fold-2 low parts. */
  lo2: Float64Array;
}

/** The grid exponent for a bound: the least `e` with `2^e ≥ bound`, clamped below at -900. */
export function gridExponent(bound: number): number {
  if (!(bound >= 0) || bound > 2 ** MAX_EXPONENT) {
    throw new RangeError(`Cannot sum terms bounded by ${bound}: the bound must be in [0, 2^${MAX_EXPONENT}]`);
  }
  if (bound <= 2 ** MIN_EXPONENT) return MIN_EXPONENT;
  let e = Math.ceil(Math.log2(bound)) + 0; // + 0: no -0
  while (2 ** e < bound) e++;
  while (2 ** (e - 1) >= bound) e--;
  return e;
}

/** Deterministic partial sums of `bounds.length` entries. */
export class GridAccumulator {
  readonly folds: 1 | 2;
  readonly exponents: Int16Array;
  /** Rounding constants of fold 1 (`1.5 · 2^(e+12)`) and fold 2 (`1.5 · 2^(e-28)`). */
  readonly round1: Float64Array;
  readonly round2: Float64Array;
  /** Running parts; drained into the totals by {@linkcode GridAccumulator.drain}. */
  readonly part1: Float64Array;
  readonly part2: Float64Array;
  #hi1: Float64Array;
  #lo1: Float64Array;
  #hi2: Float64Array;
  #lo2: Float64Array;

  /** Entries bounded by `bounds[i]` (every term added to entry `i` must satisfy `|t| ≤ bounds[i]`). */
  constructor(bounds: ArrayLike<number>, folds: 1 | 2) {
    const n = bounds.length;
    this.folds = folds;
    this.exponents = new Int16Array(n);
    this.round1 = new Float64Array(n);
    this.round2 = new Float64Array(folds === 2 ? n : 0);
    for (let i = 0; i < n; i++) {
      const e = gridExponent(bounds[i]!);
      this.exponents[i] = e;
      this.round1[i] = 1.5 * 2 ** (e + 12);
      if (folds === 2) this.round2[i] = 1.5 * 2 ** (e - 28);
    }
    this.part1 = new Float64Array(n);
    this.part2 = new Float64Array(folds === 2 ? n : 0);
    this.#hi1 = new Float64Array(n);
    this.#lo1 = new Float64Array(n);
    this.#hi2 = new Float64Array(folds === 2 ? n : 0);
    this.#lo2 = new Float64Array(folds === 2 ? n : 0);
  }

  /** Adds term `t` (`|t| ≤ bound`) to entry `i`; hot loops inline this. */
  add(i: number, t: number): void {
    const r1 = this.round1[i]!, h = (t + r1) - r1;
    this.part1[i]! += h;
    if (this.folds === 2) {
      const r2 = this.round2[i]!;
      this.part2[i]! += ((t - h) + r2) - r2;
    }
  }

  /** Moves the running parts into the totals (exactly). Call at least every {@linkcode DRAIN_ROWS} rows. */
  drain(): void {
    drainInto(this.part1, this.#hi1, this.#lo1);
    drainInto(this.part2, this.#hi2, this.#lo2);
  }

  /** Drains and returns a copy of the totals. */
  summary(): GridSummary {
    this.drain();
    const { folds, exponents } = this;
    return cloneGridSummary({
      folds,
      exponents,
      hi1: this.#hi1,
      lo1: this.#lo1,
      hi2: this.#hi2,
      lo2: this.#lo2,
    });
  }
}

/**
 * Adds `a_j · b_k` for every `k ≤ j < a.length` to the one-fold entry `j(j+1)/2 + k` of `acc` (the packed
 * lower triangle of `a bᵀ`): the inner loop of Gram and Hessian sums, kept in its own small
 * function so the engine optimizes it on its own (inline in the loss kernel it measured ~10 ns
 * per term, here ~4-5 ns, about what a plain float64 sum of the same products costs).
 */
export function addLowerOuter(acc: GridAccumulator, a: Float64Array, b: Float64Array): void {
  const round = acc.round1, part = acc.part1, d = a.length;
  for (let j = 0; j < d; j++) {
    const t = a[j]!, row = (j * (j + 1)) >> 1;
    for (let k = 0; k <= j; k++) {
      const u = t * b[k]!, c = round[row + k]!;
      part[row + k]! += (u + c) - c;
    }
  }
}

/** Merges `b` into `a` (in place, exactly): the result does not depend on the merge order. */
export function mergeGridSummary(a: GridSummary, b: GridSummary): void {
  const n = a.exponents.length;
  if (a.folds !== b.folds || b.exponents.length !== n) {
    throw new RangeError(`Cannot merge grid sums of different shapes (${n} vs ${b.exponents.length})`);
  }
  for (let i = 0; i < n; i++) {
    if (a.exponents[i] !== b.exponents[i]) {
      throw new RangeError(
        `Cannot merge grid sums built from different bounds (entry ${i}: 2^${a.exponents[i]} vs 2^${
          b.exponents[i]
        })`,
      );
    }
    ddFromPair(a.hi1, a.lo1, i, b.hi1[i]!, b.lo1[i]!);
    if (a.folds === 2) ddFromPair(a.hi2, a.lo2, i, b.hi2[i]!, b.lo2[i]!);
  }
}

/** `a` merged with `b` as a new summary (neither input changes). */
export function mergedGridSummary(a: GridSummary, b: GridSummary): GridSummary {
  const out = cloneGridSummary(a);
  mergeGridSummary(out, b);
  return out;
}

/** A deep copy. */
export function cloneGridSummary(s: GridSummary): GridSummary {
  return {
    folds: s.folds,
    exponents: Int16Array.from(s.exponents),
    hi1: Float64Array.from(s.hi1),
    lo1: Float64Array.from(s.lo1),
    hi2: Float64Array.from(s.hi2),
    lo2: Float64Array.from(s.lo2),
  };
}

/** The totals rounded to doubles (a fixed function of the exact totals). */
export function gridValues(s: GridSummary): Float64Array {
  const n = s.exponents.length, out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (s.folds === 1) {
      out[i] = s.hi1[i]! + s.lo1[i]!;
    } else {
      const [hi, lo] = ddAdd([s.hi1[i]!, s.lo1[i]!], [s.hi2[i]!, s.lo2[i]!]);
      out[i] = hi + lo;
    }
  }
  return out;
}

function drainInto(part: Float64Array, hi: Float64Array, lo: Float64Array): void {
  for (let i = 0; i < part.length; i++) {
    const v = part[i]!;
    if (v === 0) continue;
    ddFromPair(hi, lo, i, v, 0);
    part[i] = 0;
  }
}
