import assert from "node:assert/strict";
import { Frontier } from "../../../../cluster/frontier.ts";
import { LogisticRegression } from "../../../../models/classification/logistic_regression/logistic_regression.ts";
import { LOGISTIC_MODULE } from "../../../../models/classification/logistic_regression/partition_functions.ts";
import { datasetOf, FEATURES } from "./lr_cluster_data.ts";
import { syntheticRows } from "./lr_test_data.ts";

const ROWS = syntheticRows({ rows: 1200, seed: 81 });

Deno.test("transform is lazy, runs on the executors and adds the model's probability and thresholded prediction", async () => {
  await using fx = await Frontier.start({ executors: 2, modules: [LOGISTIC_MODULE] });
  const ds = await datasetOf(fx, ROWS, 3);
  const model = await new LogisticRegression().fit(ds, { featureCols: FEATURES, labelCol: "y" });
  const jobs = (await fx.status()).jobs.length;
  const scored = model.transform(ds);
  const strict = model.transform(ds, { threshold: 0.3, probabilityCol: "p", predictionCol: "flag" });
  assert.equal((await fx.status()).jobs.length, jobs, "transform alone runs no job");
  assert.deepEqual(scored.columns, [...ds.columns, "probability", "prediction"]);
  assert.deepEqual(strict.columns, [...ds.columns, "p", "flag"]);

  const rows = await scored.collect(), other = await strict.collect();
  assert.ok((await fx.status()).jobs.length > jobs, "collect ran jobs");
  const expected = model.predictProbabilities(Float64Array.from(ROWS.x.flat()), ROWS.y.length);
  assert.equal(rows.length, ROWS.y.length);
  let flagged = 0;
  rows.forEach((r, i) => {
    assert.ok(Object.is(r.probability, expected[i]), `row ${i}: ${r.probability} vs ${expected[i]}`);
    assert.equal(r.prediction, expected[i]! >= 0.5 ? 1 : 0);
    assert.equal(other[i]!.flag, expected[i]! >= 0.3 ? 1 : 0);
    if (other[i]!.flag !== r.prediction) flagged++;
  });
  assert.ok(flagged > 0, "the lower threshold flags more rows");
  assert.equal(model.withThreshold(0.3).threshold, 0.3);
});

Deno.test("transform refuses to overwrite a column and scores equally for any partitioning", async () => {
  await using fx = await Frontier.start({ executors: 2, modules: [LOGISTIC_MODULE] });
  const one = await datasetOf(fx, ROWS, 1), five = await datasetOf(fx, ROWS, 5);
  const model = await new LogisticRegression().fit(one, { featureCols: FEATURES, labelCol: "y" });
  assert.throws(() => model.transform(one, { probabilityCol: "age" }), /already has it/);
  assert.throws(() => model.transform(one, { probabilityCol: "s", predictionCol: "s" }), /must differ/);
  assert.throws(() => model.transform(one, { threshold: NaN }), RangeError);
  const a = await model.transform(one).select("probability").collect();
  const b = await model.transform(five).select("probability").collect();
  assert.deepEqual(a, b);
  const none = await model.transform(one, { threshold: Infinity }).select("prediction").collect();
  assert.ok(none.every((r) => r.prediction === 0));
});
