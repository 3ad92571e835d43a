/**
 * Subscription analysis of the UCI Bank Marketing data (either file): the rate of `y = "yes"` with
 * its row count by job, education, marital status, month, contact type, previous outcome, day of
 * week (bank-additional), age band, balance band (bank-full), and over time by the month of the
 * derived `contact_date`. Each breakdown is one group-by job in the cluster; only the segment rows
 * come back.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col, type Column, concat, lit, month, when, year } from "../../cluster/expr/column.ts";
import { BANK_LABEL_COLUMN, BANK_MONTHS } from "../../cluster/sources/bank/schemas.ts";
import { type SegmentStat, segmentStats } from "../../models/stat/segment_rates.ts";

/** The categorical columns broken down when present, in report order. */
export const BANK_DIMENSIONS: readonly string[] = [
  "job",
  "education",
  "marital",
  "month",
  "day_of_week",
  "contact",
  "poutcome",
];
/** Age bands: label and lower bound (inclusive). */
export const AGE_BANDS: readonly (readonly [string, number])[] = [
  ["<25", -Infinity],
  ["25-34", 25],
  ["35-44", 35],
  ["45-54", 45],
  ["55-64", 55],
  ["65+", 65],
];
/** Balance bands (euros): label and lower bound (inclusive). */
export const BALANCE_BANDS: readonly (readonly [string, number])[] = [
  ["<0", -Infinity],
  ["0", 0],
  ["1-999", 1],
  ["1k-4.9k", 1000],
  ["5k-19.9k", 5000],
  ["20k+", 20000],
];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];

/** One breakdown: the subscription rate per segment of `dimension`. */
export interface RateBreakdown {
  dimension: string;
  rows: SegmentStat[];
}

/** Everything {@linkcode bankAnalysis} computes. */
export interface BankAnalysis {
  /** All rows: count, subscriptions and rate. */
  overall: SegmentStat;
  breakdowns: RateBreakdown[];
  /** Rate per calendar month of `contact_date` (`YYYY-MM`), in time order; empty without the column. */
  overTime: SegmentStat[];
}

/** The band label of `c` for bands given by inclusive lower bounds (ascending). */
export function bandColumn(c: Column, bands: readonly (readonly [string, number])[]): Column {
  const [first, ...rest] = [...bands].reverse();
  if (first === undefined) throw new RangeError("bandColumn needs at least one band");
  let expr = when(c.ge(first[1] === -Infinity ? -Number.MAX_VALUE : first[1]), first[0]);
  for (const [label, lower] of rest) {
    expr = expr.when(lower === -Infinity ? c.isNotNull() : c.ge(lower), label);
  }
  return expr;
}

/** `YYYY-MM` of a date or timestamp column. */
export function yearMonthColumn(c: string): Column {
  const m = month(c);
  return concat(
    year(c).cast("string"),
    lit("-"),
    when(m.lt(10), concat(lit("0"), m.cast("string"))).otherwise(m.cast("string")),
  );
}

/** Subscription rates of a bank dataset (label column `y`). */
export async function bankAnalysis(
  ds: Dataset,
  options: { log?: (line: string) => void } = {},
): Promise<BankAnalysis> {
  const names = new Set(ds.columns);
  if (!names.has(BANK_LABEL_COLUMN)) {
    throw new RangeError(`Cannot analyse bank data: no "${BANK_LABEL_COLUMN}" column`);
  }
  const label = col(BANK_LABEL_COLUMN).eq("yes");
  const [overall] = await segmentStats(ds, { key: lit("all"), label });
  if (overall === undefined) throw new RangeError("Cannot analyse bank data: the dataset is empty");
  const breakdowns: RateBreakdown[] = [];
  const run = async (dimension: string, key: Column, order: "key" | readonly string[]) => {
    options.log?.(`bank: rate by ${dimension}`);
    breakdowns.push({ dimension, rows: await segmentStats(ds, { key, label, order }) });
  };
  for (const d of BANK_DIMENSIONS) {
    if (!names.has(d)) continue;
    await run(d, col(d), d === "month" ? BANK_MONTHS : d === "day_of_week" ? WEEKDAYS : "key");
  }
  if (names.has("age")) {
    await run("age band", bandColumn(col("age"), AGE_BANDS), AGE_BANDS.map(([l]) => l));
  }
  if (names.has("balance")) {
    await run("balance band", bandColumn(col("balance"), BALANCE_BANDS), BALANCE_BANDS.map(([l]) => l));
  }
  let overTime: SegmentStat[] = [];
  if (names.has("contact_date")) {
    options.log?.("bank: rate by contact month");
    overTime = await segmentStats(ds, { key: yearMonthColumn("contact_date"), label, order: "key" });
  }
  return { overall, breakdowns, overTime };
}
