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
 *
 * Rows a `"skip"` stage drops are absent from the output; `sourceRows` then maps output rows to
 * batch rows. Build a {@linkcode FeatureAssembler} once per spec to skip re-deriving the layout
 * for every batch.
 *
 * @module
 */
import type { Batch } from "../../../cluster/columnar/batch.ts";
import { InvalidRowError } from "../../../cluster/errors.ts";
import { type FeatureBinning, MISSING_BIN } from "../../classification/tree/binning.ts";
import type { Slot } from "../column_info.ts";
import { Frame } from "../frame.ts";
import { type FeatureLayout, featureLayout, type FeatureSpec, type LabelSpec } from "./feature_spec.ts";

/** Dense assembled features of a batch. */
export interface AssembledBlock {
  readonly rows: number;
  readonly dim: number;
  /** Row-major: row `i` is `values[i·dim … (i+1)·dim)`; NaN only where a stage keeps missing values. */
  readonly values: Float64Array;
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
  readonly rows: number;
  readonly dim: number;
  /** Row-major bin ids (0 missing). */
  readonly bins: Uint8Array;
  readonly names: readonly string[];
  /** Every feature's kind (numeric or categorical). */
  readonly slots: readonly Slot[];
  readonly binnings: readonly FeatureBinning[];
  readonly labels?: Float64Array;
  readonly weights?: Float64Array;
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
  readonly spec: FeatureSpec;
  readonly layout: FeatureLayout;

  /** Derives the layout once; throws `TypeError` when the spec's stages do not fit together. */
  constructor(spec: FeatureSpec) {
    this.spec = spec;
    this.layout = featureLayout(spec);
  }

  /** Runs stages `[0, end)` over `batch`. */
  #run(batch: Batch, end: number): Frame {
    const frame = new Frame(batch);
    for (let i = 0; i < end; i++) this.layout.stages[i]!.apply(frame, this.layout.before[i]!);
    return frame;
  }

  /** The dense features of `batch`. */
  block(batch: Batch, options: AssembleOptions = {}): AssembledBlock {
    const frame = this.#run(batch, this.layout.stages.length);
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
    const state = at === undefined ? undefined : this.layout.stages[at]!.state;
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
