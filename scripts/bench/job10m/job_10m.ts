/**
 * The shared side-by-side benchmark job ("10M"): every engine generates the same data from a formula
 * (no input file), runs the same filter → join → group-by, and must return the same rows.
 *
 * ```
 * fact: N rows, id = 0..N-1, key = (id * 7919) % 1000, value = ((id * 104729) % 10007) / 100.0, cat = id % 7
 * dim:  1,000 rows, k = 0..999, region = k % 10, weight = (k % 13) + 1
 * SELECT region, count(*) AS n, sum(value * weight) AS total, avg(value) AS mean
 * FROM fact JOIN dim ON key = k WHERE value > 10.0 GROUP BY region ORDER BY region
 * ```
 *
 * {@linkcode referenceJob} computes the exact expected rows for any N in one loop, with no engine;
 * {@linkcode checkJobResult} compares an engine's rows with them (`n` exactly, `total`/`mean` with a
 * relative tolerance, 1e-9 by default, since engines sum doubles in different orders).
 *
 * @module
 */

import { type MeasuredRun, numberField } from "../measure.ts";

/** Default fact row count of the job. */
export const JOB_10M_DEFAULT_ROWS = 10_000_000;
/** Number of dim rows. */
export const JOB_DIM_ROWS = 1_000;
/** Rows with `value` above this survive the filter. */
export const JOB_VALUE_THRESHOLD = 10.0;
/** Default relative tolerance for `total` and `mean`. */
export const JOB_DEFAULT_REL_TOL = 1e-9;
/**
 * Largest N for which every intermediate (`id * 104729`) and the reference's integer sums
 * (at most `N * 10006 * 13`) stay exact in a double (below 2^53).
 */
export const JOB_MAX_ROWS = 60_000_000_000;

/** The job as SQL over tables `fact(id, key, value, cat)` and `dim(k, region, weight)`. */
export const JOB_QUERY_SQL =
  "SELECT region, count(*) AS n, sum(value * weight) AS total, avg(value) AS mean " +
  "FROM fact JOIN dim ON key = k WHERE value > 10.0 GROUP BY region ORDER BY region";

/** One output row of the job. */
export interface JobRow {
  region: number;
  n: number;
  total: number;
  mean: number;
}

/** A finished run of the job by one engine. */
export interface EngineRun {
  /** Engine name, e.g. `"duckdb"`, `"spark"`, `"frontier"`. */
  engine: string;
  /** Wall time of the query itself (generation + filter + join + aggregate), engine startup excluded. */
  wallMs: number;
  /** Peak resident memory of the engine's process tree, in MiB. */
  peakRssMb: number;
  /** Result rows, ordered by region. */
  rows: JobRow[];
  /** Every query run's wall time when the query was repeated (`wallMs` is then the fastest). */
  runsMs?: number[];
  /** Engine startup (instance/session creation) before the query, when measured. */
  startupMs?: number;
  /** Whole process time from spawn to exit, when the engine ran in a child process. */
  processMs?: number;
  /** Engine settings that matter for the figure (threads, partitions, memory, version). */
  config?: Record<string, string | number>;
}

/** An engine that could not run here (missing runtime, failed install). */
export interface EngineSkipped {
  engine: string;
  skipped: string;
}

/** `key` column of fact row `id`. */
export function factKey(id: number): number {
  return (id * 7919) % 1000;
}

/** `value` column of fact row `id`: an integer in 0..10006 divided by 100 as a double. */
export function factValue(id: number): number {
  return ((id * 104729) % 10007) / 100.0;
}

/** `cat` column of fact row `id`. */
export function factCat(id: number): number {
  return id % 7;
}

/** `region` column of dim row `k`. */
export function dimRegion(k: number): number {
  return k % 10;
}

/** `weight` column of dim row `k`. */
export function dimWeight(k: number): number {
  return (k % 13) + 1;
}

/** Validates a fact row count. */
export function validateJobRows(rows: number): number {
  if (!Number.isSafeInteger(rows) || rows < 0 || rows > JOB_MAX_ROWS) {
    throw new RangeError(`Cannot run the job with ${rows} rows: expected an integer in 0..${JOB_MAX_ROWS}`);
  }
  return rows;
}

/**
 * The exact expected result for `rows` fact rows, in one loop and no engine.
 *
 * Sums are kept as integers in hundredths (`value * 100` is an integer), so `total` and `mean` are the
 * exact results rounded once to a double — the best any engine can return.
 *
 * @example
 * ```ts
 * import { referenceJob } from "./job_10m.ts";
 * const rows = referenceJob(1000);
 * console.assert(rows.every((r, i) => i === 0 || rows[i - 1]!.region < r.region));
 * ```
 */
export function referenceJob(rows: number): JobRow[] {
  validateJobRows(rows);
  const regionOfKey = new Int32Array(JOB_DIM_ROWS);
  const weightOfKey = new Int32Array(JOB_DIM_ROWS);
  for (let k = 0; k < JOB_DIM_ROWS; k++) {
    regionOfKey[k] = dimRegion(k);
    weightOfKey[k] = dimWeight(k);
  }
  const count = new Float64Array(10);
  const sumHundredths = new Float64Array(10);
  const sumWeightedHundredths = new Float64Array(10);
  for (let id = 0; id < rows; id++) {
    const hundredths = (id * 104729) % 10007;
    if (hundredths / 100.0 <= JOB_VALUE_THRESHOLD) continue;
    const key = (id * 7919) % 1000;
    const region = regionOfKey[key]!;
    count[region]! += 1;
    sumHundredths[region]! += hundredths;
    sumWeightedHundredths[region]! += hundredths * weightOfKey[key]!;
  }
  const out: JobRow[] = [];
  for (let region = 0; region < 10; region++) {
    const n = count[region]!;
    if (n === 0) continue;
    out.push({
      region,
      n,
      total: sumWeightedHundredths[region]! / 100,
      mean: sumHundredths[region]! / (n * 100),
    });
  }
  return out;
}

/** Outcome of {@linkcode checkJobResult}. */
export interface JobCheck {
  ok: boolean;
  /** One line per difference, e.g. `region 3: n 899 != 900`. */
  mismatches: string[];
}

/** Options of {@linkcode checkJobResult}. */
export interface CheckJobOptions {
  /** Relative tolerance for `total` and `mean`. @default {1e-9} */
  relTol?: number;
}

/** Compares an engine's rows with the expected rows: same regions in order, `n` exact, sums within `relTol`. */
export function checkJobResult(
  actual: readonly JobRow[],
  expected: readonly JobRow[],
  options: CheckJobOptions = {},
): JobCheck {
  const relTol = options.relTol ?? JOB_DEFAULT_REL_TOL;
  const mismatches: string[] = [];
  if (actual.length !== expected.length) {
    mismatches.push(`row count ${actual.length} != ${expected.length}`);
  }
  const len = Math.min(actual.length, expected.length);
  for (let i = 0; i < len; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a.region !== e.region) {
      mismatches.push(`row ${i}: region ${a.region} != ${e.region}`);
      continue;
    }
    if (a.n !== e.n) mismatches.push(`region ${e.region}: n ${a.n} != ${e.n}`);
    for (const field of ["total", "mean"] as const) {
      if (!closeEnough(a[field], e[field], relTol)) {
        mismatches.push(`region ${e.region}: ${field} ${a[field]} != ${e[field]} (relTol ${relTol})`);
      }
    }
  }
  return { ok: mismatches.length === 0, mismatches };
}

/** Like {@linkcode checkJobResult} but throws a `RangeError` listing the differences. */
export function assertJobResult(
  actual: readonly JobRow[],
  expected: readonly JobRow[],
  options: CheckJobOptions & { engine?: string } = {},
): void {
  const check = checkJobResult(actual, expected, options);
  if (!check.ok) {
    const who = options.engine ?? "engine";
    throw new RangeError(`Result of ${who} differs from the reference: ${check.mismatches.join("; ")}`);
  }
}

function closeEnough(a: number, e: number, relTol: number): boolean {
  if (a === e) return true;
  return Math.abs(a - e) <= relTol * Math.max(Math.abs(a), Math.abs(e));
}

/**
 * Decodes job rows from JSON-ish input (`n` may be a number, bigint or numeric string, as engines hand back
 * 64-bit counts). Throws a `TypeError` naming the bad field.
 */
export function decodeJobRows(input: unknown): JobRow[] {
  if (!Array.isArray(input)) {
    throw new TypeError(`Cannot decode job rows: expected an array, got ${typeof input}`);
  }
  return input.map((raw: unknown, i) => {
    if (typeof raw !== "object" || raw === null) {
      throw new TypeError(`Cannot decode job row ${i}: expected an object`);
    }
    const rec = raw as Record<string, unknown>;
    return {
      region: toNumber(rec["region"], `row ${i} region`),
      n: toNumber(rec["n"], `row ${i} n`),
      total: toNumber(rec["total"], `row ${i} total`),
      mean: toNumber(rec["mean"], `row ${i} mean`),
    };
  });
}

/**
 * The {@linkcode EngineRun} of an engine that ran the job in a measured child and printed its
 * result as one JSON line (see `runJsonChild` in `../harness.ts`): the child's figures, plus the
 * process tree's memory and process count from the measurement.
 */
export function engineRunFromChild(
  engine: string,
  child: { run: MeasuredRun; line: Record<string, unknown> },
): EngineRun {
  const { run, line } = child;
  const runsMs = decodeNumberList(line["runsMs"]);
  return {
    engine,
    wallMs: numberField(line, "wallMs"),
    peakRssMb: run.peakRssMb,
    rows: decodeJobRows(line["rows"]),
    startupMs: numberField(line, "startupMs"),
    processMs: run.wallMs,
    ...(runsMs === undefined ? {} : { runsMs }),
    config: {
      ...decodeEngineConfig(line["config"]),
      peakRssSampledMb: run.peakRssSampledMb,
      ...(run.peakRssTimeMb === undefined ? {} : { peakRssTimeMb: run.peakRssTimeMb }),
      processes: run.processes,
    },
  };
}

/** Keeps the string and number entries of a decoded `config` object; anything else becomes `{}`. */
export function decodeEngineConfig(input: unknown): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (typeof input !== "object" || input === null || Array.isArray(input)) return out;
  for (const [k, v] of Object.entries(input)) {
    if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) out[k] = v;
  }
  return out;
}

/** Decodes an optional array of finite numbers (e.g. `runsMs`); anything else becomes `undefined`. */
export function decodeNumberList(input: unknown): number[] | undefined {
  if (!Array.isArray(input)) return undefined;
  const out = input.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  return out.length === input.length ? out : undefined;
}

function toNumber(v: unknown, what: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  throw new TypeError(`Cannot decode job ${what}: expected a finite number, got ${String(v)}`);
}
