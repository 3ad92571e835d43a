/**
 * The contact date of the UCI Bank Marketing files, derived from row order, and the
 * `mapPartitions` exports that derive it on a cluster (`fx.read.bank` uses them; this module is
 * built in, so it is always on the allowlist).
 *
 * The files hold no year, but both are in time order from May 2008 to November 2010. The contact
 * date is derived from row order: the year starts at 2008 (month May) and goes up by one whenever
 * the month number goes DOWN from one row to the next. `bank-full` has the day of month (`day`);
 * `bank-additional-full` only has `day_of_week`, so its dates are day 1 of the month.
 *
 * Derivation needs global row order, so it is a prefix carry: {@linkcode summarize} reports each
 * partition's month run, {@linkcode chain} (on the driver) turns the runs into the cursor each
 * partition starts from, and {@linkcode addContactDate} appends the dates from that cursor. The
 * same steps as plain functions: {@linkcode summarizeMonths}, {@linkcode chainMonthRuns},
 * {@linkcode withContactDate}.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { SchemaError } from "../../errors.ts";
import type { Batch, Vec } from "../../columnar/batch.ts";
import { daysFromCivil, daysInMonth } from "../../util/civil_time.ts";
import type { ChainFn, FoldFn, MapContext, MapPartitionsFn, PartitionValue } from "../../partition_fns.ts";
import { BANK_MONTHS } from "./schemas.ts";

/** Year and month (1-12) of the last row seen; the state carried between partitions. */
export interface MonthCursor {
  /** Calendar year. */
  readonly year: number;
  /** Month, 1 (January) to 12. */
  readonly month: number;
}

/** Where both files start: May 2008. */
export const BANK_START: MonthCursor = { year: 2008, month: 5 };

/** What a partition tells the driver: first and last month number, and roll-overs inside it. */
export interface MonthRun {
  /** Month number (1-12) of the partition's first row. */
  readonly first: number;
  /** Month number (1-12) of the partition's last row. */
  readonly last: number;
  /** Times the month number goes down between consecutive rows of the partition. */
  readonly rollovers: number;
}

function monthNumber(name: string | undefined, row: number): number {
  const i = name === undefined ? -1 : BANK_MONTHS.indexOf(name);
  if (i < 0) {
    throw new SchemaError(`Cannot derive a contact date: row ${row} has month ${JSON.stringify(name)}`);
  }
  return i + 1;
}

/** Summarizes one partition's month column (in row order); `undefined` when it has no rows. */
export function summarizeMonths(months: readonly string[]): MonthRun | undefined {
  if (months.length === 0) return undefined;
  let prev = monthNumber(months[0], 0);
  const first = prev;
  let rollovers = 0;
  for (let i = 1; i < months.length; i++) {
    const m = monthNumber(months[i], i);
    if (m < prev) rollovers++;
    prev = m;
  }
  return { first, last: prev, rollovers };
}

/** Driver step: the cursor each partition starts from, given the runs in partition order. */
export function chainMonthRuns(
  runs: readonly (MonthRun | undefined)[],
  start: MonthCursor = BANK_START,
): MonthCursor[] {
  let cur = start;
  return runs.map((run) => {
    const at = cur;
    if (run !== undefined) {
      const year = cur.year + (run.first < cur.month ? 1 : 0) + run.rollovers;
      cur = { year, month: run.last };
    }
    return at;
  });
}

/**
 * Contact dates (days since 1970-01-01) for rows in order, starting from `cursor` (the last row
 * before them, or {@linkcode BANK_START}); `days` is the day of month per row, or day 1 when
 * absent. Returns the cursor after the last row. Throws `SchemaError` for an unknown month or a
 * day that the derived month does not have.
 */
export function deriveContactDates(
  months: readonly string[],
  days: ArrayLike<number> | undefined,
  cursor: MonthCursor = BANK_START,
): { dates: Int32Array; cursor: MonthCursor } {
  const dates = new Int32Array(months.length);
  let { year, month: prev } = cursor;
  for (let i = 0; i < months.length; i++) {
    const m = monthNumber(months[i], i);
    if (m < prev) year++;
    prev = m;
    const d = days === undefined ? 1 : days[i]!;
    if (!(d >= 1 && d <= daysInMonth(year, m))) {
      throw new SchemaError(
        `Cannot derive a contact date: row ${i} has day ${d} in ${year}-${String(m).padStart(2, "0")}`,
      );
    }
    dates[i] = daysFromCivil(year, m, d);
  }
  return { dates, cursor: { year, month: prev } };
}

/**
 * Appends a non-null `date` column (default name `contact_date`) derived from the batch's `month`
 * column and, when present, its `day` column.
 */
export function withContactDate(
  batch: Batch,
  cursor: MonthCursor = BANK_START,
  options: { readonly name?: string } = {},
): { batch: Batch; cursor: MonthCursor } {
  const find = (name: string): Vec | undefined =>
    batch.columns[batch.schema.findIndex((f) => f.name === name)];
  const month = find("month");
  if (month?.type !== "string") {
    throw new SchemaError('Cannot derive a contact date: no string column "month"');
  }
  const day = find("day");
  if (day !== undefined && day.type !== "int") {
    throw new SchemaError('Cannot derive a contact date: "day" is not an int column');
  }
  const r = deriveContactDates(month.values, day?.values, cursor);
  const name = options.name ?? "contact_date";
  return {
    batch: {
      schema: [...batch.schema, { name, type: "date", nullable: false }],
      length: batch.length,
      columns: [...batch.columns, { type: "date", values: r.dates }],
    },
    cursor: r.cursor,
  };
}

// ---- the mapPartitions exports ----

/** URL of this module, for `Dataset.mapPartitions`. */
export const CONTACT_DATE_MODULE: string = import.meta.url;

function monthsOf(batch: Batch): readonly string[] {
  const month = batch.columns[batch.schema.findIndex((f) => f.name === "month")];
  if (month?.type !== "string") {
    throw new SchemaError('Cannot derive a contact date: no string column "month"');
  }
  return month.values;
}

/** Summarize step: this partition's {@linkcode MonthRun} (JSON), or `null` when it has no rows. */
export function summarize(batches: readonly Batch[]): Json {
  const run = summarizeMonths(batches.flatMap((b) => [...monthsOf(b)]));
  return run === undefined ? null : { first: run.first, last: run.last, rollovers: run.rollovers };
}

function isObject(u: unknown): u is Record<string, unknown> {
  return typeof u === "object" && u !== null && !Array.isArray(u);
}

function int(o: Record<string, unknown>, k: string, lo: number, hi: number, what: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < lo || v > hi) {
    throw new TypeError(`${what}: "${k}" must be an integer in [${lo}, ${hi}]`);
  }
  return v;
}

function decodeRun(u: unknown, p: number): MonthRun | undefined {
  if (u === null) return undefined;
  const what = `Month run of partition ${p}`;
  if (!isObject(u)) throw new TypeError(`${what} must be an object or null`);
  return {
    first: int(u, "first", 1, 12, what),
    last: int(u, "last", 1, 12, what),
    rollovers: int(u, "rollovers", 0, Number.MAX_SAFE_INTEGER, what),
  };
}

/** Chain step (driver): the cursor each partition starts from, from the runs in partition order. */
export function chain(summaries: readonly PartitionValue[]): Json[] {
  return chainMonthRuns(summaries.map(decodeRun)).map((c) => ({ year: c.year, month: c.month }));
}

/** `args` of {@linkcode addContactDate}: `null`, or `{ name }` for another column name. */
function columnName(args: Json): string {
  if (args === null) return "contact_date";
  if (isObject(args) && Object.keys(args).every((k) => k === "name") && typeof args["name"] === "string") {
    return args["name"];
  }
  throw new TypeError("addContactDate takes null or { name: string } as arguments");
}

/** Map step: appends the contact date to every batch, starting from the partition's cursor. */
export function* addContactDate(batches: readonly Batch[], ctx: MapContext): Generator<Batch> {
  const { carry, args } = ctx;
  const name = columnName(args);
  if (!isObject(carry)) throw new TypeError("addContactDate needs a { year, month } carry");
  let cursor: MonthCursor = {
    year: int(carry, "year", 1, 9999, "Contact date cursor"),
    month: int(carry, "month", 1, 12, "Contact date cursor"),
  };
  for (const b of batches) {
    const r = withContactDate(b, cursor, { name });
    cursor = r.cursor;
    yield r.batch;
  }
}

// The exports have the signatures `mapPartitions` calls them with.
summarize satisfies FoldFn;
chain satisfies ChainFn;
addContactDate satisfies MapPartitionsFn;
