/**
 * The cluster seam: evaluation as a per-partition fold, a merge and a driver-side finish, in the
 * shape of a generic `aggregatePartitions(module, fold, merge)` operator.
 *
 * - {@linkcode foldEvaluationPartition} (on an executor) reads the label, score and optional
 *   weight columns of one partition's batches and returns its summary as bytes;
 *   {@linkcode foldEvaluation} is the same as a `FoldFn`, the export `aggregatePartitions` names;
 * - {@linkcode mergeEvaluationPartials} merges two such byte strings (any order, any tree shape:
 *   the result is the same bytes);
 * - {@linkcode finishEvaluation} (on the driver) decodes the merged bytes into every metric.
 *
 * Arguments travel as JSON ({@linkcode EvaluationArgs}) and are decoded from `unknown`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchFromRows } from "../../cluster/columnar/batch_ops.ts";
 * import { finishEvaluation, foldEvaluationPartition, mergeEvaluationPartials } from "./partition_fold.ts";
 * const schema = [
 *   { name: "y", type: "int", nullable: false },
 *   { name: "p", type: "double", nullable: false },
 * ] as const;
 * const args = { label: "y", score: "p" };
 * const a = foldEvaluationPartition([batchFromRows(schema, [{ y: 1, p: 0.9 }, { y: 0, p: 0.2 }])], args);
 * const b = foldEvaluationPartition([batchFromRows(schema, [{ y: 0, p: 0.7 }, { y: 1, p: 0.6 }])], args);
 * assert.equal(finishEvaluation(mergeEvaluationPartials(a, b)).rocAuc, 0.75);
 * ```
 *
 * @module
 */
import { MalformedMessageError } from "../../actors/errors.ts";
import { SchemaError } from "../../cluster/errors.ts";
import type { Batch, Vec } from "../../cluster/columnar/batch.ts";
import type { InputContext } from "../../cluster/partition_fns.ts";
import { columnIndex } from "../../cluster/columnar/batch_ops.ts";
import { type BinaryMetrics, binaryMetrics, type BinaryMetricsOptions } from "./binary_metrics.ts";
import { mergeSummaries, summarizeScores } from "./score_summary.ts";
import { decodeSummary, encodeSummary } from "./summary_codec.ts";

/** The fold's JSON arguments: which columns to read, and the summary settings. */
export interface EvaluationArgs {
  /** Label column: bool, or numeric holding 0 / 1. */
  readonly label: string;
  /** Score column (numeric), e.g. the positive-class probability. */
  readonly score: string;
  /** Instance-weight column (numeric, ≥ 0). */
  readonly weight?: string | undefined;
  /** Binned mode: number of bins (see `score_summary.ts`). */
  readonly bins?: number | undefined;
  /** Binned mode: score range. */
  readonly range?: readonly [number, number] | undefined;
  /** Log-loss clipping epsilon. */
  readonly eps?: number | undefined;
}

function malformed(why: string): MalformedMessageError {
  return new MalformedMessageError(`Malformed evaluation arguments: ${why}`);
}

/** Decodes {@linkcode EvaluationArgs} from `unknown` (e.g. parsed JSON). */
export function decodeEvaluationArgs(input: unknown): EvaluationArgs {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw malformed("expected an object");
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!["label", "score", "weight", "bins", "range", "eps"].includes(key)) {
      throw malformed(`unknown "${key}"`);
    }
  }
  const text = (key: string, optional: boolean): string | undefined => {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== "string" || v === "") throw malformed(`"${key}" must be a column name`);
    return v;
  };
  const num = (key: string): number | undefined => {
    const v = o[key];
    if (v !== undefined && typeof v !== "number") throw malformed(`"${key}" must be a number`);
    return v;
  };
  const range = o["range"];
  if (
    range !== undefined &&
    !(Array.isArray(range) && range.length === 2 && range.every((x) => typeof x === "number"))
  ) {
    throw malformed(`"range" must be [min, max]`);
  }
  return {
    label: text("label", false)!,
    score: text("score", false)!,
    weight: text("weight", true),
    bins: num("bins"),
    range: range as [number, number] | undefined,
    eps: num("eps"),
  };
}

/** Copies column `name` of every batch into one Float64Array, refusing nulls and strings. */
function gather(batches: readonly Batch[], name: string, role: string): Float64Array {
  const total = batches.reduce((n, b) => n + b.length, 0);
  const out = new Float64Array(total);
  let at = 0;
  for (const batch of batches) {
    const v: Vec = batch.columns[columnIndex(batch.schema, name)]!;
    if (v.type === "string") {
      throw new SchemaError(`The ${role} column "${name}" must be numeric or bool, got string`, {
        data: { column: name, role },
      });
    }
    for (let i = 0; i < batch.length; i++) {
      if (v.valid !== undefined && v.valid[i] === 0) {
        throw new RangeError(`The ${role} column "${name}" is null at row ${at}; drop or fill nulls first`);
      }
      out[at++] = v.values[i]!;
    }
  }
  return out;
}

/** Folds one partition's batches into the bytes of its summary (see the module documentation). */
export function foldEvaluationPartition(batches: Iterable<Batch>, args: unknown): Uint8Array {
  const a = decodeEvaluationArgs(args);
  const list = [...batches];
  const summary = summarizeScores({
    labels: gather(list, a.label, "label"),
    scores: gather(list, a.score, "score"),
    weights: a.weight === undefined ? undefined : gather(list, a.weight, "weight"),
  }, { bins: a.bins, range: a.range, eps: a.eps });
  return encodeSummary(summary);
}

/** {@linkcode foldEvaluationPartition} as a `FoldFn`: the arguments are the job's `args`. */
export function foldEvaluation(batches: readonly Batch[], ctx: InputContext): Uint8Array {
  return foldEvaluationPartition(batches, ctx.args);
}

/** Merges two partial summaries (bytes from the fold or from this merge). */
export function mergeEvaluationPartials(a: unknown, b: unknown): Uint8Array {
  return encodeSummary(mergeSummaries(decodeSummary(a), decodeSummary(b)));
}

/** The driver's finish: every metric of the merged summary bytes. */
export function finishEvaluation(merged: unknown, options: BinaryMetricsOptions = {}): BinaryMetrics {
  return binaryMetrics(decodeSummary(merged), options);
}
