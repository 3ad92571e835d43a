import assert from "node:assert/strict";
import { col, Frontier } from "../../../mod.ts";

Deno.test("a task the executor cannot decode fails its job with the reason instead of hanging", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  // 70 nested ANDs: the driver accepts the expression, the executor's decoder stops at 64 levels.
  let e = col("id").gt(0);
  for (let i = 0; i < 70; i++) e = e.and(col("id").gt(-i));
  const ds = fx.range(0, 10, { partitions: 2 }).filter(e);
  // The signal is only a guard so that a regression fails instead of hanging the suite.
  await assert.rejects(() => ds.count({ signal: AbortSignal.timeout(120_000) }), (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /nesting deeper than 64/, "the reason, not the guard");
    return true;
  });
  assert.equal(await fx.range(0, 10, { partitions: 2 }).count(), 10, "the cluster still runs jobs");
});
