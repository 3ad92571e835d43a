/**
 * Frontier's side of the ML scale benchmark: boosted trees on generated card transactions
 * (`fx.transactions`, label `is_fraud`, 0.3 % positives), trained on the cluster.
 *
 * ```sh
 * deno run -A scripts/bench/ml/frontier_scale.ts --job JOB.json --json
 * ```
 *
 * JOB.json: `{ rows, testRows, seed, executors, params }`. Features: `amount`, the hour and day of
 * week of `event_time`, and `merchant_category`, `channel`, `country`, `currency` as category
 * indices (a `StringIndexer` fitted on the cluster; native categorical splits). Malformed rows (the
 * generator's ingest test cases) are left out. The training rows are generated on the executors and
 * never leave them; the test rows are another seed's, scored on the cluster. The bench measures the
 * process's wall time and peak RSS; this prints the phases.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { col, dayOfWeek, hour, when } from "../../../cluster/expr/column.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { fitGbtCluster } from "../../../models/classification/gbt/fit_cluster.ts";
import { slotColumn } from "../../../models/features/column_info.ts";
import { Pipeline } from "../../../models/features/pipeline.ts";
import { StringIndexer } from "../../../models/features/string_indexer.ts";
import { VectorAssembler } from "../../../models/features/vector_assembler.ts";
import { rankingMetrics, rankScores } from "./bootstrap.ts";
import { frontierVersions, readJob } from "./frontier_child.ts";

/** The text columns used as categories. */
export const SCALE_CATEGORICAL = ["merchant_category", "channel", "country", "currency"] as const;
/** The number columns. */
export const SCALE_NUMERIC = ["amount", "hour", "day_of_week"] as const;

interface ScaleJob {
  rows: number;
  testRows: number;
  seed: number;
  executors: number;
  params: Record<string, Json>;
}

function transactions(fx: Frontier, rows: number, seed: number, partitions: number): Dataset {
  return fx.transactions({ rows, seed, tokenKey: new Uint8Array(32).fill(0x5c), partitions })
    .filter(col("is_malformed").eq(false))
    .withColumn("hour", hour(col("event_time")))
    .withColumn("day_of_week", dayOfWeek(col("event_time")))
    .withColumn("label", when(col("is_fraud"), 1).otherwise(0))
    .select(...SCALE_NUMERIC, ...SCALE_CATEGORICAL, "label");
}

/** Trains the scale model; returns the phases' times and the test ROC-AUC. */
export async function runFrontierScale(job: ScaleJob): Promise<Record<string, Json>> {
  const clock = systemClock;
  const seconds = (from: number) => (clock.monotonic() - from) / 1000;
  const partitions = 4 * job.executors;
  await using fx = await Frontier.start({ executors: job.executors, slots: 1 });
  const train = transactions(fx, job.rows, job.seed, partitions);
  const t0 = clock.monotonic();
  const index = (c: string) => `${c}_index`;
  const encoding = await new Pipeline([
    new StringIndexer({
      inputCols: SCALE_CATEGORICAL,
      outputCols: SCALE_CATEGORICAL.map(index),
      handleInvalid: "keep",
    }),
    new VectorAssembler({
      inputCols: [...SCALE_NUMERIC, ...SCALE_CATEGORICAL.map(index)],
      outputCol: "features",
      handleInvalid: "keep",
    }),
  ], { features: "features" }).fit(train);
  const featuresSeconds = seconds(t0);
  const slots = encoding.layout.slots;
  const features = slots.map((s) => slotColumn("features", s.name));
  const t1 = clock.monotonic();
  const fit = await fitGbtCluster(encoding.transform(train), {
    features,
    categorical: slots.filter((s) => s.kind === "categorical").map((s) => slotColumn("features", s.name)),
    label: "label",
    params: job.params,
  });
  const fitSeconds = seconds(t1);
  const t2 = clock.monotonic();
  const test = transactions(fx, job.testRows, job.seed + 1, partitions);
  const scored = await fit.model.transform(encoding.transform(test)).select("label", "probability").collect();
  const labels = scored.map((r) => Number(r["label"])), scores = scored.map((r) => Number(r["probability"]));
  return {
    engine: "frontier-gbt",
    rows: job.rows,
    executors: job.executors,
    partitions,
    featuresSeconds,
    fitSeconds,
    trees: fit.model.trees.length,
    jobs: fit.cluster.jobs,
    testRows: labels.length,
    testPositives: labels.reduce((s, y) => s + y, 0),
    testRocAuc: rankingMetrics(rankScores(labels, scores)).rocAuc,
    scoreSeconds: seconds(t2),
    features: slots.map((s) => s.name),
    versions: frontierVersions(),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { job: { type: "string" }, json: { type: "boolean" } },
  });
  const job = await readJob(values.job);
  for (const k of ["rows", "testRows", "seed", "executors"]) {
    if (!Number.isSafeInteger(job[k])) throw new TypeError(`A scale job needs an integer "${k}"`);
  }
  console.log(JSON.stringify(await runFrontierScale(job as unknown as ScaleJob)));
}
