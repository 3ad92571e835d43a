/**
 * Per-group aggregation state: one accumulator per aggregate, holding the state of every group in
 * columnar arrays. An accumulator folds in input rows (`update`), folds in partial states written
 * by another accumulator (`merge`), writes its state columns (`states`) and the final values
 * (`result`). Every state merges associatively and commutatively *bit for bit*, so results do not
 * depend on how rows were partitioned or in which order partial states were merged:
 *
 * - sums are double-double (`hi + lo`) accumulated and merged with TwoSum. Every step is exact
 *   while `Σ|x| / u < ~2^104`, with `u` the smallest ulp among the inputs: for values with two
 *   decimals (|x| ≥ 0.01, so u ≥ 2^-59) while `Σ|x| < ~3e13`; for integers while `Σ|x| < 2^104`.
 *   An exact pair is always normalized to `hi = round(S)`, `lo = S - hi` of the exact sum `S`, so
 *   it is unique and the final `hi + lo` is the correctly rounded sum. Past that limit (inputs
 *   spanning too many orders of magnitude, or finite sums overflowing to ±Infinity) results stay
 *   accurate but may differ in the last bits between partitionings. `NaN` / `±Infinity` inputs are
 *   tracked as flags (1 NaN, 2 +Infinity, 4 -Infinity, 8 a square overflowed), so sums give
 *   `NaN` / `±Infinity` as IEEE would, order-independently.
 * - avg = sum / count. Sample variance = `(Σx² - (Σx)²/n) / (n - 1)` in double-double (null below
 *   two values), stddev its square root; `Σx²` is kept as two exact sums, of the rounded squares
 *   `fl(x * x)` and of their exact rounding errors (Dekker), so cancellation loses nothing. For
 *   squares the exactness limit reads `n · (max|x| / min|x|)² < ~2^52` over non-zero inputs (e.g.
 *   1e6 rows within a magnitude ratio of 6e4).
 * - min / max / first use the total order of `compareScalars` (`-0` before `0`, `NaN` after all
 *   numbers, strings by UTF-16 code units); `first` is the smallest value, like `min`. Nulls are
 *   ignored; a group without values gives null.
 * - countDistinct keeps the exact set of distinct values (memory and state size proportional to the
 *   number of distinct values per group); numbers compare as in grouping (`-0` = `0`, `NaN` = `NaN`).
 * - approxCountDistinct / approxQuantile use {@linkcode HyperLogLog} / {@linkcode QuantileSketch}.
 *
 * @module
 */
import type { DataType, Field, Vec } from "../columnar/batch.ts";
import { allocVec } from "../columnar/batch_ops.ts";
import type { AggFn } from "../expr/expr.ts";
import { HllAccumulator } from "./sketch_hll.ts";
import { DEFAULT_RELATIVE_ERROR, QuantileAccumulator } from "./sketch_quantile.ts";
import { ddAdd, ddAddInto, ddFromPair, ddResult, ddVariance, squareError } from "../util/double_double.ts";

/** Folds rows or partial states of one aggregate into per-group state. */
export interface Accumulator {
  /** Adds row `i` of `input` to group `groupOf[i]` (`input` absent for `count(*)`). */
  update(input: Vec | undefined, groupOf: Int32Array, length: number): void;
  /** Merges state row `i` (columns as laid out by {@linkcode stateFields}) into group `groupOf[i]`. */
  merge(state: readonly Vec[], groupOf: Int32Array, length: number): void;
  /** The state columns of every group. */
  states(): Vec[];
  /** The final value of every group. */
  result(): Vec;
}

/** Options of {@linkcode createAccumulator}. */
export interface AccumulatorOptions {
  /** approxQuantile: the probability. */
  q?: number | undefined;
  /** approxQuantile: relative error. @default {0.01} */
  relativeError?: number | undefined;
}

const SUMS = new Set<AggFn>(["sum", "avg", "stddev", "variance"]);
const FLOATING = new Set<DataType>(["double", "timestamp"]);

/**
 * The state columns of aggregate number `index` over an input of type `inputType`
 * (`undefined` for `count(*)`). Sum-like aggregates over floating input carry a flags column `x`;
 * over integral input they do not (that is how a state tells its input type).
 */
export function stateFields(index: number, fn: AggFn, inputType: DataType | undefined): Field[] {
  const f = (suffix: string, type: DataType, nullable = false): Field => ({
    name: `__s${index}_${suffix}`,
    type,
    nullable,
  });
  switch (fn) {
    case "count":
      return [f("n", "long")];
    case "sum":
    case "avg":
    case "stddev":
    case "variance": {
      const out = [f("hi", "double"), f("lo", "double"), f("n", "long")];
      if (fn === "stddev" || fn === "variance") {
        out.push(f("qhi", "double"), f("qlo", "double"), f("ehi", "double"), f("elo", "double"));
      }
      if (inputType !== undefined && FLOATING.has(inputType)) out.push(f("x", "int"));
      return out;
    }
    case "min":
    case "max":
    case "first":
      return [f("v", inputType ?? "double", true)];
    case "countDistinct":
      return [f("set", "string")];
    case "approxCountDistinct":
      return [f("hll", "string")];
    case "approxQuantile":
      return [f("dd", "string")];
  }
}

/** The input type a state layout was built for (`double`/`long` for sums; the value type for min/max). */
export function stateInputType(fn: AggFn, fields: readonly Field[]): DataType {
  if (SUMS.has(fn)) return fields.some((f) => f.name.endsWith("_x")) ? "double" : "long";
  return fields[0]?.type ?? "double";
}

/** An accumulator of `fn` over `inputType` for `groups` groups. */
export function createAccumulator(
  fn: AggFn,
  inputType: DataType | undefined,
  options: AccumulatorOptions & { groups: number },
): Accumulator {
  const g = options.groups;
  switch (fn) {
    case "count":
      return new CountAccumulator(g);
    case "sum":
    case "avg":
    case "stddev":
    case "variance":
      return new SumAccumulator(g, { fn, floating: inputType !== undefined && FLOATING.has(inputType) });
    case "min":
    case "max":
    case "first":
      return new ExtremeAccumulator(g, { type: inputType ?? "double", max: fn === "max" });
    case "countDistinct":
      return new DistinctAccumulator(g, inputType !== "string");
    case "approxCountDistinct":
      return new HllAccumulator(g);
    case "approxQuantile":
      return new QuantileAccumulator(g, {
        q: options.q ?? 0.5,
        relativeError: options.relativeError ?? DEFAULT_RELATIVE_ERROR,
      });
  }
}

class CountAccumulator implements Accumulator {
  #n: Float64Array;
  constructor(groups: number) {
    this.#n = new Float64Array(groups);
  }
  update(input: Vec | undefined, groupOf: Int32Array, length: number): void {
    const n = this.#n;
    const valid = input?.valid;
    if (valid) { for (let i = 0; i < length; i++) n[groupOf[i]!]! += valid[i]!; }
    else for (let i = 0; i < length; i++) n[groupOf[i]!]!++;
  }
  merge(state: readonly Vec[], groupOf: Int32Array, length: number): void {
    const s = state[0]!.values as Float64Array;
    for (let i = 0; i < length; i++) this.#n[groupOf[i]!]! += s[i]!;
  }
  states(): Vec[] {
    return [{ type: "long", values: this.#n }];
  }
  result(): Vec {
    return { type: "long", values: this.#n };
  }
}

class SumAccumulator implements Accumulator {
  #fn: AggFn;
  #floating: boolean;
  #squares: boolean;
  #hi: Float64Array;
  #lo: Float64Array;
  #n: Float64Array;
  #qhi: Float64Array;
  #qlo: Float64Array;
  #ehi: Float64Array;
  #elo: Float64Array;
  #flags: Int32Array;

  constructor(groups: number, options: { fn: AggFn; floating: boolean }) {
    this.#fn = options.fn;
    this.#floating = options.floating;
    this.#squares = options.fn === "stddev" || options.fn === "variance";
    this.#hi = new Float64Array(groups);
    this.#lo = new Float64Array(groups);
    this.#n = new Float64Array(groups);
    this.#qhi = new Float64Array(this.#squares ? groups : 0);
    this.#qlo = new Float64Array(this.#squares ? groups : 0);
    this.#ehi = new Float64Array(this.#squares ? groups : 0);
    this.#elo = new Float64Array(this.#squares ? groups : 0);
    this.#flags = new Int32Array(groups);
  }

  update(input: Vec | undefined, groupOf: Int32Array, length: number): void {
    if (!input || input.type === "string") throw new TypeError(`Cannot ${this.#fn} a non-numeric input`);
    const v = input.values, valid = input.valid;
    const hi = this.#hi, lo = this.#lo, n = this.#n, flags = this.#flags;
    const floating = this.#floating, squares = this.#squares;
    for (let i = 0; i < length; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const g = groupOf[i]!;
      const x = v[i]!;
      n[g]!++;
      if (floating && x - x !== 0) {
        flags[g]! |= x !== x ? 1 : x > 0 ? 2 : 4;
        continue;
      }
      // TwoSum(hi, x), then TwoSum(s, e + lo): exact under the documented span limit.
      const a = hi[g]!, s = a + x, bb = s - a, e = (a - (s - bb)) + (x - bb) + lo[g]!;
      const t = s + e, cc = t - s;
      hi[g] = t;
      lo[g] = (s - (t - cc)) + (e - cc);
      if (squares) {
        const y = x * x;
        if (y === Infinity) {
          flags[g]! |= 8;
          continue;
        }
        ddAddInto(this.#qhi, this.#qlo, g, y);
        ddAddInto(this.#ehi, this.#elo, g, squareError(x, y));
      }
    }
  }

  merge(state: readonly Vec[], groupOf: Int32Array, length: number): void {
    const [shi, slo, sn] = state as readonly { values: Float64Array }[];
    const sq = this.#squares ? state.slice(3, 7).map((v) => v.values as Float64Array) : undefined;
    const sx = this.#floating ? state[this.#squares ? 7 : 3]!.values as Int32Array : undefined;
    for (let i = 0; i < length; i++) {
      const g = groupOf[i]!;
      this.#n[g]! += sn!.values[i]!;
      if (sx) this.#flags[g]! |= sx[i]!;
      ddFromPair(this.#hi, this.#lo, g, shi!.values[i]!, slo!.values[i]!);
      if (sq) {
        ddFromPair(this.#qhi, this.#qlo, g, sq[0]![i]!, sq[1]![i]!);
        ddFromPair(this.#ehi, this.#elo, g, sq[2]![i]!, sq[3]![i]!);
      }
    }
  }

  states(): Vec[] {
    const out: Vec[] = [
      { type: "double", values: this.#hi },
      { type: "double", values: this.#lo },
      { type: "long", values: this.#n },
    ];
    if (this.#squares) {
      for (const values of [this.#qhi, this.#qlo, this.#ehi, this.#elo]) out.push({ type: "double", values });
    }
    if (this.#floating) out.push({ type: "int", values: this.#flags });
    return out;
  }

  result(): Vec {
    const groups = this.#n.length;
    const integralSum = this.#fn === "sum" && !this.#floating;
    const out = allocVec(integralSum ? "long" : "double", groups, true);
    const values = out.values as Float64Array, valid = out.valid!;
    for (let g = 0; g < groups; g++) {
      const n = this.#n[g]!, flags = this.#flags[g]!, hi = this.#hi[g]!, lo = this.#lo[g]!;
      let v: number | undefined;
      switch (this.#fn) {
        case "sum":
          v = n === 0 ? undefined : ddResult(hi, lo, flags);
          if (integralSum && v !== undefined && !(Number.isSafeInteger(v) && lo === 0)) {
            throw new RangeError(
              `Cannot represent sum ${hi} + ${lo} as a long: it exceeds 2^53; cast the input to double`,
            );
          }
          break;
        case "avg":
          v = n === 0 ? undefined : ddResult(hi, lo, flags) / n;
          break;
        default: {
          if (n < 2) break;
          const squares = ddAdd([this.#qhi[g]!, this.#qlo[g]!], [this.#ehi[g]!, this.#elo[g]!]);
          const variance = flags & 7 ? NaN : flags & 8 ? Infinity : ddVariance(n, [hi, lo], squares);
          v = this.#fn === "stddev" ? Math.sqrt(variance) : variance;
        }
      }
      if (v === undefined) valid[g] = 0;
      else values[g] = v;
    }
    return out;
  }
}

/** True when `a` comes strictly before `b` in the total order (`-0` < `0`, `NaN` last). */
function numberBefore(a: number, b: number): boolean {
  if (a !== a) return false;
  if (b !== b) return true;
  if (a < b) return true;
  return a === 0 && b === 0 && 1 / a < 0 && 1 / b > 0;
}

class ExtremeAccumulator implements Accumulator {
  #out: Vec;
  #has: Uint8Array;
  #max: boolean;

  constructor(groups: number, options: { type: DataType; max: boolean }) {
    this.#out = allocVec(options.type, groups, false);
    this.#has = new Uint8Array(groups);
    this.#max = options.max;
  }

  update(input: Vec | undefined, groupOf: Int32Array, length: number): void {
    if (!input) throw new TypeError("Cannot compute min/max/first without an input column");
    const has = this.#has, max = this.#max, valid = input.valid;
    const out = this.#out;
    if (out.type === "string") {
      if (input.type !== "string") {
        throw new TypeError(`Cannot fold ${input.type} values into a string state`);
      }
      const dst = out.values as string[], src = input.values;
      for (let i = 0; i < length; i++) {
        if (valid !== undefined && valid[i] === 0) continue;
        const g = groupOf[i]!, x = src[i]!;
        if (has[g] === 0 || (max ? dst[g]! < x : x < dst[g]!)) {
          dst[g] = x;
          has[g] = 1;
        }
      }
      return;
    }
    if (input.type === "string") throw new TypeError(`Cannot fold string values into a ${out.type} state`);
    const dst = out.values, src = input.values;
    for (let i = 0; i < length; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const g = groupOf[i]!, x = src[i]!;
      if (has[g] === 0 || (max ? numberBefore(dst[g]!, x) : numberBefore(x, dst[g]!))) {
        dst[g] = x;
        has[g] = 1;
      }
    }
  }

  merge(state: readonly Vec[], groupOf: Int32Array, length: number): void {
    this.update(state[0], groupOf, length);
  }

  states(): Vec[] {
    return [{ ...this.#out, valid: this.#has } as Vec];
  }

  result(): Vec {
    return { ...this.#out, valid: this.#has } as Vec;
  }
}

class DistinctAccumulator implements Accumulator {
  #sets: Set<number | string>[];
  #numeric: boolean;

  constructor(groups: number, numeric: boolean) {
    this.#sets = Array.from({ length: groups }, () => new Set<number | string>());
    this.#numeric = numeric;
  }

  update(input: Vec | undefined, groupOf: Int32Array, length: number): void {
    if (!input) throw new TypeError("Cannot count distinct values without an input column");
    const valid = input.valid, v = input.values;
    for (let i = 0; i < length; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const x = v[i]!;
      this.#sets[groupOf[i]!]!.add(x === 0 ? 0 : x);
    }
  }

  merge(state: readonly Vec[], groupOf: Int32Array, length: number): void {
    const v = state[0]!.values as readonly string[];
    for (let i = 0; i < length; i++) {
      const text = v[i]!;
      const numeric = text[0] === "n";
      const items = JSON.parse(text.slice(1)) as (number | string)[];
      const set = this.#sets[groupOf[i]!]!;
      for (const item of items) set.add(numeric && typeof item === "string" ? Number(item) : item);
    }
  }

  states(): Vec[] {
    const values = this.#sets.map((set) => {
      if (this.#numeric) {
        const nums = [...set as Set<number>].sort((a, b) => a !== a ? 1 : b !== b ? -1 : a - b);
        return "n" + JSON.stringify(nums.map((x) => Number.isFinite(x) ? x : String(x)));
      }
      return "s" + JSON.stringify([...set as Set<string>].sort((a, b) => a < b ? -1 : a > b ? 1 : 0));
    });
    return [{ type: "string", values }];
  }

  result(): Vec {
    return { type: "long", values: Float64Array.from(this.#sets, (s) => s.size) };
  }
}
