import assert from "node:assert/strict";
import { LogisticRegression } from "../../../../models/classification/logistic_regression/logistic_regression.ts";
import { localPasses } from "../../../../models/classification/logistic_regression/local_passes.ts";
import { minimizeOwlqn } from "../../../../models/classification/logistic_regression/owlqn.ts";
import {
  penaltyWeights,
  smoothObjective,
} from "../../../../models/classification/logistic_regression/objective.ts";
import type { LogisticRegressionFit } from "../../../../models/classification/logistic_regression/train.ts";
import { partitioned, syntheticRows } from "./lr_test_data.ts";
import {
  effectiveWeights,
  elasticNetCd,
  originalGradient,
  type ReferenceFit,
  referenceScales,
  ridgeIrls,
} from "./lr_reference.ts";

const ROWS = syntheticRows({ rows: 4000, seed: 31, weighted: true });
const WEIGHTS = effectiveWeights(ROWS);
const SCALES = referenceScales(ROWS, WEIGHTS);

/**
 * The objective's gradient in the solver's standardized coordinates, from the original-scale one:
 * with `β_j = θ_j / std_j` and `b = θ_b - Σ θ_j mean_j / std_j`, `∂f/∂θ_j = (∂f/∂β_j - mean_j ∂f/∂b) / std_j`.
 */
function standardizedGradient(g: number[]): number[] {
  const gb = g[5]!;
  return g.map((v, j) => (j < 5 ? (v - SCALES.mean[j]! * gb) / SCALES.std[j]! : v));
}

/** Largest relative difference over coefficients and intercept. */
function relativeGap(fit: LogisticRegressionFit, ref: ReferenceFit): number {
  const got = [...fit.model.coefficients, fit.model.intercept], want = [...ref.coefficients, ref.intercept];
  return Math.max(...got.map((v, k) => Math.abs(v - want[k]!) / Math.max(Math.abs(want[k]!), 1e-12)));
}

Deno.test("L2 fits by Newton and L-BFGS match an independent IRLS solver to 1e-4 relative and are optimal", async () => {
  for (const standardization of [true, false]) {
    const lambda = 1e-3, scales = standardization ? SCALES.std : SCALES.std.map(() => 1);
    const ref = ridgeIrls(ROWS, WEIGHTS, { lambda, scales });
    for (const solver of ["newton", "lbfgs"] as const) {
      const lr = new LogisticRegression({
        regParam: lambda,
        standardization,
        solver,
        tol: 1e-10,
        maxIter: 500,
      });
      const fit = await lr.fitBlocks(partitioned(ROWS, 3), 5);
      const what = `${solver}, standardization ${standardization}`;
      assert.equal(fit.convergence.reason, "gradient", what);
      // 1e-4 is required; measured: at most 6e-12 (Newton, 6 iterations) and 1.1e-9 (L-BFGS, 15-40).
      assert.ok(relativeGap(fit, ref) < 1e-6, `${what}: gap ${relativeGap(fit, ref)}`);
      // Optimality on the original scale, computed independently: ∂f/∂θ_j = ∂f/∂β_j / std_j.
      const g = standardizedGradient(
        originalGradient(ROWS, WEIGHTS, fit.model, { lambda, alpha: 0, scales }),
      );
      g.forEach((v, j) => assert.ok(Math.abs(v) < 1e-9, `${what}: gradient ${j} = ${v}`));
    }
  }
});

Deno.test("fits without an intercept match IRLS without one (features scaled, not centered)", async () => {
  // Feature 1 (5e4 ± 290) can stand in for the missing intercept, as a near-constant column does.
  const rows = syntheticRows({ rows: 3000, seed: 32, weighted: true });
  const weights = effectiveWeights(rows), scales = referenceScales(rows, weights).std;
  const ref = ridgeIrls(rows, weights, { lambda: 1e-3, scales, intercept: false });
  for (const solver of ["newton", "lbfgs"] as const) {
    const lr = new LogisticRegression({
      regParam: 1e-3,
      fitIntercept: false,
      solver,
      tol: 1e-11,
      maxIter: 1000,
    });
    const fit = await lr.fitBlocks(partitioned(rows, 2), 5);
    assert.equal(fit.convergence.reason, "gradient", solver);
    assert.equal(fit.model.intercept, 0);
    assert.equal(fit.standardizedCoefficients.length, 5);
    assert.deepEqual(fit.standardization.shift, new Float64Array(5));
    // Measured: 7e-15 for both solvers.
    assert.ok(relativeGap(fit, ref) < 1e-6, `${solver}: gap ${relativeGap(fit, ref)}`);
  }
});

Deno.test("elastic-net fits by OWL-QN match independent coordinate descent and meet the subgradient conditions", async () => {
  for (const [lambda, alpha] of [[1e-2, 0.5], [5e-2, 1]] as const) {
    const ref = elasticNetCd(ROWS, WEIGHTS, { lambda, alpha, scales: SCALES.std });
    const lr = new LogisticRegression({ regParam: lambda, elasticNetParam: alpha, tol: 1e-10, maxIter: 500 });
    const fit = await lr.fitBlocks(partitioned(ROWS, 2), 5);
    assert.equal(fit.convergence.solver, "owlqn");
    assert.equal(fit.convergence.reason, "gradient");
    fit.model.coefficients.forEach((v, j) => {
      const want = ref.coefficients[j]!;
      // 1e-4 is required; measured: at most 2.5e-10 relative.
      assert.ok(Math.abs(v - want) <= 1e-6 * Math.abs(want), `λ ${lambda} α ${alpha} β${j}: ${v} vs ${want}`);
      assert.equal(v === 0, want === 0, `β${j} is zero in both or neither`);
    });
    assert.ok(Math.abs(fit.model.intercept - ref.intercept) <= 1e-6 * Math.abs(ref.intercept));
    // Subgradient conditions in standardized coordinates, where the L1 weight is λα for every θ_j.
    const g = standardizedGradient(
      originalGradient(ROWS, WEIGHTS, fit.model, { lambda, alpha, scales: SCALES.std }),
    );
    const l1 = lambda * alpha;
    fit.model.coefficients.forEach((b, j) => {
      if (b !== 0) {
        assert.ok(
          Math.abs(g[j]! + l1 * Math.sign(b)) < 1e-9,
          `stationary β${j}: ${g[j]! + l1 * Math.sign(b)}`,
        );
      } else assert.ok(Math.abs(g[j]!) <= l1 + 1e-9, `0 ∈ subdifferential of β${j}`);
    });
    assert.ok(Math.abs(g[5]!) < 1e-9, "intercept");
  }
  const sparse = await new LogisticRegression({ regParam: 5e-2, elasticNetParam: 1 }).fitBlocks([
    partitioned(ROWS, 1)[0]!,
  ], 5);
  const zeros = sparse.model.coefficients.filter((v) => v === 0).length;
  assert.ok(zeros > 0 && zeros < 5, `the lasso zeroes some but not all coefficients (${zeros})`);
});

Deno.test("Newton, L-BFGS and OWL-QN (no L1) agree on the same objective", async () => {
  const parts = partitioned(ROWS, 3), params = { regParam: 1e-3, tol: 1e-11, maxIter: 500 };
  const newton = await new LogisticRegression({ ...params, solver: "newton" }).fitBlocks(parts, 5);
  const lbfgs = await new LogisticRegression({ ...params, solver: "lbfgs" }).fitBlocks(parts, 5);
  const lr = new LogisticRegression(params), std = newton.standardization;
  const evaluate = smoothObjective(localPasses(parts).loss, std, {
    fitIntercept: true,
    penalty: penaltyWeights(std, lr.params),
  });
  const x0 = new Float64Array(6);
  x0[5] = Math.log(std.positiveWeight / (std.weightSum - std.positiveWeight));
  const owlqn = await minimizeOwlqn(evaluate, x0, { maxIter: 500, tol: 1e-11, l1: new Float64Array(6) });
  assert.equal(owlqn.reason, "gradient");
  assert.ok(newton.convergence.iterations <= 10, `Newton took ${newton.convergence.iterations} iterations`);
  newton.standardizedCoefficients.forEach((v, j) => {
    assert.ok(Math.abs(lbfgs.standardizedCoefficients[j]! - v) < 1e-9, `L-BFGS θ${j}`);
    assert.ok(Math.abs(owlqn.x[j]! - v) < 1e-9, `OWL-QN θ${j}`);
  });
});

Deno.test("without a penalty, standardization on or off reaches the same optimum", async () => {
  const on = await new LogisticRegression({ regParam: 0, standardization: true, tol: 1e-11 }).fitBlocks(
    partitioned(ROWS, 2),
    5,
  );
  const off = await new LogisticRegression({ regParam: 0, standardization: false, tol: 1e-11 }).fitBlocks(
    partitioned(ROWS, 2),
    5,
  );
  const ref = ridgeIrls(ROWS, WEIGHTS, { lambda: 0, scales: SCALES.std });
  assert.ok(relativeGap(on, ref) < 1e-6 && relativeGap(off, ref) < 1e-6);
  [...on.model.coefficients, on.model.intercept].forEach((v, k) => {
    const w = [...off.model.coefficients, off.model.intercept][k]!;
    assert.ok(Math.abs(v - w) <= 1e-8 * Math.abs(w), `coefficient ${k}: ${v} vs ${w}`);
  });
});

Deno.test("coefficients are the same bits for 1, 2, 3 and 7 partitions with every solver", async () => {
  const rows = syntheticRows({ rows: 3000, seed: 33, weighted: true, collinear: true });
  for (
    const params of [{ solver: "newton" as const }, { solver: "lbfgs" as const }, {
      regParam: 1e-2,
      elasticNetParam: 0.7,
    }]
  ) {
    const lr = new LogisticRegression({ ...params, classWeight: "balanced", tol: 1e-9 });
    const whole = await lr.fitBlocks(partitioned(rows, 1), 6);
    assert.equal(whole.convergence.reason, "gradient", JSON.stringify(params));
    for (const parts of [2, 3, 7]) {
      const fit = await lr.fitBlocks(partitioned(rows, parts, 211), 6);
      assert.deepEqual(fit.model, whole.model, `${JSON.stringify(params)}, ${parts} partitions`);
      assert.deepEqual(fit.convergence, whole.convergence);
    }
  }
});
