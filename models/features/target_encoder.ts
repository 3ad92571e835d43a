/**
 * `TargetEncoder`: text columns to the smoothed positive rate of their category (see
 * `stages/target_encoder.ts` for the encoding and its out-of-fold tables). Fit counts rows and
 * positives per (fold, category) of every input column in one aggregation job on the training
 * split only; the tables are sums of those counts, so they are exact and the same for any
 * partitioning.
 *
 * Leakage. A model trained on encodings that saw each row's own label overfits them. Give the
 * training split a fold column first ({@linkcode withFolds}: a seeded, partition-independent fold
 * per row) and name it in `foldCol`: fit then also learns, per fold, the table of the other folds,
 * and every dataset that has the fold column (the training split, inside a `Pipeline` too) is
 * encoded out of fold, while data without it (validation, test, scoring) uses the table of the
 * whole training split.
 *
 * @example
 * ```ts ignore
 * const train5 = withFolds(train, { folds: 5, seed: 7 }); // adds "__fold"
 * const pipeline = new Pipeline([
 *   new TargetEncoder({ inputCols: ["job"], label: { column: "y", positive: "yes" }, foldCol: "__fold" }),
 *   new VectorAssembler({ inputCols: ["age", "job_te"], outputCol: "features" }),
 * ]);
 * const model = await pipeline.fit(train5);
 * model.transform(train5); // job_te out of fold
 * model.transform(test); // job_te from the whole training split
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col, type Column, count, lit, sum, when } from "../../cluster/expr/column.ts";
import { type Estimator, FeatureModel, type FitContext, fitInfos } from "./feature_model.ts";
import { checkColumn, checkNumber, resolveColumns } from "./params.ts";
import { rowDraw } from "./split/row_draw.ts";
import { targetEncoderKernel, type TargetEncoderState, type TargetTable } from "./stages/target_encoder.ts";

/** Options of {@linkcode TargetEncoder}. */
export interface TargetEncoderOptions {
  /** The text column to encode (or use `inputCols`). */
  inputCol?: string;
  /** Several text columns, encoded independently in one job. */
  inputCols?: readonly string[];
  /** The output column. @default {`${inputCol}_te`} */
  outputCol?: string;
  /** Output columns, one per input column. @default {`${input}_te` for each input} */
  outputCols?: readonly string[];
  /** The label: a 0/1 or bool column, or a text column with its positive value. */
  label: string | { readonly column: string; readonly positive: string };
  /** The smoothing weight m ≥ 0: a category counts as m extra rows at the prior. @default {20} */
  smoothing?: number;
  /** The fold column of the training split ({@linkcode withFolds}): enables out-of-fold encoding. */
  foldCol?: string;
}

/** The default fold column of {@linkcode withFolds}. */
export const FOLD_COLUMN = "__fold";

/**
 * `dataset` with an integer fold `0 … folds − 1` per row in `column`: the row's seeded draw
 * ({@linkcode rowDraw} of `key`, default every column) cut into equal ranges — the same fold for
 * any partitioning.
 */
export function withFolds(
  dataset: Dataset,
  options: { folds: number; seed: number; column?: string; key?: readonly string[] },
): Dataset {
  const folds = checkNumber("folds", options.folds, { min: 2, max: 100, integer: true });
  const column = checkColumn("column", options.column ?? FOLD_COLUMN);
  if (dataset.columns.includes(column)) throw new RangeError(`column "${column}" is already in the dataset`);
  const u = rowDraw(dataset.schema, { seed: options.seed, key: options.key });
  return dataset.withColumn(column, u.times(folds).div(2 ** 53).floor().cast("long"));
}

/** Encodes text columns by the smoothed positive rate of their categories. */
export class TargetEncoder implements Estimator<FeatureModel> {
  /** The input columns. */
  readonly inputs: readonly string[];
  /** The output columns. */
  readonly outputs: readonly string[];
  /** The label rule. */
  readonly label: string | { readonly column: string; readonly positive: string };
  /** The smoothing weight. */
  readonly smoothing: number;
  /** The fold column, if any. */
  readonly foldCol: string | undefined;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: TargetEncoderOptions) {
    const { inputs, outputs } = resolveColumns(options, (c) => `${c}_te`);
    this.inputs = inputs;
    this.outputs = outputs;
    if (typeof options.label === "string") checkColumn("label", options.label);
    else if (typeof options.label !== "object" || options.label === null) {
      throw new RangeError(
        `label must be a column name or { column, positive }, got ${String(options.label)}`,
      );
    } else {
      checkColumn("label.column", options.label.column);
      if (typeof options.label.positive !== "string") {
        throw new RangeError(`label.positive must be text, got ${String(options.label.positive)}`);
      }
    }
    this.label = options.label;
    this.smoothing = checkNumber("smoothing", options.smoothing ?? 20, { min: 0, max: Infinity });
    this.foldCol = options.foldCol === undefined ? undefined : checkColumn("foldCol", options.foldCol);
  }

  /** Counts rows and positives per (fold, category) on the cluster (one job). */
  async fit(dataset: Dataset, context?: FitContext): Promise<FeatureModel> {
    const infos = fitInfos(dataset, context);
    const state0: TargetEncoderState = {
      kind: "target_encoder",
      inputs: this.inputs,
      outputs: this.outputs,
      categories: this.inputs.map(() => []),
      smoothing: this.smoothing,
      full: { values: this.inputs.map(() => []), prior: 0 },
    };
    targetEncoderKernel.outputs(state0, infos); // inputs are text, before any job runs
    const labelCol = typeof this.label === "string" ? this.label : this.label.column;
    if (!dataset.columns.includes(labelCol)) {
      throw new RangeError(`label column "${labelCol}" is not in the dataset`);
    }
    if (this.foldCol !== undefined && !dataset.columns.includes(this.foldCol)) {
      throw new RangeError(`foldCol "${this.foldCol}" is not in the dataset: add it with withFolds()`);
    }
    const y: Column = typeof this.label === "string"
      ? col(labelCol).cast("double")
      : when(col(labelCol).eq(lit(this.label.positive)), lit(1, "double")).otherwise(lit(0, "double"));
    const labeled = dataset.filter(col(labelCol).isNotNull());
    const fold = this.foldCol === undefined ? lit(0, "long") : col(this.foldCol).cast("long");
    // Stack (input, fold, category) → (rows, positives) for every input column: one job.
    const parts = this.inputs.map((c, j) =>
      labeled.select(lit(j, "long").alias("__j"), fold.alias("__f"), col(c).alias("__c"), y.alias("__y"))
    );
    const stacked = parts.length === 1 ? parts[0]! : parts[0]!.union(...parts.slice(1));
    const rows = await stacked.groupBy("__j", "__f", "__c")
      .agg(count().alias("__n"), sum("__y").alias("__p"))
      .collect({ signal: context?.signal });
    // counts[j][category] = per fold [n, p]
    const folds = new Set<number>();
    const counts = this.inputs.map(() => new Map<string | null, Map<number, [number, number]>>());
    for (const r of rows) {
      const j = Number(r["__j"]), f = Number(r["__f"]), c = (r["__c"] ?? null) as string | null;
      folds.add(f);
      const byFold = counts[j]!.get(c) ?? new Map<number, [number, number]>();
      const cell = byFold.get(f) ?? [0, 0];
      cell[0] += Number(r["__n"]);
      cell[1] += Number(r["__p"]);
      byFold.set(f, cell);
      counts[j]!.set(c, byFold);
    }
    const foldIds = [...folds].sort((a, b) => a - b);
    if (this.foldCol !== undefined && foldIds.some((f) => !Number.isInteger(f) || f < 0 || f > 99)) {
      throw new RangeError(`foldCol "${this.foldCol}" must hold integers in [0, 99]`);
    }
    const categories = counts.map((m) =>
      [...m.keys()].filter((c): c is string => c !== null).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    );
    // Totals over the first input column (every input sees every labeled row once).
    const totals = (exclude: number | undefined): [number, number] => {
      let n = 0, p = 0;
      for (const byFold of counts[0]?.values() ?? []) {
        for (const [f, [cn, cp]] of byFold) {
          if (f === exclude) continue;
          n += cn;
          p += cp;
        }
      }
      return [n, p];
    };
    const m = this.smoothing;
    const tableWithout = (exclude: number | undefined): TargetTable => {
      const [n, p] = totals(exclude);
      if (!(n > 0)) throw new RangeError("TargetEncoder needs labeled training rows (outside each fold)");
      const prior = p / n;
      const values = categories.map((cats, j) =>
        cats.map((c) => {
          let cn = 0, cp = 0;
          for (const [f, [a, b]] of counts[j]!.get(c)!) {
            if (f === exclude) continue;
            cn += a;
            cp += b;
          }
          return cn + m === 0 ? prior : (cp + m * prior) / (cn + m);
        })
      );
      return { values, prior };
    };
    const full = tableWithout(undefined);
    const state: TargetEncoderState = {
      ...state0,
      categories,
      full,
      ...(this.foldCol === undefined ? {} : {
        folds: {
          column: this.foldCol,
          tables: Array.from({ length: foldIds[foldIds.length - 1]! + 1 }, (_, f) => tableWithout(f)),
        },
      }),
    };
    return new FeatureModel(state, infos);
  }
}
