import assert from "node:assert/strict";
import { batchFromRows } from "../../../cluster/columnar/batch_ops.ts";
import { decodeFeatureSchema, encodeFeatureSchema } from "../../../models/persistence/feature_schema.ts";
import { ModelFormatError } from "../../../models/persistence/errors.ts";
import { JsonFields } from "../../../models/persistence/json_fields.ts";
import {
  assembleBinned,
  assembleBlock,
  Bucketizer,
  decodeFeatureSpec,
  encodeFeatureSpec,
  FeatureBinner,
  type FeatureSpec,
  fromFeatureSchema,
  Imputer,
  OneHotEncoder,
  Pipeline,
  PipelineModel,
  StandardScaler,
  StringIndexer,
  toFeatureSchema,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { randomRows, ROW_SCHEMA, withCluster } from "./feature_test_util.ts";

const TRAIN = randomRows({ rows: 600, seed: 4 });
const TEST = randomRows({ rows: 200, seed: 5, firstId: 5000, cats: ["a", "b", "q"], shift: -7 });

/** Through text and back, as a spec travels to executors or into a model file. */
function roundTrip(spec: FeatureSpec): FeatureSpec {
  return decodeFeatureSpec(JSON.parse(JSON.stringify(encodeFeatureSpec(spec))));
}

Deno.test("a FeatureSpec survives JSON text exactly and assembles the same bits", async () => {
  await withCluster(async (fx) => {
    const train = await fx.fromRows(TRAIN, { schema: ROW_SCHEMA, partitions: 2 });
    const linear = await new Pipeline([
      new StringIndexer({ inputCols: ["cat", "color"], handleInvalid: "keep" }),
      new OneHotEncoder({ inputCols: ["cat_index", "color_index"], handleInvalid: "keep" }),
      new Imputer({ inputCols: ["x", "color"], outputCols: ["xi", "color_filled"], strategy: "mode" }),
      new Bucketizer({ inputCol: "n", splits: [-Infinity, 1, 3, Infinity], handleInvalid: "keep" }),
      new VectorAssembler({
        inputCols: ["xi", "cat_index_vec", "color_index_vec", "n_bucket", "x"],
        handleInvalid: "keep",
      }),
      new StandardScaler({ inputCol: "features", withMean: true, withStd: true }),
    ], { label: { column: "y", positive: "yes" }, weight: "w", time: "day", features: "features_scaled" })
      .fit(train);
    const tree = await new Pipeline([
      new StringIndexer({ inputCol: "cat", handleInvalid: "keep" }),
      new VectorAssembler({ inputCols: ["cat_index", "x", "n"], handleInvalid: "keep" }),
      new FeatureBinner({ maxBins: 20 }),
    ], { label: { column: "y", positive: "yes", negative: "no" } }).fit(train);
    const batch = batchFromRows(ROW_SCHEMA, TEST);
    for (const model of [linear, tree]) {
      const back = roundTrip(model.spec);
      assert.deepEqual(back, model.spec);
      assert.deepEqual(assembleBlock(batch, back), assembleBlock(batch, model.spec));
      assert.deepEqual(PipelineModel.fromSpec(back).featureNames, model.featureNames);
    }
    assert.deepEqual(assembleBinned(batch, roundTrip(tree.spec)), assembleBinned(batch, tree.spec));
    const splits = linear.spec.stages[3];
    assert.deepEqual(splits?.kind === "bucketizer" && splits.splits[0], [-Infinity, 1, 3, Infinity]);

    // Through a model directory's feature schema and its JSON.
    const schema = toFeatureSchema(linear.spec);
    assert.deepEqual(schema.featureNames, linear.featureNames);
    assert.equal(schema.label, "y");
    assert.equal(schema.time, "day");
    const text = JSON.parse(JSON.stringify(encodeFeatureSchema(schema)));
    const decoded = decodeFeatureSchema(new JsonFields(text, { file: "model.json", path: "schema" }));
    assert.deepEqual(fromFeatureSchema(decoded), linear.spec);
    const renamed = { ...decoded, featureNames: decoded.featureNames.map((n, i) => i === 0 ? "other" : n) };
    assert.throws(() => fromFeatureSchema(renamed), ModelFormatError);
    const { label: _label, ...unlabelled } = linear.spec;
    assert.throws(() => toFeatureSchema(unlabelled), TypeError);
  });
});

Deno.test("decodeFeatureSpec refuses malformed specs with ModelFormatError naming the field", () => {
  const good = {
    version: 1,
    inputColumns: [{ name: "c", type: "string", nullable: true }, {
      name: "x",
      type: "double",
      nullable: true,
    }],
    stages: [
      { kind: "string_indexer", inputs: ["c"], outputs: ["ci"], labels: [["a", "b"]], handleInvalid: "keep" },
      { kind: "vector_assembler", inputs: ["ci", "x"], output: "f", handleInvalid: "keep" },
    ],
    features: "f",
    label: { column: "y", positive: "yes" },
  };
  assert.deepEqual(decodeFeatureSpec(good).stages.length, 2);
  const bad = (patch: Record<string, unknown>, field: RegExp) =>
    assert.throws(() => decodeFeatureSpec({ ...good, ...patch }), (e: unknown) => {
      assert.ok(e instanceof ModelFormatError, String(e));
      assert.match(e.message, field);
      return true;
    });
  bad({ version: 2 }, /version/);
  bad({ stages: [{ kind: "eval", code: "1" }] }, /stages\[0\]\.kind/);
  bad({ stages: [{ ...good.stages[0], labels: [["a", "a"]] }] }, /repeats a label/);
  bad({ stages: [{ ...good.stages[0], handleInvalid: "maybe" }] }, /handleInvalid/);
  bad({ stages: [good.stages[1]] }, /do not fit together.*"ci"/);
  bad({ features: "nope" }, /do not fit together/);
  bad({ inputColumns: [{ name: "c", type: "varchar", nullable: true }] }, /inputColumns\[0\]\.type/);
  bad({
    stages: [{ kind: "bucketizer", inputs: ["x"], outputs: ["b"], splits: [[3, 1]], handleInvalid: "keep" }],
    features: "b",
  }, /splits\[0\]/);
  bad({
    stages: [{
      kind: "standard_scaler",
      input: "x",
      output: "s",
      withMean: true,
      withStd: true,
      mean: [0],
      std: [-1],
    }],
    features: "s",
  }, /std/);
  bad({ label: { column: "y", positive: ["yes"] } }, /label\.positive/);
});
