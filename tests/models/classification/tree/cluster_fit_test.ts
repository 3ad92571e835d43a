/**
 * Tree training on a cluster: the same models as in one process, whatever the layout; scoring on
 * the executors; executor state released when training ends.
 */
import assert from "node:assert/strict";
import type { Batch } from "../../../../cluster/columnar/batch.ts";
import { SchemaError } from "../../../../cluster/errors.ts";
import { Frontier } from "../../../../cluster/frontier.ts";
import { fitGbtCluster } from "../../../../models/classification/gbt/fit_cluster.ts";
import { fitGbtLocal } from "../../../../models/classification/gbt/fit_local.ts";
import { GbtClassifier } from "../../../../models/classification/gbt/gbt_classifier.ts";
import { fitForestCluster } from "../../../../models/classification/random_forest/fit_cluster.ts";
import { fitForestLocal } from "../../../../models/classification/random_forest/fit_local.ts";
import { XOR_KINDS } from "./tree_test_util.ts";
import type { Json } from "../../../../actors/errors.ts";
import { trainGbt } from "../../../../models/classification/gbt/booster.ts";
import { GbtJournal } from "../../../../models/classification/gbt/gbt_journal.ts";
import type { GbtRequest } from "../../../../models/classification/gbt/gbt_protocol.ts";
import { resolveGbtParams } from "../../../../models/classification/gbt/params.ts";
import {
  ClusterShardGroup,
  type ShardJournal,
} from "../../../../models/classification/tree/cluster_shard_group.ts";
import {
  columnSource,
  prepareShards,
  TrainingSession,
} from "../../../../models/classification/tree/cluster_training.ts";
import { startMemoryCluster, XOR_COLUMNS, XOR_FEATURES, xorBatch } from "./cluster_test_util.ts";

const GBT = {
  numRounds: 8,
  numLeaves: 8,
  minDataInLeaf: 5,
  baggingFraction: 0.8,
  featureFraction: 0.75,
  learningRate: 0.3,
  seed: 7,
};
const FOREST = { numTrees: 6, maxDepth: 5, treesPerGroup: 4, seed: 3, minInstancesPerNode: 2 };

function local(batch: Batch) {
  const col = (i: number) => {
    const c = batch.columns[i]!;
    if (c.type !== "double") throw new TypeError("expected doubles");
    return c.values;
  };
  return { columns: [0, 1, 2, 3].map(col), labels: col(4), weights: col(5) };
}

Deno.test("cluster boosting and forests give the single-process models (weights, categories, bagging, early stopping)", async () => {
  const batch = xorBatch(1500, 51);
  const validBatch = xorBatch(500, 52, { noise: 0.2 });
  const params = { ...GBT, numRounds: 40, earlyStoppingRounds: 3 };
  const gbtLocal = await fitGbtLocal(local(batch), {
    params,
    kinds: XOR_KINDS,
    featureNames: XOR_FEATURES,
    validation: local(validBatch),
  });
  const rfLocal = await fitForestLocal(local(batch), {
    params: FOREST,
    kinds: XOR_KINDS,
    featureNames: XOR_FEATURES,
  });
  await using fx = await Frontier.start({ executors: 2 });
  const train = await fx.fromBatch(batch, { partitions: 3 });
  const gbt = await new GbtClassifier(params).fit(train, {
    ...XOR_COLUMNS,
    validation: await fx.fromBatch(validBatch, { partitions: 2 }),
  });
  assert.ok(gbt.stoppedEarly, "early stopping is exercised");
  assert.equal(JSON.stringify(gbt.model.toJSON()), JSON.stringify(gbtLocal.model.toJSON()));
  assert.deepEqual([gbt.trainLoss, gbt.validationLoss], [gbtLocal.trainLoss, gbtLocal.validationLoss]);
  assert.equal(gbt.cluster.replays, 0);
  // A job per request (the validation rows get gbt.init and a gbt.apply per round), plus the row
  // counts and the binning sample of the training rows and the row counts of the validation rows.
  assert.equal(gbt.cluster.jobs, gbt.requests + (1 + gbt.validationLoss.length) + 2 + 1);
  const rf = await fitForestCluster(train, { ...XOR_COLUMNS, params: FOREST });
  assert.equal(JSON.stringify(rf.model.toJSON()), JSON.stringify(rfLocal.model.toJSON()));
  assert.equal(rf.cluster.jobs, rf.requests + 2);
});

Deno.test("transform scores lazily on the executors: probability, prediction and per-tree leaves", async () => {
  const batch = xorBatch(1200, 53);
  await using fx = await Frontier.start({ executors: 2 });
  const ds = await fx.fromBatch(batch, { partitions: 3 });
  const { model: gbt } = await fitGbtCluster(ds, { ...XOR_COLUMNS, params: GBT });
  const { model: rf } = await fitForestCluster(ds, { ...XOR_COLUMNS, params: FOREST });
  const { columns } = local(batch);
  for (const model of [gbt, rf]) {
    const jobs = (await fx.status()).jobs.length;
    const scored = model.transform(ds, { leafCol: "leaf", threshold: 0.4 });
    assert.equal((await fx.status()).jobs.length, jobs, "transform runs nothing until an action");
    assert.deepEqual(scored.columns.slice(0, 8), [
      ...batch.schema.map((f) => f.name),
      "probability",
      "prediction",
    ]);
    const rows = await scored.collect();
    const expected = model.predictColumns(columns, batch.length);
    rows.forEach((row, r) => {
      assert.equal(row.probability, expected[r], `row ${r}`);
      assert.equal(row.prediction, expected[r]! > 0.4 ? 1 : 0);
      model.trees.forEach((tree, t) => {
        const node = tree.leafOfRow(columns.map((c) => c[r]!));
        const ordinal = [...tree.arrays.feature.subarray(0, node)].filter((f) => f < 0).length;
        assert.equal(row[`leaf_${t}`], ordinal);
      });
    });
  }
  assert.throws(() => gbt.transform(ds.drop("x1")), SchemaError);
  assert.throws(() => gbt.transform(ds.withColumnRenamed("w", "probability")), SchemaError);
  assert.deepEqual(
    (await gbt.transform(ds.withColumnRenamed("x0", "first"), { features: ["first", "x1", "cat", "noise"] })
      .select("probability").collect()).map((r) => r.probability),
    [...gbt.predictColumns(columns, batch.length)],
  );
});

Deno.test("training keeps shards in executor state and releases it when it ends", async () => {
  const cluster = await startMemoryCluster(2);
  try {
    const ds = cluster.fromBatch(xorBatch(800, 54), 4);
    const during: number[][] = [];
    const { model } = await fitGbtCluster(ds, {
      ...XOR_COLUMNS,
      params: { ...GBT, numRounds: 3 },
      onRequest: () => during.push(cluster.heldState()),
    });
    assert.equal(model.trees.length, 3);
    // Before the first request nothing is held; from then on every executor holds its two shards.
    assert.deepEqual(during[0], [0, 0]);
    for (const held of during.slice(1)) {
      assert.ok(held.every((b) => b >= 2 * 200 * (4 + 24 + 40)), `state during training: ${held}`);
    }
    assert.deepEqual(await cluster.stateBytes(), [0, 0], "released after training, as the heartbeat says");
    await fitForestCluster(ds, { ...XOR_COLUMNS, params: FOREST });
    assert.deepEqual(await cluster.stateBytes(), [0, 0]);
  } finally {
    await cluster.stop();
  }
});

Deno.test("a replay too long for one job's arguments is staged in pieces, and the model is unchanged", async () => {
  const batch = xorBatch(900, 55);
  const params = resolveGbtParams({ ...GBT, numRounds: 3 });
  await using fx = await Frontier.start({ executors: 2 });
  const ds = await fx.fromBatch(batch, { partitions: 3 });
  const expected = await fitGbtCluster(ds, { ...XOR_COLUMNS, params });
  const source = columnSource(XOR_COLUMNS);
  await using session = new TrainingSession("gbt");
  const prepared = await prepareShards(ds, source, { maxBins: params.maxBins, seed: params.seed });
  session.own(prepared.input);
  const real = new GbtJournal();
  const padded: ShardJournal<GbtRequest> = {
    record: (r) => real.record(r),
    // 700k characters of padding: the first request's replay goes in 4 staged pieces
    replay: () => ({ ...(real.replay() as Record<string, Json>), pad: "x".repeat(700_000) }),
  };
  const group = new ClusterShardGroup<GbtRequest>(prepared.input, {
    kind: "gbt",
    session: session.group("train"),
    base: prepared.base,
    journal: padded,
  });
  const got = await trainGbt({
    train: group,
    binnings: prepared.base.binnings,
    featureNames: XOR_FEATURES,
    params,
  });
  assert.equal(JSON.stringify(got.model.toJSON()), JSON.stringify(expected.model.toJSON()));
  assert.deepEqual(group.stats, { requests: got.requests, jobs: got.requests + 4, replays: 0 });
});
