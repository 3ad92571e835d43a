/**
 * The cross-validation benchmark's figures and targets (issue 9 §4), from the engines' decoded
 * result lines and their measured processes: a table of wall time (the whole child process, spawn
 * to exit: data reading, the search and the refit, plus the engine's start — Spark's JVM, Frontier's
 * executors), the search time from inside (search and refit), the best params and the best mean
 * validated ROC-AUC; the targets Frontier wall ≤ 0.3× Spark's and Frontier best ≥ each peer's best −
 * 0.005; and a per-trial table of every engine's mean over the same folds.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { TargetCheck } from "../harness.ts";
import type { CvResultLine } from "./cv_result.ts";
import { pointKey } from "./cv_settings.ts";

/** Frontier's engine name in the figures. */
export const FRONTIER_CV = "frontier-crossvalidator-gbt";
/** Spark's. */
export const SPARK_CV = "spark-crossvalidator-gbt";
/** scikit-learn's. */
export const SKLEARN_CV = "sklearn-gridsearchcv-lightgbm";

/** Frontier's wall time at most this share of Spark's. */
export const WALL_RATIO_TARGET = 0.3;
/** Frontier's best metric at least the peer's minus this. */
export const METRIC_TOLERANCE = 0.005;

/** One engine's measured run. */
export interface CvFigure {
  engine: string;
  /** Spawn to exit of the child's process tree, seconds. */
  processSeconds: number;
  peakRssMb: number;
  result: CvResultLine;
  command: string;
}

/** The report: console lines, targets, and the figures as JSON. */
export interface CvReport {
  figures: CvFigure[];
  lines: string[];
  targets: TargetCheck[];
  json: Json;
}

const f3 = (x: number) => x.toFixed(3);

/** Builds the report of `figures` (any subset of the three engines). */
export function cvReport(figures: readonly CvFigure[]): CvReport {
  const by = new Map(figures.map((f) => [f.engine, f]));
  const frontier = by.get(FRONTIER_CV), spark = by.get(SPARK_CV), sklearn = by.get(SKLEARN_CV);
  const lines = [
    `  ${"engine".padEnd(30)} ${"process s".padStart(9)} ${"search s".padStart(9)} ${
      "RSS MiB".padStart(8)
    }  ${"best ROC-AUC".padStart(12)}  best params`,
  ];
  for (const f of figures) {
    lines.push(
      `  ${f.engine.padEnd(30)} ${f.processSeconds.toFixed(1).padStart(9)} ${
        f.result.fitSeconds.toFixed(1).padStart(9)
      } ${f.peakRssMb.toFixed(0).padStart(8)}  ${f.result.best.mean.toFixed(4).padStart(12)}  ${
        pointKey(f.result.best.params)
      }`,
    );
  }
  // per trial, side by side
  const keys = [...new Set(figures.flatMap((f) => f.result.trials.map((t) => pointKey(t.params))))];
  if (keys.length > 0) {
    lines.push(
      "",
      `  ${"trial (mean ROC-AUC over the folds)".padEnd(36)} ${figures.map((f) => f.engine).join("  ")}`,
    );
    for (const k of keys) {
      const cells = figures.map((f) => {
        const t = f.result.trials.find((t) => pointKey(t.params) === k);
        return (t === undefined ? "-" : t.mean.toFixed(4)).padStart(f.engine.length);
      });
      lines.push(`  ${k.padEnd(36)} ${cells.join("  ")}`);
    }
  }
  const ratios: Record<string, Json> = {};
  if (frontier !== undefined) {
    lines.push("");
    for (const peer of [spark, sklearn]) {
      if (peer === undefined) continue;
      const wall = frontier.processSeconds / peer.processSeconds;
      const search = frontier.result.fitSeconds / peer.result.fitSeconds;
      ratios[peer.engine] = {
        processWall: wall,
        search,
        bestDelta: frontier.result.best.mean - peer.result.best.mean,
      };
      lines.push(
        `  Frontier / ${peer.engine}: wall ${f3(wall)}×, search ${f3(search)}×, best ROC-AUC ${
          (frontier.result.best.mean - peer.result.best.mean >= 0 ? "+" : "") +
          (frontier.result.best.mean - peer.result.best.mean).toFixed(4)
        }`,
      );
    }
  }
  const missing = (f: CvFigure | undefined, name: string) =>
    f === undefined ? `not measured (${name} missing)` : undefined;
  const targets: TargetCheck[] = [];
  {
    const why = missing(frontier, "frontier") ?? missing(spark, "spark");
    targets.push({
      target: `cv: ${FRONTIER_CV} wall ≤ ${WALL_RATIO_TARGET}× ${SPARK_CV}`,
      met: why === undefined
        ? frontier!.processSeconds <= WALL_RATIO_TARGET * spark!.processSeconds
        : undefined,
      detail: why ??
        `${frontier!.processSeconds.toFixed(1)} s vs ${spark!.processSeconds.toFixed(1)} s = ${
          f3(frontier!.processSeconds / spark!.processSeconds)
        }× (search only: ${f3(frontier!.result.fitSeconds / spark!.result.fitSeconds)}×)`,
    });
  }
  for (const [peer, name] of [[spark, "spark"], [sklearn, "sklearn"]] as const) {
    const engine = name === "spark" ? SPARK_CV : SKLEARN_CV;
    const why = missing(frontier, "frontier") ?? missing(peer, name);
    targets.push({
      target: `cv: ${FRONTIER_CV} best ROC-AUC ≥ ${engine} − ${METRIC_TOLERANCE}`,
      met: why === undefined
        ? frontier!.result.best.mean >= peer!.result.best.mean - METRIC_TOLERANCE
        : undefined,
      detail: why ?? `${frontier!.result.best.mean.toFixed(4)} vs ${peer!.result.best.mean.toFixed(4)}`,
    });
  }
  return {
    figures: [...figures],
    lines,
    targets,
    json: {
      figures: figures.map((f) => ({
        engine: f.engine,
        processSeconds: f.processSeconds,
        peakRssMb: f.peakRssMb,
        command: f.command,
        ...JSON.parse(JSON.stringify(f.result)) as Record<string, Json>,
      })),
      ratios,
    },
  };
}
