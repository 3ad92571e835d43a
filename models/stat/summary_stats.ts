/**
 * Summary statistics for every column of a dataset, computed by ONE aggregation job: a single
 * `agg(...)` holding all the aggregates of all the columns, so the data is read once whatever the
 * number of columns or statistics.
 *
 * Per column: count (non-null), nulls, distinct (exact, or HyperLogLog for large inputs), min, max;
 * numeric, bool (as 0/1) and temporal columns add mean, standard deviation (sample) and approximate
 * quantiles (1%, 25%, 50%, 75%, 99%; relative error 1%). Strings get count, nulls, distinct, min and
 * max only. Dates and timestamps are reported as ISO text; their standard deviation is in days.
 *
 * @example
 * ```ts ignore
 * import { summaryStats } from "./summary_stats.ts";
 * const table = await summaryStats(dataset, { distinct: "approx" });
 * console.table(table.columns);
 * ```
 *
 * @module
 */
import type { DataType, Field, Row, Scalar } from "../../cluster/columnar/batch.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import {
  type AggColumn,
  approxCountDistinct,
  approxQuantile,
  avg,
  col,
  type Column,
  count,
  countDistinct,
  max,
  min,
  stddev,
} from "../../cluster/expr/column.ts";

/** The quantiles every numeric column gets (the 1% and 99% ones bound histograms). */
export const SUMMARY_QUANTILES: readonly number[] = [0.01, 0.25, 0.5, 0.75, 0.99];
/** Above this many rows, `distinct: "auto"` counts distinct values with HyperLogLog. */
export const EXACT_DISTINCT_MAX_ROWS = 200_000;
const MS_PER_DAY = 86_400_000;

/** The statistics of one column. Temporal values are ISO text; missing statistics are `null`. */
export interface ColumnSummary {
  /** Column name. */
  column: string;
  /** Column type. */
  type: DataType;
  /** Non-null values. */
  count: number;
  /** Null values. */
  nulls: number;
  /** Distinct non-null values. */
  distinct: number;
  /** Whether `distinct` is a HyperLogLog estimate. */
  distinctApprox: boolean;
  /** Mean (bools as 0/1; temporal columns as ISO text); null for strings. */
  mean: number | string | null;
  /** Sample standard deviation (in days for dates and timestamps); null for strings. */
  std: number | null;
  /** Smallest value. */
  min: Scalar;
  /** Largest value. */
  max: Scalar;
  /** Approximate 1% quantile; null for strings and bools. */
  q01: number | string | null;
  /** Approximate 25% quantile; null for strings and bools. */
  q25: number | string | null;
  /** Approximate median; null for strings and bools. */
  q50: number | string | null;
  /** Approximate 75% quantile; null for strings and bools. */
  q75: number | string | null;
  /** Approximate 99% quantile; null for strings and bools. */
  q99: number | string | null;
}

/** What {@linkcode summaryStats} returns: the row count and one summary per column, in schema order. */
export interface SummaryTable {
  /** Rows of the dataset. */
  rows: number;
  /** One summary per column. */
  columns: ColumnSummary[];
}

/** Options of {@linkcode summaryStats}. */
export interface SummaryOptions {
  /**
   * Distinct counting: `"exact"` (a set per column; memory grows with cardinality), `"approx"`
   * (HyperLogLog, about 1% error), `"auto"`: exact when `rowsHint` is at most
   * {@linkcode EXACT_DISTINCT_MAX_ROWS}, else approx. @default {"auto"}
   */
  distinct?: "exact" | "approx" | "auto";
  /** Rows the dataset is known to have (e.g. from the ingest summary), for `distinct: "auto"`. */
  rowsHint?: number;
  /** Columns to summarize. @default {every column} */
  columns?: readonly string[];
  /** Relative error of the quantile sketches. @default {0.01} */
  relativeError?: number;
}

/** How a column is summarized. */
export type ColumnKind = "numeric" | "bool" | "temporal" | "string";

/** The kind of statistics a column of type `type` gets. */
export function columnKind(type: DataType): ColumnKind {
  switch (type) {
    case "int":
    case "long":
    case "double":
      return "numeric";
    case "bool":
      return "bool";
    case "date":
    case "timestamp":
      return "temporal";
    case "string":
      return "string";
  }
}

/** The name of statistic `stat` of column number `index` in the single aggregation row. */
function statName(index: number, stat: string): string {
  return `c${index}_${stat}`;
}

function quantileStat(q: number): string {
  return `q${String(Math.round(q * 100)).padStart(2, "0")}`;
}

/**
 * Every aggregate of the summary job for `fields` (the first is the row count `rows`). Exposed so a
 * test can check that all statistics go into one `agg`.
 */
export function summaryAggregates(
  fields: readonly Field[],
  options: { approxDistinct: boolean; relativeError?: number },
): AggColumn[] {
  const out: AggColumn[] = [count().alias("rows")];
  fields.forEach((f, i) => {
    const c = col(f.name);
    const kind = columnKind(f.type);
    out.push(count(c).alias(statName(i, "count")));
    out.push(
      (options.approxDistinct ? approxCountDistinct(c) : countDistinct(c)).alias(statName(i, "distinct")),
    );
    out.push(min(c).alias(statName(i, "min")), max(c).alias(statName(i, "max")));
    if (kind === "string") return;
    const x: Column = c.cast("double");
    out.push(avg(x).alias(statName(i, "mean")), stddev(x).alias(statName(i, "std")));
    if (kind === "bool") return;
    for (const q of SUMMARY_QUANTILES) {
      out.push(approxQuantile(c, q, options.relativeError ?? 0.01).alias(statName(i, quantileStat(q))));
    }
  });
  return out;
}

/** Summary statistics of every column (or `options.columns`), in one aggregation job. */
export async function summaryStats(ds: Dataset, options: SummaryOptions = {}): Promise<SummaryTable> {
  const wanted = options.columns;
  const fields = wanted === undefined ? ds.schema : wanted.map((name) => {
    const f = ds.schema.find((x) => x.name === name);
    if (f === undefined) {
      throw new RangeError(`Cannot summarize column "${name}": the dataset has no such column`);
    }
    return f;
  });
  const mode = options.distinct ?? "auto";
  const approxDistinct = mode === "approx" ||
    (mode === "auto" && (options.rowsHint === undefined || options.rowsHint > EXACT_DISTINCT_MAX_ROWS));
  const aggs = summaryAggregates(fields, {
    approxDistinct,
    ...(options.relativeError === undefined ? {} : { relativeError: options.relativeError }),
  });
  const [row] = await ds.agg(...aggs).collect();
  if (row === undefined) throw new RangeError("Cannot summarize: the aggregation returned no row");
  return summaryFromRow(fields, row, { approxDistinct });
}

/** Turns the single aggregation row into one {@linkcode ColumnSummary} per field. */
export function summaryFromRow(
  fields: readonly Field[],
  row: Row,
  options: { approxDistinct: boolean },
): SummaryTable {
  const rows = num(row["rows"]) ?? 0;
  const columns = fields.map((f, i): ColumnSummary => {
    const kind = columnKind(f.type);
    const get = (stat: string): Scalar => row[statName(i, stat)] ?? null;
    const n = num(get("count")) ?? 0;
    const value = (v: Scalar): number | string | null => kind === "temporal" ? temporal(f.type, v) : num(v);
    const std = num(get("std"));
    return {
      column: f.name,
      type: f.type,
      count: n,
      nulls: rows - n,
      distinct: Math.round(num(get("distinct")) ?? 0),
      distinctApprox: options.approxDistinct,
      mean: kind === "string" ? null : value(get("mean")),
      std: std === null ? null : f.type === "timestamp" ? std / MS_PER_DAY : std,
      min: kind === "temporal" ? temporal(f.type, get("min")) : get("min"),
      max: kind === "temporal" ? temporal(f.type, get("max")) : get("max"),
      q01: value(get("q01")),
      q25: value(get("q25")),
      q50: value(get("q50")),
      q75: value(get("q75")),
      q99: value(get("q99")),
    };
  });
  return { rows, columns };
}

/** The column headers of {@linkcode summaryRows}. */
export const SUMMARY_HEADERS: readonly string[] = [
  "column",
  "type",
  "count",
  "nulls",
  "distinct",
  "mean",
  "std",
  "min",
  "q25",
  "median",
  "q75",
  "max",
];

/** The table as plain rows under {@linkcode SUMMARY_HEADERS} (approximate distinct counts marked `~`). */
export function summaryRows(table: SummaryTable): Scalar[][] {
  return table.columns.map((c) => [
    c.column,
    c.type,
    c.count,
    c.nulls,
    c.distinctApprox ? `~${c.distinct.toLocaleString("en-US")}` : c.distinct,
    c.mean,
    c.std,
    c.min,
    c.q25,
    c.q50,
    c.q75,
    c.max,
  ]);
}

function num(v: Scalar | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** ISO text of a date (days) or timestamp (ms) value; fractional values round down. */
export function temporal(type: DataType, v: Scalar | undefined): string | null {
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  if (type === "date") return new Date(Math.floor(v) * MS_PER_DAY).toISOString().slice(0, 10);
  return new Date(Math.floor(v)).toISOString();
}
