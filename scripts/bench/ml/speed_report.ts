/**
 * The speed part's report: per model family, every engine's training time (measured inside its
 * process, data loading and caching excluded), its process's wall time and peak RSS, and its test
 * ROC-AUC on the held-out rows (so a fast but broken model shows); the targets are Frontier at most
 * 2× LightGBM's training time for GBT, and 2× scikit-learn's and Spark's for RF and LR.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { TargetCheck } from "../harness.ts";
import type { BenchFigure } from "../report.ts";
import { rankingMetrics, rankScores } from "./bootstrap.ts";
import type { ModelKind } from "./engine_result.ts";

/** One engine's speed run. */
export interface SpeedRun {
  engine: string;
  model: ModelKind;
  fitSeconds: number;
  /** Reading and caching the data, excluded from `fitSeconds`. */
  loadSeconds?: number | undefined;
  /** The whole child process, ms. */
  processMs: number;
  peakRssMb: number;
  scores: ArrayLike<number>;
  extra?: Record<string, Json>;
}

/** A speed run with its test ROC-AUC. */
export interface SpeedFigure extends Omit<SpeedRun, "scores"> {
  testRocAuc: number;
}

/** The peers each Frontier model is held to (at most `limit`× their training time). */
export const SPEED_TARGETS: readonly { model: ModelKind; peers: readonly string[]; limit: number }[] = [
  { model: "gbt", peers: ["lightgbm"], limit: 2 },
  { model: "rf", peers: ["sklearn-rf", "spark-rf"], limit: 2 },
  { model: "lr", peers: ["sklearn-lr", "spark-lr"], limit: 2 },
];

/** Figures, targets and console lines of the speed runs scored on `labels`. */
export function speedReport(
  runs: readonly SpeedRun[],
  labels: ArrayLike<number>,
): { figures: SpeedFigure[]; targets: TargetCheck[]; lines: string[] } {
  const figures: SpeedFigure[] = runs.map(({ scores, ...r }) => ({
    ...r,
    testRocAuc: rankingMetrics(rankScores(labels, scores)).rocAuc,
  }));
  const targets: TargetCheck[] = [];
  const lines: string[] = [];
  for (const { model, peers, limit } of SPEED_TARGETS) {
    const ours = figures.find((f) => f.engine === `frontier-${model}`);
    const group = figures.filter((f) => f.model === model);
    if (group.length > 0) {
      lines.push(
        `${model.toUpperCase()}: engine, training s, frontier/engine, test ROC-AUC, process s, peak RSS MiB`,
      );
      for (const f of group) {
        const ratio = ours === undefined ? "-" : `${(ours.fitSeconds / f.fitSeconds).toFixed(2)}×`;
        lines.push(
          `  ${f.engine.padEnd(13)} ${f.fitSeconds.toFixed(2).padStart(8)}  ${ratio.padStart(7)}  ${
            f.testRocAuc.toFixed(4)
          }  ${(f.processMs / 1000).toFixed(1).padStart(7)}  ${f.peakRssMb.toFixed(0).padStart(6)}`,
        );
      }
    }
    for (const peer of peers) {
      const other = figures.find((f) => f.engine === peer);
      const target = `speed ${model.toUpperCase()}: frontier-${model} training time ≤ ${limit}× ${peer}`;
      if (ours === undefined || other === undefined) {
        targets.push({
          target,
          met: undefined,
          detail: `not measured (${ours ? peer : `frontier-${model}`} missing)`,
        });
        continue;
      }
      const ratio = ours.fitSeconds / other.fitSeconds;
      targets.push({
        target,
        met: ratio <= limit,
        detail: `${ours.fitSeconds.toFixed(2)} s / ${other.fitSeconds.toFixed(2)} s = ${ratio.toFixed(2)}×`,
      });
    }
  }
  return { figures, targets, lines };
}

/** The figures as bench figures (`wallMs` is the training time; the process's is in `extra`). */
export function speedBenchFigures(figures: readonly SpeedFigure[], suite = "ml_speed"): BenchFigure[] {
  return figures.map((f) => ({
    suite: `${suite}_${f.model}`,
    engine: f.engine,
    wallMs: Math.max(f.fitSeconds * 1000, Number.MIN_VALUE),
    peakRssMb: f.peakRssMb,
    extra: {
      processMs: f.processMs,
      loadSeconds: f.loadSeconds ?? null,
      testRocAuc: f.testRocAuc,
      ...(f.extra ?? {}),
    },
  }));
}
