/**
 * The curves behind the charts, one point per group of tied scores (thresholds from high to low),
 * and down-sampled with {@linkcode downsample} to at most `maxPoints` each:
 *
 * - ROC: `(fpr, tpr)` from `(0, 0)` (threshold `Infinity`) to `(1, 1)`; empty unless both classes
 *   have weight.
 * - Precision–recall: `(recall, precision)` from `(0, 1)` (threshold `Infinity`, scikit-learn's
 *   end point) on; empty without positives.
 * - Cumulative gains and lift: `(depth, gain, lift)` with depth the targeted share of the weight,
 *   from `(0, 0)` — whose lift is the limit at depth 0, the top group's positive rate over the
 *   base rate — to `(1, 1, 1)`; empty without positives.
 *
 * @module
 */
import { downsample } from "./downsample.ts";
import { DoubleDoubleSum, requireWeight, type ScoreGroups } from "./score_groups.ts";

/** One point of the ROC curve. */
export interface RocPoint {
  readonly threshold: number;
  readonly fpr: number;
  readonly tpr: number;
}

/** One point of the precision–recall curve. */
export interface PrPoint {
  readonly threshold: number;
  readonly recall: number;
  readonly precision: number;
}

/** One point of the cumulative gains and lift curves. */
export interface GainsPoint {
  readonly threshold: number;
  /** Targeted share of the weight, in [0, 1]. */
  readonly depth: number;
  readonly gain: number;
  readonly lift: number;
}

/** Down-sampling of the curves. */
export interface CurveOptions {
  /** Most points per curve, an integer ≥ 2. @default {200} */
  maxPoints?: number;
}

/** The points of every threshold, from high to low, as cumulative (tp, fp) weights. */
function sweep<T>(groups: ScoreGroups, point: (threshold: number, tp: number, fp: number) => T): T[] {
  const out: T[] = [];
  const tp = new DoubleDoubleSum(), fp = new DoubleDoubleSum();
  for (let i = groups.pos.length - 1; i >= 0; i--) {
    tp.add(groups.pos[i]!);
    fp.add(groups.neg[i]!);
    out.push(point(groups.threshold[i]!, tp.value, fp.value));
  }
  return out;
}

function thin<T>(points: T[], options: CurveOptions, x: (p: T) => number, y: (p: T) => number): T[] {
  return downsample(points, { maxPoints: options.maxPoints ?? 200, x, y });
}

/** The ROC curve (see the module documentation). */
export function rocCurve(groups: ScoreGroups, options: CurveOptions = {}): RocPoint[] {
  requireWeight(groups, "a ROC curve");
  const P = groups.totalPos, N = groups.totalNeg;
  if (!(P > 0 && N > 0)) return [];
  const points = [
    { threshold: Infinity, fpr: 0, tpr: 0 },
    ...sweep(groups, (threshold, tp, fp) => ({
      threshold,
      fpr: fp / N,
      tpr: tp / P,
    })),
  ];
  return thin(points, options, (p) => p.fpr, (p) => p.tpr);
}

/** The precision–recall curve (see the module documentation). */
export function prCurve(groups: ScoreGroups, options: CurveOptions = {}): PrPoint[] {
  requireWeight(groups, "a precision-recall curve");
  const P = groups.totalPos;
  if (!(P > 0)) return [];
  const points = [
    { threshold: Infinity, recall: 0, precision: 1 },
    ...sweep(groups, (threshold, tp, fp) => ({
      threshold,
      recall: tp / P,
      precision: tp / (tp + fp),
    })),
  ];
  return thin(points, options, (p) => p.recall, (p) => p.precision);
}

/** The cumulative gains and lift curve (see the module documentation). */
export function gainsCurve(groups: ScoreGroups, options: CurveOptions = {}): GainsPoint[] {
  requireWeight(groups, "a gains curve");
  const P = groups.totalPos, W = groups.totalWeight;
  if (!(P > 0)) return [];
  const swept = sweep(groups, (threshold, tp, fp) => ({
    threshold,
    depth: (tp + fp) / W,
    gain: tp / P,
    lift: tp / P / ((tp + fp) / W),
  }));
  const top = swept.find((p) => p.depth > 0);
  const origin = { threshold: Infinity, depth: 0, gain: 0, lift: top === undefined ? NaN : top.lift };
  return thin([origin, ...swept], options, (p) => p.depth, (p) => p.gain);
}
