import assert from "node:assert/strict";
import { minimizeLbfgs } from "../../../../models/classification/logistic_regression/lbfgs.ts";
import { strongWolfe } from "../../../../models/classification/logistic_regression/line_search.ts";
import { minimizeNewton } from "../../../../models/classification/logistic_regression/newton.ts";
import {
  minimizeOwlqn,
  pseudoGradient,
} from "../../../../models/classification/logistic_regression/owlqn.ts";
import type { Evaluate } from "../../../../models/classification/logistic_regression/optimizer.ts";

const rosenbrock: Evaluate = (x) => {
  const [a, b] = [x[0]!, x[1]!];
  return Promise.resolve({
    loss: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
    gradient: Float64Array.from([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]),
    hessian: Float64Array.from([2 - 400 * (b - 3 * a * a), -400 * a, -400 * a, 200]),
  });
};

/** `½ (x - c)ᵀ A (x - c)` for a fixed SPD `A` with condition number 1e4. */
function quadratic(c: number[]): Evaluate {
  const n = c.length;
  const a = (i: number, j: number) => (i === j ? 10 ** ((4 * i) / (n - 1)) : 0.3 * Math.min(i, j) / n);
  return (x) => {
    const r = Array.from(x, (v, i) => v - c[i]!), g = new Float64Array(n), h = new Float64Array(n * n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        g[i]! += a(i, j) * r[j]!;
        h[i * n + j] = a(i, j);
        loss += 0.5 * r[i]! * a(i, j) * r[j]!;
      }
    }
    return Promise.resolve({ loss, gradient: g, hessian: h });
  };
}

Deno.test("L-BFGS minimizes Rosenbrock to a gradient of 1e-10", async () => {
  const r = await minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { maxIter: 200, tol: 1e-10 });
  assert.equal(r.reason, "gradient");
  assert.ok(r.gradientNorm <= 1e-10);
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-9 && Math.abs(r.x[1]! - 1) < 1e-9, `${r.x}`);
  assert.ok(r.iterations < 60, `${r.iterations} iterations`);
});

Deno.test("Newton minimizes Rosenbrock with damping and a quadratic in one step", async () => {
  const r = await minimizeNewton(rosenbrock, Float64Array.from([-1.2, 1]), { maxIter: 100, tol: 1e-12 });
  assert.equal(r.reason, "gradient");
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-10 && Math.abs(r.x[1]! - 1) < 1e-10);
  const c = [1, -2, 3, 0.5, -1];
  const q = await minimizeNewton(quadratic(c), new Float64Array(5), { maxIter: 10, tol: 1e-9 });
  assert.equal(q.iterations, 1);
  q.x.forEach((v, i) => assert.ok(Math.abs(v - c[i]!) < 1e-12));
});

Deno.test("L-BFGS and Newton report max-iterations, and the abort reason is thrown", async () => {
  const r = await minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { maxIter: 3, tol: 1e-10 });
  assert.equal(r.reason, "max-iterations");
  assert.equal(r.iterations, 3);
  const controller = new AbortController();
  controller.abort(new Error("stop now"));
  await assert.rejects(
    minimizeNewton(rosenbrock, Float64Array.from([0, 0]), { maxIter: 5, tol: 0, signal: controller.signal }),
    /stop now/,
  );
});

Deno.test("OWL-QN solves a separable lasso exactly (soft thresholding)", async () => {
  // f = ½ Σ a_i (x_i - c_i)², so x_i = sign(c_i) max(|c_i| - l_i / a_i, 0).
  const a = [1, 4, 0.5, 2], c = [3, -0.2, -2, 0.05], l1 = Float64Array.from([1, 1, 0.2, 0]);
  const f: Evaluate = (x) =>
    Promise.resolve({
      loss: a.reduce((s, ai, i) => s + 0.5 * ai * (x[i]! - c[i]!) ** 2, 0),
      gradient: Float64Array.from(a, (ai, i) => ai * (x[i]! - c[i]!)),
    });
  const r = await minimizeOwlqn(f, new Float64Array(4), { maxIter: 100, tol: 1e-12, l1 });
  assert.equal(r.reason, "gradient");
  const want = c.map((ci, i) => Math.sign(ci) * Math.max(Math.abs(ci) - l1[i]! / a[i]!, 0));
  r.x.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `x${i} = ${v}, want ${want[i]}`));
  assert.equal(r.x[1], 0); // exactly zero, not merely small
});

Deno.test("OWL-QN without L1 weights agrees with L-BFGS on an ill-conditioned quadratic", async () => {
  const c = [1, -2, 3, 0.5, -1, 2, 0.25];
  const lbfgs = await minimizeLbfgs(quadratic(c), new Float64Array(7), { maxIter: 500, tol: 1e-10 });
  const owlqn = await minimizeOwlqn(quadratic(c), new Float64Array(7), {
    maxIter: 500,
    tol: 1e-10,
    l1: new Float64Array(7),
  });
  assert.equal(lbfgs.reason, "gradient");
  assert.equal(owlqn.reason, "gradient");
  c.forEach((ci, i) => {
    assert.ok(Math.abs(lbfgs.x[i]! - ci) < 1e-9, `lbfgs x${i}`);
    assert.ok(Math.abs(owlqn.x[i]! - ci) < 1e-9, `owlqn x${i}`);
  });
});

Deno.test("pseudoGradient picks the steepest subgradient and 0 inside the kink", () => {
  const x = Float64Array.from([1, -1, 0, 0, 0, 0]);
  const g = Float64Array.from([0.5, 0.5, 0.5, -2, 2, 3]);
  const l1 = Float64Array.from([1, 1, 1, 1, 1, 0]);
  assert.deepEqual(pseudoGradient(x, { gradient: g, l1 }), Float64Array.from([1.5, -0.5, 0, -1, 1, 3]));
});

Deno.test("strongWolfe returns a step meeting both strong Wolfe conditions", async () => {
  // φ(α) = (α - 3)² - 9 + 0.1 sin(5α): minimum near 3, tried first at a far too short step.
  const phi = (alpha: number) =>
    Promise.resolve({
      alpha,
      value: (alpha - 3) ** 2 - 9 + 0.1 * Math.sin(5 * alpha),
      slope: 2 * (alpha - 3) + 0.5 * Math.cos(5 * alpha),
      data: undefined,
    });
  const start = await phi(0);
  for (const first of [0.01, 1, 10, 100]) {
    const p = await strongWolfe(phi, start, { first });
    assert.ok(p !== undefined, `from ${first}`);
    assert.ok(p.value <= start.value + 1e-4 * p.alpha * start.slope, `decrease from ${first}`);
    assert.ok(Math.abs(p.slope) <= 0.9 * -start.slope, `curvature from ${first}`);
  }
});
