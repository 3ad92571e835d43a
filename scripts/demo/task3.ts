/**
 * Task 3 of the demo: tuning and model comparison on bank-additional-full without `duration`,
 * out of time — what `deno task frontier tune --validator time` does, on the demo's cluster.
 *
 * 1. A small grid of boosted-tree settings searched with expanding-window time folds on the
 *    training rows (no fold trains on the future), trials in parallel on the cluster; the winner
 *    refitted on every training row and scored once on the untouched test rows (the latest 20 %,
 *    the same rows as Task 2's test), with bootstrap intervals; saved as a model directory.
 * 2. The comparison report: Task 2's default models beside the tuned one — every metric with its
 *    95 % bootstrap interval, training and scoring times, overlaid ROC, precision–recall,
 *    calibration and lift charts, each model's operating point and confusion matrix — and the
 *    tuning section (every trial, the winner starred).
 *
 * @module
 */
import type { Clock } from "../../actors/clock.ts";
import type { Frontier } from "../../cluster/frontier.ts";
import { FRONTIER_VERSION } from "../eda/eda_report.ts";
import { writeTrainingReport } from "../report/training_report.ts";
import { decodeTrainingReportInput, type ModelReport } from "../report/training_report_input.ts";
import { tuningSection } from "../report/tuning_section.ts";
import { runTuning, type TuningOutcome } from "../cli/training/run_tuning.ts";
import { BANK_ADDITIONAL_PATH } from "./task2.ts";

/** Options of {@linkcode runTask3}. */
export interface Task3Options {
  /** Output directory (models/gbt, tuning.json, report.html, comparison/report.html). */
  readonly out: string;
  /** Task 2's output directory: its `report.json` holds the default models. */
  readonly task2Out: string;
  /** Where the bank file is decompressed. */
  readonly workDir: string;
  readonly seed: number;
  /** Where the cluster runs, for the summaries. */
  readonly cluster: string;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

/** The grid the demo searches: leaves × learning rate, early-stopped rounds per fold. */
export const TASK3_GRID: readonly Record<string, number>[] = [
  { numLeaves: 7, learningRate: 0.05 },
  { numLeaves: 7, learningRate: 0.1 },
  { numLeaves: 31, learningRate: 0.05 },
  { numLeaves: 31, learningRate: 0.1 },
];

/** What Task 3 produced. */
export interface Task3Result {
  readonly tuning: TuningOutcome;
  /** Every model of the comparison, Task 2's first. */
  readonly models: readonly ModelReport[];
  /** The comparison page. */
  readonly comparisonPath: string;
}

/** Tunes boosted trees out of time and writes the comparison report (see the module doc). */
export async function runTask3(fx: Frontier, options: Task3Options): Promise<Task3Result> {
  const { log, clock } = options;
  const out = options.out.replace(/\/+$/, "");
  const tuning = await runTuning(fx, {
    input: BANK_ADDITIONAL_PATH,
    workDir: options.workDir,
    out,
    model: "gbt",
    candidates: TASK3_GRID,
    validator: "time",
    folds: 2,
    trainRatio: 0.75,
    testFraction: 0.2,
    parallelism: 2,
    metric: "rocAuc",
    seed: options.seed,
    overwrite: true,
    share: true,
    cluster: options.cluster,
  }, { log, trial: (line) => log(`task 3: ${line}`), clock });

  const task2 = decodeTrainingReportInput(
    JSON.parse(await Deno.readTextFile(`${options.task2Out.replace(/\/+$/, "")}/report.json`)),
  );
  const tuned = tuning.report;
  const rowsTest = tuned.operatingPoint.confusion;
  const testRows = rowsTest.tp + rowsTest.fp + rowsTest.tn + rowsTest.fn;
  if (testRows !== task2.data.rowsTest) {
    throw new RangeError(
      `Task 3's test rows (${testRows}) are not Task 2's (${task2.data.rowsTest}): the comparison needs the same rows`,
    );
  }
  const models = [...task2.models, tuned];
  const comparison = await writeTrainingReport({
    ...task2,
    title: "Frontier — Task 3: tuned and default models compared (bank-additional, out of time, no duration)",
    models,
  }, {
    outDir: `${out}/comparison`,
    extraSections: [
      tuningSection(tuning.tuning, {
        stamp: {
          dataRange: `${task2.data.dataset}: ${task2.data.rowsTrain} training rows`,
          seed: options.seed,
          versions: { frontier: FRONTIER_VERSION },
        },
      }),
    ],
    meta: { cluster: options.cluster },
    clock,
    log,
  });
  return { tuning, models, comparisonPath: comparison.reportPath };
}

/** The comparison as printable lines: each model's test figures with their intervals. */
export function task3Lines(result: Task3Result): string[] {
  const fmt = (m: ModelReport, name: "rocAuc" | "averagePrecision") => {
    const i = m.intervals?.[name];
    const v = m.metrics[name].toFixed(4);
    return i === undefined ? v : `${v} [${i.lo.toFixed(3)}, ${i.hi.toFixed(3)}]`;
  };
  const t = result.tuning.tuning;
  const best = t.trials.find((x) => x.index === t.best)!;
  return [
    `tuning: ${t.trials.length} trials (${t.validation}), best ${JSON.stringify(best.params)} ` +
    `${t.metric} ${best.mean.toFixed(4)} ± ${best.std.toFixed(4)} in ${(t.ms / 1000).toFixed(1)} s`,
    ...result.models.map((m) =>
      `${m.name.padEnd(12)} ROC-AUC ${fmt(m, "rocAuc")}  PR-AUC ${fmt(m, "averagePrecision")}  F1 ${
        m.operatingPoint.f1.toFixed(4)
      }  train ${(m.timings.trainMs / 1000).toFixed(1)} s`
    ),
    `comparison: ${result.comparisonPath}`,
  ];
}
