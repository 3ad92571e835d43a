/**
 * Bootstrap intervals of ROC-AUC and PR-AUC (average precision), computed here from every
 * engine's test scores so the procedure is the same for everyone.
 *
 * A replicate resamples the test rows with replacement (n seeded draws of a row index, as counts
 * per row); every engine is scored on the same replicates, so differences between engines are
 * paired. Scores are sorted once per engine ({@linkcode rankScores}); a replicate is then one pass
 * over the tied groups with the counts as weights, the same definitions as `models/evaluation`
 * (ties count one half in ROC-AUC; average precision is scikit-learn's step-wise sum).
 *
 * Intervals are percentile intervals. Figures averaged over several splits (random seeds) average
 * the replicates too: replicate b of the mean is the mean of each split's replicate b.
 *
 * @module
 */
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";

/** Test labels and one engine's scores, sorted once by score for resampling. */
export interface RankedScores {
  /** 0/1 per test row, in row order. */
  readonly labels: Uint8Array;
  /** Row indexes by ascending score. */
  readonly order: Int32Array;
  /** Exclusive end (in `order`) of each group of tied scores, ascending. */
  readonly groupEnd: Int32Array;
}

/** Sorts `scores` (finite) with their `labels` (0/1) for {@linkcode rankingMetrics}. */
export function rankScores(labels: ArrayLike<number>, scores: ArrayLike<number>): RankedScores {
  const n = labels.length;
  if (scores.length !== n) throw new RangeError(`Got ${scores.length} scores for ${n} labels`);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v !== 0 && v !== 1) throw new RangeError(`Label of row ${i} is ${v}: labels must be 0 or 1`);
    y[i] = v;
    if (!Number.isFinite(scores[i])) throw new RangeError(`Score of row ${i} is ${scores[i]}: not finite`);
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  const ends: number[] = [];
  for (let k = 1; k <= n; k++) {
    if (k === n || scores[order[k]!] !== scores[order[k - 1]!]) ends.push(k);
  }
  return { labels: y, order, groupEnd: Int32Array.from(ends) };
}

/** ROC-AUC and PR-AUC of one replicate. */
export interface RankingFigures {
  rocAuc: number;
  prAuc: number;
}

/**
 * ROC-AUC and average precision with `counts[i]` copies of row i (all 1 when absent): `NaN` when a
 * class is missing from the replicate.
 */
export function rankingMetrics(ranked: RankedScores, counts?: ArrayLike<number>): RankingFigures {
  const { labels, order, groupEnd } = ranked;
  const groups = groupEnd.length;
  const pos = new Float64Array(groups), neg = new Float64Array(groups);
  let begin = 0, P = 0, N = 0;
  for (let g = 0; g < groups; g++) {
    let p = 0, q = 0;
    for (let k = begin; k < groupEnd[g]!; k++) {
      const i = order[k]!, c = counts === undefined ? 1 : counts[i]!;
      if (labels[i] === 1) p += c;
      else q += c;
    }
    pos[g] = p;
    neg[g] = q;
    P += p;
    N += q;
    begin = groupEnd[g]!;
  }
  if (!(P > 0 && N > 0)) return { rocAuc: NaN, prAuc: P > 0 ? 1 : NaN };
  // Integer counts: the area is a sum of multiples of ½ below 2^53, so exact in doubles.
  let area = 0, below = 0;
  for (let g = 0; g < groups; g++) {
    if (pos[g]! > 0) area += pos[g]! * (below + 0.5 * neg[g]!);
    below += neg[g]!;
  }
  let ap = 0, tp = 0, fp = 0;
  for (let g = groups - 1; g >= 0; g--) {
    tp += pos[g]!;
    fp += neg[g]!;
    if (pos[g]! > 0) ap += (pos[g]! * tp) / (tp + fp);
  }
  return { rocAuc: area / P / N, prAuc: ap / P };
}

/** Fills `out` with the row counts of replicate `replicate` of `out.length` rows under `seed`. */
export function resampleCounts(out: Uint32Array, replicate: number, seed: number): Uint32Array {
  const n = out.length;
  out.fill(0);
  const rng = new CounterRandom(seed, 0xb0075);
  for (let k = 0; k < n; k++) out[rng.at(replicate * n + k).below(0, n)]!++;
  return out;
}

/** One engine's figures on one test set: the point values and every replicate's. */
export interface BootstrapFigures {
  rocAuc: number;
  prAuc: number;
  rocReplicates: Float64Array;
  prReplicates: Float64Array;
}

/** Options of {@linkcode bootstrapEngines}. */
export interface BootstrapOptions {
  /** Replicates. @default {1000} */
  resamples?: number;
  /** Seed of the resampling (use a different one per test set). */
  seed: number;
}

/**
 * Every engine's ROC-AUC and PR-AUC on one test set with `resamples` paired replicates: the
 * same resampled rows for every engine.
 */
export function bootstrapEngines(
  labels: ArrayLike<number>,
  scores: ReadonlyMap<string, ArrayLike<number>>,
  options: BootstrapOptions,
): Map<string, BootstrapFigures> {
  const resamples = options.resamples ?? 1000;
  if (!(Number.isSafeInteger(resamples) && resamples >= 1)) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  }
  const ranked = new Map([...scores].map(([engine, s]) => [engine, rankScores(labels, s)]));
  const out = new Map<string, BootstrapFigures>();
  for (const [engine, r] of ranked) {
    const point = rankingMetrics(r);
    out.set(engine, {
      ...point,
      rocReplicates: new Float64Array(resamples),
      prReplicates: new Float64Array(resamples),
    });
  }
  const counts = new Uint32Array(labels.length);
  for (let b = 0; b < resamples; b++) {
    resampleCounts(counts, b, options.seed);
    for (const [engine, r] of ranked) {
      const f = out.get(engine)!, m = rankingMetrics(r, counts);
      f.rocReplicates[b] = m.rocAuc;
      f.prReplicates[b] = m.prAuc;
    }
  }
  return out;
}

/** The element-wise mean of figures of the same engine on several test sets (same replicate count). */
export function averageFigures(figures: readonly BootstrapFigures[]): BootstrapFigures {
  if (figures.length === 0) throw new RangeError("Cannot average zero figures");
  const b = figures[0]!.rocReplicates.length;
  if (figures.some((f) => f.rocReplicates.length !== b)) {
    throw new RangeError("Cannot average figures with different replicate counts");
  }
  const mean = (pick: (f: BootstrapFigures) => number) =>
    figures.reduce((s, f) => s + pick(f), 0) / figures.length;
  const meanArrays = (pick: (f: BootstrapFigures) => Float64Array) =>
    Float64Array.from({ length: b }, (_, i) => mean((f) => pick(f)[i]!));
  return {
    rocAuc: mean((f) => f.rocAuc),
    prAuc: mean((f) => f.prAuc),
    rocReplicates: meanArrays((f) => f.rocReplicates),
    prReplicates: meanArrays((f) => f.prReplicates),
  };
}

/** A figure with its percentile interval. */
export interface Interval {
  value: number;
  lo: number;
  hi: number;
  /** Replicates the interval was taken over (finite ones). */
  replicates: number;
}

/**
 * The `level` (default 0.95) percentile interval of `replicates` around `value`: the (1−level)/2
 * and (1+level)/2 quantiles, linear between order statistics; `NaN` replicates are left out.
 */
export function percentileInterval(value: number, replicates: ArrayLike<number>, level = 0.95): Interval {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const sorted = Float64Array.from(replicates).filter((x) => !Number.isNaN(x)).sort();
  const q = (p: number) => {
    if (sorted.length === 0) return NaN;
    const h = (sorted.length - 1) * p, lo = Math.floor(h);
    return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]!);
  };
  return { value, lo: q((1 - level) / 2), hi: q((1 + level) / 2), replicates: sorted.length };
}

/** The paired difference `a − b` of two engines' figures on the same replicates, with its interval. */
export function pairedDifference(
  a: BootstrapFigures,
  b: BootstrapFigures,
  metric: "rocAuc" | "prAuc",
  level = 0.95,
): Interval {
  const ra = metric === "rocAuc" ? a.rocReplicates : a.prReplicates;
  const rb = metric === "rocAuc" ? b.rocReplicates : b.prReplicates;
  if (ra.length !== rb.length) throw new RangeError("Cannot pair figures with different replicate counts");
  return percentileInterval(a[metric] - b[metric], ra.map((x, i) => x - rb[i]!), level);
}
