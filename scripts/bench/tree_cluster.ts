/**
 * Tree training on an embedded cluster at the speed anchor's shape (`../shared/notes/ml.md`): 1M
 * rows × 20 numeric features made on the executors with `fx.range` and expressions, boosted
 * trees (100 trees, 63 leaves) and a random forest, with the jobs each tree took.
 *
 * Features `x0 … x19` are uniform in [0, 1) (a hash of the row id and the feature); the label is
 * 1 when `x0 + x1 − x2 + x3·x4 + 0.5·x5 + 0.7·(noise − 0.5)` is above 1.25 — a few informative
 * features, the rest noise. The training input is cached before the clock starts (its
 * generation is timed separately); the boosted model's ROC-AUC on 200k held-out rows is computed
 * on the cluster (`transform`) and here. The machine is shared: besides wall times the figures
 * hold this process's CPU time (driver and embedded executors are threads of it) and the load
 * average.
 *
 * Usage: `deno run -A scripts/bench/tree_cluster.ts [--rows 1000000] [--trees 100] [--leaves 63]
 * [--rf-trees 50] [--rf-depth 10] [--executors 2] [--partitions 4]`. Prints figures and a JSON
 * summary.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { systemClock } from "../../actors/clock.ts";
import { col, Frontier, hash, lit, when } from "../../mod.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { fitGbtCluster } from "../../models/classification/gbt/fit_cluster.ts";
import { fitForestCluster } from "../../models/classification/random_forest/fit_cluster.ts";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    trees: { type: "string", default: "100" },
    leaves: { type: "string", default: "63" },
    "rf-trees": { type: "string", default: "50" },
    "rf-depth": { type: "string", default: "10" },
    executors: { type: "string", default: "2" },
    partitions: { type: "string", default: "4" },
  },
});
const ROWS = Number(args.rows), TREES = Number(args.trees), LEAVES = Number(args.leaves);
const RF_TREES = Number(args["rf-trees"]), RF_DEPTH = Number(args["rf-depth"]);
const EXECUTORS = Number(args.executors), PARTITIONS = Number(args.partitions);
const FEATURES = Array.from({ length: 20 }, (_, f) => `x${f}`);
const now = () => systemClock.monotonic();
/** CPU milliseconds (user + system, all threads) of this process since `from`. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return Math.round((d.user + d.system) / 1000);
}

/** `n` rows with ids from `first`: 20 uniform features and a label. */
function synthetic(fx: Frontier, first: number, n: number): Dataset {
  const uniform = (salt: number) => hash(col("id"), lit(salt)).mod(1_000_003).cast("double").div(1_000_003);
  let ds = fx.range(first, first + n, { partitions: PARTITIONS });
  for (let f = 0; f < 20; f++) ds = ds.withColumn(`x${f}`, uniform(f));
  const score = col("x0").plus(col("x1")).minus(col("x2")).plus(col("x3").times(col("x4")))
    .plus(col("x5").times(0.5)).plus(uniform(99).minus(0.5).times(0.7));
  return ds.withColumn("y", when(score.gt(1.25), 1).otherwise(0)).drop("id");
}

function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0, pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && scores[idx[j]!] === scores[idx[i]!]) j++;
    for (let k = i; k < j; k++) {
      if (labels[idx[k]!] === 1) {
        rankSum += (i + j + 1) / 2;
        pos++;
      }
    }
    i = j;
  }
  return (rankSum - pos * (pos + 1) / 2) / (pos * (idx.length - pos));
}

await using fx = await Frontier.start({ executors: EXECUTORS, log: (l) => console.error(`[driver] ${l}`) });
const figures: Record<string, number | string> = {
  rows: ROWS,
  executors: EXECUTORS,
  partitions: PARTITIONS,
  loadAverageBefore: Deno.loadavg()[0]!,
};
const train = synthetic(fx, 0, ROWS).cache();
let t0 = now();
const positives = await train.filter(col("y").eq(1)).count();
figures.generateAndCacheMs = Math.round(now() - t0);
figures.positiveRate = positives / ROWS;
console.log(
  `data: ${ROWS} rows × 20 features, ${
    (100 * positives / ROWS).toFixed(1)
  } % positive, generated and cached in ${figures.generateAndCacheMs} ms`,
);

const test = synthetic(fx, ROWS, 200_000);
if (TREES > 0) {
  t0 = now();
  const cpu0 = process.cpuUsage();
  let firstTree = 0, firstTreeCpu = 0;
  const gbt = await fitGbtCluster(train, {
    features: FEATURES,
    label: "y",
    params: { numRounds: TREES, numLeaves: LEAVES, learningRate: 0.1, minDataInLeaf: 20 },
    onRound: (info) => {
      if (info.round === 0) {
        firstTree = now() - t0;
        firstTreeCpu = cpuMs(cpu0);
      }
    },
  });
  figures.gbtMs = Math.round(now() - t0);
  figures.gbtCpuMs = cpuMs(cpu0);
  figures.gbtCpuMsPerTreeAfterFirst = Math.round((figures.gbtCpuMs - firstTreeCpu) / (TREES - 1));
  figures.gbtSetupAndFirstTreeMs = Math.round(firstTree);
  figures.gbtJobs = gbt.cluster.jobs;
  figures.gbtJobsPerTree = +(gbt.requests / TREES).toFixed(2);
  figures.gbtMsPerTree = +(figures.gbtMs / TREES).toFixed(1);
  console.log(
    `GBT ${TREES} trees × ${LEAVES} leaves: ${figures.gbtMs} ms (${figures.gbtMsPerTree} ms/tree), ` +
      `${gbt.cluster.jobs} jobs, ${figures.gbtJobsPerTree} jobs/tree, ${gbt.cluster.replays} replays; ` +
      `CPU ${figures.gbtCpuMs} ms (${figures.gbtCpuMsPerTreeAfterFirst} ms/tree after the first)`,
  );

  t0 = now();
  const scored = await gbt.model.transform(test).select("y", "probability").collect();
  figures.scoreMs = Math.round(now() - t0);
  figures.gbtTestAuc = +rocAuc(scored.map((r) => r.probability as number), scored.map((r) => r.y as number))
    .toFixed(4);
  console.log(`GBT test ROC-AUC ${figures.gbtTestAuc} (scored 200k rows in ${figures.scoreMs} ms)`);
}

if (RF_TREES > 0) {
  t0 = now();
  const rfCpu0 = process.cpuUsage();
  const rf = await fitForestCluster(train, {
    features: FEATURES,
    label: "y",
    params: { numTrees: RF_TREES, maxDepth: RF_DEPTH, treesPerGroup: 10, seed: 1 },
  });
  figures.rfMs = Math.round(now() - t0);
  figures.rfCpuMs = cpuMs(rfCpu0);
  figures.rfJobs = rf.cluster.jobs;
  figures.rfJobsPerTree = +(rf.requests / RF_TREES).toFixed(2);
  const rfScored = await rf.model.transform(test).select("y", "probability").collect();
  figures.rfTestAuc = +rocAuc(
    rfScored.map((r) => r.probability as number),
    rfScored.map((r) => r.y as number),
  )
    .toFixed(4);
  console.log(
    `RF ${RF_TREES} trees, depth ${RF_DEPTH}: ${figures.rfMs} ms (CPU ${figures.rfCpuMs} ms), ${rf.cluster.jobs} jobs, ` +
      `${figures.rfJobsPerTree} jobs/tree, test ROC-AUC ${figures.rfTestAuc}`,
  );
}
figures.loadAverageAfter = Deno.loadavg()[0]!;
await train.unpersist();
console.log(JSON.stringify(figures));
