/**
 * Why a model scored an event as it did: each feature's additive contribution to the score.
 *
 * - **Logistic regression** — coefficient × standardized value: `β̃_j · z_j` with
 *   `z_j = (x_j − shift_j) / std_j`, the standardization the solver trained with (`shift` is the
 *   training mean when an intercept is fitted). Equal to `β_j (x_j − shift_j)` on the original
 *   scale, in log-odds: a feature at its training mean contributes 0, and the contributions sum
 *   to the margin minus its value at the mean (`bias`).
 * - **Trees** — Saabas path contributions: walking the row's path down each tree, a split on
 *   feature `f` from node `p` to child `c` adds `value[c] − value[p]` to feature `f`. Per tree,
 *   the root value plus the contributions is the leaf value, so `bias + Σ contributions` is the
 *   score exactly up to rounding: for boosted trees in log-odds (`bias` = initial score + the
 *   roots), for forests in probability (averaged over trees). Cheap (one path per tree), but
 *   unlike SHAP it favours splits near the leaves; split gain is not used.
 *
 * @module
 */
import type { FeatureBinning } from "../../models/classification/tree/binning.ts";
import type { Tree } from "../../models/classification/tree/tree_model.ts";
import type { Standardization } from "../../models/classification/logistic_regression/standardization.ts";

/** Per-feature contributions of one row, in model feature order, and what they add to. */
export interface Attribution {
  /** The score with no feature information (log-odds, or probability for forests). */
  readonly bias: number;
  /** One per feature. */
  readonly contributions: Float64Array;
}

/**
 * Logistic-regression contributions of one row `x` (model feature order).
 *
 * @example
 * ```ts ignore
 * const { contributions } = linearAttribution(model.standardizedCoefficients, model.standardization, x);
 * ```
 */
export function linearAttribution(
  standardizedCoefficients: Float64Array,
  standardization: Pick<Standardization, "shift" | "invStd">,
  x: ArrayLike<number>,
  intercept: number,
): Attribution {
  const d = x.length, out = new Float64Array(d);
  let atShift = intercept;
  for (let j = 0; j < d; j++) {
    const shift = standardization.shift[j]!;
    out[j] = standardizedCoefficients[j]! * ((x[j]! - shift) * standardization.invStd[j]!);
    atShift += standardizedCoefficients[j]! * standardization.invStd[j]! * shift;
  }
  return { bias: atShift, contributions: out };
}

/**
 * Saabas contributions of a binned row (`bins[start + f]` is feature `f`'s bin) over `trees`, each
 * tree's scaled by `scale` (1 for boosting, 1 / trees for a forest), added to `bias0`.
 */
export function treeAttribution(
  trees: readonly Tree[],
  binnings: readonly FeatureBinning[],
  row: { bins: Uint8Array; start: number },
  options: { scale: number; bias0: number },
): Attribution {
  const out = new Float64Array(binnings.length);
  let bias = options.bias0;
  const { bins, start } = row, scale = options.scale;
  for (const tree of trees) {
    const { feature, value } = tree.arrays;
    let node = 0;
    bias += scale * value[0]!;
    for (let f = feature[0]!; f >= 0; f = feature[node]!) {
      const next = tree.childOfBinned(node, bins, start);
      out[f]! += scale * (value[next]! - value[node]!);
      node = next;
    }
  }
  return { bias, contributions: out };
}

/** A feature's part in a score. */
export interface Contribution {
  /** The feature's name (the pipeline's, e.g. `merchant_category=grocery`). */
  readonly feature: string;
  /** Its assembled value. */
  readonly value: number;
  /** Its contribution (see the module documentation for the unit). */
  readonly contribution: number;
}

/** The `k` largest contributions by magnitude (ties by name), largest first; zeros left out. */
export function topContributions(
  names: readonly string[],
  values: ArrayLike<number>,
  attribution: Attribution,
  k: number,
): Contribution[] {
  const all: Contribution[] = [];
  attribution.contributions.forEach((c, j) => {
    if (c !== 0) all.push({ feature: names[j]!, value: values[j]!, contribution: c });
  });
  all.sort((a, b) =>
    Math.abs(b.contribution) - Math.abs(a.contribution) ||
    (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0)
  );
  return all.slice(0, k);
}
