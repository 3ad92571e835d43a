/**
 * The operators of this folder in the shape of the streaming runtime's keyed operator (branch
 * `streamrun`, `streaming/operator.ts`: `StreamOperator`), declared here structurally
 * ({@linkcode KeyedOperator}) so they plug in without this folder importing the runtime:
 * - state is kept **per key** and is plain JSON (`JSON.stringify` / `JSON.parse` round-trip it:
 *   finite numbers only);
 * - `step` never mutates the state it is given (it works on a copy) and sees only accepted events
 *   (decoded, de-duplicated, not behind `ctx.watermark`), one key's in arrival order;
 * - there is no timer: what waits for the watermark is released when the key's next event arrives
 *   with a watermark past it.
 *
 * The job's key decides what each operator can keep: velocity features and the account rules
 * need a job keyed by account; trends one keyed by category; the segment rule keeps one baseline
 * per (category, country) inside whatever key its events come under (category or country).
 *
 * @module
 */
import type { Row, Scalar } from "../../cluster/columnar/batch.ts";
import type { StreamEvent } from "../event_time.ts";
import {
  type AccountBaseline,
  anomalyEvent,
  type AnomalyOptions,
  type AnomalyOutput,
  anomalySettings,
  emptyAccountBaseline,
  judgeAccount,
  judgeSegment,
} from "./anomalies.ts";
import { computeFeatures, type KeyFnStates, rowProblem } from "./feature_compute.ts";
import type { FeatureOutput, OnlineFeaturesOptions } from "./online_features.ts";
import type { Scorer } from "./scorer.ts";
import { scoringOperator, type ScoringOptions, type ScoringOutput, type ScoringState } from "./scoring.ts";
import {
  addTrendEvent,
  type CategorySeries,
  closePanes,
  emptySeries,
  type TrendOptions,
  type TrendOutput,
  trendSettings,
} from "./trends.ts";
import { emptyWelford, type Welford } from "./welford.ts";
import { planOnlineWindows } from "./window_plan.ts";
import { TRANSACTION_SCHEMA } from "../../cluster/sources/transactions/generator.ts";
import { VELOCITY_FEATURES } from "../../models/features/velocity.ts";

/** What a keyed step knows besides the state and the event (the runtime's `OperatorContext`). */
export interface KeyedContext {
  /** The input partition the event came from. */
  readonly partition: number;
  /** The event's offset in that partition. */
  readonly offset: number;
  /** The partition's watermark before this event. */
  readonly watermark: number;
}

/** One output (the runtime's `OperatorOutput`). */
export interface KeyedOutput<O> {
  /** The message key; the event's key when absent. */
  readonly key?: string;
  /** The payload, plain JSON. */
  readonly value: O;
}

/** One step's result (the runtime's `OperatorStep`). */
export interface KeyedStep<S, O> {
  /** The key's new state; `undefined` deletes it. */
  readonly state: S | undefined;
  /** Emitted in order. */
  readonly outputs: readonly KeyedOutput<O>[];
}

/** A keyed online operator (the runtime's `StreamOperator`). */
export interface KeyedOperator<V, S, O> {
  /** The output stream's name, `[a-z][a-z0-9_]*`. */
  readonly name: string;
  /** A key's state before its first event. */
  init(key: string): S;
  /** Folds one accepted event into its key's state. */
  step(state: S, event: StreamEvent<V>, ctx: KeyedContext): KeyedStep<S, O>;
}

/** Where an event's id and time go in the row the operators read. */
export interface EventColumns {
  /** The event id's column. @default {"transaction_id"} */
  readonly id?: string;
  /** The event time's column. @default {"event_time"} */
  readonly time?: string;
}

/** The row of `event`: its value's fields, plus its id and event time. */
export function eventRow(event: StreamEvent<object>, columns: EventColumns = {}): Row {
  return {
    ...(event.value as Record<string, Scalar>),
    [columns.id ?? "transaction_id"]: event.id,
    [columns.time ?? "event_time"]: event.time,
  };
}

/**
 * A deep copy of plain state (objects, arrays, numbers, strings, booleans, null), so a step works
 * on its own: a plain recursive copy is several times faster than `structuredClone` on these
 * small states, and keeps every number as it is (`-0` and NaN included).
 */
function copy<S>(state: S): S {
  if (typeof state !== "object" || state === null) return state;
  if (Array.isArray(state)) {
    const out = new Array(state.length);
    for (let i = 0; i < state.length; i++) out[i] = copy(state[i]);
    return out as S;
  }
  const out: Record<string, unknown> = {};
  for (const k in state) out[k] = copy((state as Record<string, unknown>)[k]);
  return out as S;
}

function emit<O>(values: readonly O[]): KeyedOutput<O>[] {
  return values.map((value) => ({ value }));
}

/** A key's velocity-feature state: events waiting for the watermark, and the window functions' state. */
export interface KeyedFeatureState {
  /** Accepted events not yet past the watermark. */
  pending: Row[];
  /** Per window function, by window partition. */
  fns: KeyFnStates;
}

/**
 * Velocity features (or `options.features`) per account: an event's features are emitted once
 * the watermark has passed its instant, when the account's next event arrives.
 */
export function keyedFeatures(
  options: OnlineFeaturesOptions & { readonly columns?: EventColumns } = {},
): KeyedOperator<object, KeyedFeatureState, FeatureOutput> {
  const plan = planOnlineWindows(options.features ?? VELOCITY_FEATURES, options.schema ?? TRANSACTION_SCHEMA);
  const timeOf = (r: Row) => r[plan.time] as number;
  return {
    name: "velocity_features",
    init: () => ({ pending: [], fns: plan.fns.map(() => ({})) }),
    step(state, event, ctx) {
      const row = eventRow(event, options.columns);
      const reason = rowProblem(plan, row) ??
        (String(row[plan.key]) === event.key ? undefined : `the job must be keyed by "${plan.key}"`);
      if (reason !== undefined) return { state, outputs: [{ value: { type: "rejected", row, reason } }] };
      // Copy on write: new arrays and records, advanced copies of the window states that move.
      const pending = [...state.pending, row];
      const ready = pending.filter((r) => timeOf(r) < ctx.watermark);
      if (ready.length === 0) return { state: { pending, fns: state.fns }, outputs: [] };
      const next = {
        pending: ready.length === pending.length ? [] : pending.filter((r) => !(timeOf(r) < ctx.watermark)),
        fns: state.fns.map((r) => ({ ...r })),
      };
      const rows = computeFeatures(plan, ready, () => next.fns, true);
      return { state: next, outputs: rows.map((r) => ({ value: { type: "features", row: r } })) };
    },
  };
}

/** The account rules (`amount_z`, `velocity`) per account. */
export function keyedAccountAnomalies(
  options: AnomalyOptions & { readonly eventColumns?: EventColumns } = {},
): KeyedOperator<object, AccountBaseline, AnomalyOutput> {
  const settings = anomalySettings(options);
  return {
    name: "account_anomalies",
    init: emptyAccountBaseline,
    step(state, event) {
      const row = eventRow(event, options.eventColumns);
      const parsed = anomalyEvent(settings, row);
      if (typeof parsed === "string") {
        return { state, outputs: [{ value: { type: "rejected", row, reason: parsed } }] };
      }
      const next = copy(state);
      return { state: next, outputs: emit(judgeAccount(settings, next, parsed, row)) };
    },
  };
}

/** The segment rule (`segment_z`): one baseline per (category, country) within each key. */
export function keyedSegmentAnomalies(
  options: AnomalyOptions & { readonly eventColumns?: EventColumns } = {},
): KeyedOperator<object, Record<string, Welford>, AnomalyOutput> {
  const settings = anomalySettings(options);
  return {
    name: "segment_anomalies",
    init: () => ({}),
    step(state, event) {
      const row = eventRow(event, options.eventColumns);
      const parsed = anomalyEvent(settings, row);
      if (typeof parsed === "string") {
        return { state, outputs: [{ value: { type: "rejected", row, reason: parsed } }] };
      }
      // Copy on write: a new record sharing the other segments, a copy of the one that moves.
      const segment = `s:${JSON.stringify(parsed.segment)}`, old = state[segment];
      const baseline = old === undefined ? emptyWelford() : { ...old };
      const next = { ...state, [segment]: baseline };
      return { state: next, outputs: emit(judgeSegment(settings, baseline, parsed, row)) };
    },
  };
}

/** Trends per category: panes close as the category's events arrive behind a later watermark. */
export function keyedTrends(
  options: TrendOptions & { readonly eventColumns?: EventColumns } = {},
): KeyedOperator<object, CategorySeries, TrendOutput> {
  const settings = trendSettings(options);
  return {
    name: "trends",
    init: emptySeries,
    step(state, event, ctx) {
      const row = eventRow(event, options.eventColumns);
      const next = copy(state);
      const out: TrendOutput[] = [];
      const category = row[settings.columns.category];
      if (typeof category === "string" && next.volume.length + Object.keys(next.open).length > 0) {
        closePanes(settings, category, next, ctx.watermark, out);
      }
      const refused = addTrendEvent(settings, next, row, ctx.watermark);
      if (refused !== undefined) out.push(refused);
      return { state: next, outputs: emit(out) };
    },
  };
}

/** Scoring with alerts, counters per key. */
export function keyedScoring(
  scorer: Scorer,
  options: ScoringOptions & { readonly eventColumns?: EventColumns } = {},
): KeyedOperator<object, ScoringState, ScoringOutput> {
  const inner = scoringOperator(scorer, options);
  return {
    name: "scores",
    init: () => inner.initial(),
    step(state, event, ctx) {
      const row = eventRow(event, options.eventColumns);
      const { state: next, outputs } = inner.step(copy(state), {
        time: ctx.offset,
        value: { type: "event", row },
      });
      return { state: next, outputs: emit(outputs) };
    },
  };
}
