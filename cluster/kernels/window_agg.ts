/**
 * Aggregates over sliding frames: for rows of window partitions and each row's frame `[lo, hi)`
 * (non-decreasing within a partition, see `window_frame.ts`), one pass per partition that adds
 * the rows entering the frame and removes those leaving it.
 *
 * - `count` by prefix counts.
 * - `sum`, `avg`, `stddev`, `variance` keep the same double-double sums as `groupBy` (see
 *   `agg_state.ts`): removing a value adds its negation, which is exact under the documented span
 *   limit, so a frame's sum is the correctly rounded sum of its values whatever entered and left
 *   before, and a whole-partition frame gives `groupBy`'s value bit for bit. NaN and infinities
 *   are counted, not summed, so they leave the frame with their row. State restarts at every
 *   partition, so a partition's values never depend on the rows sorted before it.
 * - `min`, `max` by a monotonic deque (amortized O(1) per row) under the total order of
 *   `compareScalars` (`-0` before `0`, `NaN` after every number, strings by UTF-16 code units).
 *
 * Nulls are skipped; a frame without values gives null (`count` gives 0).
 *
 * @module
 */
import type { DataType, Vec } from "../columnar/batch.ts";
import { allocVec } from "../columnar/batch_ops.ts";
import type { FrameFn } from "../expr/expr.ts";
import { ddAdd, ddVariance, squareError } from "../util/double_double.ts";

/** Frames of rows in window partitions: partition `g` is `[starts[g], starts[g + 1])`. */
export interface Frames {
  /** Partition starts, then the row count. */
  readonly starts: Int32Array;
  /** First row of each row's frame. */
  readonly lo: Int32Array;
  /** One past the last row of each row's frame (`hi ≥ lo`). */
  readonly hi: Int32Array;
}

/**
 * `fn` of `input` (absent for `count(*)`) over every row's frame, as a column of `type` (the
 * output type the schema rule gave it).
 *
 * @throws {RangeError} when a `long` sum leaves the range of exact integers.
 */
export function frameAggregate(fn: FrameFn, input: Vec | undefined, frames: Frames, type: DataType): Vec {
  switch (fn) {
    case "count":
      return frameCount(input, frames);
    case "min":
    case "max":
      if (!input) throw new TypeError(`${fn}() over a window needs an input column`);
      return frameExtreme(input, frames, fn === "max", type);
    default:
      if (!input || input.type === "string" || input.type === "bool") {
        throw new TypeError(`Cannot compute ${fn} over a window of ${input?.type ?? "no"} values`);
      }
      return frameSum(fn, input, frames, type);
  }
}

function frameCount(input: Vec | undefined, { lo, hi }: Frames): Vec {
  const n = lo.length, out = new Float64Array(n);
  const valid = input?.valid;
  if (valid === undefined) {
    for (let i = 0; i < n; i++) out[i] = hi[i]! - lo[i]!;
  } else {
    const before = new Float64Array(n + 1); // non-null values before each row
    for (let i = 0; i < n; i++) before[i + 1] = before[i]! + valid[i]!;
    for (let i = 0; i < n; i++) out[i] = before[hi[i]!]! - before[lo[i]!]!;
  }
  return { type: "long", values: out };
}

/** A double-double sum of a sliding frame, with its count and its non-finite values counted. */
class SlidingSum {
  n = 0;
  nan = 0;
  posInf = 0;
  negInf = 0;
  overflow = 0;
  hi = 0;
  lo = 0;
  qhi = 0;
  qlo = 0;
  ehi = 0;
  elo = 0;
  readonly #squares: boolean;

  constructor(squares: boolean) {
    this.#squares = squares;
  }

  reset(): void {
    this.n =
      this.nan =
      this.posInf =
      this.negInf =
      this.overflow =
        0;
    this.hi =
      this.lo =
      this.qhi =
      this.qlo =
      this.ehi =
      this.elo =
        0;
  }

  /** Adds `x` (`sign` 1) or removes it (`sign` -1). */
  update(x: number, sign: 1 | -1): void {
    this.n += sign;
    if (x - x !== 0) {
      if (x !== x) this.nan += sign;
      else if (x > 0) this.posInf += sign;
      else this.negInf += sign;
      return;
    }
    [this.hi, this.lo] = addInto(this.hi, this.lo, sign * x);
    if (!this.#squares) return;
    const y = x * x;
    if (y === Infinity) {
      this.overflow += sign;
      return;
    }
    [this.qhi, this.qlo] = addInto(this.qhi, this.qlo, sign * y);
    [this.ehi, this.elo] = addInto(this.ehi, this.elo, sign * squareError(x, y));
  }

  /** The sum as IEEE would give it: NaN with a NaN or both infinities, ±Infinity with one. */
  sum(): number {
    if (this.nan > 0 || (this.posInf > 0 && this.negInf > 0)) return NaN;
    if (this.posInf > 0) return Infinity;
    if (this.negInf > 0) return -Infinity;
    return this.hi + this.lo;
  }

  variance(): number {
    if (this.nan > 0 || this.posInf > 0 || this.negInf > 0) return NaN;
    if (this.overflow > 0) return Infinity;
    return ddVariance(this.n, [this.hi, this.lo], ddAdd([this.qhi, this.qlo], [this.ehi, this.elo]));
  }
}

/** TwoSum(hi, x), then TwoSum(s, e + lo): `agg_state.ts`'s update, on a pair. */
function addInto(hi: number, lo: number, x: number): [number, number] {
  const s = hi + x, bb = s - hi, e = (hi - (s - bb)) + (x - bb) + lo;
  const t = s + e, cc = t - s;
  return [t, (s - (t - cc)) + (e - cc)];
}

function frameSum(
  fn: Exclude<FrameFn, "count" | "min" | "max">,
  input: Exclude<Vec, { type: "string" | "bool" }>,
  frames: Frames,
  type: DataType,
): Vec {
  const { starts, lo, hi } = frames;
  const out = allocVec(type, lo.length, true);
  const values = out.values as Float64Array, ok = out.valid!;
  const x = input.values, valid = input.valid;
  const state = new SlidingSum(fn === "stddev" || fn === "variance");
  const update = (j: number, sign: 1 | -1) => {
    if (valid === undefined || valid[j] === 1) state.update(x[j]!, sign);
  };
  for (let g = 0; g + 1 < starts.length; g++) {
    state.reset();
    let a = starts[g]!, b = a;
    for (let i = starts[g]!; i < starts[g + 1]!; i++) {
      while (b < hi[i]!) update(b++, 1);
      while (a < lo[i]!) update(a++, -1);
      const n = state.n;
      if (fn === "sum" || fn === "avg") {
        if (n === 0) ok[i] = 0;
        else values[i] = fn === "avg" ? state.sum() / n : integral(state, type);
      } else if (n < 2) ok[i] = 0;
      else {
        const v = state.variance();
        values[i] = fn === "stddev" ? Math.sqrt(v) : v;
      }
    }
  }
  return out;
}

function integral(state: SlidingSum, type: DataType): number {
  const v = state.sum();
  if (type === "long" && !(Number.isSafeInteger(v) && state.lo === 0)) {
    throw new RangeError(
      `Cannot represent sum ${state.hi} + ${state.lo} as a long: it exceeds 2^53; cast the input to double`,
    );
  }
  return v;
}

/** True when `a` comes strictly before `b` in the total order (`-0` < `0`, `NaN` last). */
function numberBefore(a: number, b: number): boolean {
  if (a !== a) return false;
  if (b !== b) return true;
  if (a < b) return true;
  return a === 0 && b === 0 && 1 / a < 0 && 1 / b > 0;
}

function frameExtreme(input: Vec, frames: Frames, max: boolean, type: DataType): Vec {
  const { starts, lo, hi } = frames;
  const n = lo.length;
  const out = allocVec(type, n, true);
  const ok = out.valid!, valid = input.valid;
  const src = input.values as ArrayLike<number | string>, dst = out.values as (number | string)[];
  const before = input.type === "string"
    ? (a: number, b: number) => (src[a] as string) < (src[b] as string)
    : (a: number, b: number) => numberBefore(src[a] as number, src[b] as number);
  // Keeps the rows that may still be the extreme: values strictly increasing (min) or decreasing (max).
  const dominated = max
    ? (back: number, j: number) => !before(j, back)
    : (back: number, j: number) => !before(back, j);
  const deque = new Int32Array(n);
  for (let g = 0; g + 1 < starts.length; g++) {
    let head = 0, tail = 0;
    let b = starts[g]!;
    for (let i = starts[g]!; i < starts[g + 1]!; i++) {
      for (; b < hi[i]!; b++) {
        if (valid !== undefined && valid[b] === 0) continue;
        while (tail > head && dominated(deque[tail - 1]!, b)) tail--;
        deque[tail++] = b;
      }
      while (head < tail && deque[head]! < lo[i]!) head++;
      if (head < tail) dst[i] = src[deque[head]!]!;
      else ok[i] = 0;
    }
  }
  return out;
}
