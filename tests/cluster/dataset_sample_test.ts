import assert from "node:assert/strict";
import { col, Frontier } from "../../mod.ts";
import type { Dataset, Row } from "../../mod.ts";

const FIXTURE = new URL("./fixtures/partition_fns.ts", import.meta.url).href;

/** A job with a shuffle before the draws, so row order after the exchange matters too. */
function base(fx: Frontier): Dataset {
  return fx.range(0, 20_000, { partitions: 4 }).withColumn("k", col("id").mod(13)).repartition(3, "k");
}

async function draws(fx: Frontier) {
  const ds = base(fx);
  const sample = await ds.sample(0.25, { seed: 11 }).collect();
  const poisson = await ds.sample(0.5, { seed: 11, withReplacement: true }).collect();
  const splits = await Promise.all(ds.randomSplit([0.6, 0.3, 0.1], { seed: 5 }).map((d) => d.collect()));
  return { sample, poisson, splits };
}

type Draws = Awaited<ReturnType<typeof draws>>;

/** Exact equality of every row, in order, without a diff of 20 000 rows when they differ. */
function assertSameDraws(actual: Draws, expected: Draws, what: string): void {
  for (const k of ["sample", "poisson", "splits"] as const) {
    const a = JSON.stringify(actual[k]), e = JSON.stringify(expected[k]);
    let i = 0;
    while (i < a.length && a[i] === e[i]) i++;
    assert.ok(
      a === e,
      `${what}: ${k} differs from character ${i}: ${a.slice(i, i + 60)} vs ${e.slice(i, i + 60)}`,
    );
  }
}

function ids(rows: readonly Row[]): number[] {
  return rows.map((r) => r["id"] as number);
}

Deno.test("sample and randomSplit draw the same rows in a fresh cluster, after explain(), and on 1 or 2 executors", async () => {
  let first;
  {
    await using fx = await Frontier.start({ executors: 2 });
    first = await draws(fx);
    // explain() plans stages (advancing the driver's stage counter) without running them.
    await base(fx).sample(0.25, { seed: 11 }).sort("id").explain();
    await fx.range(10).groupBy("id").count().explain();
    assertSameDraws(await draws(fx), first, "after explain()");
  }
  {
    await using fx = await Frontier.start({ executors: 1 });
    assertSameDraws(await draws(fx), first, "fresh cluster with 1 executor");
  }
  const { sample, poisson, splits } = first;
  // Bernoulli(0.25) over 20 000 rows: mean 5 000, sd 61.
  assert.ok(Math.abs(sample.length - 5_000) < 300, `sample kept ${sample.length} rows`);
  // Poisson(0.5) copies: mean 10 000, sd 100; some rows appear more than once.
  assert.ok(Math.abs(poisson.length - 10_000) < 500, `sample with replacement gave ${poisson.length} rows`);
  assert.ok(new Set(ids(poisson)).size < poisson.length, "some rows are drawn twice");
  // The splits are disjoint and hold every row.
  const all = splits.flatMap(ids).sort((a, b) => a - b);
  assert.deepEqual(all, [...Array(20_000).keys()]);
  splits.forEach((s, i) => {
    const expected = 20_000 * [0.6, 0.3, 0.1][i]!;
    assert.ok(
      Math.abs(s.length - expected) < 400,
      `split ${i} has ${s.length} rows, expected about ${expected}`,
    );
  });
  // Another seed draws other rows.
  await using fx = await Frontier.start({ executors: 1 });
  assert.notDeepEqual(ids(await base(fx).sample(0.25, { seed: 12 }).collect()), ids(sample));
});

Deno.test("a sampled job retried after a task failure gives the same rows as a run without one", async () => {
  await using fx = await Frontier.start({ executors: 2, modules: [FIXTURE] });
  const dir = await Deno.makeTempDir();
  try {
    const job = () =>
      fx.generate({
        module: FIXTURE,
        export: "seededRows",
        schema: [{ name: "id", type: "long", nullable: false }, {
          name: "r",
          type: "double",
          nullable: false,
        }],
        partitions: 3,
        args: { rows: 2_000, failDir: dir, failPartition: 1 },
      }).sample(0.3, { seed: 3 }).collect();
    const retried = await job();
    assert.equal(await Deno.readTextFile(`${dir}/failed-1`), "1", "partition 1 failed once");
    const clean = await job(); // the marker exists now: no failure
    assert.ok(JSON.stringify(retried) === JSON.stringify(clean), "the retried job drew other rows");
    assert.ok(retried.length > 1_500 && retried.length < 2_100, `${retried.length} rows`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sample and randomSplit reject bad fractions, weights and seeds", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  const ds = fx.range(10);
  assert.throws(() => ds.sample(1.5, { seed: 1 }), RangeError);
  assert.throws(() => ds.sample(-0.1, { seed: 1, withReplacement: true }), RangeError);
  assert.throws(() => ds.sample(0.5, { seed: 0.5 }), RangeError);
  assert.throws(() => ds.randomSplit([], { seed: 1 }), RangeError);
  assert.throws(() => ds.randomSplit([1, -1], { seed: 1 }), RangeError);
  assert.throws(() => ds.randomSplit([0, 0], { seed: 1 }), RangeError);
  assert.equal(await ds.sample(0, { seed: 1 }).count(), 0);
  assert.equal(await ds.sample(1, { seed: 1 }).count(), 10);
});
