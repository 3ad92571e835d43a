import assert from "node:assert/strict";
import {
  chooseThreshold,
  majorityBaseline,
  operatingPoint,
  scoreGroups,
  summarizeScores,
} from "../../../models/evaluation/mod.ts";

// Scores high to low: 0.9+ 0.8+ 0.7- 0.6+ 0.5- 0.4- 0.3+ 0.2- 0.1- 0.05-
const labels = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0];
const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
const groups = scoreGroups(summarizeScores({ labels, scores }));

Deno.test("operatingPoint counts score >= threshold as positive and derives the rates", () => {
  const p = operatingPoint(groups, 0.6);
  assert.deepEqual(p.confusion, { tp: 3, fp: 1, tn: 5, fn: 1 });
  assert.equal(p.precision, 0.75);
  assert.equal(p.recall, 0.75);
  assert.equal(p.f1, 0.75);
  assert.equal(p.accuracy, 0.8);
  assert.equal(p.falsePositiveRate, 1 / 6);
  assert.equal(p.predictedPositiveRate, 0.4);
  assert.equal(p.expectedCost, undefined);
  const between = operatingPoint(groups, 0.55, { costs: { falseNegative: 10, falsePositive: 1 } });
  assert.deepEqual(between.confusion, p.confusion);
  assert.equal(between.expectedCost, (10 * 1 + 1 * 1) / 10);
  const none = operatingPoint(groups, 2);
  assert.deepEqual(none.confusion, { tp: 0, fp: 0, tn: 6, fn: 4 });
  assert.ok(Number.isNaN(none.precision), "precision with nothing flagged is NaN");
  assert.equal(none.f1, 0);
  assert.throws(() => operatingPoint(groups, NaN), /Threshold must be a number/);
});

Deno.test("majorityBaseline predicts the heavier class", () => {
  assert.deepEqual(majorityBaseline(groups), { label: 0, accuracy: 0.6 });
  const weighted = scoreGroups(summarizeScores({ labels, scores, weights: labels.map((y) => (y ? 2 : 1)) }));
  assert.deepEqual(majorityBaseline(weighted), { label: 1, accuracy: 8 / 14 });
});

Deno.test("chooseThreshold by F1 scans every distinct score and keeps the highest on ties", () => {
  // F1 by threshold: .9 → 2/5, .8 → 2/3, .7 → 4/7, .6 → 3/4, .5 → 2/3, .4 → 3/5, .3 → 8/11, …
  const best = chooseThreshold(groups, { by: "f1" });
  assert.equal(best.threshold, 0.6);
  assert.equal(best.f1, 0.75);
  const flat = scoreGroups(summarizeScores({ labels: [1, 0, 0, 1], scores: [0.8, 0.6, 0.4, 0.2] }));
  // F1 = 2tp / (tp + fp + P): 0.8 → 2/3, 0.6 → 1/2, 0.4 → 2/5, 0.2 → 4/6 — 0.8 and 0.2 tie
  assert.equal(chooseThreshold(flat, { by: "f1" }).threshold, 0.8);
  assert.throws(
    () => chooseThreshold(scoreGroups(summarizeScores({ labels: [0], scores: [0.5] })), { by: "f1" }),
    /no positives/,
  );
});

Deno.test("chooseThreshold by cost trades missed positives against false alarms", () => {
  const cheapAlarms = chooseThreshold(groups, { by: "cost", costs: { falseNegative: 10, falsePositive: 1 } });
  assert.equal(cheapAlarms.threshold, 0.3, "catch every positive: 4 false alarms cost less than a miss");
  assert.deepEqual(cheapAlarms.confusion, { tp: 4, fp: 3, tn: 3, fn: 0 });
  assert.equal(cheapAlarms.expectedCost, 0.3);
  const dearAlarms = chooseThreshold(groups, { by: "cost", costs: { falseNegative: 1, falsePositive: 10 } });
  assert.equal(dearAlarms.threshold, 0.8);
  assert.equal(dearAlarms.expectedCost, 0.2);
  const never = chooseThreshold(groups, { by: "cost", costs: { falseNegative: 0, falsePositive: 1 } });
  assert.equal(never.threshold, Infinity, "flagging nothing is a candidate");
  assert.equal(never.expectedCost, 0);
  assert.throws(
    () => chooseThreshold(groups, { by: "cost", costs: { falseNegative: 0, falsePositive: 0 } }),
    /not both 0/,
  );
  assert.throws(
    () => chooseThreshold(groups, { by: "cost", costs: { falseNegative: -1, falsePositive: 1 } }),
    RangeError,
  );
});

Deno.test("in binned mode thresholds are bin edges and their operating points are exact", () => {
  const exact = scoreGroups(summarizeScores({ labels, scores }));
  const binned = scoreGroups(summarizeScores({ labels, scores }, { bins: 20 }));
  const best = chooseThreshold(binned, { by: "f1" });
  assert.equal(best.threshold, 0.6);
  assert.deepEqual(operatingPoint(binned, best.threshold).confusion, operatingPoint(exact, 0.6).confusion);
  assert.deepEqual(best.confusion, operatingPoint(exact, 0.6).confusion);
});
