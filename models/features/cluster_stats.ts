/**
 * The statistics feature stages learn, computed on the cluster with the Dataset API: one
 * aggregation job per call whatever the number of columns, and only aggregated rows come back.
 * Several columns are counted in one `groupBy` by stacking them (a `union` of
 * `(column number, value)` projections), so a 10-column indexer is one job.
 *
 * Missing values are null and, in number columns, NaN: statistics of numbers ignore both.
 *
 * @module
 */
import type { Scalar } from "../../cluster/columnar/batch.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { avg, type Column, count, lit, max, min, stddev, when } from "../../cluster/expr/column.ts";

/** How often each value of a column occurs. */
export interface ValueCounts {
  /** Non-null values and their counts (NaN counts as a value here; callers drop it). */
  readonly counts: Map<string | number | boolean, number>;
  /** Rows where the column is null. */
  readonly nulls: number;
}

/** `c` with NaN turned into null (so aggregates skip it). */
export function nanToNull(c: Column): Column {
  return when(c.eq(c), c);
}

/** The value counts of each of `columns` (all of one engine type) in one job. */
export async function valueCounts(
  dataset: Dataset,
  columns: readonly Column[],
  options: { signal?: AbortSignal | undefined } = {},
): Promise<ValueCounts[]> {
  if (columns.length === 0) return [];
  const parts = columns.map((c, j) => dataset.select(lit(j).alias("__f"), c.alias("__v")));
  const stacked = parts.length === 1 ? parts[0]! : parts[0]!.union(...parts.slice(1));
  const rows = await stacked.groupBy("__f", "__v").agg(count().alias("__n")).collect({
    signal: options.signal,
  });
  const out = columns.map(() => ({ counts: new Map<string | number | boolean, number>(), nulls: 0 }));
  for (const row of rows) {
    const slot = out[Number(row["__f"])]!;
    const v: Scalar = row["__v"] ?? null, n = Number(row["__n"]);
    if (v === null) slot.nulls += n;
    else slot.counts.set(v, n);
  }
  return out;
}

/** Count of non-missing values, mean, sample standard deviation, min and max of a number column. */
export interface Moments {
  readonly count: number;
  /** `undefined` when the column has no values. */
  readonly mean: number | undefined;
  /** `undefined` with fewer than two values. */
  readonly std: number | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
}

/** The moments of each of `columns` (doubles) in one aggregation. */
export async function moments(
  dataset: Dataset,
  columns: readonly Column[],
  options: { signal?: AbortSignal | undefined } = {},
): Promise<Moments[]> {
  if (columns.length === 0) return [];
  const aggs = columns.flatMap((c, j) => {
    const v = nanToNull(c);
    return [
      count(v).alias(`n${j}`),
      avg(v).alias(`mean${j}`),
      stddev(v).alias(`std${j}`),
      min(v).alias(`min${j}`),
      max(v).alias(`max${j}`),
    ];
  });
  const [row] = await dataset.agg(...aggs).collect({ signal: options.signal });
  const num = (k: string): number | undefined => {
    const v = row?.[k];
    return typeof v === "number" && !Number.isNaN(v) ? v : undefined;
  };
  return columns.map((_, j) => ({
    count: num(`n${j}`) ?? 0,
    mean: num(`mean${j}`),
    std: num(`std${j}`),
    min: num(`min${j}`),
    max: num(`max${j}`),
  }));
}
