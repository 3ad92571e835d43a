/**
 * Random forests on a cluster: the training columns of a {@linkcode Dataset} are cached and
 * binned on the executors, every partition becomes a shard kept in its executor's state (binned
 * rows, and the bootstrap counts and row partitions of the group of trees being grown), and the
 * same driver as in one process (`forest.ts`) grows each group level by level — one
 * `aggregatePartitions` job per level carries the split orders and smaller-child histograms of
 * every open node of the group. Sums are exact and every draw is keyed by `(seed, tree, row id)`,
 * so the forest is byte-identical for any partitioning, executor count, deployment mode, and
 * after executor failures (shards are rebuilt from lineage and the group's split orders).
 *
 * With `checkpoint`, the trees so far are saved every `every` groups; with `checkpoint.resume`,
 * a restarted training continues at the next tree.
 *
 * @example
 * ```ts ignore
 * const { model } = await fitForestCluster(train, {
 *   features: ["age", "balance"],
 *   label: "y",
 *   params: { numTrees: 200, maxDepth: 10 },
 * });
 * ```
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import { TrainingCheckpoints } from "../tree/checkpoint.ts";
import { ClusterShardGroup } from "../tree/cluster_shard_group.ts";
import {
  type ClusterFitOptions,
  type ClusterTrainingStats,
  columnSource,
  featureSchemaOf,
  paramsJson,
  prepareShards,
  TrainingSession,
} from "../tree/cluster_training.ts";
import { checkSource, encodeSource } from "../tree/shard_source.ts";
import type { Tree } from "../tree/tree_model.ts";
import { type ForestTraining, trainForest } from "./forest.ts";
import { forestCodec } from "./forest_codec.ts";
import { ForestJournal } from "./forest_journal.ts";
import { ForestModel } from "./forest_model.ts";
import type { ForestRequest } from "./forest_protocol.ts";
import { type ForestParams, type ResolvedForestParams, resolveForestParams } from "./params.ts";

/**
 * Histogram bytes per partition's reply: every partition's reply is in flight at once (and merged
 * on the driver), so a level with thousands of open nodes takes several round trips instead of
 * replies of `maxMemoryMB` each (32 MiB: ~320 histograms of 20 features × 256 bins).
 */
const MAX_REPLY_BYTES = 32 * 2 ** 20;

/** Options of {@linkcode fitForestCluster}. */
export interface FitForestClusterOptions extends ClusterFitOptions {
  /** Forest parameters (validated here). @default {{}} */
  readonly params?: ForestParams | ResolvedForestParams;
  /** Called as each group of trees completes, with the number of trees done. */
  readonly onProgress?: (treesDone: number) => void;
}

/** A cluster training's result: the forest's, and the jobs it took. */
export interface ForestClusterTraining extends ForestTraining {
  /** Jobs the training ran on the cluster. */
  readonly cluster: ClusterTrainingStats;
}

/** Trains a random forest on `train`'s partitions, on the cluster that holds them. */
export async function fitForestCluster(
  train: Dataset,
  options: FitForestClusterOptions,
): Promise<ForestClusterTraining> {
  const params = resolveForestParams(options.params);
  const source = columnSource(options);
  checkSource(source, train.schema);
  const checkpoints = options.checkpoint === undefined
    ? undefined
    : new TrainingCheckpoints(options.checkpoint, {
      codec: forestCodec,
      settings: { params: paramsJson(params), source: encodeSource(source) },
      schema: featureSchemaOf(source, train.schema),
      seed: params.seed,
    });
  const latest = await checkpoints?.latest();
  await using session = new TrainingSession("rf");
  const prepared = await prepareShards(train, source, {
    maxBins: params.maxBins,
    seed: params.seed,
    signal: options.signal,
    binnings: options.binnings ?? latest?.model.binnings,
    sampleRows: options.binningSampleRows,
  });
  session.own(prepared.input);
  const { binnings } = prepared.base;
  const shards = new ClusterShardGroup<ForestRequest>(prepared.input, {
    kind: "rf",
    session: session.group("train"),
    base: prepared.base,
    journal: new ForestJournal(),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  const training = await trainForest({
    shards,
    maxReplyBytes: MAX_REPLY_BYTES,
    binnings,
    featureNames: source.features,
    params,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(latest ? { resume: { trees: latest.model.trees } } : {}),
    ...(checkpoints
      ? {
        checkpoint: {
          every: checkpoints.every,
          save: (trees: readonly Tree[]) =>
            checkpoints.save(
              trees.length,
              new ForestModel({ trees, binnings, featureNames: source.features }),
              { trees: trees.length },
            ),
        },
      }
      : {}),
  });
  return {
    ...training,
    cluster: { jobs: prepared.jobs + shards.stats.jobs, replays: shards.stats.replays },
  };
}
