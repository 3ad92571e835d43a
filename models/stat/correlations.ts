/**
 * Pearson correlations between numeric columns in ONE aggregation job.
 *
 * Each column is centered at its mean (from the summary statistics, or a first small job) before
 * the sums: with `a = x - cx`, `b = y - cy`, `r = (Σab - Σa·Σb/n) / √((Σa² - (Σa)²/n)(Σb² - (Σb)²/n))`.
 * The formula holds for any constants, but the cluster returns each double-double sum rounded to
 * one double, so uncentered sums of large values (timestamps: Σx² ~ 1e30) would cancel away every
 * digit of the variance; around the means the correction terms are tiny. The sums are
 * order-independent, so the result does not depend on partitioning.
 *
 * Columns are cast to double before any arithmetic (int × int would wrap at 32 bits). Nulls are
 * handled pairwise (like SQL `corr`): a pair uses the rows where both values are present; columns
 * known to have no nulls share their per-column sums across pairs.
 *
 * @module
 */
import type { Field, Row } from "../../cluster/columnar/batch.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { type AggColumn, avg, col, type Column, count, sum, when } from "../../cluster/expr/column.ts";

/** Correlation of one pair over the rows where both are present. */
export interface CorrelationPair {
  /** The first column. */
  a: string;
  /** The second column. */
  b: string;
  /** Pearson r, or null when a column is constant over those rows (or fewer than 2 rows). */
  r: number | null;
  /** Rows where both columns are non-null. */
  n: number;
}

/** The symmetric matrix (diagonal 1, or null for a constant column) and the pairs it came from. */
export interface CorrelationResult {
  /** The columns, in the order of the matrix rows and columns. */
  columns: string[];
  /** `matrix[i][j]` is r of `columns[i]` and `columns[j]`. */
  matrix: (number | null)[][];
  /** Every pair `i < j`, with the rows it used. */
  pairs: CorrelationPair[];
}

/** Options of {@linkcode correlations}. */
export interface CorrelationOptions {
  /** Columns to correlate. @default {every int, long, double and bool column} */
  columns?: readonly string[];
  /** The constant each column is centered at (its mean); missing ones are computed by a first job. */
  centers?: Readonly<Record<string, number>>;
  /** Columns known to hold no nulls (their schema field is non-nullable, or the summary says so). */
  noNulls?: readonly string[];
}

const CORRELATABLE = new Set(["int", "long", "double", "bool"]);

/** The default columns: numeric and bool ones. */
export function numericColumns(schema: readonly Field[]): string[] {
  return schema.filter((f) => CORRELATABLE.has(f.type)).map((f) => f.name);
}

/** Pearson r from centered sums over `n` rows (null when undefined). */
export function pearsonFromSums(
  s: { n: number; a: number; b: number; aa: number; bb: number; ab: number },
): number | null {
  if (s.n < 2) return null;
  const cov = s.ab - (s.a * s.b) / s.n;
  const va = s.aa - (s.a * s.a) / s.n;
  const vb = s.bb - (s.b * s.b) / s.n;
  if (!(va > 0 && vb > 0)) return null;
  const r = cov / Math.sqrt(va * vb);
  return Math.max(-1, Math.min(1, r));
}

/** Pearson correlations of every pair of `columns`, in one aggregation job (plus one for missing centers). */
export async function correlations(
  ds: Dataset,
  options: CorrelationOptions = {},
): Promise<CorrelationResult> {
  const names = [...(options.columns ?? numericColumns(ds.schema))];
  for (const name of names) {
    const f = ds.schema.find((x) => x.name === name);
    if (f === undefined || !CORRELATABLE.has(f.type)) {
      throw new RangeError(`Cannot correlate column "${name}": it is missing or not numeric`);
    }
  }
  const centers: Record<string, number> = { ...options.centers };
  const missing = names.filter((n) => !(Number.isFinite(centers[n])));
  if (missing.length > 0) {
    const [row] = await ds.agg(...missing.map((n, i) => avg(col(n).cast("double")).alias(`m${i}`))).collect();
    missing.forEach((n, i) => centers[n] = Number(row?.[`m${i}`] ?? 0) || 0);
  }
  const complete = new Set([
    ...ds.schema.filter((f) => !f.nullable).map((f) => f.name),
    ...(options.noNulls ?? []),
  ]);
  const d = names.map((n) => col(n).cast("double").minus(centers[n]!));
  const aggs: AggColumn[] = [count().alias("rows")];
  names.forEach((n, i) => {
    if (!complete.has(n)) return;
    aggs.push(sum(d[i]!).alias(`s${i}`), sum(d[i]!.times(d[i]!)).alias(`q${i}`));
  });
  const pairIndex: [number, number][] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      pairIndex.push([i, j]);
      const k = pairIndex.length - 1;
      const di = d[i]!, dj = d[j]!;
      aggs.push(sum(di.times(dj)).alias(`p${k}_ab`), count(di.times(dj)).alias(`p${k}_n`));
      if (complete.has(names[i]!) && complete.has(names[j]!)) continue;
      const both = col(names[i]!).isNotNull().and(col(names[j]!).isNotNull());
      const onlyBoth = (x: Column) => when(both, x);
      aggs.push(
        sum(onlyBoth(di)).alias(`p${k}_a`),
        sum(onlyBoth(dj)).alias(`p${k}_b`),
        sum(onlyBoth(di.times(di))).alias(`p${k}_aa`),
        sum(onlyBoth(dj.times(dj))).alias(`p${k}_bb`),
      );
    }
  }
  const [row] = await ds.agg(...aggs).collect();
  if (row === undefined) throw new RangeError("Cannot correlate: the aggregation returned no row");
  return assemble(names, pairIndex, row, complete);
}

function assemble(
  names: string[],
  pairIndex: [number, number][],
  row: Row,
  complete: ReadonlySet<string>,
): CorrelationResult {
  const v = (key: string): number => Number(row[key] ?? 0) || 0;
  const rows = v("rows");
  const matrix = names.map((_, i) => names.map((_, j) => (i === j ? 1 : null) as number | null));
  const pairs: CorrelationPair[] = pairIndex.map(([i, j], k) => {
    const shared = complete.has(names[i]!) && complete.has(names[j]!);
    const n = v(`p${k}_n`);
    const r = pearsonFromSums({
      n,
      ab: v(`p${k}_ab`),
      a: shared ? v(`s${i}`) : v(`p${k}_a`),
      b: shared ? v(`s${j}`) : v(`p${k}_b`),
      aa: shared ? v(`q${i}`) : v(`p${k}_aa`),
      bb: shared ? v(`q${j}`) : v(`p${k}_bb`),
    });
    matrix[i]![j] = r;
    matrix[j]![i] = r;
    return { a: names[i]!, b: names[j]!, r, n };
  });
  // A constant column has no correlation, not even with itself.
  names.forEach((name, i) => {
    if (complete.has(name) && rows > 0) {
      const variance = v(`q${i}`) - v(`s${i}`) ** 2 / rows;
      if (!(variance > 0)) matrix[i]![i] = null;
    }
  });
  return { columns: names, matrix, pairs };
}
