/**
 * The three slices of `frontier train`: **fit** (pipeline and models are fitted on it),
 * **validation** (the decision threshold is chosen on it, and kinds that stop early stop on it)
 * and **test** (every reported figure). Fit and validation together are the training part.
 *
 * - `random`: one stratified {@linkcode randomSplit} by the 0/1 label into
 *   `[(1 − t)(1 − v), (1 − t)·v, t]` — exact per class, deterministic from the seed for any
 *   partitioning.
 * - `time`: {@linkcode timeSplit} at the `1 − t` quantile of the time column (test is later).
 *   Validation is a stratified random share `v` of the training part (`validation: "random"`,
 *   the default: the fit rows span the whole training period), or its latest rows
 *   (`validation: "latest"`: {@linkcode timeSplit} again at `1 − v`; the shift towards the test
 *   period shows in validation, but the models never see the latest training rows unless they
 *   are refitted). Rows without a time are in no slice and are counted.
 *
 * @module
 */
import type { DataType } from "../../../cluster/columnar/batch.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { randomSplit } from "../../../models/features/split/random_split.ts";
import { timeSplit } from "../../../models/features/split/time_split.ts";
import { LABEL01 } from "./features.ts";

/** How to split. */
export interface SplitRequest {
  /** `random` (stratified by the label) or `time` (out-of-time). */
  readonly method: "random" | "time";
  /** Seeds the random split. */
  readonly seed: number;
  /** Share of the rows in test, in (0, 1). */
  readonly testFraction: number;
  /** Share of the training part held out for validation, in (0, 1). */
  readonly validationFraction: number;
  /** How validation rows are drawn from the training part of a time split. @default {"random"} */
  readonly validation?: "random" | "latest" | undefined;
  /** The time column (`time` only). */
  readonly time?: string | undefined;
  /** Cancels the jobs. */
  readonly signal?: AbortSignal | undefined;
}

/** The slices and their sizes. */
export interface Splits {
  /** Fit rows. */
  readonly fit: Dataset;
  /** Validation rows. */
  readonly validation: Dataset;
  /** Training part: fit and validation rows. */
  readonly train: Dataset;
  /** Test rows. */
  readonly test: Dataset;
  /** Row counts. */
  readonly rows: { fit: number; validation: number; test: number; untimed: number };
  /** The split in words, e.g. `"out-of-time on contact_date: test from 2010-03-01 (last 20 %)"`. */
  readonly description: string;
  /** Where the time split cut (the first test time), as ISO text or a number. */
  readonly cut?: string | number;
}

function percent(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}

/** A cut of a `type` column in its natural form. */
export function formatCut(cut: number, type: DataType): string | number {
  if (!Number.isFinite(cut)) return cut;
  if (type === "date") return new Date(cut * 86_400_000).toISOString().slice(0, 10);
  if (type === "timestamp") return new Date(cut).toISOString();
  return cut;
}

/** Splits `data` (which has {@linkcode LABEL01}) as `request` says. */
export async function splitData(data: Dataset, request: SplitRequest): Promise<Splits> {
  const t = request.testFraction, v = request.validationFraction;
  for (const [name, x] of [["test fraction", t], ["validation fraction", v]] as const) {
    if (!(x > 0 && x < 1)) throw new RangeError(`The ${name} must be in (0, 1), got ${x}`);
  }
  const signal = request.signal;
  if (request.method === "random") {
    const { splits, strata } = await randomSplit(data, [(1 - t) * (1 - v), (1 - t) * v, t], {
      seed: request.seed,
      stratifyBy: LABEL01,
      ...(signal === undefined ? {} : { signal }),
    });
    const [fit, validation, test] = splits as [Dataset, Dataset, Dataset];
    const total = (j: number) => strata.reduce((a, s) => a + s.splits[j]!, 0);
    return {
      fit,
      validation,
      train: fit.union(validation),
      test,
      rows: { fit: total(0), validation: total(1), test: total(2), untimed: 0 },
      description: `random, stratified by the label (seed ${request.seed}): test ${percent(t)}, validation ${
        percent(v)
      } of the training part`,
    };
  }
  const time = request.time;
  if (time === undefined) throw new RangeError("An out-of-time split needs a time column (--time-col)");
  const type = data.schema.find((f) => f.name === time)?.type ?? "double";
  const outer = await timeSplit(data, { time, trainFraction: 1 - t, ...(signal ? { signal } : {}) });
  const cut = formatCut(outer.cut, type);
  const base = `out-of-time on ${time}: train before ${cut}, test from ${cut} (the last ${
    percent(t)
  } of rows; ties at the cut go to test)`;
  if (request.validation === "latest") {
    const inner = await timeSplit(outer.train, { time, trainFraction: 1 - v, ...(signal ? { signal } : {}) });
    return {
      fit: inner.train,
      validation: inner.test,
      train: outer.train,
      test: outer.test,
      rows: {
        fit: inner.trainRows,
        validation: inner.testRows,
        test: outer.testRows,
        untimed: outer.untimedRows,
      },
      description: `${base}; validation: the latest ${percent(v)} of the training part`,
      cut,
    };
  }
  const inner = await randomSplit(outer.train, [1 - v, v], {
    seed: request.seed,
    stratifyBy: LABEL01,
    ...(signal === undefined ? {} : { signal }),
  });
  const [fit, validation] = inner.splits as [Dataset, Dataset];
  const total = (j: number) => inner.strata.reduce((a, s) => a + s.splits[j]!, 0);
  return {
    fit,
    validation,
    train: outer.train,
    test: outer.test,
    rows: { fit: total(0), validation: total(1), test: outer.testRows, untimed: outer.untimedRows },
    description: `${base}; validation: a random ${
      percent(v)
    } of the training part, stratified (seed ${request.seed})`,
    cut,
  };
}
