/**
 * Boosting on a cluster: the training columns of a {@linkcode Dataset} are cached and binned on
 * the executors, every partition becomes a shard that stays in its executor's state between
 * rounds (binned rows, labels, weights, current scores), and the same driver as in one process
 * (`booster.ts`) grows the trees from merged histograms — one `aggregatePartitions` job per
 * round trip; only split orders and each new tree go out, only histograms and loss sums come
 * back. Every sum is exact, so the model is byte-identical for any partition count, executor
 * count, deployment mode, and after executor failures (shards are rebuilt from lineage and the
 * journal of the trees so far).
 *
 * With `checkpoint`, the model so far is saved every `every` rounds; with `checkpoint.resume`, a
 * restarted training continues from the latest save and ends with the model an uninterrupted
 * training would have made.
 *
 * @example
 * ```ts ignore
 * const { model } = await fitGbtCluster(train, {
 *   features: ["age", "balance", "job_idx"],
 *   categorical: ["job_idx"],
 *   label: "y",
 *   params: { numRounds: 200, numLeaves: 31, earlyStoppingRounds: 20 },
 *   validation,
 * });
 * const scored = model.transform(test); // + probability, prediction
 * ```
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
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
import { type GbtProgress, type GbtRoundInfo, type GbtTraining, trainGbt } from "./booster.ts";
import { gbtCodec } from "./gbt_codec.ts";
import { GbtJournal } from "./gbt_journal.ts";
import { GbtModel } from "./gbt_model.ts";
import type { GbtRequest } from "./gbt_protocol.ts";
import { type GbtParams, type ResolvedGbtParams, resolveGbtParams } from "./params.ts";

/** Options of {@linkcode fitGbtCluster}. */
export interface FitGbtClusterOptions extends ClusterFitOptions {
  /** Boosting parameters (validated here). @default {{}} */
  readonly params?: GbtParams | ResolvedGbtParams;
  /** Rows for validation loss and early stopping (the same columns as the training rows). */
  readonly validation?: Dataset;
  /** Called after each tree with the round's losses. */
  readonly onRound?: (info: GbtRoundInfo) => void;
}

/** A cluster training's result: the booster's, and the jobs it took. */
export interface GbtClusterTraining extends GbtTraining {
  /** Jobs the training ran on the cluster. */
  readonly cluster: ClusterTrainingStats;
}

function progressJson(p: GbtProgress): Json {
  return {
    trainLoss: [...p.trainLoss],
    validationLoss: [...p.validationLoss],
    bestLoss: Number.isFinite(p.best.loss) ? p.best.loss : String(p.best.loss),
    bestRound: p.best.round,
  };
}

function numbers(v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) {
    throw new RangeError("A boosting checkpoint's losses must be numbers");
  }
  return v;
}

function progressOf(model: GbtModel, json: Json): GbtProgress {
  const p = typeof json === "object" && json !== null && !Array.isArray(json) ? json : {};
  const bestRound = p.bestRound;
  if (typeof bestRound !== "number") throw new RangeError("A boosting checkpoint needs its best round");
  return {
    initScore: model.initScore,
    trees: model.trees,
    trainLoss: numbers(p.trainLoss),
    validationLoss: numbers(p.validationLoss),
    best: { loss: p.bestLoss === "Infinity" ? Infinity : Number(p.bestLoss), round: bestRound },
  };
}

/** Trains boosted trees on `train`'s partitions, on the cluster that holds them. */
export async function fitGbtCluster(
  train: Dataset,
  options: FitGbtClusterOptions,
): Promise<GbtClusterTraining> {
  const params = resolveGbtParams(options.params);
  const source = columnSource(options);
  checkSource(source, train.schema);
  const schema = featureSchemaOf(source, train.schema);
  const checkpoints = options.checkpoint === undefined
    ? undefined
    : new TrainingCheckpoints(options.checkpoint, {
      codec: gbtCodec,
      settings: { params: paramsJson(params), source: encodeSource(source) },
      schema,
      seed: params.seed,
    });
  const latest = await checkpoints?.latest();
  await using session = new TrainingSession("gbt");
  const common = { maxBins: params.maxBins, seed: params.seed, signal: options.signal };
  const prepared = await prepareShards(train, source, {
    ...common,
    binnings: options.binnings ?? latest?.model.binnings,
    sampleRows: options.binningSampleRows,
  });
  session.own(prepared.input);
  const { binnings } = prepared.base;
  const group = new ClusterShardGroup<GbtRequest>(prepared.input, {
    kind: "gbt",
    session: session.group("train"),
    base: prepared.base,
    journal: new GbtJournal(),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  let validation: ClusterShardGroup<GbtRequest> | undefined;
  let jobs = prepared.jobs;
  if (options.validation !== undefined) {
    const v = await prepareShards(options.validation, source, { ...common, binnings });
    session.own(v.input);
    jobs += v.jobs;
    validation = new ClusterShardGroup<GbtRequest>(v.input, {
      kind: "gbt",
      session: session.group("validation"),
      base: v.base,
      journal: new GbtJournal(),
    });
  }
  const training = await trainGbt({
    train: group,
    ...(validation ? { validation } : {}),
    binnings,
    featureNames: source.features,
    params,
    ...(options.onRound ? { onRound: options.onRound } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(latest ? { resume: progressOf(latest.model, latest.progress) } : {}),
    ...(checkpoints
      ? {
        checkpoint: {
          every: checkpoints.every,
          save: (p: GbtProgress) =>
            checkpoints.save(
              p.trees.length,
              new GbtModel({
                initScore: p.initScore,
                trees: p.trees,
                binnings,
                featureNames: source.features,
              }),
              progressJson(p),
            ),
        },
      }
      : {}),
  });
  const stats = [group.stats, ...(validation ? [validation.stats] : [])];
  return {
    ...training,
    cluster: {
      jobs: jobs + stats.reduce((n, s) => n + s.jobs, 0),
      replays: stats.reduce((n, s) => n + s.replays, 0),
    },
  };
}
