/**
 * Fit on train only: a pipeline fitted on the training split of a dataset learns exactly what it
 * learns from those rows alone, and nothing that only the test split holds reaches its state.
 */
import assert from "node:assert/strict";
import {
  FeatureBinner,
  Imputer,
  OneHotEncoder,
  Pipeline,
  QuantileDiscretizer,
  StandardScaler,
  StringIndexer,
  timeSplit,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { duck, randomRows, ROW_SCHEMA, valuesCte, withCluster } from "./feature_test_util.ts";

function pipeline(): Pipeline {
  return new Pipeline([
    new StringIndexer({ inputCols: ["cat", "color"], handleInvalid: "keep" }),
    new OneHotEncoder({ inputCols: ["cat_index", "color_index"] }),
    new Imputer({ inputCols: ["x", "n"], outputCols: ["xi", "ni"], strategy: "mean" }),
    new QuantileDiscretizer({ inputCol: "xi", numBuckets: 5 }),
    new VectorAssembler({ inputCols: ["cat_index_vec", "color_index_vec", "xi", "ni", "xi_bucket"] }),
    new StandardScaler({ inputCol: "features", withMean: true }),
    new FeatureBinner({ inputCol: "features_scaled", maxBins: 32 }),
  ], { label: { column: "y", positive: "yes", negative: "no" } });
}

Deno.test("fitted state comes from the training split only", async () => {
  const base = randomRows({ rows: 1000, seed: 8 });
  // Later rows with a category and magnitudes no earlier row has: an out-of-time split puts them
  // all in test.
  const late = randomRows({ rows: 150, seed: 9, firstId: 50_000, cats: ["zz"], shift: 1000 })
    .map((r) => ({ ...r, day: 20_000 }));
  await withCluster(async (fx) => {
    const all = await fx.fromRows([...base, ...late], { schema: ROW_SCHEMA, partitions: 3 });
    const { train, test } = await timeSplit(all, { time: "day", trainFraction: 0.6 });
    const trainRows = await train.collect(), testRows = await test.collect();
    assert.ok(trainRows.every((r) => (r["day"] as number) < 20_000));
    assert.ok(testRows.filter((r) => r["day"] === 20_000).length === late.length);

    const fitted = await pipeline().fit(train);
    const alone = await pipeline().fit(await fx.fromRows(trainRows, { schema: ROW_SCHEMA, partitions: 1 }));
    assert.deepEqual(fitted.spec, alone.spec, "the state depends only on the training rows");

    const text = JSON.stringify(fitted.toJSON());
    assert.ok(!text.includes("zz"), "no test-only category");
    assert.ok(!fitted.featureNames.some((n) => n.includes("zz")));
    const [want] = await duck(`WITH ${valuesCte("t", trainRows, ROW_SCHEMA)}
      SELECT avg(x) FILTER (WHERE NOT isnan(x)) AS x, max(x) FILTER (WHERE NOT isnan(x)) AS top FROM t`);
    const imputer = fitted.spec.stages[2]!, qd = fitted.spec.stages[3]!, binner = fitted.spec.stages[6]!;
    assert.ok(
      imputer.kind === "imputer" && Math.abs((imputer.fills[0] as number) - (want!["x"] as number)) < 1e-9,
    );
    const top = want!["top"] as number;
    assert.ok(top < 100, `the training maximum ${top} is far below the test rows' values`);
    assert.ok(qd.kind === "bucketizer" && qd.splits[0]!.every((s) => !Number.isFinite(s) || s <= top));
    const all0 = await pipeline().fit(all);
    assert.notDeepEqual(all0.spec, fitted.spec, "fitting on everything would learn the test rows");
    assert.ok(binner.kind === "feature_binner");
  });
});
