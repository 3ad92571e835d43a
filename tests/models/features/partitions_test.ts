/**
 * `PipelineModel.transform` (by default the spec on the executors through `mapPartitions`) gives
 * the same columns as the expression plan (`via: "expressions"`); `"error"` fails the job there.
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../cluster/frontier.ts";
import { InvalidRowError } from "../../../cluster/errors.ts";
import {
  MAX_EXPRESSION_LABELS,
  OneHotEncoder,
  Pipeline,
  QuantileDiscretizer,
  StandardScaler,
  StringIndexer,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { assertSameValue, randomRows, ROW_SCHEMA } from "./feature_test_util.ts";

Deno.test("transform via partitions equals transform via expressions, and error mode fails the job", async () => {
  // models/ modules are always allowed: no allowlist needed.
  await using fx = await Frontier.start({ executors: 2, maxTaskAttempts: 2 });
  const train = await fx.fromRows(randomRows({ rows: 800, seed: 31 }), { schema: ROW_SCHEMA, partitions: 3 });
  const test = await fx.fromRows(
    randomRows({ rows: 300, seed: 32, firstId: 9000, cats: ["a", "zz"], shift: 4 }),
    { schema: ROW_SCHEMA, partitions: 2 },
  );
  const model = await new Pipeline([
    new StringIndexer({ inputCols: ["cat", "color"], handleInvalid: "keep" }),
    new OneHotEncoder({ inputCols: ["cat_index", "color_index"], handleInvalid: "keep" }),
    new QuantileDiscretizer({ inputCol: "x", numBuckets: 3, handleInvalid: "skip" }),
    new VectorAssembler({
      inputCols: ["cat_index_vec", "color_index_vec", "x_bucket", "n"],
      handleInvalid: "keep",
    }),
    new StandardScaler({ inputCol: "features", withMean: true }),
  ]).fit(train);
  const viaExpr = model.transform(test, { via: "expressions" }), viaParts = model.transform(test);
  assert.equal(viaParts.plan.op, "mapPartitions");
  assert.deepEqual(viaParts.schema.map((f) => [f.name, f.type]), viaExpr.schema.map((f) => [f.name, f.type]));
  const [a, b] = [await viaExpr.collect(), await viaParts.collect()];
  assert.equal(b.length, a.length);
  assert.ok(a.length > 200 && a.length < 300, `${a.length} rows after skipping missing x`);
  a.forEach((row, r) => {
    for (const f of viaExpr.schema) assertSameValue(b[r]![f.name], row[f.name], `row ${r} ${f.name}`);
  });

  const strict = await new Pipeline([new StringIndexer({ inputCol: "cat" })]).fit(train);
  await assert.rejects(
    strict.transform(test).count(),
    (e: unknown) =>
      e instanceof InvalidRowError && /cannot encode (a missing value|"zz") of column "cat"/.test(e.message),
  );
  assert.throws(() => strict.transform(test, { via: "executors" as "partitions" }), /via must be one of/);

  // A vocabulary beyond what one expression can carry still transforms on the executors.
  const wide = await fx.fromRows(
    Array.from(
      { length: 3000 },
      (_, i) => ({ ...randomRows({ rows: 1, seed: 1, firstId: i })[0]!, cat: `k${i % 1500}` }),
    ),
    { schema: ROW_SCHEMA, partitions: 2 },
  );
  const big = await new Pipeline([new StringIndexer({ inputCol: "cat" })]).fit(wide);
  assert.throws(
    () => big.transform(wide, { via: "expressions" }),
    new RegExp(`1500 labels; as expressions at most ${MAX_EXPRESSION_LABELS}`),
  );
  const indexed = await big.transform(wide).collect();
  assert.equal(new Set(indexed.map((r) => r["cat_index"])).size, 1500);
});
