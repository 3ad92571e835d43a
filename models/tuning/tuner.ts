/**
 * The search: every candidate's parameters fitted on every fold of a {@linkcode FoldPlan},
 * scored by a {@linkcode TuningMetric} on the fold's validation rows, up to `parallelism` trials
 * at once; the best mean wins, is refitted on all the training rows and, with a test set,
 * evaluated once there.
 *
 * - **Sharing.** A fold is prepared once per {@linkcode Tunable.prepareKey} (feature pipeline
 *   fitted, assembled columns cached, bin boundaries fitted) and every trial of that key reads
 *   it; the preparations are released when the search ends. {@linkcode TuningResult.shared}
 *   counts preparations against trial fits.
 * - **Parallelism.** Trials run as concurrent jobs on the same cluster: the scheduler spreads
 *   their tasks over every executor slot.
 * - **Determinism.** A trial's figures depend only on (its parameters, the folds, the seed): the
 *   folds are exact functions of the seed, fits and metrics are exact for any layout, and the
 *   table is in candidate order. The same seed gives the same table (times aside) for any
 *   executor count and parallelism.
 * - **Failures.** A trial that throws a deterministic error (a `RangeError`/`TypeError` from a
 *   bad parameter combination, or an error marked `deterministic`) is recorded as failed with
 *   its reason at once; any other error (a lost executor beyond the scheduler's own retries, …)
 *   retries the trial up to `maxAttempts` times, then records it as failed. The search finishes
 *   either way and counts them. Only when every trial failed does it throw.
 * - **Pruning.** With `prune`, a trial whose first fold scores worse than the worst first fold
 *   of the trials that got past theirs by more than `prune.margin` skips its remaining folds
 *   (status `pruned`). Which trials got there first depends on timing when trials run in
 *   parallel, so a pruned search is deterministic only with `parallelism` 1.
 * - **Abort.** The signal cancels every running trial's jobs; the search waits for them to
 *   stop, releases what it prepared and rejects with the signal's reason.
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import type { BinaryMetrics } from "../evaluation/binary_metrics.ts";
import { evaluateBinary } from "../evaluation/dataset_evaluation.ts";
import { checkFoldPlan, describePlan, type Fold, type FoldPlan, makeFolds } from "./fold_plan.ts";
import type { PreparedFold, Tunable } from "./tunable.ts";
import {
  isDeterministic,
  mean,
  paramsRecord,
  reason,
  std,
  type TrialEvent,
  type TrialResult,
  type TunedWinner,
  type TuningResult,
} from "./tuning_result.ts";
import {
  isBetter,
  metricValue,
  type TuningMetric,
  tuningMetric,
  type TuningMetricName,
} from "./tuning_metric.ts";

/** Options of {@linkcode tune}. */
export interface TuneOptions<P extends object, F extends PreparedFold> {
  /** The estimator. */
  readonly estimator: Tunable<P, F>;
  /** The candidates (a {@linkcode ParamGridBuilder}'s `build()`, or {@linkcode randomSearch}). */
  readonly candidates: readonly Partial<P>[];
  /** How to validate. */
  readonly plan: FoldPlan;
  /** What to optimize. @default {"rocAuc"} */
  readonly metric?: TuningMetric | TuningMetricName;
  /** Seeds the folds and every fit. @default {42} */
  readonly seed?: number;
  /** Stratify random folds by the estimator's label. @default {true} */
  readonly stratify?: boolean;
  /** Trials run at once. @default {1} */
  readonly parallelism?: number;
  /** Attempts of a trial that fails with a non-deterministic error. @default {2} */
  readonly maxAttempts?: number;
  /** Stop a trial after its first fold when it is this much worse than every finished trial. */
  readonly prune?: { readonly margin: number };
  /**
   * Share each fold's preparation among the trials of one prepare key (the point of it; `false`
   * prepares a fold for every trial fit and releases it after, to measure what sharing saves).
   * @default {true}
   */
  readonly share?: boolean;
  /** Refit the best parameters on all of `data`. @default {true} */
  readonly refit?: boolean;
  /** An untouched test set: the refitted winner is evaluated once on it. */
  readonly test?: Dataset;
  /** Progress. */
  readonly onTrial?: (event: TrialEvent) => void;
  /** Measures trial times. @default {systemClock} */
  readonly clock?: Clock;
  /** Stops every running trial and rejects the search. */
  readonly signal?: AbortSignal;
}

/** Runs the search over `data` (see the module doc). */
export async function tune<P extends object, F extends PreparedFold>(
  data: Dataset,
  options: TuneOptions<P, F>,
): Promise<TuningResult> {
  const { estimator, candidates } = options;
  const clock = options.clock ?? systemClock;
  const t0 = clock.monotonic();
  const metric = typeof options.metric === "object"
    ? options.metric
    : tuningMetric(options.metric ?? "rocAuc");
  const seed = options.seed ?? 42;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const parallelism = options.parallelism ?? 1;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 64) {
    throw new RangeError(`parallelism must be an integer in [1, 64], got ${parallelism}`);
  }
  const maxAttempts = options.maxAttempts ?? 2;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    throw new RangeError(`maxAttempts must be an integer in [1, 10], got ${maxAttempts}`);
  }
  if (!Array.isArray(candidates) || candidates.length === 0) {
    throw new RangeError("candidates must be a non-empty list");
  }
  if (options.prune !== undefined && !(options.prune.margin >= 0)) {
    throw new RangeError(`prune.margin must be a number ≥ 0, got ${options.prune.margin}`);
  }
  checkFoldPlan(options.plan);
  const stratify = options.stratify ?? true;
  const random = options.plan.kind === "holdout" || options.plan.kind === "kfold";

  // One controller for everything the search starts: the caller's abort reaches every trial.
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) throw options.signal.reason;
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const signal = controller.signal;

  const preparations = new Map<string, Promise<F>>();
  const keyOf = new Map<F, string>();
  let prepareMs = 0, fits = 0, made = 0;
  const share = options.share ?? true;
  let unshared = 0;
  const prepared = (fold: Fold, params: Partial<P>): Promise<F> => {
    const key = share
      ? `${fold.index}\u0000${estimator.prepareKey(params)}`
      : `${fold.index}\u0000${unshared++}`;
    let p = preparations.get(key);
    if (p === undefined) {
      const t = clock.monotonic();
      made++;
      p = estimator.prepare(fold.train, fold.validation, params, { seed, signal }).then((f) => {
        prepareMs += clock.monotonic() - t;
        keyOf.set(f, key);
        return f;
      }, (e) => {
        // a failed preparation is not shared: the next attempt prepares again
        preparations.delete(key);
        throw e;
      });
      preparations.set(key, p);
    }
    return p;
  };
  const releaseAll = async () => {
    const all = [...preparations.values()];
    preparations.clear();
    for (const p of await Promise.allSettled(all)) if (p.status === "fulfilled") await p.value.release();
  };

  try {
    const folds = await makeFolds(data, options.plan, {
      seed,
      stratifyBy: stratify && random ? estimator.label : undefined,
      signal,
    });
    const results: (TrialResult | undefined)[] = new Array(candidates.length);
    const firstFold: number[] = [];
    const thresholdOf = (m: BinaryMetrics) =>
      (metric.name === "expectedCost" ? m.minCost?.threshold : m.bestF1?.threshold) ?? 0.5;

    const fitAndScore = async (prep: F, params: Partial<P>) => {
      try {
        const fit = await estimator.fit(prep, params, { seed, signal });
        if (fit.scored === undefined) throw new TypeError("A prepared fold without validation rows");
        const m = await evaluateBinary(fit.scored, {
          labelCol: estimator.label,
          scoreCol: "probability",
          signal,
          ...(metric.costs === undefined ? {} : { costs: metric.costs }),
        });
        return { fit, m };
      } finally {
        if (!share) {
          const key = keyOf.get(prep);
          if (key !== undefined) preparations.delete(key);
          await prep.release();
        }
      }
    };

    const runTrial = async (index: number): Promise<TrialResult> => {
      const params = candidates[index]!;
      const t = clock.monotonic();
      let attempt = 0;
      for (;;) {
        attempt++;
        options.onTrial?.({ type: "start", index, attempt });
        const values: number[] = [], rounds: number[] = [], thresholds: number[] = [];
        try {
          let status: TrialResult["status"] = "ok";
          for (const fold of folds) {
            const prep = await prepared(fold, params);
            fits++;
            const { fit, m } = await fitAndScore(prep, params);
            const value = metricValue(metric, m);
            values.push(value);
            if (fit.model.rounds !== undefined) rounds.push(fit.model.rounds);
            thresholds.push(thresholdOf(m));
            options.onTrial?.({ type: "fold", index, fold: fold.index, value });
            if (fold.index === 0 && folds.length > 1 && options.prune !== undefined) {
              const m = options.prune.margin;
              const worst = firstFold.length === 0
                ? NaN
                : firstFold.reduce((w, x) => (isBetter(metric, x, w) ? w : x));
              const bound = metric.direction === "max" ? worst - m : worst + m;
              if (firstFold.length > 0 && isBetter(metric, bound, value)) {
                status = "pruned";
                break;
              }
              firstFold.push(value);
            }
          }
          return {
            index,
            params: paramsRecord(params),
            status,
            values,
            mean: mean(values),
            std: std(values),
            rounds,
            thresholds,
            ms: clock.monotonic() - t,
            attempts: attempt,
          };
        } catch (e) {
          if (signal.aborted) throw signal.reason;
          if (isDeterministic(e) || attempt >= maxAttempts) {
            return {
              index,
              params: paramsRecord(params),
              status: "failed",
              values,
              mean: NaN,
              std: NaN,
              rounds,
              thresholds,
              ms: clock.monotonic() - t,
              attempts: attempt,
              error: reason(e),
            };
          }
          options.onTrial?.({ type: "retry", index, attempt, reason: reason(e) });
        }
      }
    };

    // A bounded pool: `parallelism` workers take the next candidate in order.
    let next = 0;
    const worker = async () => {
      while (next < candidates.length && !signal.aborted) {
        const index = next++;
        const r = await runTrial(index);
        results[index] = r;
        options.onTrial?.({ type: "done", trial: r });
      }
    };
    const workers = Array.from({ length: Math.min(parallelism, candidates.length) }, () => worker());
    const settled = await Promise.allSettled(workers);
    if (signal.aborted) throw signal.reason;
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (rejected !== undefined) throw rejected.reason;

    const trials = results as TrialResult[];
    let best = -1;
    for (const r of trials) {
      if (r.status !== "ok") continue;
      if (best < 0 || isBetter(metric, r.mean, trials[best]!.mean)) best = r.index;
    }
    const failed = trials.filter((r) => r.status === "failed").length;
    if (best < 0) {
      throw new Error(
        `Every trial failed or was pruned (${failed} failed); first reason: ${
          trials.find((r) => r.error)?.error ?? "none"
        }`,
      );
    }
    await releaseAll();

    let winner: TunedWinner | undefined;
    if (options.refit !== false) {
      const t = clock.monotonic();
      const w = trials[best]!;
      const params = candidates[best]!;
      const rounds = w.rounds.length > 0 ? Math.max(1, Math.round(mean(w.rounds))) : undefined;
      const prep = await estimator.prepare(data, undefined, params, { seed, signal });
      try {
        const fit = await estimator.fit(prep, params, { seed, signal, rounds });
        const threshold = mean(w.thresholds);
        let test: BinaryMetrics | undefined;
        if (options.test !== undefined) {
          test = await evaluateBinary(fit.model.score(options.test), {
            labelCol: estimator.label,
            scoreCol: "probability",
            threshold,
            signal,
            ...(metric.costs === undefined ? {} : { costs: metric.costs }),
          });
        }
        winner = {
          model: fit.model,
          params: { ...w.params, ...(rounds === undefined ? {} : { numRounds: rounds }) },
          threshold,
          test,
          testValue: test === undefined ? undefined : metricValue(metric, test),
          ms: clock.monotonic() - t,
        };
      } finally {
        await prep.release();
      }
    }
    return {
      metric,
      validation: describePlan(options.plan, stratify && random),
      folds: folds.map((f) => ({
        index: f.index,
        trainRows: f.trainRows,
        validationRows: f.validationRows,
        ...(f.validationFrom === undefined ? {} : { validationFrom: f.validationFrom }),
        ...(f.validationTo === undefined ? {} : { validationTo: f.validationTo }),
      })),
      trials,
      best,
      failed,
      shared: { preparations: made, fits, prepareMs },
      winner,
      ms: clock.monotonic() - t0,
    };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await releaseAll();
  }
}
