/**
 * Per-account velocity and deviation features for fraud models, defined once as data: each
 * feature is a named engine expression ({@linkcode Expr}, JSON) whose window functions say
 * exactly what state it needs — the key (`partitionBy`), the event order and the frame. The batch
 * path computes them with window operators ({@linkcode withVelocityFeatures}); a streaming job
 * reads the same {@linkcode VelocityFeature} list and keeps the same values in keyed state, so
 * training and serving cannot drift.
 *
 * Definitions, per account, on clean data (one row per transaction: duplicates and malformed rows
 * removed first), with events ordered by time and then by transaction id:
 * - `tx_count_1h`, `amount_sum_1h`: transactions and their amount in the hour up to and including
 *   this one's instant (an event exactly an hour earlier counts; every event at the same instant
 *   counts, later ones too — a streaming job emits once the watermark has passed the instant).
 * - `prior_tx_count`: transactions strictly before this one.
 * - `amount_mean_prior`, `amount_std_prior`: mean and sample standard deviation of the amounts
 *   strictly before this one (null before the first, resp. second, transaction).
 * - `amount_to_mean`: amount / `amount_mean_prior` (null without a prior mean or when it is 0).
 * - `amount_z`: (amount − `amount_mean_prior`) / `amount_std_prior` (null when the std is null or 0).
 * - `secs_since_prev`: seconds since the previous transaction (null for the first).
 * - `new_merchant`, `new_country`: the account's first transaction with this merchant / in this
 *   country.
 *
 * @example Features of generated transactions, computed on the cluster
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier } from "@frontier/frontier";
 * import { VELOCITY_FEATURES, withVelocityFeatures } from "./velocity.ts";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const tokenKey = new Uint8Array(32).fill(7);
 * const tx = fx.transactions({ rows: 2_000, seed: 1, tokenKey, partitions: 2 });
 * const featured = withVelocityFeatures(tx);
 * assert.deepEqual(featured.columns.slice(-VELOCITY_FEATURES.length), VELOCITY_FEATURES.map((f) => f.name));
 * const [first] = await featured.filter(col("prior_tx_count").eq(0)).take(1);
 * assert.equal(first?.["new_merchant"], true);
 * assert.equal(first?.["amount_mean_prior"], null);
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { avg, col, Column, count, stddev, sum, when } from "../../cluster/expr/column.ts";
import type { Expr } from "../../cluster/expr/expr.ts";
import { lag, rowNumber, Window } from "../../cluster/expr/window.ts";

/** One feature: its output column and its definition (an expression that may hold window functions). */
export interface VelocityFeature {
  /** Output column name. */
  readonly name: string;
  /** The definition, as JSON data. */
  readonly expr: Expr;
}

/** The input columns the features read. Defaults are the generated transactions' names. */
export interface VelocityColumns {
  /** The key whose history the features summarize. @default {"account_id"} */
  readonly account?: string;
  /** Event time (a timestamp, ms). @default {"event_time"} */
  readonly time?: string;
  /** A unique event id, breaking ties at the same instant. @default {"transaction_id"} */
  readonly id?: string;
  /** The amount. @default {"amount"} */
  readonly amount?: string;
  /** @default {"merchant_id"} */
  readonly merchant?: string;
  /** @default {"country"} */
  readonly country?: string;
}

const HOUR_MS = 3_600_000;

/** The feature definitions over columns named by `columns`. */
export function velocityFeatures(columns: VelocityColumns = {}): VelocityFeature[] {
  const account = columns.account ?? "account_id", time = columns.time ?? "event_time";
  const id = columns.id ?? "transaction_id", amount = columns.amount ?? "amount";
  const lastHour = Window.partitionBy(account).orderBy(time).rangeBetween(-HOUR_MS, 0);
  const history = Window.partitionBy(account).orderBy(time, id);
  const prior = history.rowsBetween(Window.unboundedPreceding, -1);
  const meanPrior = avg(amount).over(prior), stdPrior = stddev(amount).over(prior);
  const firstWith = (c: string) => rowNumber().over(Window.partitionBy(account, c).orderBy(time, id)).eq(1);
  const features: [string, Column][] = [
    ["tx_count_1h", count().over(lastHour)],
    ["amount_sum_1h", sum(amount).over(lastHour)],
    ["prior_tx_count", count().over(prior)],
    ["amount_mean_prior", meanPrior],
    ["amount_std_prior", stdPrior],
    ["amount_to_mean", when(meanPrior.ne(0), col(amount).div(meanPrior))],
    ["amount_z", when(stdPrior.gt(0), col(amount).minus(meanPrior).div(stdPrior))],
    ["secs_since_prev", col(time).minus(lag(time).over(history)).div(1000)],
    ["new_merchant", firstWith(columns.merchant ?? "merchant_id")],
    ["new_country", firstWith(columns.country ?? "country")],
  ];
  return features.map(([name, c]) => ({ name, expr: c.expr }));
}

/** The features over the generated transactions' columns (`fx.transactions`). */
export const VELOCITY_FEATURES: readonly VelocityFeature[] = velocityFeatures();

/**
 * `ds` with every feature of `features` added as a column (lazy: window operators run with the
 * next action; the four windows share one shuffle, by account).
 *
 * @throws {SchemaError} when `ds` lacks a column a feature reads.
 */
export function withVelocityFeatures(
  ds: Dataset,
  features: readonly VelocityFeature[] = VELOCITY_FEATURES,
): Dataset {
  const added = features.map((f) => new Column(f.expr).alias(f.name));
  return ds.select(...ds.columns.map((c) => col(c)), ...added);
}
