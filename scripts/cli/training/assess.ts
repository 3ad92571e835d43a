/**
 * The evaluation steps of `frontier train` and `frontier evaluate`, on the cluster: the
 * threshold by max F1 on validation rows, every metric of `models/evaluation` on test rows at that
 * threshold (flattened into the record saved in `model.json` and printed, so `evaluate`
 * reproduces it exactly), permutation importance on test rows by source column, and the numeric
 * features whose test values fall outside the training range.
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import { col, count, max, min, when } from "../../../cluster/expr/column.ts";
import type { BinaryMetrics } from "../../../models/evaluation/binary_metrics.ts";
import { chooseThresholdOn, evaluateBinary } from "../../../models/evaluation/dataset_evaluation.ts";
import type { OperatingPoint } from "../../../models/evaluation/operating_point.ts";
import {
  permutationImportance,
  type PermutationImportanceResult,
  type ScoringModel,
} from "../../../models/evaluation/permutation_importance.ts";
import { LABEL01 } from "./features.ts";

/** The threshold with the best F1 on `scored` rows (the validation rows). */
export async function chooseF1Threshold(scored: Dataset, signal?: AbortSignal): Promise<OperatingPoint> {
  return await chooseThresholdOn(scored, {
    labelCol: LABEL01,
    scoreCol: "probability",
    rule: { by: "f1" },
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Bootstrap replicates behind the metrics' confidence intervals (fewer on large test sets). */
export const BOOTSTRAP_REPLICATES = 1000;

/**
 * Every metric of `scored` rows at `threshold`, with 95 % bootstrap intervals
 * ({@linkcode BOOTSTRAP_REPLICATES} Poisson replicates seeded by `seed`, down to 100 so that
 * replicates × distinct scores stays within 2·10⁷, about 4 s).
 */
export async function metricsAt(
  scored: Dataset,
  threshold: number,
  options: { seed?: number; signal?: AbortSignal | undefined } = {},
): Promise<BinaryMetrics> {
  return await evaluateBinary(scored, {
    labelCol: LABEL01,
    scoreCol: "probability",
    threshold,
    bootstrap: { replicates: BOOTSTRAP_REPLICATES, seed: options.seed ?? 0, maxDraws: 2e7 },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** The bootstrap intervals of `m` as `{ metric: [lo, hi] }` (empty without intervals). */
export function intervalsRecord(m: BinaryMetrics): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [name, i] of Object.entries(m.intervals?.intervals ?? {})) out[name] = [i.lo, i.hi];
  return out;
}

/**
 * The metrics as one flat record (what `model.json` keeps and the summaries print): threshold-free
 * figures, the operating point at `threshold` (of the positive class), and the same figures for
 * the minority class, beside the majority baseline.
 */
export function metricsRecord(m: BinaryMetrics, threshold: number): Record<string, number> {
  const p = m.atThreshold, { tp, fp, tn, fn } = p.confusion;
  const minority = m.baseline.label === 1 ? 0 : 1;
  const [mtp, mfp, mfn] = minority === 1 ? [tp, fp, fn] : [tn, fn, fp];
  const top10 = m.lift.find((l) => l.percent === 10);
  const out: Record<string, number> = {
    rows: m.rows,
    positives: m.positives,
    positiveRate: m.positiveRate,
    rocAuc: m.rocAuc,
    averagePrecision: m.averagePrecision,
  };
  if (m.logLoss !== undefined) out.logLoss = m.logLoss;
  if (m.brier !== undefined) out.brier = m.brier;
  if (m.calibration !== undefined) out.ece = m.calibration.ece;
  Object.assign(out, {
    threshold,
    accuracy: p.accuracy,
    baselineAccuracy: m.baseline.accuracy,
    precision: p.precision,
    recall: p.recall,
    f1: p.f1,
    tp,
    fp,
    tn,
    fn,
    minorityClass: minority,
    minorityPrecision: mtp / (mtp + mfp),
    minorityRecall: mtp / (mtp + mfn),
    minorityF1: (2 * mtp) / (2 * mtp + mfp + mfn),
  });
  if (top10 !== undefined) out.liftTop10 = top10.lift;
  return out;
}

/** Permutation importance of `columns` on the test rows (ROC-AUC drop). */
export async function importanceOnTest(
  model: ScoringModel,
  test: Dataset,
  options: {
    columns: readonly string[];
    seed: number;
    repeats: number;
    log: (line: string) => void;
    signal?: AbortSignal | undefined;
  },
): Promise<PermutationImportanceResult> {
  return await permutationImportance(model, test, {
    columns: options.columns,
    labelCol: LABEL01,
    seed: options.seed,
    repeats: options.repeats,
    onColumn: (c) => options.log(`importance: ${c.column} ${c.importance.toFixed(4)} ± ${c.std.toFixed(4)}`),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** A numeric feature whose test values leave the training range. */
export interface OutOfRange {
  /** The source column. */
  readonly column: string;
  /** Smallest training value. */
  readonly trainMin: number;
  /** Largest training value. */
  readonly trainMax: number;
  /** Smallest test value. */
  readonly testMin: number;
  /** Largest test value. */
  readonly testMax: number;
  /** Test rows below the training minimum. */
  readonly below: number;
  /** Test rows above the training maximum. */
  readonly above: number;
  /** Share of the test rows outside the training range. */
  readonly share: number;
}

/**
 * The `columns` (numeric) whose values in `test` fall outside their range in `train`: two
 * aggregation jobs (the training range, then the test range and the rows outside it).
 */
export async function outOfRange(
  train: Dataset,
  test: Dataset,
  columns: readonly string[],
): Promise<OutOfRange[]> {
  if (columns.length === 0) return [];
  const num = (c: string) => col(c).cast("double");
  const [r] = await train.agg(
    ...columns.flatMap((c, i) => [min(num(c)).alias(`lo${i}`), max(num(c)).alias(`hi${i}`)]),
  ).collect();
  const ranges = columns.map((column, i) => ({
    column,
    lo: Number(r?.[`lo${i}`] ?? NaN),
    hi: Number(r?.[`hi${i}`] ?? NaN),
  })).filter((x) => Number.isFinite(x.lo) && Number.isFinite(x.hi));
  if (ranges.length === 0) return [];
  const [t] = await test.agg(
    count().alias("n"),
    ...ranges.flatMap(({ column, lo, hi }, i) => [
      min(num(column)).alias(`lo${i}`),
      max(num(column)).alias(`hi${i}`),
      count(when(num(column).lt(lo), 1)).alias(`below${i}`),
      count(when(num(column).gt(hi), 1)).alias(`above${i}`),
    ]),
  ).collect();
  const n = Number(t?.["n"] ?? 0);
  const out: OutOfRange[] = [];
  ranges.forEach(({ column, lo, hi }, i) => {
    const below = Number(t?.[`below${i}`] ?? 0), above = Number(t?.[`above${i}`] ?? 0);
    if (below + above === 0) return;
    out.push({
      column,
      trainMin: lo,
      trainMax: hi,
      testMin: Number(t?.[`lo${i}`]),
      testMax: Number(t?.[`hi${i}`]),
      below,
      above,
      share: n > 0 ? (below + above) / n : 0,
    });
  });
  return out;
}
