/**
 * The driver-side view every metric reads: a {@linkcode ScoreSummary} as ascending groups of tied
 * scores with their positive and negative weight, plus the totals. In exact mode a group is one
 * distinct score; in binned mode it is one bin, represented by its weighted mean score.
 *
 * Built once per evaluation in O(groups); every sum runs in double-double over the groups in
 * ascending order, so the view (and every metric) is a deterministic function of the summary.
 *
 * @module
 */
import { exactSumValue } from "../../cluster/util/exact_sum.ts";
import { binLowerEdge, logLossTerm, type ScoreSummary } from "./score_summary.ts";

/** Ascending groups of tied scores; see the module documentation. Treat it as immutable. */
export interface ScoreGroups {
  /** Exact groups (distinct scores) or bins. */
  readonly mode: "exact" | "binned";
  /** Representative score per group, strictly ascending: the distinct score or the bin's mean score. */
  readonly score: Float64Array;
  /**
   * The threshold at which a group starts to be predicted positive (`score ≥ threshold`): the score
   * itself in exact mode, the bin's lower edge in binned mode.
   */
  readonly threshold: Float64Array;
  /** Weight of the positives per group. */
  readonly pos: Float64Array;
  /** Weight of the negatives per group. */
  readonly neg: Float64Array;
  /** Σ pos. */
  readonly totalPos: number;
  /** Σ neg. */
  readonly totalNeg: number;
  /** Σ pos + Σ neg. */
  readonly totalWeight: number;
  /** Rows with a positive weight. */
  readonly rows: number;
  /** Smallest score seen (`Infinity` when empty). */
  readonly minScore: number;
  /** Largest score seen (`-Infinity` when empty). */
  readonly maxScore: number;
  /** Whether every score lies in [0, 1], so probability metrics are defined. */
  readonly probabilities: boolean;
  /** Σ weight·(−log clipped probability of the true class); `NaN` unless `probabilities`. */
  readonly logLossSum: number;
  /** Σ weight·(score − label)²; `NaN` unless `probabilities`. */
  readonly brierSum: number;
  /** The log-loss clipping epsilon. */
  readonly eps: number;
}

/** A running double-double sum. */
export class DoubleDoubleSum {
  #hi = 0;
  #lo = 0;

  /** Adds `x` (TwoSum, then TwoSum of the sum and the carried errors; no allocation). */
  add(x: number): void {
    const a = this.#hi, s = a + x, bb = s - a;
    const e = (a - (s - bb)) + (x - bb) + this.#lo;
    const t = s + e, cc = t - s;
    this.#hi = t;
    this.#lo = (s - (t - cc)) + (e - cc);
  }

  /** The sum rounded to a double. */
  get value(): number {
    return this.#hi + this.#lo;
  }
}

function collapse(hi: Float64Array, lo: Float64Array): Float64Array {
  const out = new Float64Array(hi.length);
  for (let i = 0; i < hi.length; i++) out[i] = hi[i]! + lo[i]!;
  return out;
}

/** The groups of `summary`. */
export function scoreGroups(summary: ScoreSummary): ScoreGroups {
  const binning = summary.binning;
  const pos = collapse(summary.posHi, summary.posLo);
  const neg = collapse(summary.negHi, summary.negLo);
  const d = pos.length;
  const totalPos = new DoubleDoubleSum(), totalNeg = new DoubleDoubleSum();
  for (let i = 0; i < d; i++) {
    totalPos.add(pos[i]!);
    totalNeg.add(neg[i]!);
  }
  const probabilities = summary.rows === 0 || (summary.minScore >= 0 && summary.maxScore <= 1);
  let score: Float64Array, threshold: Float64Array, logLossSum: number, brierSum: number;
  if (binning === undefined) {
    score = summary.keys;
    threshold = summary.keys;
    const ll = new DoubleDoubleSum(), brier = new DoubleDoubleSum();
    for (let i = 0; i < d; i++) {
      const s = score[i]!, p = pos[i]!, n = neg[i]!;
      if (p > 0) ll.add(p * logLossTerm(s, 1, summary.eps));
      if (n > 0) ll.add(n * logLossTerm(s, 0, summary.eps));
      brier.add(p * (1 - s) * (1 - s));
      brier.add(n * s * s);
    }
    logLossSum = ll.value;
    brierSum = brier.value;
  } else {
    score = collapse(summary.scoreHi, summary.scoreLo);
    threshold = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      score[i]! /= pos[i]! + neg[i]!;
      threshold[i] = binLowerEdge(binning, summary.keys[i]!);
    }
    logLossSum = exactSumValue(summary.logLoss);
    brierSum = exactSumValue(summary.brier);
  }
  return {
    mode: binning === undefined ? "exact" : "binned",
    score,
    threshold,
    pos,
    neg,
    totalPos: totalPos.value,
    totalNeg: totalNeg.value,
    totalWeight: totalPos.value + totalNeg.value,
    rows: summary.rows,
    minScore: summary.minScore,
    maxScore: summary.maxScore,
    probabilities,
    logLossSum: probabilities ? logLossSum : NaN,
    brierSum: probabilities ? brierSum : NaN,
    eps: summary.eps,
  };
}

/** Throws a `RangeError` naming `what` when the groups carry no weight at all. */
export function requireWeight(groups: ScoreGroups, what: string): void {
  if (!(groups.totalWeight > 0)) {
    throw new RangeError(`Cannot compute ${what}: the total weight is 0 (no rows, or every weight is 0)`);
  }
}

/** Index of the first group whose score is ≥ `threshold` (`length` when none is). */
export function firstAtOrAbove(groups: ScoreGroups, threshold: number): number {
  const s = groups.score;
  let lo = 0, hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! < threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
