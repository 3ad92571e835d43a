import assert from "node:assert/strict";
import type { Row, Scalar } from "../../../cluster/columnar/batch.ts";
import { combineHash, hashNumber } from "../../../cluster/util/hash.ts";
import { randomSplit, splitBoundaries, timeSplit } from "../../../models/features/mod.ts";
import { randomRows, ROW_SCHEMA, withCluster } from "./feature_test_util.ts";

const ROWS = randomRows({ rows: 2000, seed: 21 });

/** The 53-bit draw of a row keyed by `id`, computed here from the hash definition. */
function draw(seed: number, id: number): number {
  const h = (salt: number) =>
    combineHash(combineHash(combineHash(0, hashNumber(seed)), hashNumber(salt)), hashNumber(id));
  return h(0) * 2 ** 21 + Math.floor(h(1) / 2 ** 11);
}

/** Ids per split, computed from the rules over all rows at once. */
function referenceSplit(rows: readonly Row[], weights: number[], seed: number, by: string): Set<number>[] {
  const out = weights.map(() => new Set<number>());
  const strata = new Map<Scalar, { id: number; u: number }[]>();
  for (const r of rows) {
    const list = strata.get(r[by] ?? null) ?? [];
    list.push({ id: r["id"] as number, u: draw(seed, r["id"] as number) });
    strata.set(r[by] ?? null, list);
  }
  for (const list of strata.values()) {
    list.sort((a, b) => a.u - b.u);
    const edges = [0, ...splitBoundaries(weights, list.length), list.length];
    weights.forEach((_, j) => list.slice(edges[j], edges[j + 1]).forEach((x) => out[j]!.add(x.id)));
  }
  return out;
}

async function ids(ds: { collect(): Promise<Row[]> }): Promise<number[]> {
  return (await ds.collect()).map((r) => r["id"] as number).sort((a, b) => a - b);
}

Deno.test("stratified randomSplit is exact per class and the same for 1, 2 and 4 partitions", async () => {
  const weights = [0.6, 0.25, 0.15];
  const want = referenceSplit(ROWS, weights, 42, "cat");
  await withCluster(async (fx) => {
    let first: number[][] | undefined;
    for (const partitions of [1, 2, 4]) {
      const ds = await fx.fromRows(ROWS, { schema: ROW_SCHEMA, partitions });
      const split = await randomSplit(ds, weights, { seed: 42, stratifyBy: "cat", key: ["id"] });
      const got = await Promise.all(split.splits.map(ids));
      got.forEach((g, j) =>
        assert.deepEqual(g, [...want[j]!].sort((a, b) => a - b), `split ${j}, ${partitions} partitions`)
      );
      first ??= got;
      assert.deepEqual(got, first);
      // Every class (null too) is cut at exactly round(n · cumulative weight).
      assert.equal(split.strata.length, 6);
      for (const s of split.strata) {
        const n = ROWS.filter((r) => r["cat"] === s.stratum).length;
        const b = splitBoundaries(weights, n);
        assert.equal(s.rows, n);
        assert.deepEqual(s.splits, [b[0]!, b[1]! - b[0]!, n - b[1]!]);
        got.forEach((g, j) => {
          const inClass = g.filter((id) => ROWS[id]!["cat"] === s.stratum).length;
          assert.equal(inClass, s.splits[j], `class ${String(s.stratum)} in split ${j}`);
        });
      }
    }
    const other = await randomSplit(await fx.fromRows(ROWS, { schema: ROW_SCHEMA }), weights, {
      seed: 43,
      key: ["id"],
    });
    assert.notDeepEqual(await ids(other.splits[0]!), first![0], "another seed draws another split");
    assert.equal(
      (await ids(other.splits[0]!)).length,
      Math.round(ROWS.length * 0.6),
      "unstratified: exact overall",
    );
  });
});

Deno.test("randomSplit by every column keeps duplicate rows together", async () => {
  const dupes = [...ROWS.slice(0, 300), ...ROWS.slice(0, 40)];
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(dupes, { schema: ROW_SCHEMA, partitions: 3 });
    const { splits } = await randomSplit(ds, [0.5, 0.5], { seed: 1, stratifyBy: "y" });
    const [a, b] = await Promise.all(splits.map(ids));
    assert.equal(a!.length + b!.length, dupes.length);
    for (let id = 0; id < 40; id++) {
      const inA = a!.filter((x) => x === id).length, inB = b!.filter((x) => x === id).length;
      assert.ok((inA === 2 && inB === 0) || (inA === 0 && inB === 2), `row ${id}: ${inA} + ${inB}`);
    }
    await assert.rejects(() => randomSplit(ds, [1], { seed: 1 }), RangeError);
    await assert.rejects(() => randomSplit(ds, [0.5, 0.5], { seed: 1.5 }), RangeError);
    await assert.rejects(() => randomSplit(ds, [0.5, 0.5], { seed: 1, key: ["nope"] }), RangeError);
  });
});

Deno.test("timeSplit cuts at the exact quantile, ties go to test, untimed rows to neither", async () => {
  const days = ROWS.flatMap((r) => r["day"] === null ? [] : [r["day"] as number]).sort((a, b) => a - b);
  const q = 0.7;
  const cut = days[Math.floor(q * days.length)]!; // 1-based position ⌊q·n⌋ + 1
  await withCluster(async (fx) => {
    for (const partitions of [1, 4]) {
      const ds = await fx.fromRows(ROWS, { schema: ROW_SCHEMA, partitions });
      const split = await timeSplit(ds, { time: "day", trainFraction: q });
      assert.equal(split.cut, cut);
      const train = await split.train.collect(), test = await split.test.collect();
      assert.ok(train.every((r) => (r["day"] as number) < cut));
      assert.ok(test.every((r) => (r["day"] as number) >= cut));
      assert.equal(train.length, days.filter((d) => d < cut).length);
      assert.equal(test.length, days.filter((d) => d >= cut).length);
      assert.ok(
        train.length <= q * days.length && days.filter((d) => d === cut).length > 1,
        "ties exist and go to test",
      );
      assert.deepEqual(
        [split.trainRows, split.testRows, split.untimedRows],
        [train.length, test.length, ROWS.length - days.length],
      );
    }
    const ds = await fx.fromRows(ROWS, { schema: ROW_SCHEMA, partitions: 2 });
    await assert.rejects(() => timeSplit(ds, { time: "day", trainFraction: 1 }), /trainFraction/);
    await assert.rejects(() => timeSplit(ds, { time: "cat" }), TypeError);
  });
});
