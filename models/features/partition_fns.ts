/**
 * The feature pipeline as per-partition code: executors run a fitted spec over their own
 * partitions with exactly the code `assembleBlock` and scoring run (`transformBatch`), so a
 * transform this way has no vocabulary limit and `"error"` fails the job with `InvalidRowError`.
 * `PipelineModel.transform` uses it by default. Every cluster allows modules under `models/`.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { Batch } from "../../cluster/columnar/batch.ts";
import type { MapPartitionsFn } from "../../cluster/partition_fns.ts";
import { isRecord } from "../persistence/json_fields.ts";
import { FeatureAssembler } from "./spec/assemble.ts";
import type { FeatureSpec } from "./spec/feature_spec.ts";
import { decodeFeatureSpec, encodeFeatureSpec } from "./spec/spec_codec.ts";

/** This module's URL, as `mapPartitions` names it. */
export const FEATURE_FNS_MODULE: string = import.meta.url;

/** The arguments of {@linkcode transformPartition}: the spec as JSON. */
export function transformArgs(spec: FeatureSpec): Json {
  return { spec: encodeFeatureSpec(spec) };
}

/** `mapPartitions` export: every batch through `transformBatch` with the spec in `args.spec`. */
export const transformPartition: MapPartitionsFn = function* (batches, ctx): Iterable<Batch> {
  const args = ctx.args;
  if (!isRecord(args)) throw new TypeError("transformPartition needs { spec }");
  const assembler = new FeatureAssembler(decodeFeatureSpec(args["spec"], "transformPartition args.spec"));
  for (const batch of batches) yield assembler.transform(batch);
};
