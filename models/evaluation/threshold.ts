/**
 * Choosing the decision threshold, and reporting what it gives (its {@linkcode OperatingPoint}).
 *
 * Candidates are every group's threshold (each distinct score in exact mode, each bin's lower edge
 * in binned mode) plus `Infinity` (predict nothing positive), scanned from high to low in one
 * O(groups) pass:
 *
 * - `{ by: "f1" }` maximizes F1 of the positive class; a `RangeError` without positives.
 * - `{ by: "cost", costs }` minimizes the expected cost `(c_fn · fn + c_fp · fp) / Σw` of missed
 *   positives and false alarms. For calibrated probabilities the optimum sits near the Bayes
 *   threshold `c_fp / (c_fp + c_fn)`; choosing on the data also works for uncalibrated scores.
 *
 * Ties keep the highest threshold (the fewest rows flagged). Choose on validation data and report
 * the chosen threshold's operating point on the test data with {@linkcode operatingPoint}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeScores } from "./score_summary.ts";
 * import { scoreGroups } from "./score_groups.ts";
 * import { chooseThreshold } from "./threshold.ts";
 * const groups = scoreGroups(summarizeScores({ labels: [0, 0, 1, 0, 1], scores: [0.1, 0.2, 0.3, 0.6, 0.8] }));
 * const best = chooseThreshold(groups, { by: "f1" });
 * assert.equal(best.threshold, 0.3);
 * assert.equal(best.f1, 0.8);
 * ```
 *
 * @module
 */
import { checkCosts, type ErrorCosts, type OperatingPoint, pointFromCounts } from "./operating_point.ts";
import { DoubleDoubleSum, requireWeight, type ScoreGroups } from "./score_groups.ts";

/** How {@linkcode chooseThreshold} ranks thresholds. */
export type ThresholdRule =
  | { readonly by: "f1" }
  | { readonly by: "cost"; readonly costs: ErrorCosts };

/** The best operating point under `rule` (see the module documentation). */
export function chooseThreshold(groups: ScoreGroups, rule: ThresholdRule): OperatingPoint {
  requireWeight(groups, "a threshold");
  const costs = rule.by === "cost" ? rule.costs : undefined;
  if (costs !== undefined) checkCosts(costs);
  if (rule.by === "f1" && !(groups.totalPos > 0)) {
    throw new RangeError("Cannot choose a threshold by F1: there are no positives");
  }
  const P = groups.totalPos;
  const { pos, neg, threshold } = groups;
  // Score of a candidate: higher is better. F1 = 2tp / (tp + fp + P); cost is negated.
  const value = (tp: number, fp: number): number => {
    if (costs === undefined) return (2 * tp) / (tp + fp + P);
    return -(costs.falseNegative * Math.max(0, P - tp) + costs.falsePositive * fp);
  };
  let bestIndex = pos.length, bestTp = 0, bestFp = 0, bestValue = value(0, 0);
  const tp = new DoubleDoubleSum(), fp = new DoubleDoubleSum();
  for (let i = pos.length - 1; i >= 0; i--) {
    tp.add(pos[i]!);
    fp.add(neg[i]!);
    const v = value(tp.value, fp.value);
    if (v > bestValue) {
      bestValue = v;
      bestIndex = i;
      bestTp = tp.value;
      bestFp = fp.value;
    }
  }
  const at = bestIndex === pos.length ? Infinity : threshold[bestIndex]!;
  return pointFromCounts(groups, { threshold: at, tp: bestTp, fp: bestFp, costs });
}
