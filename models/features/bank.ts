/**
 * Defaults for the UCI Bank Marketing files: the label `y` (`"yes"` → 1, `"no"` → 0), the
 * columns that leak the label dropped (`duration`, known only after the call; see
 * `BANK_LEAK_COLUMNS`), the derived `contact_date` as the time column (never a feature), and
 * categorical vs numeric columns from the files' schemas.
 *
 * Two pipelines, features in file column order:
 * - `"linear"` (logistic regression): text columns indexed (`handleInvalid: "keep"`, so values
 *   unseen in training become all-zero one-hot rows) and one-hot encoded with `dropLast`;
 *   numbers as they are (the solver standardizes internally). On bank-additional-full that is
 *   9 numbers + 43 one-hot slots = 52 features (`age`, `job=admin.`, …).
 * - `"tree"` (random forest, GBT): text columns indexed and assembled as category indices —
 *   native categorical splits, one bin per category (unseen categories, and a rare last one by
 *   LightGBM's rule, share the missing bin) —
 *   then every feature binned once by a {@linkcode FeatureBinner}: 19 features on
 *   bank-additional-full, named after their source columns.
 *
 * @module
 */
import type { CsvSchema } from "../../cluster/io/csv/schema.ts";
import {
  BANK_ADDITIONAL_SCHEMA,
  BANK_FULL_SCHEMA,
  BANK_LABEL_COLUMN,
  BANK_LEAK_COLUMNS,
} from "../../cluster/sources/bank/schemas.ts";
import { FeatureBinner } from "./feature_binner.ts";
import { OneHotEncoder } from "./one_hot_encoder.ts";
import { checkChoice, checkNumber } from "./params.ts";
import { Pipeline } from "./pipeline.ts";
import type { LabelSpec } from "./spec/feature_spec.ts";
import { StringIndexer } from "./string_indexer.ts";
import { VectorAssembler } from "./vector_assembler.ts";

/** The bank label rule: `y = "yes"` is 1, `"no"` is 0. */
export const BANK_LABEL: LabelSpec = { column: BANK_LABEL_COLUMN, positive: "yes", negative: "no" };
/** The time column `fx.read.bank` derives from row order (a date). */
export const BANK_TIME_COLUMN = "contact_date";

/** Which bank file. */
export type BankFile = "full" | "additional";

/** The feature columns of a bank file, in file order. */
export interface BankColumns {
  /** Text columns (categories). */
  readonly categorical: readonly string[];
  /** Number columns. */
  readonly numeric: readonly string[];
  /** All of them, in file order. */
  readonly all: readonly string[];
}

function schemaOf(which: BankFile): CsvSchema {
  return which === "full" ? BANK_FULL_SCHEMA : BANK_ADDITIONAL_SCHEMA;
}

/** The feature columns of `which`, without the label and without `exclude` (default: the leak columns). */
export function bankColumns(which: BankFile, options: { exclude?: readonly string[] } = {}): BankColumns {
  checkChoice("which", which, ["full", "additional"]);
  const exclude = new Set([...(options.exclude ?? BANK_LEAK_COLUMNS), BANK_LABEL_COLUMN]);
  const fields = schemaOf(which).fields.filter((f) => !exclude.has(f.name));
  return {
    categorical: fields.filter((f) => f.type === "string").map((f) => f.name),
    numeric: fields.filter((f) => f.type !== "string").map((f) => f.name),
    all: fields.map((f) => f.name),
  };
}

/** Options of {@linkcode bankPipeline}. */
export interface BankPipelineOptions {
  /** `"linear"`: one-hot categoricals; `"tree"`: native categoricals and bins. */
  model: "linear" | "tree";
  /** Columns left out. @default {BANK_LEAK_COLUMNS (["duration"])} */
  exclude?: readonly string[];
  /** Tree bins per feature. @default {255} */
  maxBins?: number;
}

/** The default feature pipeline for a bank file (see the module doc). */
export function bankPipeline(which: BankFile, options: BankPipelineOptions): Pipeline {
  const model = checkChoice("model", options.model, ["linear", "tree"]);
  const cols = bankColumns(which, options.exclude !== undefined ? { exclude: options.exclude } : {});
  const indexed = (c: string) => `${c}_index`;
  const indexer = new StringIndexer({
    inputCols: cols.categorical,
    outputCols: cols.categorical.map(indexed),
    handleInvalid: "keep",
  });
  const isCategorical = new Set(cols.categorical);
  const label = { label: BANK_LABEL, time: BANK_TIME_COLUMN };
  if (model === "linear") {
    const vec = (c: string) => `${c}_vec`;
    const encoder = new OneHotEncoder({
      inputCols: cols.categorical.map(indexed),
      outputCols: cols.categorical.map(vec),
      dropLast: true, // drops each indexer's "__unknown" slot: unseen values encode as all zeros
    });
    const assembler = new VectorAssembler({
      inputCols: cols.all.map((c) => isCategorical.has(c) ? vec(c) : c),
      outputCol: "features",
    });
    return new Pipeline([indexer, encoder, assembler], { ...label, features: "features" });
  }
  const maxBins = checkNumber("maxBins", options.maxBins ?? 255, { min: 2, max: 255, integer: true });
  const assembler = new VectorAssembler({
    inputCols: cols.all.map((c) => isCategorical.has(c) ? indexed(c) : c),
    outputCol: "features",
    handleInvalid: "keep",
  });
  const binner = new FeatureBinner({ inputCol: "features", outputCol: "features_binned", maxBins });
  return new Pipeline([indexer, assembler, binner], { ...label, features: "features_binned" });
}
