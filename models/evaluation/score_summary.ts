/**
 * The mergeable summary behind every binary-classification metric: per distinct score (exact mode)
 * or per score bin (binned mode), the summed instance weight of the positives and of the negatives.
 *
 * It is built to run as a per-partition fold: {@linkcode summarizeScores} folds one partition's
 * labels, scores and weights into a compact summary, {@linkcode mergeSummaries} merges two
 * summaries, and the driver turns the final one into metrics (`binary_metrics.ts`).
 *
 * **Exact mode** (the default) keeps one entry per distinct score: `(score, Σw_pos, Σw_neg)`, sorted
 * by score, merged by key. Every metric (ROC-AUC, average precision, log loss, Brier score,
 * confusion matrices, lift, calibration) is a function of this table alone, so nothing is
 * approximated. Size bound: one entry per distinct score, so at most one per row; on the wire 24
 * bytes per entry unweighted, 40 weighted (`summary_codec.ts`): 24–40 MB for a million distinct
 * scores. The fold sorts a partition's scores once (radix, `sort_order.ts`). Above a few million
 * distinct scores use binned mode.
 *
 * **Binned mode** (`bins: N`) keeps one entry per non-empty bin of `N` equal-width bins over
 * `range` (default `[0, 1]`; scores outside it fall into the end bins): `(bin, Σw_pos, Σw_neg,
 * Σw·score)`, plus the totals `Σw·logloss` and `Σw·(score − label)²` summed row by row in exact
 * superaccumulators (`cluster/util/exact_sum.ts`; rows scored outside [0, 1] add nothing, as both metrics are
 * then undefined). Log loss and Brier score stay exact; rankings (ROC-AUC, average precision,
 * thresholds) treat a bin as one tied group, so ROC-AUC moves by at most `Σ_b pos_b·neg_b / (2PN)`.
 * Size: at most 56 bytes per bin, plus 1,152.
 *
 * **Bit-identical for any partitioning.** Unweighted, the per-key sums are integer counts (exact
 * below 2^53 rows). Weighted, they are double-double sums accumulated and merged with TwoSum, like
 * the engine's `sum` (see `cluster/kernels/agg_state.ts`): exact, and so normalized to the same
 * pair whatever the merge order, while `Σw / u < ~2^104` with `u` the smallest ulp among the
 * weights (for weights with two decimals: `Σw < ~3e13`); past it sums stay accurate but may differ
 * in the last bits between partitionings. Keys are exact doubles (`-0` is stored as `0`), min and
 * max are exact, and the binned-mode log-loss and Brier totals are exact without any limit.
 *
 * Rows with weight 0 are dropped (they change no metric). Labels must be 0 or 1, scores finite,
 * weights finite and non-negative: anything else is a `RangeError` naming the row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeSummaries, summarizeScores } from "./score_summary.ts";
 * const a = summarizeScores({ labels: [1, 0], scores: [0.9, 0.4] });
 * const b = summarizeScores({ labels: [1, 0], scores: [0.4, 0.1] });
 * const all = mergeSummaries(a, b);
 * assert.deepEqual([...all.keys], [0.1, 0.4, 0.9]);
 * assert.deepEqual([...all.posHi], [0, 1, 1]);
 * assert.deepEqual([...all.negHi], [1, 1, 0]);
 * ```
 *
 * @module
 */
import { EXACT_SUM_LIMBS, ExactSum } from "../../cluster/util/exact_sum.ts";
import { sortOrder } from "./sort_order.ts";

/** Log-loss clipping: probabilities are clipped to `[eps, 1 − eps]`; scikit-learn's float64 default. */
export const DEFAULT_LOG_LOSS_EPS: number = Number.EPSILON;

/** Equal-width binning of binned mode. */
export interface Binning {
  /** Number of bins, an integer in [1, 2^24]. */
  readonly bins: number;
  /** Lower end of the score range. */
  readonly min: number;
  /** Upper end of the score range (greater than `min`). */
  readonly max: number;
}

/** A summary of labeled scores; see the module documentation. Treat it as immutable. */
export interface ScoreSummary {
  /** `undefined` in exact mode; the bins in binned mode. */
  readonly binning: Binning | undefined;
  /** Log-loss clipping epsilon the summary was built with. */
  readonly eps: number;
  /** Exact: the distinct scores, ascending. Binned: the indexes of the non-empty bins, ascending. */
  readonly keys: Float64Array;
  /** Σ weight of the positives per key, as the double-double `posHi[i] + posLo[i]`. */
  readonly posHi: Float64Array;
  /** Low parts of the positive weights (0 when unweighted). */
  readonly posLo: Float64Array;
  /** Σ weight of the negatives per key, as the double-double `negHi[i] + negLo[i]`. */
  readonly negHi: Float64Array;
  /** Low parts of the negative weights (0 when unweighted). */
  readonly negLo: Float64Array;
  /** Binned mode: Σ weight·score per bin (for the bin's mean score). Empty in exact mode. */
  readonly scoreHi: Float64Array;
  /** Low parts of the per-bin Σ weight·score. */
  readonly scoreLo: Float64Array;
  /**
   * Binned mode: Σ weight·(−log clipped probability of the true class), as an exact-sum state
   * (`cluster/util/exact_sum.ts`). All zeros in exact mode.
   */
  readonly logLoss: Float64Array;
  /** Binned mode: Σ weight·(score − label)², as an exact-sum state. All zeros in exact mode. */
  readonly brier: Float64Array;
  /** Rows with a positive weight. */
  readonly rows: number;
  /** Smallest score seen (`Infinity` when empty). */
  readonly minScore: number;
  /** Largest score seen (`-Infinity` when empty). */
  readonly maxScore: number;
}

/** Labels (0 or 1), scores and optional instance weights of the same length. */
export interface LabeledScores {
  /** Class labels, 0 or 1. */
  readonly labels: ArrayLike<number>;
  /** Finite scores, higher meaning more likely positive. */
  readonly scores: ArrayLike<number>;
  /** Instance weights, finite and ≥ 0. @default {1 for every row} */
  readonly weights?: ArrayLike<number> | undefined;
}

/** How scores are summarized. */
export interface SummaryOptions {
  /** Equal-width bins instead of exact distinct scores. @default {exact} */
  bins?: number | undefined;
  /** Score range of the bins (binned mode only). @default {[0, 1]} */
  range?: readonly [number, number] | undefined;
  /** Log-loss clipping epsilon, in (0, 0.5). @default {DEFAULT_LOG_LOSS_EPS} */
  eps?: number | undefined;
}

/** The resolved, validated settings of a summary. */
export interface SummaryConfig {
  /** `undefined` for exact mode. */
  readonly binning: Binning | undefined;
  /** Log-loss clipping epsilon. */
  readonly eps: number;
}

const MAX_BINS = 1 << 24;

/** Validates `options` once, at the boundary. */
export function summaryConfig(options: SummaryOptions = {}): SummaryConfig {
  const eps = options.eps ?? DEFAULT_LOG_LOSS_EPS;
  if (!(eps > 0 && eps < 0.5)) throw new RangeError(`Option "eps" must be in (0, 0.5), got ${eps}`);
  if (options.bins === undefined) {
    if (options.range !== undefined) throw new RangeError(`Option "range" needs "bins" (binned mode)`);
    return { binning: undefined, eps };
  }
  const bins = options.bins;
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BINS) {
    throw new RangeError(`Option "bins" must be an integer in [1, ${MAX_BINS}], got ${bins}`);
  }
  const [min, max] = options.range ?? [0, 1];
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max) || !Number.isFinite(max - min)) {
    throw new RangeError(`Option "range" must be finite [min, max] with min < max, got [${min}, ${max}]`);
  }
  return { binning: { bins, min, max }, eps };
}

/** The summary of no rows: the identity of {@linkcode mergeSummaries}. */
export function emptySummary(options: SummaryOptions = {}): ScoreSummary {
  return emptyOf(summaryConfig(options));
}

function emptyOf(config: SummaryConfig): ScoreSummary {
  return {
    ...config,
    keys: new Float64Array(0),
    posHi: new Float64Array(0),
    posLo: new Float64Array(0),
    negHi: new Float64Array(0),
    negLo: new Float64Array(0),
    scoreHi: new Float64Array(0),
    scoreLo: new Float64Array(0),
    logLoss: new Float64Array(EXACT_SUM_LIMBS),
    brier: new Float64Array(EXACT_SUM_LIMBS),
    rows: 0,
    minScore: Infinity,
    maxScore: -Infinity,
  };
}

/** The bin of `score` under `binning`; scores outside the range go to the end bins. */
export function binOf(binning: Binning, score: number): number {
  const { bins, min, max } = binning;
  const j = Math.floor(((score - min) / (max - min)) * bins);
  return j < 0 ? 0 : j >= bins ? bins - 1 : j;
}

/** The lower edge of bin `j`: `min + j·(max − min)/bins`. */
export function binLowerEdge(binning: Binning, j: number): number {
  return j === 0 ? binning.min : binning.min + (j * (binning.max - binning.min)) / binning.bins;
}

/** Folds labeled scores into a summary (one partition's worth; see the module documentation). */
export function summarizeScores(input: LabeledScores, options: SummaryOptions = {}): ScoreSummary {
  const config = summaryConfig(options);
  const { labels, scores, weights } = input;
  const n = labels.length;
  if (scores.length !== n || (weights !== undefined && weights.length !== n)) {
    const w = weights === undefined ? "" : `, ${weights.length} weights`;
    throw new RangeError(`Cannot summarize: ${n} labels, ${scores.length} scores${w}; lengths must match`);
  }
  for (let i = 0; i < n; i++) checkRow(input, i);
  return config.binning === undefined ? summarizeExact(input, config) : summarizeBinned(input, config);
}

function checkRow(input: LabeledScores, i: number): void {
  const y = input.labels[i], s = input.scores[i], w = input.weights?.[i];
  if (y !== 0 && y !== 1) throw new RangeError(`Label at row ${i} must be 0 or 1, got ${y}`);
  if (!Number.isFinite(s)) throw new RangeError(`Score at row ${i} must be finite, got ${s}`);
  if (w !== undefined && !(w >= 0 && w < Infinity)) {
    throw new RangeError(`Weight at row ${i} must be finite and >= 0, got ${w}`);
  }
}

function summarizeExact(input: LabeledScores, config: SummaryConfig): ScoreSummary {
  const { labels, scores, weights } = input;
  const n = labels.length;
  // The rows with a positive weight, their scores (-0 + 0 is 0: one key for both zeros).
  const row = new Uint32Array(n), kept = new Float64Array(n);
  let rows = 0;
  for (let i = 0; i < n; i++) {
    if (weights !== undefined && weights[i] === 0) continue;
    row[rows] = i;
    kept[rows++] = scores[i]! + 0;
  }
  if (rows === 0) return emptyOf(config);
  const order = sortOrder(kept.subarray(0, rows));
  let d = 1;
  for (let k = 1; k < rows; k++) if (kept[order[k]!] !== kept[order[k - 1]!]) d++;
  const keys = new Float64Array(d);
  const posHi = new Float64Array(d), posLo = new Float64Array(d);
  const negHi = new Float64Array(d), negLo = new Float64Array(d);
  let g = -1, last = NaN;
  for (let k = 0; k < rows; k++) {
    const r = order[k]!, x = kept[r]!;
    if (x !== last) keys[++g] = last = x;
    const i = row[r]!;
    if (weights === undefined) {
      // Integer counts: exact, and lo stays 0.
      if (labels[i] === 1) posHi[g]!++;
      else negHi[g]!++;
    } else if (labels[i] === 1) addPair(posHi, posLo, g, weights[i]!, 0);
    else addPair(negHi, negLo, g, weights[i]!, 0);
  }
  return {
    ...emptyOf(config),
    keys,
    posHi,
    posLo,
    negHi,
    negLo,
    rows,
    minScore: keys[0]!,
    maxScore: keys[d - 1]!,
  };
}

function summarizeBinned(input: LabeledScores, config: SummaryConfig): ScoreSummary {
  const binning = config.binning!;
  const { labels, scores, weights } = input;
  const B = binning.bins, eps = config.eps;
  // Dense per-bin state while folding; compacted to the non-empty bins at the end.
  const posHi = new Float64Array(B), posLo = new Float64Array(B);
  const negHi = new Float64Array(B), negLo = new Float64Array(B);
  const scoreHi = new Float64Array(B), scoreLo = new Float64Array(B);
  const used = new Uint8Array(B);
  const logLoss = new ExactSum(), brier = new ExactSum();
  let rows = 0, minScore = Infinity, maxScore = -Infinity;
  for (let i = 0; i < labels.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    if (w === 0) continue;
    const s = scores[i]! + 0, y = labels[i]!;
    const j = binOf(binning, s);
    used[j] = 1;
    rows++;
    if (s < minScore) minScore = s;
    if (s > maxScore) maxScore = s;
    if (y === 1) addPair(posHi, posLo, j, w, 0);
    else addPair(negHi, negLo, j, w, 0);
    addPair(scoreHi, scoreLo, j, w * s, 0);
    if (s >= 0 && s <= 1) {
      // Outside [0, 1] the scores are not probabilities and both totals go unused.
      logLoss.add(w * logLossTerm(s, y, eps));
      brier.add(w * (s - y) * (s - y));
    }
  }
  const idx: number[] = [];
  for (let j = 0; j < B; j++) if (used[j] === 1) idx.push(j);
  const pick = (a: Float64Array) => {
    const out = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]!]!;
    return out;
  };
  return {
    ...config,
    keys: new Float64Array(idx),
    posHi: pick(posHi),
    posLo: pick(posLo),
    negHi: pick(negHi),
    negLo: pick(negLo),
    scoreHi: pick(scoreHi),
    scoreLo: pick(scoreLo),
    logLoss: logLoss.state(),
    brier: brier.state(),
    rows,
    minScore,
    maxScore,
  };
}

/** `−log` of the clipped probability `score` gives to label `y` (scores outside [0, 1] are clipped too). */
export function logLossTerm(score: number, y: number, eps: number): number {
  const p = score < eps ? eps : score > 1 - eps ? 1 - eps : score;
  return y === 1 ? -Math.log(p) : -Math.log(1 - p);
}

/**
 * Adds the pair `(h, l)` into `hi[g] + lo[g]`: the arithmetic of `ddFromPair` in
 * `cluster/util/double_double.ts` (TwoSum, the small terms, TwoSum), inlined without allocation.
 * When the small terms add exactly the result is the normalized pair of the exact sum.
 */
function addPair(hi: Float64Array, lo: Float64Array, g: number, h: number, l: number): void {
  const a = hi[g]!, s = a + h, bb = s - a;
  const small = ((a - (s - bb)) + (h - bb) + lo[g]!) + l;
  const t = s + small, cc = t - s;
  hi[g] = t;
  lo[g] = (s - (t - cc)) + (small - cc);
}

/** Whether two summaries were built with the same settings (and so can merge). */
export function sameConfig(a: SummaryConfig, b: SummaryConfig): boolean {
  if (a.eps !== b.eps) return false;
  if (a.binning === undefined || b.binning === undefined) return a.binning === b.binning;
  return a.binning.bins === b.binning.bins && a.binning.min === b.binning.min &&
    a.binning.max === b.binning.max;
}

/**
 * Merges two summaries built with the same settings: keys merged in order, sums added exactly
 * (see the module documentation). Associative and commutative bit for bit.
 */
export function mergeSummaries(a: ScoreSummary, b: ScoreSummary): ScoreSummary {
  if (!sameConfig(a, b)) {
    throw new RangeError(
      `Cannot merge summaries built with different settings: ${describeConfig(a)} vs ${describeConfig(b)}`,
    );
  }
  const binned = a.binning !== undefined;
  const ka = a.keys, kb = b.keys;
  const union = new Float64Array(ka.length + kb.length);
  let d = 0;
  for (let i = 0, j = 0; i < ka.length || j < kb.length; d++) {
    if (j >= kb.length || (i < ka.length && ka[i]! < kb[j]!)) union[d] = ka[i++]!;
    else if (i >= ka.length || kb[j]! < ka[i]!) union[d] = kb[j++]!;
    else union[d] = ka[i++]!, j++;
  }
  const keys = union.slice(0, d);
  const posHi = new Float64Array(d), posLo = new Float64Array(d);
  const negHi = new Float64Array(d), negLo = new Float64Array(d);
  const scoreHi = new Float64Array(binned ? d : 0), scoreLo = new Float64Array(binned ? d : 0);
  for (const s of [a, b]) {
    // Each input's keys are a sorted subset of the merged keys: walk both in step.
    for (let i = 0, k = 0; i < s.keys.length; i++, k++) {
      while (keys[k] !== s.keys[i]) k++;
      addPair(posHi, posLo, k, s.posHi[i]!, s.posLo[i]!);
      addPair(negHi, negLo, k, s.negHi[i]!, s.negLo[i]!);
      if (binned) addPair(scoreHi, scoreLo, k, s.scoreHi[i]!, s.scoreLo[i]!);
    }
  }
  return {
    binning: a.binning,
    eps: a.eps,
    keys,
    posHi,
    posLo,
    negHi,
    negLo,
    scoreHi,
    scoreLo,
    logLoss: addStates(a.logLoss, b.logLoss),
    brier: addStates(a.brier, b.brier),
    rows: a.rows + b.rows,
    minScore: Math.min(a.minScore, b.minScore),
    maxScore: Math.max(a.maxScore, b.maxScore),
  };
}

function addStates(a: Float64Array, b: Float64Array): Float64Array {
  const sum = new ExactSum();
  sum.addState(a);
  sum.addState(b);
  return sum.state();
}

/** `exact (eps …)` or `binned N over [min, max] (eps …)`, for messages. */
export function describeConfig(config: SummaryConfig): string {
  const b = config.binning;
  const mode = b === undefined ? "exact" : `binned ${b.bins} over [${b.min}, ${b.max}]`;
  return `${mode} (eps ${config.eps})`;
}
