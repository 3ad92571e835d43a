/**
 * The study's feature variants on the bank files: the three categorical encodings, and the
 * engineered feature groups tried one at a time (cyclical month, previous-campaign flags and, on
 * bank-additional, the macro indicators).
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col, type Column, lit, when } from "../../cluster/expr/column.ts";
import type { BankFile } from "../../models/features/bank.ts";
import { OneHotEncoder } from "../../models/features/one_hot_encoder.ts";
import { Pipeline } from "../../models/features/pipeline.ts";
import { StringIndexer } from "../../models/features/string_indexer.ts";
import { FOLD_COLUMN, TargetEncoder } from "../../models/features/target_encoder.ts";
import { VectorAssembler } from "../../models/features/vector_assembler.ts";
import { LABEL } from "./study_models.ts";

/** How categorical columns reach the model. */
export type Encoding = "onehot" | "native" | "target";

/** Feature columns by kind. */
export interface Columns {
  readonly categorical: readonly string[];
  readonly numeric: readonly string[];
}

/** Smoothing of the target encoder (rows of prior per category). */
export const TARGET_SMOOTHING = 20;
/** Folds of the out-of-fold target encoding. */
export const TARGET_FOLDS = 5;

/** The pipeline of `encoding` over `cols` (features in the vector column `features`). */
export function studyPipeline(encoding: Encoding, cols: Columns): Pipeline {
  const options = { label: LABEL, features: "features" };
  if (encoding === "target") {
    const te = (c: string) => `${c}_te`;
    return new Pipeline([
      new TargetEncoder({
        inputCols: cols.categorical,
        outputCols: cols.categorical.map(te),
        label: LABEL,
        smoothing: TARGET_SMOOTHING,
        foldCol: FOLD_COLUMN,
      }),
      new VectorAssembler({
        inputCols: [...cols.numeric, ...cols.categorical.map(te)],
        outputCol: "features",
      }),
    ], options);
  }
  const index = (c: string) => `${c}_index`;
  const indexer = new StringIndexer({
    inputCols: cols.categorical,
    outputCols: cols.categorical.map(index),
    handleInvalid: "keep",
  });
  if (encoding === "native") {
    return new Pipeline([
      indexer,
      new VectorAssembler({
        inputCols: [...cols.numeric, ...cols.categorical.map(index)],
        outputCol: "features",
        handleInvalid: "keep",
      }),
    ], options);
  }
  const vec = (c: string) => `${c}_vec`;
  return new Pipeline([
    indexer,
    new OneHotEncoder({
      inputCols: cols.categorical.map(index),
      outputCols: cols.categorical.map(vec),
      dropLast: true,
    }),
    new VectorAssembler({
      inputCols: [...cols.numeric, ...cols.categorical.map(vec)],
      outputCol: "features",
    }),
  ], options);
}

/** The bank files' macro-economic indicators (bank-additional only). */
export const MACRO = ["emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed"];

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function monthCase(f: (k: number) => number): Column {
  let chain = when(col("month").eq(MONTHS[0]!), lit(f(0), "double"));
  for (let k = 1; k < 12; k++) chain = chain.when(col("month").eq(MONTHS[k]!), lit(f(k), "double"));
  return chain.otherwise(lit(0, "double"));
}

/** An engineered feature group: the columns it adds to the data and to the numeric features. */
export interface FeatureGroup {
  readonly name: string;
  /** Adds the group's columns. */
  readonly add: (data: Dataset) => Dataset;
  /** Numeric features it adds. */
  readonly numeric: readonly string[];
}

/** The candidate groups for `which` (macro: the indicators themselves, absent from the base). */
export function featureGroups(which: BankFile): FeatureGroup[] {
  // "Not previously contacted" is pdays = -1 in bank-full, 999 in bank-additional.
  const never = which === "full" ? -1 : 999;
  const groups: FeatureGroup[] = [
    {
      name: "cyclical month",
      add: (d) =>
        d.withColumn("month_sin", monthCase((k) => Math.sin((2 * Math.PI * k) / 12)))
          .withColumn("month_cos", monthCase((k) => Math.cos((2 * Math.PI * k) / 12))),
      numeric: ["month_sin", "month_cos"],
    },
    {
      name: "previous-campaign flags",
      add: (d) =>
        d.withColumn(
          "prev_contacted",
          when(col("pdays").eq(never), lit(0, "double")).otherwise(lit(1, "double")),
        )
          .withColumn(
            "prev_success",
            when(col("poutcome").eq("success"), lit(1, "double")).otherwise(lit(0, "double")),
          )
          .withColumn(
            "prev_failure",
            when(col("poutcome").eq("failure"), lit(1, "double")).otherwise(lit(0, "double")),
          ),
      numeric: ["prev_contacted", "prev_success", "prev_failure"],
    },
  ];
  if (which === "additional") groups.push({ name: "macro indicators", add: (d) => d, numeric: MACRO });
  return groups;
}
