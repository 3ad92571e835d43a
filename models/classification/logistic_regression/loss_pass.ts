/**
 * The per-iteration kernel of logistic regression: over a partition's rows, the weighted logistic
 * loss, its gradient and (optionally) its Hessian with respect to the standardized coefficients,
 * as mergeable sums.
 *
 * For row `i` with standardized features `z = (x - shift) · invStd`, margin `m = β·z + b`, label
 * `y` and effective weight `w` (instance × class weight):
 * `loss += w · log(1 + e^{-m})` if `y = 1` else `w · log(1 + e^{m})`, `gradient += w (p - y) [z, 1]`,
 * `Hessian += w p (1 - p) [z, 1][z, 1]ᵀ` with `p = 1 / (1 + e^{-m})`, all computed in forms that do
 * not overflow. The intercept, when fitted, is the last coordinate.
 *
 * The loss is an {@linkcode ExactSum}; the gradient (two folds) and the Hessian (one fold, packed
 * lower triangle) are {@linkcode GridAccumulator}s whose bounds come from the context alone
 * (`|w (p - y) z_j| ≤ maxWeight · maxAbsZ_j`, `w p (1 - p) ≤ maxWeight / 4`). Every partition
 * therefore rounds every term the same way and the merged sums are the same bits for any
 * partitioning or merge order.
 *
 * @module
 */
import { ExactSum } from "../../../cluster/util/exact_sum.ts";
import { blockRows, checkBlockShape, type FeatureBlock } from "./feature_block.ts";
import {
  addLowerOuter,
  DRAIN_ROWS,
  GridAccumulator,
  type GridSummary,
  gridValues,
  mergedGridSummary,
} from "./grid_sum.ts";

/** What every partition's loss fold is given (the same on every partition). */
export interface LossContext {
  /** Features per row. */
  dimension: number;
  /** Whether the last coefficient is an intercept. */
  fitIntercept: boolean;
  /** Multiplier of the instance weight per class `[0, 1]`. */
  classWeights: readonly [number, number];
  /** An upper bound of every effective weight. */
  maxWeight: number;
  /** Per feature, the shift of the standardization. */
  shift: ArrayLike<number>;
  /** Per feature, `1 / std` (0 for a constant feature). */
  invStd: ArrayLike<number>;
  /** An upper bound of `|z_j|` over all rows. */
  maxAbsZ: ArrayLike<number>;
  /** Standardized coefficients, the intercept last when fitted (`dimension + 1` values then). */
  coefficients: ArrayLike<number>;
  /** Whether to sum the Hessian (`p(p+1)/2` terms per row for `p` coefficients). */
  hessian: boolean;
}

/** Merged loss sums over `rows` rows. */
export interface LossSummary {
  /** The pass. */
  type: "lr.loss";
  /** Coefficient count `p` (features, plus one for a fitted intercept). */
  size: number;
  /** Rows folded. */
  rows: number;
  /** {@linkcode ExactSum} state of the weighted loss. */
  loss: Float64Array;
  /** Per coefficient, the gradient sum. */
  gradient: GridSummary;
  /** Packed lower triangle: entry `(j, k)`, `k ≤ j`, at `j(j+1)/2 + k`. */
  hessian?: GridSummary;
}

/** The sums of a {@linkcode LossSummary} as doubles (not divided by the weight total). */
export interface LossEvaluation {
  loss: number;
  gradient: Float64Array;
  /** Full symmetric `p × p`, row-major. */
  hessian?: Float64Array;
}

/** Folds a partition's blocks into a {@linkcode LossSummary}. */
export function foldLoss(blocks: Iterable<FeatureBlock>, context: LossContext): LossSummary {
  const d = context.dimension, p = d + (context.fitIntercept ? 1 : 0);
  const { shift, invStd, coefficients, classWeights } = context;
  if (coefficients.length !== p) {
    throw new RangeError(`Cannot evaluate ${coefficients.length} coefficients: expected ${p}`);
  }
  const beta = Float64Array.from(coefficients), intercept = context.fitIntercept ? beta[d]! : 0;
  const loss = new ExactSum();
  const grad = new GridAccumulator(gradientBounds(context, p), 2);
  const hess = context.hessian ? new GridAccumulator(hessianBounds(context, p), 1) : undefined;
  const g1 = grad.round1, g2 = grad.round2, gp1 = grad.part1, gp2 = grad.part2;
  const z = new Float64Array(p), vz = new Float64Array(p);
  if (p > d) z[d] = 1; // the intercept's "feature"
  let rows = 0, pending = 0;
  for (const block of blocks) {
    checkBlockShape(block, d);
    const n = blockRows(block), { features, labels, weights } = block;
    for (let i = 0; i < n; i++) {
      const base = i * d;
      let m = intercept;
      for (let j = 0; j < d; j++) {
        const v = (features[base + j]! - shift[j]!) * invStd[j]!;
        z[j] = v;
        m += beta[j]! * v;
      }
      const y = labels[i] as 0 | 1;
      const w = weights === undefined ? classWeights[y] : weights[i]! * classWeights[y];
      // s: the margin against the row's label; loss = softplus(s), d loss / dm = ±sigmoid(s).
      const s = y === 1 ? -m : m, e = Math.exp(-Math.abs(s)), onePlus = 1 + e;
      loss.add(w * (Math.max(s, 0) + Math.log1p(e)));
      const sig = s >= 0 ? 1 / onePlus : e / onePlus;
      const r = y === 1 ? -(w * sig) : w * sig;
      for (let j = 0; j < d; j++) {
        const t = r * z[j]!, h = (t + g1[j]!) - g1[j]!;
        gp1[j]! += h;
        gp2[j]! += ((t - h) + g2[j]!) - g2[j]!;
      }
      if (p > d) grad.add(d, r);
      if (hess !== undefined) {
        const v = w * (e / (onePlus * onePlus));
        for (let j = 0; j < d; j++) vz[j] = v * z[j]!;
        if (p > d) vz[d] = v;
        addLowerOuter(hess, vz, z);
      }
      if (++pending === DRAIN_ROWS) {
        grad.drain();
        hess?.drain();
        pending = 0;
      }
    }
    rows += n;
  }
  const out: LossSummary = { type: "lr.loss", size: p, rows, loss: loss.state(), gradient: grad.summary() };
  if (hess !== undefined) out.hessian = hess.summary();
  return out;
}

/** Merges two loss summaries (a new summary; the same bits whatever the order). */
export function mergeLoss(a: LossSummary, b: LossSummary): LossSummary {
  if (a.size !== b.size || (a.hessian === undefined) !== (b.hessian === undefined)) {
    throw new RangeError(`Cannot merge loss summaries of different shapes`);
  }
  const loss = new ExactSum(a.loss);
  loss.addSum(new ExactSum(b.loss));
  const out: LossSummary = {
    type: "lr.loss",
    size: a.size,
    rows: a.rows + b.rows,
    loss: loss.state(),
    gradient: mergedGridSummary(a.gradient, b.gradient),
  };
  if (a.hessian !== undefined && b.hessian !== undefined) {
    out.hessian = mergedGridSummary(a.hessian, b.hessian);
  }
  return out;
}

/** The merged sums as doubles (each a fixed function of the exact merged state). */
export function finishLoss(s: LossSummary): LossEvaluation {
  const out: LossEvaluation = { loss: new ExactSum(s.loss).value(), gradient: gridValues(s.gradient) };
  if (s.hessian !== undefined) {
    const packed = gridValues(s.hessian), p = s.size, full = new Float64Array(p * p);
    for (let j = 0; j < p; j++) {
      for (let k = 0; k <= j; k++) {
        const v = packed[(j * (j + 1)) / 2 + k]!;
        full[j * p + k] = v;
        full[k * p + j] = v;
      }
    }
    out.hessian = full;
  }
  return out;
}

/** Twice the largest possible gradient term per coordinate. */
function gradientBounds(c: LossContext, p: number): Float64Array {
  const out = new Float64Array(p);
  for (let j = 0; j < c.dimension; j++) out[j] = 2 * (c.maxWeight * c.maxAbsZ[j]!);
  if (p > c.dimension) out[c.dimension] = 2 * c.maxWeight;
  return out;
}

/** Twice the largest possible Hessian term per packed entry (`w p (1 - p) ≤ w / 4`). */
function hessianBounds(c: LossContext, p: number): Float64Array {
  const d = c.dimension, quarter = c.maxWeight / 4, out = new Float64Array((p * (p + 1)) / 2);
  const zmax = (j: number) => (j < d ? c.maxAbsZ[j]! : 1);
  for (let j = 0; j < p; j++) {
    const t = quarter * zmax(j);
    for (let k = 0; k <= j; k++) out[(j * (j + 1)) / 2 + k] = 2 * (t * zmax(k));
  }
  return out;
}
