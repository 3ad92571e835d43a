/**
 * What a feature column means, beyond its engine type. The engine has no vector type, so a
 * vector column `v` with slots `s_0 … s_{k-1}` is held as `k` double columns named
 * {@linkcode slotColumn}`(v, s_j)` = `v[s_j]`, in slot order. Every stage knows the meaning of its
 * inputs from the stages before it (a pipeline passes it along); a dataset on its own is read
 * with {@linkcode inferColumnInfo}.
 *
 * - `numeric`: a number (int, long, double, bool as 0/1, date as days, timestamp as ms); null and
 *   NaN are missing.
 * - `string`: text (index it before assembling it).
 * - `nominal`: a category index `0 … labels.length - 1` held as a double, with the column it came
 *   from (`source`) and the name of every index; `ordinal` indices (buckets) are ordered numbers.
 *   With `catchAll`, the last index is where a `"keep"` stage put invalid values (`__unknown`,
 *   `__invalid`): not a category of its own.
 * - `vector`: named slots, each numeric or categorical (a category index a tree can split natively).
 *
 * @module
 */
import type { Schema } from "../../cluster/columnar/batch.ts";

/** One slot of a vector: a named feature. */
export type Slot =
  | { readonly name: string; readonly kind: "numeric" }
  | { readonly name: string; readonly kind: "categorical"; readonly cardinality: number };

/** The meaning of a feature column (see the module doc). */
export type ColumnInfo =
  | { readonly kind: "numeric" }
  | { readonly kind: "string" }
  | {
    readonly kind: "nominal";
    readonly source: string;
    readonly labels: readonly string[];
    readonly ordinal: boolean;
    readonly catchAll: boolean;
  }
  | { readonly kind: "vector"; readonly slots: readonly Slot[] };

/** The meaning of every column a stage may read, by column name. */
export type ColumnInfos = ReadonlyMap<string, ColumnInfo>;

/** The engine column that holds slot `slot` of vector column `vector`. */
export function slotColumn(vector: string, slot: string): string {
  return `${vector}[${slot}]`;
}

/**
 * The meaning of every column of `schema`: numbers and strings by type, and columns named
 * `v[…]` (with no column `v`) grouped, in schema order, into a vector `v` of numeric slots.
 */
export function inferColumnInfo(schema: Schema): Map<string, ColumnInfo> {
  const out = new Map<string, ColumnInfo>();
  const names = new Set(schema.map((f) => f.name));
  const vectors = new Map<string, Slot[]>();
  for (const f of schema) {
    out.set(f.name, f.type === "string" ? { kind: "string" } : { kind: "numeric" });
    const open = f.name.indexOf("[");
    if (open > 0 && f.name.endsWith("]") && f.type !== "string") {
      const vector = f.name.slice(0, open);
      if (names.has(vector)) continue;
      const slots = vectors.get(vector) ?? [];
      slots.push({ name: f.name.slice(open + 1, -1), kind: "numeric" });
      vectors.set(vector, slots);
    }
  }
  for (const [name, slots] of vectors) out.set(name, { kind: "vector", slots });
  return out;
}

/** The info of `column`, or a `TypeError` naming the stage and the column. */
export function infoOf(infos: ColumnInfos, column: string, stage: string): ColumnInfo {
  const info = infos.get(column);
  if (info === undefined) {
    throw new TypeError(
      `${stage} reads column "${column}", which the input does not have (it has ${
        [...infos.keys()].map((k) => `"${k}"`).join(", ")
      })`,
    );
  }
  return info;
}

/** The slots `column` contributes to an assembled vector (a scalar column is one slot). */
export function slotsOf(column: string, info: ColumnInfo, stage: string): readonly Slot[] {
  switch (info.kind) {
    case "numeric":
      return [{ name: column, kind: "numeric" }];
    case "nominal":
      return info.ordinal
        ? [{ name: column, kind: "numeric" }]
        : [{ name: info.source, kind: "categorical", cardinality: info.labels.length }];
    case "vector":
      return info.slots;
    case "string":
      throw new TypeError(`${stage} cannot read string column "${column}" as a number: index it first`);
  }
}

/** The vector width of a column (1 for scalars). */
export function widthOf(info: ColumnInfo): number {
  return info.kind === "vector" ? info.slots.length : 1;
}
