import assert from "node:assert/strict";
import {
  foldMoments,
  mergeMoments,
} from "../../../../models/classification/logistic_regression/moment_pass.ts";
import {
  classTotals,
  foldRanges,
  mergeRanges,
  resolveClassWeights,
} from "../../../../models/classification/logistic_regression/range_pass.ts";
import {
  finishStandardization,
  momentContext,
  type Standardization,
} from "../../../../models/classification/logistic_regression/standardization.ts";
import { treeMerge } from "../../../../models/classification/logistic_regression/local_passes.ts";
import type { FeatureBlock } from "../../../../models/classification/logistic_regression/feature_block.ts";
import { partitioned, type Rows, syntheticRows, toBlock } from "./lr_test_data.ts";

function standardize(parts: FeatureBlock[][], d: number, classWeight?: "balanced"): Standardization {
  const ranges = treeMerge(parts.map((p) => foldRanges(p, { dimension: d })), mergeRanges);
  const cw = resolveClassWeights(classWeight, classTotals(ranges));
  const context = momentContext(ranges, cw, { gram: true });
  const moments = treeMerge(parts.map((p) => foldMoments(p, context)), mergeMoments);
  return finishStandardization({ ranges, context, moments }, { center: true, collinearityThreshold: 0.95 });
}

/** Weighted mean and Spark's weighted std, two plain passes (an independent path). */
function reference(rows: Rows, j: number): { mean: number; std: number } {
  const w = rows.w ?? rows.y.map(() => 1);
  let W = 0, W2 = 0, S = 0;
  rows.x.forEach((r, i) => {
    W += w[i]!;
    W2 += w[i]! * w[i]!;
    S += w[i]! * r[j]!;
  });
  const mean = S / W;
  let M2 = 0;
  rows.x.forEach((r, i) => (M2 += w[i]! * (r[j]! - mean) ** 2));
  return { mean, std: Math.sqrt(M2 / (W - W2 / W)) };
}

function pearson(rows: Rows, a: number, b: number): number {
  const ref = [reference({ x: rows.x, y: rows.y }, a), reference({ x: rows.x, y: rows.y }, b)];
  let ab = 0, aa = 0, bb = 0;
  for (const r of rows.x) {
    const u = r[a]! - ref[0]!.mean, v = r[b]! - ref[1]!.mean;
    ab += u * v;
    aa += u * u;
    bb += v * v;
  }
  return ab / Math.sqrt(aa * bb);
}

Deno.test("standardization: weighted means and stds equal a direct two-pass computation", () => {
  const rows = syntheticRows({ rows: 3000, seed: 5, weighted: true });
  const std = standardize(partitioned(rows, 3), 5);
  for (let j = 0; j < 5; j++) {
    const want = reference(rows, j);
    assert.ok(Math.abs(std.mean[j]! - want.mean) <= 1e-12 * Math.max(1, Math.abs(want.mean)), `mean ${j}`);
    assert.ok(Math.abs(std.std[j]! - want.std) <= 1e-10 * want.std, `std ${j}: ${std.std[j]} vs ${want.std}`);
    assert.equal(std.invStd[j], 1 / std.std[j]!);
    assert.equal(std.shift[j], std.mean[j]);
  }
  const W = rows.w!.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(std.weightSum - W) <= 1e-12 * W);
});

Deno.test("standardization keeps the variance of values on a 1.7e12 offset (timestamps)", () => {
  const base = 1.7e12, xs = [1, 2, 3, 4, 5, 6, 7, 8];
  const block: FeatureBlock = {
    features: Float64Array.from(xs, (v) => base + v),
    labels: [0, 1, 0, 1, 0, 1, 0, 1],
  };
  const std = standardize([[block]], 1);
  assert.equal(std.mean[0], base + 4.5);
  assert.equal(std.std[0], Math.sqrt(42 / 7)); // Σ(x - 4.5)² = 42 over n - 1 = 7
});

Deno.test("standardization gives the same bits for 1, 2, 3 and 7 partitions", () => {
  const rows = syntheticRows({ rows: 4000, seed: 8, weighted: true, collinear: true });
  const whole = standardize(partitioned(rows, 1), 6, "balanced");
  for (const parts of [2, 3, 7]) {
    assert.deepEqual(standardize(partitioned(rows, parts, 333), 6, "balanced"), whole);
  }
});

Deno.test("standardization flags constant features and near-collinear pairs with their correlation", () => {
  const rows = syntheticRows({ rows: 2000, seed: 9, collinear: true, constant: true });
  const std = standardize(partitioned(rows, 2), 7);
  assert.equal(std.std[6], 0);
  assert.equal(std.invStd[6], 0);
  assert.equal(std.maxAbsZ[6], 0);
  assert.equal(std.collinear.length, 1);
  const [pair] = std.collinear;
  assert.equal(pair!.a, 0);
  assert.equal(pair!.b, 5);
  const want = pearson(rows, 0, 5);
  assert.ok(want > 0.99 && Math.abs(pair!.correlation - want) < 1e-9, `${pair!.correlation} vs ${want}`);
});

Deno.test("maxAbsZ bounds every standardized value the kernels compute", () => {
  const rows = syntheticRows({ rows: 2000, seed: 10 });
  const std = standardize(partitioned(rows, 2), 5);
  for (let j = 0; j < 5; j++) {
    let seen = 0;
    for (const r of rows.x) seen = Math.max(seen, Math.abs((r[j]! - std.shift[j]!) * std.invStd[j]!));
    assert.ok(seen <= std.maxAbsZ[j]! && seen > 0.999 * std.maxAbsZ[j]!, `feature ${j}`);
  }
});

Deno.test("balanced class weights give each class half of the total weight", () => {
  const rows = syntheticRows({ rows: 3000, seed: 12, bias: -3, weighted: true });
  const parts = partitioned(rows, 2);
  const totals = classTotals(treeMerge(parts.map((p) => foldRanges(p, { dimension: 5 })), mergeRanges));
  const [c0, c1] = resolveClassWeights("balanced", totals);
  assert.ok(Math.abs(c0 * totals.weightSum[0] - c1 * totals.weightSum[1]) < 1e-9 * totals.weightSum[0]);
  assert.ok(totals.rows[1] < totals.rows[0] / 3, "positives are the minority here");
  const std = standardize(parts, 5, "balanced");
  assert.ok(Math.abs(std.positiveWeight / std.weightSum - 0.5) < 1e-12);
  assert.deepEqual(resolveClassWeights([2, 5], totals), [2, 5]);
  assert.deepEqual(resolveClassWeights(undefined, totals), [1, 1]);
});

Deno.test("the range pass names the first bad value", () => {
  const ok = { features: new Float64Array([1, 2, 3, 4]), labels: [0, 1] };
  assert.throws(
    () => foldRanges([ok, { features: new Float64Array([1, Number.NaN]), labels: [1] }], { dimension: 2 }),
    /Feature 1 of row 2 is NaN: features must be finite/,
  );
  assert.throws(
    () => foldRanges([{ ...ok, labels: [0, 2] }], { dimension: 2 }),
    /Label of row 1 is 2: labels must be 0 or 1/,
  );
  assert.throws(
    () => foldRanges([{ ...ok, weights: new Float64Array([1, -1]) }], { dimension: 2 }),
    /Weight of row 1 is -1: weights must be finite and ≥ 0/,
  );
  assert.throws(() => foldRanges([ok], { dimension: 3 }), /4 values as 2 rows × 3 features/);
  assert.throws(
    () => mergeRanges(foldRanges([], { dimension: 1 }), foldRanges([], { dimension: 2 })),
    /1 and 2 features/,
  );
  const empty = foldRanges([toBlock({ x: [[1]], y: [0] }, [])], { dimension: 1 });
  assert.deepEqual(empty.rows, [0, 0]);
});
