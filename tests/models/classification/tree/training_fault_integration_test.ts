/**
 * Tree training in process mode: real executor processes over WebSockets. The models equal the
 * embedded ones, and a `kill -9` of an executor in the middle of boosting or forest training is
 * survived: its cached partitions are recomputed from lineage elsewhere, the shards it held are
 * rebuilt there from the driver's journal, training resumes at the request it was on, and the
 * model is byte-identical to the no-fault run.
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../../cluster/frontier.ts";
import { fitGbtCluster } from "../../../../models/classification/gbt/fit_cluster.ts";
import { fitForestCluster } from "../../../../models/classification/random_forest/fit_cluster.ts";
import {
  LAYOUT_FOREST,
  LAYOUT_GBT,
  type LayoutRun,
  trainEverywhere,
  XOR_COLUMNS,
  xorBatch,
} from "./cluster_test_util.ts";

const BATCH = xorBatch(3000, 81);

Deno.test("process-mode training gives the embedded models and predictions for 3 and 8 partitions", async () => {
  let reference: LayoutRun;
  {
    await using fx = await Frontier.start({ executors: 1 });
    reference = await trainEverywhere(fx, BATCH, { executors: 1, partitions: 1 });
  }
  await using fx = await Frontier.start({ mode: "process", executors: 2 });
  for (const partitions of [3, 8]) {
    const run = await trainEverywhere(fx, BATCH, { executors: 2, partitions });
    assert.equal(run.gbt, reference.gbt, `boosted model, ${partitions} partitions`);
    assert.equal(run.forest, reference.forest, `forest, ${partitions} partitions`);
    assert.deepEqual(run.scores, reference.scores, `predictions, ${partitions} partitions`);
  }
});

/** Trains on a fresh 3-executor process cluster, SIGKILLing one executor as request `killAt` starts. */
async function trainWithKill(
  train: (fx: Frontier, onRequest: (info: { requests: number; type: string }) => void) => Promise<{
    json: string;
    replays: number;
  }>,
  killAt: number | undefined,
): Promise<{ json: string; replays: number; killed: string | undefined; aliveAfter: number }> {
  await using fx = await Frontier.start({ mode: "process", executors: 3 });
  const victim = (await fx.status()).executors[1]!;
  let killed: string | undefined;
  const result = await train(fx, (info) => {
    if (info.requests !== killAt) return;
    Deno.kill(victim.pid, "SIGKILL");
    killed = `${victim.id} at request ${info.requests} (${info.type})`;
  });
  const status = await fx.status();
  if (killAt !== undefined) assert.equal(status.executors.find((e) => e.id === victim.id)?.state, "dead");
  return { ...result, killed, aliveAfter: status.executors.filter((e) => e.state === "alive").length };
}

Deno.test("kill -9 of an executor in the middle of boosting: shards rebuilt, training resumes, the model is unchanged", async () => {
  const params = { ...LAYOUT_GBT, numRounds: 8 };
  const gbt = (killAt?: number) =>
    trainWithKill(async (fx, onRequest) => {
      const ds = await fx.fromBatch(BATCH, { partitions: 6 });
      const r = await fitGbtCluster(ds, { ...XOR_COLUMNS, params, onRequest });
      return { json: JSON.stringify(r.model.toJSON()), replays: r.cluster.replays };
    }, killAt);
  const clean = await gbt();
  assert.equal(clean.replays, 0);
  // Request 4 is in round 0 (describe, label sums, init, then the first tree); 30 is mid-training.
  for (const killAt of [4, 30]) {
    const faulty = await gbt(killAt);
    console.log(`boosting: SIGKILL ${faulty.killed}; ${faulty.replays} replayed request(s)`);
    assert.ok(faulty.killed !== undefined, "the kill happened");
    assert.equal(faulty.aliveAfter, 2);
    assert.ok(faulty.replays >= 1, "a lost shard was rebuilt from the journal");
    assert.equal(faulty.json, clean.json, `model after a kill at request ${killAt}`);
  }
});

Deno.test("kill -9 of an executor in the middle of a forest's tree group: the forest is unchanged", async () => {
  const params = { ...LAYOUT_FOREST, numTrees: 6, treesPerGroup: 3, maxDepth: 6 };
  const forest = (killAt?: number) =>
    trainWithKill(async (fx, onRequest) => {
      const ds = await fx.fromBatch(BATCH, { partitions: 6 });
      const r = await fitForestCluster(ds, { ...XOR_COLUMNS, params, onRequest });
      return { json: JSON.stringify(r.model.toJSON()), replays: r.cluster.replays };
    }, killAt);
  const clean = await forest();
  // Request 4 is the second level of the first group (describe, start, grow, grow …).
  const faulty = await forest(4);
  console.log(`forest: SIGKILL ${faulty.killed}; ${faulty.replays} replayed request(s)`);
  assert.equal(faulty.aliveAfter, 2);
  assert.ok(faulty.replays >= 1, "a lost shard was rebuilt from the journal");
  assert.equal(faulty.json, clean.json);
});
