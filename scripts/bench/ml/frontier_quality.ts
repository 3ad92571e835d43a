/**
 * Frontier's side of the ML quality benchmark: every dataset, split and model in one process, the
 * same result line as the Python peers.
 *
 * ```sh
 * deno run -A scripts/bench/ml/frontier_quality.ts --job JOB.json --json
 * ```
 *
 * JOB.json: `{ datasets: [manifest…], splits: [column…], models: ["lr", "rf", "gbt"], params: { lr, rf,
 * gbt }, replicated: ["rf"], outDir, executors }` (see `quality_part.ts`). A replicated model is
 * fitted once per model seed of the split (`SplitInfo.modelSeeds`), the others once. The prepared
 * CSV is read by `fx.read.csv` on `executors` embedded executors; encodings are fitted on the
 * training rows of each split (`frontier_features.ts`). Every model trains on the cluster (`fit` on
 * the dataset: no training row leaves the executors) and scores the test rows there. Boosted trees
 * early-stop on the `valid` rows; the others train on `fit` and `valid`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import { col } from "../../../cluster/expr/column.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { fitGbtCluster } from "../../../models/classification/gbt/fit_cluster.ts";
import { LogisticRegression } from "../../../models/classification/logistic_regression/logistic_regression.ts";
import { fitForestCluster } from "../../../models/classification/random_forest/fit_cluster.ts";
import type { PreparedManifest } from "./bank_data.ts";
import { type EngineFit, type EngineResultLine, type ModelKind, writeScores } from "./engine_result.ts";
import { frontierVersions, readJob } from "./frontier_child.ts";
import { featureColumns, fitEncoding, preparedSchema, readHeader, scoresByRow } from "./frontier_features.ts";

interface QualityJob {
  datasets: PreparedManifest[];
  splits: string[];
  models: ModelKind[];
  params: Record<ModelKind, Record<string, Json>>;
  /** Models fitted once per model seed of a split. */
  replicated: ModelKind[];
  outDir: string;
  executors: number;
}

function decodeQualityJob(v: Record<string, unknown>): QualityJob {
  if (
    !Array.isArray(v["datasets"]) || !Array.isArray(v["splits"]) || !Array.isArray(v["models"]) ||
    typeof v["params"] !== "object" || !Array.isArray(v["replicated"]) || typeof v["outDir"] !== "string" ||
    !Number.isSafeInteger(v["executors"])
  ) {
    throw new TypeError(
      "A quality job needs datasets, splits, models, params, replicated, outDir and executors",
    );
  }
  return v as unknown as QualityJob;
}

/** Fits every model on every dataset and split of `job`; returns the result line. */
export async function runFrontierQuality(job: QualityJob): Promise<EngineResultLine> {
  const clock = systemClock;
  const seconds = (from: number) => (clock.monotonic() - from) / 1000;
  await using fx = await Frontier.start({ executors: job.executors, slots: 1 });
  const results: EngineFit[] = [];
  for (const manifest of job.datasets) {
    const read = await fx.read.csv(manifest.path, {
      schema: preparedSchema(manifest, await readHeader(manifest.path)),
      separator: ",",
      header: true,
      strict: true,
    });
    const data = read.data.withColumn("label", col(manifest.label).eq(manifest.positive)).cache();
    for (const split of job.splits) {
      const train = data.filter(col(split).ne("test"));
      const test = data.filter(col(split).eq("test"));
      const info = manifest.splits.find((s) => s.column === split);
      if (info === undefined) throw new RangeError(`${manifest.dataset} has no split "${split}"`);
      const fits = job.models.flatMap((model) =>
        job.replicated.includes(model)
          ? info.modelSeeds.map((seed) => ({ model, seed: seed as number | undefined }))
          : [{ model, seed: undefined }]
      );
      for (const { model, seed } of fits) {
        const engine = `frontier-${model}`;
        const t0 = clock.monotonic();
        let scores: Float64Array, fitSeconds: number, extra: Record<string, Json>;
        if (model === "lr") {
          const encoding = await fitEncoding(train, manifest, "linear");
          const fitted = await new LogisticRegression(job.params.lr).fit(encoding.apply(train), {
            featureCols: encoding.featureCols,
            labelCol: "label",
          });
          fitSeconds = seconds(t0);
          scores = await scoresByRow(fitted.transform(encoding.apply(test)), "probability");
          const c = fitted.convergence;
          extra = {
            fit: `cluster: LogisticRegression.fit, ${job.executors} embedded executors`,
            features: encoding.featureCols.length,
            solver: c.solver,
            iterations: c.iterations,
            converged: c.converged,
            gradientNorm: c.gradientNorm,
            warnings: fitted.warnings.map((w) => w.message),
          };
        } else {
          const encoding = await fitEncoding(train, manifest, "tree");
          const columns = {
            features: encoding.featureCols,
            categorical: encoding.featureCols.filter((_, i) => encoding.kinds[i] === "categorical"),
            label: "label",
            // Bootstrap and bagging draws keyed by the file's row number: the same rows for any partitioning.
            rowId: "row",
          };
          // Test scores are computed here from the collected test rows: a 200-tree forest's model
          // JSON is larger than the 512 KiB a task's arguments may carry, so model.transform on the
          // cluster refuses it (measured: 545 kB for bank-additional).
          const testCols = await featureColumns(test, encoding);
          if (model === "gbt") {
            const t = await fitGbtCluster(encoding.apply(data.filter(col(split).eq("fit"))), {
              ...columns,
              params: job.params.gbt,
              validation: encoding.apply(data.filter(col(split).eq("valid"))),
            });
            fitSeconds = seconds(t0);
            scores = t.model.predictColumnsBinned(testCols.columns, testCols.rows);
            extra = {
              bestIteration: t.bestIteration,
              roundsTrained: t.roundsTrained,
              stoppedEarly: t.stoppedEarly,
              jobs: t.cluster.jobs,
            };
          } else {
            const params = seed === undefined ? job.params.rf : { ...job.params.rf, seed };
            const t = await fitForestCluster(encoding.apply(train), { ...columns, params });
            fitSeconds = seconds(t0);
            scores = t.model.predictColumnsBinned(testCols.columns, testCols.rows);
            extra = { trees: t.model.trees.length, jobs: t.cluster.jobs };
          }
          extra["fit"] = `cluster: fit on the dataset, ${job.executors} embedded executors`;
        }
        const name = seed === undefined ? split : `${split}-seed${seed}`;
        const path = `${job.outDir}/${engine}/${manifest.dataset}/${name}.f64`;
        await writeScores(path, scores);
        results.push({
          engine,
          model,
          dataset: manifest.dataset,
          split,
          ...(seed === undefined ? {} : { modelSeed: seed }),
          fitSeconds,
          scores: path,
          extra,
        });
        console.error(`${engine} ${manifest.dataset} ${name}: fit ${fitSeconds.toFixed(2)} s`);
      }
    }
    await data.unpersist();
  }
  return { versions: frontierVersions(), results };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { job: { type: "string" }, json: { type: "boolean" } },
  });
  const line = await runFrontierQuality(decodeQualityJob(await readJob(values.job)));
  console.log(JSON.stringify(line));
}
