/**
 * Metrics of the predicted probabilities themselves, from {@linkcode ScoreGroups}:
 *
 * - **Log loss**: `Σ w · −log(p_true) / Σ w`, with the probability clipped to `[eps, 1 − eps]` so a
 *   confident mistake costs at most `−log(eps)` (≈ 36.04 for the default `eps = 2^-52`, scikit-learn's
 *   float64 choice). `eps` is a summary option.
 * - **Brier score**: `Σ w · (p − y)² / Σ w`.
 *
 * Both need every score in [0, 1]; otherwise they are a `RangeError` (the scores are not
 * probabilities), as is a summary without any weight. Both are exact in binned mode too: the
 * per-row terms are summed while folding.
 *
 * @module
 */
import { requireWeight, type ScoreGroups } from "./score_groups.ts";

function requireProbabilities(groups: ScoreGroups, what: string): void {
  requireWeight(groups, what);
  if (!groups.probabilities) {
    throw new RangeError(
      `Cannot compute ${what}: scores span [${groups.minScore}, ${groups.maxScore}], not probabilities in [0, 1]`,
    );
  }
}

/** Weighted mean log loss (see the module documentation). */
export function logLoss(groups: ScoreGroups): number {
  requireProbabilities(groups, "log loss");
  return groups.logLossSum / groups.totalWeight;
}

/** Weighted Brier score (see the module documentation). */
export function brierScore(groups: ScoreGroups): number {
  requireProbabilities(groups, "Brier score");
  return groups.brierSum / groups.totalWeight;
}
