import assert from "node:assert/strict";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import { numericBinningFromSorted } from "../../../models/classification/tree/binning.ts";
import { numericBinningFromCounts } from "../../../models/features/binning_counts.ts";
import {
  Bucketizer,
  FeatureBinner,
  Imputer,
  inferColumnInfo,
  OneHotEncoder,
  Pipeline,
  QuantileDiscretizer,
  StandardScaler,
  StringIndexer,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { randomRows, ROW_SCHEMA, withCluster } from "./feature_test_util.ts";

Deno.test("options are checked at construction with a RangeError naming the parameter and its range", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => new StringIndexer({ inputCol: "c", handleInvalid: "drop" as "skip" }),
      /^handleInvalid must be one of "error", "skip", "keep"/,
    ],
    [() => new StringIndexer({ inputCol: "c", inputCols: ["d"] }), /exactly one of inputCol and inputCols/],
    [() => new StringIndexer({ inputCols: ["a", "a"] }), /inputCols must not repeat a column, got "a" twice/],
    [
      () => new StringIndexer({ inputCols: ["a", "b"], outputCols: ["x"] }),
      /outputCols must name one column per input column \(2\)/,
    ],
    [
      () => new OneHotEncoder({ inputCol: "c", dropLast: 1 as unknown as boolean }),
      /^dropLast must be true or false/,
    ],
    [
      () => new OneHotEncoder({ inputCol: "c", handleInvalid: "skip" as "keep" }),
      /^handleInvalid must be one of "error", "keep"/,
    ],
    [
      () => new QuantileDiscretizer({ inputCol: "x", numBuckets: 1 }),
      /^numBuckets must be an integer in \[2, 1000\], got 1/,
    ],
    [() => new QuantileDiscretizer({ inputCol: "x", numBuckets: 2.5 }), /^numBuckets must be an integer/],
    [() => new FeatureBinner({ maxBins: 256 }), /^maxBins must be an integer in \[2, 255\], got 256/],
    [() => new FeatureBinner({ relativeError: 0 }), /^relativeError must be a number in \(0, 0.5\]/],
    [() => new Bucketizer({ inputCol: "x", splits: [0, 0, 1] }), /^splits must be strictly increasing/],
    [() => new Bucketizer({ inputCol: "x", splits: [0] }), /^splits must have at least 2 values/],
    [
      () => new Bucketizer({ inputCols: ["x", "y"], splitsArray: [[0, 1]] }),
      /^splitsArray must have one list per input column/,
    ],
    [() => new VectorAssembler({ inputCols: [] }), /^inputCols must be a non-empty list/],
    [
      () => new VectorAssembler({ inputCols: ["a"], outputCol: "" }),
      /^outputCol must be a non-empty column name/,
    ],
    [
      () => new Imputer({ inputCol: "x", strategy: "max" as "mean" }),
      /^strategy must be one of "mean", "median", "mode"/,
    ],
    [
      () => new StandardScaler({ inputCol: "f", withStd: "yes" as unknown as boolean }),
      /^withStd must be true or false/,
    ],
    [() => new Pipeline([]), /^stages must be a non-empty list/],
    [
      () => new Pipeline([new VectorAssembler({ inputCols: ["a"] })], { weight: "" }),
      /^weight must be a non-empty column name/,
    ],
  ];
  for (const [make, message] of cases) {
    assert.throws(make, (e: unknown) => e instanceof RangeError && message.test(e.message));
  }
});

Deno.test("fit refuses columns of the wrong kind before running a job, naming the column", async () => {
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(randomRows({ rows: 50, seed: 1 }), { schema: ROW_SCHEMA, partitions: 2 });
    await assert.rejects(
      () => new StringIndexer({ inputCol: "x" }).fit(ds),
      /column "x" is numeric: cast it to string/,
    );
    await assert.rejects(
      () => new VectorAssembler({ inputCols: ["x", "cat"] }).fit(ds),
      /string column "cat".*index it first/,
    );
    await assert.rejects(
      () => new Imputer({ inputCol: "cat" }).fit(ds),
      /"mean" needs numbers.*"cat" is text/,
    );
    await assert.rejects(() => new StandardScaler({ inputCol: "nope" }).fit(ds), /reads column "nope"/);
    await assert.rejects(
      () => new Pipeline([new VectorAssembler({ inputCols: ["x"] })], { label: "y" }).fit(ds),
      /label "y" is text: give \{ column, positive \}/,
    );
    await assert.rejects(
      () =>
        new Pipeline([
          new StringIndexer({ inputCol: "cat", outputCol: "v" }),
          new VectorAssembler({ inputCols: ["v", "x"], outputCol: "f" }),
          new VectorAssembler({ inputCols: ["f", "x"] }),
        ]).fit(ds),
      /two features named "x"/,
    );
  });
});

Deno.test("a pipeline transform fuses independent stages into few projections", async () => {
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(randomRows({ rows: 100, seed: 2 }), { schema: ROW_SCHEMA, partitions: 2 });
    const model = await new Pipeline([
      new StringIndexer({ inputCol: "cat", handleInvalid: "keep" }),
      new StringIndexer({ inputCol: "color", handleInvalid: "keep" }),
      new Imputer({ inputCol: "x", outputCol: "xi" }),
      new OneHotEncoder({ inputCols: ["cat_index", "color_index"] }),
      new VectorAssembler({ inputCols: ["cat_index_vec", "color_index_vec", "xi"] }),
      new StandardScaler({ inputCol: "features" }),
    ]).fit(ds);
    const ops: string[] = [];
    for (
      let p: LogicalPlan | undefined = model.transform(ds, { via: "expressions" }).plan;
      p !== undefined;
    ) {
      ops.push(p.op);
      p = "input" in p ? p.input : undefined;
    }
    assert.deepEqual(ops, ["project", "project", "project", "project", "inline"]);
    const infos = inferColumnInfo(model.transform(ds, { via: "expressions" }).schema);
    const features = infos.get("features_scaled");
    assert.equal(features?.kind === "vector" && features.slots.length, model.featureNames.length);
  });
});

Deno.test("numericBinningFromCounts gives the bins of the sorted expanded values", () => {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const [distinct, maxBins] of [[5, 10], [300, 16], [1000, 255], [40, 2]] as const) {
    const pairs: [number, number][] = [];
    const values: number[] = [];
    for (let i = 0; i < distinct; i++) {
      const v = Math.round((next() - 0.3) * 1e4) / 8, n = 1 + Math.floor(next() ** 4 * 50);
      pairs.push([v, n]);
      for (let k = 0; k < n; k++) values.push(v);
    }
    pairs.push([NaN, 3], [0.5, 0]);
    assert.deepEqual(
      numericBinningFromCounts(pairs, maxBins),
      numericBinningFromSorted(Float64Array.from(values).sort(), maxBins),
      `${distinct} values, ${maxBins} bins`,
    );
  }
});
