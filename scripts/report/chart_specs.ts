/**
 * Vega-lite spec builders for Frontier's report charts. Each takes a small, already aggregated
 * result (the cluster aggregates; only the summary comes back) and returns a spec with the data
 * inline, ready for {@linkcode renderChart} in `chart.ts`.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";

/** Rows a chart accepts; aggregate in the cluster before charting. */
export const MAX_CHART_ROWS = 5_000;

/** Title and size shared by every builder. */
export interface ChartSpecOptions {
  /** Chart title. */
  title: string;
  /** Plot width in pixels. @default {480} */
  width?: number;
  /** Plot height in pixels. @default {240} */
  height?: number;
}

/** One pre-binned histogram bin, `[start, end)`. */
export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

/** Options of {@linkcode distributionSpec}. */
export interface DistributionOptions extends ChartSpecOptions {
  /** Title of the value axis. */
  valueTitle: string;
  /** Title of the count axis. @default {"Count"} */
  countTitle?: string;
}

/**
 * A histogram of pre-binned counts.
 * @throws {RangeError} for non-finite numbers, `end <= start`, negative counts or too many bins.
 */
export function distributionSpec(bins: readonly HistogramBin[], options: DistributionOptions): TopLevelSpec {
  checkRows("distributionSpec", bins);
  for (const [i, bin] of bins.entries()) {
    checkFinite("distributionSpec", `bins[${i}]`, { start: bin.start, end: bin.end, count: bin.count });
    if (bin.end <= bin.start || bin.count < 0) {
      throw new RangeError(`distributionSpec: bins[${i}] needs start < end and count >= 0`);
    }
  }
  return {
    ...frame(options),
    data: { values: bins.map((b) => ({ start: b.start, end: b.end, count: b.count })) },
    mark: { type: "bar", binSpacing: 1, color: "#4c78a8" },
    encoding: {
      x: { field: "start", type: "quantitative", bin: { binned: true }, title: options.valueTitle },
      x2: { field: "end" },
      y: { field: "count", type: "quantitative", title: options.countTitle ?? "Count" },
      tooltip: [
        { field: "start", type: "quantitative", title: "from" },
        { field: "end", type: "quantitative", title: "to" },
        { field: "count", type: "quantitative", title: "count", format: "," },
      ],
    },
  };
}

/** A rate (e.g. click-through, churn) in one segment, with the rows behind it. */
export interface SegmentRate {
  segment: string;
  rate: number;
  count: number;
}

/** Options of {@linkcode rateBySegmentSpec}. */
export interface RateBySegmentOptions extends ChartSpecOptions {
  /** Title of the segment axis. */
  segmentTitle: string;
  /** Title of the rate axis. */
  rateTitle: string;
  /** Show rates as percentages (rates in [0, 1]). @default {true} */
  percent?: boolean;
}

/**
 * Bars of the rate per segment, each labelled with its row count (`n=1,234`) so a high rate on
 * few rows is visible as such.
 * @throws {RangeError} for non-finite numbers, negative counts or too many segments.
 */
export function rateBySegmentSpec(rows: readonly SegmentRate[], options: RateBySegmentOptions): TopLevelSpec {
  checkRows("rateBySegmentSpec", rows);
  for (const [i, row] of rows.entries()) {
    checkFinite("rateBySegmentSpec", `rows[${i}]`, { rate: row.rate, count: row.count });
    if (row.count < 0) throw new RangeError(`rateBySegmentSpec: rows[${i}].count must be >= 0`);
  }
  const format = options.percent ?? true ? ".1%" : ",.3~f";
  const maxRate = Math.max(0, ...rows.map((r) => r.rate));
  const values = rows.map((r) => ({
    segment: r.segment,
    rate: r.rate,
    count: r.count,
    label: `n=${r.count.toLocaleString("en-US")}`,
  }));
  return {
    ...frame(options),
    data: { values },
    encoding: {
      x: {
        field: "segment",
        type: "nominal",
        title: options.segmentTitle,
        sort: null,
        // Long or many labels collide when horizontal.
        axis: { labelAngle: rows.length > 8 || rows.some((r) => r.segment.length > 10) ? -35 : 0 },
      },
      y: {
        field: "rate",
        type: "quantitative",
        title: options.rateTitle,
        axis: { format },
        // Head-room so the count label above the tallest bar stays inside the plot.
        ...(maxRate > 0 ? { scale: { domainMax: maxRate * 1.12 } } : {}),
      },
      tooltip: [
        { field: "segment", type: "nominal" },
        { field: "rate", type: "quantitative", format },
        { field: "count", type: "quantitative", format: "," },
      ],
    },
    layer: [
      { mark: { type: "bar", color: "#4c78a8" } },
      {
        mark: { type: "text", dy: -6, baseline: "bottom", fontSize: 10, color: "#333333" },
        encoding: { text: { field: "label", type: "nominal" } },
      },
    ],
  };
}

/** One point of a time series. `time` is epoch milliseconds or an ISO-8601 string (UTC). */
export interface TrendPoint {
  time: number | string;
  value: number;
  /** Series name, for several lines in one chart. */
  series?: string;
}

/** Options of {@linkcode trendSpec}. */
export interface TrendOptions extends ChartSpecOptions {
  /** Title of the value axis. */
  valueTitle: string;
  /** Title of the time axis. @default {"Time (UTC)"} */
  timeTitle?: string;
}

/**
 * Lines over time (one per `series`), shown in UTC so the chart does not depend on the machine's
 * time zone.
 * @throws {RangeError} for non-finite values, unparseable times or too many points.
 */
export function trendSpec(points: readonly TrendPoint[], options: TrendOptions): TopLevelSpec {
  checkRows("trendSpec", points);
  for (const [i, p] of points.entries()) {
    checkFinite("trendSpec", `points[${i}]`, { value: p.value });
    const ms = typeof p.time === "number" ? p.time : Date.parse(p.time);
    if (!Number.isFinite(ms)) throw new RangeError(`trendSpec: points[${i}].time is not a valid time`);
  }
  const hasSeries = points.some((p) => p.series !== undefined);
  const values = points.map((p) => ({
    time: typeof p.time === "number" ? p.time : Date.parse(p.time),
    value: p.value,
    series: p.series ?? "value",
  }));
  return {
    ...frame(options),
    data: { values },
    mark: { type: "line", point: true, strokeWidth: 2 },
    encoding: {
      x: {
        field: "time",
        type: "temporal",
        title: options.timeTitle ?? "Time (UTC)",
        scale: { type: "utc" },
      },
      y: { field: "value", type: "quantitative", title: options.valueTitle },
      ...(hasSeries ? { color: { field: "series", type: "nominal", title: "Series" } } : {}),
      tooltip: [
        { field: "time", type: "temporal", format: "%Y-%m-%d %H:%M", formatType: "utc" },
        { field: "value", type: "quantitative", format: ",.4~g" },
        { field: "series", type: "nominal" },
      ],
    },
  };
}

/** One cell of a correlation matrix. */
export interface CorrelationCell {
  row: string;
  col: string;
  /** Correlation in [-1, 1]. */
  value: number;
}

/**
 * A correlation heatmap with the value printed in each cell (diverging colours fixed to [-1, 1]).
 * @throws {RangeError} for values outside [-1, 1] or too many cells.
 */
export function correlationHeatmapSpec(
  cells: readonly CorrelationCell[],
  options: ChartSpecOptions,
): TopLevelSpec {
  checkRows("correlationHeatmapSpec", cells);
  for (const [i, c] of cells.entries()) {
    checkFinite("correlationHeatmapSpec", `cells[${i}]`, { value: c.value });
    if (c.value < -1 || c.value > 1) {
      throw new RangeError(`correlationHeatmapSpec: cells[${i}].value ${c.value} is outside [-1, 1]`);
    }
  }
  const order = [...new Set(cells.flatMap((c) => [c.row, c.col]))];
  const side = Math.min(options.width ?? 360, options.height ?? 360);
  return {
    title: options.title,
    width: side,
    height: side,
    background: "white",
    data: { values: cells.map((c) => ({ row: c.row, col: c.col, value: c.value })) },
    encoding: {
      x: { field: "col", type: "nominal", title: null, sort: order, axis: { labelAngle: -40 } },
      y: { field: "row", type: "nominal", title: null, sort: order },
    },
    layer: [
      {
        mark: { type: "rect" },
        encoding: {
          color: {
            field: "value",
            type: "quantitative",
            title: "r",
            scale: { scheme: "redblue", domain: [-1, 1], reverse: true },
          },
          tooltip: [
            { field: "row", type: "nominal" },
            { field: "col", type: "nominal" },
            { field: "value", type: "quantitative", format: ".3f" },
          ],
        },
      },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: {
          text: { field: "value", type: "quantitative", format: ".2f" },
          color: {
            condition: { test: "abs(datum.value) > 0.6", value: "white" },
            value: "#111111",
          },
        },
      },
    ],
  };
}

/** How long one variant of a partitioning experiment took. */
export interface PartitionTiming {
  /** Partition count (or label). */
  partitions: number | string;
  /** Variant name, e.g. `"hash"`, `"range"`, `"broadcast"`. */
  variant: string;
  /** Wall time in milliseconds. */
  ms: number;
}

/** Options of {@linkcode partitionTimingsSpec}. */
export interface PartitionTimingsOptions extends ChartSpecOptions {
  /** Title of the partition axis. @default {"Partitions"} */
  partitionsTitle?: string;
}

/**
 * Grouped bars: one group per partition count, one bar per variant, height = milliseconds.
 * @throws {RangeError} for non-finite or negative timings or too many rows.
 */
export function partitionTimingsSpec(
  rows: readonly PartitionTiming[],
  options: PartitionTimingsOptions,
): TopLevelSpec {
  checkRows("partitionTimingsSpec", rows);
  for (const [i, r] of rows.entries()) {
    checkFinite("partitionTimingsSpec", `rows[${i}]`, { ms: r.ms });
    if (r.ms < 0) throw new RangeError(`partitionTimingsSpec: rows[${i}].ms must be >= 0`);
  }
  const order = [...new Set(rows.map((r) => String(r.partitions)))];
  if (rows.every((r) => typeof r.partitions === "number")) order.sort((a, b) => Number(a) - Number(b));
  return {
    ...frame(options),
    data: { values: rows.map((r) => ({ partitions: String(r.partitions), variant: r.variant, ms: r.ms })) },
    mark: { type: "bar" },
    encoding: {
      x: {
        field: "partitions",
        type: "ordinal",
        title: options.partitionsTitle ?? "Partitions",
        sort: order,
        axis: { labelAngle: 0 },
      },
      xOffset: { field: "variant", type: "nominal" },
      y: { field: "ms", type: "quantitative", title: "Time (ms)" },
      color: { field: "variant", type: "nominal", title: "Variant" },
      tooltip: [
        { field: "partitions", type: "ordinal" },
        { field: "variant", type: "nominal" },
        { field: "ms", type: "quantitative", format: ",.1f" },
      ],
    },
  };
}

/** Title, size and white background: the frame every builder starts from. */
export function frame(
  options: ChartSpecOptions,
): { title: string; width: number; height: number; background: string } {
  return {
    title: options.title,
    width: options.width ?? 480,
    height: options.height ?? 240,
    background: "white",
  };
}

/** @throws {RangeError} when `rows` exceed {@linkcode MAX_CHART_ROWS}. */
export function checkRows(builder: string, rows: readonly unknown[]): void {
  if (rows.length > MAX_CHART_ROWS) {
    throw new RangeError(
      `${builder}: ${rows.length} rows exceed ${MAX_CHART_ROWS}; aggregate in the cluster and chart the summary`,
    );
  }
}

/** @throws {RangeError} naming the first field of `fields` that is not finite. */
export function checkFinite(builder: string, where: string, fields: Record<string, number>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (!Number.isFinite(value)) {
      throw new RangeError(`${builder}: ${where}.${name} must be finite, got ${value}`);
    }
  }
}
