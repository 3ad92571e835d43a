/**
 * Permutation importance on the cluster, for any model that scores a dataset: how much a metric
 * worsens on (test) data when one source column is shuffled across all rows, breaking its link
 * with the label while keeping its distribution. Reported by source-column name.
 *
 * For each column and repeat, the column is permuted with a seeded bijection of row positions
 * (`permute_column.ts`: a function of the seed, the column name and the repeat, so the figures do
 * not depend on the partitioning), the model's `transform` scores the permuted data on the
 * executors, and {@linkcode evaluateBinary}'s exact fold measures it: one job per column and
 * repeat, no row shipped to the caller. Importance is the mean drop over the repeats (`baseline −
 * permuted` for ROC-AUC and average precision, `permuted − baseline` for log loss and Brier
 * score), so larger is more important for every metric and ~0 means unused.
 *
 * @example
 * ```ts ignore
 * const result = await permutationImportance(model, test, {
 *   columns: ["age", "euribor3m"], labelCol: "y", seed: 42,
 * });
 * result.columns[0]; // { column: "euribor3m", importance: 0.061, std: 0.004, scores: [...] }
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import type { BinaryMetrics } from "./binary_metrics.ts";
import { evaluateBinary } from "./dataset_evaluation.ts";
import { permutationKey, permuteColumn } from "./permute_column.ts";

/** Anything that scores a dataset, appending a score column. */
export interface ScoringModel {
  /** The dataset with the model's score column added (lazy). */
  transform(dataset: Dataset): Dataset;
}

/** The metrics permutation importance can measure. */
export type ImportanceMetric = "rocAuc" | "averagePrecision" | "logLoss" | "brier";

const HIGHER_IS_BETTER: Readonly<Record<ImportanceMetric, boolean>> = {
  rocAuc: true,
  averagePrecision: true,
  logLoss: false,
  brier: false,
};

/** Options of {@linkcode permutationImportance}. */
export interface PermutationImportanceOptions {
  /** Source columns to permute, one at a time. */
  columns: readonly string[];
  /** Label column of the dataset. */
  labelCol: string;
  /** The score column the model's transform adds. @default {"probability"} */
  scoreCol?: string;
  /** Instance-weight column. */
  weightCol?: string;
  /** The metric whose drop measures importance. @default {"rocAuc"} */
  metric?: ImportanceMetric;
  /** Permutations per column. @default {3} */
  repeats?: number;
  /** Seeds every permutation. */
  seed: number;
  /** Aborts between jobs and the running job. */
  signal?: AbortSignal;
  /** Progress after each column. */
  onColumn?: (result: ColumnImportance) => void;
}

/** One column's importance. */
export interface ColumnImportance {
  /** The source column. */
  readonly column: string;
  /** Mean metric drop over the repeats (larger: more important). */
  readonly importance: number;
  /** Sample standard deviation of the drop over the repeats (0 for one repeat). */
  readonly std: number;
  /** The metric after each permutation. */
  readonly scores: readonly number[];
}

/** Every column's importance, most important first. */
export interface PermutationImportanceResult {
  /** The metric measured. */
  readonly metric: ImportanceMetric;
  /** The metric on the unpermuted data. */
  readonly baseline: number;
  /** The seed of every permutation. */
  readonly seed: number;
  /** Permutations per column. */
  readonly repeats: number;
  /** Sorted by importance, descending (ties: by name). */
  readonly columns: readonly ColumnImportance[];
}

/** Permutation importance of `columns` for `model` on `dataset` (see the module documentation). */
export async function permutationImportance(
  model: ScoringModel,
  dataset: Dataset,
  options: PermutationImportanceOptions,
): Promise<PermutationImportanceResult> {
  const { labelCol, weightCol, seed, signal } = options;
  const metric = options.metric ?? "rocAuc", repeats = options.repeats ?? 3;
  const scoreCol = options.scoreCol ?? "probability";
  if (!(metric in HIGHER_IS_BETTER)) {
    throw new RangeError(`metric must be one of ${Object.keys(HIGHER_IS_BETTER)}`);
  }
  if (!Number.isSafeInteger(repeats) || repeats < 1) {
    throw new RangeError(`repeats must be an integer ≥ 1, got ${repeats}`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const columns = [...options.columns];
  if (columns.length === 0) throw new TypeError("columns must name at least one column");
  for (const c of columns) {
    if (!dataset.columns.includes(c)) throw new TypeError(`Column "${c}" is not in the dataset`);
    if (c === labelCol || c === weightCol) {
      throw new TypeError(`Cannot permute the ${c === labelCol ? "label" : "weight"} column "${c}"`);
    }
  }
  if (new Set(columns).size !== columns.length) throw new TypeError("columns must not repeat a column");
  const measure = async (data: Dataset) => {
    signal?.throwIfAborted();
    const m = await evaluateBinary(model.transform(data), { labelCol, scoreCol, weightCol, signal });
    return read(m, metric);
  };
  const baseline = await measure(dataset);
  const sign = HIGHER_IS_BETTER[metric] ? 1 : -1;
  const out: ColumnImportance[] = [];
  for (const column of columns) {
    const scores: number[] = [];
    for (let r = 0; r < repeats; r++) {
      scores.push(await measure(permuteColumn(dataset, column, { key: permutationKey(seed, column, r) })));
    }
    const drops = scores.map((s) => sign * (baseline - s));
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const variance = repeats > 1 ? drops.reduce((a, d) => a + (d - mean) ** 2, 0) / (repeats - 1) : 0;
    const result: ColumnImportance = { column, importance: mean, std: Math.sqrt(variance), scores };
    options.onColumn?.(result);
    out.push(result);
  }
  out.sort((a, b) => b.importance - a.importance || (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  return { metric, baseline, seed, repeats, columns: out };
}

function read(m: BinaryMetrics, metric: ImportanceMetric): number {
  const v = m[metric];
  if (v === undefined || Number.isNaN(v)) {
    throw new RangeError(`The ${metric} of the scored data is undefined: ${m.warnings.join("; ")}`);
  }
  return v;
}
