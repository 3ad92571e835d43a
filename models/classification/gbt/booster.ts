/**
 * The driver of gradient boosting (LightGBM-style): logistic loss, Newton leaves
 * `w = −G / (H + λ) · learningRate`, leaf-wise growth bounded by `numLeaves` and `maxDepth`,
 * per-tree feature sampling seeded by (seed, round, feature), per-round row bagging seeded by
 * (seed, round, row id), and early stopping on a validation set.
 *
 * The driver never sees rows. It talks to a {@linkcode ShardGroup} of training shards (and one of
 * validation shards): every sum it receives is exact, so the model is byte-identical for any
 * number of shards and any partitioning.
 *
 * Early stopping: after each tree the validation loss (exact) is compared with the best so far;
 * a round improves only when strictly lower. Training stops once `earlyStoppingRounds` rounds in
 * a row did not improve, and the model keeps the trees up to the best round.
 *
 * @module
 */
import type { FeatureBinning } from "../tree/binning.ts";
import { type HistogramLayout, histogramLayout, quantizationScale } from "../tree/histogram.ts";
import { binCount } from "../tree/binning.ts";
import { classMultipliers } from "../tree/class_weights.ts";
import { TreeGrower } from "../tree/grower.ts";
import { histogramAt, type ShardReply } from "../tree/protocol.ts";
import { sampleFeatures, SAMPLING_DOMAINS } from "../tree/sampling.ts";
import type { ShardGroup } from "../tree/shard_group.ts";
import type { FeatureKind, NodeSums } from "../tree/split.ts";
import type { Tree } from "../tree/tree_model.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import type { GbtRequest } from "./gbt_protocol.ts";
import { GbtModel } from "./gbt_model.ts";
import { initialScore, MAX_ROW_LOSS } from "./logistic.ts";
import type { ResolvedGbtParams } from "./params.ts";

/** Checkpoint trees a resumed training applies per request. */
const APPLY_PER_REQUEST = 8;

/** Progress after each tree. */
export interface GbtRoundInfo {
  /** The round (tree) just grown, from 0. */
  readonly round: number;
  /** Mean training loss before this round's tree (undefined when `trainLoss` is off). */
  readonly trainLoss: number | undefined;
  /** Mean validation loss after this round's tree, when there is a validation set. */
  readonly validationLoss: number | undefined;
  /** Leaves of the round's tree. */
  readonly leaves: number;
}

/** The result of training. */
export interface GbtTraining {
  /** The model, truncated to the best round when early stopping was on. */
  readonly model: GbtModel;
  /**
   * Mean training loss after 0, 1, …, trees (one more entry than trees trained); empty when the
   * `trainLoss` param is off.
   */
  readonly trainLoss: readonly number[];
  /** Mean validation loss after 1, 2, … trees. */
  readonly validationLoss: readonly number[];
  /** Trees kept (the best round + 1 with early stopping, else all). */
  readonly bestIteration: number;
  /** Trees trained before stopping. */
  readonly roundsTrained: number;
  /** Whether early stopping ended the training before `numRounds`. */
  readonly stoppedEarly: boolean;
  /** Round trips to the training shards. */
  readonly requests: number;
}

/** A training so far: what a checkpoint keeps and a resumed training starts from. */
export interface GbtProgress {
  /** The initial score (a resumed training checks that its data gives the same). */
  readonly initScore: number;
  /** The trees so far. */
  readonly trees: readonly Tree[];
  /** Mean training loss before each tree (one per tree; none when `trainLoss` is off). */
  readonly trainLoss: readonly number[];
  /** Mean validation loss after each tree (one per tree, or none without a validation set). */
  readonly validationLoss: readonly number[];
  /** The best validation loss sum so far and its round (−1 before any). */
  readonly best: { readonly loss: number; readonly round: number };
}

/** Shards and settings of one training. */
export interface GbtTrainingSetup {
  readonly train: ShardGroup<GbtRequest>;
  readonly validation?: ShardGroup<GbtRequest>;
  readonly binnings: readonly FeatureBinning[];
  readonly featureNames?: readonly string[];
  readonly params: ResolvedGbtParams;
  readonly onRound?: (info: GbtRoundInfo) => void;
  readonly signal?: AbortSignal;
  /** Continue this training (its trees are applied to the shards first, in one request each). */
  readonly resume?: GbtProgress;
  /** Called with the training so far after every `every` rounds (not after the last). */
  readonly checkpoint?: { readonly every: number; save(progress: GbtProgress): Promise<void> };
}

function expect<T extends ShardReply["type"]>(reply: ShardReply, type: T): Extract<ShardReply, { type: T }> {
  if (reply.type !== type) throw new TypeError(`Expected a "${type}" reply, got "${reply.type}"`);
  return reply as Extract<ShardReply, { type: T }>;
}

function meanLoss(values: Float64Array): number {
  return values[1]! > 0 ? values[0]! / values[1]! : 0;
}

/** Trains boosted trees on the shards of `setup.train`. */
export async function trainGbt(setup: GbtTrainingSetup): Promise<GbtTraining> {
  const { train, validation, binnings, params, signal } = setup;
  if (params.earlyStoppingRounds !== undefined && validation === undefined) {
    throw new RangeError("earlyStoppingRounds needs a validation set");
  }
  const layout = histogramLayout(binnings.map(binCount));
  const kinds: FeatureKind[] = binnings.map((b) => b.kind);
  let requests = 0;
  const ask = (req: GbtRequest) => {
    requests++;
    return train.request(req, signal === undefined ? {} : { signal });
  };

  const described = expect(await ask({ type: "gbt.describe" }), "describe");
  if (described.rows === 0) throw new RangeError("Cannot train on an empty dataset");
  if (described.badLabels > 0) {
    throw new RangeError(`Labels must be 0 or 1; ${described.badLabels} rows are not`);
  }
  const rowWeight = Math.max(described.maxWeight, 1e-300);
  const classWeights = classMultipliers(
    params.classWeight,
    params.classWeight === "balanced"
      ? classSums(
        expect(
          await ask({ type: "gbt.labelSums", scale: quantizationScale(described.rows, rowWeight) }),
          "sums",
        ),
      )
      : { positive: 0, total: 0 },
  );
  const weighted = classWeights ? { classWeights } : {};
  const maxWeight = rowWeight * Math.max(...(classWeights ?? [1]));
  const scale = quantizationScale(described.rows, maxWeight);
  const lossScale = quantizationScale(described.rows, maxWeight * MAX_ROW_LOSS);
  const labels = expect(await ask({ type: "gbt.labelSums", scale, ...weighted }), "sums").values;
  if (!(labels[1]! > 0)) throw new RangeError("The training rows have zero total weight");
  const initScore = initialScore(labels[0]! / labels[1]!);
  const start = checkResume(setup.resume, {
    initScore,
    validation: validation !== undefined,
    trainLoss: params.trainLoss,
  });
  const init: GbtRequest = { type: "gbt.init", initScore };
  await ask(init);
  if (validation) await validation.request(init, signal === undefined ? {} : { signal });
  // A resumed training's trees, a few per request (each request's arguments stay small).
  for (let at = 0; at < start.trees.length; at += APPLY_PER_REQUEST) {
    const trees = start.trees.slice(at, at + APPLY_PER_REQUEST);
    const applied: GbtRequest = {
      type: "gbt.apply",
      trees: trees.map((t) => t.toJSON()),
      applied: at + trees.length,
      lossScale,
      ...weighted,
    };
    await ask(applied);
    if (validation) await validation.request(applied, signal === undefined ? {} : { signal });
  }

  const featureRng = new CounterRandom(params.seed, SAMPLING_DOMAINS.treeFeatures);
  const k = Math.max(1, Math.ceil(params.featureFraction * binnings.length));
  const trees: Tree[] = [...start.trees];
  const trainLoss: number[] = [...start.trainLoss];
  const validationLoss: number[] = [...start.validationLoss];
  let best = { ...start.best };
  let stoppedEarly = false;
  let previous: Tree | undefined;
  for (let round = trees.length; round < params.numRounds; round++) {
    signal?.throwIfAborted();
    const rootReply = expect(
      await ask({
        type: "gbt.round",
        round,
        tree: previous?.toJSON(),
        scale,
        lossScale,
        baggingFraction: params.baggingFraction,
        seed: params.seed,
        ...weighted,
        ...(params.trainLoss ? {} : { noLoss: true }),
      }),
      "histograms",
    );
    if (params.trainLoss) trainLoss.push(meanLoss(rootReply.extra));
    const features = sampleFeatures(featureRng, { index: round, numFeatures: binnings.length, k });
    const tree = await growTree({ round, layout, kinds, binnings, params, scale, features, rootReply, ask });
    trees.push(tree);
    previous = tree;
    let vLoss: number | undefined;
    if (validation) {
      const reply = await validation.request({
        type: "gbt.apply",
        trees: [tree.toJSON()],
        applied: round + 1,
        lossScale,
        ...weighted,
      });
      const sums = expect(reply, "sums").values;
      vLoss = meanLoss(sums);
      validationLoss.push(vLoss);
      if (sums[0]! < best.loss) best = { loss: sums[0]!, round };
    }
    setup.onRound?.({
      round,
      trainLoss: params.trainLoss ? trainLoss[round]! : undefined,
      validationLoss: vLoss,
      leaves: tree.numLeaves,
    });
    if (params.earlyStoppingRounds !== undefined && round - best.round >= params.earlyStoppingRounds) {
      stoppedEarly = true;
      break;
    }
    const cp = setup.checkpoint;
    if (cp !== undefined && (round + 1) % cp.every === 0 && round + 1 < params.numRounds) {
      await cp.save({
        initScore,
        trees: [...trees],
        trainLoss: [...trainLoss],
        validationLoss: [...validationLoss],
        best,
      });
    }
  }
  if (previous && params.trainLoss) {
    const last = await ask({
      type: "gbt.apply",
      trees: [previous.toJSON()],
      applied: trees.length,
      lossScale,
      ...weighted,
    });
    trainLoss.push(meanLoss(expect(last, "sums").values));
  }
  const bestIteration = params.earlyStoppingRounds !== undefined ? best.round + 1 : trees.length;
  const model = new GbtModel({
    initScore,
    trees: trees.slice(0, bestIteration),
    binnings,
    ...(setup.featureNames ? { featureNames: setup.featureNames } : {}),
  });
  return {
    model,
    trainLoss,
    validationLoss,
    bestIteration,
    roundsTrained: trees.length,
    stoppedEarly,
    requests,
  };
}

/** The class sums of a `gbt.labelSums` reply without class weights. */
function classSums(reply: { values: Float64Array }): { positive: number; total: number } {
  return { positive: reply.values[0]!, total: reply.values[1]! };
}

/** The progress a training starts from: `resume` after checking it fits, or nothing. */
function checkResume(
  resume: GbtProgress | undefined,
  expect: { initScore: number; validation: boolean; trainLoss: boolean },
): GbtProgress {
  if (resume === undefined) {
    return {
      initScore: expect.initScore,
      trees: [],
      trainLoss: [],
      validationLoss: [],
      best: { loss: Infinity, round: -1 },
    };
  }
  const n = resume.trees.length;
  if (resume.initScore !== expect.initScore) {
    throw new RangeError(
      `Cannot resume: the checkpoint's initial score ${resume.initScore} differs from the data's ${expect.initScore}`,
    );
  }
  if (
    resume.trainLoss.length !== (expect.trainLoss ? n : 0) ||
    resume.validationLoss.length !== (expect.validation ? n : 0)
  ) {
    throw new RangeError(`Cannot resume: the checkpoint's losses do not match its ${n} trees`);
  }
  return resume;
}

async function growTree(ctx: {
  round: number;
  layout: HistogramLayout;
  kinds: FeatureKind[];
  binnings: readonly FeatureBinning[];
  params: ResolvedGbtParams;
  scale: number;
  features: Int32Array;
  rootReply: { sums: Float64Array; counts: Int32Array };
  ask: (req: GbtRequest) => Promise<ShardReply>;
}): Promise<Tree> {
  const { round, layout, params, scale } = ctx;
  const lambda = params.lambdaL2;
  const leafValue = (s: NodeSums, childL2: number) => {
    const h = s.b / scale + lambda + childL2;
    return h > 0 ? -(s.a / scale) / h * params.learningRate : 0;
  };
  const grower = new TreeGrower(histogramAt(ctx.rootReply, layout, 0), {
    layout,
    binnings: ctx.binnings,
    split: {
      criterion: {
        kind: "newton",
        lambda,
        catSmooth: params.catSmooth,
        catL2: params.catL2,
        maxCatThreshold: params.maxCatThreshold,
        minDataPerGroup: params.minDataPerGroup,
        maxCatToOnehot: params.maxCatToOnehot,
      },
      kinds: ctx.kinds,
      scale,
      minCount: params.minDataInLeaf,
      minWeight: params.minChildWeight,
      minGain: params.minGain,
    },
    maxLeaves: params.numLeaves,
    maxDepth: params.maxDepth,
    leafValue,
    features: () => ctx.features,
  });
  const next = () => grower.plan(params.splitsPerRound, { lookahead: params.lookahead });
  for (let plan = next(); plan; plan = next()) {
    if (plan.build.length === 0) continue;
    const reply = expect(
      await ctx.ask({
        type: "gbt.grow",
        orders: plan.orders.map((o) => ({ tree: round, ...o })),
        build: plan.build.map((node) => ({ tree: round, node })),
      }),
      "histograms",
    );
    grower.receive(plan.build.map((_, i) => histogramAt(reply, layout, i)));
  }
  return grower.finish();
}
