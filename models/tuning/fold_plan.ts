/**
 * How a tuning search validates: the folds (training rows, validation rows) every trial is fitted
 * and scored on.
 *
 * - `holdout` (Spark's TrainValidationSplit): one stratified random split, `trainRatio` of the
 *   rows to train on.
 * - `kfold` (Spark's CrossValidator): `folds` stratified random parts of equal size; fold `i`
 *   validates on part `i` and trains on the others.
 * - `time-holdout`: out of time — train on the rows before the `trainRatio` quantile of the time
 *   column, validate on the rows at or after it.
 * - `fold-column` (Spark's CrossValidator `foldCol`): the folds are given by an integer column
 *   of the data: fold `i` validates on the rows whose column is `i` and trains on every other
 *   row with a value ≥ 0; rows with a negative or null value are in no fold (e.g. held-out test
 *   rows). Every value must be an integer below `folds`, and every fold must have rows.
 * - `time-series`: expanding windows — the timed rows are cut at the quantiles `i / (folds + 1)`;
 *   fold `i` trains on every row before cut `i` and validates on the rows from cut `i` up to cut
 *   `i + 1` (the last fold: to the end). No fold ever trains on a time at or after one it
 *   validates on; ties at a cut go to the later side.
 *
 * Random parts come from {@linkcode randomSplit} (exact per class, a function of the seed and the
 * rows' keys only, so every partitioning and executor count gives the same folds); time cuts from
 * {@linkcode timeSplit}. Rows without a time are in no fold of a time plan.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { randomSplit } from "../features/split/random_split.ts";
import { type TimeSplit, timeSplit } from "../features/split/time_split.ts";
import { asDouble, doubleLit } from "../features/stages/stage.ts";
import { checkColumn, checkNumber } from "../features/params.ts";

/** A validation plan (see the module doc). */
export type FoldPlan =
  | { readonly kind: "holdout"; readonly trainRatio: number }
  | { readonly kind: "kfold"; readonly folds: number }
  | { readonly kind: "time-holdout"; readonly time: string; readonly trainRatio: number }
  | { readonly kind: "time-series"; readonly time: string; readonly folds: number }
  | { readonly kind: "fold-column"; readonly column: string; readonly folds: number };

/** Most folds a plan may have. */
export const MAX_FOLDS = 50;

/** One fold: lazy datasets over the input, and what they hold. */
export interface Fold {
  /** 0-based. */
  readonly index: number;
  /** Rows the trial fits on. */
  readonly train: Dataset;
  /** Rows the trial is scored on. */
  readonly validation: Dataset;
  /** Rows in `train` (exact). */
  readonly trainRows: number;
  /** Rows in `validation` (exact). */
  readonly validationRows: number;
  /**
   * Time plans: train holds times `< validationFrom`, validation times in
   * `[validationFrom, validationTo)` (numeric form of the time column: days for dates, ms for
   * timestamps).
   */
  readonly validationFrom?: number;
  /** See `validationFrom` (`Infinity` for the last fold). */
  readonly validationTo?: number;
}

/** Throws `RangeError` naming the bad field of `plan`; returns it. */
export function checkFoldPlan(plan: FoldPlan): FoldPlan {
  switch (plan.kind) {
    case "holdout":
      checkNumber("trainRatio", plan.trainRatio, { min: 0, max: 1, minExclusive: true });
      if (plan.trainRatio >= 1) throw new RangeError(`trainRatio must be in (0, 1), got ${plan.trainRatio}`);
      return plan;
    case "time-holdout":
      checkColumn("time", plan.time);
      checkNumber("trainRatio", plan.trainRatio, { min: 0, max: 1, minExclusive: true });
      if (plan.trainRatio >= 1) throw new RangeError(`trainRatio must be in (0, 1), got ${plan.trainRatio}`);
      return plan;
    case "kfold":
      checkNumber("folds", plan.folds, { min: 2, max: MAX_FOLDS, integer: true });
      return plan;
    case "time-series":
      checkColumn("time", plan.time);
      checkNumber("folds", plan.folds, { min: 1, max: MAX_FOLDS, integer: true });
      return plan;
    case "fold-column":
      checkColumn("column", plan.column);
      checkNumber("folds", plan.folds, { min: 2, max: MAX_FOLDS, integer: true });
      return plan;
    default:
      plan satisfies never;
      throw new RangeError(`Unknown fold plan ${JSON.stringify(plan)}`);
  }
}

/** Options of {@linkcode makeFolds}. */
export interface MakeFoldsOptions {
  /** Seeds random parts. */
  readonly seed: number;
  /** Stratify random parts by this column (the label). */
  readonly stratifyBy?: string | undefined;
  /** Cancels the jobs. */
  readonly signal?: AbortSignal | undefined;
}

/** The folds of `plan` over `data` (a few small jobs; the folds themselves are lazy). */
export async function makeFolds(data: Dataset, plan: FoldPlan, options: MakeFoldsOptions): Promise<Fold[]> {
  checkFoldPlan(plan);
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const random = {
    seed: options.seed,
    ...(options.stratifyBy ? { stratifyBy: options.stratifyBy } : {}),
    ...signal,
  };
  switch (plan.kind) {
    case "holdout": {
      const { splits, strata } = await randomSplit(data, [plan.trainRatio, 1 - plan.trainRatio], random);
      const rows = (j: number) => strata.reduce((n, s) => n + s.splits[j]!, 0);
      return [{
        index: 0,
        train: splits[0]!,
        validation: splits[1]!,
        trainRows: rows(0),
        validationRows: rows(1),
      }];
    }
    case "kfold": {
      const k = plan.folds;
      const { splits, strata } = await randomSplit(data, Array.from({ length: k }, () => 1), random);
      const rows = (j: number) => strata.reduce((n, s) => n + s.splits[j]!, 0);
      const total = strata.reduce((n, s) => n + s.rows, 0);
      return splits.map((validation, i) => {
        const others = splits.filter((_, j) => j !== i);
        return {
          index: i,
          train: others[0]!.union(...others.slice(1)),
          validation,
          trainRows: total - rows(i),
          validationRows: rows(i),
        };
      });
    }
    case "time-holdout": {
      const s = await timeSplit(data, { time: plan.time, trainFraction: plan.trainRatio, ...signal });
      return [{
        index: 0,
        train: s.train,
        validation: s.test,
        trainRows: s.trainRows,
        validationRows: s.testRows,
        validationFrom: s.cut,
        validationTo: Infinity,
      }];
    }
    case "fold-column":
      return await columnFolds(data, plan, options.signal);
    case "time-series": {
      const k = plan.folds;
      const cuts: TimeSplit[] = [];
      for (let i = 1; i <= k; i++) {
        cuts.push(await timeSplit(data, { time: plan.time, trainFraction: i / (k + 1), ...signal }));
      }
      const t = asDouble(plan.time, data.schema);
      return cuts.map((s, i) => {
        const next = cuts[i + 1];
        return {
          index: i,
          train: s.train,
          validation: next === undefined ? s.test : s.test.filter(t.lt(doubleLit(next.cut))),
          trainRows: s.trainRows,
          validationRows: next === undefined ? s.testRows : next.trainRows - s.trainRows,
          validationFrom: s.cut,
          validationTo: next === undefined ? Infinity : next.cut,
        };
      });
    }
    default:
      plan satisfies never;
      throw new RangeError("unreachable");
  }
}

/** The plan in words, e.g. `"3-fold cross-validation, stratified"`. */
export function describePlan(plan: FoldPlan, stratified: boolean): string {
  const strat = stratified ? ", stratified by the label" : "";
  switch (plan.kind) {
    case "holdout":
      return `train/validation split ${Math.round(plan.trainRatio * 100)} / ${
        Math.round((1 - plan.trainRatio) * 100)
      }${strat}`;
    case "kfold":
      return `${plan.folds}-fold cross-validation${strat}`;
    case "time-holdout":
      return `out-of-time holdout on ${plan.time}: validate on the latest ${
        Math.round((1 - plan.trainRatio) * 100)
      } %`;
    case "time-series":
      return `${plan.folds} expanding-window time-series folds on ${plan.time}`;
    case "fold-column":
      return `${plan.folds}-fold cross-validation on the fold column ${plan.column}`;
    default:
      plan satisfies never;
      return "";
  }
}

/**
 * The folds of a `fold-column` plan: one job counts the rows per value of the column (and checks
 * every value), the folds are filters on it.
 */
async function columnFolds(
  data: Dataset,
  plan: { readonly column: string; readonly folds: number },
  signal: AbortSignal | undefined,
): Promise<Fold[]> {
  const field = data.schema.find((f) => f.name === plan.column);
  if (field === undefined) {
    throw new RangeError(
      `Fold column "${plan.column}" is not in the data (${data.schema.map((f) => f.name).join(", ")})`,
    );
  }
  const fold = asDouble(plan.column, data.schema);
  const counts = await data.select(fold.as("__fold")).groupBy("__fold").count().collect({ signal });
  const rows = new Array<number>(plan.folds).fill(0);
  for (const r of counts) {
    const v = r["__fold"] === null || r["__fold"] === undefined ? null : Number(r["__fold"]);
    if (v === null || v < 0) continue;
    if (!Number.isInteger(v) || v >= plan.folds) {
      throw new RangeError(
        `Fold column "${plan.column}" holds ${v}: values must be integers in [0, ${plan.folds}) (negative or null: in no fold)`,
      );
    }
    rows[v] = Number(r["count"]);
  }
  const empty = rows.findIndex((n) => n === 0);
  if (empty >= 0) throw new RangeError(`Fold column "${plan.column}": fold ${empty} has no rows`);
  const total = rows.reduce((a, b) => a + b, 0);
  return rows.map((n, i) => ({
    index: i,
    train: data.filter(fold.ge(doubleLit(0)).and(fold.ne(doubleLit(i)))),
    validation: data.filter(fold.eq(doubleLit(i))),
    trainRows: total - n,
    validationRows: n,
  }));
}
