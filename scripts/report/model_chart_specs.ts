/**
 * Vega-lite spec builders for the rest of a classifier's evaluation: calibration (reliability with
 * the rows per bin), lift at the top k % and feature importance. Multi-model charts colour models
 * as `curve_chart_specs.ts` does; the data is inline, ready for {@linkcode renderChart} in
 * `chart.ts`.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { type ChartSpecOptions, checkFinite, checkRows, frame } from "./chart_specs.ts";
import {
  checkModelSeries,
  checkUnitRange,
  modelColorEncoding,
  type ModelSeries,
  referenceLayer,
  SQUARE_SIZE,
  unitAxis,
} from "./curve_chart_specs.ts";

/** One calibration bin (as `models/evaluation`'s `CalibrationBin`). */
export interface CalibrationXY {
  lower: number;
  upper: number;
  /** Rows (weight) in the bin. */
  weight: number;
  meanScore: number;
  positiveRate: number;
}

/** Lift at one depth (as `models/evaluation`'s `LiftPoint`). */
export interface LiftXY {
  /** Targeted share in percent, (0, 100]. */
  percent: number;
  lift: number;
}

/** One feature's importance. */
export interface ImportanceBar {
  /** Source-column name. */
  feature: string;
  importance: number;
}

/** Options of {@linkcode importanceSpec}. */
export interface ImportanceOptions extends ChartSpecOptions {
  /** Bars shown, the largest by absolute importance. @default {15} */
  topN?: number;
  /** Title of the importance axis. @default {"Importance"} */
  valueTitle?: string;
}

/**
 * Reliability diagram: per calibration bin, the mean predicted probability against the observed
 * share of positives, one line per model over the dashed diagonal of perfect calibration; below it,
 * the rows in each bin per model (log scale), so a bin resting on a handful of rows shows as such.
 * @throws {RangeError} for values outside [0, 1], negative weights or repeated model names.
 */
export function calibrationSpec(
  series: readonly ModelSeries<CalibrationXY>[],
  options: ChartSpecOptions,
): TopLevelSpec {
  const where = "calibrationSpec";
  checkModelSeries(where, series);
  const values = series.flatMap((s) =>
    s.points.map((p, i) => {
      checkUnitRange(where, `${s.model}[${i}]`, {
        lower: p.lower,
        upper: p.upper,
        meanScore: p.meanScore,
        positiveRate: p.positiveRate,
      });
      checkFinite(where, `${s.model}[${i}]`, { weight: p.weight });
      if (p.weight < 0) throw new RangeError(`${where}: ${s.model}[${i}].weight must be >= 0`);
      return { model: s.model, i, ...p, bin: `${p.lower.toFixed(2)}–${p.upper.toFixed(2)}` };
    })
  );
  checkRows(where, values);
  const color = modelColorEncoding(series);
  const size = options.width ?? SQUARE_SIZE;
  const bins = [...new Map(values.map((v) => [v.bin, v.lower])).entries()].sort((a, b) => a[1] - b[1]);
  const top = {
    width: size,
    height: options.height ?? SQUARE_SIZE,
    layer: [
      referenceLayer({
        label: "perfectly calibrated",
        points: [[0, 0], [1, 1]],
        at: [0.2, 0.2],
        angle: -45,
        baseline: "bottom",
      }, {
        x: "Mean predicted probability",
        y: "Observed share of positives",
      }),
      {
        data: { values },
        mark: { type: "line", point: true, strokeWidth: 2 },
        encoding: {
          x: unitAxis("meanScore", "Mean predicted probability"),
          y: unitAxis("positiveRate", "Observed share of positives"),
          order: { field: "i", type: "quantitative" },
          color,
          tooltip: [
            { field: "model", type: "nominal" },
            { field: "bin", type: "nominal", title: "bin" },
            { field: "meanScore", type: "quantitative", format: ".3f", title: "mean predicted" },
            { field: "positiveRate", type: "quantitative", format: ".3f", title: "observed" },
            { field: "weight", type: "quantitative", format: ",", title: "rows" },
          ],
        },
      },
    ],
  };
  const counts = {
    width: size,
    height: 110,
    data: { values },
    mark: { type: "bar" },
    encoding: {
      x: {
        field: "bin",
        type: "ordinal",
        title: "Predicted probability bin",
        sort: bins.map(([bin]) => bin),
        axis: { labelAngle: -45 },
      },
      xOffset: { field: "model", type: "nominal", sort: series.map((s) => s.model) },
      y: { field: "weight", type: "quantitative", title: "Rows (log)", scale: { type: "log" }, stack: null },
      color,
      tooltip: [
        { field: "model", type: "nominal" },
        { field: "bin", type: "nominal" },
        { field: "weight", type: "quantitative", format: ",", title: "rows" },
      ],
    },
  };
  const { title, background } = frame(options);
  return { title, background, vconcat: [top, counts], spacing: 16 } as TopLevelSpec;
}

/**
 * Lift at the top k % of the ranking: grouped bars per depth, one bar per model, each labelled
 * with its lift, over a dashed rule at 1 (random targeting).
 * @throws {RangeError} for non-finite lifts, depths outside (0, 100] or repeated model names.
 */
export function liftAtTopSpec(
  series: readonly ModelSeries<LiftXY>[],
  options: ChartSpecOptions,
): TopLevelSpec {
  const where = "liftAtTopSpec";
  checkModelSeries(where, series);
  const values = series.flatMap((s) =>
    s.points.map((p, i) => {
      checkFinite(where, `${s.model}[${i}]`, { percent: p.percent, lift: p.lift });
      if (!(p.percent > 0 && p.percent <= 100)) {
        throw new RangeError(`${where}: ${s.model}[${i}].percent must be in (0, 100], got ${p.percent}`);
      }
      return { model: s.model, percent: p.percent, top: `top ${p.percent}%`, lift: p.lift };
    })
  );
  checkRows(where, values);
  const order = [...new Set([...values].sort((a, b) => a.percent - b.percent).map((v) => v.top))];
  const x = { field: "top", type: "ordinal", title: "Rows targeted", sort: order, axis: { labelAngle: 0 } };
  const xOffset = { field: "model", type: "nominal", sort: series.map((s) => s.model) };
  return {
    ...frame(options),
    layer: [
      {
        data: { values },
        mark: { type: "bar" },
        encoding: {
          x,
          xOffset,
          y: { field: "lift", type: "quantitative", title: "Lift (× random)" },
          color: modelColorEncoding(series),
          tooltip: [
            { field: "model", type: "nominal" },
            { field: "top", type: "ordinal", title: "targeted" },
            { field: "lift", type: "quantitative", format: ".2f" },
          ],
        },
      },
      {
        data: { values },
        mark: { type: "text", dy: -4, baseline: "bottom", fontSize: 9, color: "#333333" },
        encoding: {
          x,
          xOffset,
          y: { field: "lift", type: "quantitative" },
          text: { field: "lift", format: ".1f" },
        },
      },
      {
        data: { values: [{ y: 1 }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#888888" },
        encoding: { y: { field: "y", type: "quantitative" } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Feature importance as horizontal bars, largest on top, the `topN` largest by absolute value;
 * negative values (a permutation that helped) extend left of zero.
 * @throws {RangeError} for non-finite importances, empty or repeated feature names, or a bad `topN`.
 */
export function importanceSpec(bars: readonly ImportanceBar[], options: ImportanceOptions): TopLevelSpec {
  const where = "importanceSpec";
  const topN = options.topN ?? 15;
  if (!Number.isInteger(topN) || topN < 1 || topN > 200) {
    throw new RangeError(`${where}: topN must be an integer in [1, 200], got ${topN}`);
  }
  checkRows(where, bars);
  const seen = new Set<string>();
  for (const [i, b] of bars.entries()) {
    checkFinite(where, `bars[${i}]`, { importance: b.importance });
    if (b.feature === "" || seen.has(b.feature)) {
      throw new RangeError(`${where}: bars[${i}].feature must be non-empty and unique, got "${b.feature}"`);
    }
    seen.add(b.feature);
  }
  const top = [...bars]
    .sort((a, b) => Math.abs(b.importance) - Math.abs(a.importance) || (a.feature < b.feature ? -1 : 1))
    .slice(0, topN);
  const y = { field: "feature", type: "nominal", title: "Source column", sort: top.map((b) => b.feature) };
  return {
    ...frame({ ...options, height: options.height ?? Math.max(80, 22 * top.length) }),
    data: { values: top.map((b) => ({ feature: b.feature, importance: b.importance })) },
    encoding: {
      y,
      x: { field: "importance", type: "quantitative", title: options.valueTitle ?? "Importance" },
      tooltip: [
        { field: "feature", type: "nominal" },
        { field: "importance", type: "quantitative", format: ".4~g" },
      ],
    },
    layer: [
      { mark: { type: "bar", color: "#4c78a8" } },
      ...(["left", "right"] as const).map((align) => ({
        transform: [{ filter: align === "left" ? "datum.importance >= 0" : "datum.importance < 0" }],
        mark: { type: "text", align, dx: align === "left" ? 3 : -3, fontSize: 10, color: "#333333" },
        encoding: { text: { field: "importance", type: "quantitative", format: ".3~g" } },
      })),
    ],
  } as TopLevelSpec;
}
