import assert from "node:assert/strict";
import { Frontier } from "../../../../cluster/frontier.ts";
import { LogisticRegression } from "../../../../models/classification/logistic_regression/logistic_regression.ts";
import { assertSameFit, datasetOf, FEATURES } from "./lr_cluster_data.ts";
import { partitioned, syntheticRows } from "./lr_test_data.ts";
import { effectiveWeights, originalGradient, referenceScales } from "./lr_reference.ts";

const ROWS = syntheticRows({ rows: 3000, seed: 71, weighted: true });
const COLUMNS = { featureCols: FEATURES, labelCol: "y", weightCol: "w" };

Deno.test("a cluster fit equals the local fit bit for bit for 1 and 2 executors and 1, 3, 8 partitions", async () => {
  const lr = new LogisticRegression({ regParam: 1e-3 });
  const local = await new LogisticRegression({ regParam: 1e-3, featureNames: FEATURES }).fitBlocks(
    partitioned(ROWS, 2),
    5,
  );
  assert.equal(local.convergence.converged, true);
  for (const executors of [1, 2]) {
    await using fx = await Frontier.start({ executors });
    for (const partitions of executors === 1 ? [3] : [1, 3, 8]) {
      const ds = await datasetOf(fx, ROWS, partitions);
      const passes: string[] = [];
      const model = await lr.fit(ds, { ...COLUMNS, onPass: (kind) => passes.push(kind) });
      const what = `${executors} executors, ${partitions} partitions`;
      assertSameFit(model, local, what);
      assert.deepEqual(passes.slice(0, 2), ["lr.ranges", "lr.moments"], what);
      assert.equal(passes.length, model.convergence.passes, what);
      assert.ok(passes.slice(2).every((k) => k === "lr.loss"), what);
    }
  }
});

Deno.test("converged cluster coefficients satisfy the gradient condition on the original scale", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const lambda = 1e-3, ds = await datasetOf(fx, ROWS, 4);
  for (const solver of ["newton", "lbfgs"] as const) {
    const model = await new LogisticRegression({ regParam: lambda, solver, tol: 1e-10, maxIter: 500 }).fit(
      ds,
      COLUMNS,
    );
    assert.equal(model.convergence.reason, "gradient", solver);
    assert.equal(model.convergence.solver, solver);
    const weights = effectiveWeights(ROWS), scales = referenceScales(ROWS, weights);
    const g = originalGradient(ROWS, weights, model, { lambda, alpha: 0, scales: scales.std });
    // In standardized coordinates: ∂f/∂θ_j = (∂f/∂β_j - mean_j ∂f/∂b) / std_j.
    const gb = g[5]!;
    g.slice(0, 5).forEach((v, j) => {
      const standardized = (v - scales.mean[j]! * gb) / scales.std[j]!;
      assert.ok(Math.abs(standardized) < 1e-9, `${solver}: gradient ${j} = ${standardized}`);
    });
    assert.ok(Math.abs(gb) < 1e-9, `${solver}: intercept gradient ${gb}`);
  }
});

Deno.test("balanced class weights on the cluster equal the local fit and centre the weighted mean prediction", async () => {
  const rows = syntheticRows({ rows: 2500, seed: 72, bias: -3 });
  const lr = new LogisticRegression({ classWeight: "balanced" });
  const local = await new LogisticRegression({ classWeight: "balanced", featureNames: FEATURES }).fitBlocks(
    partitioned(rows, 1),
    5,
  );
  await using fx = await Frontier.start({ executors: 2 });
  const model = await lr.fit(await datasetOf(fx, rows, 3), { featureCols: FEATURES, labelCol: "y" });
  assertSameFit(model, local, "balanced");
  const n = rows.y.length, positives = rows.y.filter((y) => y === 1).length;
  assert.ok(positives / n < 0.2, `positives are rare (${positives} of ${n})`);
  assert.deepEqual(model.standardization.classWeights, [n / (2 * (n - positives)), n / (2 * positives)]);
  const p = model.predictProbabilities(Float64Array.from(rows.x.flat()), n);
  let s = 0, t = 0;
  p.forEach((v, i) => {
    const w = model.standardization.classWeights[rows.y[i]!];
    s += w * v;
    t += w;
  });
  assert.ok(Math.abs(s / t - 0.5) < 1e-6, `class-weighted mean prediction ${s / t}`);
});

Deno.test("fit refuses bad column lists before running a job", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  const ds = await datasetOf(fx, syntheticRows({ rows: 50, seed: 73 }), 1);
  const lr = new LogisticRegression();
  await assert.rejects(lr.fit(ds, { featureCols: [], labelCol: "y" }), TypeError);
  await assert.rejects(lr.fit(ds, { featureCols: ["age", "y"], labelCol: "y" }), /named twice/);
  await assert.rejects(lr.fit(ds, { featureCols: ["nope"], labelCol: "y" }), { name: "SchemaError" });
  assert.equal((await fx.status()).jobs.length, 0);
});

Deno.test("a cluster started with no modules declared runs the fit: Frontier's model modules are built in", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  const ds = await datasetOf(fx, syntheticRows({ rows: 50, seed: 74 }), 1);
  const model = await new LogisticRegression().fit(ds, { featureCols: FEATURES, labelCol: "y" });
  assert.equal(model.coefficients.length, FEATURES.length);
});
