import assert from "node:assert/strict";
import {
  finishLoss,
  foldLoss,
  type LossContext,
  mergeLoss,
} from "../../../../models/classification/logistic_regression/loss_pass.ts";
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
import { lossContext } from "../../../../models/classification/logistic_regression/objective.ts";
import type { FeatureBlock } from "../../../../models/classification/logistic_regression/feature_block.ts";
import { ExactSum } from "../../../../cluster/util/exact_sum.ts";
import { partitioned, type Rows, syntheticRows } from "./lr_test_data.ts";

const ROWS = syntheticRows({ rows: 3000, seed: 21, weighted: true, collinear: true });
const D = 6;

function standardize(parts: FeatureBlock[][]): Standardization {
  const ranges = treeMerge(parts.map((p) => foldRanges(p, { dimension: D })), mergeRanges);
  const context = momentContext(ranges, resolveClassWeights([1.5, 4], classTotals(ranges)), { gram: false });
  const moments = treeMerge(parts.map((p) => foldMoments(p, context)), mergeMoments);
  return finishStandardization({ ranges, context, moments }, { center: true, collinearityThreshold: 1 });
}

const STD = standardize(partitioned(ROWS, 1));
const THETA = Float64Array.from([0.4, -0.3, 0.5, 0.2, 1.1, 0.3, -1.2]);

function evaluate(parts: FeatureBlock[][], context: LossContext) {
  return finishLoss(treeMerge(parts.map((p) => foldLoss(p, context)), mergeLoss));
}

/** Loss, gradient and Hessian in plain float64 loops over the standardized rows (independent path). */
function direct(rows: Rows, std: Standardization, theta: Float64Array) {
  const p = D + 1, g = new Float64Array(p), h = new Float64Array(p * p);
  let loss = 0;
  rows.x.forEach((r, i) => {
    const z = [...r.map((v, j) => (v - std.shift[j]!) * std.invStd[j]!), 1];
    const m = z.reduce((s, v, j) => s + v * theta[j]!, 0);
    const y = rows.y[i]!, w = rows.w![i]! * std.classWeights[y];
    const prob = 1 / (1 + Math.exp(-m));
    loss += w * (y === 1 ? Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
    for (let j = 0; j < p; j++) {
      g[j]! += w * (prob - y) * z[j]!;
      for (let k = 0; k < p; k++) h[j * p + k]! += w * prob * (1 - prob) * z[j]! * z[k]!;
    }
  });
  return { loss, g, h };
}

Deno.test("the loss pass sums the weighted loss, gradient and Hessian of the standardized rows", () => {
  const got = evaluate(
    partitioned(ROWS, 3),
    lossContext(STD, { fitIntercept: true, coefficients: THETA, hessian: true }),
  );
  const want = direct(ROWS, STD, THETA);
  assert.ok(Math.abs(got.loss - want.loss) <= 1e-12 * want.loss, `${got.loss} vs ${want.loss}`);
  const scale = Math.max(...want.g.map(Math.abs));
  got.gradient.forEach((v, j) => assert.ok(Math.abs(v - want.g[j]!) <= 1e-11 * scale, `gradient ${j}`));
  const hscale = Math.max(...want.h.map(Math.abs));
  // One fold keeps each Hessian term to 2^-41 of its bound; measured: at most 1.2e-11 of the largest
  // entry (on the heavy-tailed feature, whose bound is far above its typical terms).
  got.hessian!.forEach((v, k) => assert.ok(Math.abs(v - want.h[k]!) <= 1e-10 * hscale, `hessian ${k}`));
});

Deno.test("the loss pass gradient matches central differences of its loss", () => {
  const parts = partitioned(ROWS, 2);
  const at = (theta: Float64Array) =>
    evaluate(parts, lossContext(STD, { fitIntercept: true, coefficients: theta, hessian: false }));
  const base = at(THETA);
  for (let j = 0; j < THETA.length; j++) {
    const step = 1e-5, plus = Float64Array.from(THETA), minus = Float64Array.from(THETA);
    plus[j]! += step;
    minus[j]! -= step;
    const numeric = (at(plus).loss - at(minus).loss) / (2 * step);
    assert.ok(
      Math.abs(numeric - base.gradient[j]!) <= 1e-6 * Math.max(1, Math.abs(numeric)),
      `coordinate ${j}`,
    );
  }
});

Deno.test("loss summaries are the same bits for 1, 2, 3 and 7 partitions and any merge order", () => {
  const context = lossContext(STD, { fitIntercept: true, coefficients: THETA, hessian: true });
  const merged = (parts: FeatureBlock[][]) => treeMerge(parts.map((p) => foldLoss(p, context)), mergeLoss);
  const one = merged(partitioned(ROWS, 1)), whole = finishLoss(one);
  for (const parts of [2, 3, 7]) {
    const split = partitioned(ROWS, parts, 257), summary = merged(split);
    // The summary itself: canonical grid totals, and the exact loss as an exact value.
    assert.deepEqual(summary.gradient, one.gradient, `${parts} partitions`);
    assert.deepEqual(summary.hessian, one.hessian, `${parts} partitions`);
    assert.equal(new ExactSum(summary.loss).exact(), new ExactSum(one.loss).exact());
    assert.deepEqual(finishLoss(summary), whole, `${parts} partitions`);
    const reversed = split.map((p) => foldLoss(p, context)).reverse().reduce((a, b) => mergeLoss(a, b));
    assert.deepEqual(finishLoss(reversed), whole, `${parts} partitions merged right to left`);
  }
});

Deno.test("the loss pass stays finite for huge margins and handles no intercept", () => {
  const block: FeatureBlock = { features: new Float64Array([1e3, -1e3]), labels: [0, 1] };
  const context: LossContext = {
    dimension: 1,
    fitIntercept: false,
    classWeights: [1, 1],
    maxWeight: 1,
    shift: [0],
    invStd: [1],
    maxAbsZ: [1e3],
    coefficients: [5],
    hessian: true,
  };
  const got = evaluate([[block]], context);
  assert.equal(got.loss, 1e4); // two rows each with margin 5000 against their label
  assert.deepEqual(got.gradient, new Float64Array([2e3]));
  assert.equal(got.hessian!.length, 1);
  assert.ok(got.hessian![0]! >= 0 && got.hessian![0]! < 1e-300);
});

Deno.test("the loss pass refuses mismatched coefficients and summaries", () => {
  const context = lossContext(STD, { fitIntercept: true, coefficients: THETA, hessian: false });
  assert.throws(
    () => foldLoss([], { ...context, coefficients: [1, 2] }),
    /Cannot evaluate 2 coefficients: expected 7/,
  );
  const a = foldLoss([], context), b = foldLoss([], { ...context, hessian: true });
  assert.throws(() => mergeLoss(a, b), /different shapes/);
});
