import assert from "node:assert/strict";
import {
  binLowerEdge,
  binOf,
  emptySummary,
  encodeSummary,
  mergeSummaries,
  rocAuc,
  scoreGroups,
  summarizeScores,
} from "../../../models/evaluation/mod.ts";
import { asInput, randomRows } from "./oracle.ts";

Deno.test("summarizeScores keeps one sorted key per distinct score, -0 and 0 together", () => {
  const s = summarizeScores({ labels: [1, 0, 1, 0, 0], scores: [0.5, -0, 0.5, 0, 0.25] });
  assert.deepEqual([...s.keys], [0, 0.25, 0.5]);
  assert.ok(!Object.is(s.keys[0], -0));
  assert.deepEqual([...s.posHi], [0, 0, 2]);
  assert.deepEqual([...s.negHi], [2, 1, 0]);
  assert.equal(s.rows, 5);
  assert.deepEqual([s.minScore, s.maxScore], [0, 0.5]);
});

Deno.test("rows with weight 0 are dropped: the summary equals the one without them", () => {
  const withZeros = summarizeScores({
    labels: [1, 0, 1, 0],
    scores: [0.9, 0.1, 0.3, 0.7],
    weights: [2, 0, 0.5, 0],
  });
  const without = summarizeScores({ labels: [1, 1], scores: [0.9, 0.3], weights: [2, 0.5] });
  assert.deepEqual(encodeSummary(withZeros), encodeSummary(without));
  assert.equal(withZeros.rows, 2);
  const none = summarizeScores({ labels: [1, 0], scores: [0.9, 0.1], weights: [0, 0] });
  assert.deepEqual(encodeSummary(none), encodeSummary(emptySummary()));
});

Deno.test("summarizeScores names the bad row, and bad options name the option", () => {
  assert.throws(
    () => summarizeScores({ labels: [0, 2], scores: [0.1, 0.2] }),
    /Label at row 1 must be 0 or 1, got 2/,
  );
  assert.throws(
    () => summarizeScores({ labels: [0, 1], scores: [0.1, NaN] }),
    /Score at row 1 must be finite/,
  );
  assert.throws(
    () => summarizeScores({ labels: [0, 1], scores: [0.1, 0.2], weights: [1, -1] }),
    /Weight at row 1 must be finite and >= 0/,
  );
  assert.throws(() => summarizeScores({ labels: [0, 1], scores: [0.1] }), /lengths must match/);
  assert.throws(() => emptySummary({ bins: 0 }), /"bins" must be an integer/);
  assert.throws(() => emptySummary({ bins: 10, range: [1, 0] }), /"range" must be finite/);
  assert.throws(() => emptySummary({ range: [0, 1] }), /"range" needs "bins"/);
  assert.throws(() => emptySummary({ eps: 0 }), /"eps" must be in/);
});

Deno.test("mergeSummaries refuses summaries built with other settings", () => {
  const exact = summarizeScores({ labels: [1], scores: [0.5] });
  const binned = summarizeScores({ labels: [1], scores: [0.5] }, { bins: 10 });
  const other = summarizeScores({ labels: [1], scores: [0.5] }, { bins: 20 });
  assert.throws(
    () => mergeSummaries(exact, binned),
    /different settings: exact .* vs binned 10 over \[0, 1\]/,
  );
  assert.throws(() => mergeSummaries(binned, other), RangeError);
  assert.throws(() => mergeSummaries(exact, emptySummary({ eps: 1e-7 })), RangeError);
});

Deno.test("the empty summary is the identity of mergeSummaries, in both modes", () => {
  const rows = randomRows({ n: 500, seed: 21, grid: 100, weights: "decimal" });
  for (const options of [{}, { bins: 50 }]) {
    const s = summarizeScores(asInput(rows), options);
    const bytes = encodeSummary(s);
    assert.deepEqual(encodeSummary(mergeSummaries(emptySummary(options), s)), bytes);
    assert.deepEqual(encodeSummary(mergeSummaries(s, emptySummary(options))), bytes);
  }
});

Deno.test("binned mode: equal-width bins over the range, outside scores in the end bins", () => {
  const binning = { bins: 4, min: -2, max: 2 };
  assert.deepEqual([-5, -2, -1.01, -1, 0, 1.99, 2, 9].map((s) => binOf(binning, s)), [
    0,
    0,
    0,
    1,
    2,
    3,
    3,
    3,
  ]);
  assert.deepEqual([0, 1, 2, 3].map((j) => binLowerEdge(binning, j)), [-2, -1, 0, 1]);
  const s = summarizeScores({ labels: [1, 0, 0, 1], scores: [-5, -1.5, 0.5, 9] }, {
    bins: 4,
    range: [-2, 2],
  });
  assert.deepEqual([...s.keys], [0, 2, 3]);
  assert.deepEqual([...s.posHi], [1, 0, 1]);
  assert.deepEqual([...s.negHi], [1, 1, 0]);
  assert.deepEqual([...s.scoreHi], [-6.5, 0.5, 9]);
  assert.deepEqual([s.minScore, s.maxScore], [-5, 9]);
});

Deno.test("binned ROC-AUC is off by at most the within-bin pairs: Σ pos_b·neg_b / (2PN)", () => {
  for (const [seed, bins] of [[31, 20], [32, 100], [33, 1000]] as const) {
    const rows = randomRows({ n: 3000, seed, weights: "decimal" });
    const exact = rocAuc(scoreGroups(summarizeScores(asInput(rows))));
    const groups = scoreGroups(summarizeScores(asInput(rows), { bins }));
    let within = 0;
    for (let i = 0; i < groups.pos.length; i++) within += groups.pos[i]! * groups.neg[i]!;
    const bound = within / (2 * groups.totalPos * groups.totalNeg);
    const error = Math.abs(rocAuc(groups) - exact);
    assert.ok(error <= bound + 1e-12, `${bins} bins: error ${error} > bound ${bound}`);
    assert.ok(error > 0, `${bins} bins of continuous scores do change the AUC`);
  }
});
