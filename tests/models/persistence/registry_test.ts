import assert from "node:assert/strict";
import {
  type BodyCodec,
  BodyReader,
  decodeModelFiles,
  defaultModelRegistry,
  encodeModelFiles,
  ModelFormatError,
  ModelRegistry,
} from "../../../models/persistence/mod.ts";
import { arraysCodec, sampleInfo } from "./test_models.ts";

interface Linear {
  readonly weights: Float64Array;
  readonly bias: number;
}

const linearCodec: BodyCodec<Linear> = {
  kind: "linear",
  version: 2,
  readableVersions: [1, 2],
  encode: (m) => ({ meta: { bias: m.bias }, arrays: new Map([["weights", m.weights]]) }),
  decode: (body, { version, envelope }) => {
    const r = new BodyReader(body);
    const bias = version === 1 ? 0 : r.meta.number("bias");
    return { weights: r.f64("weights", envelope.schema.featureNames.length), bias };
  },
};

Deno.test("ModelRegistry keeps registration order and refuses malformed or repeated kinds", () => {
  const registry = new ModelRegistry([arraysCodec]).with(linearCodec);
  assert.deepEqual(registry.kinds(), ["arrays_test", "linear"]);
  assert.equal(registry.decoder("linear"), linearCodec);
  assert.equal(registry.decoder("svm"), undefined);
  assert.throws(() => registry.with(linearCodec), {
    name: "TypeError",
    message: 'Model kind "linear" is registered twice',
  });
  assert.throws(() => new ModelRegistry([{ ...linearCodec, kind: "Linear" }]), TypeError);
  assert.throws(() => new ModelRegistry([{ ...linearCodec, readableVersions: [] }]), TypeError);
  assert.deepEqual(defaultModelRegistry().kinds(), ["logistic_regression", "random_forest", "gbt"]);
});

Deno.test("a registry built with with() decodes each kind to its own model type", async () => {
  const registry = new ModelRegistry([arraysCodec]).with(linearCodec);
  const { files } = await encodeModelFiles({
    codec: linearCodec,
    model: { weights: Float64Array.of(0.25, -0.5), bias: 3 },
    info: sampleInfo(),
  });
  const loaded = decodeModelFiles(files, registry);
  assert.equal(loaded.envelope.kind, "linear");
  assert.equal(loaded.envelope.bodyVersion, 2);
  assert.deepEqual(loaded.model, { weights: Float64Array.of(0.25, -0.5), bias: 3 });
});

Deno.test("BodyReader names the array that is missing, of the wrong dtype or the wrong length", () => {
  const r = new BodyReader({ meta: { n: 2 }, arrays: new Map([["w", Float64Array.of(1, 2)]]) });
  assert.deepEqual(r.names(), ["w"]);
  assert.equal(r.meta.integer("n"), 2);
  assert.throws(() => r.f64("v"), { name: "ModelFormatError", message: 'body.json has no array "v"' });
  assert.throws(() => r.i32("w"), {
    name: "ModelFormatError",
    message: 'body.json array "w" must have dtype i32',
  });
  assert.throws(() => r.f64("w", 3), {
    name: "ModelFormatError",
    message: 'body.json array "w" has 2 items, expected 3',
  });
  assert.throws(() => r.meta.string("n"), {
    name: "ModelFormatError",
    message: 'body.json field "meta.n" must be a string',
  });
  assert.throws(() => new BodyReader({ meta: [1], arrays: new Map() }), ModelFormatError);
});

Deno.test("a decoder checks the body against model.json through its context", async () => {
  const { files } = await encodeModelFiles({
    codec: linearCodec,
    model: { weights: Float64Array.of(1, 2, 3), bias: 0 }, // three weights, two feature names
    info: sampleInfo(),
  });
  assert.throws(() => decodeModelFiles(files, new ModelRegistry([linearCodec])), {
    name: "ModelFormatError",
    message: 'body.json array "weights" has 3 items, expected 2',
  });
});
