/**
 * `driftReport`: how a test (or scoring) period differs from the training period, per feature,
 * computed on the cluster from aggregates only.
 *
 * - Numeric features: bins at the training deciles (`bins` − 1 inner edges from
 *   `approxQuantile(q, 1e-3)` of the training rows, repeated edges merged; bin `k` holds
 *   `(e_{k−1}, e_k]`, the first everything ≤ e_0, the last everything > the last edge), plus one
 *   bin for missing values (null or NaN). Also the training range and the share of test rows
 *   below its minimum or above its maximum.
 * - Categorical (text) features: one bin per category seen in either period, plus missing; the
 *   categories of the test period never seen in training and the share of test rows holding them.
 * - PSI (population stability index) of each feature: `Σ (a − e) · ln(a / e)` over bins, `e` the
 *   training share and `a` the test share, each share floored at {@linkcode PSI_FLOOR} so an empty
 *   bin does not make it infinite. Rule of thumb: < 0.1 stable, 0.1–0.25 moderate, > 0.25 shifted.
 * - The label's base rate in each period, when a label is given.
 *
 * Jobs: one for the training quantiles and ranges, one per period for the numeric bins, one per
 * period for the category counts, and one per period for the label rate.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import {
  approxQuantile,
  col,
  type Column,
  count,
  lit,
  max,
  min,
  sum,
  when,
} from "../../cluster/expr/column.ts";
import { valueCounts } from "../features/cluster_stats.ts";
import { checkNumber } from "../features/params.ts";
import { doubleLit } from "../features/stages/stage.ts";

/** The smallest share PSI uses for a bin (empty bins count as this). */
export const PSI_FLOOR = 1e-4;

/** Options of {@linkcode driftReport}. */
export interface DriftOptions {
  /** Numeric feature columns. @default {every number column but the label} */
  readonly numeric?: readonly string[];
  /** Categorical (text) feature columns. @default {every text column but the label} */
  readonly categorical?: readonly string[];
  /** Quantile bins of numeric features, an integer in [2, 100]. @default {10} */
  readonly bins?: number;
  /** The label, for the base-rate shift: a 0/1 or bool column, or a text column with `positive`. */
  readonly label?: string | { readonly column: string; readonly positive: string };
  /** Cancels the jobs. */
  readonly signal?: AbortSignal;
}

/** Drift of one numeric feature. */
export interface NumericDrift {
  /** The column. */
  readonly feature: string;
  /** Always `"numeric"`. */
  readonly kind: "numeric";
  /** Population stability index. */
  readonly psi: number;
  /** Inner bin edges (training quantiles). */
  readonly edges: readonly number[];
  /** Training share per bin: `edges.length + 1` value bins, then the missing bin. */
  readonly trainShares: readonly number[];
  /** Test share per bin, as `trainShares`. */
  readonly testShares: readonly number[];
  /** Smallest training value (`undefined` without values). */
  readonly trainMin: number | undefined;
  /** Largest training value (`undefined` without values). */
  readonly trainMax: number | undefined;
  /** Test rows below the training minimum. */
  readonly below: number;
  /** Test rows above the training maximum. */
  readonly above: number;
  /** (below + above) / test rows. */
  readonly outsideShare: number;
}

/** Drift of one categorical feature. */
export interface CategoricalDrift {
  /** The column. */
  readonly feature: string;
  /** Always `"categorical"`. */
  readonly kind: "categorical";
  /** Population stability index. */
  readonly psi: number;
  /** Categories of either period, training ones first (by training count), then unseen ones. */
  readonly categories: readonly string[];
  /** Training share per category, then the missing share. */
  readonly trainShares: readonly number[];
  /** Test share per category, then the missing share. */
  readonly testShares: readonly number[];
  /** Test categories absent from training. */
  readonly unseen: readonly string[];
  /** Share of test rows with an unseen category. */
  readonly unseenShare: number;
}

/** Drift of one feature. */
export type FeatureDrift = NumericDrift | CategoricalDrift;

/** What {@linkcode driftReport} returns. */
export interface DriftReport {
  /** Rows of the training period. */
  readonly trainRows: number;
  /** Rows of the test period. */
  readonly testRows: number;
  /** Per feature, numeric ones first, in the order given. */
  readonly features: readonly FeatureDrift[];
  /** Label base rates, when a label was given. */
  readonly label?: { readonly trainRate: number; readonly testRate: number; readonly shift: number };
}

/** PSI of two share vectors (see the module doc). */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, PSI_FLOOR), a = Math.max(actual[i]!, PSI_FLOOR);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

function missing(c: Column): Column {
  return c.isNull().or(c.ne(c));
}

/** The bin of `x` given ascending `edges` (missing values: `edges.length + 1`). */
export function binOf(x: number | null | undefined, edges: readonly number[]): number {
  if (x === null || x === undefined || Number.isNaN(x)) return edges.length + 1;
  let k = 0;
  while (k < edges.length && x > edges[k]!) k++;
  return k;
}

/** The drift of every feature between `train` and `test` (see the module doc). */
export async function driftReport(
  train: Dataset,
  test: Dataset,
  options: DriftOptions = {},
): Promise<DriftReport> {
  const bins = checkNumber("bins", options.bins ?? 10, { min: 2, max: 100, integer: true });
  const labelCol = options.label === undefined
    ? undefined
    : typeof options.label === "string"
    ? options.label
    : options.label.column;
  const numericTypes = new Set(["double", "long", "int", "bool"]);
  const numeric = options.numeric ??
    train.schema.filter((f) => numericTypes.has(f.type) && f.name !== labelCol).map((f) => f.name);
  const categorical = options.categorical ??
    train.schema.filter((f) => f.type === "string" && f.name !== labelCol).map((f) => f.name);
  for (const c of [...numeric, ...categorical, ...(labelCol === undefined ? [] : [labelCol])]) {
    for (const [name, ds] of [["train", train], ["test", test]] as const) {
      if (!ds.columns.includes(c)) throw new RangeError(`Column "${c}" is not in the ${name} dataset`);
    }
  }
  const signal = options.signal;
  const num = (c: string) => col(c).cast("double");
  const value = (c: string) => when(missing(num(c)).not(), num(c));

  // Training quantiles and ranges, one job.
  const qs = Array.from({ length: bins - 1 }, (_, i) => (i + 1) / bins);
  const trainAggs = numeric.flatMap((c, j) => [
    min(value(c)).alias(`min${j}`),
    max(value(c)).alias(`max${j}`),
    ...qs.map((q, i) => approxQuantile(value(c), q, 1e-3).alias(`q${j}_${i}`)),
  ]);
  const [trainRow] = await train.agg(count().alias("n"), ...trainAggs).collect({ signal });
  const trainRows = Number(trainRow!["n"]);
  const edgesOf = numeric.map((_, j) => {
    const e: number[] = [];
    for (let i = 0; i < qs.length; i++) {
      const v = trainRow![`q${j}_${i}`];
      if (typeof v === "number" && Number.isFinite(v) && (e.length === 0 || v > e[e.length - 1]!)) e.push(v);
    }
    return e;
  });
  const range = numeric.map((_, j) => ({
    min: trainRow![`min${j}`] as number | null,
    max: trainRow![`max${j}`] as number | null,
  }));

  // Bin counts per period, one job each.
  const one = lit(1, "long"), zero = lit(0, "long");
  const binAggs = (withRange: boolean) =>
    numeric.flatMap((c, j) => {
      const x = num(c), e = edgesOf[j]!;
      const out = e.map((edge, k) => {
        const cond = k === 0 ? x.le(doubleLit(edge)) : x.gt(doubleLit(e[k - 1]!)).and(x.le(doubleLit(edge)));
        return sum(when(missing(x).not().and(cond), one).otherwise(zero)).alias(`b${j}_${k}`);
      });
      const last = e.length === 0
        ? missing(x).not()
        : missing(x).not().and(x.gt(doubleLit(e[e.length - 1]!)));
      out.push(sum(when(last, one).otherwise(zero)).alias(`b${j}_${e.length}`));
      out.push(sum(when(missing(x), one).otherwise(zero)).alias(`b${j}_m`));
      const r = range[j]!;
      if (withRange && r.min !== null && r.max !== null) {
        out.push(
          sum(when(missing(x).not().and(x.lt(doubleLit(r.min))), one).otherwise(zero)).alias(`lo${j}`),
        );
        out.push(
          sum(when(missing(x).not().and(x.gt(doubleLit(r.max))), one).otherwise(zero)).alias(`hi${j}`),
        );
      }
      return out;
    });
  const binCounts = async (ds: Dataset, withRange: boolean) => {
    const [row] = await ds.agg(count().alias("n"), ...binAggs(withRange)).collect({ signal });
    return row!;
  };
  const trainBins = numeric.length === 0 ? { n: trainRows } : await binCounts(train, false);
  const testBins = await binCounts(test, true);
  const testRows = Number(testBins["n"]);
  const shares = (row: Record<string, unknown>, j: number, n: number) => {
    const e = edgesOf[j]!;
    const out = Array.from({ length: e.length + 1 }, (_, k) => Number(row[`b${j}_${k}`] ?? 0) / n);
    out.push(Number(row[`b${j}_m`] ?? 0) / n);
    return out;
  };
  const features: FeatureDrift[] = numeric.map((c, j): NumericDrift => {
    const trainShares = trainRows > 0 ? shares(trainBins, j, trainRows) : [];
    const testShares = testRows > 0 ? shares(testBins, j, testRows) : [];
    const below = Number(testBins[`lo${j}`] ?? 0), above = Number(testBins[`hi${j}`] ?? 0);
    return {
      feature: c,
      kind: "numeric",
      psi: trainRows > 0 && testRows > 0 ? psi(trainShares, testShares) : NaN,
      edges: edgesOf[j]!,
      trainShares,
      testShares,
      trainMin: range[j]!.min ?? undefined,
      trainMax: range[j]!.max ?? undefined,
      below,
      above,
      outsideShare: testRows > 0 ? (below + above) / testRows : NaN,
    };
  });

  // Category counts per period, one job each.
  const cats = categorical.map((c) => col(c));
  const trainCounts = await valueCounts(train, cats, { signal });
  const testCounts = await valueCounts(test, cats, { signal });
  categorical.forEach((c, j) => {
    const tr = trainCounts[j]!, te = testCounts[j]!;
    const known = [...tr.counts].sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1))
      .map(([v]) => String(v));
    const knownSet = new Set(known);
    const unseen = [...te.counts.keys()].map(String).filter((v) => !knownSet.has(v)).sort();
    const categories = [...known, ...unseen];
    const trainShares = [...categories.map((v) => (tr.counts.get(v) ?? 0) / trainRows), tr.nulls / trainRows];
    const testShares = [...categories.map((v) => (te.counts.get(v) ?? 0) / testRows), te.nulls / testRows];
    const unseenRows = unseen.reduce((a, v) => a + (te.counts.get(v) ?? 0), 0);
    features.push({
      feature: c,
      kind: "categorical",
      psi: trainRows > 0 && testRows > 0 ? psi(trainShares, testShares) : NaN,
      categories,
      trainShares,
      testShares,
      unseen,
      unseenShare: testRows > 0 ? unseenRows / testRows : NaN,
    });
  });

  if (options.label === undefined) return { trainRows, testRows, features };
  const positive = typeof options.label === "string"
    ? col(options.label).cast("double").eq(lit(1, "double"))
    : col(options.label.column).eq(lit(options.label.positive));
  const rate = async (ds: Dataset) => {
    const [row] = await ds.filter(col(labelCol!).isNotNull())
      .agg(count().alias("n"), sum(when(positive, one).otherwise(zero)).alias("p")).collect({ signal });
    return Number(row!["p"]) / Number(row!["n"]);
  };
  const trainRate = await rate(train), testRate = await rate(test);
  return { trainRows, testRows, features, label: { trainRate, testRate, shift: testRate - trainRate } };
}
