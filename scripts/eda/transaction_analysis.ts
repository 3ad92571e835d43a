/**
 * Card-transaction analysis (the schema of `cluster/sources/transactions/generator.ts`, or any data with
 * its `amount`, `event_time` and `is_fraud` columns): volume (row count), amount (sum and mean) and
 * fraud rate by merchant category, channel, country, hour of day, day of week and fraud scenario,
 * plus daily volume and fraud rate over time. One group-by job per breakdown, in the cluster.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import {
  col,
  type Column,
  concat,
  dayOfMonth,
  dayOfWeek,
  hour,
  lit,
  when,
} from "../../cluster/expr/column.ts";
import { yearMonthColumn } from "./bank_analysis.ts";
import { type SegmentStat, segmentStats } from "../../models/stat/segment_rates.ts";

/** Categorical breakdowns, when the column is present. */
export const TRANSACTION_DIMENSIONS: readonly string[] = [
  "merchant_category",
  "channel",
  "country",
  "scenario",
];
/** Day names by Spark's `dayOfWeek` (1 = Sunday). */
export const WEEKDAY_NAMES: readonly string[] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));

/** One breakdown of transactions. */
export interface TransactionBreakdown {
  dimension: string;
  /** `count` = volume, `sum`/`mean` = amount, `positives`/`rate` = fraud. */
  rows: SegmentStat[];
}

/** Everything {@linkcode transactionAnalysis} computes. */
export interface TransactionAnalysis {
  overall: SegmentStat;
  breakdowns: TransactionBreakdown[];
  /** Per UTC day (`YYYY-MM-DD`), in time order. */
  daily: SegmentStat[];
}

/** True when `ds` has the columns this analysis needs. */
export function isTransactionData(columns: readonly string[]): boolean {
  return ["amount", "event_time", "is_fraud"].every((c) => columns.includes(c));
}

/** `event_time` as a timestamp (cast from text when the data came from a CSV read as strings). */
function eventTime(ds: Dataset): Column {
  const f = ds.schema.find((x) => x.name === "event_time");
  return f?.type === "string" ? col("event_time").cast("timestamp") : col("event_time");
}

/** `YYYY-MM-DD` of the timestamp column `c` (UTC). */
function dayColumn(c: string): Column {
  const d = dayOfMonth(c);
  return concat(
    yearMonthColumn(c),
    lit("-"),
    when(d.lt(10), concat(lit("0"), d.cast("string"))).otherwise(d.cast("string")),
  );
}

/** Volume, amount and fraud rate by segment and over time. */
export async function transactionAnalysis(
  input: Dataset,
  options: { log?: (line: string) => void } = {},
): Promise<TransactionAnalysis> {
  if (!isTransactionData(input.columns)) {
    throw new RangeError("Cannot analyse transactions: amount, event_time and is_fraud are required");
  }
  const ds = input.withColumn("__t", eventTime(input));
  const label = col("is_fraud").cast("bool");
  const value = col("amount");
  const [overall] = await segmentStats(ds, { key: lit("all"), label, value });
  if (overall === undefined) throw new RangeError("Cannot analyse transactions: the dataset is empty");
  const breakdowns: TransactionBreakdown[] = [];
  const run = async (dimension: string, key: Column, order: "count" | readonly string[]) => {
    options.log?.(`transactions: by ${dimension}`);
    breakdowns.push({ dimension, rows: await segmentStats(ds, { key, label, value, order }) });
  };
  for (const d of TRANSACTION_DIMENSIONS) {
    if (ds.columns.includes(d)) await run(d, col(d), "count");
  }
  const h = hour("__t");
  await run(
    "hour of day",
    when(h.lt(10), concat(lit("0"), h.cast("string"))).otherwise(h.cast("string")),
    HOURS,
  );
  let weekday = when(dayOfWeek("__t").eq(1), WEEKDAY_NAMES[0]!);
  for (let d = 2; d <= 7; d++) weekday = weekday.when(dayOfWeek("__t").eq(d), WEEKDAY_NAMES[d - 1]!);
  await run("day of week", weekday, WEEKDAY_NAMES);
  options.log?.("transactions: daily");
  const daily = await segmentStats(ds, { key: dayColumn("__t"), label, value, order: "key" });
  return { overall, breakdowns, daily };
}
