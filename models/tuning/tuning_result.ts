/**
 * What a tuning search reports: the progress events, one row per trial, the refitted winner and
 * the whole result; and the small helpers that fill them in.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { BinaryMetrics } from "../evaluation/binary_metrics.ts";
import type { TrialModel } from "./tunable.ts";
import type { TuningMetric } from "./tuning_metric.ts";

/** A trial's progress. */
export type TrialEvent =
  | { readonly type: "start"; readonly index: number; readonly attempt: number }
  | { readonly type: "fold"; readonly index: number; readonly fold: number; readonly value: number }
  | { readonly type: "retry"; readonly index: number; readonly attempt: number; readonly reason: string }
  | { readonly type: "done"; readonly trial: TrialResult };

/** One row of the results table. */
export interface TrialResult {
  /** Position in the candidates. */
  readonly index: number;
  /** The candidate's parameters (JSON-safe). */
  readonly params: Readonly<Record<string, unknown>>;
  /** `pruned`: stopped after its first fold. */
  readonly status: "ok" | "failed" | "pruned";
  /** The metric on each fold completed. */
  readonly values: readonly number[];
  /** Mean over `values` (`NaN` when none). */
  readonly mean: number;
  /** Sample standard deviation over `values` (0 with one fold). */
  readonly std: number;
  /** Rounds (trees) kept on each fold, for kinds with rounds. */
  readonly rounds: readonly number[];
  /** Per fold, the threshold of the best F1 (or, for `expectedCost`, the least cost). */
  readonly thresholds: readonly number[];
  /** Milliseconds spent fitting and scoring (all attempts). */
  readonly ms: number;
  /** Attempts made. */
  readonly attempts: number;
  /** Why it failed (`name: message`). */
  readonly error?: string;
}

/** The refitted winner. */
export interface TunedWinner {
  /** The model fitted on all the training rows. */
  readonly model: TrialModel;
  /** The winner's parameters (with the refit's fixed rounds, for kinds with rounds). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Threshold to save with it: the mean of the winner's per-fold thresholds. */
  readonly threshold: number;
  /** Every metric on the test set, at `threshold`, when there is one. */
  readonly test: BinaryMetrics | undefined;
  /** The tuned metric on the test set. */
  readonly testValue: number | undefined;
  /** Milliseconds of the refit and the test evaluation. */
  readonly ms: number;
}

/** What {@linkcode tune} returns. */
export interface TuningResult {
  /** What was optimized, and its direction. */
  readonly metric: TuningMetric;
  /** The validation plan in words. */
  readonly validation: string;
  /** Rows of each fold. */
  readonly folds: readonly {
    index: number;
    trainRows: number;
    validationRows: number;
    validationFrom?: number;
    validationTo?: number;
  }[];
  /** Every trial, in candidate order. */
  readonly trials: readonly TrialResult[];
  /** The index of the winner in `trials`. */
  readonly best: number;
  /** Trials failed (recorded with their reasons). */
  readonly failed: number;
  /** What trials shared: fold preparations made vs trial fits that read them. */
  readonly shared: { readonly preparations: number; readonly fits: number; readonly prepareMs: number };
  /** The refitted winner (unless `refit` is false). */
  readonly winner: TunedWinner | undefined;
  /** Milliseconds of the whole search. */
  readonly ms: number;
}

/** The mean of `xs` (`NaN` for none). */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The sample standard deviation of `xs` (0 for fewer than two). */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Whether `e` fails the same way every attempt. */
export function isDeterministic(e: unknown): boolean {
  if (e instanceof RangeError || e instanceof TypeError) return true;
  return typeof e === "object" && e !== null && (e as { deterministic?: unknown }).deterministic === true;
}

/** `name: message` of an error. */
export function reason(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Parameters as JSON-safe values (for tables and files). */
export function paramsRecord(params: object): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    out[k] = typeof v === "number" && !Number.isFinite(v) ? String(v) : v as Json;
  }
  return out;
}
