/**
 * Frontier's side of the ML speed benchmark, one model per process (the bench measures the
 * process's wall time and peak RSS):
 *
 * ```sh
 * deno run -A scripts/bench/ml/frontier_speed.ts --job JOB.json --json
 * ```
 *
 * JOB.json: `{ data: { dir, rows, testRows, features }, model: "lr" | "rf" | "gbt", params, outDir,
 * executors }`. Every model trains on the cluster: the Parquet copy read by `executors` embedded
 * executors (for boosting coalesced to one partition per executor) and cached before the measured fit (`LogisticRegression.fit`, `fitGbtCluster`,
 * `fitForestCluster`, which bins and caches its shards inside the measured time, as LightGBM builds its
 * Dataset inside its). Test scores go to `outDir/frontier-<model>.f64`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { LogisticRegression } from "../../../models/classification/logistic_regression/logistic_regression.ts";
import { fitGbtCluster } from "../../../models/classification/gbt/fit_cluster.ts";
import { fitForestCluster } from "../../../models/classification/random_forest/fit_cluster.ts";
import type { EngineFit, EngineResultLine } from "./engine_result.ts";
import { writeScores } from "./engine_result.ts";
import { frontierVersions, readJob } from "./frontier_child.ts";
import { readSpeedColumns, SPEED_FEATURES } from "./speed_data.ts";

interface SpeedJob {
  data: { dir: string; rows: number; testRows: number; features: number };
  model: "lr" | "rf" | "gbt";
  params: Record<string, Json>;
  outDir: string;
  executors: number;
}

function decodeSpeedJob(v: Record<string, unknown>): SpeedJob {
  const data = v["data"] as SpeedJob["data"] | undefined;
  const model = v["model"];
  if (
    typeof data !== "object" || data === null || typeof data.dir !== "string" ||
    (model !== "lr" && model !== "rf" && model !== "gbt") || typeof v["outDir"] !== "string" ||
    typeof v["params"] !== "object" || !Number.isSafeInteger(v["executors"])
  ) throw new TypeError("A speed job needs data, model, params, outDir and executors");
  return v as unknown as SpeedJob;
}

/** Trains one model on the speed data; returns its result line. */
export async function runFrontierSpeed(job: SpeedJob): Promise<EngineResultLine> {
  const clock = systemClock;
  const engine = `frontier-${job.model}`;
  const scoresPath = `${job.outDir}/${engine}.f64`;
  const test = await readSpeedColumns(job.data.dir, "test");
  let fit: EngineFit;
  if (job.model === "lr") {
    const t0 = clock.monotonic();
    await using fx = await Frontier.start({ executors: job.executors, slots: 1 });
    const featureCols = Array.from({ length: SPEED_FEATURES }, (_, j) => `x${j}`);
    const train = (await fx.read.parquet(`${job.data.dir}/train.parquet`)).select(...featureCols, "y")
      .cache();
    await train.count();
    const load = (clock.monotonic() - t0) / 1000;
    const t1 = clock.monotonic();
    const model = await new LogisticRegression(job.params).fit(train, {
      featureCols,
      labelCol: "y",
      cache: false,
    });
    const seconds = (clock.monotonic() - t1) / 1000;
    await writeScores(scoresPath, model.predictProbabilities(test.rowMajor, test.labels.length));
    const c = model.convergence;
    fit = {
      engine,
      model: "lr",
      fitSeconds: seconds,
      loadSeconds: load,
      scores: scoresPath,
      extra: {
        fit: `cluster: LogisticRegression.fit, ${job.executors} embedded executors`,
        solver: c.solver,
        iterations: c.iterations,
        passes: c.passes,
        converged: c.converged,
      },
    };
  } else {
    const t0 = clock.monotonic();
    // Boosting caches its input in one partition per executor (as LightGBM's data-parallel mode
    // holds one shard per machine): each round trip is then one task per executor, and with one
    // task slot each executor takes exactly one of the cached partitions.
    const slots = 1;
    await using fx = await Frontier.start({ executors: job.executors, slots });
    const features = Array.from({ length: SPEED_FEATURES }, (_, j) => `x${j}`);
    const read = (await fx.read.parquet(`${job.data.dir}/train.parquet`)).select("row", ...features, "y");
    const train = (job.model === "gbt" ? read.coalesce(job.executors) : read).cache();
    await train.count();
    const load = (clock.monotonic() - t0) / 1000;
    const t1 = clock.monotonic();
    const columns = { features, label: "y", rowId: "row" };
    const t = job.model === "gbt"
      ? await fitGbtCluster(train, { ...columns, params: job.params })
      : await fitForestCluster(train, { ...columns, params: job.params });
    const seconds = (clock.monotonic() - t1) / 1000;
    await writeScores(scoresPath, t.model.predictColumnsBinned(test.columns, test.labels.length));
    fit = {
      engine,
      model: job.model,
      fitSeconds: seconds,
      loadSeconds: load,
      scores: scoresPath,
      extra: {
        fit: `cluster: fit on the dataset${
          job.model === "gbt" ? ` coalesced to ${job.executors} partitions` : ""
        }, ${job.executors} embedded executors × ${slots} slot`,
        jobs: t.cluster.jobs,
      },
    };
    await train.unpersist();
  }
  return { versions: frontierVersions(), results: [fit] };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { job: { type: "string" }, json: { type: "boolean" } },
  });
  const line = await runFrontierSpeed(decodeSpeedJob(await readJob(values.job)));
  console.log(JSON.stringify(line));
}
