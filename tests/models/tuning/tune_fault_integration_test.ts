/**
 * A search on real executor processes survives a `kill -9` of an executor in the middle of its
 * trials: cached fold data is recomputed from lineage, the trials' lost shards are rebuilt from
 * their journals, and the results table equals the no-fault run's.
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../cluster/frontier.ts";
import type { GbtParams } from "../../../models/classification/gbt/params.ts";
import { ParamGridBuilder } from "../../../models/tuning/param_grid.ts";
import { TreeTunable } from "../../../models/tuning/tree_tunable.ts";
import { tune } from "../../../models/tuning/tuner.ts";
import type { TuningResult } from "../../../models/tuning/tuning_result.ts";
import { LABEL, treePipeline, tuningData } from "./tuning_fixture.ts";

async function search(
  killAt: number | undefined,
): Promise<{ result: TuningResult; killed: boolean; alive: number }> {
  await using fx = await Frontier.start({ mode: "process", executors: 3 });
  const victim = (await fx.status()).executors[1]!;
  const data = await tuningData(fx, 700, 21, 6);
  let requests = 0, killed = false;
  const estimator = new TreeTunable("gbt", {
    label: LABEL,
    pipeline: () => treePipeline(),
    base: { numRounds: 12, minDataInLeaf: 5 },
    onRequest: () => {
      if (++requests === killAt) {
        Deno.kill(victim.pid, "SIGKILL");
        killed = true;
      }
    },
  });
  const result = await tune(data, {
    estimator,
    candidates: new ParamGridBuilder<GbtParams>().addGrid("numLeaves", [4, 8, 16]).build(),
    plan: { kind: "kfold", folds: 2 },
    parallelism: 2,
    refit: false,
  });
  const alive = (await fx.status()).executors.filter((e) => e.state === "alive").length;
  return { result, killed, alive };
}

Deno.test("kill -9 of an executor during a parallel search: every trial completes with the no-fault figures", async () => {
  const clean = await search(undefined);
  const faulty = await search(40);
  assert.ok(faulty.killed, "the kill happened");
  assert.equal(faulty.alive, 2);
  assert.equal(faulty.result.failed, 0);
  const row = (r: TuningResult) => r.trials.map((t) => [t.status, t.values, t.rounds]);
  assert.deepEqual(row(faulty.result), row(clean.result));
});
