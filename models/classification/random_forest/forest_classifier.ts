/**
 * The random-forest estimator: parameters validated when it is constructed, then fitted on
 * in-memory data or on any {@linkcode ShardGroup} (a cluster's partitions).
 *
 * @example
 * ```ts ignore
 * const rf = new RandomForestClassifier({ numTrees: 200, maxDepth: 10 });
 * const { model } = await rf.fitLocal({ columns, labels });
 * const { model: onCluster } = await rf.fit(train, { features: ["age", "balance"], label: "y" });
 * ```
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import type { FeatureBinning } from "../tree/binning.ts";
import type { LocalData } from "../tree/local_data.ts";
import type { ShardGroup } from "../tree/shard_group.ts";
import { type ForestTraining, trainForest } from "./forest.ts";
import type { ForestRequest } from "./forest_protocol.ts";
import { fitForestCluster, type FitForestClusterOptions, type ForestClusterTraining } from "./fit_cluster.ts";
import { fitForestLocal, type FitForestLocalOptions } from "./fit_local.ts";
import { type ForestParams, type ResolvedForestParams, resolveForestParams } from "./params.ts";

/** A random-forest binary classifier. */
export class RandomForestClassifier {
  /** The parameters with defaults filled in. */
  readonly params: ResolvedForestParams;

  /** Throws `RangeError` naming the first parameter outside its range. */
  constructor(params: ForestParams = {}) {
    this.params = resolveForestParams(params);
  }

  /**
   * Fits on in-memory columns (binned exactly here): single-process training and tests.
   *
   * @ignore
   */
  fitLocal(train: LocalData, options: Omit<FitForestLocalOptions, "params"> = {}): Promise<ForestTraining> {
    return fitForestLocal(train, { ...options, params: this.params });
  }

  /**
   * Fits on a cluster dataset: its training columns are cached and binned on the executors,
   * which keep their shards while a group of trees grows (see `fit_cluster.ts`).
   */
  fit(train: Dataset, options: Omit<FitForestClusterOptions, "params">): Promise<ForestClusterTraining> {
    return fitForestCluster(train, { ...options, params: this.params });
  }

  /**
   * Fits on shards that already hold binned rows (`binnings` are the ones they were binned with):
   * the seam the cluster fit and tests use.
   *
   * @ignore
   */
  fitShards(setup: {
    shards: ShardGroup<ForestRequest>;
    binnings: readonly FeatureBinning[];
    featureNames?: readonly string[];
    onProgress?: (treesDone: number) => void;
    signal?: AbortSignal;
  }): Promise<ForestTraining> {
    return trainForest({ ...setup, params: this.params });
  }
}
