/**
 * Seeded random data for the tree tests.
 *
 * @module
 */
import { CounterRandom } from "../../../../cluster/util/seeded_random.ts";

/** A sequential uniform generator in (0, 1) for `seed`. */
export function uniforms(seed: number): () => number {
  const rng = new CounterRandom(seed, 99);
  let i = 0;
  return () => rng.at(i++).float(0);
}

/** A random integer in [0, n). */
export function below(u: () => number, n: number): number {
  return Math.floor(u() * n);
}

/** A labelled dataset of numeric and categorical columns (`NaN` missing). */
export interface Sample {
  columns: Float64Array[];
  labels: Float64Array;
}

/**
 * `rows` rows: features 0 and 1 numeric in [-1, 1] (10 % missing unless `missing: false`), feature
 * 2 categorical with codes 0..5 (5 % missing), feature 3 pure noise; label = XOR of the signs of 0 and 1, flipped
 * for categories 4 and 5, plus `noise` label flips.
 */
export function xorSample(
  rows: number,
  options: { seed: number; noise?: number; missing?: boolean },
): Sample {
  const u = uniforms(options.seed);
  const noise = options.noise ?? 0;
  const missing = options.missing ?? true;
  const columns = [0, 1, 2, 3].map(() => new Float64Array(rows));
  const labels = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const x0 = 2 * u() - 1, x1 = 2 * u() - 1, c = below(u, 6), z = u();
    columns[0]![i] = u() < 0.1 && missing ? NaN : x0;
    columns[1]![i] = u() < 0.1 && missing ? NaN : x1;
    columns[2]![i] = u() < 0.05 && missing ? NaN : c;
    columns[3]![i] = z;
    let y = (x0 > 0) !== (x1 > 0) ? 1 : 0;
    if (c >= 4) y = 1 - y;
    if (u() < noise) y = 1 - y;
    labels[i] = y;
  }
  return { columns, labels };
}

/** Rows `[begin, end)` of every column. */
export function sliceColumns(columns: readonly Float64Array[], begin: number, end: number): Float64Array[] {
  return columns.map((c) => c.slice(begin, end));
}

/** ROC-AUC by the rank-sum formula, ties counted half. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0, pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && scores[idx[j]!] === scores[idx[i]!]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) {
      if (labels[idx[k]!] === 1) {
        rankSum += rank;
        pos++;
      }
    }
    i = j;
  }
  const neg = idx.length - pos;
  return (rankSum - pos * (pos + 1) / 2) / (pos * neg);
}

/** The kinds of the {@linkcode xorSample} features. */
export const XOR_KINDS = ["numeric", "numeric", "categorical", "numeric"] as const;
