/**
 * The summary `frontier train --json` prints (and writes as `summary.json`), and the training
 * report's input built from it. Keys are snake case like the other commands' summaries; metric
 * names are those of `model.json` (`rocAuc`, `f1`, …) so `frontier evaluate` prints the same
 * record. Counts always reconcile:
 * `rows_read = rows_valid + rows_quarantined` and
 * `rows_valid = rows_unlabeled + rows_untimed + rows_train + rows_test`, `rows_train = rows_fit + rows_validation`.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { LabelSpec } from "../../../models/features/spec/feature_spec.ts";
import type { ModelReport, TrainingReportInput } from "../../report/training_report_input.ts";
import type { OutOfRange } from "./assess.ts";

/** One trained model in the summary. */
export interface ModelSummary {
  /** CLI name (`lr`, `rf`, `gbt`). */
  name: string;
  /** Persistence kind. */
  kind: string;
  /** For people. */
  title: string;
  /** The model directory. */
  path: string;
  /** The estimator's parameters. */
  params: Json;
  /** How training ended. */
  training: string;
  /** Whether the final model was refitted on the whole training part after the threshold was chosen. */
  refit: boolean;
  /** The decision threshold (chosen on validation). */
  threshold: number;
  /** The operating point where it was chosen. */
  validation: { threshold: number; f1: number; precision: number; recall: number };
  /** Every test metric (`model.json`'s `metrics`). */
  metrics: Record<string, number>;
  /** 95 % bootstrap intervals of the test metrics, `[lo, hi]` by metric name. */
  intervals: Record<string, [number, number]>;
  /** Importance by source column, most important first. */
  importance: {
    permutation: { feature: string; importance: number; std: number }[] | null;
    split_gain: { feature: string; importance: number }[] | null;
  };
  /** What training warned about. */
  warnings: string[];
  /** Wall times, ms. */
  ms: { train: number; evaluate: number; importance: number };
}

/** The summary of one `frontier train` run. */
export interface TrainingSummary {
  command: "train";
  input: string;
  /** Which defaults applied. */
  source: "bank" | "generic";
  label: LabelSpec;
  time_col: string | null;
  /** Source feature columns. */
  features: string[];
  excluded: string[];
  /** Columns not used, with the reason. */
  dropped: { column: string; reason: string }[];
  split: {
    method: "random" | "time";
    description: string;
    seed: number;
    test_fraction: number;
    validation_fraction: number;
    cut: string | number | null;
  };
  rows_read: number;
  rows_valid: number;
  rows_quarantined: number;
  rows_unlabeled: number;
  rows_untimed: number;
  rows_train: number;
  rows_fit: number;
  rows_validation: number;
  rows_test: number;
  reconciled: boolean;
  /** Quarantined rows per reason. */
  reasons: Record<string, number>;
  quarantine_path: string | null;
  positive_rate_train: number;
  positive_rate_test: number;
  /** Content hash of the training part (fit + validation rows). */
  data_hash: string;
  models: ModelSummary[];
  /** Numeric features whose test values fall outside the training range. */
  out_of_range: OutOfRange[];
  report_path: string;
  summary_path: string;
  ms: number;
  cluster: string;
}

/** The training report's input for `summary` and the models' report entries. */
export function trainingReportInput(
  summary: TrainingSummary,
  reports: readonly ModelReport[],
  options: { dataset: string; versions: Record<string, string>; title?: string },
): TrainingReportInput {
  const ranges = summary.out_of_range.map((r) =>
    `test values of "${r.column}" outside the training range [${r.trainMin}, ${r.trainMax}]: ${r.below} below, ${r.above} above`
  );
  return {
    version: 1,
    title: options.title ?? `Frontier — training report: ${options.dataset}`,
    data: {
      dataset: options.dataset,
      label: `${summary.label.column} = ${JSON.stringify(summary.label.positive)}`,
      split: summary.split.description,
      rowsTrain: summary.rows_train,
      rowsTest: summary.rows_test,
      positiveRateTrain: summary.positive_rate_train,
      positiveRateTest: summary.positive_rate_test,
      seed: summary.split.seed,
      versions: options.versions,
      features: [...summary.features],
      ...(summary.excluded.length > 0 ? { excluded: [...summary.excluded] } : {}),
    },
    models: reports.map((r) =>
      ranges.length === 0 ? r : { ...r, warnings: [...(r.warnings ?? []), ...ranges] }
    ),
  };
}
