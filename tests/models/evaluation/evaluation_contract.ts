/**
 * The one suite of cases every summary mode passes: each case's metrics against DuckDB SQL and a
 * brute-force pairwise AUC over the same rows, and merges of the case split at random cut points
 * against the unsplit summary, bit for bit. `exact_contract_test.ts` runs it at 1e-9,
 * `binned_contract_test.ts` with the tolerances binning allows.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import {
  binaryMetrics,
  DEFAULT_LOG_LOSS_EPS,
  encodeSummary,
  mergeSummaries,
  operatingPoint,
  scoreGroups,
  type ScoreSummary,
  summarizeScores,
  type SummaryOptions,
} from "../../../models/evaluation/mod.ts";
import { asInput, bruteForceAuc, oracle, randomRows, type Rows } from "./oracle.ts";

/** A summary mode and how close to the oracle it must come (absolute; counts relative to Σw). */
export interface EvaluationVariant {
  name: string;
  options: SummaryOptions;
  tolerance: {
    /** ROC-AUC, average precision, best F1. */
    rank: number;
    /** Log loss and Brier score. */
    probability: number;
    /** Confusion counts at thresholds on bin edges, as a share of the total weight. */
    counts: number;
  };
  /** Whether chosen thresholds must equal the oracle's (exact mode). */
  sameThresholds: boolean;
}

/** A named set of rows. */
export interface EvaluationCase {
  name: string;
  rows: () => Rows;
}

const n = 2500;

/** The cases of the contract. */
export const CASES: readonly EvaluationCase[] = [
  { name: "coarse grid (heavy ties), unweighted", rows: () => randomRows({ n, seed: 1, grid: 20 }) },
  { name: "fine grid (some ties), unweighted", rows: () => randomRows({ n, seed: 2, grid: 1000 }) },
  {
    name: "fine grid, two-decimal weights",
    rows: () => randomRows({ n, seed: 3, grid: 1000, weights: "decimal" }),
  },
  {
    name: "continuous scores, two-decimal weights",
    rows: () => randomRows({ n, seed: 4, weights: "decimal" }),
  },
  { name: "some weights zero", rows: () => randomRows({ n, seed: 5, grid: 100, weights: "with-zeros" }) },
  {
    name: "imbalanced (about 1% positives)",
    rows: () => randomRows({ n: 8000, seed: 6, grid: 10_000, base: 0, slope: 0.02 }),
  },
  { name: "scores at 0 and 1 (clipped log loss)", rows: () => randomRows({ n: 500, seed: 7, grid: 1 }) },
  {
    name: "constant scores",
    rows: () => {
      const r = randomRows({ n: 400, seed: 8 });
      return { ...r, scores: r.scores.map(() => 0.37) };
    },
  },
  {
    name: "perfect separation",
    rows: () => {
      const r = randomRows({ n: 400, seed: 9, grid: 100, weights: "decimal" });
      return { ...r, labels: r.scores.map((s) => (s >= 0.5 ? 1 : 0)) };
    },
  },
  {
    name: "no positives",
    rows: () => {
      const r = randomRows({ n: 300, seed: 10, grid: 50 });
      return { ...r, labels: r.labels.map(() => 0) };
    },
  },
  {
    name: "no negatives",
    rows: () => {
      const r = randomRows({ n: 300, seed: 11, grid: 50, weights: "decimal" });
      return { ...r, labels: r.labels.map(() => 1) };
    },
  },
];

/** Asserts `|actual − expected| ≤ tolerance`, with `NaN` matching only `NaN`. */
export function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  if (Number.isNaN(expected) || Number.isNaN(actual)) {
    assert.ok(Object.is(actual, expected), `${what}: ${actual} vs ${expected}`);
    return;
  }
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} vs ${expected} (|Δ| = ${Math.abs(actual - expected)} > ${tolerance})`,
  );
}

/** Splits the rows at `parts − 1` random cut points and merges the pieces' summaries in random order. */
export function splitAndMerge(
  rows: Rows,
  options: SummaryOptions,
  parts: number,
  seed: number,
): ScoreSummary {
  const rng = new CounterRandom(seed, 3);
  const len = rows.labels.length;
  const cuts = Array.from({ length: parts - 1 }, (_, i) => rng.at(i).below(0, len + 1)).sort((a, b) => a - b);
  const bounds = [0, ...cuts, len];
  const pieces = bounds.slice(1).map((end, i) => {
    const start = bounds[i]!;
    const input = asInput(rows);
    return summarizeScores({
      labels: input.labels.subarray(start, end),
      scores: input.scores.subarray(start, end),
      weights: input.weights?.subarray(start, end),
    }, options);
  });
  // Merge in a random tree: repeatedly merge two random pieces.
  let k = 0;
  while (pieces.length > 1) {
    const i = rng.at(1000 + k++).below(0, pieces.length);
    const [a] = pieces.splice(i, 1);
    const j = rng.at(1000 + k++).below(0, pieces.length);
    pieces[j] = k % 2 === 0 ? mergeSummaries(a!, pieces[j]!) : mergeSummaries(pieces[j]!, a!);
  }
  return pieces[0]!;
}

const COSTS = { falseNegative: 5, falsePositive: 1 };

/** Registers the contract's tests for `variant`. */
export function evaluationContract(variant: EvaluationVariant): void {
  const tol = variant.tolerance;
  for (const c of CASES) {
    Deno.test(`evaluation contract (${variant.name}): ${c.name} matches DuckDB and brute force`, async () => {
      const rows = c.rows();
      const summary = summarizeScores(asInput(rows), variant.options);
      const m = binaryMetrics(summary, { threshold: 0.5, costs: COSTS });
      const want = await oracle(rows, {
        thresholds: [0.5, 0.25],
        eps: variant.options.eps ?? DEFAULT_LOG_LOSS_EPS,
        costs: { fn: COSTS.falseNegative, fp: COSTS.falsePositive },
      });
      assertNear(m.weight, want.weight, 1e-9 * want.weight, "total weight");
      assertNear(m.positives, want.positives, 1e-9 * want.weight, "positive weight");
      assertNear(m.rocAuc, want.auc ?? NaN, tol.rank, "ROC-AUC vs DuckDB");
      assertNear(m.rocAuc, bruteForceAuc(rows), tol.rank, "ROC-AUC vs brute force");
      if (want.positives > 0) assertNear(m.averagePrecision, want.ap ?? NaN, tol.rank, "average precision");
      else assert.ok(Number.isNaN(m.averagePrecision), "average precision without positives is NaN");
      assertNear(m.logLoss!, want.logLoss, tol.probability, "log loss");
      assertNear(m.brier!, want.brier, tol.probability, "Brier score");
      const groups = scoreGroups(summary);
      for (const w of want.confusion) {
        const got = operatingPoint(groups, w.threshold).confusion;
        for (const key of ["tp", "fp", "tn", "fn"] as const) {
          assertNear(
            got[key],
            w[key],
            tol.counts * want.weight + 1e-9 * want.weight,
            `${key} at ${w.threshold}`,
          );
        }
      }
      const at = want.confusion[0]!;
      assertNear(m.atThreshold.accuracy, (at.tp + at.tn) / want.weight, tol.counts + 1e-12, "accuracy");
      const majority = Math.max(want.positives, want.weight - want.positives) / want.weight;
      assertNear(m.baseline.accuracy, majority, 1e-12, "majority baseline");
      if (want.bestF1 === undefined) {
        assert.equal(m.bestF1, undefined);
      } else {
        assertNear(m.bestF1!.f1, want.bestF1.f1, tol.rank, "best F1");
        if (variant.sameThresholds) {
          assert.equal(m.bestF1!.threshold, want.bestF1.threshold, "best-F1 threshold");
        }
      }
      assertNear(
        m.minCost!.expectedCost!,
        want.minCost.cost / want.weight,
        tol.counts * 5 + 1e-12,
        "least cost",
      );
      if (variant.sameThresholds) {
        assert.equal(m.minCost!.threshold, want.minCost.threshold, "least-cost threshold");
      }
    });

    Deno.test(`evaluation contract (${variant.name}): ${c.name} merges bit-identically for any split`, () => {
      const rows = c.rows();
      const whole = summarizeScores(asInput(rows), variant.options);
      const bytes = encodeSummary(whole);
      const metrics = binaryMetrics(whole, { costs: COSTS });
      for (const [parts, seed] of [[2, 1], [3, 2], [7, 3], [16, 4]] as const) {
        const merged = splitAndMerge(rows, variant.options, parts, seed);
        assert.deepEqual(encodeSummary(merged), bytes, `${parts} parts: summary bytes`);
        assert.deepEqual(binaryMetrics(merged, { costs: COSTS }), metrics, `${parts} parts: metrics`);
      }
    });
  }
}
