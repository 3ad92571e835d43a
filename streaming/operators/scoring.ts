/**
 * Real-time scoring as an online operator: every event is scored by a {@linkcode Scorer} (a model
 * directory loaded once per executor) and emitted with its probability; an event whose probability
 * is at or above the scorer's threshold is also emitted as an alert, with its score and its top
 * contributing features. Events the pipeline cannot read are rejected with the reason.
 *
 * The state is three counters, so the operator restores trivially; the model is configuration,
 * not state (every executor loads the same directory).
 *
 * @module
 */
import type { Row } from "../../cluster/columnar/batch.ts";
import type { Timed } from "../event_time.ts";
import { type Contribution, topContributions } from "./contributions.ts";
import type { OnlineOperator, Step } from "./operator.ts";
import type { Scorer } from "./scorer.ts";

/** What the scoring operator consumes: an event (its features already computed). */
export type ScoringInput = { readonly type: "event"; readonly row: Row };

/** What the scoring operator emits. */
export type ScoringOutput =
  /** Every scored event. */
  | { readonly type: "score"; readonly row: Row; readonly probability: number }
  /** An event at or above the threshold, with its top contributing features. */
  | {
    readonly type: "alert";
    readonly row: Row;
    readonly probability: number;
    readonly threshold: number;
    /** `"linear"` (coefficient × standardized value) or `"saabas"` (tree path contributions). */
    readonly method: "linear" | "saabas";
    readonly top: readonly Contribution[];
  }
  /** An event the pipeline could not read. */
  | { readonly type: "rejected"; readonly row: Row; readonly reason: string };

/** Counters (plain data). */
export interface ScoringState {
  /** State layout version. */
  readonly version: 1;
  /** Events scored. */
  scored: number;
  /** Alerts emitted. */
  alerts: number;
  /** Events rejected. */
  rejected: number;
}

/** Settings of {@linkcode scoringOperator}. */
export interface ScoringOptions {
  /** Contributions listed per alert. @default {5} */
  readonly topK?: number;
  /** Emit a `score` output for every event, not only alerts. @default {true} */
  readonly emitScores?: boolean;
}

/** The scoring operator of `scorer`. */
export function scoringOperator(
  scorer: Scorer,
  options: ScoringOptions = {},
): OnlineOperator<ScoringState, ScoringInput, ScoringOutput> {
  const topK = options.topK ?? 5;
  if (!(Number.isInteger(topK) && topK >= 0)) {
    throw new RangeError(`topK must be an integer >= 0, got ${topK}`);
  }
  const emitScores = options.emitScores ?? true;
  return {
    name: "scoring",
    initial: () => ({ version: 1, scored: 0, alerts: 0, rejected: 0 }),
    step(state: ScoringState, input: Timed<ScoringInput>): Step<ScoringState, ScoringOutput> {
      const { row } = input.value;
      const result = scorer.score(row);
      if (!result.ok) {
        state.rejected++;
        return { state, outputs: [{ type: "rejected", row, reason: result.reason }] };
      }
      state.scored++;
      const { probability } = result;
      const outputs: ScoringOutput[] = emitScores ? [{ type: "score", row, probability }] : [];
      if (probability >= scorer.threshold) {
        state.alerts++;
        outputs.push({
          type: "alert",
          row,
          probability,
          threshold: scorer.threshold,
          method: scorer.attributionMethod,
          top: topContributions(scorer.featureNames, result.features, scorer.explain(result.features), topK),
        });
      }
      return { state, outputs };
    },
  };
}
