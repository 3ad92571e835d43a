import assert from "node:assert/strict";
import { LogisticRegression } from "../../../../models/classification/logistic_regression/logistic_regression.ts";
import { predictProbabilities } from "../../../../models/classification/logistic_regression/model.ts";
import type { FeatureBlock } from "../../../../models/classification/logistic_regression/feature_block.ts";
import { partitioned, type Rows, syntheticRows } from "./lr_test_data.ts";

const NAMES = ["age", "balance", "housing", "tiny", "heavy", "age_copy", "seven"];

Deno.test("explicit class weights equal the same multipliers given as instance weights, bit for bit", async () => {
  const rows = syntheticRows({ rows: 2000, seed: 41, bias: -3 });
  const asInstance: Rows = { ...rows, w: rows.y.map((y) => (y === 1 ? 4.5 : 0.75)) };
  const byClass = await new LogisticRegression({ classWeight: [0.75, 4.5] }).fitBlocks(
    partitioned(rows, 2),
    5,
  );
  const byInstance = await new LogisticRegression().fitBlocks(partitioned(asInstance, 3), 5);
  assert.deepEqual(byClass.model, byInstance.model);
  assert.deepEqual(byClass.standardization.classWeights, [0.75, 4.5]);
});

Deno.test("balanced class weights equal the explicit weights W / (2 W_k) and centre the weighted mean prediction at 0.5", async () => {
  const rows = syntheticRows({ rows: 3000, seed: 42, bias: -3 });
  const positives = rows.y.filter((y) => y === 1).length, n = rows.y.length;
  const explicit: [number, number] = [n / (2 * (n - positives)), n / (2 * positives)];
  const balanced = await new LogisticRegression({ classWeight: "balanced" }).fitBlocks(
    partitioned(rows, 2),
    5,
  );
  const manual = await new LogisticRegression({ classWeight: explicit }).fitBlocks(partitioned(rows, 2), 5);
  const plain = await new LogisticRegression().fitBlocks(partitioned(rows, 2), 5);
  assert.deepEqual(balanced.model, manual.model);
  // The unpenalized intercept makes the weighted mean prediction equal the weighted positive rate.
  const block = partitioned(rows, 1, n)[0]![0]!;
  const weightedMean = (p: Float64Array, w: [number, number]) => {
    let s = 0, t = 0;
    p.forEach((v, i) => {
      s += w[rows.y[i]!] * v;
      t += w[rows.y[i]!];
    });
    return s / t;
  };
  const pb = weightedMean(predictProbabilities(balanced.model, block), explicit);
  const pp = weightedMean(predictProbabilities(plain.model, block), [1, 1]);
  assert.ok(positives / n < 0.2, `positives are rare (${positives} of ${n})`);
  assert.ok(Math.abs(pp - positives / n) < 1e-6, `unweighted: mean prediction ${pp}`);
  assert.ok(Math.abs(pb - 0.5) < 1e-6, `balanced: class-weighted mean prediction ${pb}`);
});

Deno.test("the default fit uses a small L2, converges, and warns about collinear and constant features by name", async () => {
  const rows = syntheticRows({ rows: 3000, seed: 43, collinear: true, constant: true });
  const lr = new LogisticRegression({ featureNames: NAMES });
  assert.equal(lr.params.regParam, 1e-4);
  assert.equal(lr.params.elasticNetParam, 0);
  assert.equal(lr.params.maxIter, 200);
  assert.equal(lr.params.solver, "auto");
  const fit = await lr.fitBlocks(partitioned(rows, 2), 7);
  assert.equal(fit.convergence.converged, true);
  assert.equal(fit.convergence.solver, "newton");
  assert.ok(fit.convergence.passes <= 12, `${fit.convergence.passes} passes`);
  assert.equal(fit.model.coefficients[6], 0);
  assert.deepEqual(fit.model.featureNames, NAMES);
  assert.deepEqual(fit.warnings.map((w) => w.kind), ["constant-feature", "collinear"]);
  assert.match(fit.warnings[0]!.message, /"seven" is constant on the training data/);
  assert.match(
    fit.warnings[1]!.message,
    /"age" and "age_copy" are nearly collinear \(correlation 0\.99\d\d\)/,
  );
});

Deno.test("a fit stopped by maxIter reports it and warns", async () => {
  const rows = syntheticRows({ rows: 1000, seed: 44 });
  const fit = await new LogisticRegression({ solver: "lbfgs", maxIter: 2 }).fitBlocks(
    partitioned(rows, 1),
    5,
  );
  assert.equal(fit.convergence.converged, false);
  assert.equal(fit.convergence.reason, "max-iterations");
  assert.equal(fit.convergence.iterations, 2);
  const warning = fit.warnings.find((w) => w.kind === "not-converged");
  assert.match(
    warning!.message,
    /lbfgs stopped \(max-iterations\) after 2 iterations with gradient norm .* > tol 1e-7/,
  );
});

Deno.test("a single class gives an infinite intercept, zero coefficients and a warning", async () => {
  const block: FeatureBlock = { features: new Float64Array([1, 2, 3]), labels: [1, 1, 1] };
  const fit = await new LogisticRegression().fitBlocks([[block]], 1);
  assert.equal(fit.model.intercept, Infinity);
  assert.deepEqual(fit.model.coefficients, new Float64Array([0]));
  assert.equal(fit.convergence.reason, "single-class");
  assert.deepEqual(predictProbabilities(fit.model, block), new Float64Array([1, 1, 1]));
  assert.match(fit.warnings[0]!.message, /Every row with weight has label 1/);
  await assert.rejects(
    new LogisticRegression().fitBlocks([[{
      features: new Float64Array([1]),
      labels: [0],
      weights: new Float64Array([0]),
    }]], 1),
    /total instance weight is 0/,
  );
});

Deno.test("predictions use the original-scale coefficients", async () => {
  const rows = syntheticRows({ rows: 1500, seed: 45 });
  const fit = await new LogisticRegression().fitBlocks(partitioned(rows, 2), 5);
  const block = partitioned(rows, 1, 5)[0]![0]!, got = predictProbabilities(fit.model, block);
  rows.x.slice(0, 5).forEach((r, i) => {
    const m = fit.model.intercept + r.reduce((s, v, j) => s + v * fit.model.coefficients[j]!, 0);
    assert.ok(Math.abs(got[i]! - 1 / (1 + Math.exp(-m))) < 1e-15);
  });
});

Deno.test("training stops with the abort reason between passes", async () => {
  const rows = syntheticRows({ rows: 500, seed: 46 });
  const controller = new AbortController();
  const fit = new LogisticRegression({ solver: "lbfgs" }).fitBlocks(partitioned(rows, 1), 5, {
    signal: controller.signal,
    onIteration: (info) => {
      if (info.iteration === 2) controller.abort(new Error("user cancelled"));
    },
  });
  await assert.rejects(fit, /user cancelled/);
});

Deno.test("parameters are validated at construction with the parameter's name and range", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ regParam: -1 }, /^regParam must be in \[0, Infinity\), got -1$/],
    [{ regParam: Infinity }, /^regParam must be in \[0, Infinity\), got Infinity$/],
    [{ elasticNetParam: 1.5 }, /^elasticNetParam must be in \[0, 1\], got 1\.5$/],
    [{ elasticNetParam: Number.NaN }, /^elasticNetParam must be in \[0, 1\], got NaN$/],
    [{ maxIter: 2.5 }, /^maxIter must be an integer ≥ 0, got 2\.5$/],
    [{ tol: -1e-9 }, /^tol must be in \[0, Infinity\), got -1e-9$/],
    [{ standardization: "yes" }, /^standardization must be true or false, got yes$/],
    [{ fitIntercept: 1 }, /^fitIntercept must be true or false, got 1$/],
    [{ memory: 0 }, /^memory must be an integer ≥ 1, got 0$/],
    [{ collinearityThreshold: 0 }, /^collinearityThreshold must be in \(0, 1\], got 0$/],
    [{ solver: "sgd" }, /^solver must be one of "auto", "lbfgs", "newton", got "sgd"$/],
    [{ solver: "newton", elasticNetParam: 0.5 }, /^solver "newton" needs a smooth objective/],
    [
      { classWeight: [1, 0] },
      /^classWeight must be "balanced" or \[w0, w1\] with each weight in \(0, Infinity\), got \[1,0\]$/,
    ],
    [{ classWeight: "even" }, /^classWeight must be "balanced" or \[w0, w1\]/],
  ];
  for (const [params, message] of cases) {
    assert.throws(
      () => new LogisticRegression(params),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
      JSON.stringify(params),
    );
  }
  assert.doesNotThrow(() => new LogisticRegression({ regParam: 0, elasticNetParam: 1, maxIter: 0, tol: 0 }));
});

Deno.test("featureNames must match the dimension", async () => {
  const rows = syntheticRows({ rows: 100, seed: 47 });
  await assert.rejects(
    new LogisticRegression({ featureNames: ["a"] }).fitBlocks(partitioned(rows, 1), 5),
    /featureNames has 1 names for 5 features/,
  );
});
