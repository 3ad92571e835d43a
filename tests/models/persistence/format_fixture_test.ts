/**
 * The versioning rule: a directory written by any format version this build lists as readable
 * still loads. `fixtures/v<N>_arrays_test/` was written once by format version N and is never
 * regenerated; when the format version is bumped, the previous fixtures stay and a new one is
 * added beside them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  encodeModelFiles,
  FORMAT_VERSION,
  loadModel,
  READABLE_FORMAT_VERSIONS,
} from "../../../models/persistence/mod.ts";
import { arraysCodec, arraysRegistry } from "./test_models.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

function fixture(version: number): string {
  return join(FIXTURES, `v${version}_arrays_test`);
}

Deno.test("every readable format version has a committed fixture that loads", async () => {
  assert.ok(READABLE_FORMAT_VERSIONS.includes(FORMAT_VERSION));
  for (const version of READABLE_FORMAT_VERSIONS) {
    const { envelope } = await loadModel(fixture(version), arraysRegistry());
    assert.equal(envelope.formatVersion, version);
  }
});

Deno.test("the format version 1 fixture loads with every value it was written with", async () => {
  const { envelope, model } = await loadModel(fixture(1), arraysRegistry());
  assert.deepEqual(model.meta, { intercept: -2.5, classes: [0, 1] });
  assert.deepEqual([...model.arrays.keys()], ["coefficients", "featureIndex", "defaultLeft"]);
  const coefficients = model.arrays.get("coefficients");
  assert.ok(coefficients instanceof Float64Array);
  const bits = new Uint32Array(coefficients.buffer, coefficients.byteOffset, 2);
  assert.deepEqual([bits[0], bits[1]], [0x12345678, 0x7ff80abc], "the NaN payload");
  assert.ok(Object.is(coefficients[1], -0));
  assert.deepEqual([coefficients[2], coefficients[3]], [Infinity, 0.1]);
  const featureIndex = model.arrays.get("featureIndex");
  assert.ok(featureIndex instanceof Int32Array);
  assert.deepEqual([...featureIndex], [-1, 7]);
  const defaultLeft = model.arrays.get("defaultLeft");
  assert.ok(defaultLeft instanceof Uint8Array);
  assert.deepEqual([...defaultLeft], [1, 0, 1]);
  const { metrics, ...rest } = envelope;
  assert.deepEqual(rest, {
    formatVersion: 1,
    kind: "arrays_test",
    bodyVersion: 1,
    frontierVersion: "0.1.0",
    createdAt: "2025-06-01T12:00:00.000Z",
    seed: 7,
    params: { regParam: 0.0001, elasticNetParam: 0, standardization: true },
    schema: {
      inputColumns: [
        { name: "age", type: "long", nullable: false },
        { name: "job", type: "string", nullable: true },
      ],
      label: "y",
      stages: [{
        kind: "string_indexer",
        inputs: ["job"],
        outputs: ["job_idx"],
        state: { labels: ["admin.", "blue-collar"], handleInvalid: "keep" },
      }],
      featureNames: ["age", "job_idx"],
    },
    training: { dataHash: "sha256:0123abcd", rows: 12 },
    warnings: [{ kind: "constant-feature", message: "feature 1 is constant", data: { feature: 1 } }],
  });
  assert.equal(metrics.rocAuc, 0.75);
  assert.ok(Number.isNaN(metrics.brier));
});

Deno.test("the current writer reproduces the fixture of its own format version byte for byte", async (t) => {
  // A writer change that alters the bytes without a format version bump fails here.
  const dir = fixture(FORMAT_VERSION);
  const { envelope, model } = await loadModel(dir, arraysRegistry());
  const { formatVersion: _, kind: _kind, bodyVersion: _body, ...info } = envelope;
  const { files } = await encodeModelFiles({ codec: arraysCodec, model, info });
  for (const [name, bytes] of files) {
    await t.step(name, async () => assert.deepEqual(bytes, await Deno.readFile(join(dir, name))));
  }
});
