/**
 * Every estimator's fitted state against an independent computation over the same rows: DuckDB
 * SQL for counts, means, standard deviations and quantiles; plain TypeScript for the rest.
 */
import assert from "node:assert/strict";
import { col, lit } from "../../../cluster/expr/column.ts";
import {
  FeatureBinner,
  Imputer,
  OneHotEncoder,
  Pipeline,
  QuantileDiscretizer,
  StandardScaler,
  StringIndexer,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { numericBinningFromSorted } from "../../../models/classification/tree/binning.ts";
import { duck, randomRows, ROW_SCHEMA, sortedNumbers, valuesCte, withCluster } from "./feature_test_util.ts";

const TRAIN = randomRows({ rows: 1500, seed: 1 });
const T = `WITH ${valuesCte("t", TRAIN, ROW_SCHEMA)}`;

Deno.test("fitted states equal DuckDB and plain TypeScript over the training rows", async () => {
  await withCluster(async (fx) => {
    const train = await fx.fromRows(TRAIN, { schema: ROW_SCHEMA, partitions: 3 });

    // StringIndexer: frequency descending, ties by value ascending, nulls never labels.
    const indexer = await new StringIndexer({ inputCols: ["cat", "color"] }).fit(train);
    assert.equal(indexer.state.kind, "string_indexer");
    for (const [j, c] of ["cat", "color"].entries()) {
      const want = await duck(
        `${T} SELECT "${c}" AS v FROM t WHERE "${c}" IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, v ASC`,
      );
      assert.deepEqual(
        indexer.state.kind === "string_indexer" && indexer.state.labels[j],
        want.map((r) => r["v"]),
      );
    }

    // Imputer: mean / lower median / mode of the present values (NaN and null are missing).
    const [m] = await duck(`${T} SELECT avg(x) FILTER (WHERE NOT isnan(x)) AS mean,
        percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FILTER (WHERE NOT isnan(x)) AS median,
        avg(n) AS nmean FROM t`);
    const mean = await new Imputer({ inputCols: ["x", "n"] }).fit(train);
    const fills = mean.state.kind === "imputer" ? mean.state.fills : [];
    assert.ok(
      Math.abs((fills[0] as number) - (m!["mean"] as number)) <= 1e-12 * Math.abs(m!["mean"] as number),
    );
    assert.ok(Math.abs((fills[1] as number) - (m!["nmean"] as number)) <= 1e-12);
    const median = await new Imputer({ inputCol: "x", strategy: "median" }).fit(train);
    assert.deepEqual(median.state.kind === "imputer" && median.state.fills, [m!["median"]]);
    const mode = await new Imputer({ inputCols: ["cat", "n"], strategy: "mode" }).fit(train);
    const [catMode] = await duck(
      `${T} SELECT cat FROM t WHERE cat IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, cat LIMIT 1`,
    );
    const [nMode] = await duck(
      `${T} SELECT n FROM t WHERE n IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, n LIMIT 1`,
    );
    assert.deepEqual(mode.state.kind === "imputer" && mode.state.fills, [catMode!["cat"], nMode!["n"]]);

    // QuantileDiscretizer: inner splits at percentile_disc(j/k), repeats dropped, ±∞ at the ends.
    const qd = await new QuantileDiscretizer({ inputCols: ["x", "n"], numBuckets: 5 }).fit(train);
    for (const [j, c] of ["x", "n"].entries()) {
      const [q] = await duck(
        `${T} SELECT ${
          [1, 2, 3, 4].map((i) =>
            `percentile_disc(${
              i / 5
            }) WITHIN GROUP (ORDER BY "${c}") FILTER (WHERE NOT isnan("${c}")) AS q${i}`
          )
            .join(", ")
        } FROM t`,
      );
      const inner = [...new Set([1, 2, 3, 4].map((i) => q![`q${i}`] as number))];
      assert.deepEqual(
        qd.state.kind === "bucketizer" && qd.state.splits[j],
        [-Infinity, ...inner, Infinity],
        c,
      );
    }

    // StandardScaler over an assembled vector: per slot mean and sample standard deviation.
    const pipeline = await new Pipeline([
      new Imputer({ inputCols: ["x", "n"], outputCols: ["xi", "ni"] }),
      new VectorAssembler({ inputCols: ["xi", "ni", "w"] }),
      new StandardScaler({ inputCol: "features", withMean: true }),
    ]).fit(train);
    const scaler = pipeline.stages[2]!.state;
    const xi = fills[0] as number, ni = fills[1] as number;
    const [s] = await duck(`${T}, u AS (SELECT CASE WHEN x IS NULL OR isnan(x) THEN ${xi} ELSE x END AS xi,
        coalesce(n, ${ni}) AS ni, w FROM t)
      SELECT avg(xi) AS mx, avg(ni) AS mn, avg(w) AS mw, stddev_samp(xi) AS sx, stddev_samp(ni) AS sn,
        stddev_samp(w) AS sw FROM u`);
    assert.equal(scaler.kind, "standard_scaler");
    if (scaler.kind === "standard_scaler") {
      ["x", "n", "w"].forEach((c, i) => {
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
        assert.ok(close(scaler.mean[i]!, s![`m${c}`] as number), `mean of ${c}`);
        assert.ok(close(scaler.std[i]!, s![`s${c}`] as number), `std of ${c}`);
      });
    }

    // OneHotEncoder on a plain index column: max + 1 categories.
    const ohe = await new OneHotEncoder({ inputCol: "n" }).fit(train);
    const nMax = Math.max(...TRAIN.flatMap((r) => r["n"] === null ? [] : [r["n"] as number]));
    assert.deepEqual(ohe.state.kind === "one_hot_encoder" && ohe.state.sizes, [nMax + 1]);
    const fractional = train.withColumn("f", col("w").plus(lit(0.25)).times(0).plus(lit(2.5)));
    await assert.rejects(() => new OneHotEncoder({ inputCol: "f" }).fit(fractional), RangeError);

    // FeatureBinner: categorical counts and exact value counts give the in-memory binnings.
    const binned = await new Pipeline([
      new StringIndexer({ inputCol: "cat", handleInvalid: "keep" }),
      new VectorAssembler({ inputCols: ["cat_index", "x", "n"], handleInvalid: "keep" }),
      new FeatureBinner({ maxBins: 8 }),
    ]).fit(train);
    const binner = binned.stages[2]!.state;
    assert.equal(binner.kind, "feature_binner");
    if (binner.kind === "feature_binner") {
      assert.deepEqual(binner.binnings[0], { kind: "categorical", categories: [0, 1, 2, 3, 4, 5] });
      for (const [i, c] of [[1, "x"], [2, "n"]] as const) {
        const values = sortedNumbers(TRAIN.flatMap((r) => {
          const v = r[c];
          return typeof v === "number" && !Number.isNaN(v) ? [v] : [];
        }));
        assert.deepEqual(binner.binnings[i], numericBinningFromSorted(values, 8), c);
      }
    }
    // …and the sketch path (every value distinct above the limit) gives increasing bounds.
    const sketched = await new Pipeline([
      new VectorAssembler({ inputCols: ["id"] }),
      new FeatureBinner({ maxBins: 10, exactDistinct: 10 }),
    ]).fit(train);
    const sk = sketched.stages[1]!.state;
    const bounds = sk.kind === "feature_binner" && sk.binnings[0]!.kind === "numeric"
      ? sk.binnings[0]!.upperBounds
      : [];
    assert.ok(bounds.length >= 7 && bounds.every((b, i) => i === 0 || b > bounds[i - 1]!), String(bounds));
    assert.ok(bounds[4]! > 600 && bounds[4]! < 900, `the median bound ${bounds[4]} is near 750`);
  });
});
