/**
 * Turns a {@linkcode TrainingReportInput} into report sections: the data and split, the metrics
 * table (every model, accuracy beside the majority baseline, intervals when given), the operating
 * point and confusion matrix of each model, and the ROC, precision–recall, calibration, gains/lift
 * and importance charts. Pure: no I/O; `training_report.ts` renders and writes.
 *
 * A later report (model comparison, tuning) can append its own sections to these; `idPrefix`
 * keeps ids and file names apart when two sets share a page.
 *
 * @module
 */
import type { ChartStamp } from "./chart.ts";
import { formatNumber } from "./html_report.ts";
import { gainsCurvesSpec, prCurvesSpec, rocCurvesSpec } from "./curve_chart_specs.ts";
import { calibrationSpec, importanceSpec, liftAtTopSpec } from "./model_chart_specs.ts";
import type { ChartPlan, SectionPlan } from "./report_plan.ts";
import type { ModelReport, TrainingReportInput } from "./training_report_input.ts";
import {
  calibrationTable,
  dataSection,
  liftTable,
  metricsSection,
  modelsSection,
  operatingSection,
  para,
  percent,
} from "./training_table_sections.ts";

/** Options of {@linkcode trainingSections}. */
export interface TrainingSectionsOptions {
  /** Prefix of section ids and file names. @default {""} */
  idPrefix?: string;
  /** Bars per importance chart. @default {15} */
  topFeatures?: number;
}

/** The section ids {@linkcode trainingSections} makes, in order (without `idPrefix`). */
export const TRAINING_SECTION_IDS: readonly string[] = [
  "data",
  "metrics",
  "confusion",
  "roc",
  "precision-recall",
  "calibration",
  "lift",
  "importance",
  "models",
  "detail-tables",
];

/** The training report's sections (see the module documentation). */
export function trainingSections(
  input: TrainingReportInput,
  options: TrainingSectionsOptions = {},
): SectionPlan[] {
  const p = options.idPrefix ?? "";
  const { data, models } = input;
  const stamp: ChartStamp = {
    dataRange: data.dataRange ?? `${data.dataset}, test: ${formatNumber(data.rowsTest)} rows`,
    seed: data.seed,
    versions: data.versions,
  };
  const file = (name: string) => `${p}${name}`.replace(/[^A-Za-z0-9_-]+/g, "_");
  const chart = (name: string, title: string, spec: ChartPlan["spec"]): ChartPlan => ({
    file: file(name),
    title,
    spec,
    stamp,
  });
  const series = <P>(pick: (m: ModelReport) => P[]) =>
    models.map((m) => ({ model: m.name, points: pick(m) }));
  const baseRate = data.positiveRateTest;
  const calibrated = models.filter((m) => m.curves.calibration.length > 0);
  const uncalibrated = models.filter((m) => m.curves.calibration.length === 0).map((m) => m.name);
  return [
    dataSection(input, { id: `${p}data`, file }),
    metricsSection(input, { id: `${p}metrics`, file }),
    operatingSection(input, { id: `${p}confusion`, file }),
    {
      id: `${p}roc`,
      title: "ROC curves",
      html: para(
        "True-positive rate against false-positive rate as the threshold falls; the dashed " +
          "diagonal is a random ranking. ROC-AUC is in the metrics table.",
      ),
      tables: [],
      charts: [
        chart("roc", "ROC curves", rocCurvesSpec(series((m) => m.curves.roc), { title: "ROC curves" })),
      ],
    },
    {
      id: `${p}precision-recall`,
      title: "Precision–recall curves",
      html: para(
        `Precision against recall of the positive class; the dashed line is the test base rate ` +
          `(${percent(baseRate)}), what a classifier without skill achieves.`,
      ),
      tables: [],
      charts: [chart(
        "precision_recall",
        "Precision–recall curves",
        prCurvesSpec(series((m) => m.curves.pr), { title: "Precision–recall curves", baseRate }),
      )],
    },
    {
      id: `${p}calibration`,
      title: "Calibration",
      html: para(
        "Per bin of predicted probability, the mean prediction against the observed share of " +
          "positives (dashed: perfectly calibrated), and below, the rows in each bin. The bins are in " +
          "the detail tables.",
      ) + (uncalibrated.length === 0
        ? ""
        : para(`Scores of ${uncalibrated.join(", ")} are not probabilities and are left out.`)),
      tables: [],
      charts: calibrated.length === 0 ? [] : [chart(
        "calibration",
        "Calibration (reliability)",
        calibrationSpec(calibrated.map((m) => ({ model: m.name, points: m.curves.calibration })), {
          title: "Calibration (reliability)",
        }),
      )],
    },
    {
      id: `${p}lift`,
      title: "Cumulative gains and lift",
      html: para(
        "Targeting the top-scored rows first: the share of all positives found (gains), and how " +
          "many times more positives than random targeting finds at each depth (lift).",
      ),
      tables: [],
      charts: [
        chart(
          "gains",
          "Cumulative gains",
          gainsCurvesSpec(series((m) => m.curves.gains), { title: "Cumulative gains", baseRate }),
        ),
        chart(
          "lift",
          "Lift at the top k %",
          liftAtTopSpec(series((m) => m.curves.lift), { title: "Lift at the top k %" }),
        ),
      ],
    },
    importanceSection(input, { id: `${p}importance`, chart, topN: options.topFeatures ?? 15 }),
    modelsSection(input, { id: `${p}models`, file }),
    {
      id: `${p}detail-tables`,
      title: "Detail tables",
      tables: [
        ...(calibrated.length === 0 ? [] : [calibrationTable(calibrated, file("calibration"))]),
        liftTable(models, file("lift")),
      ],
      charts: [],
    },
  ];
}

function importanceSection(
  input: TrainingReportInput,
  how: {
    id: string;
    topN: number;
    chart: (name: string, title: string, spec: ChartPlan["spec"]) => ChartPlan;
  },
): SectionPlan {
  const charts = input.models.flatMap((m, i) =>
    (m.importance ?? []).map((imp, j) => {
      const title = `${m.name}: ${imp.method}`;
      const spec = importanceSpec(imp.features, { title, topN: how.topN, valueTitle: imp.method });
      return how.chart(`importance_${i}_${j}`, title, spec);
    })
  );
  const without = input.models.filter((m) => (m.importance ?? []).length === 0).map((m) => m.name);
  return {
    id: how.id,
    title: "Feature importance",
    html: para(
      `The ${how.topN} most important source columns per model and method.` +
        (without.length > 0 ? ` No importance was given for ${without.join(", ")}.` : ""),
    ),
    tables: [],
    charts,
  };
}
