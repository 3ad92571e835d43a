import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { col } from "../../../cluster/expr/column.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { EVALUATION_MODULE } from "../../../models/evaluation/dataset_evaluation.ts";
import {
  CalibrationModel,
  decodeCalibration,
  encodeCalibration,
  fitIsotonic,
  fitPlatt,
  isotonicProbability,
  loadCalibration,
  pav,
  ProbabilityCalibrator,
  saveCalibration,
} from "../../../models/calibration/mod.ts";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Isotonic regression by its min–max formula: f_i = max_{j≤i} min_{k≥i} mean_w(y_j..y_k). */
function minMaxIsotonic(y: number[], w: number[]): number[] {
  const n = y.length;
  return y.map((_, i) => {
    let best = -Infinity;
    for (let j = 0; j <= i; j++) {
      let low = Infinity;
      for (let k = i; k < n; k++) {
        let sw = 0, sy = 0;
        for (let t = j; t <= k; t++) {
          sw += w[t]!;
          sy += w[t]! * y[t]!;
        }
        low = Math.min(low, sy / sw);
      }
      best = Math.max(best, low);
    }
    return best;
  });
}

Deno.test("pav equals the min-max formula of isotonic regression on weighted random data", () => {
  const r = rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const n = 1 + Math.floor(r() * 25);
    const y = Array.from({ length: n }, () => Math.round(r() * 10) / 10);
    const w = Array.from({ length: n }, () => 0.5 + Math.floor(r() * 4));
    const got = pav(y, w), want = minMaxIsotonic(y, w);
    want.forEach((v, i) =>
      assert.ok(Math.abs(got[i]! - v) < 1e-12, `trial ${trial}, point ${i}: ${got[i]} vs ${v}`)
    );
  }
});

Deno.test("isotonic map: PAV values at the fitted scores, linear between, clipped outside", () => {
  const score = [0.1, 0.2, 0.3, 0.4, 0.6, 0.9];
  const pos = [0, 2, 1, 0, 3, 4];
  const neg = [3, 1, 2, 2, 1, 0];
  const state = fitIsotonic({ score, pos, neg });
  const rates = pos.map((p, i) => p / (p + neg[i]!)), weights = pos.map((p, i) => p + neg[i]!);
  const want = minMaxIsotonic(rates, weights);
  score.forEach((s, i) => assert.ok(Math.abs(isotonicProbability(state, s) - want[i]!) < 1e-12));
  assert.equal(isotonicProbability(state, 0), want[0]);
  assert.equal(isotonicProbability(state, 1), want[5]);
  // 0.4 and 0.6 sit in different blocks: linear in between.
  const mid = isotonicProbability(state, 0.5);
  assert.ok(Math.abs(mid - (want[3]! + want[4]!) / 2) < 1e-12, `${mid}`);
  for (let i = 1; i < state.y.length; i++) assert.ok(state.y[i]! >= state.y[i - 1]!);
});

/** Platt's smoothed-target log loss, written independently of the implementation. */
function plattLoss(a: number, b: number, s: number[], y: number[]): number {
  const nPos = y.filter((v) => v === 1).length, nNeg = y.length - nPos;
  let loss = 0;
  s.forEach((p, i) => {
    const t = y[i] === 1 ? (nPos + 1) / (nPos + 2) : 1 / (nNeg + 2);
    const q = 1 / (1 + Math.exp(-(a * Math.log(p / (1 - p)) + b)));
    loss -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
  });
  return loss;
}

Deno.test("Platt scaling minimizes the smoothed log loss and recovers a known miscalibration", () => {
  const r = rng(11);
  const n = 20_000, trueA = 0.5, trueB = -1;
  const s: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.round((0.01 + 0.98 * r()) * 1000) / 1000;
    const q = 1 / (1 + Math.exp(-(trueA * Math.log(p / (1 - p)) + trueB)));
    s.push(p);
    y.push(r() < q ? 1 : 0);
  }
  // Group by distinct score, as the cluster summary does.
  const groups = new Map<number, [number, number]>();
  s.forEach((p, i) => {
    const g = groups.get(p) ?? [0, 0];
    g[y[i] === 1 ? 0 : 1]++;
    groups.set(p, g);
  });
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const fit = fitPlatt({
    score: keys,
    pos: keys.map((k) => groups.get(k)![0]),
    neg: keys.map((k) => groups.get(k)![1]),
  });
  const h = 1e-5;
  const ga = (plattLoss(fit.a + h, fit.b, s, y) - plattLoss(fit.a - h, fit.b, s, y)) / (2 * h);
  const gb = (plattLoss(fit.a, fit.b + h, s, y) - plattLoss(fit.a, fit.b - h, s, y)) / (2 * h);
  assert.ok(Math.abs(ga) < 1e-3 && Math.abs(gb) < 1e-3, `gradient (${ga}, ${gb}) at a=${fit.a}, b=${fit.b}`);
  assert.ok(Math.abs(fit.a - trueA) < 0.05 && Math.abs(fit.b - trueB) < 0.05, `a=${fit.a}, b=${fit.b}`);
  assert.throws(() => fitPlatt({ score: [0.5], pos: [1], neg: [0] }), /both classes/);
  assert.throws(() => fitPlatt({ score: [1.5], pos: [1], neg: [1] }), RangeError);
});

const SCHEMA: Schema = [
  { name: "y", type: "int", nullable: false },
  { name: "probability", type: "double", nullable: true },
];

Deno.test("ProbabilityCalibrator fits on the cluster as locally and transforms as calibrate() does", async () => {
  const r = rng(3);
  const rows: Row[] = [];
  for (let i = 0; i < 3000; i++) {
    const p = Math.round(r() * 500) / 500;
    rows.push({ y: r() < p * p ? 1 : 0, probability: p });
  }
  rows.push({ y: 0, probability: null });
  await using fx = await Frontier.start({ executors: 2, modules: [EVALUATION_MODULE] });
  const ds = await fx.fromRows(rows, { schema: SCHEMA, partitions: 3 });
  const groups = new Map<number, [number, number]>();
  for (const row of rows) {
    if (row.probability === null) continue;
    const g = groups.get(row.probability as number) ?? [0, 0];
    g[row.y === 1 ? 0 : 1]++;
    groups.set(row.probability as number, g);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const local = {
    score: keys,
    pos: keys.map((k) => groups.get(k)![0]),
    neg: keys.map((k) => groups.get(k)![1]),
  };
  for (const method of ["platt", "isotonic"] as const) {
    const model = await new ProbabilityCalibrator({ method, labelCol: "y", outputCol: "calibrated" })
      .fit(ds.filter(col("probability").isNotNull()));
    assert.deepEqual(model.state, method === "platt" ? fitPlatt(local) : fitIsotonic(local));
    const out = await model.transform(ds).collect();
    for (const row of out) {
      const p = row.probability as number | null;
      if (p === null) {
        assert.equal(row.calibrated, null);
        continue;
      }
      const want = model.calibrate(p);
      assert.ok(
        Math.abs((row.calibrated as number) - want) < 1e-12,
        `${method} at ${p}: ${row.calibrated} vs ${want}`,
      );
    }
    // JSON and the file round-trip.
    const back = decodeCalibration(JSON.parse(JSON.stringify(encodeCalibration(model))));
    assert.deepEqual(back.state, model.state);
    const dir = await Deno.makeTempDir();
    try {
      await saveCalibration(`${dir}/calibration.json`, model);
      assert.deepEqual((await loadCalibration(`${dir}/calibration.json`)).state, model.state);
      await assert.rejects(
        () => saveCalibration(`${dir}/calibration.json`, model),
        Deno.errors.AlreadyExists,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  assert.throws(
    () => new ProbabilityCalibrator({ method: "beta" as "platt", labelCol: "y" }),
    /method must be one of/,
  );
  assert.throws(() => new CalibrationModel({ kind: "isotonic", x: [0.5, 0.2], y: [0, 1] }), /ascend/);
  assert.throws(
    () => decodeCalibration({ format: "frontier-calibration", version: 1, kind: "platt", a: 1 }),
    /b/,
  );
});
