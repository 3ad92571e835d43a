/**
 * Where a cluster shard's rows come from: the one step "a partition's batches → binned shard"
 * that executors run, and its JSON description ({@linkcode TreeSource}) that travels in job
 * arguments. Today the features are named numeric columns (categorical ones integer-coded);
 * a fitted feature pipeline's spec plugs in here as another source kind, with the same output.
 *
 * Reading a column: `double`, `long`, `int`, `timestamp`, `date` and `bool` columns are read as
 * float64; nulls are missing (`NaN`) features. A null or non-0/1 label is kept as `NaN` and
 * counted by the shard's `describe` (training refuses it); a null weight is an error.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import { SchemaError } from "../../../cluster/errors.ts";
import type { Batch, Schema } from "../../../cluster/columnar/batch.ts";
import { columnIndex } from "../../../cluster/columnar/batch_ops.ts";
import type { FeatureBinning } from "./binning.ts";
import { asRecord } from "./protocol.ts";
import { createShardData, type ShardData } from "./shard.ts";
import type { FeatureKind } from "./split.ts";

/** Features, label, weight and row ids read from named columns. */
export interface ColumnSource {
  readonly kind: "columns";
  /** Feature columns in model order. */
  readonly features: readonly string[];
  /** Which of `features` hold integer category codes (split natively); the rest are numeric. */
  readonly categorical: readonly string[];
  /** Label column: 0 / 1 (or bool). */
  readonly label: string;
  /** Non-negative row weights; default 1. */
  readonly weight?: string;
  /**
   * Stable row ids (non-negative integers), the key of bagging and bootstrap draws; default the
   * global row number (partition offset + position), which is stable as long as the input's row
   * order is.
   */
  readonly rowId?: string;
}

/** How executors read a shard. */
export type TreeSource = ColumnSource;

/** The kind of each feature of `source`, in model order. */
export function sourceKinds(source: TreeSource): FeatureKind[] {
  const cats = new Set(source.categorical);
  return source.features.map((f) => (cats.has(f) ? "categorical" : "numeric"));
}

/** The columns a shard of `source` reads. */
export function sourceColumns(source: TreeSource): string[] {
  return [
    ...new Set([
      ...source.features,
      source.label,
      ...(source.weight ? [source.weight] : []),
      ...(source.rowId ? [source.rowId] : []),
    ]),
  ];
}

const READABLE = new Set(["double", "long", "int", "timestamp", "date", "bool"]);

/** Checks that `schema` has every column `source` reads, of a readable type; `SchemaError` if not. */
export function checkSource(source: TreeSource, schema: Schema): void {
  if (source.features.length === 0) throw new RangeError("Tree training needs at least one feature column");
  if (new Set(source.features).size !== source.features.length) {
    throw new RangeError(`Feature columns repeat: ${source.features.join(", ")}`);
  }
  const unknown = source.categorical.filter((c) => !source.features.includes(c));
  if (unknown.length > 0) {
    throw new RangeError(`Categorical columns must be feature columns: ${unknown.join(", ")}`);
  }
  for (const name of sourceColumns(source)) {
    const f = schema.find((x) => x.name === name);
    if (f === undefined) {
      throw new SchemaError(
        `Column "${name}" is not in the dataset (${schema.map((x) => x.name).join(", ")})`,
      );
    }
    if (!READABLE.has(f.type)) {
      throw new SchemaError(
        `Column "${name}" has type ${f.type}; tree training reads numeric or bool columns`,
      );
    }
  }
}

/** `column` of every batch as one float64 array, nulls as `NaN`. */
export function readColumn(batches: readonly Batch[], name: string): Float64Array {
  const n = batches.reduce((a, b) => a + b.length, 0);
  const out = new Float64Array(n);
  let at = 0;
  for (const b of batches) {
    const i = columnIndex(b.schema, name);
    const v = b.columns[i]!;
    if (v.type === "string") throw new SchemaError(`Column "${name}" is a string column, not a number`);
    const values = v.values, valid = v.valid;
    for (let r = 0; r < b.length; r++) out[at + r] = valid !== undefined && valid[r] === 0 ? NaN : values[r]!;
    at += b.length;
  }
  return out;
}

/** Labels of `batches`: 0 / 1 as read, anything else `NaN` (counted as bad by `describe`). */
function readLabels(batches: readonly Batch[], name: string): Float64Array {
  return readColumn(batches, name).map((y) => (y === 0 || y === 1 ? y : NaN));
}

/**
 * The binned shard of one partition: its batches read through `source` and binned with the
 * global `binnings`; row ids are the `rowId` column or `firstRowId + position`.
 */
export function shardFromBatches(
  batches: readonly Batch[],
  source: TreeSource,
  context: { binnings: readonly FeatureBinning[]; firstRowId: number },
): ShardData {
  if (context.binnings.length !== source.features.length) {
    throw new MalformedMessageError(
      `Got ${context.binnings.length} binnings for ${source.features.length} feature columns`,
    );
  }
  const weights = source.weight === undefined ? undefined : readColumn(batches, source.weight);
  if (weights?.some((w) => !(w >= 0 && Number.isFinite(w)))) {
    throw new SchemaError(`Weight column "${source.weight}" must hold finite non-negative numbers`);
  }
  return createShardData(context.binnings, {
    columns: source.features.map((f) => readColumn(batches, f)),
    labels: readLabels(batches, source.label),
    ...(weights ? { weights } : {}),
    ...(source.rowId ? { rowIds: readColumn(batches, source.rowId) } : { firstRowId: context.firstRowId }),
  });
}

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === "string" && s.length > 0)) {
    throw new MalformedMessageError(`Malformed ${what}: expected an array of column names`);
  }
  return value;
}

function optionalName(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    throw new MalformedMessageError(`Malformed ${what}: expected a column name`);
  }
  return value;
}

/** A JSON copy of `source` for job arguments. */
export function encodeSource(source: TreeSource): Record<string, string | string[]> {
  return {
    kind: source.kind,
    features: [...source.features],
    categorical: [...source.categorical],
    label: source.label,
    ...(source.weight ? { weight: source.weight } : {}),
    ...(source.rowId ? { rowId: source.rowId } : {}),
  };
}

/** Decodes a {@linkcode TreeSource} from `unknown`; throws `MalformedMessageError`. */
export function decodeSource(value: unknown): TreeSource {
  const v = asRecord(value, "tree source");
  if (v.kind !== "columns") {
    throw new MalformedMessageError(`Malformed tree source: unknown kind ${String(v.kind)}`);
  }
  const label = optionalName(v.label, "tree source label");
  if (label === undefined) throw new MalformedMessageError("Malformed tree source: no label column");
  const weight = optionalName(v.weight, "tree source weight");
  const rowId = optionalName(v.rowId, "tree source rowId");
  return {
    kind: "columns",
    features: strings(v.features, "tree source features"),
    categorical: strings(v.categorical, "tree source categorical"),
    label,
    ...(weight ? { weight } : {}),
    ...(rowId ? { rowId } : {}),
  };
}
