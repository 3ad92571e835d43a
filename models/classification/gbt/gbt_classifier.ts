/**
 * The boosted-trees estimator: parameters validated when it is constructed, then fitted on
 * in-memory data or on any {@linkcode ShardGroup} (a cluster's partitions).
 *
 * @example
 * ```ts ignore
 * const gbt = new GbtClassifier({ numLeaves: 63, learningRate: 0.05, earlyStoppingRounds: 50 });
 * const { model } = await gbt.fitLocal({ columns, labels }, { validation });
 * const { model: onCluster } = await gbt.fit(train, { features: ["age", "balance"], label: "y" });
 * ```
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import type { FeatureBinning } from "../tree/binning.ts";
import type { LocalData } from "../tree/local_data.ts";
import type { ShardGroup } from "../tree/shard_group.ts";
import { type GbtRoundInfo, type GbtTraining, trainGbt } from "./booster.ts";
import { fitGbtCluster, type FitGbtClusterOptions, type GbtClusterTraining } from "./fit_cluster.ts";
import { fitGbtLocal, type FitGbtLocalOptions } from "./fit_local.ts";
import type { GbtRequest } from "./gbt_protocol.ts";
import { type GbtParams, type ResolvedGbtParams, resolveGbtParams } from "./params.ts";

/** A gradient-boosted trees binary classifier (logistic loss). */
export class GbtClassifier {
  /** The parameters with defaults filled in. */
  readonly params: ResolvedGbtParams;

  /** Throws `RangeError` naming the first parameter outside its range. */
  constructor(params: GbtParams = {}) {
    this.params = resolveGbtParams(params);
  }

  /**
   * Fits on in-memory columns (binned exactly here): single-process training and tests.
   *
   * @ignore
   */
  fitLocal(train: LocalData, options: Omit<FitGbtLocalOptions, "params"> = {}): Promise<GbtTraining> {
    return fitGbtLocal(train, { ...options, params: this.params });
  }

  /**
   * Fits on a cluster dataset: its training columns are cached and binned on the executors,
   * which keep their shards between rounds (see `fit_cluster.ts`).
   */
  fit(train: Dataset, options: Omit<FitGbtClusterOptions, "params">): Promise<GbtClusterTraining> {
    return fitGbtCluster(train, { ...options, params: this.params });
  }

  /**
   * Fits on shards that already hold binned rows (`binnings` are the ones they were binned with):
   * the seam the cluster fit and tests use.
   *
   * @ignore
   */
  fitShards(setup: {
    train: ShardGroup<GbtRequest>;
    validation?: ShardGroup<GbtRequest>;
    binnings: readonly FeatureBinning[];
    featureNames?: readonly string[];
    onRound?: (info: GbtRoundInfo) => void;
    signal?: AbortSignal;
  }): Promise<GbtTraining> {
    return trainGbt({ ...setup, params: this.params });
  }
}
