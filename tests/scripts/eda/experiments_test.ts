import assert from "node:assert/strict";
import { col, concat, lit } from "../../../cluster/expr/column.ts";
import { machineInfo, median, partitionSweep, runExperiments } from "../../../scripts/eda/experiments.ts";
import { withCluster } from "./eda_test_util.ts";

Deno.test("median and partitionSweep", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
  assert.deepEqual(partitionSweep(2), [1, 2, 4, 8]);
  assert.deepEqual(partitionSweep(3), [1, 2, 4, 8, 12]);
  assert.deepEqual(partitionSweep(1), [1, 2, 4]);
});

Deno.test("machineInfo reports cores, memory and the Deno version", async () => {
  const m = await machineInfo();
  assert.equal(m.nproc, navigator.hardwareConcurrency);
  assert.ok(m.memoryBytes > 0);
  assert.equal(m.deno, Deno.version.deno);
});

Deno.test("runExperiments measures every variant at least 3 times and returns each variant's plan", async () => {
  await withCluster(async (fx) => {
    const rows = 20_000;
    const sources: number[] = [];
    const result = await runExperiments({
      frontier: fx,
      source: (p) => {
        sources.push(p);
        return fx.range(0, rows, { partitions: p })
          .withColumn("k", concat(lit("k"), col("id").mod(7).cast("string")))
          .withColumn("v", col("id").mod(100));
      },
      executors: 2,
      key: "k",
      value: "v",
      dataLabel: "20,000 range rows",
      rows,
      repeats: 3,
    });
    assert.deepEqual(result.experiments.map((e) => e.id), ["partitions", "cache", "join", "lazy"]);
    assert.equal(result.data.rows, rows);
    assert.equal(result.data.repeats, 3);
    assert.equal(result.machine.nproc, navigator.hardwareConcurrency);
    const byId = Object.fromEntries(result.experiments.map((e) => [e.id, e]));
    assert.deepEqual(byId["partitions"]!.rows.map((r) => r.partitions), [1, 2, 4, 8]);
    for (const p of [1, 2, 4, 8]) assert.ok(sources.includes(p), `the source was built at ${p} partitions`);
    for (const e of result.experiments) {
      assert.equal(e.plans.length, e.rows.length, `${e.id}: a plan per variant`);
      for (const r of e.rows) {
        assert.equal(r.runs.length, 3, `${e.id}/${r.variant}: 3 runs`);
        assert.equal(r.ms, median(r.runs));
        assert.ok(r.minMs <= r.ms && r.ms <= r.maxMs && r.minMs > 0);
        assert.equal(r.rows, rows);
      }
    }
    const plan = (id: string, variant: string) => byId[id]!.plans.find((p) => p.variant === variant)!.explain;
    assert.match(plan("join", "broadcast"), /BroadcastHashJoin/);
    assert.match(plan("join", "shuffle"), /ShuffledHashJoin/);
    assert.doesNotMatch(plan("cache", "recompute"), /Cache\(/);
    assert.match(plan("cache", "cache"), /Cache\(/);
    assert.match(plan("lazy", "materialize each step"), /step 3: cache\(\) \+ count\(\)[\s\S]*CacheRead/);
    assert.equal(byId["lazy"]!.rows.find((r) => r.variant === "materialize each step")!.jobs, 4);
  });
});
