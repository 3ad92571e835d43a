/**
 * The module a cluster loads for logistic regression (Frontier's own, so every cluster allows
 * it: `cluster/modules.ts`). Its exports are the per-partition
 * functions of `Dataset.aggregatePartitions` and `Dataset.mapPartitions`:
 *
 * - {@linkcode foldLogistic} (executors): reads a partition's batches through the job's
 *   {@linkcode BlockSource} and folds them with the pass the job's context names (ranges,
 *   moments or loss), returning the summary's bytes (`summary_codec.ts`);
 * - {@linkcode mergeLogistic} (driver): merges two summary byte strings of the same pass — the
 *   same bits for any pairing, so the merged summary does not depend on the partitioning;
 * - {@linkcode scoreLogistic} (executors): appends the probability and the 0/1 prediction.
 *
 * Fold arguments ({@linkcode FoldArgs}) are JSON: the source, and the pass's context as base64 of
 * its byte codec (`context_codec.ts`), so every double reaches the executors bit-exact. Scoring
 * arguments ({@linkcode ScoreArgs}) carry the coefficients the same way.
 *
 * @module
 */
import { at, fail, num, obj, only, str, where } from "../../../actors/decode.ts";
import { type Json, MalformedMessageError } from "../../../actors/errors.ts";
import type { Batch, Field } from "../../../cluster/columnar/batch.ts";
import type { InputContext, MapContext } from "../../../cluster/partition_fns.ts";
import {
  blockOfBatch,
  type BlockSource,
  blockSourceJson,
  decodeBlockSource,
  featuresOfBatch,
} from "./block_source.ts";
import { ByteReader, ByteWriter, fromBase64, toBase64 } from "./byte_codec.ts";
import { decodeContext, encodeContext, type FoldContext } from "./context_codec.ts";
import type { FeatureBlock } from "./feature_block.ts";
import { foldLoss, mergeLoss } from "./loss_pass.ts";
import { probabilitiesOf } from "./model.ts";
import { foldMoments, mergeMoments } from "./moment_pass.ts";
import { foldRanges, mergeRanges } from "./range_pass.ts";
import { decodeSummary, encodeSummary, type FoldSummary } from "./summary_codec.ts";

/** This module's URL: what jobs name and what the cluster's allowlist must hold. */
export const LOGISTIC_MODULE: string = import.meta.url;

/** The arguments of one fold job. */
export interface FoldArgs {
  readonly source: BlockSource;
  readonly context: FoldContext;
}

/** The arguments of the scoring map. */
export interface ScoreArgs {
  readonly source: BlockSource;
  /** Coefficients on the original scale, one per source feature. */
  readonly coefficients: Float64Array;
  readonly intercept: number;
  /** Rows with probability ≥ threshold are predicted 1. */
  readonly threshold: number;
  readonly probabilityCol: string;
  readonly predictionCol: string;
}

/** {@linkcode FoldArgs} as job-argument JSON. */
export function foldArgsJson(args: FoldArgs): Json {
  return { source: blockSourceJson(args.source), context: toBase64(encodeContext(args.context)) };
}

/** Decodes {@linkcode FoldArgs}; throws `MalformedMessageError`. */
export function decodeFoldArgs(u: unknown): FoldArgs {
  const o = obj(u, where("logistic-regression fold arguments"));
  only(o, ["source", "context"]);
  const bytes = fromBase64(str(o, "context"), (what) => fail(at(o, "context"), what));
  return { source: decodeBlockSource(o.source), context: decodeContext(bytes) };
}

/** {@linkcode ScoreArgs} as job-argument JSON. */
export function scoreArgsJson(args: ScoreArgs): Json {
  const w = new ByteWriter();
  w.f64Array(args.coefficients);
  w.f64s([args.intercept]);
  return {
    source: blockSourceJson(args.source),
    model: toBase64(w.bytes()),
    threshold: args.threshold,
    probabilityCol: args.probabilityCol,
    predictionCol: args.predictionCol,
  };
}

/** Decodes {@linkcode ScoreArgs}; throws `MalformedMessageError`. */
export function decodeScoreArgs(u: unknown): ScoreArgs {
  const o = obj(u, where("logistic-regression score arguments"));
  only(o, ["source", "model", "threshold", "probabilityCol", "predictionCol"]);
  const bad = (what: string) => fail(at(o, "model"), what);
  const r = new ByteReader(fromBase64(str(o, "model"), bad), bad);
  const coefficients = r.f64Array(), intercept = r.f64s(1)[0]!;
  r.end();
  const source = decodeBlockSource(o.source);
  if (coefficients.length !== source.features.length || !coefficients.every(Number.isFinite)) {
    throw bad(`must hold ${source.features.length} finite coefficients`);
  }
  if (Number.isNaN(intercept)) throw bad("holds a NaN intercept");
  return {
    source,
    coefficients,
    intercept,
    threshold: num(o, "threshold"),
    probabilityCol: str(o, "probabilityCol", { min: 1 }),
    predictionCol: str(o, "predictionCol", { min: 1 }),
  };
}

function* blocks(batches: readonly Batch[], source: BlockSource): Generator<FeatureBlock> {
  for (const b of batches) yield blockOfBatch(b, source);
}

/** Folds a partition with the pass its arguments name (a `FoldFn`); returns the summary's bytes. */
export function foldLogistic(batches: readonly Batch[], ctx: InputContext): Uint8Array {
  const { source, context } = decodeFoldArgs(ctx.args);
  const input = blocks(batches, source);
  switch (context.type) {
    case "lr.ranges":
      return encodeSummary(foldRanges(input, context.context));
    case "lr.moments":
      return encodeSummary(foldMoments(input, context.context));
    case "lr.loss":
      return encodeSummary(foldLoss(input, context.context));
    default:
      context satisfies never;
      throw new MalformedMessageError("Unknown logistic-regression pass");
  }
}

/** Merges two summaries of the same pass (a `MergeFn`); returns the merged summary's bytes. */
export function mergeLogistic(a: unknown, b: unknown): Uint8Array {
  return encodeSummary(mergeFoldSummaries(decodeSummary(a), decodeSummary(b)));
}

function mergeFoldSummaries(a: FoldSummary, b: FoldSummary): FoldSummary {
  if (a.type === "lr.ranges" && b.type === "lr.ranges") return mergeRanges(a, b);
  if (a.type === "lr.moments" && b.type === "lr.moments") return mergeMoments(a, b);
  if (a.type === "lr.loss" && b.type === "lr.loss") return mergeLoss(a, b);
  throw new MalformedMessageError(`Cannot merge a ${a.type} summary with a ${b.type} summary`);
}

/** The fields {@linkcode scoreLogistic} appends. */
export function scoreFields(args: Pick<ScoreArgs, "probabilityCol" | "predictionCol">): Field[] {
  return [
    { name: args.probabilityCol, type: "double", nullable: false },
    { name: args.predictionCol, type: "double", nullable: false },
  ];
}

/** Appends the probability and the prediction to every batch (a `MapPartitionsFn`). */
export function* scoreLogistic(batches: readonly Batch[], ctx: MapContext): Generator<Batch> {
  const args = decodeScoreArgs(ctx.args);
  const model = {
    dimension: args.coefficients.length,
    coefficients: args.coefficients,
    intercept: args.intercept,
  };
  for (const batch of batches) {
    const p = probabilitiesOf(model, { features: featuresOfBatch(batch, args.source), rows: batch.length });
    const prediction = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) prediction[i] = p[i]! >= args.threshold ? 1 : 0;
    yield {
      schema: [...batch.schema, ...scoreFields(args)],
      length: batch.length,
      columns: [...batch.columns, { type: "double", values: p }, { type: "double", values: prediction }],
    };
  }
}
