import assert from "node:assert/strict";
import { calibrationTable, scoreGroups, summarizeScores } from "../../../models/evaluation/mod.ts";
import { asInput, randomRows, withDuck } from "./oracle.ts";

Deno.test("uniform calibration bins are [i/B, (i+1)/B) with 1 in the last bin; ECE weighs the gaps", () => {
  const labels = [0, 1, 0, 1, 1, 1];
  const scores = [0.05, 0.3, 0.3, 0.95, 1, 0.29];
  const t = calibrationTable(scoreGroups(summarizeScores({ labels, scores })), { bins: 10 });
  assert.deepEqual(t.bins.map((b) => [b.lower, b.upper, b.weight]), [
    [0, 0.1, 1],
    [0.2, 0.3, 1], // 0.29
    [0.3, 0.4, 2], // 0.3 on the edge goes up
    [0.9, 1, 2], // 0.95 and 1
  ]);
  assert.equal(t.bins[2]!.meanScore, 0.3);
  assert.equal(t.bins[2]!.positiveRate, 0.5);
  const gaps = [0.05, 0.71, 0.2, 0.025];
  const weights = [1, 1, 2, 2];
  const ece = gaps.reduce((a, g, i) => a + (weights[i]! / 6) * g, 0);
  assert.ok(Math.abs(t.ece - ece) < 1e-15, `${t.ece} vs ${ece}`);
  assert.ok(Math.abs(t.mce - 0.71) < 1e-15);
});

Deno.test("quantile calibration bins hold about equal weight and never split ties", () => {
  const t = calibrationTable(
    scoreGroups(
      summarizeScores({ labels: [0, 0, 1, 0, 1, 1, 0, 1], scores: [0.1, 0.2, 0.2, 0.2, 0.5, 0.6, 0.7, 0.9] }),
    ),
    { bins: 4, strategy: "quantile" },
  );
  // Weight below each group: 0.1 → 0 (bin 0), 0.2 → 1 (bin 0), 0.5 → 4 (bin 2), 0.6 → 5, 0.7 → 6 (bin 3), 0.9 → 7
  assert.deepEqual(t.bins.map((b) => [b.lower, b.upper, b.weight]), [[0.1, 0.2, 4], [0.5, 0.6, 2], [
    0.7,
    0.9,
    2,
  ]]);
  assert.equal(t.strategy, "quantile");
});

Deno.test("uniform calibration matches DuckDB's per-bin weight, mean score and positive rate", async () => {
  const rows = randomRows({ n: 3000, seed: 71, grid: 200, weights: "decimal" });
  const t = calibrationTable(scoreGroups(summarizeScores(asInput(rows))), { bins: 8 });
  const bin = Array.from({ length: 8 }, (_, i) => `WHEN p >= CAST('${(7 - i) / 8}' AS DOUBLE) THEN ${7 - i}`)
    .join(" ");
  const want = await withDuck(
    rows,
    (q) =>
      q(`SELECT CASE ${bin} END AS b, sum(w) AS weight, sum(w * p) / sum(w) AS mean, sum(w * y) / sum(w) AS rate
       FROM t GROUP BY b ORDER BY b`),
  );
  assert.equal(t.bins.length, want.length);
  t.bins.forEach((b, i) => {
    const w = want[i]!;
    assert.equal(b.lower, w["b"]! / 8);
    assert.ok(Math.abs(b.weight - w["weight"]!) <= 1e-9 * w["weight"]!);
    assert.ok(Math.abs(b.meanScore - w["mean"]!) <= 1e-12);
    assert.ok(Math.abs(b.positiveRate - w["rate"]!) <= 1e-12);
  });
});

Deno.test("binned-mode calibration is exact when summary bins nest in calibration bins, close otherwise", () => {
  const rows = randomRows({ n: 5000, seed: 72, weights: "decimal" });
  const exact = (bins: number) => calibrationTable(scoreGroups(summarizeScores(asInput(rows))), { bins });
  const binned = (bins: number) =>
    calibrationTable(scoreGroups(summarizeScores(asInput(rows), { bins: 1000 })), { bins });
  assert.deepEqual(binned(10).bins.map((b) => b.weight), exact(10).bins.map((b) => b.weight));
  assert.ok(Math.abs(binned(10).ece - exact(10).ece) < 1e-15);
  // 7 bins cut through summary bins, which go whole to one side: measured |ΔECE| = 1.2e-4.
  assert.ok(Math.abs(binned(7).ece - exact(7).ece) < 5e-4);
  assert.notEqual(binned(7).ece, exact(7).ece);
});

Deno.test("calibrationTable refuses bad options and scores that are not probabilities", () => {
  const g = scoreGroups(summarizeScores({ labels: [0, 1], scores: [0.2, 0.8] }));
  assert.throws(() => calibrationTable(g, { bins: 0 }), /"bins" must be an integer/);
  // @ts-expect-error: an unknown strategy, as untyped callers could pass
  assert.throws(() => calibrationTable(g, { strategy: "kmeans" }), /"strategy" must be/);
  const margins = scoreGroups(summarizeScores({ labels: [0, 1], scores: [-2, 3] }));
  assert.throws(() => calibrationTable(margins), /not \[0, 1\]/);
});
