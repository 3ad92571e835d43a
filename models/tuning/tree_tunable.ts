/**
 * Boosted trees and random forests as {@linkcode Tunable}s, with their feature pipeline.
 *
 * A fold is prepared once per pipeline-stage parameters and `maxBins`: the pipeline is fitted on
 * the fold's training rows, the assembled feature columns of the training and validation rows
 * are cached on the executors, their partitions counted and the bin boundaries fitted on the
 * training rows (`prepareShards`, the preparation `fitGbtCluster` runs for every training).
 * The binned rows are shared too: the first trial on a partition bins them against the shared
 * boundaries and keeps them under the fold's key prefix, and every later trial's shard on that
 * partition reads the same rows (shards only read them; see `shard_state.ts`). Each trial keeps
 * only its own training state (scores, row partitions, trees so far) under a prefix of its own,
 * released when the trial ends, however it ends; the fold's binned rows go when the fold does.
 *
 * @example
 * ```ts ignore
 * const gbt = new TreeTunable("gbt", {
 *   label: "y01",
 *   pipeline: () => new Pipeline([...]),
 *   base: { numRounds: 100, earlyStoppingRounds: 20 },
 * });
 * ```
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col } from "../../cluster/expr/column.ts";
import { trainGbt } from "../classification/gbt/booster.ts";
import { GbtJournal } from "../classification/gbt/gbt_journal.ts";
import type { GbtModel } from "../classification/gbt/gbt_model.ts";
import type { GbtRequest } from "../classification/gbt/gbt_protocol.ts";
import { type GbtParams, resolveGbtParams } from "../classification/gbt/params.ts";
import { trainForest } from "../classification/random_forest/forest.ts";
import { ForestJournal } from "../classification/random_forest/forest_journal.ts";
import type { ForestModel } from "../classification/random_forest/forest_model.ts";
import type { ForestRequest } from "../classification/random_forest/forest_protocol.ts";
import { type ForestParams, resolveForestParams } from "../classification/random_forest/params.ts";
import { MAX_VALUE_BINS } from "../classification/tree/binning.ts";
import { ClusterShardGroup, type ShardJournal } from "../classification/tree/cluster_shard_group.ts";
import { columnSource, type PreparedShards, prepareShards } from "../classification/tree/cluster_training.ts";
import type { Pipeline, PipelineModel } from "../features/pipeline.ts";
import {
  categoricalColumns,
  featureColumns,
  type PreparedFold,
  splitParams,
  stableKey,
  type TrialContext,
  type TrialFit,
  type Tunable,
} from "./tunable.ts";

/** Histogram bytes one forest shard reply may carry (as `fitForestCluster`). */
const MAX_REPLY_BYTES = 32 * 2 ** 20;

/** Tree kinds and their own parameters. */
export interface TreeKindParams {
  /** Boosted trees. */
  gbt: GbtParams;
  /** Random forest. */
  rf: ForestParams;
}

/** Settings of a {@linkcode TreeTunable}. */
export interface TreeTunableOptions<K extends keyof TreeKindParams, S extends object> {
  /** The 0/1 label column (a double or bool). */
  readonly label: string;
  /**
   * The feature pipeline of a trial's stage parameters (the dotted keys of its parameters): text
   * columns index-coded (split natively when the pipeline marks them categorical), numbers raw.
   */
  readonly pipeline: (stages: Partial<S>) => Pipeline;
  /** Parameters every trial starts from (a trial's own win). */
  readonly base?: TreeKindParams[K];
  /** Called as each training request's job starts, of every trial (progress; tests). */
  readonly onRequest?: (info: { readonly requests: number; readonly type: string }) => void;
}

/** A fold prepared for tree trials (its cached, counted and binned rows stay internal). */
export interface PreparedTreeFold extends PreparedFold {
  /** The feature pipeline fitted on the fold's training rows. */
  readonly pipeline: PipelineModel;
}

/** The shards behind each prepared fold this module handed out. */
const SHARDS = new WeakMap<
  PreparedTreeFold,
  { train: PreparedShards; validation: PreparedShards | undefined; shareData: string }
>();

/** A model the tree transform scores with. */
type Ensemble = GbtModel | ForestModel;

/** Boosted trees (`"gbt"`) or a random forest (`"rf"`) with their pipeline, for a search. */
export class TreeTunable<K extends keyof TreeKindParams, S extends object = Record<never, never>>
  implements Tunable<TreeKindParams[K] & S, PreparedTreeFold> {
  /** The tree kind. */
  readonly name: K;
  /** The 0/1 label column. */
  readonly label: string;
  readonly #options: TreeTunableOptions<K, S>;

  /** `kind`'s trees over `options.pipeline`'s features. */
  constructor(kind: K, options: TreeTunableOptions<K, S>) {
    if (kind !== "gbt" && kind !== "rf") {
      throw new RangeError(`kind must be "gbt" or "rf", got ${String(kind)}`);
    }
    this.name = kind;
    this.label = options.label;
    this.#options = options;
  }

  #maxBins(params: object): number {
    const own = { ...this.#options.base, ...splitParams(params).own } as { maxBins?: number };
    return own.maxBins ?? MAX_VALUE_BINS;
  }

  prepareKey(params: Partial<TreeKindParams[K] & S>): string {
    return stableKey({ ...splitParams(params).stages, maxBins: this.#maxBins(params) });
  }

  async prepare(
    train: Dataset,
    validation: Dataset | undefined,
    params: Partial<TreeKindParams[K] & S>,
    options: { readonly seed: number; readonly signal?: AbortSignal | undefined },
  ): Promise<PreparedTreeFold> {
    const signal = options.signal;
    const pipeline = await this.#options.pipeline(splitParams(params).stages as Partial<S>)
      .fit(train, signal === undefined ? undefined : { signal });
    const source = columnSource({
      features: featureColumns(pipeline),
      categorical: categoricalColumns(pipeline),
      label: this.label,
    });
    const common = { maxBins: this.#maxBins(params), seed: options.seed, signal };
    const t = await prepareShards(pipeline.transform(train), source, common);
    let v: PreparedShards | undefined;
    try {
      v = validation === undefined ? undefined : await prepareShards(pipeline.transform(validation), source, {
        ...common,
        binnings: t.base.binnings,
      });
    } catch (e) {
      await t.input.unpersist();
      throw e;
    }
    const shareData = `tree/${this.name}/tunedata/${crypto.randomUUID()}/`;
    const fold: PreparedTreeFold = {
      pipeline,
      stats: { jobs: t.jobs + (v?.jobs ?? 0) },
      release: async () => {
        try {
          await t.input.releaseState(shareData);
          await v?.input.releaseState(shareData);
        } finally {
          await t.input.unpersist();
          await v?.input.unpersist();
        }
      },
    };
    SHARDS.set(fold, { train: t, validation: v, shareData });
    return fold;
  }

  async fit(
    prepared: PreparedTreeFold,
    params: Partial<TreeKindParams[K] & S>,
    context: TrialContext,
  ): Promise<TrialFit> {
    const own = { ...this.#options.base, ...splitParams(params).own, seed: context.seed };
    const shards = SHARDS.get(prepared);
    if (shards === undefined) throw new TypeError("The fold was not prepared by this TreeTunable's module");
    const { pipeline } = prepared;
    const { train, validation, shareData: sharedPrefix } = shards;
    const { binnings, source } = train.base;
    const prefix = `tree/${this.name}/tune/${crypto.randomUUID()}/`;
    const group = <Req extends { readonly type: string }>(
      shards: PreparedShards,
      name: string,
      journal: ShardJournal<Req>,
    ) =>
      new ClusterShardGroup<Req>(shards.input, {
        kind: this.name,
        session: `${prefix}${name}/`,
        base: shards.base,
        journal,
        shareData: `${sharedPrefix}${name}/`,
        ...(this.#options.onRequest === undefined ? {} : { onRequest: this.#options.onRequest }),
      });
    const signal = context.signal === undefined ? {} : { signal: context.signal };
    try {
      let model: Ensemble;
      let rounds: number | undefined;
      if (this.name === "gbt") {
        const p = own as GbtParams;
        const fixed = context.rounds !== undefined;
        const params = resolveGbtParams({
          ...p,
          ...(fixed ? { numRounds: context.rounds } : {}),
          earlyStoppingRounds: fixed || validation === undefined ? undefined : p.earlyStoppingRounds,
        });
        const useValidation = params.earlyStoppingRounds !== undefined && validation !== undefined;
        const training = await trainGbt({
          train: group<GbtRequest>(train, "train", new GbtJournal()),
          ...(useValidation
            ? { validation: group<GbtRequest>(validation, "validation", new GbtJournal()) }
            : {}),
          binnings,
          featureNames: source.features,
          params,
          ...signal,
        });
        model = training.model;
        rounds = training.model.trees.length;
      } else {
        const params = resolveForestParams(own as ForestParams);
        const training = await trainForest({
          shards: group<ForestRequest>(train, "train", new ForestJournal()),
          maxReplyBytes: MAX_REPLY_BYTES,
          binnings,
          featureNames: source.features,
          params,
          ...signal,
        });
        model = training.model;
      }
      const features = featureColumns(pipeline);
      const scoreAssembled = (ds: Dataset) =>
        model.transform(ds, { features, predictionCol: "__tune_prediction" }).drop("__tune_prediction");
      return {
        model: {
          model,
          pipeline,
          rounds,
          score: (raw) => scoreAssembled(pipeline.transform(raw)),
        },
        scored: validation === undefined
          ? undefined
          : scoreAssembled(validation.input).select(col(this.label), col("probability")),
      };
    } finally {
      await train.input.releaseState(prefix);
    }
  }
}
