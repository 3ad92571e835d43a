/**
 * The same seed and data give byte-identical boosted and forest models, and predictions, for 1, 2
 * and 4 executors and 1, 3 and 8 partitions (embedded mode here; process mode in
 * `training_fault_integration_test.ts`), and the binning sample is the same rows for any layout.
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../../cluster/frontier.ts";
import {
  firstRowIds,
  fitClusterBinnings,
  partitionRowCounts,
} from "../../../../models/classification/tree/cluster_binning.ts";
import { numericBinningFromSorted } from "../../../../models/classification/tree/binning.ts";
import { columnSource } from "../../../../models/classification/tree/cluster_training.ts";
import { fitBinnings } from "../../../../models/classification/tree/local_data.ts";
import { SAMPLING_DOMAINS } from "../../../../models/classification/tree/sampling.ts";
import { CounterRandom } from "../../../../cluster/util/seeded_random.ts";
import { type LayoutRun, trainEverywhere, XOR_COLUMNS, xorBatch } from "./cluster_test_util.ts";

Deno.test("boosted and forest models and their predictions are byte-identical for 1, 2, 4 executors and 1, 3, 8 partitions", async () => {
  const batch = xorBatch(2000, 61);
  const runs: LayoutRun[] = [];
  for (const executors of [1, 2, 4]) {
    await using fx = await Frontier.start({ executors });
    for (const partitions of [1, 3, 8]) {
      runs.push(await trainEverywhere(fx, batch, { executors, partitions }));
    }
  }
  for (const r of runs.slice(1)) {
    const where = `${r.executors} executors, ${r.partitions} partitions`;
    assert.equal(r.gbt, runs[0]!.gbt, `boosted model on ${where}`);
    assert.equal(r.forest, runs[0]!.forest, `forest on ${where}`);
    assert.deepEqual(r.scores, runs[0]!.scores, `predictions on ${where}`);
  }
  assert.ok(runs[0]!.gbt.length > 5_000 && runs[0]!.forest.length > 5_000);
});

Deno.test("numeric binnings from a row-id sample are the same for any partitioning and equal the sample's exact bins", async () => {
  const batch = xorBatch(3000, 62);
  const source = columnSource(XOR_COLUMNS);
  await using fx = await Frontier.start({ executors: 2 });
  const results: string[] = [];
  for (const partitions of [1, 3, 8]) {
    const ds = await fx.fromBatch(batch, { partitions });
    const counts = await partitionRowCounts(ds);
    assert.equal(counts.length, partitions);
    const binnings = await fitClusterBinnings(ds, source, {
      firstRowIds: firstRowIds(counts),
      rows: 3000,
      sampleRows: 700,
      maxBins: 16,
      seed: 5,
    });
    results.push(JSON.stringify(binnings));
  }
  assert.equal(results[1], results[0]);
  assert.equal(results[2], results[0]);
  const x0 = batch.columns[0]!.values as Float64Array;
  const rng = new CounterRandom(5, SAMPLING_DOMAINS.binning);
  const sample = [...x0].filter((x, i) => x === x && rng.at(i).float(0) < 700 / 3000);
  assert.ok(sample.length > 500 && sample.length < 800, `sampled ${sample.length} values`);
  const expected = numericBinningFromSorted(Float64Array.from(sample).sort(), 16);
  assert.deepEqual(JSON.parse(results[0]!)[0], expected);
});

Deno.test("categorical binnings on a cluster count missing rows as LightGBM does, for any partitioning", async () => {
  // "c": the rarest code holds 0.6 % of the rows, so it shares the missing bin; "d": the same codes
  // with one row missing, which keeps every code its bin.
  const c = Float64Array.from({ length: 1000 }, (_, i) => (i % 500 < 3 ? 2 : i % 5 < 3 ? 0 : 1));
  const d = Float64Array.from(c, (x, i) => (i === 7 ? NaN : x));
  const y = Float64Array.from(c, (_, i) => i % 2);
  const batch = {
    schema: ["c", "d", "y"].map((name) => ({ name, type: "double" as const, nullable: true })),
    length: c.length,
    columns: [c, d, y].map((values) => ({ type: "double" as const, values })),
  };
  const source = columnSource({ features: ["c", "d"], categorical: ["c", "d"], label: "y" });
  await using fx = await Frontier.start({ executors: 2 });
  const results: string[] = [];
  for (const partitions of [1, 3, 8]) {
    const ds = await fx.fromBatch(batch, { partitions });
    const binnings = await fitClusterBinnings(ds, source, {
      firstRowIds: firstRowIds(await partitionRowCounts(ds)),
      rows: c.length,
      seed: 1,
    });
    results.push(JSON.stringify(binnings));
  }
  assert.equal(results[1], results[0]);
  assert.equal(results[2], results[0]);
  assert.deepEqual(JSON.parse(results[0]!), fitBinnings([c, d], { kinds: ["categorical", "categorical"] }));
  assert.deepEqual(JSON.parse(results[0]!).map((b: { categories: number[] }) => b.categories), [[0, 1], [
    0,
    1,
    2,
  ]]);
});
