/**
 * Window-function features computed online from keyed state, from the same definitions the batch
 * path runs (`models/features/velocity.ts`'s {@linkcode VELOCITY_FEATURES} by default), so
 * training and serving cannot drift.
 *
 * Semantics: a definition's value for an event is its batch value over the stream's on-time
 * events. Because a range frame includes every event of the current instant (later arrivals too),
 * an event is held until the watermark has passed its instant (`event time < watermark`); then the
 * instants the watermark passed are processed in event-time order, each account's rows of an
 * instant together, and every held event is emitted with its features. Rows that tie on a
 * window's order keys are ordered as the batch kernel orders them: by the other input columns,
 * ascending, nulls first (the velocity windows order by time and transaction id, so no two rows
 * tie).
 *
 * - An event behind the watermark when it arrives is **late**: emitted on the late side output,
 *   never folded into the state (its batch value would depend on rows already emitted).
 * - An event that does not fit the input schema is **rejected** with the reason.
 * - Duplicates must be dropped upstream (the window operator's id horizon does): the operator
 *   counts every event it is given.
 *
 * State per key: for each window function, per window partition (the key plus any further
 * partition columns, e.g. the merchant of `new_merchant`), what {@linkcode FnState} keeps — running
 * double-double sums for frames from the first row, the rows of the last hour for the hour frame,
 * counters for row numbers, the previous event's time for `lag`; plus the events waiting for the
 * watermark. All of it is plain data ({@linkcode encodeState}).
 *
 * @module
 */
import type { Row, Schema } from "../../cluster/columnar/batch.ts";
import { TRANSACTION_SCHEMA } from "../../cluster/sources/transactions/generator.ts";
import { VELOCITY_FEATURES } from "../../models/features/velocity.ts";
import type { Timed } from "../event_time.ts";
import type { OnlineOperator, Step } from "./operator.ts";
import { computeFeatures, type KeyFnStates, rowProblem } from "./feature_compute.ts";
import { type FeatureDefinition, type OnlineWindowPlan, planOnlineWindows } from "./window_plan.ts";

/** What the feature operator consumes. */
export type FeatureInput =
  /** A decoded, de-duplicated event. */
  | { readonly type: "event"; readonly row: Row }
  /** The operator watermark moved (event time). */
  | { readonly type: "watermark"; readonly watermark: number }
  /** The input is over: every held event is emitted. */
  | { readonly type: "end" };

/** What the feature operator emits. */
export type FeatureOutput =
  /** An event with every feature added as a column. */
  | { readonly type: "features"; readonly row: Row }
  /** An event that arrived behind the watermark. */
  | { readonly type: "late"; readonly row: Row; readonly watermark: number }
  /** An event that does not fit the input schema. */
  | { readonly type: "rejected"; readonly row: Row; readonly reason: string };

/** The feature operator's state (plain data). */
export interface FeatureState {
  /** State layout version. */
  readonly version: 1;
  /** The last watermark seen. */
  watermark: number;
  /** Whether `end` was seen. */
  ended: boolean;
  /** Events waiting for the watermark: a binary min-heap by event time. */
  pending: Row[];
  /** Per key (`k:` + the key's JSON), per window function, per window partition (JSON of its values). */
  keys: Record<string, KeyFnStates>;
}

/** Settings of {@linkcode onlineFeatures}. */
export interface OnlineFeaturesOptions {
  /** The definitions. @default {VELOCITY_FEATURES} */
  readonly features?: readonly FeatureDefinition[];
  /** The events' columns. @default {TRANSACTION_SCHEMA (generated transactions)} */
  readonly schema?: Schema;
}

/**
 * The operator computing `options.features` online.
 *
 * @throws {SchemaError} when a definition cannot be computed online (see `window_plan.ts`).
 *
 * @example Prior-transaction counts, emitted once the watermark passes each instant
 * ```ts
 * import assert from "node:assert/strict";
 * import { onlineFeatures, runOperator } from "@frontier/frontier/streaming";
 * const op = onlineFeatures();
 * const tx = (id: string, t: number) => ({
 *   transaction_id: id, event_time: t, account_id: "a", card: "c", card_display: "c", merchant_id: "m",
 *   merchant_category: "grocery", amount: 10, currency: "USD", channel: "pos", country: "US",
 *   is_fraud: false, scenario: "none", seq: 0, is_duplicate: false, is_malformed: false,
 * });
 * const { outputs } = runOperator(op, [
 *   { time: 0, value: { type: "event", row: tx("t2", 2_000) } },
 *   { time: 1, value: { type: "event", row: tx("t1", 1_000) } }, // out of order, still on time
 *   { time: 2, value: { type: "watermark", watermark: 5_000 } },
 * ]);
 * assert.deepEqual(outputs.map((o) => o.type === "features" && [o.row.transaction_id, o.row.prior_tx_count]), [
 *   ["t1", 0],
 *   ["t2", 1],
 * ]);
 * ```
 */
export function onlineFeatures(
  options: OnlineFeaturesOptions = {},
): OnlineOperator<FeatureState, FeatureInput, FeatureOutput> {
  const schema = options.schema ?? TRANSACTION_SCHEMA;
  const plan = planOnlineWindows(options.features ?? VELOCITY_FEATURES, schema);
  const timeOf = (r: Row) => r[plan.time] as number;
  return {
    name: "online-features",
    initial: () => ({ version: 1, watermark: -Infinity, ended: false, pending: [], keys: {} }),
    step(state: FeatureState, input: Timed<FeatureInput>): Step<FeatureState, FeatureOutput> {
      const msg = input.value;
      if (state.ended) throw new Error(`online features received "${msg.type}" after "end"`);
      const outputs: FeatureOutput[] = [];
      switch (msg.type) {
        case "event": {
          const reason = rowProblem(plan, msg.row);
          if (reason !== undefined) outputs.push({ type: "rejected", row: msg.row, reason });
          else if (timeOf(msg.row) < state.watermark) {
            outputs.push({ type: "late", row: msg.row, watermark: state.watermark });
          } else heapPush(state.pending, msg.row, timeOf);
          break;
        }
        case "watermark":
          if (msg.watermark > state.watermark) {
            state.watermark = msg.watermark;
            release(plan, state, msg.watermark, outputs);
          }
          break;
        case "end":
          release(plan, state, Infinity, outputs);
          state.ended = true;
          break;
        default: {
          const never: never = msg;
          throw new TypeError(`Unknown feature input ${JSON.stringify(never)}`);
        }
      }
      return { state, outputs };
    },
  };
}

/** Emits every held event before `watermark`, with its features, in event-time order. */
function release(plan: OnlineWindowPlan, state: FeatureState, watermark: number, out: FeatureOutput[]): void {
  const timeOf = (r: Row) => r[plan.time] as number;
  const rows: Row[] = [];
  while (state.pending.length > 0 && timeOf(state.pending[0]!) < watermark) {
    rows.push(heapPop(state.pending, timeOf));
  }
  if (rows.length === 0) return;
  const featured = computeFeatures(plan, rows, (key) => state.keys[`k:${key}`] ??= plan.fns.map(() => ({})));
  for (const row of featured) out.push({ type: "features", row });
}

function heapPush(heap: Row[], row: Row, timeOf: (r: Row) => number): void {
  heap.push(row);
  for (let i = heap.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if (!(timeOf(heap[i]!) < timeOf(heap[parent]!))) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: Row[], timeOf: (r: Row) => number): Row {
  const top = heap[0]!, last = heap.pop()!;
  if (heap.length === 0) return top;
  heap[0] = last;
  for (let i = 0;;) {
    const l = 2 * i + 1, r = l + 1;
    let m = i;
    if (l < heap.length && timeOf(heap[l]!) < timeOf(heap[m]!)) m = l;
    if (r < heap.length && timeOf(heap[r]!) < timeOf(heap[m]!)) m = r;
    if (m === i) break;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
  return top;
}
