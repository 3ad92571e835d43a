/**
 * The Task 1 data benchmark (see `data_eda_spec.ts`) on DuckDB through `@duckdb/node-api`, 2 threads by
 * default.
 *
 * Ingest: `CREATE TABLE tx AS SELECT * FROM read_csv(...)` with every column typed explicitly (no
 * sniffing; ENUM types for the closed sets, as Frontier's schema has enums) and `store_rejects` so
 * malformed rows land in `reject_errors` instead of failing the read; or `read_parquet` over the files.
 * EDA: one aggregate query (`approx_quantile` for the quantiles) and one `GROUP BY` per dimension over
 * the in-memory table.
 *
 * After the measured phase, exact quantiles (`quantile_disc`) are computed for the cross-check: every
 * engine's approximate quantiles must lie within 2 % of them.
 *
 * ```sh
 * deno run -A scripts/bench/data/duckdb.ts --input csv --path out/bench/data/.../tx.csv --json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { type Clock, systemClock } from "../../../actors/clock.ts";
import { TaskFailedError } from "../../../cluster/errors.ts";
import type { DataType } from "../../../cluster/columnar/batch.ts";
import {
  DATA_DIMENSIONS,
  DATA_NUMERIC_COLUMNS,
  DATA_QUANTILES,
  type DataDimension,
  type DataInput,
  type EdaTimings,
  type EngineEdaRun,
  type NumericSummary,
  runEdaChild,
  type SegmentRow,
  sortSegments,
  transactionCsvSchema,
} from "./eda_spec.ts";
import { DUCKDB_PACKAGE_VERSION } from "../job10m/external_duckdb.ts";
import { denoChildArgs } from "../harness.ts";

const DUCKDB_TYPES: Record<DataType, string> = {
  double: "DOUBLE",
  long: "BIGINT",
  int: "INTEGER",
  bool: "BOOLEAN",
  string: "VARCHAR",
  timestamp: "TIMESTAMP",
  date: "DATE",
};

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `CREATE TYPE` statements for the schema's enums, and the `columns` struct of `read_csv`. */
export function duckdbCsvColumns(): { types: string[]; columns: string } {
  const types: string[] = [];
  const cols: string[] = [];
  for (const f of transactionCsvSchema().fields) {
    let type = DUCKDB_TYPES[f.type];
    if (f.enum !== undefined) {
      type = `${f.name}_t`;
      types.push(`CREATE TYPE ${type} AS ENUM (${f.enum.map(sqlString).join(", ")})`);
    }
    cols.push(`${sqlString(f.name)}: ${sqlString(type)}`);
  }
  return { types, columns: `{${cols.join(", ")}}` };
}

/** The statement that ingests `path` into table `tx`. */
export function duckdbIngestSql(input: DataInput, path: string): string {
  if (input === "parquet") {
    const glob = path.endsWith(".parquet") ? path : `${path.replace(/\/+$/, "")}/*.parquet`;
    return `CREATE TABLE tx AS SELECT * FROM read_parquet(${sqlString(glob)})`;
  }
  return `CREATE TABLE tx AS SELECT * FROM read_csv(${sqlString(path)}, header = true, delim = ',', ` +
    `quote = '"', escape = '"', auto_detect = false, store_rejects = true, ` +
    `columns = ${duckdbCsvColumns().columns})`;
}

/** The summary statistics query over `tx` (`exact` swaps `approx_quantile` for `quantile_disc`). */
export function duckdbSummarySql(options: { exact?: boolean } = {}): string {
  const qs = `[${DATA_QUANTILES.join(", ")}]`;
  const parts = ["count(*) AS rows"];
  DATA_NUMERIC_COLUMNS.forEach((c, i) => {
    const x = `CAST(${c} AS DOUBLE)`;
    if (options.exact) {
      parts.push(`quantile_disc(${x}, ${qs}) AS c${i}_q`);
      return;
    }
    parts.push(
      `count(${c}) AS c${i}_count`,
      `avg(${x}) AS c${i}_mean`,
      `stddev_samp(${x}) AS c${i}_std`,
      `min(${x}) AS c${i}_min`,
      `max(${x}) AS c${i}_max`,
      `approx_quantile(${x}, ${qs}) AS c${i}_q`,
    );
  });
  return `SELECT ${parts.join(", ")} FROM tx`;
}

/** The group-by of one dimension over `tx`. */
export function duckdbSegmentSql(d: DataDimension): string {
  const key = d === "hour"
    ? "hour(event_time)"
    : d === "day_of_week"
    ? "dayofweek(event_time) + 1"
    : `CAST(${d} AS VARCHAR)`;
  return `SELECT CAST(${key} AS VARCHAR) AS segment, count(*) AS n, sum(CAST(is_fraud AS BIGINT)) AS frauds, ` +
    `sum(amount) AS total, avg(amount) AS mean FROM tx GROUP BY 1`;
}

/** DuckDB's result of the workload plus the exact quantiles (computed after the measured phase). */
export interface DuckdbEdaTimings extends EdaTimings {
  /** Exact quantiles per numeric column (`quantile_disc`), for the cross-check. */
  exactQuantiles: Record<string, number[]>;
}

type Raw = Record<string, unknown>;

function num(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v);
}

function numList(v: unknown, what: string): number[] {
  if (!Array.isArray(v)) throw new TypeError(`Cannot read DuckDB result "${what}": expected a list`);
  return v.map(num);
}

/** Ingests `path` into a fresh in-memory DuckDB, runs the EDA, closes it. */
export async function runDuckdbEda(
  path: string,
  options: { input: DataInput; threads?: number; clock?: Clock },
): Promise<DuckdbEdaTimings> {
  const clock = options.clock ?? systemClock;
  const threads = options.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`Cannot run DuckDB with ${threads} threads: expected a positive integer`);
  }
  const t0 = clock.monotonic();
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const conn = await instance.connect();
    try {
      const all = async (sql: string): Promise<Raw[]> =>
        (await conn.runAndReadAll(sql)).getRowObjectsJS() as Raw[];
      await conn.run(`SET threads = ${threads}`);
      await conn.run("SET TimeZone = 'UTC'");
      if (options.input === "csv") { for (const t of duckdbCsvColumns().types) await conn.run(t); }
      const startupMs = clock.monotonic() - t0;

      const t1 = clock.monotonic();
      await conn.run(duckdbIngestSql(options.input, path));
      const [valid] = await all("SELECT count(*) AS n FROM tx");
      let rejected = 0;
      if (options.input === "csv") {
        const [r] = await all("SELECT count(DISTINCT (scan_id, file_id, line)) AS n FROM reject_errors");
        rejected = num(r?.["n"]);
      }
      const ingestMs = clock.monotonic() - t1;

      const queriesMs: Record<string, number> = {};
      const t2 = clock.monotonic();
      let t = clock.monotonic();
      const [s] = await all(duckdbSummarySql());
      queriesMs["summary"] = clock.monotonic() - t;
      if (s === undefined) throw new TaskFailedError("DuckDB summary returned no row", { data: {} });
      const rows = num(s["rows"]);
      const summary = DATA_NUMERIC_COLUMNS.map((column, i): NumericSummary => ({
        column,
        count: num(s[`c${i}_count`]),
        nulls: rows - num(s[`c${i}_count`]),
        mean: num(s[`c${i}_mean`]),
        std: num(s[`c${i}_std`]),
        min: num(s[`c${i}_min`]),
        max: num(s[`c${i}_max`]),
        quantiles: numList(s[`c${i}_q`], `c${i}_q`),
      }));
      const breakdowns = {} as Record<DataDimension, SegmentRow[]>;
      for (const d of DATA_DIMENSIONS) {
        t = clock.monotonic();
        const raw = await all(duckdbSegmentSql(d));
        queriesMs[d] = clock.monotonic() - t;
        breakdowns[d] = sortSegments(raw.map((r) => ({
          segment: String(r["segment"]),
          count: num(r["n"]),
          frauds: num(r["frauds"]),
          amountSum: num(r["total"]),
          amountMean: num(r["mean"]),
        })));
      }
      const edaMs = clock.monotonic() - t2;

      const [e] = await all(duckdbSummarySql({ exact: true }));
      const exactQuantiles: Record<string, number[]> = {};
      DATA_NUMERIC_COLUMNS.forEach((c, i) => exactQuantiles[c] = numList(e?.[`c${i}_q`], `c${i}_q`));
      const n = num(valid?.["n"]);
      return {
        result: { rowsRead: n + rejected, rowsValid: n, rowsQuarantined: rejected, summary, breakdowns },
        startupMs,
        ingestMs,
        edaMs,
        queriesMs,
        config: { threads, duckdb: DUCKDB_PACKAGE_VERSION },
        exactQuantiles,
      };
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      input: { type: "string", default: "csv" },
      path: { type: "string" },
      threads: { type: "string", default: "2" },
      json: { type: "boolean", default: false },
    },
  });
  const input = values.input;
  if (input !== "csv" && input !== "parquet") {
    throw new TypeError(`Cannot read input "${input}": expected "csv" or "parquet"`);
  }
  if (values.path === undefined) throw new TypeError("--path is required");
  const r = await runDuckdbEda(values.path, { input, threads: Number(values.threads) });
  if (values.json) console.log(JSON.stringify({ engine: "duckdb", ...r }));
  else console.log(r);
}

/** Runs the workload in a child `deno run` process (peak RSS: DuckDB + the Deno runtime hosting it). */
export async function runDuckdbEdaExternal(
  path: string,
  options: { input: DataInput; threads?: number; signal?: AbortSignal },
): Promise<EngineEdaRun> {
  const args = denoChildArgs(new URL(import.meta.url), [
    "--input",
    options.input,
    "--path",
    path,
    "--threads",
    String(options.threads ?? 2),
  ]);
  return await runEdaChild(Deno.execPath(), args, {
    engine: "duckdb",
    input: options.input,
    signal: options.signal,
  });
}

if (import.meta.main) await main();
