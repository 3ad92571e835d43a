import assert from "node:assert/strict";
import { join } from "node:path";
import { fitGbtLocal } from "../../../../models/classification/gbt/fit_local.ts";
import { gbtCodec } from "../../../../models/classification/gbt/gbt_codec.ts";
import { forestCodec } from "../../../../models/classification/random_forest/forest_codec.ts";
import { fitForestLocal } from "../../../../models/classification/random_forest/fit_local.ts";
import { ForestModel } from "../../../../models/classification/random_forest/forest_model.ts";
import { GbtModel } from "../../../../models/classification/gbt/gbt_model.ts";
import {
  type BodyArray,
  type BodyCodec,
  defaultModelRegistry,
  encodeModelFiles,
  loadModel,
  type ModelBody,
  type ModelEnvelope,
  ModelFormatError,
  type ModelInfo,
  ModelIntegrityError,
  saveModel,
} from "../../../../models/persistence/mod.ts";
import { XOR_KINDS, xorSample } from "./tree_test_util.ts";

const NAMES = ["x0", "x1", "cat", "noise"];

function info(): ModelInfo {
  return {
    frontierVersion: "0.1.0",
    createdAt: "2025-06-01T12:00:00.000Z",
    seed: 3,
    params: {},
    schema: {
      inputColumns: NAMES.map((name) => ({ name, type: "double" as const, nullable: true })),
      label: "y",
      stages: [],
      featureNames: NAMES,
    },
    metrics: {},
    training: { dataHash: "sha256:00" },
    warnings: [],
  };
}

async function models() {
  const train = xorSample(800, { seed: 41, noise: 0.1 });
  const gbt = (await fitGbtLocal(train, {
    params: { numRounds: 6, numLeaves: 8, minDataInLeaf: 5 },
    kinds: XOR_KINDS,
    featureNames: NAMES,
  })).model;
  const forest = (await fitForestLocal(train, {
    params: { numTrees: 4, maxDepth: 4, seed: 2, featureSubsetStrategy: "all" },
    kinds: XOR_KINDS,
    featureNames: NAMES,
  })).model;
  const test = xorSample(300, { seed: 42 });
  test.columns[2]![0] = 99; // an unseen category
  return { gbt, forest, test };
}

/** Saves `model`, loads it with the default registry and checks it is the same model, byte for byte. */
async function roundTrip<M extends GbtModel | ForestModel>(
  dir: string,
  codec: BodyCodec<M>,
  model: M,
  test: { columns: Float64Array[] },
): Promise<void> {
  await saveModel(dir, { codec, model, info: info() });
  const loaded = await loadModel(dir, defaultModelRegistry());
  assert.equal(loaded.envelope.kind, codec.kind);
  const back = loaded.model;
  assert.ok(
    back instanceof GbtModel || back instanceof ForestModel,
    `a ${codec.kind} body decodes as a tree model`,
  );
  assert.equal(JSON.stringify(back.toJSON()), JSON.stringify(model.toJSON()));
  assert.deepEqual(back.predictColumns(test.columns, 300), model.predictColumns(test.columns, 300));
  const again = await encodeModelFiles({ codec, model, info: info() });
  for (const [file, bytes] of again.files) {
    assert.deepEqual(
      bytes,
      await Deno.readFile(join(dir, file)),
      `${dir}/${file} is written byte for byte alike`,
    );
  }
}

Deno.test("boosted and forest models round-trip through model directories with the default registry", async () => {
  const { gbt, forest, test } = await models();
  assert.ok(gbt.trees.some((t) => t.arrays.catIndex.some((c) => c >= 0)), "a categorical split is saved");
  const parent = await Deno.makeTempDir({ prefix: "frontier-trees-" });
  try {
    await roundTrip(join(parent, "gbt"), gbtCodec, gbt, test);
    await roundTrip(join(parent, "rf"), forestCodec, forest, test);
    const body = join(parent, "gbt", "body.bin");
    const bytes = await Deno.readFile(body);
    bytes[8] = bytes[8]! ^ 1;
    await Deno.writeFile(body, bytes);
    await assert.rejects(loadModel(join(parent, "gbt"), defaultModelRegistry()), ModelIntegrityError);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("tree bodies with inconsistent arrays or feature names are refused with ModelFormatError", async () => {
  const { gbt, forest } = await models();
  const context = (names = NAMES) => ({
    version: 1,
    envelope: { ...info(), schema: { ...info().schema, featureNames: names } } as unknown as ModelEnvelope,
  });
  const edit = (body: ModelBody, name: string, change: (a: BodyArray) => void): ModelBody => {
    const arrays = new Map([...body.arrays].map(([k, a]) => [k, a.slice()]));
    change(arrays.get(name)!);
    return { meta: body.meta, arrays };
  };
  const g = gbtCodec.encode(gbt), f = forestCodec.encode(forest);
  assert.equal(JSON.stringify(gbtCodec.decode(g, context()).toJSON()), JSON.stringify(gbt.toJSON()));
  const bad: [string, () => unknown][] = [
    [
      "node offsets past the pool",
      () => gbtCodec.decode(edit(g, "trees.nodeOffsets", (a) => a[1]! += 1), context()),
    ],
    ["a child before its parent", () => gbtCodec.decode(edit(g, "trees.left", (a) => a[0] = 0), context())],
    [
      "descending bounds",
      () => forestCodec.decode(edit(f, "binnings.values", (a) => a[1] = -1e300), context()),
    ],
    [
      "an unknown binning kind",
      () => forestCodec.decode(edit(f, "binnings.kind", (a) => a[0] = 7), context()),
    ],
    ["too few feature names", () => gbtCodec.decode(g, context(NAMES.slice(1)))],
    ["a wrong tree count", () => forestCodec.decode({ ...f, meta: { trees: 99 } }, context())],
  ];
  for (const [what, decode] of bad) assert.throws(decode, ModelFormatError, what);
});
