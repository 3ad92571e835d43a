import assert from "node:assert/strict";
import { liftAt, scoreGroups, summarizeScores } from "../../../models/evaluation/mod.ts";
import { asInput, randomRows, topPositives } from "./oracle.ts";

Deno.test("liftAt takes a tie group straddling the cut in proportion", () => {
  // 10 rows high to low: 0.9+, then 0.8 twice (one +, one -), then 7 rows at 0.1 with one +.
  const labels = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0];
  const scores = [0.9, 0.8, 0.8, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
  const groups = scoreGroups(summarizeScores({ labels, scores }));
  const [p10, p20, p30, p50] = liftAt(groups, [10, 20, 30, 50]);
  assert.deepEqual(p10, {
    percent: 10,
    threshold: 0.9,
    positives: 1,
    gain: 1 / 3,
    lift: (1 / 3) / 0.1,
    precision: 1,
  });
  // The top 2 rows: 0.9 and half of the 0.8 pair, so 1 + 0.5 positives.
  assert.equal(p20!.positives, 1.5);
  assert.equal(p20!.threshold, 0.8);
  assert.equal(p20!.gain, 0.5);
  assert.equal(p20!.lift, 2.5);
  assert.equal(p30!.positives, 2);
  // 5 rows: the top 3, then 2 of the 7 tied rows with their single positive: 2 + 2/7.
  assert.ok(Math.abs(p50!.positives - (2 + 2 / 7)) < 1e-15);
  assert.equal(liftAt(groups, [100])[0]!.gain, 1);
  assert.equal(liftAt(groups, [100])[0]!.lift, 1);
});

Deno.test("liftAt matches DuckDB's top-m rows on untied scores", async () => {
  const rows = randomRows({ n: 2000, seed: 61 }); // continuous: no ties
  const groups = scoreGroups(summarizeScores(asInput(rows)));
  assert.equal(groups.score.length, 2000);
  const P = groups.totalPos;
  for (const point of liftAt(groups, [1, 5, 10, 25, 50])) {
    const m = (point.percent / 100) * 2000;
    const want = await topPositives(rows, m);
    assert.ok(Math.abs(point.positives - want) < 1e-9, `${point.percent} %: ${point.positives} vs ${want}`);
    assert.ok(Math.abs(point.lift - (want / P) / (point.percent / 100)) < 1e-12);
  }
});

Deno.test("liftAt uses weight, not rows, and refuses percentages outside (0, 100]", () => {
  const groups = scoreGroups(
    summarizeScores({ labels: [1, 0, 1], scores: [0.9, 0.5, 0.1], weights: [1, 3, 6] }),
  );
  const [top] = liftAt(groups, [10]);
  assert.equal(top!.positives, 1, "the heaviest 10 % of 10 units of weight is the first row");
  assert.equal(top!.gain, 1 / 7);
  assert.throws(() => liftAt(groups, [0]), /\(0, 100\]/);
  assert.throws(() => liftAt(groups, [101]), RangeError);
  const none = scoreGroups(summarizeScores({ labels: [0, 0], scores: [0.2, 0.1] }));
  assert.ok(Number.isNaN(liftAt(none, [50])[0]!.lift), "no positives: NaN");
});
