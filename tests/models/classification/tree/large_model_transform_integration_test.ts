/**
 * Scoring with tree models far beyond what travels with a task (512 KiB of arguments, ~45k
 * nodes): a trained boosted model and forest, their trees repeated to over 200k nodes, score on
 * two executors, embedded and process mode, exactly as the model scores locally.
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../../cluster/frontier.ts";
import { MAX_ARGS_BYTES } from "../../../../cluster/util/partition_value.ts";
import { fitGbtLocal } from "../../../../models/classification/gbt/fit_local.ts";
import { GbtModel } from "../../../../models/classification/gbt/gbt_model.ts";
import { fitForestLocal } from "../../../../models/classification/random_forest/fit_local.ts";
import { ForestModel } from "../../../../models/classification/random_forest/forest_model.ts";
import { encodeCompactTrees } from "../../../../models/classification/tree/compact_trees.ts";
import { Tree } from "../../../../models/classification/tree/tree_model.ts";
import { XOR_FEATURES, xorBatch } from "./cluster_test_util.ts";

const ROWS = 3_000;
const MIN_NODES = 200_000;

/** `trees` repeated `k` times, leaf values divided by `k` (so a boosted sum stays on scale). */
function repeated(trees: readonly Tree[], k: number, scale: boolean): Tree[] {
  const copies = trees.map((t) =>
    scale ? new Tree({ ...t.arrays, value: t.arrays.value.map((v) => v / k) }) : t
  );
  return Array.from({ length: k }, () => copies).flat();
}

function nodes(trees: readonly Tree[]): number {
  return trees.reduce((n, t) => n + t.numNodes, 0);
}

/** A boosted model and a forest trained on the XOR sample, grown past {@linkcode MIN_NODES} nodes. */
async function largeModels(): Promise<{ gbt: GbtModel; forest: ForestModel }> {
  const batch = xorBatch(ROWS, 11, { noise: 0.3 });
  const columns = XOR_FEATURES.map((_, f) => batch.columns[f]!.values as Float64Array);
  const labels = batch.columns[XOR_FEATURES.length]!.values as Float64Array;
  const data = { columns, labels };
  const kinds = ["numeric", "numeric", "categorical", "numeric"] as const;
  const gbt = (await fitGbtLocal(data, {
    params: { numRounds: 20, numLeaves: 255, minDataInLeaf: 1, learningRate: 0.1, seed: 3 },
    kinds,
    featureNames: XOR_FEATURES,
  })).model;
  const forest = (await fitForestLocal(data, {
    params: { numTrees: 8, maxDepth: 20, seed: 4 },
    kinds,
    featureNames: XOR_FEATURES,
  })).model;
  const k = (trees: readonly Tree[]) => Math.ceil(MIN_NODES / nodes(trees));
  return {
    gbt: new GbtModel({ ...gbt, trees: repeated(gbt.trees, k(gbt.trees), true) }),
    forest: new ForestModel({ ...forest, trees: repeated(forest.trees, k(forest.trees), false) }),
  };
}

async function scoresOnCluster(mode: "embedded" | "process", models: readonly (GbtModel | ForestModel)[]) {
  await using fx = await Frontier.start({ executors: 2, mode });
  const ds = await fx.fromBatch(xorBatch(ROWS, 12), { partitions: 4 });
  const out: number[][] = [];
  for (const model of models) {
    out.push((await model.transform(ds).select("probability").collect()).map((r) => r.probability as number));
  }
  const status = await fx.status();
  return { out, executors: status.executors.length };
}

Deno.test("tree models of over 200k nodes score on two executors exactly as locally, embedded and process mode", async () => {
  const { gbt, forest } = await largeModels();
  for (const model of [gbt, forest]) {
    assert.ok(nodes(model.trees) >= MIN_NODES, `${nodes(model.trees)} nodes`);
    const bytes = JSON.stringify(encodeCompactTrees(model.trees)).length;
    assert.ok(bytes > 4 * MAX_ARGS_BYTES, `the compact trees are ${bytes} bytes`);
  }
  const data = xorBatch(ROWS, 12);
  const columns = XOR_FEATURES.map((_, f) => data.columns[f]!.values as Float64Array);
  const local = [gbt, forest].map((m) => [...m.predictColumns(columns, ROWS)]);
  assert.ok(new Set(local[0]).size > 100, "the boosted scores are not saturated");
  for (const mode of ["embedded", "process"] as const) {
    const { out, executors } = await scoresOnCluster(mode, [gbt, forest]);
    assert.equal(executors, 2);
    assert.deepEqual(out[0], local[0], `boosted model, ${mode}`);
    assert.deepEqual(out[1], local[1], `forest, ${mode}`);
  }
});
