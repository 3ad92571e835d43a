/**
 * Fitted stages applied to a dataset as engine expressions, fused: stages whose inputs already
 * exist share one projection, and a new projection starts only when a stage reads a column an
 * earlier pending stage writes. A bank pipeline (indexers → encoders → assembler → scaler) is four
 * projections whatever the column count, which keeps plans shallow. Rows a `"skip"` stage drops
 * are filtered before the projection that adds its outputs (its condition reads only columns that
 * exist by then), so the rows and their order match the frame form exactly.
 *
 * @module
 */
import type { Field } from "../../cluster/columnar/batch.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { col, type Column } from "../../cluster/expr/column.ts";
import { type ColumnInfo, type ColumnInfos, inferColumnInfo, slotColumn } from "./column_info.ts";
import type { BoundStage } from "./stages/kernels.ts";
import { allOf } from "./stages/stage.ts";

/** `base` with `over` laid on top. */
export function overlayInfos(base: ColumnInfos, over: ColumnInfos | undefined): Map<string, ColumnInfo> {
  const out = new Map(base);
  if (over !== undefined) { for (const [k, v] of over) out.set(k, v); }
  return out;
}

/** The infos after `stage` ran on columns described by `infos`. */
export function afterStage(infos: ColumnInfos, stage: BoundStage): Map<string, ColumnInfo> {
  const out = new Map(infos);
  for (const [name, info] of stage.outputs(infos)) out.set(name, info);
  return out;
}

/**
 * `dataset` with `stages` applied as expressions. `known` describes input columns beyond what the
 * schema says (category labels from earlier stages); it is laid over {@linkcode inferColumnInfo}.
 */
export function transformWithExpressions(
  dataset: Dataset,
  stages: readonly BoundStage[],
  known?: ColumnInfos,
): Dataset {
  let ds = dataset;
  let infos = overlayInfos(inferColumnInfo(ds.schema), known);
  let pending: (readonly [string, Column])[] = [];
  let keeps: Column[] = [];
  const flush = () => {
    if (keeps.length > 0) ds = ds.filter(allOf(keeps));
    if (pending.length > 0) ds = project(ds, pending);
    pending = [];
    keeps = [];
  };
  for (const stage of stages) {
    const written = new Set(pending.map(([n]) => n));
    const reads = stage.inputs.flatMap((input) => {
      const info = infos.get(input);
      return info?.kind === "vector" ? [input, ...info.slots.map((s) => slotColumn(input, s.name))] : [input];
    });
    if (reads.some((r) => written.has(r))) flush();
    const compiled = stage.compile({ infos, schema: ds.schema });
    if (compiled.columns.some(([n]) => written.has(n))) flush();
    pending.push(...compiled.columns);
    if (compiled.keep !== undefined) keeps.push(compiled.keep);
    infos = afterStage(infos, stage);
  }
  flush();
  return ds;
}

/** `ds` with `columns` added, or replacing same-named columns in place, in one projection. */
function project(ds: Dataset, columns: readonly (readonly [string, Column])[]): Dataset {
  const byName = new Map(columns);
  const kept = ds.schema.map((f: Field) => {
    const c = byName.get(f.name);
    byName.delete(f.name);
    return c === undefined ? col(f.name) : c.alias(f.name);
  });
  const added = [...byName].map(([name, c]) => c.alias(name));
  return ds.select(...kept, ...added);
}
