/**
 * The plug-in point of the streaming runtime: an online operator is a pure function of
 * `(state, event) → (state, outputs)` over keyed state.
 *
 * How the runtime (`partition_processor.ts`) runs operators:
 * - Each input partition has its own processor; an operator's state is kept **per key** (the
 *   event's grouping key, e.g. the account) inside the partition that owns the key, so a key's
 *   events reach its state in arrival order, one at a time.
 * - Only **accepted** events reach operators: malformed records, duplicates (by event id within
 *   the watermark horizon) and late events (behind the watermark) are taken out first and go to
 *   their side outputs. Operators therefore see each event exactly once, never behind
 *   `ctx.watermark`.
 * - `step` must be **pure and deterministic**: no clock, no randomness, no I/O, no mutation of
 *   `state` or `event` (return a new state). After a crash the runtime restores the state from the
 *   changelog and replays the records after the last commit, so the same inputs must give the
 *   same outputs: that is what makes the outputs exactly-once.
 * - State and outputs must be **plain JSON data** (objects, arrays, finite numbers, strings,
 *   booleans; no `undefined` inside, no `Map`, no class instances): the runtime writes every
 *   state a batch changed to the changelog as `JSON.stringify(state)` and restores it with
 *   `JSON.parse`. Keep it small — it is written once per changed key per batch.
 * - Returning `state: undefined` deletes the key's state (a tombstone in the changelog); the next
 *   event of that key starts again from `init(key)`.
 * - Outputs go, in order, to the operator's output stream, named by `name` (on Kafka the topic
 *   `<output prefix>.<name>`, in a directory sink the file `<name>.jsonl`), in the same
 *   transaction as the state change and the input offsets. Each output gets the key as its
 *   message key unless it sets its own.
 *
 * @example A running count and sum per key that alerts on every 3rd event
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StreamOperator } from "@frontier/frontier/streaming";
 * const every3rd: StreamOperator<{ amount: number }, { n: number; sum: number }, { n: number }> = {
 *   name: "every3rd",
 *   init: () => ({ n: 0, sum: 0 }),
 *   step: (state, event) => {
 *     const next = { n: state.n + 1, sum: state.sum + event.value.amount };
 *     return { state: next, outputs: next.n % 3 === 0 ? [{ value: { n: next.n } }] : [] };
 *   },
 * };
 * let s = every3rd.init("a");
 * const ctx = { partition: 0, offset: 0, watermark: -Infinity };
 * for (const amount of [1, 2, 3]) {
 *   const r = every3rd.step(s, { id: `t${amount}`, key: "a", time: amount, value: { amount } }, ctx);
 *   s = r.state!;
 *   if (amount === 3) assert.deepEqual(r.outputs, [{ value: { n: 3 } }]);
 * }
 * assert.deepEqual(s, { n: 3, sum: 6 });
 * ```
 *
 * @module
 */
import type { StreamEvent } from "./event_time.ts";

/** What an operator knows besides its state and the event. */
export interface OperatorContext {
  /** The input partition the event came from. */
  readonly partition: number;
  /** The event's offset in that partition. */
  readonly offset: number;
  /** The partition's watermark before this event (event time, ms; −∞ at the start). */
  readonly watermark: number;
}

/** One output of an operator. */
export interface OperatorOutput<O> {
  /** The message key; the event's key when absent. */
  readonly key?: string;
  /** The payload, plain JSON data. */
  readonly value: O;
}

/** What one step returns. */
export interface OperatorStep<S, O> {
  /** The key's new state; `undefined` deletes it. */
  readonly state: S | undefined;
  /** Emitted in order to the operator's output stream. */
  readonly outputs: readonly OperatorOutput<O>[];
}

/**
 * A keyed online operator: `(state, event) → (state, outputs)`, pure and deterministic, state and
 * outputs plain JSON data.
 *
 * @typeParam V the event value (for generated transactions, {@linkcode TransactionValue} from `transactions.ts`)
 * @typeParam S the per-key state
 * @typeParam O the output payload
 */
export interface StreamOperator<V, S, O> {
  /** Names the operator's output stream and its changelog entries: `[a-z][a-z0-9_]*`. */
  readonly name: string;
  /**
   * The key this operator keeps its state under, when not the stream's grouping key (e.g. the
   * account for velocity features in a job windowed by merchant, the category for trends). The
   * operator sees the event with this key. State is per input partition: a key spread over several
   * partitions has one state in each (an account is not, when the producer partitions by account).
   * Must return a non-empty string. @default {the event's key}
   */
  readonly keyOf?: (event: StreamEvent<V>) => string;
  /** The state of a key before its first event. */
  init(key: string): S;
  /** Folds one accepted event into its key's state. */
  step(state: S, event: StreamEvent<V>, ctx: OperatorContext): OperatorStep<S, O>;
}

/** A name usable as an operator's output stream and changelog prefix. */
export const OPERATOR_NAME: RegExp = /^[a-z][a-z0-9_]*$/;
