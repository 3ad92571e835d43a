import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import { fitGbtLocal } from "../../../../models/classification/gbt/fit_local.ts";
import { GbtClassifier } from "../../../../models/classification/gbt/gbt_classifier.ts";
import { GbtModel } from "../../../../models/classification/gbt/gbt_model.ts";
import { GbtShard } from "../../../../models/classification/gbt/gbt_shard.ts";
import { resolveGbtParams } from "../../../../models/classification/gbt/params.ts";
import { binRows } from "../../../../models/classification/tree/binning.ts";
import { fitBinnings, shardLocalData } from "../../../../models/classification/tree/local_data.ts";
import { rocAuc, XOR_KINDS, xorSample } from "../tree/tree_test_util.ts";

const SMALL = { numLeaves: 8, minDataInLeaf: 5, learningRate: 0.3 };

Deno.test("boosting gives byte-identical models and losses on 1, 2 and 3 shards, with weights, bagging and feature sampling", async () => {
  const sample = xorSample(1500, { seed: 5, noise: 0.05 });
  const train = { ...sample, weights: sample.labels.map((y, i) => (y === 1 ? 2.5 : 1) * (1 + (i % 5) / 7)) };
  const valid = xorSample(400, { seed: 6, noise: 0.05 });
  const params = {
    ...SMALL,
    numRounds: 12,
    baggingFraction: 0.7,
    featureFraction: 0.75,
    seed: 9,
    splitsPerRound: 2,
  };
  const runs = [];
  for (const [shards, wire] of [[1, false], [2, true], [3, false], [3, true]] as const) {
    const r = await fitGbtLocal(train, { params, kinds: XOR_KINDS, shards, wire, validation: valid });
    runs.push({ model: JSON.stringify(r.model.toJSON()), train: r.trainLoss, valid: r.validationLoss });
  }
  for (const r of runs.slice(1)) assert.deepEqual(r, runs[0]);
  assert.ok(runs[0]!.model.length > 1000);
});

Deno.test("boosting reaches near-perfect AUC on an XOR problem and its training loss never increases", async () => {
  const train = xorSample(3000, { seed: 1, missing: false });
  const test = xorSample(2000, { seed: 2, missing: false });
  const r = await fitGbtLocal(train, { params: { ...SMALL, numRounds: 60 }, kinds: XOR_KINDS, shards: 2 });
  assert.equal(r.trainLoss.length, 61);
  r.trainLoss.slice(1).forEach((loss, i) =>
    assert.ok(loss <= r.trainLoss[i]!, `round ${i + 1}: ${loss} > ${r.trainLoss[i]}`)
  );
  assert.ok(r.trainLoss[60]! < 0.1 * r.trainLoss[0]!, `final loss ${r.trainLoss[60]}`);
  const auc = rocAuc(r.model.predictColumns(test.columns, 2000), test.labels);
  assert.ok(auc > 0.99, `test AUC ${auc}`);
  // the noise feature (3) matters least
  const importance = r.model.featureImportance();
  assert.ok(
    importance[3]! < Math.min(importance[0]!, importance[1]!, importance[2]!),
    `importance ${importance}`,
  );
});

Deno.test("predictions from raw rows equal predictions from binned rows, missing and unseen categories included", async () => {
  const train = xorSample(1200, { seed: 3, noise: 0.1 });
  const { model } = await fitGbtLocal(train, { params: { ...SMALL, numRounds: 15 }, kinds: XOR_KINDS });
  const test = xorSample(1000, { seed: 4 });
  test.columns[2]!.forEach((_, i) => i % 17 === 0 && (test.columns[2]![i] = 99)); // unseen category
  test.columns[0]!.forEach((_, i) => i % 23 === 0 && (test.columns[0]![i] = Infinity));
  const bins = binRows(model.binnings, test.columns, 1000);
  const raw = model.predictColumns(test.columns, 1000);
  const binned = model.predictColumnsBinned(test.columns, 1000);
  assert.deepEqual(raw, binned);
  for (const tree of model.trees) {
    for (let r = 0; r < 1000; r++) {
      const row = test.columns.map((c) => c[r]!);
      assert.equal(tree.leafOfRow(row), tree.leafOfBinned(bins, r * 4));
    }
  }
  assert.ok(
    model.trees.some((t) => t.arrays.catIndex.some((c) => c >= 0)),
    "no categorical split was tested",
  );
});

Deno.test("early stopping stops `patience` rounds after the best validation loss and keeps the best trees", async () => {
  const train = xorSample(1500, { seed: 7, noise: 0.1 });
  const valid = xorSample(600, { seed: 8, noise: 0.1 });
  valid.labels.forEach((y, i) => i % 3 === 0 && (valid.labels[i] = 1 - y)); // overfitting shows early
  const patience = 4;
  const r = await fitGbtLocal(train, {
    params: { ...SMALL, numRounds: 200, earlyStoppingRounds: patience, numLeaves: 31, minDataInLeaf: 2 },
    kinds: XOR_KINDS,
    validation: valid,
  });
  assert.ok(r.stoppedEarly);
  const losses = r.validationLoss;
  const bestRound = losses.indexOf(Math.min(...losses));
  assert.equal(r.bestIteration, bestRound + 1);
  assert.equal(r.roundsTrained, bestRound + 1 + patience);
  assert.equal(losses.length, r.roundsTrained);
  assert.equal(r.model.trees.length, r.bestIteration);
  assert.ok(losses.slice(bestRound + 1).every((l) => l > losses[bestRound]!));
  assert.ok(r.roundsTrained < 200);
});

Deno.test("boosted models survive JSON and other kinds or versions are refused", async () => {
  const train = xorSample(500, { seed: 10 });
  const { model } = await fitGbtLocal(train, {
    params: { ...SMALL, numRounds: 5 },
    kinds: XOR_KINDS,
    featureNames: ["a", "b", "c", "noise"],
  });
  const text = JSON.stringify(model.toJSON());
  const back = GbtModel.fromJSON(JSON.parse(text));
  assert.equal(JSON.stringify(back.toJSON()), text);
  assert.deepEqual(back.featureNames, ["a", "b", "c", "noise"]);
  assert.throws(() => GbtModel.fromJSON({ ...JSON.parse(text), version: 99 }), /version 99/);
  assert.throws(() => GbtModel.fromJSON({ ...JSON.parse(text), kind: "forest" }), /kind forest/);
  const tampered = JSON.parse(text);
  tampered.trees[0].left[0] = 0;
  assert.throws(() => GbtModel.fromJSON(tampered), /children/);
});

Deno.test("boosting parameters are validated at construction with the parameter's name and range", () => {
  assert.throws(
    () => resolveGbtParams({ numLeaves: 1 }),
    /numLeaves must be an integer in \[2, 131072\], got 1/,
  );
  assert.throws(() => resolveGbtParams({ learningRate: 0 }), /learningRate must be a number in \(0, 1\]/);
  assert.throws(() => resolveGbtParams({ featureFraction: 1.5 }), RangeError);
  assert.throws(() => resolveGbtParams({ maxDepth: 2.5 }), /maxDepth/);
  assert.throws(() => resolveGbtParams({ maxBins: 256 }), /maxBins/);
  assert.throws(() => resolveGbtParams({ earlyStoppingRounds: 0 }), /earlyStoppingRounds/);
  assert.throws(() => resolveGbtParams({ catL2: -1 }), /catL2 must be a number in \[0, 1000000000000\]/);
  assert.throws(() => resolveGbtParams({ maxCatThreshold: 0 }), /maxCatThreshold/);
  assert.throws(() => resolveGbtParams({ minDataPerGroup: 1.5 }), /minDataPerGroup/);
  assert.throws(() => resolveGbtParams({ maxCatToOnehot: -1 }), /maxCatToOnehot/);
  assert.equal(resolveGbtParams().numLeaves, 31);
  // LightGBM's categorical defaults
  const p = resolveGbtParams();
  assert.deepEqual([p.catSmooth, p.catL2, p.maxCatThreshold, p.minDataPerGroup, p.maxCatToOnehot], [
    10,
    10,
    32,
    100,
    4,
  ]);
});

Deno.test("a stump on many categories values its leaves with lambdaL2 + catL2, one on few categories without", async () => {
  // 6 categories with positive rates 0.1 … 0.6; 2 categories for the one-against-the-rest case
  const rows = 1200;
  const many = Float64Array.from({ length: rows }, (_, i) => i % 6);
  const few = Float64Array.from({ length: rows }, (_, i) => i % 2);
  const labels = Uint8Array.from({ length: rows }, (_, i) => ((i * 7919) % 100 < 10 * (1 + (i % 6)) ? 1 : 0));
  const stump = {
    numRounds: 1,
    numLeaves: 2,
    learningRate: 1,
    minDataInLeaf: 1,
    lambdaL2: 1,
    trainLoss: false,
  };
  for (const [codes, catL2] of [[many, 10], [many, 0], [few, 10]] as const) {
    const { model } = await fitGbtLocal({ columns: [codes], labels }, {
      params: { ...stump, catL2 },
      kinds: ["categorical"],
    });
    // independently: gradients p − y and hessians p(1 − p) at the initial score, per leaf
    const p = 1 / (1 + Math.exp(-model.initScore));
    const out = Array.from(
      model.predictColumns([codes], rows),
      (q) => Math.log(q / (1 - q)) - model.initScore,
    );
    const leaves = [...new Set(out.map((v) => v.toFixed(9)))];
    assert.equal(leaves.length, 2);
    const l2 = 1 + (codes === many ? catL2 : 0);
    for (const leaf of leaves) {
      let g = 0, h = 0;
      out.forEach((v, i) => {
        if (v.toFixed(9) !== leaf) return;
        g += p - labels[i]!;
        h += p * (1 - p);
      });
      assert.ok(Math.abs(Number(leaf) - -g / (h + l2)) < 1e-6, `catL2 ${catL2}: ${leaf} vs ${-g / (h + l2)}`);
    }
  }
});

Deno.test("a boosting shard that lost its scores refuses the round instead of training on stale state", () => {
  const data = xorSample(100, { seed: 11 });
  const binnings = fitBinnings(data.columns, { kinds: XOR_KINDS });
  const shard = new GbtShard(shardLocalData(binnings, data)[0]!);
  const round = {
    type: "gbt.round",
    round: 3,
    tree: undefined,
    scale: 2 ** 20,
    lossScale: 2 ** 10,
    baggingFraction: 1,
    seed: 0,
  } as const;
  assert.throws(() => shard.handle({ ...round, round: 0 }), /no scores/);
  shard.handle({ type: "gbt.init", initScore: 0 });
  assert.throws(() => shard.handle(round), MalformedMessageError);
  assert.throws(() => shard.handle(round), /applied 0 trees, the driver expected 3/);
});

Deno.test("GbtClassifier validates at construction and fits like fitGbtLocal", async () => {
  assert.throws(
    () => new GbtClassifier({ numRounds: 0 }),
    /numRounds must be an integer in \[1, 1000000\], got 0/,
  );
  const train = xorSample(400, { seed: 12 });
  const params = { ...SMALL, numRounds: 4 };
  const a = await new GbtClassifier(params).fitLocal(train, { kinds: XOR_KINDS });
  const b = await fitGbtLocal(train, { params, kinds: XOR_KINDS });
  assert.equal(JSON.stringify(a.model.toJSON()), JSON.stringify(b.model.toJSON()));
});

Deno.test("lookahead changes the number of round trips, never the model", async () => {
  const sample = xorSample(3000, { seed: 13, noise: 0.1 });
  for (const extra of [{}, { maxDepth: 4 }, { baggingFraction: 0.7, featureFraction: 0.5 }]) {
    const runs = [];
    for (const lookahead of [0, 1, 4, 16, 64]) {
      const params = { numRounds: 5, numLeaves: 31, minDataInLeaf: 10, lookahead, seed: 3, ...extra };
      const r = await fitGbtLocal(sample, { params, kinds: XOR_KINDS, shards: 2 });
      runs.push({ lookahead, model: JSON.stringify(r.model.toJSON()), requests: r.requests });
    }
    for (const r of runs.slice(1)) {
      assert.equal(r.model, runs[0]!.model, `lookahead ${r.lookahead}, ${JSON.stringify(extra)}`);
    }
    const requests = runs.map((r) => r.requests);
    console.log(`round trips by lookahead 0, 1, 4, 16, 64 (${JSON.stringify(extra)}): ${requests}`);
    assert.ok(requests[4]! < 0.7 * requests[0]!, `round trips by lookahead: ${requests}`);
    for (let i = 1; i < requests.length; i++) assert.ok(requests[i]! <= requests[i - 1]!, `${requests}`);
  }
});

Deno.test("trainLoss off: the same model and validation losses, no training losses, and no loss request at the end", async () => {
  const train = xorSample(1200, { seed: 7, noise: 0.05 });
  const valid = xorSample(300, { seed: 8, noise: 0.05 });
  const params = { ...SMALL, numRounds: 10, baggingFraction: 0.8, seed: 3 };
  const on = await fitGbtLocal(train, { params, kinds: XOR_KINDS, shards: 2, wire: true, validation: valid });
  const rounds: (number | undefined)[] = [];
  const off = await fitGbtLocal(train, {
    params: { ...params, trainLoss: false },
    kinds: XOR_KINDS,
    shards: 2,
    wire: true,
    validation: valid,
    onRound: (info) => rounds.push(info.trainLoss),
  });
  assert.equal(JSON.stringify(off.model.toJSON()), JSON.stringify(on.model.toJSON()));
  assert.deepEqual(off.validationLoss, on.validationLoss);
  assert.equal(on.trainLoss.length, 11);
  assert.deepEqual(off.trainLoss, []);
  assert.deepEqual(rounds, Array(10).fill(undefined));
  assert.equal(off.requests, on.requests - 1);
  assert.throws(
    () => resolveGbtParams({ trainLoss: "no" as unknown as boolean }),
    /trainLoss must be true or false/,
  );
});
