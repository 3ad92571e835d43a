/**
 * Frontier's side of the cross-validation benchmark: `CrossValidator({ foldCol, parallelism })`
 * (models/tuning) with boosted trees over the grid, on `executors` embedded executors, printing
 * the same result line as `peers_cv.py` (`cv_result.ts`).
 *
 * ```sh
 * deno run -A scripts/bench/ml/frontier_cv.ts --job JOB.json --json
 * ```
 *
 * JOB.json: `{ manifest (cv_data.ts), settings (cv_settings.ts), executors }`. The CV file is read
 * by `fx.read.csv`; rows with fold −1 (the out-of-time test rows) are dropped before the search,
 * so the refit of the best params trains on exactly the searched rows, as Spark's and
 * scikit-learn's do. Each fold's feature pipeline (text columns indexed, split natively) and
 * binned rows are prepared once and shared by the six trials.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import { col } from "../../../cluster/expr/column.ts";
import type { CsvSchema } from "../../../cluster/io/csv/schema.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import type { GbtParams } from "../../../models/classification/gbt/params.ts";
import { Pipeline } from "../../../models/features/pipeline.ts";
import { StringIndexer } from "../../../models/features/string_indexer.ts";
import { VectorAssembler } from "../../../models/features/vector_assembler.ts";
import { CrossValidator, TreeTunable } from "../../../models/tuning/mod.ts";
import type { CvManifest } from "./cv_data.ts";
import type { CvResultLine } from "./cv_result.ts";
import { type CvSettings, gridPoints } from "./cv_settings.ts";
import { frontierVersions, readJob } from "./frontier_child.ts";
import { readHeader } from "./frontier_features.ts";

/** The job of the child. */
export interface FrontierCvJob {
  manifest: CvManifest;
  settings: CvSettings;
  executors: number;
}

function decodeJob(v: Record<string, unknown>): FrontierCvJob {
  const m = v["manifest"] as Record<string, unknown> | undefined;
  const s = v["settings"] as Record<string, unknown> | undefined;
  if (
    typeof m?.["path"] !== "string" || typeof m["foldCol"] !== "string" ||
    typeof s?.["rounds"] !== "number" ||
    !Number.isSafeInteger(v["executors"])
  ) throw new TypeError("A CV job needs manifest { path, foldCol, … }, settings { rounds, … } and executors");
  return v as unknown as FrontierCvJob;
}

/** The explicit schema of a CV file, in its column order. */
export function cvSchema(m: CvManifest, header: readonly string[]): CsvSchema {
  const numeric = new Set(m.numeric), text = new Set([...m.categorical, m.label]);
  return {
    fields: header.map((name) => {
      if (name === "row" || name === m.foldCol) return { name, type: "int" as const, nullable: false };
      if (numeric.has(name)) return { name, type: "double" as const, nullable: false };
      if (text.has(name)) return { name, type: "string" as const, nullable: false };
      throw new RangeError(`${m.path}: column "${name}" is not in its manifest`);
    }),
  };
}

/** Runs the search of `job`; returns the result line. */
export async function runFrontierCv(job: FrontierCvJob): Promise<CvResultLine> {
  const clock = systemClock;
  const t0 = clock.monotonic();
  const { manifest: m, settings: s } = job;
  await using fx = await Frontier.start({ executors: job.executors, slots: 1 });
  const read = await fx.read.csv(m.path, {
    schema: cvSchema(m, await readHeader(m.path)),
    separator: ",",
    header: true,
    strict: true,
  });
  const data = read.data
    .filter(col(m.foldCol).ge(0))
    .withColumn("label", col(m.label).eq(m.positive).cast("double"))
    .cache();
  const index = (c: string) => `${c}_index`;
  const estimator = new TreeTunable("gbt", {
    label: "label",
    pipeline: () =>
      new Pipeline([
        new StringIndexer({
          inputCols: m.categorical,
          outputCols: m.categorical.map(index),
          handleInvalid: "keep",
        }),
        new VectorAssembler({
          inputCols: [...m.numeric, ...m.categorical.map(index)],
          outputCol: "features",
          handleInvalid: "keep",
        }),
      ], { features: "features", label: "label" }),
    base: {
      numRounds: s.rounds,
      maxBins: s.maxBins,
      minDataInLeaf: s.minRowsInLeaf,
      minChildWeight: 1e-3,
      lambdaL2: 0,
    },
  });
  const candidates: Partial<GbtParams>[] = gridPoints(s.grid).map((p) => ({
    maxDepth: p.maxDepth,
    numLeaves: 2 ** p.maxDepth,
    learningRate: p.learningRate,
  }));
  const cv = new CrossValidator({
    estimator,
    candidates,
    metric: "rocAuc",
    numFolds: s.folds,
    foldCol: m.foldCol,
    parallelism: s.parallelism,
    seed: s.seed,
  });
  const t1 = clock.monotonic();
  const result = await cv.fit(data, {
    onTrial: (e) => {
      if (e.type === "done") {
        console.error(
          `frontier trial ${e.trial.index}: ${e.trial.mean.toFixed(4)} ${JSON.stringify(e.trial.params)}`,
        );
      }
    },
  });
  const fitSeconds = (clock.monotonic() - t1) / 1000;
  await data.unpersist();
  const failed = result.trials.filter((t) => t.status !== "ok");
  if (failed.length > 0) {
    throw new Error(
      `${failed.length} trials did not finish: ${failed.map((t) => t.error ?? t.status).join("; ")}`,
    );
  }
  const pick = (p: Readonly<Record<string, unknown>>) => ({
    maxDepth: p["maxDepth"] as number,
    learningRate: p["learningRate"] as number,
  });
  const best = result.trials[result.best]!;
  return {
    engine: "frontier-crossvalidator-gbt",
    versions: frontierVersions(),
    wallSeconds: (clock.monotonic() - t0) / 1000,
    fitSeconds,
    best: { params: pick(best.params), mean: best.mean },
    trials: result.trials.map((t) => ({ params: pick(t.params), mean: t.mean, std: t.std })),
    extra: {
      validation: result.validation,
      folds: result.folds.map((f) => ({
        index: f.index,
        trainRows: f.trainRows,
        validationRows: f.validationRows,
      })),
      preparations: result.shared.preparations,
      trialFits: result.shared.fits,
      refitSeconds: (result.winner?.ms ?? 0) / 1000,
      trialSeconds: result.trials.map((t) => t.ms / 1000),
      executors: job.executors,
    } satisfies Record<string, Json>,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { job: { type: "string" }, json: { type: "boolean" } },
  });
  const line = await runFrontierCv(decodeJob(await readJob(values.job)));
  console.log(JSON.stringify(line));
}
