/**
 * The tuning section of a report: every trial of a search (parameters, the metric's mean ± std over
 * the folds and each fold's value, rounds used, time, status) in one table with the winner marked,
 * and a chart of each trial's mean with its ±1 std bar, the winner in orange. Appended to a
 * training report through `extraSections` (see `training_report.ts`).
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { ChartStamp } from "./chart.ts";
import { checkFinite, checkRows, frame } from "./chart_specs.ts";
import { escapeHtml, formatNumber, type ReportCell } from "./html_report.ts";
import type { SectionPlan } from "./report_plan.ts";

/** One trial as the tuning summary records it. */
export interface TuningTrialReport {
  /** 0-based, in candidate order. */
  index: number;
  params: Record<string, unknown>;
  /** `ok`, `pruned` or `failed`. */
  status: string;
  /** Mean of the metric over the folds (`NaN` when failed). */
  mean: number;
  std: number;
  /** The metric per fold. */
  values: number[];
  /** Boosting rounds kept per fold (empty for other models). */
  rounds: number[];
  ms: number;
  error?: string | null;
}

/** A finished search, as the report shows it. */
export interface TuningReport {
  /** E.g. `"gbt"`. */
  model: string;
  /** E.g. `"rocAuc"`. */
  metric: string;
  /** Whether larger (`max`) or smaller (`min`) is better. */
  direction: "max" | "min";
  /** How the folds were made, e.g. `"3 expanding time-series folds on contact_date"`. */
  validation: string;
  parallelism: number;
  trials: TuningTrialReport[];
  /** Index of the winner. */
  best: number;
  /** The refitted winner's metric on the untouched test rows. */
  testValue?: number | undefined;
  /** Wall time of the whole search, ms. */
  ms: number;
}

/** Options of {@linkcode tuningSection}. */
export interface TuningSectionOptions {
  /** Section id (and file-name prefix). @default {"tuning"} */
  id?: string;
  stamp: ChartStamp;
}

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${typeof v === "number" ? formatNumber(v) : String(v)}`)
    .join(", ");
}

/** The tuning section of `tuning` (see the module documentation). */
export function tuningSection(tuning: TuningReport, options: TuningSectionOptions): SectionPlan {
  const id = options.id ?? "tuning";
  const best = tuning.trials.find((t) => t.index === tuning.best);
  const failed = tuning.trials.filter((t) => t.status === "failed").length;
  const rows: ReportCell[][] = tuning.trials.map((t) => [
    t.index + 1 + (t.index === tuning.best ? " ★" : ""),
    paramsText(t.params),
    Number.isFinite(t.mean) ? t.mean : null,
    Number.isFinite(t.std) ? t.std : null,
    t.values.map((v) => formatNumber(v)).join(" / "),
    t.rounds.length === 0 ? "–" : t.rounds.join(" / "),
    Math.round(t.ms) / 1000,
    t.status + (t.error ? `: ${t.error}` : ""),
  ]);
  const html = `<p>${escapeHtml(tuning.model)}: ${tuning.trials.length} trials (${failed} failed), ` +
    `${escapeHtml(tuning.validation)}, ${tuning.parallelism} at a time, ${
      formatNumber(tuning.ms / 1000)
    } s in all; ${escapeHtml(tuning.metric)} is ${tuning.direction === "max" ? "maximized" : "minimized"}. ` +
    (best === undefined
      ? ""
      : `The winner (★) is trial ${best.index + 1} (${escapeHtml(paramsText(best.params))}), ` +
        `refitted on every training row` +
        (tuning.testValue === undefined
          ? "."
          : ` and scored once on the untouched test rows: ${escapeHtml(tuning.metric)} ${
            formatNumber(tuning.testValue)
          }.`)) +
    "</p>";
  const ok = tuning.trials.filter((t) => Number.isFinite(t.mean));
  return {
    id,
    title: `Tuning: ${tuning.model}`,
    html,
    tables: [{
      file: `${id}_trials`,
      caption: `Every trial: ${tuning.metric} over the folds`,
      columns: ["trial", "parameters", "mean", "std", "per fold", "rounds", "seconds", "status"],
      rows,
    }],
    charts: ok.length === 0 ? [] : [{
      file: `${id}_trials`,
      title: `${tuning.metric} per trial (mean ± std over folds)`,
      spec: trialsSpec(ok, {
        metric: tuning.metric,
        best: tuning.best,
        title: `${tuning.model}: ${tuning.metric} per trial`,
      }),
      stamp: options.stamp,
    }],
  };
}

/** Each trial's mean as a point with a ±1 std bar; the winner in orange. */
export function trialsSpec(
  trials: readonly TuningTrialReport[],
  options: { metric: string; best: number; title: string },
): TopLevelSpec {
  const where = "trialsSpec";
  checkRows(where, trials);
  const values = trials.map((t) => {
    checkFinite(where, `trials[${t.index}]`, { mean: t.mean, std: t.std });
    return {
      trial: `${t.index + 1}`,
      params: paramsText(t.params),
      mean: t.mean,
      lo: t.mean - t.std,
      hi: t.mean + t.std,
      winner: t.index === options.best ? "winner" : "other",
    };
  });
  const color = {
    field: "winner",
    type: "nominal",
    scale: { domain: ["winner", "other"], range: ["#f58518", "#4c78a8"] },
    legend: null,
  };
  const x = {
    field: "trial",
    type: "ordinal",
    title: "Trial",
    sort: values.map((v) => v.trial),
    axis: { labelAngle: 0 },
  };
  return {
    ...frame({ title: options.title, width: Math.max(240, 36 * values.length), height: 240 }),
    data: { values },
    layer: [
      {
        mark: { type: "rule", strokeWidth: 2 },
        encoding: {
          x,
          y: { field: "lo", type: "quantitative", title: options.metric, scale: { zero: false } },
          y2: { field: "hi" },
          color,
        },
      },
      {
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x,
          y: { field: "mean", type: "quantitative" },
          color,
          tooltip: [
            { field: "trial", type: "ordinal" },
            { field: "params", type: "nominal" },
            { field: "mean", type: "quantitative", format: ".4f" },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}
