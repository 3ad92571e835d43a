/**
 * Boosting on in-memory columns, in one process: bins the training columns exactly, cuts them
 * into shards and runs the same driver and shard code a cluster runs.
 *
 * @example
 * ```ts ignore
 * const { model } = await fitGbtLocal({ columns, labels }, { params: { numRounds: 50 } });
 * const p = model.probability([0.3, 1.2]);
 * ```
 *
 * @module
 */
import type { FeatureBinning } from "../tree/binning.ts";
import { fitBinnings, type LocalData, shardLocalData } from "../tree/local_data.ts";
import { localShardGroup } from "../tree/shard_group.ts";
import type { FeatureKind } from "../tree/split.ts";
import { type GbtRoundInfo, type GbtTraining, trainGbt } from "./booster.ts";
import { decodeGbtRequest } from "./gbt_protocol.ts";
import { GbtShard } from "./gbt_shard.ts";
import { type GbtParams, resolveGbtParams } from "./params.ts";

/** Options of {@linkcode fitGbtLocal}. */
export interface FitGbtLocalOptions {
  readonly params?: GbtParams;
  /** Per feature; default numeric. */
  readonly kinds?: readonly FeatureKind[];
  readonly featureNames?: readonly string[];
  /** Rows for early stopping and validation loss. */
  readonly validation?: LocalData;
  /** Binnings to use instead of fitting them on the training columns. */
  readonly binnings?: readonly FeatureBinning[];
  /** Shards the training rows are cut into. @default {1} */
  readonly shards?: number;
  /** Round-trip every message through its wire format. @default {false} */
  readonly wire?: boolean;
  readonly onRound?: (info: GbtRoundInfo) => void;
  readonly signal?: AbortSignal;
}

/** Trains boosted trees on `train`. */
export function fitGbtLocal(train: LocalData, options: FitGbtLocalOptions = {}): Promise<GbtTraining> {
  const params = resolveGbtParams(options.params);
  const binnings = options.binnings ??
    fitBinnings(train.columns, {
      maxBins: params.maxBins,
      ...(options.kinds ? { kinds: options.kinds } : {}),
    });
  const group = (data: LocalData, shards: number) =>
    localShardGroup(
      shardLocalData(binnings, data, shards).map((d) => new GbtShard(d)),
      options.wire ? { wire: decodeGbtRequest } : {},
    );
  return trainGbt({
    train: group(train, options.shards ?? 1),
    ...(options.validation ? { validation: group(options.validation, 1) } : {}),
    binnings,
    params,
    ...(options.featureNames ? { featureNames: options.featureNames } : {}),
    ...(options.onRound ? { onRound: options.onRound } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
