/**
 * `downsampleMajority`: an imbalance strategy — keep every row of the minority class and a seeded,
 * partition-independent random subset of the majority class, so that the majority has `ratio`
 * times as many rows as the minority (or all of its rows, when it has fewer).
 *
 * Rows are drawn as `randomSplit` draws them: each row's draw is a hash of `(seed, its key
 * columns)` ({@linkcode rowDraw}), and the majority rows kept are exactly those with a draw at or
 * below the draw of rank `target`, found exactly on the cluster ({@linkcode selectRanks}). The
 * result is the same rows for any partitioning or executor count (duplicates of a kept row, having
 * the same draw, are kept too). With `weightCol`, kept rows get an instance weight: the majority
 * `n_majority / kept` and the minority 1, which undoes the prior shift for models that take
 * weights (leave it out to shift the prior on purpose).
 *
 * Runs two small aggregation jobs; the returned dataset is a lazy filter.
 *
 * @example
 * ```ts ignore
 * const { dataset, kept } = await downsampleMajority(train, { label: "y01", ratio: 3, seed: 7 });
 * ```
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import { col, type Column, count, lit, when } from "../../../cluster/expr/column.ts";
import { selectRanks } from "../order_statistics.ts";
import { checkColumn, checkNumber } from "../params.ts";
import { doubleLit } from "../stages/stage.ts";
import { rowDraw } from "./row_draw.ts";

/** Options of {@linkcode downsampleMajority}. */
export interface DownsampleMajorityOptions {
  /** The label column: 0/1 numbers or bools, or text with `positive`. */
  readonly label: string;
  /** The positive value of a text label. */
  readonly positive?: string;
  /** Majority rows kept per minority row, > 0. @default {1} */
  readonly ratio?: number;
  /** Seeds the draw (a safe integer). */
  readonly seed: number;
  /** Columns that identify a row for the draw. @default {every column} */
  readonly key?: readonly string[];
  /** Adds this instance-weight column (see the module doc). */
  readonly weightCol?: string;
  /** Cancels the jobs. */
  readonly signal?: AbortSignal;
}

/** What {@linkcode downsampleMajority} returns. */
export interface DownsampledMajority {
  /** The kept rows (lazy). */
  readonly dataset: Dataset;
  /** The majority class: 1 when positives outnumber negatives, else 0. */
  readonly majority: 0 | 1;
  /** Rows per class before: `[negatives, positives]` (rows with a null label are dropped). */
  readonly before: readonly [number, number];
  /** Majority rows asked for. */
  readonly target: number;
  /** The weight kept majority rows get with `weightCol`. */
  readonly majorityWeight: number;
}

/** Down-samples the majority class of `dataset` (see the module doc). */
export async function downsampleMajority(
  dataset: Dataset,
  options: DownsampleMajorityOptions,
): Promise<DownsampledMajority> {
  const label = checkColumn("label", options.label);
  const ratio = checkNumber("ratio", options.ratio ?? 1, { min: 0, max: Infinity, minExclusive: true });
  if (!Number.isSafeInteger(options.seed)) {
    throw new RangeError(`seed must be a safe integer, got ${options.seed}`);
  }
  if (options.weightCol !== undefined) checkColumn("weightCol", options.weightCol);
  const field = dataset.schema.find((f) => f.name === label);
  if (field === undefined) throw new RangeError(`label column "${label}" is not in the dataset`);
  let isPositive: Column;
  if (field.type === "string") {
    if (options.positive === undefined) {
      throw new RangeError(`label "${label}" is text: give positive to say which value is 1`);
    }
    isPositive = col(label).eq(lit(options.positive));
  } else {
    isPositive = col(label).cast("double").eq(lit(1, "double"));
  }
  const labeled = dataset.filter(col(label).isNotNull());
  const cls = when(isPositive, lit(1, "double")).otherwise(lit(0, "double"));
  const counts = await labeled.groupBy(cls.alias("__class")).agg(count().alias("n")).collect();
  const before: [number, number] = [0, 0];
  for (const r of counts) before[r["__class"] === 1 ? 1 : 0] = Number(r["n"]);
  const majority: 0 | 1 = before[1] > before[0] ? 1 : 0;
  const nMajority = before[majority], nMinority = before[1 - majority]!;
  const target = Math.min(nMajority, Math.max(1, Math.round(ratio * nMinority)));
  const isMajority = majority === 1 ? isPositive : isPositive.not();
  let kept: Dataset;
  if (target >= nMajority) {
    kept = labeled;
  } else {
    const u = rowDraw(dataset.schema, { seed: options.seed, key: options.key });
    const found = await selectRanks(labeled.filter(isMajority), u, {
      ranks: () => [target],
      signal: options.signal,
    });
    const cut = found[0]!.values[0]!;
    kept = labeled.filter(isMajority.not().or(u.le(doubleLit(cut))));
  }
  const majorityWeight = nMajority / target;
  const dataset2 = options.weightCol === undefined ? kept : kept.withColumn(
    options.weightCol,
    when(isMajority, doubleLit(majorityWeight)).otherwise(lit(1, "double")),
  );
  return { dataset: dataset2, majority, before, target, majorityWeight };
}
