/**
 * The per-partition functions of tree training and scoring, by the names jobs use, at
 * {@linkcode TREE_JOBS_MODULE}: one of Frontier's own modules (every module under `models/` is,
 * see `cluster/modules.ts`), so every cluster allows it and process executors may read it.
 *
 * - Binning passes (`cluster_binning.ts`): `countPartitionRows` / `concatFloat64`,
 *   `sampleBinningValues` / `mergeBinningValues`.
 * - Training (`shard_state.ts`): `answerTreeShards` answers a boosting (`gbt`) or forest (`rf`)
 *   request on the partition's executor-resident shard; `mergeTreeReplies` merges the replies.
 * - Scoring (`score_partition.ts`): `scoreTrees` appends probability, prediction and leaf columns.
 *
 * @module
 */
import { MalformedMessageError } from "../../actors/errors.ts";
import type { FoldFn, MergeFn } from "../../cluster/partition_fns.ts";
import { decodeGbtReplay } from "./gbt/gbt_journal.ts";
import { decodeGbtRequest } from "./gbt/gbt_protocol.ts";
import { GbtShard } from "./gbt/gbt_shard.ts";
import { decodeForestReplay } from "./random_forest/forest_journal.ts";
import { decodeForestRequest } from "./random_forest/forest_protocol.ts";
import { ForestShard } from "./random_forest/forest_shard.ts";
import { mergeEncodedReplies } from "./tree/protocol.ts";
import { answerShardRequest, type ShardKind } from "./tree/shard_state.ts";

export { TREE_JOBS_MODULE } from "./tree_jobs_url.ts";
export {
  concatFloat64,
  countPartitionRows,
  mergeBinningValues,
  sampleBinningValues,
} from "./tree/cluster_binning.ts";
export { scoreTrees } from "./tree/score_partition.ts";

/** The shard kinds training sessions name: boosting (`gbt`) and forests (`rf`). */
export const TREE_KINDS: Readonly<Record<string, ShardKind>> = {
  gbt: {
    restore(data, replay) {
      const shard = new GbtShard(data);
      shard.replay(decodeGbtReplay(replay));
      return {
        answer: (request, options) => shard.handle(decodeGbtRequest(request), options),
        get bytes() {
          return shard.bytes;
        },
      };
    },
  },
  rf: {
    restore(data, replay) {
      const shard = new ForestShard(data);
      shard.replay(decodeForestReplay(replay));
      return {
        answer: (request, options) => shard.handle(decodeForestRequest(request), options),
        get bytes() {
          return shard.bytes;
        },
      };
    },
  },
};

/** Fold: answers a training request on this partition's executor-resident shard (encoded reply). */
export const answerTreeShards: FoldFn = (batches, ctx) => answerShardRequest(batches, ctx, TREE_KINDS);

/** Merge: two encoded shard replies, summed exactly. */
export const mergeTreeReplies: MergeFn = (a, b) => {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) {
    throw new MalformedMessageError("mergeTreeReplies merges encoded shard replies");
  }
  return mergeEncodedReplies(a, b);
};
