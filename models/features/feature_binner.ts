/**
 * `FeatureBinner`: the last stage of a tree pipeline. It bins every slot of the assembled vector
 * once, globally, on the training data (`models/classification/tree/binning.ts` layout, at most
 * `maxBins` value bins plus the missing bin), so executors cache one byte per feature and row
 * (`assembleBinned`) and every partition bins alike.
 *
 * How slots are binned, all on the cluster with aggregations:
 * - categorical slots (category indices assembled as is — native categorical splits, one bin per
 *   category; indices without a bin of their own, e.g. unseen ones, share the missing bin): the
 *   category counts, then LightGBM's rule (`categoricalBinningFromCounts`: the most frequent
 *   categories, at most `maxBins`, and not one too rare to stand alone);
 * - numeric slots with at most `exactDistinct` distinct values (HyperLogLog estimate): their exact
 *   value counts, then the same bounds as binning the sorted values in memory (midpoints between
 *   neighbouring values; greedy equal-count bins when there are more values than bins);
 * - other numeric slots: bounds at the `j / maxBins` quantiles of a relative-error sketch
 *   (`approxQuantile`), repeats dropped, as `numericBinningFromSketch` does.
 *
 * One-hot encoded features are numeric 0/1 slots (two bins); assemble category indices directly
 * for native categorical splits.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import {
  approxCountDistinct,
  approxQuantile,
  col,
  type Column,
  lit,
  max,
} from "../../cluster/expr/column.ts";
import {
  categoricalBinningFromCounts,
  type FeatureBinning,
  MAX_VALUE_BINS,
  type NumericBinning,
} from "../classification/tree/binning.ts";
import { infoOf, slotColumn, slotsOf } from "./column_info.ts";
import { nanToNull, valueCounts } from "./cluster_stats.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { checkColumn, checkNumber } from "./params.ts";
import { featureBinnerKernel, type FeatureBinnerState } from "./stages/feature_binner.ts";
import { asDouble } from "./stages/stage.ts";
import { numericBinningFromCounts } from "./binning_counts.ts";

/** Options of {@linkcode FeatureBinner}. */
export interface FeatureBinnerOptions {
  /** The assembled vector. @default {"features"} */
  inputCol?: string;
  /** The output column. @default {`${inputCol}_binned`} */
  outputCol?: string;
  /** Value bins per feature, at most 255. @default {255} */
  maxBins?: number;
  /** Numeric slots with at most this many distinct values are binned from exact counts. @default {10000} */
  exactDistinct?: number;
  /** Relative error of the quantile sketches of the other numeric slots. @default {0.001} */
  relativeError?: number;
}

/** Bins assembled features for histogram trees. */
export class FeatureBinner implements Estimator<FeatureModel> {
  /** The input column. */
  readonly input: string;
  /** The output column. */
  readonly output: string;
  /** Value bins per feature at most. */
  readonly maxBins: number;
  /** Distinct values up to which a numeric slot is binned from exact counts. */
  readonly exactDistinct: number;
  /** Relative error of the quantile sketches. */
  readonly relativeError: number;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: FeatureBinnerOptions = {}) {
    this.input = checkColumn("inputCol", options.inputCol ?? "features");
    this.output = checkColumn("outputCol", options.outputCol ?? `${this.input}_binned`);
    this.maxBins = checkNumber("maxBins", options.maxBins ?? MAX_VALUE_BINS, {
      min: 2,
      max: MAX_VALUE_BINS,
      integer: true,
    });
    this.exactDistinct = checkNumber("exactDistinct", options.exactDistinct ?? 10_000, {
      min: 0,
      max: 1_000_000,
      integer: true,
    });
    this.relativeError = checkNumber("relativeError", options.relativeError ?? 0.001, {
      min: 0,
      max: 0.5,
      minExclusive: true,
    });
  }

  /** Bins every slot from training-data statistics (at most four jobs). */
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const signal = context?.signal;
    const info = infoOf(infos, this.input, "FeatureBinner");
    const slots = slotsOf(this.input, info, "FeatureBinner");
    const value = (name: string): Column =>
      info.kind === "vector" ? col(slotColumn(this.input, name)) : asDouble(this.input, dataset.schema);
    const binnings: (FeatureBinning | undefined)[] = slots.map(() => undefined);
    const cats = slots.flatMap((s, i) => s.kind === "categorical" ? [i] : []);
    const nums = slots.flatMap((s, i) => s.kind === "numeric" ? [i] : []);

    const catCounts = await valueCounts(dataset, cats.map((i) => value(slots[i]!.name)), { signal });
    cats.forEach((i, k) => {
      const counts = new Map<number, number>();
      let missing = catCounts[k]!.nulls;
      for (const [v, n] of catCounts[k]!.counts) {
        if (typeof v === "number" && Number.isFinite(v)) counts.set(v, n);
        else missing += n;
      }
      binnings[i] = categoricalBinningFromCounts(counts, { maxBins: this.maxBins, missing });
    });

    if (nums.length > 0) {
      const [d] = await dataset.agg(
        ...nums.map((i, k) => approxCountDistinct(nanToNull(value(slots[i]!.name))).alias(`d${k}`)),
      ).collect({ signal });
      const exact = nums.filter((_, k) => Number(d?.[`d${k}`] ?? 0) <= this.exactDistinct);
      const sketched = nums.filter((i) => !exact.includes(i));
      const exactCounts = await valueCounts(dataset, exact.map((i) => nanToNull(value(slots[i]!.name))), {
        signal,
      });
      exact.forEach((i, k) => {
        const pairs = [...exactCounts[k]!.counts].flatMap(([v, n]) =>
          typeof v === "number" ? [[v, n] as const] : []
        );
        binnings[i] = numericBinningFromCounts(pairs, this.maxBins);
      });
      if (sketched.length > 0) {
        const bounds = await this.#sketchBounds(dataset, sketched.map((i) => value(slots[i]!.name)), signal);
        sketched.forEach((i, k) => binnings[i] = bounds[k]!);
      }
    }
    const state: FeatureBinnerState = {
      kind: "feature_binner",
      input: this.input,
      output: this.output,
      binnings: binnings.map((b) => b!),
    };
    featureBinnerKernel.outputs(state, infos);
    return new FeatureModel(state, infos);
  }

  /** Bounds at the sketch quantiles `j / maxBins` of each column, in one job. */
  async #sketchBounds(
    dataset: Dataset,
    columns: readonly Column[],
    signal?: AbortSignal,
  ): Promise<NumericBinning[]> {
    const parts = columns.map((c, j) => dataset.select(lit(j).alias("__f"), nanToNull(c).alias("__v")));
    const stacked = parts.length === 1 ? parts[0]! : parts[0]!.union(...parts.slice(1));
    const qs = Array.from({ length: this.maxBins - 1 }, (_, j) => (j + 1) / this.maxBins);
    const rows = await stacked.groupBy("__f").agg(
      max("__v").alias("__max"),
      ...qs.map((q, j) => approxQuantile("__v", q, this.relativeError).alias(`q${j}`)),
    ).collect({ signal });
    const out: NumericBinning[] = columns.map(() => ({ kind: "numeric", upperBounds: [] }));
    for (const r of rows) {
      const top = r["__max"];
      if (typeof top !== "number") continue;
      const upperBounds: number[] = [];
      qs.forEach((_, j) => {
        const q = r[`q${j}`];
        if (typeof q !== "number" || q !== q || q >= top) return;
        const last = upperBounds[upperBounds.length - 1];
        if (last === undefined || q > last) upperBounds.push(q);
      });
      out[Number(r["__f"])] = { kind: "numeric", upperBounds };
    }
    return out;
  }
}
