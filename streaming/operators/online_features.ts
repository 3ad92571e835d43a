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
import type { Row, Scalar, Schema } from "../../cluster/columnar/batch.ts";
import { batchFromRows, compareScalars, scalarAt } from "../../cluster/columnar/batch_ops.ts";
import { evalExpr } from "../../cluster/expr/eval.ts";
import { TRANSACTION_SCHEMA } from "../../cluster/sources/transactions/generator.ts";
import { VELOCITY_FEATURES } from "../../models/features/velocity.ts";
import type { Timed } from "../event_time.ts";
import type { OnlineOperator, Step } from "./operator.ts";
import { advanceFn, emptyFnState, type FnState } from "./window_fn_state.ts";
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
  keys: Record<string, Record<string, FnState>[]>;
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
          const reason = rowProblem(schema, msg.row, plan);
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

/** Why `row` does not fit `schema`, or `undefined`. */
function rowProblem(schema: Schema, row: Row, plan: OnlineWindowPlan): string | undefined {
  if (typeof row !== "object" || row === null) return "an event must be an object";
  for (const f of schema) {
    const v = row[f.name];
    if (v === null || v === undefined) {
      if (!f.nullable || f.name === plan.key || f.name === plan.time) return `column "${f.name}" is missing`;
      continue;
    }
    const ok = f.type === "string"
      ? typeof v === "string"
      : f.type === "bool"
      ? typeof v === "boolean"
      : typeof v === "number" && (f.type === "double" || Number.isInteger(v)) &&
        (f.type !== "timestamp" || Number.isSafeInteger(v));
    if (!ok) return `column "${f.name}" must be ${f.type}, got ${JSON.stringify(v)}`;
  }
  return undefined;
}

/** Emits every held event before `watermark`, with its features, in event-time order. */
function release(plan: OnlineWindowPlan, state: FeatureState, watermark: number, out: FeatureOutput[]): void {
  const timeOf = (r: Row) => r[plan.time] as number;
  const rows: Row[] = [];
  while (state.pending.length > 0 && timeOf(state.pending[0]!) < watermark) {
    rows.push(heapPop(state.pending, timeOf));
  }
  if (rows.length === 0) return;
  // Event time, then key, then every input column: instants of a key become runs of rows.
  const keyOf = (r: Row) => JSON.stringify(r[plan.key]);
  rows.sort((p, q) =>
    timeOf(p) - timeOf(q) || compareScalars(keyOf(p), keyOf(q)) || canonical(plan.input, p, q)
  );
  const batch = batchFromRows(plan.input, rows);
  const values = plan.fns.map(() => new Array<Scalar>(rows.length));
  plan.fns.forEach((fn, f) => {
    const arg = fn.call.arg === undefined ? undefined : evalExpr(fn.call.arg, batch);
    const argAt = (i: number): Scalar => arg === undefined ? null : scalarAt(arg, i);
    const order = fn.window.orderBy;
    for (let start = 0; start < rows.length;) {
      let end = start + 1;
      while (
        end < rows.length && timeOf(rows[end]!) === timeOf(rows[start]!) &&
        keyOf(rows[end]!) === keyOf(rows[start]!)
      ) end++;
      // One instant of one key: split into window partitions, each sorted by the window's order.
      const parts = new Map<string, number[]>();
      for (let i = start; i < end; i++) {
        const part = JSON.stringify(fn.window.partitionBy.map((c) => rows[i]![c] ?? null));
        const list = parts.get(part);
        if (list) list.push(i);
        else parts.set(part, [i]);
      }
      const keyState = state.keys[`k:${keyOf(rows[start]!)}`] ??= plan.fns.map(() => ({}));
      for (const [part, indices] of parts) {
        const cmp = (i: number, j: number) => {
          for (const o of order) {
            const a = rows[i]![o.column] ?? null, b = rows[j]![o.column] ?? null;
            if (a === null || b === null) {
              if (a !== b) return (a === null) === o.nullsFirst ? -1 : 1;
              continue;
            }
            const c = compareScalars(a, b);
            if (c !== 0) return o.ascending ? c : -c;
          }
          return 0;
        };
        indices.sort((i, j) => cmp(i, j) || i - j);
        const peerStart: number[] = [], peerEnd: number[] = [];
        indices.forEach((idx, k) =>
          peerStart.push(k > 0 && cmp(indices[k - 1]!, idx) === 0 ? peerStart[k - 1]! : k)
        );
        for (let k = indices.length - 1; k >= 0; k--) {
          peerEnd[k] = k + 1 < indices.length && peerStart[k + 1] === peerStart[k] ? peerEnd[k + 1]! : k + 1;
        }
        const fnState = keyState[f]![`p:${part}`] ??= emptyFnState();
        const got = advanceFn(fn, fnState, {
          t: indices.map((i) => timeOf(rows[i]!)),
          x: indices.map(argAt),
          peerStart,
          peerEnd,
        });
        indices.forEach((i, k) => values[f]![i] = got[k]!);
      }
      start = end;
    }
  });
  const extended = batchFromRows(
    plan.extended,
    rows.map((r, i) => {
      const e: Row = { ...r };
      plan.fns.forEach((fn, f) => e[fn.column] = values[f]![i]!);
      return e;
    }),
  );
  const columns = plan.outputs.map((o) => evalExpr(o.expr, extended));
  rows.forEach((r, i) => {
    const row: Row = { ...r };
    plan.outputs.forEach((o, j) => row[o.name] = scalarAt(columns[j]!, i));
    out.push({ type: "features", row });
  });
}

function canonical(schema: Schema, p: Row, q: Row): number {
  for (const f of schema) {
    const c = compareScalars(p[f.name] ?? null, q[f.name] ?? null);
    if (c !== 0) return c;
  }
  return 0;
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
