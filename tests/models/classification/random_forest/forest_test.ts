import assert from "node:assert/strict";
import { fitForestLocal } from "../../../../models/classification/random_forest/fit_local.ts";
import { RandomForestClassifier } from "../../../../models/classification/random_forest/forest_classifier.ts";
import { ForestModel } from "../../../../models/classification/random_forest/forest_model.ts";
import {
  featuresPerNode,
  resolveForestParams,
} from "../../../../models/classification/random_forest/params.ts";
import { bootstrapCounts } from "../../../../models/classification/tree/sampling.ts";
import { rocAuc, XOR_KINDS, xorSample } from "../tree/tree_test_util.ts";

Deno.test("a weighted forest is byte-identical on 1, 2 and 3 shards and through the wire format", async () => {
  const sample = xorSample(1500, { seed: 21, noise: 0.05 });
  const train = { ...sample, weights: sample.labels.map((y, i) => (y === 1 ? 3.3 : 1) * (1 + (i % 3) / 10)) };
  const params = { numTrees: 9, maxDepth: 6, treesPerGroup: 4, seed: 5, minInstancesPerNode: 2 };
  const runs: string[] = [];
  for (const [shards, wire] of [[1, false], [2, true], [3, false], [3, true]] as const) {
    const { model } = await fitForestLocal(train, { params, kinds: XOR_KINDS, shards, wire });
    runs.push(JSON.stringify(model.toJSON()));
  }
  for (const r of runs.slice(1)) assert.equal(r, runs[0]);
});

Deno.test("bootstrap counts depend on (seed, tree, row id) only, not on how rows are sharded", () => {
  const ids = Float64Array.from({ length: 30_000 }, (_, i) => 1_000_000 + 7 * i);
  const trees = [0, 1, 17];
  const whole = bootstrapCounts(ids, 42, trees);
  const cuts = [0, 9_999, 10_000, 25_001, 30_000];
  const parts = cuts.slice(1).map((end, i) => bootstrapCounts(ids.slice(cuts[i], end), 42, trees));
  trees.forEach((_, t) => {
    const joined = new Uint8Array(ids.length);
    let at = 0;
    for (const p of parts) {
      joined.set(p[t]!, at);
      at += p[t]!.length;
    }
    assert.deepEqual(joined, whole[t]);
    // Poisson(1): mean 1, P(0) = e^-1 (30 000 draws: 4 standard errors)
    const mean = whole[t]!.reduce((s, x) => s + x, 0) / ids.length;
    const zeros = whole[t]!.filter((x) => x === 0).length / ids.length;
    assert.ok(Math.abs(mean - 1) < 0.025, `mean ${mean}`);
    assert.ok(Math.abs(zeros - Math.exp(-1)) < 0.012, `P(0) ${zeros}`);
  });
  assert.notDeepEqual(whole[0], whole[1]);
  assert.notDeepEqual(bootstrapCounts(ids, 43, [0])[0], whole[0]);
});

Deno.test("a forest separates an XOR problem and respects depth and leaf size", async () => {
  const train = xorSample(3000, { seed: 22, noise: 0.02, missing: false });
  const test = xorSample(2000, { seed: 23, missing: false });
  const params = { numTrees: 25, maxDepth: 7, minInstancesPerNode: 5, featureSubsetStrategy: "all" } as const;
  const { model } = await fitForestLocal(train, { params, kinds: XOR_KINDS, shards: 2 });
  const auc = rocAuc(model.predictColumns(test.columns, 2000), test.labels);
  assert.ok(auc > 0.97, `test AUC ${auc}`);
  for (const tree of model.trees) {
    assert.ok(tree.depth() <= 7);
    const { feature, count } = tree.arrays;
    feature.forEach((f, i) => f < 0 && assert.ok(count[i]! >= 5, `leaf ${i} has ${count[i]} rows`));
  }
  const importance = model.featureImportance();
  assert.ok(Math.abs(importance.reduce((s, x) => s + x, 0) - 1) < 1e-12);
  assert.ok(
    importance[3]! < Math.min(importance[0]!, importance[1]!, importance[2]!),
    `importance ${importance}`,
  );
});

Deno.test("a forest grown without memory for histograms (both children built, one split per round trip) is the same", async () => {
  const train = xorSample(1200, { seed: 24, noise: 0.1 });
  const base = {
    numTrees: 4,
    maxDepth: 6,
    impurity: "entropy",
    featureSubsetStrategy: "sqrt",
    seed: 3,
  } as const;
  const roomy = await fitForestLocal(train, { params: base, kinds: XOR_KINDS, shards: 2 });
  const tight = await fitForestLocal(train, {
    params: { ...base, maxMemoryMB: 0 },
    kinds: XOR_KINDS,
    shards: 2,
  });
  assert.equal(JSON.stringify(tight.model.toJSON()), JSON.stringify(roomy.model.toJSON()));
  assert.ok(tight.requests > 5 * roomy.requests, `${tight.requests} vs ${roomy.requests} round trips`);
});

Deno.test("forest predictions from raw rows equal those from binned rows, and models survive JSON", async () => {
  const train = xorSample(1000, { seed: 25, noise: 0.1 });
  const { model } = await fitForestLocal(train, { params: { numTrees: 6, maxDepth: 5 }, kinds: XOR_KINDS });
  const test = xorSample(800, { seed: 26 });
  test.columns[2]!.forEach((_, i) => i % 13 === 0 && (test.columns[2]![i] = 77));
  assert.deepEqual(model.predictColumns(test.columns, 800), model.predictColumnsBinned(test.columns, 800));
  const text = JSON.stringify(model.toJSON());
  assert.equal(JSON.stringify(ForestModel.fromJSON(JSON.parse(text)).toJSON()), text);
  assert.throws(() => ForestModel.fromJSON({ ...JSON.parse(text), version: 2 }), /version 2/);
});

Deno.test("forest parameters are validated with the parameter's name and range", () => {
  assert.throws(
    () => resolveForestParams({ numTrees: 0 }),
    /numTrees must be an integer in \[1, 100000\], got 0/,
  );
  assert.throws(() => resolveForestParams({ maxDepth: 21 }), /maxDepth/);
  assert.throws(
    () => resolveForestParams({ featureSubsetStrategy: "half" as "all" }),
    /featureSubsetStrategy must be one of/,
  );
  assert.throws(
    () => resolveForestParams({ featureSubsetStrategy: 0 }),
    /featureSubsetStrategy must be a number in \(0, 1\]/,
  );
  assert.throws(() => resolveForestParams({ impurity: "mse" as "gini" }), /impurity/);
  const p = resolveForestParams({ numTrees: 10 });
  assert.deepEqual([20, 16, 3, 1].map((f) => featuresPerNode(p, f)), [5, 4, 2, 1]);
  assert.equal(featuresPerNode(resolveForestParams({ numTrees: 1 }), 20), 20);
  assert.equal(featuresPerNode(resolveForestParams({ featureSubsetStrategy: "log2" }), 20), 5);
  assert.equal(featuresPerNode(resolveForestParams({ featureSubsetStrategy: 0.3 }), 20), 6);
});

Deno.test("RandomForestClassifier validates at construction and fits like fitForestLocal", async () => {
  assert.throws(
    () => new RandomForestClassifier({ minInfoGain: -1 }),
    /minInfoGain must be a number in \[0, 1\], got -1/,
  );
  const train = xorSample(400, { seed: 27 });
  const params = { numTrees: 3, maxDepth: 4 };
  const a = await new RandomForestClassifier(params).fitLocal(train, { kinds: XOR_KINDS });
  const b = await fitForestLocal(train, { params, kinds: XOR_KINDS });
  assert.equal(JSON.stringify(a.model.toJSON()), JSON.stringify(b.model.toJSON()));
});
