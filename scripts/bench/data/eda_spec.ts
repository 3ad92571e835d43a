/**
 * The Task 1 data benchmark's workload, shared by every engine: what is read, which EDA queries run,
 * the result each engine reports, and the cross-check between engines.
 *
 * The input is the generated card transactions (`cluster/sources/transactions/generator.ts`), as Parquet
 * files or as one CSV file. Every engine ingests it (reads it with the schema given, keeping malformed
 * rows aside, and holds the valid rows in memory), then runs:
 * 1. summary statistics of every numeric column ({@linkcode DATA_NUMERIC_COLUMNS}): count, nulls,
 *    mean, sample std, min, max and the quantiles {@linkcode DATA_QUANTILES} (approximate), in one
 *    aggregation;
 * 2. per segment of each {@linkcode DATA_DIMENSIONS} dimension (merchant category, channel, country,
 *    UTC hour of day 0–23, day of week 1 = Sunday … 7 = Saturday): volume (row count), amount (sum and
 *    mean) and fraud (count of `is_fraud`, hence the fraud rate), one group-by per dimension.
 *
 * {@linkcode compareEdaResults} checks two results: counts exactly, sums, means, std, min and max to
 * 1e-9 relative, quantiles within 2 % (engines use different sketches).
 *
 * @module
 */

import type { DataType } from "../../../cluster/columnar/batch.ts";
import type { CsvSchema } from "../../../cluster/io/csv/schema.ts";
import { CATEGORIES, CHANNELS, COUNTRIES, SCENARIOS } from "../../../cluster/sources/transactions/catalog.ts";
import { TRANSACTION_SCHEMA } from "../../../cluster/sources/transactions/generator.ts";
import { type MeasuredRun, numberField } from "../measure.ts";
import { runJsonChild, type RunJsonChildOptions } from "../harness.ts";

/** Numeric columns summarized. */
export const DATA_NUMERIC_COLUMNS: readonly string[] = ["amount", "seq"];
/** Quantiles of the summary. */
export const DATA_QUANTILES: readonly number[] = [0.01, 0.25, 0.5, 0.75, 0.99];
/** Group-by dimensions, in report order. */
export const DATA_DIMENSIONS = ["merchant_category", "channel", "country", "hour", "day_of_week"] as const;
/** One group-by dimension. */
export type DataDimension = (typeof DATA_DIMENSIONS)[number];
/** Relative tolerance of sums, means, std, min and max. */
export const DATA_REL_TOL = 1e-9;
/** Relative tolerance of quantiles. */
export const DATA_QUANTILE_TOL = 0.02;

/** Statistics of one numeric column. */
export interface NumericSummary {
  column: string;
  count: number;
  nulls: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** One per {@linkcode DATA_QUANTILES} entry. */
  quantiles: number[];
}

/** One segment of a group-by. */
export interface SegmentRow {
  /** The segment as text (`"7"` for hour 7, `"1"` for Sunday). */
  segment: string;
  count: number;
  frauds: number;
  amountSum: number;
  amountMean: number;
}

/** What one engine computes from one input. */
export interface EdaResult {
  rowsRead: number;
  rowsValid: number;
  rowsQuarantined: number;
  summary: NumericSummary[];
  /** Segments of each dimension, sorted by segment text. */
  breakdowns: Record<DataDimension, SegmentRow[]>;
}

/** Input formats. */
export type DataInput = "csv" | "parquet";

/** One engine's timed run of the workload, measured from inside its process. */
export interface EdaTimings {
  result: EdaResult;
  /** Engine startup (cluster, instance, session), milliseconds. */
  startupMs: number;
  /** Read + validate + hold in memory, milliseconds. */
  ingestMs: number;
  /** Summary + group-bys, milliseconds. */
  edaMs: number;
  /** Each EDA query, milliseconds. */
  queriesMs: Record<string, number>;
  config: Record<string, string | number>;
  /** Exact quantiles per numeric column (DuckDB computes them after its measured phase). */
  exactQuantiles?: Record<string, number[]>;
}

/** An engine's run in its own measured child process. */
export interface EngineEdaRun extends EdaTimings {
  /** e.g. `"frontier-embedded"`, `"duckdb"`, `"spark"`. */
  engine: string;
  input: DataInput;
  /** The measured phase: ingest + EDA, milliseconds (startup excluded). */
  wallMs: number;
  /** Spawn to exit of the child, milliseconds. */
  processMs: number;
  /** Peak RSS of the child's process tree, MiB. */
  peakRssMb: number;
}

/**
 * Runs one engine's workload as a measured child (`cmd args…`, which prints an
 * {@linkcode EdaTimings} JSON line) and turns it into an {@linkcode EngineEdaRun}. Throws a
 * `TaskFailedError` with the child's stderr when it fails.
 */
export async function runEdaChild(
  cmd: string,
  args: readonly string[],
  options: Omit<RunJsonChildOptions, "what" | "data"> & { engine: string; input: DataInput },
): Promise<EngineEdaRun> {
  const { engine, input, ...measured } = options;
  const child = await runJsonChild(cmd, args, {
    ...measured,
    what: `${engine} (${input})`,
    data: { engine, input },
  });
  return edaRunFromChild(engine, input, child);
}

/** An {@linkcode EngineEdaRun} from a finished child and the {@linkcode EdaTimings} line it printed. */
export function edaRunFromChild(
  engine: string,
  input: DataInput,
  child: { run: MeasuredRun; line: Record<string, unknown> },
): EngineEdaRun {
  const { run, line } = child;
  const ingestMs = numberField(line, "ingestMs");
  const edaMs = numberField(line, "edaMs");
  const queries = object(line["queriesMs"], "queriesMs");
  const config = object(line["config"], "config");
  const exact = line["exactQuantiles"];
  return {
    engine,
    input,
    result: decodeEdaResult(line["result"]),
    startupMs: numberField(line, "startupMs"),
    ingestMs,
    edaMs,
    wallMs: ingestMs + edaMs,
    queriesMs: Object.fromEntries(Object.keys(queries).map((k) => [k, number(queries[k], `queriesMs.${k}`)])),
    config: Object.fromEntries(
      Object.entries(config).flatMap(([k, v]) =>
        typeof v === "string" || typeof v === "number" ? [[k, v]] : []
      ),
    ),
    ...(exact === undefined ? {} : {
      exactQuantiles: Object.fromEntries(
        Object.entries(object(exact, "exactQuantiles")).map((
          [k, v],
        ) => [k, array(v, `exactQuantiles.${k}`).map((x, i) => number(x, `exactQuantiles.${k}[${i}]`))]),
      ),
    }),
    processMs: run.wallMs,
    peakRssMb: run.peakRssMb,
  };
}

/** The CSV schema of the transaction file, with enums where the generator has a closed set. */
export function transactionCsvSchema(): CsvSchema {
  const enums: Record<string, readonly string[]> = {
    merchant_category: CATEGORIES.map((c) => c.name),
    channel: [...CHANNELS],
    country: COUNTRIES.map((c) => c.code),
    scenario: [...SCENARIOS],
  };
  return {
    fields: TRANSACTION_SCHEMA.map((f) => ({
      name: f.name,
      type: f.type,
      nullable: false,
      ...(enums[f.name] === undefined ? {} : { enum: enums[f.name]! }),
    })),
  };
}

/** `[name, type]` of every transaction column, in file order. */
export function transactionColumns(): [string, DataType][] {
  return TRANSACTION_SCHEMA.map((f) => [f.name, f.type]);
}

/** Sorts segments by their text, numbers numerically, in place; returns them. */
export function sortSegments(rows: SegmentRow[]): SegmentRow[] {
  const key = (s: string) => (/^-?\d+$/.test(s) ? Number(s) : Number.NaN);
  return rows.sort((a, b) => {
    const x = key(a.segment), y = key(b.segment);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
    return a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0;
  });
}

/**
 * Decodes an {@linkcode EdaResult} printed by a child process, segments sorted; throws a `TypeError`
 * naming the field.
 */
export function decodeEdaResult(value: unknown): EdaResult {
  const rec = object(value, "result");
  const summaryList = array(rec["summary"], "result.summary");
  const bd = object(rec["breakdowns"], "result.breakdowns");
  const breakdowns = {} as Record<DataDimension, SegmentRow[]>;
  for (const d of DATA_DIMENSIONS) {
    breakdowns[d] = sortSegments(
      array(bd[d], `result.breakdowns.${d}`).map((u, i) => {
        const r = object(u, `result.breakdowns.${d}[${i}]`);
        const at = `result.breakdowns.${d}[${i}]`;
        return {
          segment: string(r["segment"], `${at}.segment`),
          count: number(r["count"], `${at}.count`),
          frauds: number(r["frauds"], `${at}.frauds`),
          amountSum: number(r["amountSum"], `${at}.amountSum`),
          amountMean: number(r["amountMean"], `${at}.amountMean`),
        };
      }),
    );
  }
  return {
    rowsRead: number(rec["rowsRead"], "result.rowsRead"),
    rowsValid: number(rec["rowsValid"], "result.rowsValid"),
    rowsQuarantined: number(rec["rowsQuarantined"], "result.rowsQuarantined"),
    summary: summaryList.map((u, i) => {
      const s = object(u, `result.summary[${i}]`);
      const at = `result.summary[${i}]`;
      return {
        column: string(s["column"], `${at}.column`),
        count: number(s["count"], `${at}.count`),
        nulls: number(s["nulls"], `${at}.nulls`),
        mean: number(s["mean"], `${at}.mean`),
        std: number(s["std"], `${at}.std`),
        min: number(s["min"], `${at}.min`),
        max: number(s["max"], `${at}.max`),
        quantiles: array(s["quantiles"], `${at}.quantiles`).map((q, j) => number(q, `${at}.quantiles[${j}]`)),
      };
    }),
    breakdowns,
  };
}

/** Options of {@linkcode compareEdaResults}. */
export interface CompareOptions {
  /** Relative tolerance of sums, means, std, min and max. @default {DATA_REL_TOL} */
  relTol?: number;
  /** Relative tolerance of quantiles. @default {DATA_QUANTILE_TOL} */
  quantileTol?: number;
  /**
   * Exact quantiles per column: when given, `actual`'s quantiles are checked against them instead of
   * against `expected`'s (two approximate sketches may each be off in opposite directions).
   */
  exactQuantiles?: Record<string, readonly number[]>;
}

/**
 * Every difference between `actual` and `expected`, as readable lines (empty when they agree):
 * counts must be equal, other figures within the tolerances. Call it with `actual === expected` and
 * `exactQuantiles` to check one result's quantiles alone.
 */
export function compareEdaResults(
  actual: EdaResult,
  expected: EdaResult,
  options: CompareOptions = {},
): string[] {
  const relTol = options.relTol ?? DATA_REL_TOL;
  const qTol = options.quantileTol ?? DATA_QUANTILE_TOL;
  const out: string[] = [];
  const exact = (what: string, a: number, b: number) => {
    if (a !== b) out.push(`${what}: ${a} ≠ ${b}`);
  };
  const close = (what: string, a: number, b: number, tol: number) => {
    const scale = Math.max(Math.abs(a), Math.abs(b));
    if (!(Math.abs(a - b) <= tol * scale)) {
      out.push(`${what}: ${a} vs ${b} (relative difference ${(Math.abs(a - b) / scale).toExponential(2)})`);
    }
  };
  exact("rows read", actual.rowsRead, expected.rowsRead);
  exact("rows valid", actual.rowsValid, expected.rowsValid);
  exact("rows quarantined", actual.rowsQuarantined, expected.rowsQuarantined);
  for (const e of expected.summary) {
    const a = actual.summary.find((s) => s.column === e.column);
    if (a === undefined) {
      out.push(`summary of ${e.column}: missing`);
      continue;
    }
    const at = `${e.column}`;
    exact(`${at} count`, a.count, e.count);
    exact(`${at} nulls`, a.nulls, e.nulls);
    close(`${at} mean`, a.mean, e.mean, relTol);
    close(`${at} std`, a.std, e.std, relTol);
    close(`${at} min`, a.min, e.min, relTol);
    close(`${at} max`, a.max, e.max, relTol);
    const ref = options.exactQuantiles?.[e.column] ?? e.quantiles;
    const refName = options.exactQuantiles?.[e.column] === undefined ? "" : " (vs exact)";
    if (a.quantiles.length !== ref.length) {
      out.push(`${at} quantiles: ${a.quantiles.length} values ≠ ${ref.length}`);
      continue;
    }
    ref.forEach((q, i) => close(`${at} q${DATA_QUANTILES[i]}${refName}`, a.quantiles[i]!, q, qTol));
  }
  for (const d of DATA_DIMENSIONS) {
    const a = actual.breakdowns[d], e = expected.breakdowns[d];
    const segs = (rows: SegmentRow[]) => rows.map((r) => r.segment).join(",");
    if (segs(a) !== segs(e)) {
      out.push(`${d} segments: [${segs(a)}] ≠ [${segs(e)}]`);
      continue;
    }
    e.forEach((er, i) => {
      const ar = a[i]!;
      const at = `${d}=${er.segment}`;
      exact(`${at} count`, ar.count, er.count);
      exact(`${at} frauds`, ar.frauds, er.frauds);
      close(`${at} amount sum`, ar.amountSum, er.amountSum, relTol);
      close(`${at} amount mean`, ar.amountMean, er.amountMean, relTol);
    });
  }
  return out;
}

function object(u: unknown, what: string): Record<string, unknown> {
  if (typeof u !== "object" || u === null || Array.isArray(u)) {
    throw new TypeError(`Cannot decode ${what}: expected an object`);
  }
  return u as Record<string, unknown>;
}

function array(u: unknown, what: string): unknown[] {
  if (!Array.isArray(u)) throw new TypeError(`Cannot decode ${what}: expected an array`);
  return u;
}

function number(u: unknown, what: string): number {
  if (typeof u !== "number" || !Number.isFinite(u)) {
    throw new TypeError(`Cannot decode ${what}: expected a finite number, got ${String(u)}`);
  }
  return u;
}

function string(u: unknown, what: string): string {
  if (typeof u !== "string") throw new TypeError(`Cannot decode ${what}: expected a string`);
  return u;
}
