/**
 * The executors' state budget is a cluster setting (`Frontier.start({ stateBudgetBytes })`), reaches
 * Web Worker and process executors alike, and training whose shard does not fit fails at once
 * with an error naming what it needed and the budget.
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../../cluster/frontier.ts";
import { StateBudgetError } from "../../../../cluster/errors.ts";
import { fitGbtCluster } from "../../../../models/classification/gbt/fit_cluster.ts";
import { fitForestCluster } from "../../../../models/classification/random_forest/fit_cluster.ts";
import { XOR_COLUMNS, xorBatch } from "./cluster_test_util.ts";

const BUDGET = 8_192;

for (const mode of ["embedded", "process"] as const) {
  Deno.test(`stateBudgetBytes reaches ${mode} executors, and a training shard beyond it fails naming both sizes`, async () => {
    await using fx = await Frontier.start({ executors: 2, mode, stateBudgetBytes: BUDGET });
    const ds = await fx.fromBatch(xorBatch(4_000, 5), { partitions: 2 });

    const fits = [
      () => fitGbtCluster(ds, { ...XOR_COLUMNS, params: { numRounds: 2, numLeaves: 4, seed: 1 } }),
      () => fitForestCluster(ds, { ...XOR_COLUMNS, params: { numTrees: 2, maxDepth: 2, seed: 1 } }),
    ];
    for (const fit of fits) {
      const started = (await fx.status()).jobs.length;
      await assert.rejects(fit(), (e: unknown) => {
        assert.ok(e instanceof StateBudgetError, `got ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
        const needed = e.data["neededBytes"];
        assert.equal(typeof needed, "number");
        assert.ok((needed as number) > BUDGET);
        assert.equal(
          e.data["budgetBytes"],
          BUDGET,
          "the executor's own store reports the budget it was given",
        );
        assert.match(e.message, new RegExp(`needs ${needed} bytes of executor state`));
        assert.match(e.message, new RegExp(`budget of ${BUDGET} bytes.*stateBudgetBytes`));
        return true;
      });
      const failed = (await fx.status()).jobs.slice(started).filter((j) => j.state === "failed");
      assert.equal(failed.length, 1, "the first shard request fails once, without replays");
    }
  });
}

Deno.test("stateBudgetBytes must be a non-negative integer", async () => {
  for (const bad of [-1, 1.5, Number.NaN]) {
    await assert.rejects(
      Frontier.start({ executors: 1, stateBudgetBytes: bad }),
      (e: unknown) =>
        e instanceof RangeError && /stateBudgetBytes must be a non-negative integer/.test(e.message),
    );
  }
});
