/**
 * Task 2 of the demo: distributed training on bank-additional-full without `duration`, split out
 * of time on the derived contact date (test: the latest 20 % of rows), every model kind of
 * `frontier train` trained on the cluster, evaluated on the test rows and saved, with the training
 * report — what `deno task frontier train --input data/bank-additional-full.csv.gz --split time`
 * does, on the demo's cluster.
 *
 * @module
 */
import type { Clock } from "../../actors/clock.ts";
import type { Frontier } from "../../cluster/frontier.ts";
import { MODEL_KINDS } from "../cli/training/model_kinds.ts";
import { runTraining } from "../cli/training/run_training.ts";
import type { TrainingSummary } from "../cli/training/training_summary.ts";

/** Options of {@linkcode runTask2}. */
export interface Task2Options {
  /** Output directory (models/, report.html, summary.json). */
  readonly out: string;
  /** Where the bank file is decompressed. */
  readonly workDir: string;
  readonly seed: number;
  /** Where the cluster runs, for the summary. */
  readonly cluster: string;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

/** The shipped bank-additional file. */
export const BANK_ADDITIONAL_PATH: string = new URL("../../data/bank-additional-full.csv.gz", import.meta.url)
  .pathname;

/** Trains every model kind on bank-additional, out of time; resolves to the summary. */
export async function runTask2(fx: Frontier, options: Task2Options): Promise<TrainingSummary> {
  const { log } = options;
  const summary = await runTraining(fx, {
    input: BANK_ADDITIONAL_PATH,
    workDir: options.workDir,
    out: options.out,
    models: MODEL_KINDS,
    split: "time",
    seed: options.seed,
    overwrite: true,
    title: "Frontier — Task 2: distributed training on bank-additional (out-of-time, no duration)",
    cluster: options.cluster,
  }, { log, warn: (line) => log(`warning: ${line}`), clock: options.clock });
  log(
    `task 2: ${summary.rows_train} training rows (${summary.rows_fit} fit + ${summary.rows_validation} validation), ` +
      `${summary.rows_test} test rows; ${summary.split.description}`,
  );
  for (const m of summary.models) {
    const x = m.metrics;
    log(
      `task 2: ${m.name} ROC-AUC ${x["rocAuc"]!.toFixed(4)}, PR-AUC ${
        x["averagePrecision"]!.toFixed(4)
      }, F1 ${x["f1"]!.toFixed(4)} at ${m.threshold.toPrecision(4)}, accuracy ${
        x["accuracy"]!.toFixed(4)
      } (baseline ${x["baselineAccuracy"]!.toFixed(4)}); trained in ${
        (m.ms.train / 1000).toFixed(1)
      } s → ${m.path}`,
    );
  }
  return summary;
}
