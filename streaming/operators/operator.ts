/**
 * The shape every online operator of this folder has: a pure transition
 * `(state, input) → (state, outputs)` over plain, serializable state, so that a runtime can keep
 * the state in a changelog or a checkpoint and restore it on another executor.
 *
 * - **Inputs and outputs** are {@linkcode Timed} values: `time` is processing time, stamped by the
 *   runtime from its injected clock; event time travels inside the values. No operator reads a
 *   clock, sleeps or draws random numbers, so the same inputs give the same outputs.
 * - **State** is plain data (objects, arrays, strings, numbers, booleans): no classes, maps or
 *   functions. {@linkcode encodeState} / {@linkcode decodeState} turn it into JSON text and back,
 *   bit for bit (non-finite numbers and `-0` included).
 * - **Ownership**: `step` may update the state it is given in place and return it (as Flink's keyed
 *   state is updated); the runtime keeps only the returned state and snapshots it with
 *   {@linkcode encodeState} whenever it commits. Restoring a snapshot and replaying the inputs that
 *   followed gives the same outputs (every operator's tests check this).
 *
 * @module
 */
import type { Timed } from "../event_time.ts";

/** One transition's result. */
export interface Step<S, O> {
  /** The state after the input. */
  readonly state: S;
  /** What the input caused, in order. */
  readonly outputs: O[];
}

/** A pure online operator over plain, serializable state. */
export interface OnlineOperator<S, I, O> {
  /** A short name, for metrics and errors. */
  readonly name: string;
  /** The state before any input. */
  initial(): S;
  /** Consumes one input at its processing time. */
  step(state: S, input: Timed<I>): Step<S, O>;
}

/**
 * Runs `inputs` through `operator` from `state` (by default its initial state).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OnlineOperator, runOperator } from "@frontier/frontier/streaming";
 * const counter: OnlineOperator<{ n: number }, string, number> = {
 *   name: "counter",
 *   initial: () => ({ n: 0 }),
 *   step: (s, input) => ({ state: { n: s.n + 1 }, outputs: [s.n + input.value.length] }),
 * };
 * const { state, outputs } = runOperator(counter, [{ time: 0, value: "ab" }, { time: 1, value: "c" }]);
 * assert.deepEqual([state, outputs], [{ n: 2 }, [2, 2]]);
 * ```
 */
export function runOperator<S, I, O>(
  operator: OnlineOperator<S, I, O>,
  inputs: Iterable<Timed<I>>,
  state: S = operator.initial(),
): { state: S; outputs: O[] } {
  const outputs: O[] = [];
  for (const input of inputs) {
    const next = operator.step(state, input);
    state = next.state;
    for (const o of next.outputs) outputs.push(o);
  }
  return { state, outputs };
}

const NUMBER_TAG = "$number";

/**
 * Plain state as JSON text. Numbers JSON cannot hold (`NaN`, `±Infinity`, `-0`) are written as
 * `{"$number": "NaN"}` etc.; `undefined` object fields are dropped, as JSON does.
 *
 * @throws {TypeError} when the state holds something other than plain data.
 */
export function encodeState(state: unknown): string {
  return JSON.stringify(state, function (this: unknown, key: string, value: unknown) {
    const raw = (this as Record<string, unknown>)[key];
    if (typeof raw === "number" && (!Number.isFinite(raw) || Object.is(raw, -0))) {
      return { [NUMBER_TAG]: Object.is(raw, -0) ? "-0" : String(raw) };
    }
    if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol") {
      throw new TypeError(`Operator state must be plain data; "${key}" is a ${typeof value}`);
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`Operator state must be plain data; "${key}" is a ${proto?.constructor?.name}`);
      }
    }
    return value;
  });
}

const SPECIAL: Readonly<Record<string, number>> = { NaN, Infinity, "-Infinity": -Infinity, "-0": -0 };

/**
 * The state {@linkcode encodeState} wrote, as plain data (see {@linkcode restoreState} to check
 * it against an operator).
 *
 * @throws {SyntaxError} when `text` is not JSON.
 */
export function decodeState(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const tag = (value as Record<string, unknown>)[NUMBER_TAG];
      if (keys.length === 1 && typeof tag === "string" && tag in SPECIAL) return SPECIAL[tag];
    }
    return value;
  });
}

/**
 * The state of `operator` that {@linkcode encodeState} wrote: checked to be an object of the same
 * layout version as the operator's initial state (every operator's state has a `version`), so a
 * snapshot of another operator or layout is refused rather than misread.
 *
 * @throws {SyntaxError} when `text` is not JSON; {@linkcode TypeError} when it is not such a state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { anomalyOperator, encodeState, restoreState, trendOperator } from "@frontier/frontier/streaming";
 * const op = anomalyOperator();
 * assert.deepEqual(restoreState(op, encodeState(op.initial())), op.initial());
 * assert.throws(() => restoreState(op, encodeState(trendOperator().initial())), TypeError);
 * ```
 */
export function restoreState<S extends { readonly version: number }>(
  operator: OnlineOperator<S, unknown, unknown>,
  text: string,
): S {
  const value = decodeState(text);
  const initial = operator.initial();
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`A ${operator.name} state must be an object`);
  }
  const v = value as Record<string, unknown>;
  if (v["version"] !== initial.version) {
    throw new TypeError(
      `A ${operator.name} state must have version ${initial.version}, got ${JSON.stringify(v["version"])}`,
    );
  }
  const missing = Object.keys(initial).find((k) => !(k in v));
  if (missing !== undefined) throw new TypeError(`A ${operator.name} state must have a "${missing}" field`);
  return value as S;
}
