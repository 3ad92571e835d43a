/**
 * Frontier's models: statistics and (next) learning algorithms that run on a `Dataset`
 * in the cluster and bring back only small results.
 *
 * Today it holds the summary statistics of exploratory analysis, each computed by one
 * aggregation job whatever the number of columns: {@linkcode summaryStats} (count, nulls,
 * distinct, mean, standard deviation, quantiles per column), {@linkcode correlations} (Pearson,
 * every pair), {@linkcode segmentStats} (per-segment counts, label rates and means) and
 * {@linkcode histogram}.
 *
 * @example Per-segment rates and a correlation
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier } from "@frontier/frontier";
 * import { correlations, segmentStats } from "@frontier/frontier/models";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const ds = fx.range(0, 100, { partitions: 2 })
 *   .withColumn("even", col("id").mod(2).eq(0))
 *   .withColumn("double", col("id").times(2));
 *
 * const segments = await segmentStats(ds, { key: col("id").lt(50), label: col("even") });
 * assert.deepEqual(segments.map((s) => [s.segment, s.count, s.rate]), [["false", 50, 0.5], ["true", 50, 0.5]]);
 *
 * const { matrix } = await correlations(ds, { columns: ["id", "double"] });
 * assert.equal(matrix[0]![1], 1);
 * ```
 *
 * @module
 */
export {
  type CorrelationOptions,
  type CorrelationPair,
  type CorrelationResult,
  correlations,
  numericColumns,
} from "./stat/correlations.ts";
export {
  type Bin,
  histogram,
  type HistogramOptions,
  type SegmentOptions,
  type SegmentStat,
  segmentStats,
} from "./stat/segment_rates.ts";
export {
  type ColumnKind,
  columnKind,
  type ColumnSummary,
  EXACT_DISTINCT_MAX_ROWS,
  SUMMARY_HEADERS,
  SUMMARY_QUANTILES,
  type SummaryOptions,
  summaryRows,
  summaryStats,
  type SummaryTable,
} from "./stat/summary_stats.ts";
