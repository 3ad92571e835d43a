/**
 * What the training report shows, as plain serializable data: the data and split, and per model
 * its metrics (with optional confidence intervals), the chosen operating point, the curves behind
 * the charts, feature importance by source-column name, and timings. The trainer (or the CLI, or
 * a later comparison) fills it from `models/evaluation` (see `training_report_from_metrics.ts`);
 * `report.json` holds it, and {@linkcode decodeTrainingReportInput} reads it back from `unknown`.
 *
 * JSON has no `NaN` or `Infinity` (a threshold of `Infinity` flags nothing, a metric is `NaN`
 * when undefined): {@linkcode encodeTrainingReportInput} writes them as the strings `"NaN"`,
 * `"Infinity"` and `"-Infinity"`, and the decoder turns them back into numbers.
 *
 * @module
 */
import { z } from "zod";

/** The version of the {@linkcode TrainingReportInput} format. */
export const TRAINING_REPORT_VERSION = 1;

/** The data a training report covers. */
export interface DataDescription {
  /** Dataset name or file, e.g. `"bank-additional-full.csv"`. */
  dataset: string;
  /** Label column. */
  label: string;
  /** How train and test were split, in words, e.g. `"out-of-time on month: last 20 % of rows"`. */
  split: string;
  /** Training rows. */
  rowsTrain: number;
  /** Test rows (every figure of the report is on these). */
  rowsTest: number;
  /** Share of positives in the training rows. */
  positiveRateTrain: number;
  /** Share of positives in the test rows (the PR chart's no-skill line). */
  positiveRateTest: number;
  /** Seed of the split and the training. */
  seed: number | string;
  /** Versions stamped on every chart, e.g. `{ frontier: "0.1.0", deno: "2.9.6" }`. */
  versions: Record<string, string>;
  /** Source columns used as features. */
  features?: string[];
  /** Columns left out, e.g. `["duration"]` (known only after the call). */
  excluded?: string[];
  /** Data range printed on the charts. @default {"<dataset>, test: <rowsTest> rows"} */
  dataRange?: string;
}

/** The metrics an interval can be given for. */
export const METRIC_NAMES = [
  "rocAuc",
  "averagePrecision",
  "logLoss",
  "brier",
  "ece",
  "accuracy",
  "precision",
  "recall",
  "f1",
] as const;

/** A metric with an interval in the metrics table. */
export type MetricName = typeof METRIC_NAMES[number];

/** A confidence interval, e.g. from a bootstrap or the spread over folds. */
export interface Interval {
  lo: number;
  hi: number;
}

/** Threshold-free metrics on the test rows. */
export interface ModelMetrics {
  rocAuc: number;
  /** PR-AUC as average precision. */
  averagePrecision: number;
  /** Absent when scores are not probabilities. */
  logLoss?: number;
  /** Absent when scores are not probabilities. */
  brier?: number;
  /** Expected calibration error; absent when scores are not probabilities. */
  ece?: number;
  /** Accuracy of always predicting the heavier class: accuracy's yardstick. */
  baselineAccuracy: number;
}

/** How the decision threshold was chosen. */
export type ThresholdChoice =
  | { by: "f1" }
  | { by: "cost"; falseNegative: number; falsePositive: number }
  | { by: "fixed" };

/** Weighted confusion counts (plain counts when unweighted). */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** The classifier at its chosen threshold, on the test rows. */
export interface ModelOperatingPoint {
  /** Score ≥ threshold is predicted positive (`Infinity`: nothing is). */
  threshold: number;
  choice: ThresholdChoice;
  /** The rows the threshold was chosen on, e.g. `"validation"` or `"test"`. */
  chosenOn: string;
  confusion: Confusion;
  /** Of the positive class. */
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  /** Expected cost per row, when the choice is by cost. */
  expectedCost?: number;
}

/** A calibration bin as `models/evaluation` reports it. */
export interface CalibrationBinReport {
  lower: number;
  upper: number;
  weight: number;
  meanScore: number;
  positiveRate: number;
}

/** Lift and gain at the top `percent` % of the ranking. */
export interface LiftReport {
  percent: number;
  gain: number;
  lift: number;
  precision: number;
}

/** The curves behind the charts (down-sampled). */
export interface ModelCurves {
  roc: { fpr: number; tpr: number }[];
  pr: { recall: number; precision: number }[];
  gains: { depth: number; gain: number }[];
  lift: LiftReport[];
  /** Empty when scores are not probabilities. */
  calibration: CalibrationBinReport[];
}

/** Feature importance by one method. */
export interface ModelImportance {
  /** E.g. `"split gain"` or `"permutation (ROC-AUC drop, test)"`. */
  method: string;
  /** Per source column. */
  features: { feature: string; importance: number }[];
}

/** Wall times in milliseconds. */
export interface ModelTimings {
  trainMs: number;
  /** Scoring the test rows. */
  predictMs?: number;
  /** Computing the metrics. */
  evaluateMs?: number;
}

/** One trained model. */
export interface ModelReport {
  /** Unique within the report. */
  name: string;
  /** E.g. `"gbt"`, `"random_forest"`, `"logistic_regression"`. */
  kind?: string;
  params?: Record<string, string | number | boolean>;
  metrics: ModelMetrics;
  /** Confidence intervals, shown as `value [lo, hi]`. */
  intervals?: Partial<Record<MetricName, Interval>>;
  operatingPoint: ModelOperatingPoint;
  curves: ModelCurves;
  importance?: ModelImportance[];
  timings: ModelTimings;
  /** Why some figure is missing or `NaN`. */
  warnings?: string[];
}

/** Everything the training report shows. */
export interface TrainingReportInput {
  version: typeof TRAINING_REPORT_VERSION;
  /** @default {"Frontier — training report"} */
  title?: string;
  data: DataDescription;
  models: ModelReport[];
}

const MAX_ITEMS = 10_000;
const NON_FINITE = { NaN: Number.NaN, Infinity: Infinity, "-Infinity": -Infinity } as const;

/** Any number, `NaN` and `±Infinity` included, or their JSON spelling (see the module documentation). */
const num = z.union([
  z.custom<number>((v) => typeof v === "number", "Expected a number"),
  z.enum(["NaN", "Infinity", "-Infinity"]).transform((s) => NON_FINITE[s]),
]);
/** Finite: zod 4's `z.number()` refuses `NaN` and `±Infinity`. */
const finite = z.number();
const rate = z.number().min(0).max(1);
const name = z.string().min(1).max(200);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_ITEMS);
const interval = z.object({ lo: num, hi: num });

const data = z.object({
  dataset: name,
  label: name,
  split: z.string().max(1000),
  rowsTrain: z.number().int().min(0),
  rowsTest: z.number().int().min(0),
  positiveRateTrain: rate,
  positiveRateTest: rate,
  seed: z.union([z.number(), z.string().max(200)]),
  versions: z.record(z.string().max(100), z.string().max(100)),
  features: list(name).optional(),
  excluded: list(name).optional(),
  dataRange: z.string().max(1000).optional(),
});

const choice = z.discriminatedUnion("by", [
  z.object({ by: z.literal("f1") }),
  z.object({ by: z.literal("cost"), falseNegative: finite.min(0), falsePositive: finite.min(0) }),
  z.object({ by: z.literal("fixed") }),
]);

const model = z.object({
  name,
  kind: name.optional(),
  params: z.record(z.string().max(200), z.union([z.string().max(1000), z.number(), z.boolean()])).optional(),
  metrics: z.object({
    rocAuc: num,
    averagePrecision: num,
    logLoss: num.optional(),
    brier: num.optional(),
    ece: num.optional(),
    baselineAccuracy: num,
  }),
  intervals: z.partialRecord(z.enum(METRIC_NAMES), interval).optional(),
  operatingPoint: z.object({
    threshold: num,
    choice,
    chosenOn: z.string().max(200),
    confusion: z.object({ tp: finite.min(0), fp: finite.min(0), tn: finite.min(0), fn: finite.min(0) }),
    precision: num,
    recall: num,
    f1: num,
    accuracy: num,
    expectedCost: num.optional(),
  }),
  curves: z.object({
    roc: list(z.object({ fpr: rate, tpr: rate })),
    pr: list(z.object({ recall: rate, precision: rate })),
    gains: list(z.object({ depth: rate, gain: rate })),
    lift: list(z.object({ percent: finite, gain: num, lift: num, precision: num })),
    calibration: list(z.object({
      lower: rate,
      upper: rate,
      weight: finite.min(0),
      meanScore: rate,
      positiveRate: rate,
    })),
  }),
  importance: list(z.object({
    method: name,
    features: list(z.object({ feature: name, importance: num })),
  })).optional(),
  timings: z.object({
    trainMs: finite.min(0),
    predictMs: finite.min(0).optional(),
    evaluateMs: finite.min(0).optional(),
  }),
  warnings: list(z.string().max(1000)).optional(),
});

const input = z.object({
  version: z.literal(TRAINING_REPORT_VERSION),
  title: z.string().max(300).optional(),
  data,
  models: z.array(model).min(1).max(50),
});

/**
 * Reads a {@linkcode TrainingReportInput} from `unknown` (e.g. a parsed `report.json`).
 * @throws {TypeError} naming the first bad field, for an unknown version, or for repeated model names.
 */
export function decodeTrainingReportInput(u: unknown): TrainingReportInput {
  const r = input.safeParse(u);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue === undefined ? "" : issue.path.map(String).join(".");
    throw new TypeError(`Malformed training report input at "${at}": ${issue?.message ?? "invalid"}`);
  }
  const names = new Set<string>();
  for (const m of r.data.models) {
    if (names.has(m.name)) {
      throw new TypeError(`Malformed training report input: model "${m.name}" is repeated`);
    }
    names.add(m.name);
  }
  return r.data as TrainingReportInput;
}

/** `input` as JSON text, non-finite numbers written as `"NaN"`, `"Infinity"`, `"-Infinity"`. */
export function encodeTrainingReportInput(input: TrainingReportInput): string {
  return JSON.stringify(
    input,
    (_key, value: unknown) => typeof value === "number" && !Number.isFinite(value) ? String(value) : value,
    1,
  );
}
