/**
 * Second pass of logistic-regression training: weighted first and second moments of every feature
 * around a fixed center (the midpoint of its range from `range_pass.ts`), the effective weight
 * totals, and optionally the weighted Gram matrix of the centered features (for the collinearity
 * warning).
 *
 * Weights here are effective: instance weight × class weight, rounded per row exactly as the loss
 * kernel rounds them. Centering at the range midpoint keeps `Σ w (x - c)²` free of the cancellation
 * that raw `Σ w x²` suffers on large offsets (timestamps), without exact products. Every term is
 * bounded by the ranges, so the sums are {@linkcode GridAccumulator}s: the same bits for any
 * partitioning.
 *
 * @module
 */
import { blockRows, checkBlockShape, type FeatureBlock } from "./feature_block.ts";
import {
  addLowerOuter,
  DRAIN_ROWS,
  GridAccumulator,
  type GridSummary,
  mergedGridSummary,
} from "./grid_sum.ts";

/** What every partition's moment fold is given (the same on every partition). */
export interface MomentContext {
  /** Features per row. */
  dimension: number;
  /** Multiplier of the instance weight per class `[0, 1]`. */
  classWeights: readonly [number, number];
  /** An upper bound of `fl(w · classWeight)` over all rows. */
  maxWeight: number;
  /** Per feature, the center `c` the moments are taken around. */
  centers: ArrayLike<number>;
  /** Per feature, an upper bound of `|fl(x - c)|` over all rows. */
  spreads: ArrayLike<number>;
  /** Whether to sum the Gram matrix (`d(d+1)/2` terms per row). */
  gram: boolean;
}

/**
 * The merged moments. `sums` holds, in order: Σw, Σw², Σw·y, then Σ w(x_j - c_j) for every j,
 * then Σ w(x_j - c_j)² for every j. `gram` (when asked) holds Σ w(x_j - c_j)(x_k - c_k) for
 * `k ≤ j` at index `j(j+1)/2 + k`.
 */
export interface MomentSummary {
  /** The pass. */
  type: "lr.moments";
  /** Features per row. */
  dimension: number;
  /** The weight and moment sums (layout above). */
  sums: GridSummary;
  /** The centered Gram matrix's packed lower triangle, when asked. */
  gram?: GridSummary;
}

/** Index of Σw, Σw², Σwy and the starts of the per-feature blocks in {@linkcode MomentSummary.sums}. */
export const MOMENT_LAYOUT = { weight: 0, weightSquare: 1, positiveWeight: 2, first: 3 } as const;

/** Folds a partition's blocks into a {@linkcode MomentSummary}. */
export function foldMoments(blocks: Iterable<FeatureBlock>, context: MomentContext): MomentSummary {
  const d = context.dimension, { centers, classWeights } = context;
  const acc = new GridAccumulator(momentBounds(context), 2);
  const gram = context.gram ? new GridAccumulator(gramBounds(context), 1) : undefined;
  const r1 = acc.round1, r2 = acc.round2, p1 = acc.part1, p2 = acc.part2;
  const centered = new Float64Array(d), scaled = new Float64Array(d);
  const first = MOMENT_LAYOUT.first, second = first + d;
  let pending = 0;
  for (const block of blocks) {
    checkBlockShape(block, d);
    const n = blockRows(block), { features, labels, weights } = block;
    for (let i = 0; i < n; i++) {
      const y = labels[i] as 0 | 1;
      const w = weights === undefined ? classWeights[y] : weights[i]! * classWeights[y];
      acc.add(MOMENT_LAYOUT.weight, w);
      acc.add(MOMENT_LAYOUT.weightSquare, w * w);
      if (y === 1) acc.add(MOMENT_LAYOUT.positiveWeight, w);
      const base = i * d;
      for (let j = 0; j < d; j++) {
        const x = features[base + j]! - centers[j]!, t = w * x, q = t * x;
        centered[j] = x;
        scaled[j] = t;
        let h = (t + r1[first + j]!) - r1[first + j]!;
        p1[first + j]! += h;
        p2[first + j]! += ((t - h) + r2[first + j]!) - r2[first + j]!;
        h = (q + r1[second + j]!) - r1[second + j]!;
        p1[second + j]! += h;
        p2[second + j]! += ((q - h) + r2[second + j]!) - r2[second + j]!;
      }
      if (gram !== undefined) addLowerOuter(gram, scaled, centered);
      if (++pending === DRAIN_ROWS) {
        acc.drain();
        gram?.drain();
        pending = 0;
      }
    }
  }
  const out: MomentSummary = { type: "lr.moments", dimension: d, sums: acc.summary() };
  if (gram !== undefined) out.gram = gram.summary();
  return out;
}

/** Merges two moment summaries (a new summary; the same bits whatever the order). */
export function mergeMoments(a: MomentSummary, b: MomentSummary): MomentSummary {
  if (a.dimension !== b.dimension || (a.gram === undefined) !== (b.gram === undefined)) {
    throw new RangeError(`Cannot merge moment summaries of different shapes`);
  }
  const out: MomentSummary = {
    type: "lr.moments",
    dimension: a.dimension,
    sums: mergedGridSummary(a.sums, b.sums),
  };
  if (a.gram !== undefined && b.gram !== undefined) out.gram = mergedGridSummary(a.gram, b.gram);
  return out;
}

/** Per-entry bounds of the moment sums, twice the largest possible term. */
function momentBounds(c: MomentContext): Float64Array {
  const d = c.dimension, w = c.maxWeight, out = new Float64Array(MOMENT_LAYOUT.first + 2 * d);
  out[MOMENT_LAYOUT.weight] = 2 * w;
  out[MOMENT_LAYOUT.weightSquare] = 2 * (w * w);
  out[MOMENT_LAYOUT.positiveWeight] = 2 * w;
  for (let j = 0; j < d; j++) {
    const t = w * c.spreads[j]!;
    out[MOMENT_LAYOUT.first + j] = 2 * t;
    out[MOMENT_LAYOUT.first + d + j] = 2 * (t * c.spreads[j]!);
  }
  return out;
}

function gramBounds(c: MomentContext): Float64Array {
  const d = c.dimension, out = new Float64Array((d * (d + 1)) / 2);
  for (let j = 0; j < d; j++) {
    const t = c.maxWeight * c.spreads[j]!;
    for (let k = 0; k <= j; k++) out[(j * (j + 1)) / 2 + k] = 2 * (t * c.spreads[k]!);
  }
  return out;
}
