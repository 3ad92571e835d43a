/**
 * `timeSplit`: an out-of-time split — train on the earlier rows, test on the later ones — at a
 * quantile of a time column found exactly on the cluster.
 *
 * With `n` rows that have a time and `q = trainFraction`, the cut is the time of the row at
 * 1-based position `⌊q·n⌋ + 1` in time order. Train is every row strictly before the cut, test
 * every row at or after it: **ties at the cut go to the test split**, so no time is in both, the
 * test starts exactly at the cut, and train holds at most `q·n` rows (fewer when many rows share
 * the cut time — coarse times such as months give uneven fractions; the result reports the
 * counts). Rows without a time (null, NaN) are in neither split.
 *
 * The time column may be a date (days), a timestamp (ms) or any number.
 *
 * @example
 * ```ts ignore
 * const { train, test, cut } = await timeSplit(bank, { time: "contact_date", trainFraction: 0.8 });
 * ```
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import { count, lit, when } from "../../../cluster/expr/column.ts";
import { selectRanks } from "../order_statistics.ts";
import { checkColumn, checkNumber } from "../params.ts";
import { asDouble, doubleLit } from "../stages/stage.ts";

/** Options of {@linkcode timeSplit}. */
export interface TimeSplitOptions {
  /** The time column. */
  readonly time: string;
  /** The share of timed rows wanted in train, in (0, 1). @default {0.8} */
  readonly trainFraction?: number;
  /** Cancels the jobs. */
  readonly signal?: AbortSignal;
}

/** What {@linkcode timeSplit} returns. */
export interface TimeSplit {
  /** Rows with time < cut. */
  readonly train: Dataset;
  /** Rows with time ≥ cut. */
  readonly test: Dataset;
  /** The cut, in the column's numeric form (days for dates, ms for timestamps); +Infinity when test is empty. */
  readonly cut: number;
  /** Rows in train. */
  readonly trainRows: number;
  /** Rows in test. */
  readonly testRows: number;
  /** Rows without a time (in neither split). */
  readonly untimedRows: number;
}

/** Splits `dataset` by time (see the module doc); runs two to four small aggregation jobs. */
export async function timeSplit(dataset: Dataset, options: TimeSplitOptions): Promise<TimeSplit> {
  const time = checkColumn("time", options.time);
  if (!dataset.schema.some((f) => f.name === time)) {
    throw new RangeError(`time column "${time}" is not in the dataset`);
  }
  if (dataset.schema.find((f) => f.name === time)!.type === "string") {
    throw new TypeError(`time column "${time}" is text: cast it to a date or timestamp`);
  }
  const q = checkNumber("trainFraction", options.trainFraction ?? 0.8, {
    min: 0,
    max: 1,
    minExclusive: true,
  });
  if (q >= 1) throw new RangeError(`trainFraction must be a number in (0, 1), got ${q}`);
  const t = asDouble(time, dataset.schema);
  const [r] = await selectRanks(dataset, t, {
    ranks: (_, n) => Math.floor(q * n) + 1 <= n ? [Math.floor(q * n) + 1] : [],
    signal: options.signal,
  });
  const empty = r === undefined || r.values.length === 0;
  const cut = empty ? Infinity : r.values[0]!;
  const inTrain = empty ? t.eq(t) : t.lt(doubleLit(cut));
  const inTest = empty ? lit(false) : t.ge(doubleLit(cut));
  const train = dataset.filter(inTrain), test = dataset.filter(inTest);
  const [c] = await dataset.agg(
    count().alias("n"),
    count(when(inTrain, 1)).alias("train"),
    count(when(inTest, 1)).alias("test"),
  ).collect({ signal: options.signal });
  const trainRows = Number(c?.["train"] ?? 0), testRows = Number(c?.["test"] ?? 0);
  return { train, test, cut, trainRows, testRows, untimedRows: Number(c?.["n"] ?? 0) - trainRows - testRows };
}
