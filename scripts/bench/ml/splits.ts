/**
 * The ML benchmark's split assignment, computed once here and written with the data so every
 * engine trains, early-stops and tests on exactly the same rows.
 *
 * Each row gets one {@linkcode SplitRole}: `fit` (training rows every engine trains on), `valid`
 * (training rows that early-stopping engines hold out to stop on; the others train on them too)
 * and `test`.
 *
 * - {@linkcode stratifiedSplit}: per class, the `testFraction` of its rows with the smallest seeded
 *   draw are test; of each class's remaining rows, the `validFraction` with the smallest second draw
 *   are valid. Exact per-class counts, a pure function of (labels, seed).
 * - {@linkcode outOfTimeSplit}: rows in file order; the last `testFraction` are test, and the last
 *   `validFraction` of the training rows are valid.
 *
 * @module
 */
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";

/** What a row is used for in one split. */
export type SplitRole = "fit" | "valid" | "test";

/** The roles in code order: a split is stored as one code per row. */
export const SPLIT_ROLES: readonly SplitRole[] = ["fit", "valid", "test"];

/** Code of `fit` in a split's `Uint8Array`. */
export const FIT = 0;
/** Code of `valid`. */
export const VALID = 1;
/** Code of `test`. */
export const TEST = 2;

/** Fractions of a split. */
export interface SplitFractions {
  /** Share of all rows that are test. @default {0.2} */
  testFraction?: number;
  /** Share of the training rows that are held out for early stopping. @default {0.1} */
  validFraction?: number;
}

function fractions(options: SplitFractions): { test: number; valid: number } {
  const test = options.testFraction ?? 0.2, valid = options.validFraction ?? 0.1;
  for (const [name, v] of [["testFraction", test], ["validFraction", valid]] as const) {
    if (!(v > 0 && v < 1)) throw new RangeError(`${name} must be in (0, 1), got ${v}`);
  }
  return { test, valid };
}

/** Marks, among `rows` (in the order given), the `take` with the smallest `key` as `code`. */
function markSmallest(
  out: Uint8Array,
  rows: readonly number[],
  key: (row: number) => number,
  take: number,
  code: number,
): void {
  const keyed = rows.map((row) => ({ row, key: key(row) }));
  keyed.sort((a, b) => a.key - b.key || a.row - b.row);
  for (let i = 0; i < take; i++) out[keyed[i]!.row] = code;
}

/**
 * Stratified random split of rows labelled 0/1: returns one role code per row (see the module
 * documentation). The same labels and seed give the same split.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  options: SplitFractions & { seed: number },
): Uint8Array {
  const { test, valid } = fractions(options);
  const n = labels.length;
  const out = new Uint8Array(n);
  const rng = new CounterRandom(options.seed, 0x5b117);
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      if (y !== 0 && y !== 1) throw new RangeError(`Label of row ${i} is ${y}: labels must be 0 or 1`);
      if (y === cls) rows.push(i);
    }
    markSmallest(out, rows, (r) => rng.at(r).float(0), Math.round(test * rows.length), TEST);
    const train = rows.filter((r) => out[r] !== TEST);
    markSmallest(out, train, (r) => rng.at(r).float(1), Math.round(valid * train.length), VALID);
  }
  return out;
}

/** Out-of-time split of `rows` rows in file order (see the module documentation). */
export function outOfTimeSplit(rows: number, options: SplitFractions = {}): Uint8Array {
  if (!(Number.isSafeInteger(rows) && rows >= 0)) {
    throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  }
  const { test, valid } = fractions(options);
  const train = rows - Math.round(test * rows);
  const fit = train - Math.round(valid * train);
  const out = new Uint8Array(rows);
  out.fill(VALID, fit, train);
  out.fill(TEST, train);
  return out;
}

/** Rows per role of a split. */
export function splitCounts(split: Uint8Array): Record<SplitRole, number> {
  const counts = [0, 0, 0];
  for (const code of split) counts[code]!++;
  return { fit: counts[FIT]!, valid: counts[VALID]!, test: counts[TEST]! };
}

/** Indexes of the rows with role `code`, ascending (e.g. the test rows, in the order scores are written). */
export function rowsOf(split: Uint8Array, code: number): Int32Array {
  let n = 0;
  for (const c of split) if (c === code) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < split.length; i++) if (split[i] === code) out[k++] = i;
  return out;
}
