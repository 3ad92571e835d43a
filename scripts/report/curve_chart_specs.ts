/**
 * Vega-lite spec builders for classifier curves, one series per model: overlaid ROC,
 * precision–recall and cumulative gains, each over its dashed reference (random ranking, the base
 * rate, the perfect model). Inputs are the small, down-sampled curves of `models/evaluation`; the
 * specs carry the data inline, ready for {@linkcode renderChart} in `chart.ts`.
 *
 * Every multi-model chart colours models the same way (the order of `series`, Tableau 10), so one
 * model has one colour across a report. Points are drawn in the order given (an `i` field), not
 * re-sorted by x: ROC and PR curves have vertical runs that a sort would scramble.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { type ChartSpecOptions, checkFinite, checkRows, frame } from "./chart_specs.ts";

/** One model's points of one curve. */
export interface ModelSeries<P> {
  /** Model name, shown in the legend. Unique within a chart. */
  model: string;
  points: readonly P[];
}

/** A ROC point (as `models/evaluation`'s `RocPoint`). */
export interface RocXY {
  fpr: number;
  tpr: number;
}

/** A precision–recall point (as `models/evaluation`'s `PrPoint`). */
export interface PrXY {
  recall: number;
  precision: number;
}

/** A cumulative gains point (as `models/evaluation`'s `GainsPoint`). */
export interface GainsXY {
  depth: number;
  gain: number;
}

/** Options of {@linkcode prCurvesSpec} and {@linkcode gainsCurvesSpec}. */
export interface BaseRateOptions extends ChartSpecOptions {
  /** Share of positives in the evaluated data: the PR chart's no-skill line, the gains' perfect model. */
  baseRate?: number;
}

/** Width and height of the square curve charts, in pixels. */
export const SQUARE_SIZE = 300;
const COLOR_SCHEME = "tableau10";
const REFERENCE = { type: "line", strokeDash: [4, 4], color: "#888888", strokeWidth: 1 } as const;

/**
 * Overlaid ROC curves, one line per model, over the dashed diagonal of random ranking.
 * @throws {RangeError} for repeated or empty model names, rates outside [0, 1] or too many points.
 */
export function rocCurvesSpec(
  series: readonly ModelSeries<RocXY>[],
  options: ChartSpecOptions,
): TopLevelSpec {
  const values = curveValues("rocCurvesSpec", series, (p) => ({ x: p.fpr, y: p.tpr }));
  return curveChart(values, series, options, {
    x: "False-positive rate",
    y: "True-positive rate (recall)",
    interpolate: "linear",
    references: [RANDOM_DIAGONAL],
  });
}

/**
 * Overlaid precision–recall curves (step-wise, as average precision sums them), one per model,
 * with the base rate (a classifier without skill) as a dashed line when `baseRate` is given.
 * @throws {RangeError} as {@linkcode rocCurvesSpec}, and for a base rate outside [0, 1].
 */
export function prCurvesSpec(series: readonly ModelSeries<PrXY>[], options: BaseRateOptions): TopLevelSpec {
  const values = curveValues("prCurvesSpec", series, (p) => ({ x: p.recall, y: p.precision }));
  const base = checkBaseRate("prCurvesSpec", options.baseRate);
  return curveChart(values, series, options, {
    x: "Recall",
    y: "Precision",
    interpolate: "step-before",
    references: base === undefined ? [] : [{
      label: `base rate ${(base * 100).toFixed(1)}%`,
      points: [[0, base], [1, base]],
      at: [0.98, Math.min(0.97, base + 0.03)],
      align: "right",
    }],
  });
}

/**
 * Overlaid cumulative gains curves: the share of positives found when targeting the top-scored
 * share of rows, over the dashed diagonal of random targeting and, given `baseRate`, the perfect
 * model (every positive first).
 * @throws {RangeError} as {@linkcode prCurvesSpec}.
 */
export function gainsCurvesSpec(
  series: readonly ModelSeries<GainsXY>[],
  options: BaseRateOptions,
): TopLevelSpec {
  const values = curveValues("gainsCurvesSpec", series, (p) => ({ x: p.depth, y: p.gain }));
  const base = checkBaseRate("gainsCurvesSpec", options.baseRate);
  const references: Reference[] = [RANDOM_DIAGONAL];
  if (base !== undefined && base > 0) {
    references.push({
      label: "perfect",
      points: [[0, 0], [base, 1], [1, 1]],
      at: [Math.min(base + 0.015, 0.8), 0.985],
      baseline: "top",
    });
  }
  return curveChart(values, series, options, {
    x: "Share of rows targeted (by score)",
    y: "Share of positives found (gain)",
    interpolate: "linear",
    references,
    percentAxes: true,
  });
}

/** A dashed reference line with a text label placed at `at`. */
export interface Reference {
  label: string;
  points: readonly (readonly [number, number])[];
  at: readonly [number, number];
  align?: "left" | "center" | "right";
  /** Text rotation in degrees, clockwise; -45 runs along the diagonal of a square plot. */
  angle?: number;
  baseline?: "top" | "middle" | "bottom";
}

const RANDOM_DIAGONAL: Reference = {
  label: "random",
  points: [[0, 0], [1, 1]],
  at: [0.72, 0.72],
  angle: -45,
  baseline: "top",
};

interface CurveAxes {
  x: string;
  y: string;
  interpolate: "linear" | "step-before";
  references: readonly Reference[];
  /** Show both axes as percentages. */
  percentAxes?: boolean;
}

interface CurveValue {
  model: string;
  i: number;
  x: number;
  y: number;
}

function curveValues<P>(
  where: string,
  series: readonly ModelSeries<P>[],
  xy: (p: P) => { x: number; y: number },
): CurveValue[] {
  checkModelSeries(where, series);
  const values = series.flatMap((s) =>
    s.points.map((p, i) => {
      const { x, y } = xy(p);
      checkUnitRange(where, `${s.model}[${i}]`, { x, y });
      return { model: s.model, i, x, y };
    })
  );
  checkRows(where, values);
  return values;
}

function curveChart(
  values: readonly CurveValue[],
  series: readonly ModelSeries<unknown>[],
  options: ChartSpecOptions,
  axes: CurveAxes,
): TopLevelSpec {
  const format = axes.percentAxes ? "%" : ".1f";
  return {
    ...frame({ ...options, width: options.width ?? SQUARE_SIZE, height: options.height ?? SQUARE_SIZE }),
    layer: [
      ...axes.references.map((ref) => referenceLayer(ref, axes)),
      {
        data: { values },
        mark: { type: "line", strokeWidth: 2, interpolate: axes.interpolate },
        encoding: {
          x: { ...unitAxis("x", axes.x), axis: { format } },
          y: { ...unitAxis("y", axes.y), axis: { format } },
          order: { field: "i", type: "quantitative" },
          color: modelColorEncoding(series),
          tooltip: [
            { field: "model", type: "nominal" },
            { field: "x", type: "quantitative", format: ".3f", title: axes.x },
            { field: "y", type: "quantitative", format: ".3f", title: axes.y },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

/** The layer of a dashed reference line and its label, on axes titled as the data layers. */
export function referenceLayer(ref: Reference, titles: { x: string; y: string }) {
  const values = ref.points.map(([x, y], i) => ({ x, y, i }));
  return {
    layer: [
      {
        data: { values },
        mark: REFERENCE,
        encoding: {
          x: unitAxis("x", titles.x),
          y: unitAxis("y", titles.y),
          order: { field: "i", type: "quantitative" },
        },
      },
      {
        data: { values: [{ x: ref.at[0], y: ref.at[1], label: ref.label }] },
        mark: {
          type: "text",
          fontSize: 10,
          color: "#666666",
          align: ref.align ?? "left",
          angle: ref.angle ?? 0,
          baseline: ref.baseline ?? "middle",
          dy: ref.baseline === "top" ? 3 : ref.baseline === "bottom" ? -3 : 0,
        },
        encoding: {
          x: { field: "x", type: "quantitative", title: titles.x },
          y: { field: "y", type: "quantitative", title: titles.y },
          text: { field: "label", type: "nominal" },
        },
      },
    ],
  };
}

/** A quantitative encoding over [0, 1]. */
export function unitAxis(field: string, title: string) {
  return { field, type: "quantitative", title, scale: { domain: [0, 1] } } as const;
}

/** Colour by model, in the order of `series`: the same model has the same colour in every chart. */
export function modelColorEncoding(series: readonly ModelSeries<unknown>[]) {
  const domain = series.map((s) => s.model);
  return {
    field: "model",
    type: "nominal",
    title: "Model",
    // Vega cuts legend labels at 160 px; model names like "GBT (tuned, 5 folds)" are longer.
    legend: { labelLimit: 320 },
    scale: { domain, scheme: COLOR_SCHEME },
    sort: domain,
  } as const;
}

/** @throws {RangeError} for an empty or repeated model name. */
export function checkModelSeries(where: string, series: readonly ModelSeries<unknown>[]): void {
  const seen = new Set<string>();
  for (const s of series) {
    if (s.model === "" || seen.has(s.model)) {
      throw new RangeError(`${where}: model names must be non-empty and unique, got "${s.model}"`);
    }
    seen.add(s.model);
  }
}

/** @throws {RangeError} naming the first field of `fields` outside [0, 1]. */
export function checkUnitRange(where: string, at: string, fields: Record<string, number>): void {
  checkFinite(where, at, fields);
  for (const [name, value] of Object.entries(fields)) {
    if (value < 0 || value > 1) {
      throw new RangeError(`${where}: ${at}.${name} must be in [0, 1], got ${value}`);
    }
  }
}

function checkBaseRate(where: string, base: number | undefined): number | undefined {
  if (base !== undefined && !(base >= 0 && base <= 1)) {
    throw new RangeError(`${where}: baseRate must be in [0, 1], got ${base}`);
  }
  return base;
}
