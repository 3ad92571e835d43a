/**
 * A training-report input built the way a trainer builds it, from `models/evaluation` on seeded
 * synthetic scores: two "models" whose scores separate the classes by a known margin (binormal,
 * unit variance: ROC-AUC = Φ(separation / √2)), one with its threshold chosen by max F1 on a
 * validation draw and reported on the test draw, one by least cost on the test draw.
 *
 * @module
 */
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import {
  type BinaryMetrics,
  chooseThreshold,
  evaluateBinary,
  type OperatingPoint,
  operatingPoint,
  scoreGroups,
  summarizeScores,
} from "../../../models/evaluation/mod.ts";
import { modelReportFromMetrics } from "../../../scripts/report/training_report_from_metrics.ts";
import type { TrainingReportInput } from "../../../scripts/report/training_report_input.ts";

/** Labeled scores. */
export interface Scored {
  labels: number[];
  scores: number[];
}

/** `n` rows, P(y = 1) = `baseRate`, score = sigmoid(N(0, 1) + separation·y − 1.5). */
export function binormalScores(
  options: { n: number; seed: number; separation: number; baseRate: number },
): Scored {
  const r = new CounterRandom(options.seed, 11);
  const labels: number[] = [], scores: number[] = [];
  for (let i = 0; i < options.n; i++) {
    r.at(i);
    const y = r.float(0) < options.baseRate ? 1 : 0;
    const z = r.normal(1) + options.separation * y - 1.5;
    labels.push(y);
    scores.push(1 / (1 + Math.exp(-z)));
  }
  return { labels, scores };
}

/** The fixture and what it was built from, for assertions. */
export interface TrainingFixture {
  input: TrainingReportInput;
  /** Test metrics per model, in input order. */
  metrics: BinaryMetrics[];
  /** The operating point reported per model, in input order. */
  points: OperatingPoint[];
}

/** Model names; the second carries characters that must be escaped in HTML. */
export const FIXTURE_MODELS = ["GBT", "Logistic <regression>"] as const;

/** Separation of the classes per model (ROC-AUC ≈ 0.921 and 0.760). */
export const FIXTURE_SEPARATIONS = [2, 1] as const;

/** Test rows per model. */
export const FIXTURE_TEST_ROWS = 3_000;

/** Builds the fixture (deterministic: seeded). */
export function trainingFixture(): TrainingFixture {
  const [gbtName, lrName] = FIXTURE_MODELS;
  const [gbtSep, lrSep] = FIXTURE_SEPARATIONS;
  const base = { n: FIXTURE_TEST_ROWS, baseRate: 0.1 };
  const gbtTest = binormalScores({ ...base, seed: 1, separation: gbtSep });
  const gbtValidation = binormalScores({ ...base, seed: 2, separation: gbtSep });
  const lrTest = binormalScores({ ...base, seed: 1, separation: lrSep });

  const gbtMetrics = evaluateBinary(gbtTest);
  const chosen = chooseThreshold(scoreGroups(summarizeScores(gbtValidation)), { by: "f1" });
  const gbtPoint = operatingPoint(scoreGroups(summarizeScores(gbtTest)), chosen.threshold);
  const costs = { falseNegative: 10, falsePositive: 1 };
  const lrMetrics = evaluateBinary(lrTest, { costs });
  const lrPoint = lrMetrics.minCost!;

  const positives = gbtTest.labels.filter((y) => y === 1).length;
  const input: TrainingReportInput = {
    version: 1,
    title: "Frontier — training report (synthetic)",
    data: {
      dataset: "synthetic binormal scores",
      label: "y",
      split: "two seeded draws: validation (seed 2) and test (seed 1)",
      rowsTrain: 12_000,
      rowsTest: FIXTURE_TEST_ROWS,
      positiveRateTrain: 0.1,
      positiveRateTest: positives / FIXTURE_TEST_ROWS,
      seed: 1,
      versions: { frontier: "0.1.0-test" },
      features: ["age", "euribor3m", "pdays", "campaign"],
      excluded: ["duration"],
    },
    models: [
      modelReportFromMetrics(gbtName, gbtMetrics, {
        choice: { by: "f1" },
        operatingPoint: gbtPoint,
        kind: "gbt",
        params: { numLeaves: 31, learningRate: 0.1, rounds: 120 },
        timings: { trainMs: 4_321, predictMs: 87, evaluateMs: 12 },
        intervals: { rocAuc: { lo: gbtMetrics.rocAuc - 0.01, hi: gbtMetrics.rocAuc + 0.01 } },
        importance: [
          {
            method: "split gain",
            features: [
              { feature: "euribor3m", importance: 812.5 },
              { feature: "age", importance: 301.25 },
              { feature: "pdays", importance: 97 },
              { feature: "campaign", importance: 12 },
            ],
          },
          {
            method: "permutation (ROC-AUC drop)",
            features: [
              { feature: "euribor3m", importance: 0.081 },
              { feature: "age", importance: 0.012 },
              { feature: "pdays", importance: -0.002 },
            ],
          },
        ],
      }),
      modelReportFromMetrics(lrName, lrMetrics, {
        choice: { by: "cost", ...costs },
        kind: "logistic_regression",
        params: { regParam: 0.01 },
        timings: { trainMs: 950 },
        importance: [{
          method: "permutation (ROC-AUC drop)",
          features: [{ feature: "age", importance: 0.04 }, { feature: "euribor3m", importance: 0.03 }],
        }],
      }),
    ],
  };
  return { input, metrics: [gbtMetrics, lrMetrics], points: [gbtPoint, lrPoint] };
}
