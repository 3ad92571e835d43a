import assert from "node:assert/strict";
import {
  binaryMetrics,
  emptySummary,
  evaluateBinary,
  summarizeScores,
} from "../../../models/evaluation/mod.ts";
import { asInput, randomRows } from "./oracle.ts";

Deno.test("binaryMetrics reports every figure, its options applied", () => {
  const rows = randomRows({ n: 2000, seed: 101, grid: 100 });
  const m = binaryMetrics(summarizeScores(asInput(rows)), {
    threshold: 0.4,
    costs: { falseNegative: 4, falsePositive: 1 },
    topPercents: [5, 10],
    calibration: { bins: 5, strategy: "quantile" },
    maxCurvePoints: 30,
  });
  assert.equal(m.mode, "exact");
  assert.equal(m.rows, 2000);
  assert.equal(m.weight, 2000);
  assert.equal(m.groups, 101);
  assert.equal(m.positives + m.negatives, 2000);
  assert.equal(m.atThreshold.threshold, 0.4);
  assert.ok(m.atThreshold.expectedCost !== undefined && m.bestF1!.expectedCost !== undefined);
  assert.ok(m.minCost!.expectedCost! <= m.atThreshold.expectedCost!);
  assert.ok(m.minCost!.expectedCost! <= m.bestF1!.expectedCost!);
  assert.deepEqual(m.lift.map((l) => l.percent), [5, 10]);
  assert.equal(m.calibration!.strategy, "quantile");
  assert.ok(m.calibration!.bins.length <= 5);
  assert.ok(m.curves.roc.length === 30 && m.curves.pr.length === 30 && m.curves.gains.length === 30);
  assert.ok(m.rocAuc > 0.6 && m.rocAuc < 0.8, `AUC ${m.rocAuc} for labels drawn with P(y) = 0.2 + 0.6·score`);
  assert.deepEqual(m.warnings, []);
});

Deno.test("binaryMetrics on margins: rankings defined, probability metrics undefined with a warning", () => {
  const m = evaluateBinary({ labels: [0, 1, 0, 1], scores: [-3, 2, 0.5, 7] }, { threshold: 0 });
  assert.equal(m.rocAuc, 1);
  assert.equal(m.logLoss, undefined);
  assert.equal(m.brier, undefined);
  assert.equal(m.calibration, undefined);
  assert.deepEqual(m.atThreshold.confusion, { tp: 2, fp: 1, tn: 1, fn: 0 });
  assert.match(m.warnings.join("; "), /scores span \[-3, 7\]/);
});

Deno.test("binaryMetrics on one class: NaN rankings, warnings, the rest defined", () => {
  const m = evaluateBinary({ labels: [0, 0, 0], scores: [0.1, 0.5, 0.9] });
  assert.ok(Number.isNaN(m.rocAuc) && Number.isNaN(m.averagePrecision));
  assert.equal(m.bestF1, undefined);
  assert.equal(m.baseline.accuracy, 1);
  assert.equal(m.atThreshold.accuracy, 1 / 3, "0.5 and 0.9 are false alarms at 0.5");
  assert.ok(m.logLoss! > 0);
  assert.match(m.warnings[0]!, /no positives/);
});

Deno.test("binaryMetrics without any weight is a RangeError; bad options name themselves", () => {
  assert.throws(() => binaryMetrics(emptySummary()), /total weight is 0 \(no rows, or every weight is 0\)/);
  assert.throws(() => evaluateBinary({ labels: [1, 0], scores: [0.4, 0.6], weights: [0, 0] }), RangeError);
  const s = summarizeScores({ labels: [1, 0], scores: [0.4, 0.6] });
  assert.throws(() => binaryMetrics(s, { threshold: NaN }), /"threshold" must be a number/);
  assert.throws(() => binaryMetrics(s, { maxCurvePoints: 1 }), /maxPoints/);
  assert.throws(() => binaryMetrics(s, { costs: { falseNegative: NaN, falsePositive: 1 } }), /Error costs/);
});
