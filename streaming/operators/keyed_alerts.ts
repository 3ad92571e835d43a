/**
 * Real-time scoring of a keyed stream: the per-account velocity features (computed online from
 * keyed state, `keyed_operators.ts`: {@linkcode keyedFeatures}) feed the {@linkcode Scorer} of a
 * saved model, and events at or above the model's threshold come out as alerts with their score
 * and top contributing features.
 *
 * When the model's pipeline reads none of the velocity features, an event is scored as soon as it
 * is accepted; when it reads any, the event is scored once its features are final — once the
 * watermark has passed its instant, i.e. when the account's next event arrives behind a later
 * watermark (an account's last events wait for its next one). Either way the score is the batch
 * score of the same event: the same features (`models/features/velocity.ts`), the same pipeline,
 * the same model arithmetic.
 *
 * The operator is keyed by account ({@linkcode KeyedOperator.keyOf} reads `account_id`), so it
 * runs in a job windowed by any key, provided the producer partitions by account.
 *
 * @module
 */
import type { Row } from "../../cluster/columnar/batch.ts";
import { VELOCITY_FEATURES } from "../../models/features/velocity.ts";
import type { StreamEvent } from "../event_time.ts";
import {
  keyedFeatures,
  type KeyedFeatureState,
  type KeyedOperator,
  type KeyedOutput,
} from "./keyed_operators.ts";
import type { Scorer } from "./scorer.ts";
import { scoringOperator, type ScoringOptions, type ScoringOutput, type ScoringState } from "./scoring.ts";

/** The state of one account: its velocity-feature state (when the model reads them) and counters. */
export interface AlertState {
  /** Velocity-feature state; `null` when the model reads no velocity feature. */
  features: KeyedFeatureState | null;
  /** Scored, alerted and rejected events. */
  scoring: ScoringState;
}

/** Settings of {@linkcode keyedAlerts}. */
export interface KeyedAlertsOptions extends ScoringOptions {
  /** The output stream's name. @default {"alerts"} */
  readonly name?: string;
  /** The account field of an event's value. @default {"account_id"} */
  readonly accountField?: string;
}

/** Whether `scorer`'s pipeline reads any of the velocity features. */
export function readsVelocityFeatures(scorer: Scorer): boolean {
  const names = new Set(VELOCITY_FEATURES.map((f) => f.name));
  return scorer.inputColumns.some((c) => names.has(c.name));
}

/**
 * Scores every accepted event with `scorer` (velocity features computed online first when the
 * model reads them) and emits the alerts (by default only those: `emitScores` is `false`) and
 * the events the pipeline rejected, with the reason.
 */
export function keyedAlerts(
  scorer: Scorer,
  options: KeyedAlertsOptions = {},
): KeyedOperator<object, AlertState, ScoringOutput> & {
  readonly keyOf: (event: StreamEvent<object>) => string;
} {
  const accountField = options.accountField ?? "account_id";
  const inner = scoringOperator(scorer, { emitScores: false, ...options });
  const velocity = readsVelocityFeatures(scorer);
  const features = keyedFeatures();
  const score = (
    scoring: ScoringState,
    rows: readonly Row[],
    offset: number,
    out: KeyedOutput<ScoringOutput>[],
  ) => {
    let s = scoring;
    for (const row of rows) {
      const r = inner.step(s, { time: offset, value: { type: "event", row } });
      s = r.state;
      for (const value of r.outputs) out.push({ value });
    }
    return s;
  };
  return {
    name: options.name ?? "alerts",
    keyOf: (event) => {
      const account = (event.value as Record<string, unknown>)[accountField];
      return typeof account === "string" && account !== "" ? account : `?${event.key}`;
    },
    init: (key) => ({ features: velocity ? features.init(key) : null, scoring: inner.initial() }),
    step(state, event, ctx) {
      const out: KeyedOutput<ScoringOutput>[] = [];
      const scoring = { ...state.scoring };
      if (state.features === null) {
        const row = { ...(event.value as Row), transaction_id: event.id, event_time: event.time };
        return { state: { features: null, scoring: score(scoring, [row], ctx.offset, out) }, outputs: out };
      }
      const f = features.step(state.features, event, ctx);
      const rows: Row[] = [];
      for (const o of f.outputs) {
        if (o.value.type === "features") rows.push(o.value.row);
        else {
          const reason = o.value.type === "rejected" ? o.value.reason : "behind the watermark";
          out.push({ value: { type: "rejected", row: o.value.row, reason } });
        }
      }
      return {
        state: { features: f.state ?? null, scoring: score(scoring, rows, ctx.offset, out) },
        outputs: out,
      };
    },
  };
}
