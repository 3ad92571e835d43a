/**
 * Explicit schemas for the two UCI Bank Marketing files (Moro et al., CC BY 4.0), and the
 * derived contact date.
 *
 * Both files are semicolon-separated with quoted strings; `bank-full.csv` has 17 columns and LF
 * line ends, `bank-additional-full.csv` 21 columns (dotted names such as `emp.var.rate`) and CR LF.
 * Categorical columns carry their enums, so any other value is quarantined.
 *
 * The files hold no year, but both are in time order from May 2008 to November 2010. The contact
 * date is derived from row order: the year starts at 2008 (month May) and goes up by one whenever
 * the month number goes DOWN from one row to the next. `bank-full` has the day of month (`day`);
 * `bank-additional-full` only has `day_of_week`, so its dates are day 1 of the month.
 * Derivation needs global row order; per partition use the composable form:
 * {@linkcode summarizeMonths} on each partition, {@linkcode chainMonthRuns} on the driver (tiny),
 * then {@linkcode withContactDate} per partition with its cursor.
 *
 * @module
 */
import { SchemaError } from "../../errors.ts";
import type { Batch, Vec } from "../../columnar/batch.ts";
import type { CsvDialect } from "../../io/csv/scan.ts";
import type { CsvField, CsvSchema } from "../../io/csv/schema.ts";
import { daysFromCivil, daysInMonth } from "../../util/civil_time.ts";

/** Column names that leak the label (known only after the call): drop them for realistic models. */
export const BANK_LEAK_COLUMNS: readonly string[] = ["duration"];
/** The label column of both files (`"yes"` / `"no"`). */
export const BANK_LABEL_COLUMN = "y";
/** Month names as written in the files, January first. */
export const BANK_MONTHS: readonly string[] = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];

const YES_NO = ["no", "yes"];
const YES_NO_UNKNOWN = ["no", "yes", "unknown"];
const JOBS = [
  "admin.",
  "blue-collar",
  "entrepreneur",
  "housemaid",
  "management",
  "retired",
  "self-employed",
  "services",
  "student",
  "technician",
  "unemployed",
  "unknown",
];
const int = (name: string): CsvField => ({ name, type: "int", nullable: false });
const double = (name: string): CsvField => ({ name, type: "double", nullable: false });
const cat = (name: string, values: readonly string[]): CsvField => ({
  name,
  type: "string",
  nullable: false,
  enum: values,
});

/** `bank-full.csv`: 45,211 rows, 17 columns. */
export const BANK_FULL_SCHEMA: CsvSchema = {
  fields: [
    int("age"),
    cat("job", JOBS),
    cat("marital", ["divorced", "married", "single"]),
    cat("education", ["primary", "secondary", "tertiary", "unknown"]),
    cat("default", YES_NO),
    int("balance"),
    cat("housing", YES_NO),
    cat("loan", YES_NO),
    cat("contact", ["cellular", "telephone", "unknown"]),
    int("day"),
    cat("month", BANK_MONTHS),
    int("duration"),
    int("campaign"),
    int("pdays"),
    int("previous"),
    cat("poutcome", ["failure", "other", "success", "unknown"]),
    cat("y", YES_NO),
  ],
};

/** `bank-additional-full.csv`: 41,188 rows, 21 columns. */
export const BANK_ADDITIONAL_SCHEMA: CsvSchema = {
  fields: [
    int("age"),
    cat("job", JOBS),
    cat("marital", ["divorced", "married", "single", "unknown"]),
    cat("education", [
      "basic.4y",
      "basic.6y",
      "basic.9y",
      "high.school",
      "illiterate",
      "professional.course",
      "university.degree",
      "unknown",
    ]),
    cat("default", YES_NO_UNKNOWN),
    cat("housing", YES_NO_UNKNOWN),
    cat("loan", YES_NO_UNKNOWN),
    cat("contact", ["cellular", "telephone"]),
    cat("month", BANK_MONTHS),
    cat("day_of_week", ["mon", "tue", "wed", "thu", "fri"]),
    int("duration"),
    int("campaign"),
    int("pdays"),
    int("previous"),
    cat("poutcome", ["failure", "nonexistent", "success"]),
    double("emp.var.rate"),
    double("cons.price.idx"),
    double("cons.conf.idx"),
    double("euribor3m"),
    double("nr.employed"),
    cat("y", YES_NO),
  ],
};

/** How both files are written. */
export const BANK_DIALECT: CsvDialect = { separator: ";", quote: '"', header: true };

/** Read options for `bank-full.csv` (pass to `readCsvFile` / `parseRange`). */
export const BANK_FULL_OPTIONS: CsvDialect & { readonly schema: CsvSchema } = {
  ...BANK_DIALECT,
  schema: BANK_FULL_SCHEMA,
};
/** Read options for `bank-additional-full.csv`. */
export const BANK_ADDITIONAL_OPTIONS: CsvDialect & { readonly schema: CsvSchema } = {
  ...BANK_DIALECT,
  schema: BANK_ADDITIONAL_SCHEMA,
};

/** Year and month (1-12) of the last row seen; the state carried between partitions. */
export interface MonthCursor {
  readonly year: number;
  readonly month: number;
}

/** Where both files start: May 2008. */
export const BANK_START: MonthCursor = { year: 2008, month: 5 };

/** What a partition tells the driver: first and last month number, and roll-overs inside it. */
export interface MonthRun {
  readonly first: number;
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
