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
import { lttbIndices } from "./downsample.ts";
import { DoubleDoubleSum, requireWeight, type ScoreGroups } from "./score_groups.ts";

/** One point of the ROC curve. */
export interface RocPoint {
  /** Scores ≥ threshold are flagged (`Infinity`: none). */
  readonly threshold: number;
  /** False-positive rate. */
  readonly fpr: number;
  /** True-positive rate (recall). */
  readonly tpr: number;
}

/** One point of the precision–recall curve. */
export interface PrPoint {
  /** Scores ≥ threshold are flagged (`Infinity`: none). */
  readonly threshold: number;
  /** Share of the positive weight found. */
  readonly recall: number;
  /** Share of positives among the flagged weight. */
  readonly precision: number;
}

/** One point of the cumulative gains and lift curves. */
export interface GainsPoint {
  /** Scores ≥ threshold are targeted (`Infinity`: none). */
  readonly threshold: number;
  /** Targeted share of the weight, in [0, 1]. */
  readonly depth: number;
  /** Share of the positive weight found (cumulative gain). */
  readonly gain: number;
  /** `gain / depth`: how many times better than random targeting. */
  readonly lift: number;
}

/** Down-sampling of the curves. */
export interface CurveOptions {
  /** Most points per curve, an integer ≥ 2. @default {200} */
  maxPoints?: number;
}

/** Cumulative (tp, fp) weights per threshold, from high to low. */
interface Sweep {
  readonly threshold: Float64Array;
  readonly tp: Float64Array;
  readonly fp: Float64Array;
}

function sweep(groups: ScoreGroups): Sweep {
  const d = groups.pos.length;
  const threshold = new Float64Array(d), tp = new Float64Array(d), fp = new Float64Array(d);
  const tps = new DoubleDoubleSum(), fps = new DoubleDoubleSum();
  for (let k = 0; k < d; k++) {
    const i = d - 1 - k;
    tps.add(groups.pos[i]!);
    fps.add(groups.neg[i]!);
    threshold[k] = groups.threshold[i]!;
    tp[k] = tps.value;
    fp[k] = fps.value;
  }
  return { threshold, tp, fp };
}

/**
 * The kept points of the curve `(x, y)` over an origin (threshold `Infinity`) and the sweep:
 * coordinates for every point go to LTTB, objects are built for the kept ones only.
 */
function thin<T>(
  s: Sweep,
  options: CurveOptions,
  curve: { origin: T; x: (k: number) => number; y: (k: number) => number; point: (k: number) => T },
  originXY: readonly [number, number],
): T[] {
  const d = s.tp.length;
  const xs = new Float64Array(d + 1), ys = new Float64Array(d + 1);
  [xs[0], ys[0]] = originXY;
  for (let k = 0; k < d; k++) {
    xs[k + 1] = curve.x(k);
    ys[k + 1] = curve.y(k);
  }
  return Array.from(
    lttbIndices(xs, ys, options.maxPoints ?? 200),
    (i) => (i === 0 ? curve.origin : curve.point(i - 1)),
  );
}

/** The ROC curve (see the module documentation). */
export function rocCurve(groups: ScoreGroups, options: CurveOptions = {}): RocPoint[] {
  requireWeight(groups, "a ROC curve");
  const P = groups.totalPos, N = groups.totalNeg;
  if (!(P > 0 && N > 0)) return [];
  const s = sweep(groups);
  const x = (k: number) => s.fp[k]! / N, y = (k: number) => s.tp[k]! / P;
  return thin(s, options, {
    origin: { threshold: Infinity, fpr: 0, tpr: 0 },
    x,
    y,
    point: (k) => ({ threshold: s.threshold[k]!, fpr: x(k), tpr: y(k) }),
  }, [0, 0]);
}

/** The precision–recall curve (see the module documentation). */
export function prCurve(groups: ScoreGroups, options: CurveOptions = {}): PrPoint[] {
  requireWeight(groups, "a precision-recall curve");
  const P = groups.totalPos;
  if (!(P > 0)) return [];
  const s = sweep(groups);
  const x = (k: number) => s.tp[k]! / P, y = (k: number) => s.tp[k]! / (s.tp[k]! + s.fp[k]!);
  return thin(s, options, {
    origin: { threshold: Infinity, recall: 0, precision: 1 },
    x,
    y,
    point: (k) => ({ threshold: s.threshold[k]!, recall: x(k), precision: y(k) }),
  }, [0, 1]);
}

/** The cumulative gains and lift curve (see the module documentation). */
export function gainsCurve(groups: ScoreGroups, options: CurveOptions = {}): GainsPoint[] {
  requireWeight(groups, "a gains curve");
  const P = groups.totalPos, W = groups.totalWeight;
  if (!(P > 0)) return [];
  const s = sweep(groups);
  const x = (k: number) => (s.tp[k]! + s.fp[k]!) / W, y = (k: number) => s.tp[k]! / P;
  const lift = (k: number) => y(k) / x(k);
  return thin(s, options, {
    origin: { threshold: Infinity, depth: 0, gain: 0, lift: lift(0) },
    x,
    y,
    point: (k) => ({ threshold: s.threshold[k]!, depth: x(k), gain: y(k), lift: lift(k) }),
  }, [0, 0]);
}
