import assert from "node:assert/strict";
import { bootstrapIntervals } from "../../../models/evaluation/bootstrap.ts";
import { logFactorial, poisson } from "../../../models/evaluation/poisson.ts";
import { mergeSummaries, scoreGroups, summarizeScores } from "../../../models/evaluation/mod.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { randomRows } from "./oracle.ts";

Deno.test("logFactorial matches the running sum of logs", () => {
  let sum = 0;
  for (let k = 1; k <= 400; k++) {
    sum += Math.log(k);
    assert.ok(Math.abs(logFactorial(k) - sum) <= 1e-12 * Math.max(1, sum), `k=${k}`);
  }
  assert.equal(logFactorial(0), 0);
});

Deno.test("poisson deviates have the mean, variance and probabilities of the distribution", () => {
  const draws = 40_000;
  for (const mean of [0.3, 4, 29.5, 30, 57, 250, 5000]) {
    const rng = new CounterRandom(11, Math.round(mean * 10));
    let s = 0, s2 = 0;
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      rng.at(i);
      let stream = 0;
      const k = poisson(mean, () => rng.float(stream++));
      assert.ok(Number.isInteger(k) && k >= 0);
      s += k;
      s2 += k * k;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const m = s / draws, v = s2 / draws - m * m;
    assert.ok(Math.abs(m - mean) < 5 * Math.sqrt(mean / draws), `mean of Poisson(${mean}): ${m}`);
    assert.ok(Math.abs(v / mean - 1) < 0.05, `variance of Poisson(${mean}): ${v}`);
    // The frequency of the mode against the probability mass function.
    const mode = Math.floor(mean);
    const pmf = Math.exp(-mean + mode * Math.log(mean) - logFactorial(mode));
    const freq = (counts.get(mode) ?? 0) / draws;
    assert.ok(
      Math.abs(freq - pmf) < 5 * Math.sqrt(pmf / draws),
      `P(${mode}) of Poisson(${mean}): ${freq} vs ${pmf}`,
    );
  }
  assert.equal(poisson(0, Math.random), 0);
  assert.throws(() => poisson(-1, Math.random), /Poisson mean must be a finite number ≥ 0, got -1/);
});

/** AUC by counting pairs: an independent definition (ties count one half). */
function pairAuc(labels: ArrayLike<number>, scores: ArrayLike<number>, counts: Int32Array): number {
  let num = 0, p = 0, n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (counts[i] === 0) continue;
    if (labels[i] === 1) p += counts[i]!;
    else n += counts[i]!;
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1 || counts[i] === 0) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0 || counts[j] === 0) continue;
      const w = counts[i]! * counts[j]!;
      num += scores[i]! > scores[j]! ? w : scores[i] === scores[j] ? w / 2 : 0;
    }
  }
  return num / p / n;
}

Deno.test("the bootstrap standard error of ROC-AUC agrees with a row bootstrap and Hanley–McNeil", () => {
  const rows = randomRows({ n: 500, seed: 3, grid: 200 });
  const groups = scoreGroups(summarizeScores({ labels: rows.labels, scores: rows.scores }));
  const b = bootstrapIntervals(groups, { replicates: 1000, seed: 5 });
  const poissonSe = b.intervals.rocAuc!.std;

  // Classic multinomial bootstrap of rows, written independently.
  const n = rows.labels.length, rng = new CounterRandom(99, 1), aucs: number[] = [];
  for (let r = 0; r < 600; r++) {
    const counts = new Int32Array(n);
    for (let i = 0; i < n; i++) counts[rng.at(r * n + i).below(0, n)]!++;
    aucs.push(pairAuc(rows.labels, rows.scores, counts));
  }
  const mean = aucs.reduce((s, x) => s + x, 0) / aucs.length;
  const rowSe = Math.sqrt(aucs.reduce((s, x) => s + (x - mean) ** 2, 0) / (aucs.length - 1));

  // Hanley & McNeil (1982).
  const auc = pairAuc(rows.labels, rows.scores, new Int32Array(n).fill(1));
  const np = rows.labels.reduce((s, y) => s + y, 0), nn = n - np;
  const q1 = auc / (2 - auc), q2 = (2 * auc * auc) / (1 + auc);
  const hm = Math.sqrt(
    (auc * (1 - auc) + (np - 1) * (q1 - auc * auc) + (nn - 1) * (q2 - auc * auc)) / (np * nn),
  );
  assert.ok(Math.abs(poissonSe / rowSe - 1) < 0.15, `Poisson ${poissonSe} vs row bootstrap ${rowSe}`);
  assert.ok(Math.abs(poissonSe / hm - 1) < 0.2, `Poisson ${poissonSe} vs Hanley–McNeil ${hm}`);
  const roc = b.intervals.rocAuc!;
  assert.ok(roc.lo < auc && auc < roc.hi, `${auc} in [${roc.lo}, ${roc.hi}]`);
  assert.ok(Math.abs((roc.hi - roc.lo) / (2 * 1.96 * poissonSe) - 1) < 0.15, "percentile width ≈ ±1.96 SE");
});

Deno.test("intervals are a pure function of the merged summary and the seed", () => {
  const rows = randomRows({ n: 800, seed: 8, grid: 50 });
  const whole = summarizeScores({ labels: rows.labels, scores: rows.scores });
  const half = (from: number, to: number) =>
    summarizeScores({ labels: rows.labels.slice(from, to), scores: rows.scores.slice(from, to) });
  const merged = mergeSummaries(half(500, 800), half(0, 500));
  const a = bootstrapIntervals(scoreGroups(whole), { replicates: 50, seed: 4, threshold: 0.6 });
  const b = bootstrapIntervals(scoreGroups(merged), { replicates: 50, seed: 4, threshold: 0.6 });
  assert.deepEqual(a, b);
  const c = bootstrapIntervals(scoreGroups(whole), { replicates: 50, seed: 5, threshold: 0.6 });
  assert.notDeepEqual(a.intervals, c.intervals);
  for (
    const name of ["rocAuc", "averagePrecision", "logLoss", "brier", "accuracy", "precision", "recall", "f1"]
  ) {
    assert.ok(name in a.intervals, `interval of ${name}`);
  }
});

Deno.test("more data narrows the interval by about the square root, and a lower level is narrower", () => {
  const rows = randomRows({ n: 400, seed: 21, grid: 100 });
  const rep = (k: number) => ({
    labels: Array.from({ length: 400 * k }, (_, i) => rows.labels[i % 400]!),
    scores: Array.from({ length: 400 * k }, (_, i) => rows.scores[i % 400]!),
  });
  const w1 = bootstrapIntervals(scoreGroups(summarizeScores(rep(1))), { replicates: 800 }).intervals.rocAuc!;
  const w4 = bootstrapIntervals(scoreGroups(summarizeScores(rep(4))), { replicates: 800 }).intervals.rocAuc!;
  const ratio = (w4.hi - w4.lo) / (w1.hi - w1.lo);
  assert.ok(Math.abs(ratio - 0.5) < 0.1, `width ratio ${ratio}`);
  const narrow = bootstrapIntervals(scoreGroups(summarizeScores(rep(1))), { replicates: 800, level: 0.5 });
  assert.ok(narrow.intervals.rocAuc!.hi - narrow.intervals.rocAuc!.lo < w1.hi - w1.lo);
});

Deno.test("binned summaries get ranking intervals only; bad options name the option", () => {
  const rows = randomRows({ n: 300, seed: 2 });
  const binned = scoreGroups(summarizeScores({ labels: rows.labels, scores: rows.scores }, { bins: 20 }));
  const b = bootstrapIntervals(binned, { replicates: 20 });
  assert.ok(b.intervals.rocAuc !== undefined && b.intervals.logLoss === undefined);
  const g = scoreGroups(summarizeScores({ labels: rows.labels, scores: rows.scores }));
  assert.throws(
    () => bootstrapIntervals(g, { replicates: 5 }),
    /"replicates" must be an integer in \[10, 100000\]/,
  );
  assert.throws(() => bootstrapIntervals(g, { level: 1 }), /"level" must be in \(0, 1\)/);
  assert.throws(() => bootstrapIntervals(g, { seed: 0.5 }), /"seed" must be a safe integer/);
  const oneClass = scoreGroups(summarizeScores({ labels: [0, 0, 0], scores: [0.1, 0.2, 0.3] }));
  const o = bootstrapIntervals(oneClass, { replicates: 10 });
  assert.equal(o.skipped, 10);
  assert.equal(o.intervals.rocAuc, undefined);
});

Deno.test("maxDraws lowers the replicates to fit, never below 100", () => {
  const rows = randomRows({ n: 1000, seed: 12 });
  const g = scoreGroups(summarizeScores({ labels: rows.labels, scores: rows.scores }));
  assert.equal(bootstrapIntervals(g, { replicates: 500, maxDraws: 200_000 }).replicates, 200);
  assert.equal(bootstrapIntervals(g, { replicates: 500, maxDraws: 1000 }).replicates, 100);
  assert.equal(bootstrapIntervals(g, { replicates: 50, maxDraws: 1e9 }).replicates, 50);
  assert.throws(() => bootstrapIntervals(g, { maxDraws: 0 }), /"maxDraws" must be > 0/);
});
