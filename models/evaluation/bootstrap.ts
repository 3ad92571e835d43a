/**
 * Bootstrap confidence intervals of the evaluation metrics, computed on the driver from the merged
 * score groups — the test rows never leave the executors.
 *
 * The resampling is the Poisson bootstrap: every test row gets an independent Poisson(1) weight
 * (Hanley & MacGibbon; the scheme large-scale engines use because it needs no row count). A group of
 * tied scores holding positive weight `p` and negative weight `n` therefore receives Poisson(`p`)
 * positives and Poisson(`n`) negatives — exact for unit row weights, and the natural extension for
 * other weights. Each replicate recomputes the metrics with the same definitions as
 * `binary_metrics.ts`; intervals are percentile intervals at `level`.
 *
 * Draws are counter-based from `(seed, replicate, group)`, so the intervals are a pure function of
 * the summary and the seed: identical for any partitioning of the test rows.
 *
 * Log loss and the Brier score get intervals in exact mode only (a bin's rows do not share one
 * score); a replicate that loses every positive or negative is skipped for the ranking metrics and
 * counted in `skipped`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapIntervals } from "./bootstrap.ts";
 * import { scoreGroups } from "./score_groups.ts";
 * import { summarizeScores } from "./score_summary.ts";
 * const labels = Array.from({ length: 400 }, (_, i) => i % 3 === 0 ? 1 : 0);
 * const scores = labels.map((y, i) => (y + ((i * 7919) % 101) / 60) / 3);
 * const b = bootstrapIntervals(scoreGroups(summarizeScores({ labels, scores })), { replicates: 200 });
 * const roc = b.intervals.rocAuc!;
 * assert.ok(roc.lo < roc.hi && roc.hi <= 1);
 * ```
 *
 * @module
 */
import { CounterRandom } from "../../cluster/util/seeded_random.ts";
import { operatingPoint } from "./operating_point.ts";
import { poisson } from "./poisson.ts";
import { brierScore, logLoss } from "./probability_metrics.ts";
import { averagePrecision, rocAuc } from "./ranking_metrics.ts";
import { DoubleDoubleSum, requireWeight, type ScoreGroups } from "./score_groups.ts";
import { logLossTerm } from "./score_summary.ts";

/** The metrics {@linkcode bootstrapIntervals} gives intervals for. */
export const BOOTSTRAP_METRICS = [
  "rocAuc",
  "averagePrecision",
  "logLoss",
  "brier",
  "accuracy",
  "precision",
  "recall",
  "f1",
] as const;

/** One of {@linkcode BOOTSTRAP_METRICS}. */
export type BootstrapMetric = typeof BOOTSTRAP_METRICS[number];

/** Options of {@linkcode bootstrapIntervals}. */
export interface BootstrapOptions {
  /** Replicates, in [10, 100000]. @default {1000} */
  replicates?: number;
  /** Confidence level, in (0, 1). @default {0.95} */
  level?: number;
  /** Seed of the resampling (a safe integer). @default {0} */
  seed?: number;
  /** Threshold of accuracy, precision, recall and F1 (score ≥ threshold is positive). @default {0.5} */
  threshold?: number;
  /**
   * Upper bound on replicates × score groups, the work of the bootstrap: with many distinct scores
   * the replicates drop to fit it, but never below 100 (the result's `replicates` says how many ran).
   * @default {Infinity}
   */
  maxDraws?: number;
}

/** A percentile interval with the replicates' standard deviation. */
export interface BootstrapInterval {
  /** Lower end (the `(1 − level) / 2` quantile of the replicates). */
  readonly lo: number;
  /** Upper end (the `(1 + level) / 2` quantile). */
  readonly hi: number;
  /** Standard deviation over the replicates (the bootstrap standard error). */
  readonly std: number;
}

/** What {@linkcode bootstrapIntervals} reports. */
export interface BootstrapIntervals {
  /** The resampling scheme. */
  readonly method: "poisson";
  /** Replicates that ran (fewer than asked when `maxDraws` bound them). */
  readonly replicates: number;
  /** Confidence level of every interval. */
  readonly level: number;
  /** Seed of the resampling. */
  readonly seed: number;
  /** Threshold of the threshold metrics. */
  readonly threshold: number;
  /** Replicates without both classes (left out of every ranking and threshold metric). */
  readonly skipped: number;
  /** An interval per metric that is defined for these scores. */
  readonly intervals: Partial<Record<BootstrapMetric, BootstrapInterval>>;
}

/** Domain of the counter-based draws (apart from other users of the same seed). */
const DOMAIN = 0xb007;

/** Bootstrap intervals of the metrics of `groups` (see the module documentation). */
export function bootstrapIntervals(groups: ScoreGroups, options: BootstrapOptions = {}): BootstrapIntervals {
  const asked = options.replicates ?? 1000;
  if (!Number.isInteger(asked) || asked < 10 || asked > 100_000) {
    throw new RangeError(`Option "replicates" must be an integer in [10, 100000], got ${asked}`);
  }
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`Option "level" must be in (0, 1), got ${level}`);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`Option "seed" must be a safe integer, got ${seed}`);
  const threshold = options.threshold ?? 0.5;
  if (Number.isNaN(threshold)) throw new RangeError(`Option "threshold" must be a number, got NaN`);
  const maxDraws = options.maxDraws ?? Infinity;
  if (!(maxDraws > 0)) throw new RangeError(`Option "maxDraws" must be > 0, got ${maxDraws}`);
  requireWeight(groups, "bootstrap intervals");
  const replicates = Math.min(asked, Math.max(100, Math.floor(maxDraws / Math.max(1, groups.score.length))));

  const withLoss = groups.probabilities && groups.mode === "exact";
  const names = BOOTSTRAP_METRICS.filter((m) => withLoss || (m !== "logLoss" && m !== "brier"));
  const values = new Map<BootstrapMetric, number[]>(names.map((m) => [m, []]));
  const rng = new CounterRandom(seed, DOMAIN);
  const d = groups.score.length;
  const pos = new Float64Array(d), neg = new Float64Array(d);
  let skipped = 0;
  for (let r = 0; r < replicates; r++) {
    const replicate = resample(groups, { rng, replicate: r, pos, neg, withLoss });
    if (withLoss && replicate.totalWeight > 0) {
      values.get("logLoss")!.push(logLoss(replicate));
      values.get("brier")!.push(brierScore(replicate));
    }
    if (!(replicate.totalPos > 0 && replicate.totalNeg > 0)) {
      skipped++;
      continue;
    }
    values.get("rocAuc")!.push(rocAuc(replicate));
    values.get("averagePrecision")!.push(averagePrecision(replicate));
    const point = operatingPoint(replicate, threshold);
    values.get("accuracy")!.push(point.accuracy);
    values.get("recall")!.push(point.recall);
    if (Number.isFinite(point.precision)) values.get("precision")!.push(point.precision);
    if (Number.isFinite(point.f1)) values.get("f1")!.push(point.f1);
  }
  const intervals: Partial<Record<BootstrapMetric, BootstrapInterval>> = {};
  for (const [name, xs] of values) {
    if (xs.length >= 2) intervals[name] = percentileInterval(xs, level);
  }
  return { method: "poisson", replicates, level, seed, threshold, skipped, intervals };
}

interface ResampleContext {
  readonly rng: CounterRandom;
  readonly replicate: number;
  readonly pos: Float64Array;
  readonly neg: Float64Array;
  readonly withLoss: boolean;
}

/** Replicate `replicate` of `groups`, written into the context's arrays. */
function resample(groups: ScoreGroups, ctx: ResampleContext): ScoreGroups {
  const { rng, pos, neg } = ctx;
  const d = groups.score.length;
  const base = ctx.replicate * d;
  const totalPos = new DoubleDoubleSum(), totalNeg = new DoubleDoubleSum();
  const ll = new DoubleDoubleSum(), brier = new DoubleDoubleSum();
  for (let i = 0; i < d; i++) {
    rng.at(base + i);
    let stream = 0;
    const uniform = () => rng.float(stream++);
    const p = groups.pos[i]! > 0 ? poisson(groups.pos[i]!, uniform) : 0;
    const n = groups.neg[i]! > 0 ? poisson(groups.neg[i]!, uniform) : 0;
    pos[i] = p;
    neg[i] = n;
    totalPos.add(p);
    totalNeg.add(n);
    if (ctx.withLoss) {
      const s = groups.score[i]!;
      if (p > 0) ll.add(p * logLossTerm(s, 1, groups.eps));
      if (n > 0) ll.add(n * logLossTerm(s, 0, groups.eps));
      brier.add(p * (1 - s) * (1 - s) + n * s * s);
    }
  }
  return {
    ...groups,
    pos,
    neg,
    totalPos: totalPos.value,
    totalNeg: totalNeg.value,
    totalWeight: totalPos.value + totalNeg.value,
    logLossSum: ctx.withLoss ? ll.value : NaN,
    brierSum: ctx.withLoss ? brier.value : NaN,
  };
}

/** The percentile interval of `xs` at `level` (linear interpolation between order statistics). */
function percentileInterval(xs: number[], level: number): BootstrapInterval {
  const sorted = Float64Array.from(xs).sort();
  const q = (p: number) => {
    const h = (sorted.length - 1) * p, lo = Math.floor(h);
    const a = sorted[lo]!, b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
    return a + (h - lo) * (b - a);
  };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) * (x - mean), 0) / (xs.length - 1);
  const tail = (1 - level) / 2;
  return { lo: q(tail), hi: q(1 - tail), std: Math.sqrt(variance) };
}
