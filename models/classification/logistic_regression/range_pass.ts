/**
 * First pass of logistic-regression training: per-feature minimum and maximum, and per class the
 * row count, the exact sums of the instance weights and of their squares, and the largest weight.
 * It also validates every value (finite features, 0/1 labels, finite non-negative weights).
 *
 * Everything here merges order-independently (min, max, integer counts, {@linkcode ExactSum}s), so
 * the merged summary is the same bits for any partitioning. The ranges give the second pass
 * (`moment_pass.ts`) its centers and the bounds its sums need; the class totals give the class
 * weights.
 *
 * @module
 */
import { ExactSum } from "../../../cluster/util/exact_sum.ts";
import { blockRows, checkBlockShape, checkBlockValues, type FeatureBlock } from "./feature_block.ts";

/** What every partition's range fold is given. */
export interface RangeContext {
  /** Features per row. */
  dimension: number;
}

/** The merged ranges and class totals (serializable: numbers and typed arrays). */
export interface RangeSummary {
  /** The pass. */
  type: "lr.ranges";
  /** Features per row. */
  dimension: number;
  /** Rows per class, `[label 0, label 1]`. */
  rows: [number, number];
  /** Per class, the {@linkcode ExactSum} states of Σ w and Σ w². */
  weightSums: [Float64Array, Float64Array];
  /** Per class, the {@linkcode ExactSum} state of Σ w². */
  weightSquares: [Float64Array, Float64Array];
  /** Per class, the largest instance weight (0 without rows). */
  maxWeight: [number, number];
  /** Per feature, the minimum (`+Infinity` without rows). */
  min: Float64Array;
  /** Per feature, the maximum (`-Infinity` without rows). */
  max: Float64Array;
}

/** Class totals read from a {@linkcode RangeSummary}. */
export interface ClassTotals {
  rows: [number, number];
  weightSum: [number, number];
  weightSquares: [number, number];
  maxWeight: [number, number];
}

/** Folds a partition's blocks into a {@linkcode RangeSummary}. */
export function foldRanges(blocks: Iterable<FeatureBlock>, context: RangeContext): RangeSummary {
  const d = context.dimension;
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`dimension must be an integer ≥ 0, got ${d}`);
  const min = new Float64Array(d).fill(Infinity), max = new Float64Array(d).fill(-Infinity);
  const sums = [new ExactSum(), new ExactSum()] as const;
  const squares = [new ExactSum(), new ExactSum()] as const;
  const rows: [number, number] = [0, 0], maxWeight: [number, number] = [0, 0];
  let seen = 0;
  for (const block of blocks) {
    checkBlockShape(block, d);
    checkBlockValues(block, { dimension: d, firstRow: seen });
    const n = blockRows(block), { features, labels, weights } = block;
    for (let i = 0; i < n; i++) {
      const y = labels[i] as 0 | 1, w = weights === undefined ? 1 : weights[i]!;
      rows[y]++;
      sums[y].add(w);
      squares[y].add(w * w);
      if (w > maxWeight[y]) maxWeight[y] = w;
      const base = i * d;
      for (let j = 0; j < d; j++) {
        const x = features[base + j]!;
        if (x < min[j]!) min[j] = x;
        if (x > max[j]!) max[j] = x;
      }
    }
    seen += n;
  }
  return {
    type: "lr.ranges",
    dimension: d,
    rows,
    weightSums: [sums[0].state(), sums[1].state()],
    weightSquares: [squares[0].state(), squares[1].state()],
    maxWeight,
    min,
    max,
  };
}

/** Merges two range summaries (a new summary; the same bits whatever the order). */
export function mergeRanges(a: RangeSummary, b: RangeSummary): RangeSummary {
  if (a.dimension !== b.dimension) {
    throw new RangeError(`Cannot merge range summaries of ${a.dimension} and ${b.dimension} features`);
  }
  const d = a.dimension, min = new Float64Array(d), max = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    min[j] = Math.min(a.min[j]!, b.min[j]!);
    max[j] = Math.max(a.max[j]!, b.max[j]!);
  }
  const add = (x: Float64Array, y: Float64Array) => {
    const s = new ExactSum(x);
    s.addSum(new ExactSum(y));
    return s.state();
  };
  return {
    type: "lr.ranges",
    dimension: d,
    rows: [a.rows[0] + b.rows[0], a.rows[1] + b.rows[1]],
    weightSums: [add(a.weightSums[0], b.weightSums[0]), add(a.weightSums[1], b.weightSums[1])],
    weightSquares: [add(a.weightSquares[0], b.weightSquares[0]), add(a.weightSquares[1], b.weightSquares[1])],
    maxWeight: [Math.max(a.maxWeight[0], b.maxWeight[0]), Math.max(a.maxWeight[1], b.maxWeight[1])],
    min,
    max,
  };
}

/** The class totals of a merged summary, each rounded once from its exact value. */
export function classTotals(s: RangeSummary): ClassTotals {
  const value = (state: Float64Array) => new ExactSum(state).value();
  return {
    rows: [s.rows[0], s.rows[1]],
    weightSum: [value(s.weightSums[0]), value(s.weightSums[1])],
    weightSquares: [value(s.weightSquares[0]), value(s.weightSquares[1])],
    maxWeight: [s.maxWeight[0], s.maxWeight[1]],
  };
}

/** How classes are weighted: `"balanced"`, explicit `[weight of 0, weight of 1]`, or not at all. */
export type ClassWeightOption = "balanced" | readonly [number, number] | undefined;

/**
 * The per-class weight multipliers. `"balanced"` gives class `k` the weight `W / (2 · W_k)` with
 * `W_k` its total instance weight (its row count without instance weights, as in scikit-learn), so
 * both classes carry half of the total weight.
 */
export function resolveClassWeights(option: ClassWeightOption, totals: ClassTotals): [number, number] {
  if (option === undefined) return [1, 1];
  if (option !== "balanced") return [option[0], option[1]];
  const [w0, w1] = totals.weightSum, total = w0 + w1;
  return [w0 > 0 ? total / (2 * w0) : 1, w1 > 0 ? total / (2 * w1) : 1];
}
