/**
 * The table sections of the training report — data and split, metrics, confusion matrices, models
 * and timings — and the calibration-bin and lift tables of its detail section. Pure: no I/O.
 *
 * @module
 */
import { escapeHtml, formatNumber, type ReportCell } from "./html_report.ts";
import type { SectionPlan, TablePlan } from "./report_plan.ts";
import type {
  Interval,
  MetricName,
  ModelOperatingPoint,
  ModelReport,
  ThresholdChoice,
  TrainingReportInput,
} from "./training_report_input.ts";

/** Where a section goes: its id, and the file name of a table or chart by short name. */
export interface SectionPlace {
  id: string;
  file: (name: string) => string;
}

/** The dataset, label, split, row counts, positive rates and seed; features and excluded columns. */
export function dataSection(input: TrainingReportInput, at: SectionPlace): SectionPlan {
  const { id, file } = at;
  const d = input.data;
  const lines = [
    `Every figure below is on the ${
      formatNumber(d.rowsTest)
    } test rows; thresholds chosen elsewhere say where.`,
  ];
  if (d.features !== undefined) lines.push(`Features (${d.features.length}): ${d.features.join(", ")}.`);
  if (d.excluded !== undefined && d.excluded.length > 0) lines.push(`Excluded: ${d.excluded.join(", ")}.`);
  return {
    id,
    title: "Data and split",
    html: lines.map(para).join(""),
    tables: [{
      file: file("data"),
      caption: "Data and split",
      columns: [
        "dataset",
        "label",
        "split",
        "train rows",
        "test rows",
        "train positives",
        "test positives",
        "seed",
      ],
      rows: [[
        d.dataset,
        d.label,
        d.split,
        d.rowsTrain,
        d.rowsTest,
        percent(d.positiveRateTrain),
        percent(d.positiveRateTest),
        String(d.seed),
      ]],
    }],
    charts: [],
  };
}

/**
 * Two tables with a row per model: threshold-free quality (ROC-AUC, PR-AUC, log loss, Brier, ECE,
 * training time), and the chosen threshold with accuracy beside the majority baseline and the
 * positive class's precision, recall and F1. Intervals print as `value [lo, hi]`; warnings are listed.
 */
export function metricsSection(input: TrainingReportInput, at: SectionPlace): SectionPlan {
  const { id, file } = at;
  const models = input.models;
  const anyInterval = models.some((m) => m.intervals !== undefined && Object.keys(m.intervals).length > 0);
  const anyCost = models.some((m) => m.operatingPoint.expectedCost !== undefined);
  const warnings = models.flatMap((m) => (m.warnings ?? []).map((w) => `${m.name}: ${w}`));
  const html = [
    para(
      "Ranking and probability quality need no threshold. At each model's chosen threshold, accuracy " +
        "sits beside the majority-class baseline (always predicting the heavier class): with imbalanced " +
        "labels a high accuracy can be no skill at all; precision, recall and F1 are of the positive class." +
        (anyInterval ? " Brackets hold confidence intervals [lo, hi]." : ""),
    ),
    ...(warnings.length === 0
      ? []
      : [`<ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`]),
  ].join("");
  const cell = (m: ModelReport, name: MetricName, value: number | undefined) =>
    metricCell(value, m.intervals?.[name]);
  const quality: TablePlan = {
    file: file("metrics"),
    caption: "Ranking and probability quality on the test rows",
    columns: ["model", "ROC-AUC", "PR-AUC", "log loss", "Brier", "ECE", "train s"],
    rows: models.map((m) => [
      m.name,
      cell(m, "rocAuc", m.metrics.rocAuc),
      cell(m, "averagePrecision", m.metrics.averagePrecision),
      cell(m, "logLoss", m.metrics.logLoss),
      cell(m, "brier", m.metrics.brier),
      cell(m, "ece", m.metrics.ece),
      seconds(m.timings.trainMs),
    ]),
  };
  const threshold: TablePlan = {
    file: file("threshold_metrics"),
    caption: "At the chosen threshold, on the test rows",
    columns: [
      "model",
      "threshold",
      "chosen by",
      "accuracy",
      "majority baseline",
      "precision",
      "recall",
      "F1",
      "flagged",
      ...(anyCost ? ["expected cost"] : []),
    ],
    rows: models.map((m) => {
      const o = m.operatingPoint, c = o.confusion;
      const total = c.tp + c.fp + c.tn + c.fn;
      return [
        m.name,
        o.threshold,
        `${choiceText(o.choice)} on ${o.chosenOn}`,
        cell(m, "accuracy", o.accuracy),
        m.metrics.baselineAccuracy,
        cell(m, "precision", o.precision),
        cell(m, "recall", o.recall),
        cell(m, "f1", o.f1),
        total > 0 ? percent((c.tp + c.fp) / total) : undefined,
        ...(anyCost ? [o.expectedCost] : []),
      ];
    }),
  };
  return { id, title: "Metrics", html, tables: [quality, threshold], charts: [] };
}

/** A 2×2 confusion matrix with totals per model, captioned with its threshold and how it was chosen. */
export function operatingSection(input: TrainingReportInput, at: SectionPlace): SectionPlan {
  const { id, file } = at;
  return {
    id,
    title: "Confusion matrices",
    html: para(
      "A row is predicted positive when its score is at least the threshold. Max F1 picks the " +
        "threshold with the best F1 of the positive class; least cost weighs a missed positive against a " +
        "false alarm. A threshold chosen on validation rows is reported on the test rows.",
    ),
    tables: input.models.map((m, i) => confusionTable(m.name, m.operatingPoint, file(`confusion_${i}`))),
    charts: [],
  };
}

function confusionTable(name: string, o: ModelOperatingPoint, file: string): TablePlan {
  const c = o.confusion;
  return {
    file,
    caption:
      `${name}: confusion matrix at threshold ${formatNumber(o.threshold)} (${choiceText(o.choice)}, ` +
      `chosen on ${o.chosenOn})`,
    columns: ["actual", "predicted positive", "predicted negative", "total"],
    rows: [
      ["positive", c.tp, c.fn, c.tp + c.fn],
      ["negative", c.fp, c.tn, c.fp + c.tn],
      ["total", c.tp + c.fp, c.fn + c.tn, c.tp + c.fp + c.tn + c.fn],
    ],
  };
}

/** Every calibration bin of every model: rows, mean prediction, observed share of positives. */
export function calibrationTable(models: readonly ModelReport[], file: string): TablePlan {
  return {
    file,
    caption: "Calibration bins (ECE in the metrics table)",
    columns: ["model", "bin", "rows", "mean predicted", "observed"],
    rows: models.flatMap((m) =>
      m.curves.calibration.map((b): ReportCell[] => [
        m.name,
        `${formatNumber(b.lower)}–${formatNumber(b.upper)}`,
        b.weight,
        b.meanScore,
        b.positiveRate,
      ])
    ),
  };
}

/** Gain, lift and precision at each top-k % depth of every model. */
export function liftTable(models: readonly ModelReport[], file: string): TablePlan {
  return {
    file,
    caption: "Lift and gains at the top k % of rows by score",
    columns: ["model", "top %", "gain", "lift", "precision"],
    rows: models.flatMap((m) =>
      m.curves.lift.map((l): ReportCell[] => [m.name, l.percent, percent(l.gain), l.lift, l.precision])
    ),
  };
}

/** Kind, parameters and wall times (train, predict, evaluate) per model. */
export function modelsSection(input: TrainingReportInput, at: SectionPlace): SectionPlan {
  const { id, file } = at;
  return {
    id,
    title: "Models and timings",
    tables: [{
      file: file("models"),
      caption: "Models, parameters and wall times",
      columns: ["model", "kind", "parameters", "train s", "predict s", "evaluate s"],
      rows: input.models.map((m) => [
        m.name,
        m.kind,
        m.params === undefined ? undefined : Object.entries(m.params).map(([k, v]) => `${k}=${v}`).join(", "),
        seconds(m.timings.trainMs),
        m.timings.predictMs === undefined ? undefined : seconds(m.timings.predictMs),
        m.timings.evaluateMs === undefined ? undefined : seconds(m.timings.evaluateMs),
      ]),
    }],
    charts: [],
  };
}

/** A metric, with its interval as `value [lo, hi]` when given; missing metrics print as a dash. */
export function metricCell(value: number | undefined, interval: Interval | undefined): ReportCell {
  if (value === undefined) return undefined;
  if (interval === undefined) return value;
  return `${formatNumber(value)} [${formatNumber(interval.lo)}, ${formatNumber(interval.hi)}]`;
}

/** How a threshold was chosen, in words. */
export function choiceText(choice: ThresholdChoice): string {
  switch (choice.by) {
    case "f1":
      return "max F1";
    case "cost":
      return `least cost (FN ${formatNumber(choice.falseNegative)} : FP ${
        formatNumber(choice.falsePositive)
      })`;
    case "fixed":
      return "fixed";
    default:
      return choice satisfies never;
  }
}

/** A rate as a percentage with two decimals. */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Text as an escaped HTML paragraph. */
export function para(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}
