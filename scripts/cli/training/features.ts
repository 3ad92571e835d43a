/**
 * What `frontier train` learns from and how: the label rule, the time column, the feature columns
 * and the two feature pipelines (`"linear"` for logistic regression: one-hot, imputed; `"tree"`
 * for forests and boosted trees: text columns index-coded, split natively as categories, numbers
 * raw, binned by the tree estimators on the cluster, missing values in their own bin). The UCI
 * bank files use the bank defaults of `models/features/bank.ts`
 * (label `y` = "yes", `duration` excluded, `contact_date` as the time column); any other CSV gets
 * the same treatment from its schema:
 *
 * - number and bool columns are numeric features (the linear pipeline fills missing values with
 *   the training mean; trees give them their own bin);
 * - text columns with at most `maxCategories` distinct values are categorical features (indexed
 *   by frequency; values unseen in training share one slot); more distinct values (ids, free
 *   text) and date/timestamp columns are left out, each with its reason.
 *
 * The label becomes the 0/1 double column {@linkcode LABEL01} ({@linkcode labelColumn}); rows
 * without a label (null, or a value that is neither the positive nor the negative one) are
 * counted and left out of training and evaluation.
 *
 * @module
 */
import type { DataType, Field } from "../../../cluster/columnar/batch.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { approxCountDistinct, col, type Column, count, lit, when } from "../../../cluster/expr/column.ts";
import {
  BANK_LABEL,
  BANK_TIME_COLUMN,
  bankColumns,
  type BankFile,
  bankPipeline,
} from "../../../models/features/bank.ts";
import { Imputer } from "../../../models/features/imputer.ts";
import { OneHotEncoder } from "../../../models/features/one_hot_encoder.ts";
import { Pipeline, type PipelineStage } from "../../../models/features/pipeline.ts";
import type { LabelSpec } from "../../../models/features/spec/feature_spec.ts";
import { StringIndexer } from "../../../models/features/string_indexer.ts";
import { VectorAssembler } from "../../../models/features/vector_assembler.ts";
import { BANK_LEAK_COLUMNS } from "../../../cluster/sources/bank/schemas.ts";
import { UsageError } from "../common.ts";

/** The 0/1 label column (double) added to the data for training and evaluation. */
export const LABEL01 = "__label01";
/** Text values taken as the positive class when `--positive` is not given. */
const POSITIVE_WORDS = /^(1|yes|y|true|t|positive|pos)$/i;
const NUMERIC: readonly DataType[] = ["double", "long", "int", "bool"];

/** What the model learns from. */
export interface FeaturePlan {
  /** Which defaults apply. */
  readonly source: "bank" | "generic";
  /** The label rule. */
  readonly label: LabelSpec;
  /** The time column (out-of-time split), if any. */
  readonly time: string | undefined;
  /** Columns left out on request (or by the bank defaults). */
  readonly excluded: readonly string[];
  /** Columns left out by the rules above, with the reason. */
  readonly dropped: readonly { column: string; reason: string }[];
  /** Source feature columns, in data order. */
  readonly features: readonly string[];
  /** The feature pipeline of `model` kinds. */
  pipeline(model: "linear" | "tree"): Pipeline;
}

/** What the command line says about the features. */
export interface FeatureRequest {
  /** The bank file the input is, if it is one. */
  readonly bank?: BankFile | undefined;
  /** The label column. @default {"y" for the bank files; required otherwise} */
  readonly label?: string | undefined;
  /** The value of the positive class for a text label. */
  readonly positive?: string | undefined;
  /** Columns to leave out. @default {["duration"] for the bank files, else none} */
  readonly exclude?: readonly string[] | undefined;
  /** The time column. @default {"contact_date" for the bank files} */
  readonly time?: string | undefined;
  /** Most distinct values of a categorical text column. @default {100} */
  readonly maxCategories?: number | undefined;
}

function fieldOf(data: Dataset, name: string, what: string): Field {
  const f = data.schema.find((x) => x.name === name);
  if (f === undefined) {
    throw new UsageError(`${what} "${name}" is not a column of the input (${data.columns.join(", ")})`);
  }
  return f;
}

/** The label rule of column `name` (one small job for a text label without `positive`). */
export async function labelRule(data: Dataset, name: string, positive?: string): Promise<LabelSpec> {
  const field = fieldOf(data, name, "--label");
  if (field.type !== "string") {
    if (!NUMERIC.includes(field.type)) throw new UsageError(`--label "${name}" is a ${field.type} column`);
    if (positive !== undefined) {
      throw new UsageError(`--positive applies to text labels; "${name}" is numeric`);
    }
    return { column: name, positive: 1, negative: 0 };
  }
  const rows = await data.groupBy(name).agg(count().alias("n")).sort(name).limit(3).collect();
  const values = rows.map((r) => r[name]).filter((v): v is string => typeof v === "string");
  if (positive !== undefined) {
    const others = values.filter((v) => v !== positive);
    return values.length === 2 && others.length === 1
      ? { column: name, positive, negative: others[0]! }
      : { column: name, positive };
  }
  const pos = values.filter((v) => POSITIVE_WORDS.test(v));
  if (values.length !== 2 || pos.length !== 1) {
    throw new UsageError(
      `--label "${name}" is text with values ${values.slice(0, 2).map((v) => JSON.stringify(v)).join(", ")}${
        values.length > 2 ? ", …" : ""
      }: give --positive VALUE`,
    );
  }
  return { column: name, positive: pos[0]!, negative: values.find((v) => v !== pos[0])! };
}

/** The 0/1 double of `label` over a column of `type`: null where the row has no label. */
export function labelColumn(label: LabelSpec, type: DataType): Column {
  const c = col(label.column), one = lit(1, "double"), zero = lit(0, "double");
  if (type === "bool") return when(c.eq(lit(true)), one).when(c.eq(lit(false)), zero);
  const is = (v: string | number) => c.eq(lit(v));
  const cases = when(is(label.positive), one);
  return label.negative === undefined
    ? cases.when(c.isNotNull(), zero)
    : cases.when(is(label.negative), zero);
}

/** `data` with {@linkcode LABEL01} appended (null where the row has no label). */
export function withLabel01(data: Dataset, label: LabelSpec): Dataset {
  const field = fieldOf(data, label.column, "The label column");
  return data.withColumn(LABEL01, labelColumn(label, field.type));
}

/** The feature plan of `data` (see the module doc); one small job for a generic CSV. */
export async function planFeatures(data: Dataset, request: FeatureRequest): Promise<FeaturePlan> {
  const bank = request.bank !== undefined && (request.label ?? BANK_LABEL.column) === BANK_LABEL.column
    ? request.bank
    : undefined;
  if (bank !== undefined) return bankPlan(data, bank, request);
  if (request.label === undefined) throw new UsageError("--label is required for this input");
  const label = await labelRule(data, request.label, request.positive);
  const excluded = [...(request.exclude ?? [])];
  for (const c of excluded) fieldOf(data, c, "--exclude");
  const time = request.time;
  if (time !== undefined) fieldOf(data, time, "--time-col");
  const skip = new Set([label.column, ...excluded, ...(time === undefined ? [] : [time]), LABEL01]);
  const candidates = data.schema.filter((f) => !skip.has(f.name));
  const text = candidates.filter((f) => f.type === "string").map((f) => f.name);
  const maxCategories = request.maxCategories ?? 100;
  const distinct = text.length === 0
    ? {}
    : (await data.agg(...text.map((c, i) => approxCountDistinct(col(c)).alias(`d${i}`))).collect())[0] ?? {};
  const dropped: { column: string; reason: string }[] = [];
  const numeric: string[] = [], categorical: string[] = [];
  for (const f of candidates) {
    if (NUMERIC.includes(f.type)) numeric.push(f.name);
    else if (f.type === "string") {
      const n = Number(distinct[`d${text.indexOf(f.name)}`] ?? 0);
      if (n <= maxCategories) categorical.push(f.name);
      else dropped.push({ column: f.name, reason: `text with ~${n} distinct values (> ${maxCategories})` });
    } else {dropped.push({
        column: f.name,
        reason: `${f.type} column (give it as --time-col to split on it)`,
      });}
  }
  const features = candidates.map((f) => f.name).filter((c) =>
    numeric.includes(c) || categorical.includes(c)
  );
  if (features.length === 0) throw new UsageError("The input has no usable feature column");
  return {
    source: "generic",
    label,
    time,
    excluded,
    dropped,
    features,
    pipeline: (model) => genericPipeline({ label, time, features, numeric, categorical }, model),
  };
}

function bankPlan(data: Dataset, which: BankFile, request: FeatureRequest): FeaturePlan {
  const excluded = [...(request.exclude ?? BANK_LEAK_COLUMNS)];
  const time = request.time ?? (data.columns.includes(BANK_TIME_COLUMN) ? BANK_TIME_COLUMN : undefined);
  if (time !== undefined) fieldOf(data, time, "--time-col");
  if (request.positive !== undefined && request.positive !== BANK_LABEL.positive) {
    throw new UsageError(`The bank label y is "yes" or "no"; --positive must be "yes" if given`);
  }
  const columns = bankColumns(which, { exclude: excluded });
  const features = columns.all;
  return {
    source: "bank",
    label: BANK_LABEL,
    time,
    excluded,
    dropped: [],
    features,
    pipeline: (model) => {
      if (model === "tree") {
        const { numeric, categorical } = columns;
        return genericPipeline({ label: BANK_LABEL, time, features, numeric, categorical }, "tree");
      }
      const p = bankPipeline(which, { model, exclude: excluded });
      return time === undefined || time === BANK_TIME_COLUMN
        ? p
        : new Pipeline(p.stages, { ...p.options, time });
    },
  };
}

interface GenericColumns {
  label: LabelSpec;
  time: string | undefined;
  features: readonly string[];
  numeric: readonly string[];
  categorical: readonly string[];
}

function genericPipeline(cols: GenericColumns, model: "linear" | "tree"): Pipeline {
  const options = { label: cols.label, ...(cols.time === undefined ? {} : { time: cols.time }) };
  const indexed = (c: string) => `${c}__index`, vec = (c: string) => `${c}__vec`;
  const isText = new Set(cols.categorical);
  const stages: PipelineStage[] = [];
  if (cols.categorical.length > 0) {
    stages.push(
      new StringIndexer({
        inputCols: cols.categorical,
        outputCols: cols.categorical.map(indexed),
        handleInvalid: "keep",
      }),
    );
  }
  if (model === "linear") {
    if (cols.numeric.length > 0) stages.push(new Imputer({ inputCols: cols.numeric }));
    if (cols.categorical.length > 0) {
      stages.push(
        new OneHotEncoder({
          inputCols: cols.categorical.map(indexed),
          outputCols: cols.categorical.map(vec),
          dropLast: true,
        }),
      );
    }
    stages.push(
      new VectorAssembler({
        inputCols: cols.features.map((c) => isText.has(c) ? vec(c) : c),
        outputCol: "__features",
      }),
    );
    return new Pipeline(stages, { ...options, features: "__features" });
  }
  // Category indices as they are: the tree estimators split them natively (`categorical`) and bin
  // the raw numbers themselves.
  stages.push(
    new VectorAssembler({
      inputCols: cols.features.map((c) => isText.has(c) ? indexed(c) : c),
      outputCol: "__features",
      handleInvalid: "keep",
    }),
  );
  return new Pipeline(stages, { ...options, features: "__features" });
}
