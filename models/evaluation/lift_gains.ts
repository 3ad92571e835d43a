/**
 * Lift and cumulative gains at the top k % of the ranking: target the highest-scored k % of the
 * weight (rows, when unweighted); the **gain** is the share of all positive weight captured there,
 * the **lift** is that gain divided by k / 100 (how many times better than targeting at random).
 *
 * Ties are never broken arbitrarily: when the cut falls inside a group of tied scores, the group is
 * taken in proportion (fraction `f` of its weight and so `f` of its positives) — the expected value
 * under a random order of the tied rows, and independent of row order or partitioning.
 *
 * Gains and lift are `NaN` without positives; a summary without weight is a `RangeError`.
 *
 * @module
 */
import { DoubleDoubleSum, requireWeight, type ScoreGroups } from "./score_groups.ts";

/** The top-k % percentages reported by default. */
export const DEFAULT_TOP_PERCENTS: readonly number[] = [1, 2, 5, 10, 20, 30, 50];

/** Lift and gain at one depth. */
export interface LiftPoint {
  /** Targeted share of the weight, in percent (0, 100]. */
  readonly percent: number;
  /** The score of the group where the cut falls (the lowest score targeted, in part or whole). */
  readonly threshold: number;
  /** Positive weight captured in the top `percent` %. */
  readonly positives: number;
  /** Share of all positive weight captured (cumulative gains). */
  readonly gain: number;
  /** `gain / (percent / 100)`. */
  readonly lift: number;
  /** Share of positives among the targeted weight. */
  readonly precision: number;
}

/** Lift and gain at each of `percents` (each in (0, 100]; see the module documentation). */
export function liftAt(
  groups: ScoreGroups,
  percents: readonly number[] = DEFAULT_TOP_PERCENTS,
): LiftPoint[] {
  requireWeight(groups, "lift");
  for (const k of percents) {
    if (!(k > 0 && k <= 100)) throw new RangeError(`Top percentages must be in (0, 100], got ${k}`);
  }
  const { pos, neg, score } = groups;
  const W = groups.totalWeight, P = groups.totalPos;
  return percents.map((percent): LiftPoint => {
    const target = (percent / 100) * W;
    const taken = new DoubleDoubleSum(), captured = new DoubleDoubleSum();
    let i = pos.length - 1;
    for (; i >= 0; i--) {
      const w = pos[i]! + neg[i]!;
      const before = taken.value;
      if (before + w >= target) {
        const f = w > 0 ? (target - before) / w : 0;
        captured.add(f * pos[i]!);
        break;
      }
      taken.add(w);
      captured.add(pos[i]!);
    }
    const positives = captured.value;
    const gain = positives / P;
    return {
      percent,
      threshold: score[Math.max(i, 0)]!,
      positives,
      gain,
      lift: gain / (percent / 100),
      precision: positives / target,
    };
  });
}
