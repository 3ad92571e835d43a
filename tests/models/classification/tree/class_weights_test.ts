/**
 * Class weights of boosted trees and forests, checked against an independent computation: an
 * integer class weight `k` trains the same model as `k` copies of each row of that class, and
 * `"balanced"` the same as the explicit weights n / (2 · n_class) computed here.
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../../cluster/frontier.ts";
import { fitGbtCluster } from "../../../../models/classification/gbt/fit_cluster.ts";
import { decodeGbtReplay, GbtJournal } from "../../../../models/classification/gbt/gbt_journal.ts";
import { fitGbtLocal } from "../../../../models/classification/gbt/fit_local.ts";
import { GbtClassifier } from "../../../../models/classification/gbt/gbt_classifier.ts";
import { fitForestCluster } from "../../../../models/classification/random_forest/fit_cluster.ts";
import {
  decodeForestReplay,
  ForestJournal,
} from "../../../../models/classification/random_forest/forest_journal.ts";
import { fitForestLocal } from "../../../../models/classification/random_forest/fit_local.ts";
import { RandomForestClassifier } from "../../../../models/classification/random_forest/forest_classifier.ts";
import type { TreeClassWeight } from "../../../../models/classification/tree/class_weights.ts";
import { fitBinnings } from "../../../../models/classification/tree/local_data.ts";
import { XOR_COLUMNS, xorBatch } from "./cluster_test_util.ts";
import { rocAuc, XOR_KINDS, xorSample } from "./tree_test_util.ts";

/** From `n` XOR rows (default 300) about a quarter positive, features on a grid of 32 values (exact bins), dyadic weights. */
function imbalanced(
  seed: number,
  n = 300,
): { columns: Float64Array[]; labels: Float64Array; weights: Float64Array } {
  const s = xorSample(n, { seed, noise: 0.05 });
  const keep = s.labels.map((y, i) => (y === 0 || i % 3 === 0 ? 1 : 0));
  const rows = [...keep.keys()].filter((i) => keep[i] === 1);
  const columns = s.columns.map((c, f) =>
    Float64Array.from(rows, (i) => (f === 2 || Number.isNaN(c[i]!) ? c[i]! : Math.round(c[i]! * 16) / 16))
  );
  return {
    columns,
    labels: Float64Array.from(rows, (i) => s.labels[i]!),
    weights: Float64Array.from(rows, (i) => [1, 0.5, 1.5, 2][i % 4]!),
  };
}

/** `data` with each row of class `y` repeated `copies[y]` times. */
function duplicated(data: ReturnType<typeof imbalanced>, copies: readonly [number, number]) {
  const rows: number[] = [];
  data.labels.forEach((y, i) => {
    for (let k = 0; k < copies[y]!; k++) rows.push(i);
  });
  return {
    columns: data.columns.map((c) => Float64Array.from(rows, (i) => c[i]!)),
    labels: Float64Array.from(rows, (i) => data.labels[i]!),
    weights: Float64Array.from(rows, (i) => data.weights[i]!),
  };
}

/**
 * A model's JSON without what follows row counts, not weights (copies of a row are more rows):
 * the nodes' counts and the side missing values take at nodes that saw none (the larger child).
 */
function withoutCounts(model: { toJSON(): Record<string, unknown> }): string {
  return JSON.stringify(
    model.toJSON(),
    (key, value) => (key === "count" || key === "defaultLeft" ? undefined : value),
  );
}

// LightGBM's categorical rules off: they count rows (a weight k and k copies give the same sums,
// not the same counts) and add an L2 in hessian units (whose weight class weights change).
const GBT = {
  numRounds: 8,
  numLeaves: 8,
  minDataInLeaf: 1,
  minDataPerGroup: 1,
  catSmooth: 0,
  catL2: 0,
  learningRate: 0.3,
  seed: 4,
};
const FOREST = { numTrees: 4, maxDepth: 5, bootstrap: false, seed: 4 };

Deno.test("an integer class weight k trains the same boosted model as k copies of each row of that class", async () => {
  const data = imbalanced(31);
  const binnings = fitBinnings(data.columns, { kinds: XOR_KINDS });
  for (const cw of [[1, 3], [2, 1]] as const) {
    const weighted = await fitGbtLocal(data, { params: { ...GBT, classWeight: cw }, binnings, shards: 2 });
    const copies = await fitGbtLocal(duplicated(data, cw), { params: GBT, binnings, shards: 3 });
    assert.equal(withoutCounts(weighted.model), withoutCounts(copies.model), `classWeight ${cw}`);
    // the losses sit on grids fitted to each data's rows: equal to rounding
    weighted.trainLoss.forEach((loss, i) => assert.ok(Math.abs(loss - copies.trainLoss[i]!) < 1e-10));
    const plain = await fitGbtLocal(data, { params: GBT, binnings });
    assert.notEqual(withoutCounts(weighted.model), withoutCounts(plain.model));
  }
});

Deno.test("an integer class weight k trains the same forest as k copies of each row of that class", async () => {
  const data = imbalanced(32);
  const binnings = fitBinnings(data.columns, { kinds: XOR_KINDS });
  for (const impurity of ["gini", "entropy"] as const) {
    const params = { ...FOREST, impurity };
    const cw = [1, 3] as const;
    const weighted = await fitForestLocal(data, {
      params: { ...params, classWeight: cw },
      binnings,
      shards: 2,
    });
    const copies = await fitForestLocal(duplicated(data, cw), { params, binnings, shards: 3 });
    assert.equal(withoutCounts(weighted.model), withoutCounts(copies.model), impurity);
    const plain = await fitForestLocal(data, { params, binnings });
    assert.notEqual(withoutCounts(weighted.model), withoutCounts(plain.model));
  }
});

Deno.test('"balanced" equals the explicit weights W / (2 · W_class) computed from the training rows', async () => {
  const data = imbalanced(33);
  const w = [0, 0];
  data.labels.forEach((y, i) => (w[y]! += data.weights[i]!));
  const total = w[0]! + w[1]!;
  const explicit = [total / (2 * w[0]!), total / (2 * w[1]!)] as const;
  assert.ok(explicit[1] > 1.5 * explicit[0], `weights ${explicit}`);
  const fits = async (classWeight: TreeClassWeight) => ({
    gbt: (await fitGbtLocal(data, { params: { ...GBT, classWeight }, kinds: XOR_KINDS, shards: 2 })).model,
    forest:
      (await fitForestLocal(data, { params: { ...FOREST, classWeight }, kinds: XOR_KINDS, shards: 2 })).model,
  });
  const balanced = await fits("balanced"), manual = await fits(explicit);
  assert.equal(JSON.stringify(balanced.gbt.toJSON()), JSON.stringify(manual.gbt.toJSON()));
  assert.equal(JSON.stringify(balanced.forest.toJSON()), JSON.stringify(manual.forest.toJSON()));
  // balanced classes carry equal weight: the boosted model starts at log-odds 0
  assert.ok(Math.abs(balanced.gbt.initScore) < 1e-12, `initScore ${balanced.gbt.initScore}`);
  // without class weights it starts at the weighted log-odds of the positives
  const plain = (await fitGbtLocal(data, { params: GBT, kinds: XOR_KINDS })).model;
  assert.ok(plain.initScore < -0.5, `initScore ${plain.initScore}`);
});

Deno.test("class-weighted boosted and forest models are byte-identical for any layout, through the wire format", async () => {
  const data = imbalanced(34);
  const gbts: string[] = [], forests: string[] = [];
  for (const [shards, wire] of [[1, false], [2, true], [3, true]] as const) {
    const options = { kinds: XOR_KINDS, shards, wire };
    const gbt = await fitGbtLocal(data, {
      ...options,
      params: { ...GBT, classWeight: "balanced", baggingFraction: 0.7, featureFraction: 0.75 },
    });
    gbts.push(JSON.stringify(gbt.model.toJSON()));
    const forest = await fitForestLocal(data, {
      ...options,
      params: { ...FOREST, bootstrap: true, classWeight: [1, 2.7] },
    });
    forests.push(JSON.stringify(forest.model.toJSON()));
  }
  for (const g of gbts.slice(1)) assert.equal(g, gbts[0]);
  for (const f of forests.slice(1)) assert.equal(f, forests[0]);

  const batch = xorBatch(1500, 35);
  const cluster: { gbt: string; forest: string }[] = [];
  for (const [executors, partitions] of [[1, 1], [2, 3]] as const) {
    await using fx = await Frontier.start({ executors });
    const ds = await fx.fromBatch(batch, { partitions });
    const gbt = await fitGbtCluster(ds, { ...XOR_COLUMNS, params: { ...GBT, classWeight: "balanced" } });
    const forest = await fitForestCluster(ds, {
      ...XOR_COLUMNS,
      params: { ...FOREST, classWeight: "balanced" },
    });
    cluster.push({ gbt: JSON.stringify(gbt.model.toJSON()), forest: JSON.stringify(forest.model.toJSON()) });
  }
  assert.deepEqual(cluster[1], cluster[0]);
  assert.ok(cluster[0]!.gbt.length > 2_000 && cluster[0]!.forest.length > 2_000);
});

Deno.test("balanced class weights raise the predicted probability of a rare class and keep its ranking", async () => {
  const data = imbalanced(36, 3000), test = imbalanced(37, 3000);
  const mean = (p: Float64Array) => p.reduce((a, b) => a + b, 0) / p.length;
  const plain = (await fitGbtLocal(data, { params: GBT, kinds: XOR_KINDS })).model;
  const balanced =
    (await fitGbtLocal(data, { params: { ...GBT, classWeight: "balanced" }, kinds: XOR_KINDS }))
      .model;
  const n = test.labels.length;
  const p0 = plain.predictColumns(test.columns, n), p1 = balanced.predictColumns(test.columns, n);
  assert.ok(mean(p1) > mean(p0) + 0.1, `mean probability ${mean(p0)} → ${mean(p1)}`);
  // measured: mean 0.256 → 0.474, AUC 0.678 → 0.693
  const auc0 = rocAuc(p0, test.labels), auc1 = rocAuc(p1, test.labels);
  assert.ok(auc1 > auc0 - 0.02 && auc1 > 0.65, `AUC ${auc0} → ${auc1}`);
});

Deno.test("classWeight is validated at construction with a RangeError naming it", () => {
  const bad: unknown[] = ["balance", [1], [1, 2, 3], [0, 1], [1, -2], [1, Infinity], [1, NaN], {
    negative: 1,
    positive: 2,
  }, 2];
  for (const classWeight of bad) {
    for (
      const make of [
        () => new GbtClassifier({ classWeight: classWeight as TreeClassWeight }),
        () => new RandomForestClassifier({ classWeight: classWeight as TreeClassWeight }),
      ]
    ) {
      assert.throws(make, (e: unknown) => {
        assert.ok(e instanceof RangeError);
        assert.match(
          e.message,
          /^classWeight must be "balanced" or \[w0, w1\] with each weight in \(0, Infinity\), got /,
        );
        return true;
      });
    }
  }
  assert.deepEqual(new GbtClassifier({ classWeight: [1, 4] }).params.classWeight, [1, 4]);
  assert.equal(new RandomForestClassifier({ classWeight: "balanced" }).params.classWeight, "balanced");
  assert.equal(new RandomForestClassifier().params.classWeight, undefined);
});

Deno.test("a lost shard's replay keeps the class weights of the tree being grown", () => {
  const gbt = new GbtJournal();
  gbt.record({ type: "gbt.init", initScore: 0 });
  const settings = { round: 0, scale: 2 ** 30, lossScale: 2 ** 20, baggingFraction: 1, seed: 1 };
  gbt.record({ type: "gbt.round", tree: undefined, ...settings, classWeights: [0.6, 3.25] });
  assert.deepEqual(decodeGbtReplay(JSON.parse(JSON.stringify(gbt.replay()))).round, {
    ...settings,
    classWeights: [0.6, 3.25],
  });
  const forest = new ForestJournal();
  const start = { trees: [0, 1], seed: 2, bootstrap: true, scale: 2 ** 30, classWeights: [1, 7] as const };
  forest.record({ type: "rf.start", ...start });
  assert.deepEqual(decodeForestReplay(JSON.parse(JSON.stringify(forest.replay()))).start, start);
});
