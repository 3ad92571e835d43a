/**
 * The two group-by shapes every EDA table and chart is made of, aggregated in the cluster so only
 * a handful of rows come back:
 * - {@linkcode segmentStats}: per segment, the row count, the count and rate of a boolean label
 *   (subscription, fraud) and the sum and mean of a value (amount);
 * - {@linkcode histogram}: pre-binned counts of a numeric column over a fixed range.
 *
 * @module
 */
import type { Row } from "../../cluster/columnar/batch.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { avg, col, type Column, count, greatest, least, sum, when } from "../../cluster/expr/column.ts";

/** One segment of a group-by. `positives`/`rate` need a label, `sum`/`mean` a value. */
export interface SegmentStat {
  /** The segment's key as text (`"(null)"` for null keys). */
  segment: string;
  /** Rows in the segment. */
  count: number;
  /** Rows whose label is true (null without a label). */
  positives: number | null;
  /** positives / count. */
  rate: number | null;
  /** Sum of the non-null values (null without a value column, or when all are null). */
  sum: number | null;
  /** Mean of the non-null values (null without a value column, or when all are null). */
  mean: number | null;
}

/** Options of {@linkcode segmentStats}. */
export interface SegmentOptions {
  /** The segment of each row (null rows form the segment `"(null)"`). */
  key: Column;
  /** A boolean column whose true rows are counted per segment. */
  label?: Column;
  /** A numeric column summed and averaged per segment. */
  value?: Column;
  /**
   * Output order: `"key"` (by segment text, numbers numerically), `"count"` (largest first), or an
   * explicit list of segments (others follow by key). @default {"key"}
   */
  order?: "key" | "count" | readonly string[];
}

const NULL_SEGMENT = "(null)";

/** Per-segment counts, label rate and value sum/mean, in one aggregation job. */
export async function segmentStats(ds: Dataset, options: SegmentOptions): Promise<SegmentStat[]> {
  const exprs: Column[] = [options.key.alias("segment")];
  if (options.label) exprs.push(options.label.cast("long").alias("__label"));
  if (options.value) exprs.push(options.value.cast("double").alias("__value"));
  const aggs = [count().alias("n")];
  if (options.label) aggs.push(sum("__label").alias("positives"));
  if (options.value) aggs.push(sum("__value").alias("total"), avg("__value").alias("mean"));
  const rows = await ds.select(...exprs).groupBy("segment").agg(...aggs).collect();
  const out = rows.map((r: Row): SegmentStat => {
    const n = Number(r["n"] ?? 0);
    const positives = options.label ? Number(r["positives"] ?? 0) : null;
    return {
      segment: r["segment"] === null || r["segment"] === undefined ? NULL_SEGMENT : String(r["segment"]),
      count: n,
      positives,
      rate: positives === null || n === 0 ? null : positives / n,
      sum: options.value ? numberOrNull(r["total"]) : null,
      mean: options.value ? numberOrNull(r["mean"]) : null,
    };
  });
  return sortSegments(out, options.order ?? "key");
}

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function compareKeys(a: string, b: string): number {
  const x = Number(a), y = Number(b);
  if (a !== "" && b !== "" && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortSegments(rows: SegmentStat[], order: "key" | "count" | readonly string[]): SegmentStat[] {
  if (order === "count") return rows.sort((a, b) => b.count - a.count || compareKeys(a.segment, b.segment));
  if (order === "key") return rows.sort((a, b) => compareKeys(a.segment, b.segment));
  const rank = new Map(order.map((s, i) => [s, i]));
  return rows.sort((a, b) => {
    const ra = rank.get(a.segment) ?? order.length, rb = rank.get(b.segment) ?? order.length;
    return ra - rb || compareKeys(a.segment, b.segment);
  });
}

/** A histogram bin `[start, end)`; the first and last bins also hold the values clipped into them. */
export interface Bin {
  /** Lower edge (inclusive). */
  start: number;
  /** Upper edge (exclusive). */
  end: number;
  /** Non-null values in the bin. */
  count: number;
}

/** Options of {@linkcode histogram}. */
export interface HistogramOptions {
  /** Lower edge of the first bin. */
  lo: number;
  /** Upper edge of the last bin. */
  hi: number;
  /** Number of bins (at most 200). @default {30} */
  bins?: number;
  /** Integer data: bin edges fall on integers (and the width is at least 1). @default {false} */
  integer?: boolean;
}

/** Bin edges `lo + i * width` for `options`, with the effective bin count and width. */
export function binLayout(options: HistogramOptions): { lo: number; width: number; bins: number } {
  const wanted = options.bins ?? 30;
  if (!Number.isSafeInteger(wanted) || wanted < 1 || wanted > 200) {
    throw new RangeError(`histogram bins must be an integer in [1, 200], got ${wanted}`);
  }
  if (!Number.isFinite(options.lo) || !Number.isFinite(options.hi) || options.hi < options.lo) {
    throw new RangeError(`histogram needs finite lo <= hi, got [${options.lo}, ${options.hi}]`);
  }
  if (options.integer) {
    const lo = Math.floor(options.lo);
    const span = Math.floor(options.hi) - lo + 1;
    const width = Math.max(1, Math.ceil(span / wanted));
    return { lo, width, bins: Math.ceil(span / width) };
  }
  const span = options.hi - options.lo;
  if (span === 0) return { lo: options.lo - 0.5, width: 1, bins: 1 };
  return { lo: options.lo, width: span / wanted, bins: wanted };
}

/**
 * Counts of `value` (numeric; nulls skipped) per bin, aggregated in the cluster: the bin index is
 * computed per row, clipped to the first/last bin, and grouped. Every bin is returned, empty ones
 * with count 0.
 */
export async function histogram(ds: Dataset, value: Column, options: HistogramOptions): Promise<Bin[]> {
  const { lo, width, bins } = binLayout(options);
  const x = value.cast("double");
  // least/greatest skip nulls, so keep null values null explicitly.
  const index = when(x.isNotNull(), least(greatest(x.minus(lo).div(width).floor(), 0), bins - 1));
  const rows = await ds
    .select(index.alias("bin"))
    .filter(col("bin").isNotNull())
    .groupBy("bin")
    .agg(count().alias("n"))
    .collect();
  const counts = new Float64Array(bins);
  for (const r of rows) counts[Number(r["bin"])] = Number(r["n"]);
  return Array.from(counts, (n, i) => ({ start: lo + i * width, end: lo + (i + 1) * width, count: n }));
}
