import assert from "node:assert/strict";
import {
  averagePrecision,
  brierScore,
  emptySummary,
  logLoss,
  rocAuc,
  scoreGroups,
  summarizeScores,
} from "../../../models/evaluation/mod.ts";
import type { LabeledScores } from "../../../models/evaluation/mod.ts";
import { asInput, randomRows } from "./oracle.ts";

function groupsOf(input: LabeledScores) {
  return scoreGroups(summarizeScores(input));
}

Deno.test("rocAuc and averagePrecision give scikit-learn's documented values", () => {
  // sklearn docs: roc_auc_score / average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
  const g = groupsOf({ labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8] });
  assert.equal(rocAuc(g), 0.75);
  assert.ok(Math.abs(averagePrecision(g) - 0.8333333333333333) < 1e-15);
});

Deno.test("tied scores count one half in ROC-AUC and enter average precision as one step", () => {
  const g = groupsOf({ labels: [0, 1, 0, 1], scores: [0.5, 0.5, 0.5, 0.9] });
  assert.equal(rocAuc(g), 0.75); // 0.9 beats both negatives, 0.5 ties both: (2 + 1) / 4
  assert.equal(averagePrecision(g), 0.75); // recall 0.5 at precision 1, then 0.5 at precision 2/4
  const constant = groupsOf({ labels: [0, 1, 1, 0, 0], scores: [3, 3, 3, 3, 3] });
  assert.equal(rocAuc(constant), 0.5);
  assert.equal(averagePrecision(constant), 0.4, "one step: the positive rate");
});

Deno.test("integer weights give the same metrics as repeating rows", () => {
  const rows = randomRows({ n: 300, seed: 51, grid: 30 });
  const weights = Float64Array.from(rows.labels, (_, i) => 1 + (i % 3));
  const labels: number[] = [], scores: number[] = [];
  rows.labels.forEach((y, i) => {
    for (let k = 0; k < weights[i]!; k++) labels.push(y), scores.push(rows.scores[i]!);
  });
  const weighted = groupsOf({ labels: rows.labels, scores: rows.scores, weights });
  const repeated = groupsOf({ labels, scores });
  assert.equal(rocAuc(weighted), rocAuc(repeated));
  assert.equal(averagePrecision(weighted), averagePrecision(repeated));
  assert.equal(logLoss(weighted), logLoss(repeated));
  assert.equal(brierScore(weighted), brierScore(repeated));
  assert.notEqual(rocAuc(weighted), rocAuc(groupsOf(asInput(rows))), "the weights matter");
});

Deno.test("one class gives NaN rankings; no weight at all is a RangeError", () => {
  const onlyNeg = groupsOf({ labels: [0, 0], scores: [0.1, 0.2] });
  assert.ok(Number.isNaN(rocAuc(onlyNeg)));
  assert.ok(Number.isNaN(averagePrecision(onlyNeg)));
  const onlyPos = groupsOf({ labels: [1, 1], scores: [0.1, 0.2] });
  assert.ok(Number.isNaN(rocAuc(onlyPos)));
  assert.equal(averagePrecision(onlyPos), 1);
  const empty = scoreGroups(emptySummary());
  assert.throws(() => rocAuc(empty), /Cannot compute ROC-AUC: the total weight is 0/);
  assert.throws(() => averagePrecision(empty), RangeError);
  assert.throws(
    () => logLoss(scoreGroups(summarizeScores({ labels: [1], scores: [1], weights: [0] }))),
    RangeError,
  );
});

Deno.test("log loss clips at eps and Brier squares the error; both need probabilities", () => {
  const g = groupsOf({ labels: [1, 0], scores: [0.8, 0.3] });
  assert.ok(Math.abs(logLoss(g) - (-Math.log(0.8) - Math.log(0.7)) / 2) < 1e-16);
  assert.ok(Math.abs(brierScore(g) - (0.04 + 0.09) / 2) < 1e-15);
  const sure = groupsOf({ labels: [1, 0], scores: [0, 1] });
  assert.equal(logLoss(sure), -Math.log(Number.EPSILON), "confident mistakes cost -log(eps)");
  const looser = scoreGroups(summarizeScores({ labels: [1, 0], scores: [0, 1] }, { eps: 1e-7 }));
  assert.equal(
    logLoss(looser),
    (-Math.log(1e-7) - Math.log(1 - (1 - 1e-7))) / 2,
    "clipped to [eps, 1 - eps]",
  );
  const margins = groupsOf({ labels: [1, 0], scores: [2.5, -1] });
  assert.equal(rocAuc(margins), 1, "rankings work on any scores");
  assert.throws(() => logLoss(margins), /scores span \[-1, 2.5\], not probabilities/);
  assert.throws(() => brierScore(margins), RangeError);
});
