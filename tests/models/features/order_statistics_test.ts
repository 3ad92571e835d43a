import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { col } from "../../../cluster/expr/column.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { selectColumnRanks, selectRanks } from "../../../models/features/order_statistics.ts";
import { rankValue, withCluster } from "./feature_test_util.ts";

const SCHEMA: Schema = [
  { name: "g", type: "string", nullable: true },
  { name: "v", type: "double", nullable: true },
  { name: "k", type: "long", nullable: false },
];

/** Continuous values, a heavy atom at 7, ±Infinity, nulls and NaN, in three strata (one null). */
function rows(n: number, seed: number): Row[] {
  const rng = new CounterRandom(seed, 1);
  return Array.from({ length: n }, (_, i) => {
    rng.at(i);
    const u = rng.float(0), g = rng.float(1);
    const v = u < 0.3
      ? 7
      : u < 0.32
      ? Infinity
      : u < 0.33
      ? -Infinity
      : u < 0.36
      ? null
      : u < 0.38
      ? NaN
      : (rng.float(2) - 0.5) * 1e6 * rng.float(3);
    return { g: g < 0.5 ? "a" : g < 0.9 ? "b" : null, v, k: Math.floor(rng.float(4) * 2 ** 40) };
  });
}

function present(values: readonly (number | null)[]): number[] {
  return values.flatMap((v) => v === null || Number.isNaN(v) ? [] : [v]);
}

Deno.test("selectRanks finds exact ranks per stratum with ties, infinities and missing values", async () => {
  const data = rows(3000, 11);
  await withCluster(async (fx) => {
    for (const [partitions, exactLimit, buckets] of [[1, 4096, 1024], [3, 16, 8], [4, 1, 4]] as const) {
      const ds = await fx.fromRows(data, { schema: SCHEMA, partitions });
      const found = await selectRanks(ds, col("v"), {
        by: col("g"),
        ranks: (_, n) => [1, 2, Math.ceil(n / 3), Math.ceil(n / 2), n - 1, n],
        exactLimit,
        buckets,
      });
      assert.equal(found.length, 3);
      for (const r of found) {
        const values = present(data.filter((x) => x["g"] === r.stratum).map((x) => x["v"] as number | null));
        assert.equal(r.count, values.length, `count of ${String(r.stratum)}`);
        r.ranks.forEach((k, i) => {
          assert.equal(
            r.values[i],
            rankValue(values, k),
            `rank ${k} of ${String(r.stratum)} (limit ${exactLimit})`,
          );
        });
      }
    }
  });
});

Deno.test("selectRanks resolves 53-bit integers over many rounds and selectColumnRanks stacks columns", async () => {
  const data = rows(2000, 5);
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(data, { schema: SCHEMA, partitions: 2 });
    const ks = data.map((r) => r["k"] as number);
    const ranks = [1, 17, 1000, 1999, 2000];
    const [r] = await selectRanks(ds, col("k"), { ranks: () => ranks, exactLimit: 2, buckets: 2 });
    assert.deepEqual(r!.values, ranks.map((k) => rankValue(ks, k)));
    const both = await selectColumnRanks(ds, [col("k"), col("v")], { ranks: (n) => [Math.ceil(n / 2)] });
    assert.equal(both[0]!.values[0], rankValue(ks, 1000));
    const vs = present(data.map((x) => x["v"] as number | null));
    assert.equal(both[1]!.values[0], rankValue(vs, Math.ceil(vs.length / 2)));
    const none = await selectColumnRanks(ds.filter(col("k").lt(0)), [col("v")], { ranks: () => [1] });
    assert.deepEqual(none, [undefined]);
    await assert.rejects(() => selectRanks(ds, col("k"), { ranks: (_, n) => [n + 1] }), RangeError);
  });
});
