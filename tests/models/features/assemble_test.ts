/**
 * `assembleBlock` / `assembleBinned` (the executor form) against `transform` + `collect` (engine
 * expressions on the cluster) and against a row-by-row reference written from the stage rules,
 * on test rows with values training never saw: unseen categories, nulls, NaN, out-of-range numbers.
 */
import assert from "node:assert/strict";
import type { Batch, Row, Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows, batchToRows } from "../../../cluster/columnar/batch_ops.ts";
import { InvalidRowError } from "../../../cluster/errors.ts";
import { binValue } from "../../../models/classification/tree/binning.ts";
import { fitBinnings } from "../../../models/classification/tree/local_data.ts";
import {
  assembleBinned,
  assembleBlock,
  Bucketizer,
  FeatureBinner,
  Imputer,
  OneHotEncoder,
  Pipeline,
  type PipelineModel,
  QuantileDiscretizer,
  slotColumn,
  type StageState,
  StandardScaler,
  StringIndexer,
  transformBatch,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { assertSameValue, isMissing, randomRows, ROW_SCHEMA, withCluster } from "./feature_test_util.ts";

const TRAIN = randomRows({ rows: 1200, seed: 2 });
const TEST = randomRows({ rows: 400, seed: 3, firstId: 10_000, cats: ["a", "b", "c", "zz"], shift: 8 });
const LABEL = { column: "y", positive: "yes", negative: "no" } as const;

function keepPipeline(): Pipeline {
  return new Pipeline([
    new StringIndexer({ inputCols: ["cat", "color"], handleInvalid: "keep" }),
    new OneHotEncoder({ inputCols: ["cat_index", "color_index"] }),
    new Imputer({ inputCol: "x", outputCol: "xi", strategy: "median" }),
    new Bucketizer({ inputCol: "n", splits: [0, 2, 4, 6], handleInvalid: "keep" }),
    new QuantileDiscretizer({ inputCol: "xi", numBuckets: 4, handleInvalid: "keep" }),
    new VectorAssembler({
      inputCols: ["cat_index_vec", "color_index_vec", "xi", "n_bucket", "xi_bucket", "x", "cat_index"],
      handleInvalid: "keep",
    }),
    new StandardScaler({ inputCol: "features", withMean: true }),
  ], { label: LABEL, weight: "w", features: "features_scaled" });
}

/** The model's features of every collected row, from the `features_scaled[…]` columns. */
function collectedFeatures(rows: readonly Row[], model: PipelineModel): unknown[][] {
  return rows.map((r) => model.featureNames.map((n) => r[slotColumn(model.spec.features, n)]));
}

/** `batch` (from `transformBatch`) has the cluster transform's columns, types and values. */
function assertSameRows(batch: Batch, schema: Schema, rows: readonly Row[]): void {
  assert.deepEqual(batch.schema.map((f) => [f.name, f.type]), schema.map((f) => [f.name, f.type]));
  const local = batchToRows(batch);
  assert.equal(local.length, rows.length);
  local.forEach((row, r) => {
    for (const f of schema) assertSameValue(row[f.name], rows[r]![f.name], `row ${r} column ${f.name}`);
  });
}

/** The pipeline's features of one row, written from the stage rules with no kernel code. */
function referenceRow(row: Row, stages: readonly StageState[]): number[] {
  const [ix, ohe, imp, buck, qd, , sc] = stages;
  if (
    ix?.kind !== "string_indexer" || ohe?.kind !== "one_hot_encoder" || imp?.kind !== "imputer" ||
    buck?.kind !== "bucketizer" || qd?.kind !== "bucketizer" || sc?.kind !== "standard_scaler"
  ) throw new TypeError("unexpected stages");
  const index = (j: number, v: unknown) => {
    const i = ix.labels[j]!.indexOf(v as string);
    return i >= 0 ? i : ix.labels[j]!.length; // keep
  };
  const oneHot = (j: number, i: number) => {
    const k = ohe.sizes[j]! - 1; // dropLast; the catch-all index encodes as zeros
    return Array.from({ length: k }, (_, s) => s === i ? 1 : 0);
  };
  const bucket = (splits: readonly number[], x: number) => {
    const m = splits.length - 1;
    if (!(x >= splits[0]! && x <= splits[m]!)) return m;
    for (let i = 0; i < m; i++) if (x < splits[i + 1]!) return i;
    return m - 1;
  };
  const x = isMissing(row["x"]) ? NaN : row["x"] as number;
  const xi = Number.isNaN(x) ? imp.fills[0] as number : x;
  const raw = [
    ...oneHot(0, index(0, row["cat"])),
    ...oneHot(1, index(1, row["color"])),
    xi,
    bucket(buck.splits[0]!, row["n"] === null ? NaN : row["n"] as number),
    bucket(qd.splits[0]!, xi),
    x,
    index(0, row["cat"]),
  ];
  return raw.map((v, c) => Number.isNaN(v) ? NaN : sc.std[c] === 0 ? 0 : (v - sc.mean[c]!) / sc.std[c]!);
}

Deno.test("assembleBlock equals transform + collect and the row-by-row reference (keep)", async () => {
  await withCluster(async (fx) => {
    const train = await fx.fromRows(TRAIN, { schema: ROW_SCHEMA, partitions: 3 });
    const test = await fx.fromRows(TEST, { schema: ROW_SCHEMA, partitions: 2 });
    const model = await keepPipeline().fit(train);
    assert.equal(model.featureNames.length, 4 + 3 + 5);
    assert.ok(model.featureNames.includes("cat=a") && !model.featureNames.includes("cat=zz"));
    const block = assembleBlock(batchFromRows(ROW_SCHEMA, TEST), model.spec);
    assert.equal(block.rows, TEST.length);
    assert.equal(block.sourceRows, undefined);
    const transformed = model.transform(test, { via: "expressions" });
    const rows = await transformed.collect();
    assertSameRows(transformBatch(batchFromRows(ROW_SCHEMA, TEST), model.spec), transformed.schema, rows);
    assertSameRows(await model.transform(test).collectBatch(), transformed.schema, rows);
    const collected = collectedFeatures(rows, model);
    assert.equal(collected.length, TEST.length);
    TEST.forEach((row, r) => {
      const want = referenceRow(row, model.spec.stages);
      for (let c = 0; c < block.dim; c++) {
        const what = `row ${r} feature ${model.featureNames[c]}`;
        assertSameValue(block.values[r * block.dim + c], want[c], `${what} (assembleBlock)`);
        assertSameValue(collected[r]![c], want[c], `${what} (transform)`);
      }
    });
    assert.deepEqual([...block.labels!], TEST.map((r) => r["y"] === "yes" ? 1 : 0));
    assert.deepEqual([...block.weights!], TEST.map((r) => r["w"]));
  });
});

Deno.test("skip drops the same rows in assembleBlock and in transform", async () => {
  await withCluster(async (fx) => {
    const train = await fx.fromRows(TRAIN, { schema: ROW_SCHEMA, partitions: 2 });
    const test = await fx.fromRows(TEST, { schema: ROW_SCHEMA, partitions: 3 });
    const model = await new Pipeline([
      new StringIndexer({ inputCol: "cat", handleInvalid: "skip" }),
      new Bucketizer({ inputCol: "x", splits: [-5, 0, 5, 15], handleInvalid: "skip" }),
      new VectorAssembler({ inputCols: ["cat_index", "x_bucket", "n"], handleInvalid: "skip" }),
    ]).fit(train);
    const block = assembleBlock(batchFromRows(ROW_SCHEMA, TEST), model.spec);
    const kept = TEST.flatMap((r, i) => {
      const x = r["x"] as number | null;
      const ok = r["cat"] !== null && r["cat"] !== "zz" && x !== null && x >= -5 && x <= 15 &&
        r["n"] !== null;
      return ok ? [i] : [];
    });
    assert.ok(kept.length > 100 && kept.length < TEST.length - 50, `${kept.length} rows kept`);
    assert.deepEqual([...block.sourceRows!], kept);
    const transformed = model.transform(test, { via: "expressions" });
    const rows = await transformed.collect();
    assertSameRows(transformBatch(batchFromRows(ROW_SCHEMA, TEST), model.spec), transformed.schema, rows);
    assertSameRows(await model.transform(test).collectBatch(), transformed.schema, rows);
    const collected = collectedFeatures(rows, model);
    assert.deepEqual(collected.flat(), [...block.values]);
    assert.deepEqual(collected.map((f) => f[2]), kept.map((i) => TEST[i]!["n"]));
  });
});

Deno.test("error mode throws InvalidRowError in assembleBlock and transform; expressions leave null", async () => {
  await withCluster(async (fx) => {
    const train = await fx.fromRows(TRAIN, { schema: ROW_SCHEMA, partitions: 2 });
    const model = await new Pipeline([
      new StringIndexer({ inputCol: "cat", handleInvalid: "keep" }),
      new StringIndexer({ inputCol: "color", outputCol: "color_strict" }),
      new VectorAssembler({ inputCols: ["cat_index", "color_strict"] }),
    ]).fit(train);
    const unseen: Batch = batchFromRows(ROW_SCHEMA, [{ ...TEST[0]!, color: "mauve" }]);
    assert.throws(() => assembleBlock(unseen, model.spec), InvalidRowError);
    const nullColor: Batch = batchFromRows(ROW_SCHEMA, [{ ...TEST[0]!, color: null }]);
    assert.throws(() => assembleBlock(nullColor, model.spec), /missing value of column "color"/);
    const ds = await fx.fromRows([{ ...TEST[0]!, color: "mauve" }], { schema: ROW_SCHEMA, partitions: 1 });
    const [row] = await model.transform(ds, { via: "expressions" }).collect();
    assert.equal(row!["color_strict"], null);
    await assert.rejects(model.transform(ds).count(), InvalidRowError);
    const badLabel = batchFromRows(ROW_SCHEMA, [{ ...TEST[1]!, color: "red", y: "maybe" }]);
    const labelled = await new Pipeline([new VectorAssembler({ inputCols: ["w"] })], { label: LABEL }).fit(
      train,
    );
    assert.throws(() => assembleBlock(badLabel, labelled.spec), /Label column "y" holds "maybe"/);
    assert.equal(assembleBlock(badLabel, labelled.spec, { labels: "ignore" }).labels, undefined);
  });
});

/** `rows` as a batch, binned by `model`, and their raw assembled features (its first `stages` stages). */
function binnedAndRaw(rows: readonly Row[], model: PipelineModel, stages: number) {
  const batch = batchFromRows(ROW_SCHEMA, rows);
  const bins = assembleBinned(batch, model.spec);
  const raw = assembleBlock(batch, {
    ...model.spec,
    stages: model.spec.stages.slice(0, stages),
    features: "features",
  });
  return { batch, bins, raw };
}

Deno.test("assembleBinned equals the binner's transform and binValue of the raw features", async () => {
  await withCluster(async (fx) => {
    const train = await fx.fromRows(TRAIN, { schema: ROW_SCHEMA, partitions: 3 });
    const test = await fx.fromRows(TEST, { schema: ROW_SCHEMA, partitions: 2 });
    const model = await new Pipeline([
      new StringIndexer({ inputCols: ["cat", "color"], handleInvalid: "keep" }),
      new VectorAssembler({ inputCols: ["cat_index", "x", "color_index", "n", "id"], handleInvalid: "keep" }),
      new FeatureBinner({ maxBins: 16, exactDistinct: 100 }),
    ], { label: LABEL }).fit(train);
    assert.deepEqual(model.featureNames, ["cat", "x", "color", "n", "id"]);
    assert.deepEqual(model.layout.slots.map((s) => s.kind), [
      "categorical",
      "numeric",
      "categorical",
      "numeric",
      "numeric",
    ]);
    const { batch, bins, raw } = binnedAndRaw(TEST, model, 3);
    const collected = collectedFeatures(await model.transform(test, { via: "expressions" }).collect(), model);
    assert.deepEqual(collectedFeatures(await model.transform(test).collect(), model), collected);
    for (let r = 0; r < bins.rows; r++) {
      for (let c = 0; c < bins.dim; c++) {
        const b = bins.bins[r * bins.dim + c]!;
        assert.equal(b, binValue(bins.binnings[c]!, raw.values[r * raw.dim + c]!), `row ${r} slot ${c}`);
        assert.equal(collected[r]![c], b, `row ${r} slot ${c} (transform)`);
      }
    }
    // Training had null categories, so the indexer's __unknown index (5) has a bin that unseen
    // values share; a category index the binner never saw falls in the missing bin.
    assert.deepEqual(bins.binnings[0], { kind: "categorical", categories: [0, 1, 2, 3, 4, 5] });
    const unseenCat = TEST.findIndex((r) => r["cat"] === "zz"),
      nullCat = TEST.findIndex((r) => r["cat"] === null);
    assert.equal(bins.bins[unseenCat * bins.dim], 6);
    assert.equal(bins.bins[nullCat * bins.dim], 6);
    assert.equal(binValue(bins.binnings[0]!, 9), 0);
    assert.throws(
      () =>
        assembleBinned(batch, { ...model.spec, stages: model.spec.stages.slice(0, 2), features: "features" }),
      TypeError,
    );
  });
});

Deno.test("the binner bins category indices as the trees' own binning does: a rare tail category loses its bin", async () => {
  await withCluster(async (fx) => {
    // "a" 600, "b" 394, "c" 6 rows (0.6 %): "c" shares the missing bin; "color" has 1.5 % "ink".
    const rows = randomRows({ rows: 1000, seed: 4 }).map((r, i) => ({
      ...r,
      cat: i % 500 < 3 ? "c" : i % 5 < 3 ? "a" : "b",
      color: i % 200 < 3 ? "ink" : i % 2 === 0 ? "red" : "blue",
    }));
    const train = await fx.fromRows(rows, { schema: ROW_SCHEMA, partitions: 3 });
    const model = await new Pipeline([
      new StringIndexer({ inputCols: ["cat", "color"] }),
      new VectorAssembler({ inputCols: ["cat_index", "color_index", "x"], handleInvalid: "keep" }),
      new FeatureBinner(),
    ], { label: LABEL }).fit(train);
    const { bins, raw } = binnedAndRaw(rows, model, 2);
    const column = (c: number) =>
      Float64Array.from({ length: raw.rows }, (_, r) => raw.values[r * raw.dim + c]!);
    const local = fitBinnings([column(0), column(1)], { kinds: ["categorical", "categorical"] });
    assert.deepEqual(bins.binnings.slice(0, 2), local);
    assert.deepEqual(bins.binnings.slice(0, 2).map((b) => b.kind === "categorical" && b.categories.length), [
      2,
      3,
    ]);
  });
});
