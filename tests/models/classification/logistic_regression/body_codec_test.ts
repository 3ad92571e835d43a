import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  LOGISTIC_BODY_CODEC,
  logisticParamsJson,
} from "../../../../models/classification/logistic_regression/body_codec.ts";
import { LogisticModel } from "../../../../models/classification/logistic_regression/logistic_model.ts";
import { LogisticRegression } from "../../../../models/classification/logistic_regression/logistic_regression.ts";
import { resolveParams } from "../../../../models/classification/logistic_regression/params.ts";
import {
  defaultModelRegistry,
  encodeModelFiles,
  loadModel,
  type ModelBody,
  ModelFormatError,
  type ModelInfo,
  saveModel,
} from "../../../../models/persistence/mod.ts";
import { partitioned, syntheticRows } from "./lr_test_data.ts";

const NAMES = ["age", "balance", "housing", "tiny", "heavy", "age_copy", "seven"];
const FIXTURE = fileURLToPath(new URL("./fixtures/lr_body_v1/", import.meta.url));

function info(model: LogisticModel): ModelInfo {
  return {
    frontierVersion: "0.1.0",
    createdAt: "2025-06-01T12:00:00.000Z",
    params: logisticParamsJson(model.params),
    schema: {
      inputColumns: model.source.features.map((name) => ({ name, type: "double", nullable: false })),
      label: model.source.label ?? "y",
      stages: [],
      featureNames: [...model.featureNames],
    },
    metrics: { rocAuc: 0.75 },
    training: { dataHash: "sha256:00", rows: 3000 },
    warnings: model.warnings.map((w) => ({ kind: w.kind, message: w.message })),
  };
}

function bits(a: Float64Array): string {
  return [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)].join(",");
}

function assertSameModel(got: LogisticModel, want: LogisticModel): void {
  for (const k of ["coefficients", "standardizedCoefficients"] as const) {
    assert.equal(bits(got[k]), bits(want[k]), k);
  }
  assert.ok(Object.is(got.intercept, want.intercept), `intercept ${got.intercept} vs ${want.intercept}`);
  assert.deepEqual(got.standardization, want.standardization);
  assert.deepEqual(got.params, want.params);
  assert.deepEqual(got.convergence, want.convergence);
  assert.deepEqual(got.warnings, want.warnings);
  assert.deepEqual(got.source, want.source);
  assert.ok(Object.is(got.threshold, want.threshold));
}

async function fitted(): Promise<LogisticModel[]> {
  const rows = syntheticRows({ rows: 3000, seed: 43, collinear: true, constant: true, weighted: true });
  const lr = new LogisticRegression({ classWeight: "balanced", featureNames: NAMES }), params = lr.params;
  const fit = await lr.fitBlocks(partitioned(rows, 2), 7);
  const source = { kind: "columns" as const, features: NAMES, label: "y", weight: "w" };
  const main = LogisticModel.fromFit(fit, { source, params }).withThreshold(0.3);
  // One class only: an infinite intercept, and a threshold that flags nothing.
  const single = syntheticRows({ rows: 200, seed: 44 });
  const ones = { ...single, y: single.y.map(() => 1 as const) };
  const lr2 = new LogisticRegression({ classWeight: [1, 2.5] }), params2 = lr2.params;
  const fit2 = await lr2.fitBlocks(partitioned(ones, 1), 5);
  const model2 = LogisticModel.fromFit(fit2, {
    source: { kind: "columns", features: NAMES.slice(0, 5), label: "y" },
    params: params2,
  }).withThreshold(Infinity);
  return [main, model2];
}

Deno.test("a logistic model saved and loaded through the default registry is the same model, bit for bit", async () => {
  const [main, single] = await fitted();
  assert.equal(main!.warnings.some((w) => w.kind === "collinear"), true);
  assert.equal(main!.standardization.collinear.length, 1);
  assert.equal(single!.intercept, Infinity);
  const parent = await Deno.makeTempDir();
  try {
    for (const [i, model] of [main!, single!].entries()) {
      const dir = join(parent, `m${i}`);
      await saveModel(dir, { codec: LOGISTIC_BODY_CODEC, model, info: info(model) });
      const loaded = await loadModel(dir, defaultModelRegistry());
      assert.equal(loaded.envelope.kind, "logistic_regression");
      assert.deepEqual(loaded.envelope.params, logisticParamsJson(model.params));
      assert.ok(loaded.model instanceof LogisticModel, "the default registry decodes a logistic body as one");
      assertSameModel(loaded.model, model);
      const x = Float64Array.from({ length: 5 * model.coefficients.length }, (_, k) => (k % 7) - 3);
      assert.deepEqual(loaded.model.predictProbabilities(x, 5), model.predictProbabilities(x, 5));
    }
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("the logistic body decoder refuses bodies that do not fit together", async () => {
  const [model] = await fitted();
  const body = LOGISTIC_BODY_CODEC.encode(model!);
  const context = { version: 1, envelope: (await loadFixture()).envelope };
  const meta = body.meta as Record<string, Record<string, unknown>>;
  const variants: [string, ModelBody][] = [
    ["a feature fewer", { ...body, meta: { ...meta, source: { ...meta.source, features: NAMES.slice(1) } } }],
    ["an unknown solver", {
      ...body,
      meta: { ...meta, convergence: { ...meta.convergence, solver: "sgd" } },
    }],
    ["no intercept array", { ...body, arrays: new Map([...body.arrays].filter(([k]) => k !== "intercept")) }],
    ["a NaN threshold", { ...body, meta: { ...meta, threshold: "NaN" } }],
    ["a warning about feature 9", {
      ...body,
      meta: { ...meta, warnings: [{ kind: "constant-feature", feature: 9, message: "m" }] },
    }],
  ];
  for (const [what, bad] of variants) {
    assert.throws(() => LOGISTIC_BODY_CODEC.decode(bad, context), ModelFormatError, what);
  }
});

async function loadFixture() {
  const loaded = await loadModel(FIXTURE, defaultModelRegistry());
  assert.ok(loaded.model instanceof LogisticModel, "the fixture is a logistic model");
  return { ...loaded, model: loaded.model };
}

/** The body-version-1 fixture's model: hand-set values (not a fit), so solver changes do not touch it. */
function fixtureModel(): LogisticModel {
  const params = resolveParams({ regParam: 1e-3, classWeight: [1, 3], featureNames: ["a", "b"] });
  return new LogisticModel({
    coefficients: Float64Array.of(0.5, -0),
    intercept: -1.25,
    standardizedCoefficients: Float64Array.of(1, 0, -1.5),
    source: { kind: "columns", features: ["a", "b"], label: "y", weight: "w" },
    standardization: {
      dimension: 2,
      weightSum: 20,
      positiveWeight: 6,
      classWeights: [1, 3],
      maxWeight: 3,
      mean: Float64Array.of(1, 7),
      std: Float64Array.of(2, 0),
      shift: Float64Array.of(1, 7),
      invStd: Float64Array.of(0.5, 0),
      maxAbsZ: Float64Array.of(1.5, 0),
      collinear: [],
    },
    params,
    convergence: {
      solver: "newton",
      converged: true,
      reason: "gradient",
      iterations: 4,
      passes: 7,
      gradientNorm: 2.5e-9,
      objective: 0.4375,
    },
    warnings: [{ kind: "constant-feature", feature: 1, message: '"b" is constant on the training data' }],
    threshold: 0.25,
  });
}

Deno.test("the committed body-version-1 fixture loads with its values, and the writer reproduces it", async (t) => {
  const { model } = await loadFixture();
  assertSameModel(model, fixtureModel());
  const { files } = await encodeModelFiles({
    codec: LOGISTIC_BODY_CODEC,
    model: fixtureModel(),
    info: info(fixtureModel()),
  });
  for (const [name, bytes] of files) {
    await t.step(name, async () => assert.deepEqual(bytes, await Deno.readFile(join(FIXTURE, name))));
  }
});
