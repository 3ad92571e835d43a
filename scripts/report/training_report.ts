/**
 * Writes the training report: a self-contained `report.html` (metrics table, operating points and
 * confusion matrices, ROC, precision–recall, calibration, gains/lift and importance charts), every
 * chart as SVG and PNG (stamped with data range, seed and versions), every table as CSV and JSON,
 * and the input itself as `report.json` (read it back with `decodeTrainingReportInput`).
 *
 * ```
 * <outDir>/report.html
 * <outDir>/report.json
 * <outDir>/tables/<name>.csv, <name>.json
 * <outDir>/charts/<name>.svg, <name>.png
 * ```
 *
 * @example
 * ```ts ignore
 * import { evaluateBinary } from "../../models/evaluation/mod.ts";
 * import { modelReportFromMetrics } from "./training_report_from_metrics.ts";
 * import { writeTrainingReport } from "./training_report.ts";
 * const metrics = evaluateBinary({ labels: [0, 1, 0, 1], scores: [0.2, 0.9, 0.4, 0.6] });
 * await writeTrainingReport({
 *   version: 1,
 *   data: {
 *     dataset: "toy", label: "y", split: "random 50/50", rowsTrain: 4, rowsTest: 4,
 *     positiveRateTrain: 0.5, positiveRateTest: 0.5, seed: 1, versions: { frontier: "0.1.0" },
 *   },
 *   models: [modelReportFromMetrics("lr", metrics, { choice: { by: "f1" }, timings: { trainMs: 3 } })],
 * }, { outDir: "out/toy" });
 * ```
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import { buildReport, formatNumber } from "./html_report.ts";
import { renderSectionPlans, type SectionPlan } from "./report_plan.ts";
import {
  decodeTrainingReportInput,
  encodeTrainingReportInput,
  type TrainingReportInput,
} from "./training_report_input.ts";
import { trainingSections, type TrainingSectionsOptions } from "./training_sections.ts";

/** Options of {@linkcode writeTrainingReport}. */
export interface TrainingReportOptions extends TrainingSectionsOptions {
  /** Directory to write into; created when missing. */
  outDir: string;
  /** Sections appended after the training sections (e.g. a tuning or comparison section). */
  extraSections?: readonly SectionPlan[];
  /** Extra provenance shown under the title. */
  meta?: Record<string, string | number>;
  /** Write PNGs beside the SVGs and show them in the page. @default {true} */
  png?: boolean;
  clock?: Clock;
  log?: (line: string) => void;
}

/** What {@linkcode writeTrainingReport} wrote. */
export interface TrainingReportResult {
  reportPath: string;
  jsonPath: string;
  /** CSV tables written (a JSON twin beside each). */
  tables: string[];
  /** SVG charts written (a PNG twin beside each when `png`). */
  charts: string[];
  /** Section ids, in page order. */
  sections: string[];
  /** Wall time of rendering and writing, ms. */
  ms: number;
}

/**
 * Validates `input` (as `report.json` will be read back), renders and writes the report.
 * @throws {TypeError} for a malformed input (see `decodeTrainingReportInput`).
 */
export async function writeTrainingReport(
  input: TrainingReportInput,
  options: TrainingReportOptions,
): Promise<TrainingReportResult> {
  const clock = options.clock ?? systemClock;
  const t0 = clock.monotonic();
  const json = encodeTrainingReportInput(input);
  const checked = decodeTrainingReportInput(JSON.parse(json));
  const out = options.outDir.replace(/\/+$/, "");
  const plans = [...trainingSections(checked, options), ...(options.extraSections ?? [])];
  const { sections, tables, charts } = await renderSectionPlans(plans, {
    outDir: out,
    png: options.png ?? true,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const d = checked.data;
  const html = buildReport({
    title: checked.title ?? "Frontier — training report",
    subtitle: `${d.dataset} · label ${d.label} · ${checked.models.map((m) => m.name).join(", ")}`,
    meta: {
      dataset: d.dataset,
      split: d.split,
      "train rows": d.rowsTrain,
      "test rows": d.rowsTest,
      seed: String(d.seed),
      ...d.versions,
      ...options.meta,
    },
    sections,
  });
  const reportPath = `${out}/report.html`;
  const jsonPath = `${out}/report.json`;
  await Deno.writeTextFile(reportPath, html);
  await Deno.writeTextFile(jsonPath, json);
  options.log?.(`report: wrote ${reportPath} (${formatNumber(charts.length)} charts)`);
  return {
    reportPath,
    jsonPath,
    tables,
    charts,
    sections: sections.map((s) => s.id),
    ms: clock.monotonic() - t0,
  };
}
