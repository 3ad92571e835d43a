/**
 * The encodings Frontier's quality child fits on each split's training rows, over cluster datasets:
 *
 * - {@linkcode fitOneHot} (logistic regression): every category seen in training becomes a 0/1
 *   column (an unseen value is all zeros); numbers as they are — the solver standardizes internally.
 * - {@linkcode fitTreeCodes} (forests, boosted trees): categories as codes in training-frequency
 *   order (unseen: missing), split natively as categorical features; the rows collected as columns
 *   for the local-fit APIs.
 *
 * Category counts come from one aggregation per column on the cluster; no row leaves the executors
 * for logistic regression.
 *
 * @module
 */
import type { Scalar } from "../../../cluster/columnar/batch.ts";
import type { CsvSchema } from "../../../cluster/io/csv/schema.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { col, count } from "../../../cluster/expr/column.ts";
import type { LocalData } from "../../../models/classification/tree/local_data.ts";
import type { FeatureKind } from "../../../models/classification/tree/split.ts";
import type { PreparedManifest } from "./bank_data.ts";

/** The explicit schema of a prepared CSV (see `bank_data.ts`). */
export function preparedSchema(m: PreparedManifest): CsvSchema {
  const numeric = new Set(m.numeric), splits = new Set(m.splits.map((s) => s.column));
  const header = ["row", ...[...m.numeric, ...m.categorical], m.label, ...splits];
  // The file keeps the source's column order: rebuild it from the manifest's lists by reading the header.
  const order = Deno.readTextFileSync(m.path).slice(0, 4096).split("\n")[0]!.split(",");
  if (order.length !== header.length || !header.every((h) => order.includes(h))) {
    throw new RangeError(`${m.path}: header ${order.join(",")} does not match its manifest`);
  }
  return {
    fields: order.map((name) => ({
      name,
      type: name === "row" ? "int" as const : numeric.has(name) ? "double" as const : "string" as const,
      nullable: false,
    })),
  };
}

/** Categories of `column` among `rows`, most frequent first (ties by value), as a StringIndexer orders them. */
async function categories(rows: Dataset, column: string): Promise<string[]> {
  const counts = await rows.groupBy(column).agg(count().alias("n")).collect();
  return counts
    .map((r) => ({ value: String(r[column]), n: Number(r["n"]) }))
    .sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .map((c) => c.value);
}

/** A fitted one-hot encoding. */
export interface OneHotEncoding {
  featureCols: string[];
  apply(ds: Dataset): Dataset;
}

/** One-hot of the categorical columns (fitted on `train`) plus the numeric ones, in manifest order. */
export async function fitOneHot(train: Dataset, m: PreparedManifest): Promise<OneHotEncoding> {
  const slots: { name: string; column: string; value: string }[] = [];
  for (const c of m.categorical) {
    for (const value of await categories(train, c)) slots.push({ name: `${c}=${value}`, column: c, value });
  }
  return {
    featureCols: [...m.numeric, ...slots.map((s) => s.name)],
    apply: (ds) => slots.reduce((d, s) => d.withColumn(s.name, col(s.column).eq(s.value)), ds),
  };
}

/** Columns of collected rows with labels (the local-fit APIs' input). */
export type CollectedRows = LocalData & { readonly columns: Float64Array[]; readonly labels: Uint8Array };

/** A fitted category coding for trees. */
export interface TreeCodes {
  names: string[];
  kinds: FeatureKind[];
  /** The rows of `ds` as feature columns and labels, in row order. */
  collect(ds: Dataset): Promise<CollectedRows>;
  /** Rows of `a` then `b`. */
  concat(a: CollectedRows, b: CollectedRows): CollectedRows;
}

/** Codes of the categorical columns in training-frequency order; unseen values are missing (NaN). */
export async function fitTreeCodes(train: Dataset, m: PreparedManifest): Promise<TreeCodes> {
  const codes = new Map<string, Map<string, number>>();
  for (const c of m.categorical) codes.set(c, new Map((await categories(train, c)).map((v, i) => [v, i])));
  const names = [...m.numeric, ...m.categorical];
  const value = (name: string, v: Scalar): number => {
    const map = codes.get(name);
    return map === undefined ? Number(v) : map.get(String(v)) ?? NaN;
  };
  return {
    names,
    kinds: names.map((n) => (codes.has(n) ? "categorical" : "numeric")),
    async collect(ds) {
      const rows = (await ds.select("row", "label", ...names).collect()).sort((a, b) =>
        Number(a["row"]) - Number(b["row"])
      );
      return {
        columns: names.map((n) => Float64Array.from(rows, (r) => value(n, r[n]!))),
        labels: Uint8Array.from(rows, (r) => (r["label"] ? 1 : 0)),
        rowIds: Float64Array.from(rows, (r) => Number(r["row"])),
      };
    },
    concat(a, b) {
      const join = (x: ArrayLike<number>, y: ArrayLike<number>) => {
        const out = new Float64Array(x.length + y.length);
        out.set(Array.from(x));
        out.set(Array.from(y), x.length);
        return out;
      };
      const labels = new Uint8Array(a.labels.length + b.labels.length);
      labels.set(a.labels);
      labels.set(b.labels, a.labels.length);
      return {
        columns: a.columns.map((c, i) => join(c, b.columns[i]!)),
        labels,
        rowIds: join(a.rowIds ?? [], b.rowIds ?? []),
      };
    },
  };
}

/** `column` of `ds` (one number per row) ordered by the `row` column. */
export async function scoresByRow(ds: Dataset, column: string): Promise<Float64Array> {
  const rows = await ds.select("row", column).collect();
  rows.sort((a, b) => Number(a["row"]) - Number(b["row"]));
  return Float64Array.from(rows, (r) => Number(r[column]));
}
