import assert from "node:assert/strict";
import { CounterRandom } from "../../../../cluster/util/seeded_random.ts";
import { evaluateBinary } from "../../../../models/evaluation/mod.ts";
import {
  averageFigures,
  bootstrapEngines,
  pairedDifference,
  percentileInterval,
  rankingMetrics,
  rankScores,
  resampleCounts,
} from "../../../../scripts/bench/ml/bootstrap.ts";

/** 300 rows, ~30 % positives, scores rounded to 2 decimals so many tie, informative but noisy. */
function tinyTestSet(seed: number): { labels: Uint8Array; scores: Float64Array; noise: Float64Array } {
  const rng = new CounterRandom(seed, 3);
  const n = 300, labels = new Uint8Array(n), scores = new Float64Array(n), noise = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    rng.at(i);
    labels[i] = rng.float(0) < 0.3 ? 1 : 0;
    scores[i] = Math.round(100 * Math.min(1, Math.max(0, 0.3 + 0.3 * labels[i]! + 0.25 * rng.normal(1)))) /
      100;
    noise[i] = Math.round(100 * rng.float(2)) / 100;
  }
  return { labels, scores, noise };
}

Deno.test("rankingMetrics equals models/evaluation's ROC-AUC and average precision, ties included", () => {
  const { labels, scores } = tinyTestSet(1);
  const exact = evaluateBinary({ labels, scores });
  const ranked = rankScores(labels, scores);
  assert.ok(ranked.groupEnd.length < 101, "scores on a 0.01 grid tie");
  const point = rankingMetrics(ranked);
  assert.equal(point.rocAuc, exact.rocAuc);
  assert.ok(Math.abs(point.prAuc - exact.averagePrecision) < 1e-12);
  const counts = resampleCounts(new Uint32Array(labels.length), 5, 99);
  const weighted = evaluateBinary({ labels, scores, weights: counts });
  const replicate = rankingMetrics(ranked, counts);
  assert.equal(replicate.rocAuc, weighted.rocAuc, "a replicate is the metric with the counts as weights");
  assert.ok(Math.abs(replicate.prAuc - weighted.averagePrecision) < 1e-12);
});

Deno.test("resampleCounts draws n rows with replacement, the same for the same seed and replicate", () => {
  const a = resampleCounts(new Uint32Array(1000), 3, 7);
  assert.equal(a.reduce((s, c) => s + c, 0), 1000);
  const missing = a.filter((c) => c === 0).length;
  assert.ok(missing > 320 && missing < 420, `about 1/e of the rows are left out, got ${missing}`);
  assert.deepEqual(resampleCounts(new Uint32Array(1000), 3, 7), a);
  assert.notDeepEqual(resampleCounts(new Uint32Array(1000), 4, 7), a);
});

Deno.test("bootstrapEngines pairs engines: an engine against itself differs by exactly 0 on every replicate", () => {
  const { labels, scores, noise } = tinyTestSet(2);
  const boot = bootstrapEngines(labels, new Map([["good", scores], ["copy", scores], ["noise", noise]]), {
    resamples: 200,
    seed: 11,
  });
  const good = boot.get("good")!, copy = boot.get("copy")!, random = boot.get("noise")!;
  assert.deepEqual(good.rocReplicates, copy.rocReplicates);
  const none = pairedDifference(good, copy, "rocAuc");
  assert.deepEqual([none.value, none.lo, none.hi], [0, 0, 0]);
  const iv = percentileInterval(good.rocAuc, good.rocReplicates);
  assert.ok(iv.lo < good.rocAuc && good.rocAuc < iv.hi, `${iv.lo} < ${good.rocAuc} < ${iv.hi}`);
  assert.ok(
    iv.hi - iv.lo > 0.02 && iv.hi - iv.lo < 0.2,
    `a 300-row test set gives a wide interval: ${iv.hi - iv.lo}`,
  );
  const gap = pairedDifference(good, random, "rocAuc");
  assert.ok(gap.lo > 0.1, `an informative model beats noise on every plausible resample: ${gap.lo}`);
  assert.ok(Math.abs(random.rocAuc - 0.5) < 0.1);
});

Deno.test("averageFigures averages the point figures and the replicates of several test sets", () => {
  const sets = [tinyTestSet(3), tinyTestSet(4)];
  const figs = sets.map((s, i) =>
    bootstrapEngines(s.labels, new Map([["m", s.scores]]), { resamples: 50, seed: i }).get("m")!
  );
  const mean = averageFigures(figs);
  assert.equal(mean.rocAuc, (figs[0]!.rocAuc + figs[1]!.rocAuc) / 2);
  assert.equal(mean.prReplicates[7], (figs[0]!.prReplicates[7]! + figs[1]!.prReplicates[7]!) / 2);
  assert.throws(() => averageFigures([]), RangeError);
});

Deno.test("percentileInterval interpolates between order statistics and leaves NaN out", () => {
  const iv = percentileInterval(0.5, [NaN, ...Array.from({ length: 101 }, (_, i) => i / 100)], 0.9);
  assert.equal(iv.replicates, 101);
  assert.ok(Math.abs(iv.lo - 0.05) < 1e-12 && Math.abs(iv.hi - 0.95) < 1e-12);
  assert.throws(() => percentileInterval(0, [1], 1), RangeError);
});
