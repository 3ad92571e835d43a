/**
 * Threshold-free ranking metrics from {@linkcode ScoreGroups}: ROC-AUC and average precision.
 *
 * - **ROC-AUC** is the weighted Mann–Whitney statistic: the probability that a random positive
 *   scores above a random negative, ties counting one half,
 *   `Σ_g pos_g · (neg_below_g + neg_g / 2) / (P · N)`. This equals the trapezoid area under the ROC
 *   curve drawn through one point per tied group, as scikit-learn's `roc_auc_score`.
 * - **Average precision** is scikit-learn's `average_precision_score`: the step-wise sum
 *   `Σ_n (R_n − R_{n−1}) · P_n` over thresholds at the distinct scores, from high to low, with a
 *   group of tied scores entering as one step (no interpolation).
 *
 * Both are `NaN` when a class has no weight (ROC-AUC needs both classes; average precision needs
 * positives; with positives only it is 1). A summary without any weight is a `RangeError`.
 *
 * @module
 */
import { DoubleDoubleSum, requireWeight, type ScoreGroups } from "./score_groups.ts";

/** ROC-AUC (see the module documentation). */
export function rocAuc(groups: ScoreGroups): number {
  requireWeight(groups, "ROC-AUC");
  const P = groups.totalPos, N = groups.totalNeg;
  if (!(P > 0 && N > 0)) return NaN;
  const { pos, neg } = groups;
  const area = new DoubleDoubleSum(), below = new DoubleDoubleSum();
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i]!, n = neg[i]!;
    if (p > 0) area.add(p * (below.value + 0.5 * n));
    below.add(n);
  }
  return area.value / P / N;
}

/** Average precision, scikit-learn's definition (see the module documentation). */
export function averagePrecision(groups: ScoreGroups): number {
  requireWeight(groups, "average precision");
  const P = groups.totalPos;
  if (!(P > 0)) return NaN;
  const { pos, neg } = groups;
  const ap = new DoubleDoubleSum(), tp = new DoubleDoubleSum(), fp = new DoubleDoubleSum();
  for (let i = pos.length - 1; i >= 0; i--) {
    const p = pos[i]!;
    tp.add(p);
    fp.add(neg[i]!);
    if (p > 0) {
      const t = tp.value;
      ap.add((p * t) / (t + fp.value));
    }
  }
  return ap.value / P;
}
