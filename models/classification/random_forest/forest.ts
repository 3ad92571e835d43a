/**
 * The driver of random-forest training (binary labels). Trees grow in groups of
 * `treesPerGroup`, level by level: one round trip per level carries the split orders and the
 * smaller-child histograms of every open node of every tree in the group — as many as fit in
 * `maxMemoryMB`, the rest in further round trips. Feature draws follow each node's heap path and
 * trees are numbered breadth-first, so the forest does not depend on how splits were batched. Splits maximize the gini
 * or entropy information gain on weighted class counts taken from the same exact histograms as
 * boosting; each node draws its candidate features from (seed, tree, node); rows enter each tree
 * with Poisson(1) bootstrap counts drawn from (seed, tree, row id), so the forest is byte-identical
 * for any partitioning.
 *
 * @module
 */
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { binCount, type FeatureBinning } from "../tree/binning.ts";
import { classMultipliers } from "../tree/class_weights.ts";
import { HistogramBudget, TreeGrower } from "../tree/grower.ts";
import { histogramLayout, quantizationScale } from "../tree/histogram.ts";
import { histogramAt, type NodeRef, type ShardReply, type SplitOrder } from "../tree/protocol.ts";
import { MAX_BOOTSTRAP_COUNT, NODES_PER_TREE, sampleFeatures, SAMPLING_DOMAINS } from "../tree/sampling.ts";
import type { ShardGroup } from "../tree/shard_group.ts";
import type { FeatureKind, NodeSums } from "../tree/split.ts";
import type { Tree } from "../tree/tree_model.ts";
import type { ForestRequest } from "./forest_protocol.ts";
import { ForestModel } from "./forest_model.ts";
import { featuresPerNode, type ResolvedForestParams } from "./params.ts";

/** Shards and settings of one training. */
export interface ForestTrainingSetup {
  readonly shards: ShardGroup<ForestRequest>;
  readonly binnings: readonly FeatureBinning[];
  readonly featureNames?: readonly string[];
  readonly params: ResolvedForestParams;
  /** Called as each group of trees completes, with the number of trees done. */
  readonly onProgress?: (treesDone: number) => void;
  readonly signal?: AbortSignal;
  /**
   * Histogram bytes one shard's reply may carry (a cluster keeps every partition's reply in
   * flight at once, and an executor those of its running tasks); further requests wait for the
   * next round trip. Default: `maxMemoryMB`.
   */
  readonly maxReplyBytes?: number;
  /** Continue a training: its trees are kept and training starts at the next tree. */
  readonly resume?: { readonly trees: readonly Tree[] };
  /** Called with the trees so far after every `every` groups of trees (not after the last). */
  readonly checkpoint?: { readonly every: number; save(trees: readonly Tree[]): Promise<void> };
}

/** The result of training. */
export interface ForestTraining {
  /** The trained forest. */
  readonly model: ForestModel;
  /** Round trips to the shards. */
  readonly requests: number;
}

function histograms(reply: ShardReply): { sums: Float64Array; counts: Int32Array } {
  if (reply.type !== "histograms") throw new TypeError(`Expected a "histograms" reply, got "${reply.type}"`);
  return reply;
}

/** Trains a random forest on the shards of `setup.shards`. */
export async function trainForest(setup: ForestTrainingSetup): Promise<ForestTraining> {
  const { shards, binnings, params, signal } = setup;
  const layout = histogramLayout(binnings.map(binCount));
  const kinds: FeatureKind[] = binnings.map((b) => b.kind);
  let requests = 0;
  const ask = (req: ForestRequest) => {
    requests++;
    return shards.request(req, signal === undefined ? {} : { signal });
  };
  const described = await ask({ type: "rf.describe" });
  if (described.type !== "describe") {
    throw new TypeError(`Expected a "describe" reply, got "${described.type}"`);
  }
  if (described.rows === 0) throw new RangeError("Cannot train on an empty dataset");
  if (described.badLabels > 0) {
    throw new RangeError(`Labels must be 0 or 1; ${described.badLabels} rows are not`);
  }
  const rowWeight = Math.max(described.maxWeight, 1e-300);
  let sums = { positive: 0, total: 0 };
  if (params.classWeight === "balanced") {
    const reply = await ask({
      type: "rf.labelSums",
      scale: quantizationScale(described.rows, rowWeight, MAX_BOOTSTRAP_COUNT),
    });
    if (reply.type !== "sums") throw new TypeError(`Expected a "sums" reply, got "${reply.type}"`);
    sums = { positive: reply.values[0]!, total: reply.values[1]! };
  }
  const classWeights = classMultipliers(params.classWeight, sums);
  const maxWeight = rowWeight * Math.max(...(classWeights ?? [1]));
  const scale = quantizationScale(described.rows, maxWeight, MAX_BOOTSTRAP_COUNT);

  const k = featuresPerNode(params, binnings.length);
  // histograms per round trip, so that one reply stays within maxMemoryMB (at least one split)
  const histBytes = layout.totalBins * (2 * 8 + 4);
  const replyBytes = Math.min(params.maxMemoryMB * 2 ** 20, setup.maxReplyBytes ?? Infinity);
  const perRound = Math.max(2, Math.floor(replyBytes / histBytes));
  const featureRng = new CounterRandom(params.seed, SAMPLING_DOMAINS.nodeFeatures);
  const trees: Tree[] = [...(setup.resume?.trees ?? [])];
  if (trees.length > params.numTrees) {
    throw new RangeError(
      `Cannot resume: the checkpoint has ${trees.length} trees, numTrees is ${params.numTrees}`,
    );
  }
  let groups = 0;
  for (let first = trees.length; first < params.numTrees; first += params.treesPerGroup) {
    signal?.throwIfAborted();
    const group = Array.from(
      { length: Math.min(params.treesPerGroup, params.numTrees - first) },
      (_, i) => first + i,
    );
    const roots = histograms(
      await ask({
        type: "rf.start",
        trees: group,
        seed: params.seed,
        bootstrap: params.bootstrap,
        scale,
        ...(classWeights ? { classWeights } : {}),
      }),
    );
    const budget = new HistogramBudget(params.maxMemoryMB * 2 ** 20);
    const growers = group.map((tree, i) =>
      new TreeGrower(histogramAt(roots, layout, i), {
        layout,
        binnings,
        split: {
          criterion: { kind: params.impurity },
          kinds,
          scale,
          minCount: params.minInstancesPerNode,
          minWeight: params.minWeightPerNode,
          minGain: params.minInfoGain,
        },
        maxLeaves: Infinity,
        maxDepth: params.maxDepth,
        leafValue: (s: NodeSums) => (s.b > 0 ? s.a / s.b : 0),
        features: (node) =>
          sampleFeatures(featureRng, {
            index: tree * NODES_PER_TREE + node,
            numFeatures: binnings.length,
            k,
          }),
        budget,
      })
    );
    const done = growers.map(() => false);
    while (done.includes(false)) {
      const orders: SplitOrder[] = [], build: NodeRef[] = [];
      const builds = new Int32Array(growers.length);
      let room = perRound;
      growers.forEach((g, i) => {
        if (done[i] || room < 2) return;
        const plan = g.plan(Math.floor(room / 2));
        if (plan === undefined) {
          done[i] = true;
          return;
        }
        const tree = group[i]!;
        for (const o of plan.orders) orders.push({ tree, ...o });
        for (const node of plan.build) build.push({ tree, node });
        builds[i] = plan.build.length;
        room -= plan.build.length;
      });
      if (build.length === 0) continue;
      const reply = histograms(await ask({ type: "rf.grow", orders, build }));
      let at = 0;
      growers.forEach((g, i) => {
        const n = builds[i]!;
        if (n === 0) return;
        g.receive(Array.from({ length: n }, (_, j) => histogramAt(reply, layout, at + j)));
        at += n;
      });
    }
    await ask({ type: "rf.end", trees: group });
    for (const g of growers) trees.push(g.finish());
    setup.onProgress?.(trees.length);
    const cp = setup.checkpoint;
    if (cp !== undefined && ++groups % cp.every === 0 && trees.length < params.numTrees) {
      await cp.save([...trees]);
    }
  }
  const model = new ForestModel({
    trees,
    binnings,
    ...(setup.featureNames ? { featureNames: setup.featureNames } : {}),
  });
  return { model, requests };
}
