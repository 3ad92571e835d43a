/**
 * Scoring on the executors: `model.transform(dataset)` of boosted trees and forests is a lazy
 * `mapPartitions` whose function ({@linkcode scoreTrees}) appends the positive-class probability,
 * the 0 / 1 prediction at a threshold, and optionally each tree's leaf, to every batch. The
 * model travels in the job's JSON arguments ({@linkcode ScoreArgs}; a large model as a broadcast
 * value, decoded once per executor); rows are binned with the
 * model's binnings and walked down the binned trees (the same leaves as the raw rows reach).
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { Batch, Vec } from "../../../cluster/columnar/batch.ts";
import type { MapPartitionsFn } from "../../../cluster/partition_fns.ts";
import { GbtModel } from "../gbt/gbt_model.ts";
import { ForestModel } from "../random_forest/forest_model.ts";
import { binRows } from "./binning.ts";
import { decodeCompactBinnings, decodeCompactTrees } from "./compact_trees.ts";
import { asNumber, asRecord } from "./protocol.ts";
import { readColumn } from "./shard_source.ts";
import type { Tree } from "./tree_model.ts";
import { type ScoreArgs, scoreFields, type TreeEnsemble } from "./tree_transform.ts";

/**
 * Decoded arguments by the arguments object. Large models arrive as a broadcast value, which the
 * executor decodes once and hands every task as the same object, so the model is decoded once per
 * executor, not once per task (~1 s for 200k nodes). Weak: freed with the broadcast.
 */
const decoded = new WeakMap<object, { model: TreeEnsemble; args: ScoreArgs }>();

function decodeScoreArgsOnce(value: unknown): { model: TreeEnsemble; args: ScoreArgs } {
  if (typeof value !== "object" || value === null) return decodeScoreArgs(value);
  let d = decoded.get(value);
  if (d === undefined) {
    d = decodeScoreArgs(value);
    decoded.set(value, d);
  }
  return d;
}

function decodeScoreArgs(value: unknown): { model: TreeEnsemble; args: ScoreArgs } {
  const v = asRecord(value, "scoring arguments");
  const m = asRecord(v.model, "scoring model");
  const binnings = decodeCompactBinnings(m.binnings);
  const trees = decodeCompactTrees(m.trees);
  const model = m.kind === "gbt"
    ? new GbtModel({ initScore: asNumber(m.initScore, "scoring model initScore"), trees, binnings })
    : new ForestModel({ trees, binnings });
  const names = (x: unknown, what: string) => {
    if (typeof x !== "string" || x.length === 0) throw new MalformedMessageError(`Malformed ${what}`);
    return x;
  };
  if (!Array.isArray(v.features) || v.features.length !== model.binnings.length) {
    throw new MalformedMessageError("Scoring features must name one column per model feature");
  }
  return {
    model,
    args: {
      features: v.features.map((f, i) => names(f, `scoring feature ${i}`)),
      probabilityCol: names(v.probabilityCol, "probability column"),
      predictionCol: names(v.predictionCol, "prediction column"),
      threshold: asNumber(v.threshold, "scoring threshold"),
      leafCol: v.leafCol === undefined ? undefined : names(v.leafCol, "leaf column"),
    },
  };
}

/** Leaf ordinals by node: `out[node]` is the node's rank among the tree's leaves (−1 inside). */
function leafOrdinals(tree: Tree): Int32Array {
  const out = new Int32Array(tree.numNodes).fill(-1);
  let k = 0;
  tree.arrays.feature.forEach((f, node) => f < 0 && (out[node] = k++));
  return out;
}

/** Map: every batch with the model's probability, prediction and (optionally) leaf columns. */
export const scoreTrees: MapPartitionsFn = function* (batches, ctx) {
  const { model, args } = decodeScoreArgsOnce(ctx.args);
  const added = scoreFields(model.trees.length, args);
  const ordinals = args.leafCol === undefined ? [] : model.trees.map(leafOrdinals);
  const width = model.binnings.length;
  for (const b of batches) {
    const n = b.length;
    const bins = binRows(model.binnings, args.features.map((f) => readColumn([b], f)), n);
    const probability = new Float64Array(n), prediction = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const p = model.probabilityBinned(bins, r * width);
      probability[r] = p;
      prediction[r] = p > args.threshold ? 1 : 0;
    }
    const columns: Vec[] = [
      ...b.columns,
      { type: "double", values: probability },
      { type: "double", values: prediction },
    ];
    model.trees.forEach((tree, t) => {
      const ord = ordinals[t];
      if (ord === undefined) return;
      const leaf = new Int32Array(n);
      for (let r = 0; r < n; r++) leaf[r] = ord[tree.leafOfBinned(bins, r * width)]!;
      columns.push({ type: "int", values: leaf });
    });
    yield { schema: [...b.schema, ...added], length: n, columns } satisfies Batch;
  }
};
