/**
 * The executor-side entry points: a fitted {@linkcode FeatureSpec} applied to one batch, with no
 * cluster and no engine expressions — plain loops over typed arrays, the per-row semantics of
 * every stage (`models/features/stages/`).
 *
 * - {@linkcode assembleBlock}: the features as a dense row-major `Float64Array` (what logistic
 *   regression folds read), with labels and weights when the batch has those columns.
 * - {@linkcode assembleBinned}: for a spec that ends in a feature binner, the tree bin ids as a
 *   row-major `Uint8Array` (what the histogram kernels read), computed from the binner's input
 *   without going through doubles.
 * - {@linkcode transformBatch}: the batch with every stage's output columns, exactly as
 *   `PipelineModel.transform` lays them out on the cluster (what a scorer or a per-partition job
 *   emits); missing numbers come out as null.
 *
 * Rows a `"skip"` stage drops are absent from the output; `sourceRows` then maps output rows to
 * batch rows. Build a {@linkcode FeatureAssembler} once per spec to skip re-deriving the layout
 * for every batch.
 *
 * @module
 */
import type { Batch, Field, Vec } from "../../../cluster/columnar/batch.ts";
import { takeVec } from "../../../cluster/columnar/batch_ops.ts";
import { InvalidRowError } from "../../../cluster/errors.ts";
import { type FeatureBinning, MISSING_BIN } from "../../classification/tree/binning.ts";
import { type Slot, slotColumn } from "../column_info.ts";
import { Frame } from "../frame.ts";
import {
  type CompiledLayout,
  compileLayout,
  type FeatureLayout,
  featureLayout,
  type FeatureSpec,
  type LabelSpec,
} from "./feature_spec.ts";

/** Dense assembled features of a batch. */
export interface AssembledBlock {
  /** Rows assembled (fewer than the batch when a stage skipped rows). */
  readonly rows: number;
  /** Features per row. */
  readonly dim: number;
  /** Row-major: row `i` is `values[i·dim … (i+1)·dim)`; NaN only where a stage keeps missing values. */
  readonly values: Float64Array;
  /** Feature names in model order. */
  readonly names: readonly string[];
  /** 0/1 per row, when the spec has a label and the batch its column. */
  readonly labels?: Float64Array;
  /** Per row, when the spec has a weight column and the batch has it. */
  readonly weights?: Float64Array;
  /** The batch row of every output row, when a stage skipped rows. */
  readonly sourceRows?: Uint32Array;
}

/** Binned assembled features of a batch. */
export interface AssembledBins {
  /** Rows assembled (fewer than the batch when a stage skipped rows). */
  readonly rows: number;
  /** Features per row. */
  readonly dim: number;
  /** Row-major bin ids (0 missing). */
  readonly bins: Uint8Array;
  /** Feature names in model order. */
  readonly names: readonly string[];
  /** Every feature's kind (numeric or categorical). */
  readonly slots: readonly Slot[];
  /** The bins of every feature, as the tree kernels read them. */
  readonly binnings: readonly FeatureBinning[];
  /** The 0/1 label of every row, when the spec has a label and the batch its column. */
  readonly labels?: Float64Array;
  /** Every row's weight, when the spec has a weight column and the batch has it. */
  readonly weights?: Float64Array;
  /** The batch row of every output row, when a stage skipped rows. */
  readonly sourceRows?: Uint32Array;
}

/** Options of the assemble functions. */
export interface AssembleOptions {
  /**
   * Label and weight columns: `"auto"` reads them when the batch has them, `"require"` fails
   * without them, `"ignore"` never reads them. @default {"auto"}
   */
  readonly labels?: "auto" | "require" | "ignore";
}

/** A spec prepared for assembling many batches. */
export class FeatureAssembler {
  /** The spec being applied. */
  readonly spec: FeatureSpec;
  /** Its derived layout. */
  readonly layout: FeatureLayout;
  readonly #compiled: CompiledLayout;

  /** Derives the layout once; throws `TypeError` when the spec's stages do not fit together. */
  constructor(spec: FeatureSpec) {
    this.spec = spec;
    this.#compiled = compileLayout(spec);
    this.layout = featureLayout(spec);
  }

  /** Runs stages `[0, end)` over `batch`. */
  #run(batch: Batch, end: number): Frame {
    const frame = new Frame(batch);
    for (let i = 0; i < end; i++) this.#compiled.stages[i]!.apply(frame, this.#compiled.before[i]!);
    return frame;
  }

  /** The dense features of `batch`. */
  block(batch: Batch, options: AssembleOptions = {}): AssembledBlock {
    const frame = this.#run(batch, this.#compiled.stages.length);
    const { dim, names } = this.layout;
    const src = frame.vector(this.spec.features, dim);
    return {
      rows: frame.length,
      dim,
      values: src,
      names,
      ...this.#extras(frame, options),
    };
  }

  /** The tree bin ids of `batch`; `TypeError` unless the spec's features come from a feature binner. */
  binned(batch: Batch, options: AssembleOptions = {}): AssembledBins {
    const at = this.layout.binner;
    const state = at === undefined ? undefined : this.#compiled.stages[at]!.state;
    if (at === undefined || state?.kind !== "feature_binner") {
      throw new TypeError(
        `The features "${this.spec.features}" are not binned: end the pipeline with a FeatureBinner`,
      );
    }
    const frame = this.#run(batch, at);
    const { dim, names, slots } = this.layout;
    const bins = binRowMajor(frame.vector(state.input, dim), frame.length, state.binnings);
    return {
      rows: frame.length,
      dim,
      bins,
      names,
      slots,
      binnings: state.binnings,
      ...this.#extras(frame, options),
    };
  }

  /**
   * `batch` with every stage's outputs: input columns first (an output of the same name replaces
   * one in place), then new columns in stage order, vectors as their slot columns; category
   * indices, numbers and vector slots as doubles (null where missing), filled text as text.
   */
  transform(batch: Batch): Batch {
    const frame = this.#run(batch, this.#compiled.stages.length);
    const rows = frame.sourceRows;
    const fields: Field[] = batch.schema.map((f) => ({ ...f }));
    const columns: Vec[] = batch.columns.map((v) => rows === undefined ? v : takeVec(v, rows));
    const put = (field: Field, vec: Vec) => {
      const at = fields.findIndex((f) => f.name === field.name);
      if (at < 0) {
        fields.push(field);
        columns.push(vec);
      } else {
        fields[at] = field;
        columns[at] = vec;
      }
    };
    this.#compiled.stages.forEach((stage, i) => {
      for (const [name, info] of stage.outputs(this.#compiled.before[i]!)) {
        const c = frame.column(name);
        if (c.kind === "string") {
          const valid = Uint8Array.from(c.values, (v) => v === undefined ? 0 : 1);
          put({ name, type: "string", nullable: true }, {
            type: "string",
            values: c.values.map((v) => v ?? ""),
            valid,
          });
        } else if (c.kind === "number") put({ name, type: "double", nullable: true }, doubles(c.values));
        else if (info.kind === "vector") {
          info.slots.forEach((slot, k) => {
            const values = new Float64Array(frame.length);
            for (let r = 0; r < values.length; r++) values[r] = c.values[r * c.width + k]!;
            put({ name: slotColumn(name, slot.name), type: "double", nullable: true }, doubles(values));
          });
        }
      }
    });
    return { schema: fields, length: frame.length, columns };
  }

  #extras(frame: Frame, options: AssembleOptions) {
    const mode = options.labels ?? "auto";
    const out: { labels?: Float64Array; weights?: Float64Array; sourceRows?: Uint32Array } = {};
    if (frame.sourceRows !== undefined) out.sourceRows = frame.sourceRows;
    if (mode === "ignore") return out;
    const { label, weight } = this.spec;
    if (mode === "require" && (label === undefined || !frame.has(label.column))) {
      throw new TypeError(
        `The batch has no label column ${
          label === undefined ? "(the spec names none)" : `"${label.column}"`
        }`,
      );
    }
    if (label !== undefined && frame.has(label.column)) out.labels = readLabels(frame, label);
    if (weight !== undefined && frame.has(weight)) out.weights = readWeights(frame, weight);
    else if (mode === "require" && weight !== undefined) {
      throw new TypeError(`The batch has no weight column "${weight}"`);
    }
    return out;
  }
}

/** `batch` with the outputs of every stage of `spec` (see {@linkcode FeatureAssembler.transform}). */
export function transformBatch(batch: Batch, spec: FeatureSpec): Batch {
  return new FeatureAssembler(spec).transform(batch);
}

/** A double vector of `values`, null where NaN. */
function doubles(values: Float64Array): Vec {
  let valid: Uint8Array | undefined;
  for (let r = 0; r < values.length; r++) {
    if (values[r] !== values[r]) (valid ??= new Uint8Array(values.length).fill(1))[r] = 0;
  }
  return { type: "double", values, valid };
}

/** The dense features of `batch` under `spec` (see {@linkcode FeatureAssembler} to reuse a spec). */
export function assembleBlock(batch: Batch, spec: FeatureSpec, options?: AssembleOptions): AssembledBlock {
  return new FeatureAssembler(spec).block(batch, options);
}

/** The tree bin ids of `batch` under `spec`, which must end in a feature binner. */
export function assembleBinned(batch: Batch, spec: FeatureSpec, options?: AssembleOptions): AssembledBins {
  return new FeatureAssembler(spec).binned(batch, options);
}

function rowOf(frame: Frame, r: number): number {
  return frame.sourceRows === undefined ? r : frame.sourceRows[r]!;
}

function readLabels(frame: Frame, label: LabelSpec): Float64Array {
  const n = frame.length, out = new Float64Array(n);
  const values: ArrayLike<string | number | undefined> = typeof label.positive === "string"
    ? frame.string(label.column)
    : frame.number(label.column);
  for (let r = 0; r < n; r++) {
    const v = values[r];
    if (v === label.positive) out[r] = 1;
    else if (
      v !== undefined && !(typeof v === "number" && Number.isNaN(v)) &&
      (label.negative === undefined || v === label.negative)
    ) out[r] = 0;
    else {
      throw new InvalidRowError(
        `Label column "${label.column}" holds ${
          v === undefined || Number.isNaN(v) ? "null" : JSON.stringify(v)
        } in row ${rowOf(frame, r)}: expected ${JSON.stringify(label.positive)} (1)${
          label.negative === undefined
            ? " or another non-null value (0)"
            : ` or ${JSON.stringify(label.negative)} (0)`
        }`,
        { data: { column: label.column, row: rowOf(frame, r) } },
      );
    }
  }
  return out;
}

function readWeights(frame: Frame, column: string): Float64Array {
  const w = frame.number(column);
  for (let r = 0; r < w.length; r++) {
    const x = w[r]!;
    if (!(x >= 0 && x < Infinity)) {
      throw new InvalidRowError(
        `Weight column "${column}" holds ${x} in row ${rowOf(frame, r)}: weights must be finite and ≥ 0`,
        { data: { column, row: rowOf(frame, r) } },
      );
    }
  }
  return w;
}

/** Bins a row-major `values` matrix of `rows × binnings.length` (NaN missing). */
function binRowMajor(values: Float64Array, rows: number, binnings: readonly FeatureBinning[]): Uint8Array {
  const w = binnings.length, out = new Uint8Array(rows * w);
  binnings.forEach((b, f) => {
    if (b.kind === "categorical") {
      const bin = new Map(b.categories.map((c, i) => [c, i + 1]));
      for (let r = 0; r < rows; r++) out[r * w + f] = bin.get(values[r * w + f]!) ?? MISSING_BIN;
      return;
    }
    const bounds = Float64Array.from(b.upperBounds), nb = bounds.length;
    for (let r = 0; r < rows; r++) {
      const x = values[r * w + f]!;
      if (x !== x) continue;
      let lo = 0, hi = nb;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (bounds[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      out[r * w + f] = 1 + lo;
    }
  });
  return out;
}
