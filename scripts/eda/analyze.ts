/**
 * Everything the EDA computes for one dataset, on the cluster: summary statistics (one job),
 * histograms of the numeric columns (pre-binned in the cluster, clipped to the 1st–99th
 * percentiles), correlations (one job), and the bank or transaction breakdowns. Only small results
 * come back to the driver.
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { col, dayOfWeek, hour } from "../../cluster/expr/column.ts";
import { type BankAnalysis, bankAnalysis } from "./bank_analysis.ts";
import { type CorrelationResult, correlations } from "../../models/stat/correlations.ts";
import { type Bin, histogram } from "../../models/stat/segment_rates.ts";
import type { InputKind } from "./load_input.ts";
import { type ColumnSummary, summaryStats, type SummaryTable } from "../../models/stat/summary_stats.ts";
import { type TransactionAnalysis, transactionAnalysis } from "./transaction_analysis.ts";

/** A dataset to analyse. Cache it first: many jobs read it. */
export interface EdaDataset {
  /** Short name, e.g. `"bank-full"`. */
  name: string;
  kind: InputKind;
  data: Dataset;
  rows: number;
  /** Where it came from, e.g. `"data/bank-full.csv.gz"`. */
  source: string;
  /** Seed of generated data. */
  seed?: number;
  /** Ingest reconciliation, for CSV inputs. */
  ingest?: IngestFigures;
}

/** What a CSV ingest read. `rows_read = rows_valid + rows_quarantined`. */
export interface IngestFigures {
  file: string;
  rows_read: number;
  rows_valid: number;
  rows_quarantined: number;
  partitions: number;
  bytes: number;
  /** Quarantined rows per reason. */
  reasons: Record<string, number>;
  ms?: number;
}

/** A histogram of one column. */
export interface ColumnHistogram {
  column: string;
  /** `log10`: bins are over log10 of the (positive) values. */
  scale: "linear" | "log10";
  bins: Bin[];
  /** The range binned; values outside were counted in the first/last bin. */
  lo: number;
  hi: number;
}

/** The EDA of one dataset. */
export interface DatasetEda {
  name: string;
  kind: InputKind;
  rows: number;
  source: string;
  seed: number | undefined;
  /** Human-readable coverage, stamped on every chart (time span and row count). */
  dataRange: string;
  ingest: IngestFigures | undefined;
  summary: SummaryTable;
  histograms: ColumnHistogram[];
  correlations: CorrelationResult | undefined;
  bank: BankAnalysis | undefined;
  transactions: TransactionAnalysis | undefined;
  /** Wall time per phase, ms. */
  timings: Record<string, number>;
}

/** Options of {@linkcode analyzeDataset}. */
export interface AnalyzeOptions {
  /** Histograms drawn at most. @default {6} */
  maxHistograms?: number;
  /** Bins per histogram. @default {30} */
  bins?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

const NUMERIC = new Set(["int", "long", "double"]);
/** q99 / median above this (with positive values) means log-scale bins. */
const SKEWED = 20;
/** Columns that describe rows rather than measure them: not binned or correlated. */
const ID_LIKE = /(^|_)(id|seq|index)$/;

/** True for a measure worth binning/correlating: numeric, not constant, not a row id. */
function isMeasure(c: ColumnSummary, rows: number): boolean {
  if (ID_LIKE.test(c.column)) return false;
  if (c.type === "long" && c.distinct >= rows * 0.95) return false;
  return c.std !== null && c.std > 0;
}

function dataRangeOf(summary: SummaryTable, kind: InputKind): string {
  const rows = `${summary.rows.toLocaleString("en-US")} rows`;
  const timeColumn = kind === "bank" ? "contact_date" : kind === "transactions" ? "event_time" : undefined;
  const t = summary.columns.find((c) => c.column === timeColumn) ??
    summary.columns.find((c) => c.type === "date" || c.type === "timestamp");
  if (t === undefined || typeof t.min !== "string" || typeof t.max !== "string") return rows;
  const day = (s: string) => s.slice(0, 10);
  return `${day(t.min)} to ${day(t.max)}, ${rows}`;
}

/** Summary, histograms, correlations and the kind's breakdowns of `input`. */
export async function analyzeDataset(input: EdaDataset, options: AnalyzeOptions = {}): Promise<DatasetEda> {
  const clock = options.clock ?? systemClock;
  const log = (line: string) => options.log?.(`${input.name}: ${line}`);
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    log(phase);
    const t0 = clock.monotonic();
    try {
      return await fn();
    } finally {
      timings[phase] = clock.monotonic() - t0;
    }
  };
  const ds = input.data;
  const summary = await timed("summary statistics", () => summaryStats(ds, { rowsHint: input.rows }));
  const measures = summary.columns.filter((c) =>
    (NUMERIC.has(c.type) || c.type === "bool") && isMeasure(c, summary.rows)
  );
  const histograms = await timed("histograms", async () => {
    const out: ColumnHistogram[] = [];
    for (const c of measures.filter((m) => NUMERIC.has(m.type)).slice(0, options.maxHistograms ?? 6)) {
      const lo = num(c.q01) ?? num(c.min), hi = num(c.q99) ?? num(c.max), mid = num(c.q50);
      if (lo === undefined || hi === undefined) continue;
      const bins = options.bins ?? 30;
      if (lo > 0 && mid !== undefined && hi / mid > SKEWED) {
        // Heavy right tail (amounts): bin log10 of the value so the bulk is not one bar.
        const x = col(c.column).cast("double").log().div(Math.LN10);
        const lg = { lo: Math.log10(lo), hi: Math.log10(hi), bins };
        out.push({ column: c.column, scale: "log10", bins: await histogram(ds, x, lg), lo, hi });
        continue;
      }
      const integer = c.type !== "double";
      out.push({
        column: c.column,
        scale: "linear",
        bins: await histogram(ds, col(c.column), { lo, hi, bins, integer }),
        lo,
        hi,
      });
    }
    return out;
  });
  const corr = await timed("correlations", async () => {
    let target = ds;
    const columns = measures.map((c) => c.column);
    const centers: Record<string, number> = {};
    for (const c of measures) if (typeof c.mean === "number") centers[c.column] = c.mean;
    if (input.kind === "transactions") {
      const f = ds.schema.find((x) => x.name === "event_time");
      const t = f?.type === "string" ? col("event_time").cast("timestamp") : col("event_time");
      target = ds.withColumn("hour_of_day", hour(t)).withColumn("day_of_week", dayOfWeek(t));
      columns.push("hour_of_day", "day_of_week");
      if (!columns.includes("is_fraud")) columns.push("is_fraud");
    }
    if (columns.length < 2) return undefined;
    return await correlations(target, { columns, centers });
  });
  const bank = input.kind === "bank"
    ? await timed("subscription rates", () => bankAnalysis(ds, { log }))
    : undefined;
  const transactions = input.kind === "transactions"
    ? await timed("transaction breakdowns", () => transactionAnalysis(ds, { log }))
    : undefined;
  return {
    name: input.name,
    kind: input.kind,
    rows: summary.rows,
    source: input.source,
    seed: input.seed,
    dataRange: dataRangeOf(summary, input.kind),
    ingest: input.ingest,
    summary,
    histograms,
    correlations: corr,
    bank,
    transactions,
    timings,
  };
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
