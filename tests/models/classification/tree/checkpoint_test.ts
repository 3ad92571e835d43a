/**
 * Long trainings checkpoint the model so far; a training restarted with `resume` (a new driver
 * here: a new cluster) continues from the latest checkpoint and ends with the uninterrupted model.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Frontier } from "../../../../cluster/frontier.ts";
import { fitGbtCluster } from "../../../../models/classification/gbt/fit_cluster.ts";
import { GbtModel } from "../../../../models/classification/gbt/gbt_model.ts";
import { fitForestCluster } from "../../../../models/classification/random_forest/fit_cluster.ts";
import { defaultModelRegistry, loadModel } from "../../../../models/persistence/mod.ts";
import { LAYOUT_FOREST, LAYOUT_GBT, XOR_COLUMNS, xorBatch } from "./cluster_test_util.ts";

async function stepDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("a boosting training stopped after a checkpoint resumes on a new cluster to the uninterrupted model", async () => {
  const batch = xorBatch(1200, 71);
  const valid = xorBatch(400, 72);
  const params = { ...LAYOUT_GBT, numRounds: 10, earlyStoppingRounds: 20 };
  const dir = await Deno.makeTempDir({ prefix: "frontier-ckpt-" });
  try {
    const uninterrupted = await (async () => {
      await using fx = await Frontier.start({ executors: 2 });
      const ds = await fx.fromBatch(batch, { partitions: 3 });
      return await fitGbtCluster(ds, { ...XOR_COLUMNS, params, validation: await fx.fromBatch(valid) });
    })();

    const stop = new AbortController();
    await (async () => {
      await using fx = await Frontier.start({ executors: 2 });
      const ds = await fx.fromBatch(batch, { partitions: 3 });
      await assert.rejects(
        fitGbtCluster(ds, {
          ...XOR_COLUMNS,
          params,
          validation: await fx.fromBatch(valid),
          checkpoint: { dir, every: 3 },
          signal: stop.signal,
          onRound: (info) => info.round === 6 && stop.abort(new Error("driver stops")),
        }),
        /driver stops/,
      );
    })();
    assert.deepEqual(await stepDirs(dir), ["step-000000006"], "only the latest checkpoint is kept");
    const saved = await loadModel(join(dir, "step-000000006"), defaultModelRegistry());
    assert.ok(saved.model instanceof GbtModel && saved.model.trees.length === 6, "a checkpoint is a model");

    await using fx = await Frontier.start({ executors: 3 });
    const ds = await fx.fromBatch(batch, { partitions: 5 });
    const resumed = await fitGbtCluster(ds, {
      ...XOR_COLUMNS,
      params,
      validation: await fx.fromBatch(valid),
      checkpoint: { dir, every: 3, resume: true },
    });
    assert.equal(JSON.stringify(resumed.model.toJSON()), JSON.stringify(uninterrupted.model.toJSON()));
    assert.deepEqual(resumed.trainLoss, uninterrupted.trainLoss);
    assert.deepEqual(resumed.validationLoss, uninterrupted.validationLoss);
    assert.ok(resumed.requests < uninterrupted.requests, "the resumed training grew only the last 4 trees");
    assert.deepEqual(await stepDirs(dir), ["step-000000009"]);
    await assert.rejects(
      fitGbtCluster(ds, {
        ...XOR_COLUMNS,
        params: { ...params, seed: 8 },
        checkpoint: { dir, every: 3, resume: true },
      }),
      /other settings/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a forest training stopped after a checkpoint resumes at the next tree to the uninterrupted forest", async () => {
  const batch = xorBatch(1000, 73);
  const params = { ...LAYOUT_FOREST, numTrees: 7, treesPerGroup: 2 };
  const dir = await Deno.makeTempDir({ prefix: "frontier-ckpt-" });
  try {
    await using fx = await Frontier.start({ executors: 2 });
    const ds = await fx.fromBatch(batch, { partitions: 3 });
    const uninterrupted = await fitForestCluster(ds, { ...XOR_COLUMNS, params });
    const stop = new AbortController();
    await assert.rejects(
      fitForestCluster(ds, {
        ...XOR_COLUMNS,
        params,
        checkpoint: { dir, every: 1 },
        signal: stop.signal,
        onProgress: (trees) => trees === 4 && stop.abort(new Error("driver stops")),
      }),
      /driver stops/,
    );
    assert.deepEqual(await stepDirs(dir), ["step-000000004"]);
    const resumed = await fitForestCluster(ds, {
      ...XOR_COLUMNS,
      params,
      checkpoint: { dir, every: 1, resume: true },
    });
    assert.equal(JSON.stringify(resumed.model.toJSON()), JSON.stringify(uninterrupted.model.toJSON()));
    assert.ok(resumed.requests < uninterrupted.requests);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
