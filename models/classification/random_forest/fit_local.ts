/**
 * Random forests on in-memory columns, in one process: bins the training columns exactly, cuts
 * them into shards and runs the same driver and shard code a cluster runs.
 *
 * @module
 */
import type { FeatureBinning } from "../tree/binning.ts";
import { fitBinnings, type LocalData, shardLocalData } from "../tree/local_data.ts";
import { localShardGroup } from "../tree/shard_group.ts";
import type { FeatureKind } from "../tree/split.ts";
import { type ForestTraining, trainForest } from "./forest.ts";
import { decodeForestRequest } from "./forest_protocol.ts";
import { ForestShard } from "./forest_shard.ts";
import { type ForestParams, resolveForestParams } from "./params.ts";

/** Options of {@linkcode fitForestLocal}. */
export interface FitForestLocalOptions {
  readonly params?: ForestParams;
  /** Per feature; default numeric. */
  readonly kinds?: readonly FeatureKind[];
  readonly featureNames?: readonly string[];
  /** Binnings to use instead of fitting them on the training columns. */
  readonly binnings?: readonly FeatureBinning[];
  /** Shards the training rows are cut into. @default {1} */
  readonly shards?: number;
  /** Round-trip every message through its wire format. @default {false} */
  readonly wire?: boolean;
  readonly signal?: AbortSignal;
}

/** Trains a random forest on `train`. */
export function fitForestLocal(
  train: LocalData,
  options: FitForestLocalOptions = {},
): Promise<ForestTraining> {
  const params = resolveForestParams(options.params);
  const binnings = options.binnings ??
    fitBinnings(train.columns, {
      maxBins: params.maxBins,
      ...(options.kinds ? { kinds: options.kinds } : {}),
    });
  const shards = localShardGroup(
    shardLocalData(binnings, train, options.shards ?? 1).map((d) => new ForestShard(d)),
    options.wire ? { wire: decodeForestRequest } : {},
  );
  return trainForest({
    shards,
    binnings,
    params,
    ...(options.featureNames ? { featureNames: options.featureNames } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
