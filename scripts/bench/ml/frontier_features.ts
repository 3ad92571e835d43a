/**
 * The feature pipelines Frontier's quality child fits on each split's training rows — the
 * product's own `models/features` stages, fitted on the cluster (category counts by aggregation, no
 * row collected):
 *
 * - `"linear"` (logistic regression): text columns indexed (`handleInvalid: "keep"`) and one-hot
 *   encoded without `dropLast` — every training category keeps its slot and an unseen value is all
 *   zeros, the same columns as the peers' encoders; numbers as they are (the solver standardizes
 *   internally).
 * - `"tree"` (forests, boosted trees): text columns indexed and assembled as category indices,
 *   split natively as categorical features.
 *
 * The assembled vector `features` is laid out on the cluster as one column per slot
 * (`features[age]`, `features[job=admin.]`), which is what the estimators read.
 *
 * @module
 */
import type { CsvSchema } from "../../../cluster/io/csv/schema.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import type { FeatureKind } from "../../../models/classification/tree/split.ts";
import { slotColumn } from "../../../models/features/column_info.ts";
import { OneHotEncoder } from "../../../models/features/one_hot_encoder.ts";
import { Pipeline, type PipelineModel } from "../../../models/features/pipeline.ts";
import { StringIndexer } from "../../../models/features/string_indexer.ts";
import { VectorAssembler } from "../../../models/features/vector_assembler.ts";
import type { PreparedManifest } from "./bank_data.ts";

/** The explicit schema of a prepared CSV (see `bank_data.ts`), in the file's column order. */
export function preparedSchema(m: PreparedManifest, header: readonly string[]): CsvSchema {
  const numeric = new Set(m.numeric);
  const expected = new Set([
    "row",
    ...m.numeric,
    ...m.categorical,
    m.label,
    ...m.splits.map((s) => s.column),
  ]);
  if (header.length !== expected.size || !header.every((h) => expected.has(h))) {
    throw new RangeError(`${m.path}: header ${header.join(",")} does not match its manifest`);
  }
  return {
    fields: header.map((name) => ({
      name,
      type: name === "row" ? "int" as const : numeric.has(name) ? "double" as const : "string" as const,
      nullable: false,
    })),
  };
}

/** The header of a prepared CSV. */
export async function readHeader(path: string): Promise<string[]> {
  using file = await Deno.open(path);
  const buf = new Uint8Array(64 * 1024);
  const n = (await file.read(buf)) ?? 0;
  return new TextDecoder().decode(buf.subarray(0, n)).split("\n")[0]!.split(",");
}

/** A fitted feature pipeline and the columns its output holds. */
export interface Encoding {
  model: PipelineModel;
  /** The feature slot columns, in model order. */
  featureCols: string[];
  /** Feature names (`age`, `job=admin.`), in model order. */
  names: string[];
  /** Per feature: numeric or categorical (a category index). */
  kinds: FeatureKind[];
  /** `ds` with the features added (lazy, on the executors). */
  apply(ds: Dataset): Dataset;
}

/** Fits the `"linear"` or `"tree"` pipeline of a prepared file on `train`. */
export async function fitEncoding(
  train: Dataset,
  m: PreparedManifest,
  kind: "linear" | "tree",
): Promise<Encoding> {
  const index = (c: string) => `${c}_index`, vec = (c: string) => `${c}_vec`;
  const indexer = new StringIndexer({
    inputCols: m.categorical,
    outputCols: m.categorical.map(index),
    handleInvalid: "keep",
  });
  const stages = kind === "linear"
    ? [
      indexer,
      new OneHotEncoder({
        inputCols: m.categorical.map(index),
        outputCols: m.categorical.map(vec),
        // Every training category keeps its slot (the indexer's catch-all for unseen values encodes
        // as zeros): scikit-learn's handle_unknown="ignore" and Spark's keep + dropLast alike.
        dropLast: false,
      }),
      new VectorAssembler({ inputCols: [...m.numeric, ...m.categorical.map(vec)], outputCol: "features" }),
    ]
    : [
      indexer,
      new VectorAssembler({
        inputCols: [...m.numeric, ...m.categorical.map(index)],
        outputCol: "features",
        handleInvalid: "keep",
      }),
    ];
  const model = await new Pipeline(stages, { features: "features" }).fit(train);
  const slots = model.layout.slots;
  return {
    model,
    featureCols: slots.map((s) => slotColumn("features", s.name)),
    names: slots.map((s) => s.name),
    kinds: slots.map((s) => s.kind),
    apply: (ds) => model.transform(ds),
  };
}

/**
 * The encoded feature columns of `ds`'s rows, in `row` order, collected here (for scoring test rows
 * with a model held here; training never collects).
 */
export async function featureColumns(
  ds: Dataset,
  encoding: Encoding,
): Promise<{ columns: Float64Array[]; rows: number }> {
  const rows = (await encoding.apply(ds).select("row", ...encoding.featureCols).collect())
    .sort((a, b) => Number(a["row"]) - Number(b["row"]));
  const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
  return {
    columns: encoding.featureCols.map((c) => Float64Array.from(rows, (r) => num(r[c]))),
    rows: rows.length,
  };
}

/** `column` of `ds` (one number per row) ordered by the `row` column. */
export async function scoresByRow(ds: Dataset, column: string): Promise<Float64Array> {
  const rows = await ds.select("row", column).collect();
  rows.sort((a, b) => Number(a["row"]) - Number(b["row"]));
  return Float64Array.from(rows, (r) => Number(r[column]));
}
