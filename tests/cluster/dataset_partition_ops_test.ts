import assert from "node:assert/strict";
import { Frontier, NotAllowedError, SchemaError } from "../../mod.ts";
import type { Dataset, Schema } from "../../mod.ts";
import { MAX_ARGS_BYTES } from "../../cluster/util/partition_value.ts";

const FIXTURE = new URL("./fixtures/partition_fns.ts", import.meta.url).href;
const NOT_ALLOWED = new URL("./fixtures/not_allowed_generator.ts", import.meta.url).href;
const N = 6_000;
const BINS = 7;

const TAGGED: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "part", type: "long", nullable: false },
  { name: "scaled", type: "double", nullable: false },
];

function withCum(ds: Dataset): Dataset {
  return ds.mapPartitions({
    module: FIXTURE,
    export: "runningSum",
    schema: [...ds.schema, { name: "cum", type: "long", nullable: false }],
    carry: { summarize: "sumIds", chain: "prefixSums" },
  });
}

/** Every operator's result over `range(N)` in `partitions` partitions. */
async function results(fx: Frontier, partitions: number) {
  const ds = fx.range(0, N, { partitions });
  const tagged = await ds.mapPartitions({
    module: FIXTURE,
    export: "tag",
    schema: TAGGED,
    args: { factor: 2.5 },
  })
    .collect();
  // A shuffle first: the carry follows the partitions of the exchange's output.
  const cum = await withCum(ds.repartition(3).sort("id")).collect();
  const histogram = await ds.aggregatePartitions({
    module: FIXTURE,
    fold: "histogram",
    merge: "addVectors",
    args: { bins: BINS },
  });
  const counts = await ds.aggregatePartitions({ module: FIXTURE, fold: "countAndSum", merge: "addCounts" });
  const order = await ds.aggregatePartitions({
    module: FIXTURE,
    fold: "partitionByte",
    merge: "concatBytes",
  });
  return { tagged, cum, histogram, counts, order };
}

type Results = Awaited<ReturnType<typeof results>>;

/** Exact equality (typed arrays as their numbers), without a slow diff of thousands of rows. */
function assertSame(actual: Results, expected: Results, what: string): void {
  const text = (r: Results) =>
    JSON.stringify(
      r,
      (_k, v) => v instanceof Float64Array || v instanceof Uint8Array ? [v.constructor.name, ...v] : v,
    );
  assert.ok(text(actual) === text(expected), `${what}: results differ`);
}

function checkResults(r: Results, partitions: number): void {
  // mapPartitions without a carry: every row tagged with its range partition, args applied.
  assert.equal(r.tagged.length, N);
  // range() gives partition p the ids [⌊N·p/n⌋, ⌊N·(p+1)/n⌋).
  const partOf = (i: number) => {
    let p = 0;
    while (Math.floor((N * (p + 1)) / partitions) <= i) p++;
    return p;
  };
  r.tagged.forEach((row, i) => {
    assert.equal(row["id"], i);
    assert.equal(row["part"], partOf(i), `row ${i}`);
    assert.equal(row["scaled"], i * 2.5);
  });
  // With a carry: each row's cum is the sum of every id up to it, across partitions.
  assert.deepEqual(
    r.cum.map((row) => row["cum"]),
    r.cum.map((row) => (row["id"] as number) * ((row["id"] as number) + 1) / 2),
  );
  assert.equal(r.cum.length, N);
  // aggregatePartitions: float64 histogram, JSON counts, bytes merged in partition order.
  assert.ok(r.histogram instanceof Float64Array);
  assert.deepEqual(
    Array.from(r.histogram.subarray(0, BINS)),
    Array.from({ length: BINS }, (_, b) => Math.floor((N - 1 - b) / BINS) + 1),
  );
  const draws = r.histogram[BINS]!;
  assert.ok(Math.abs(draws - N / 2) < 4 * Math.sqrt(N / 12), `sum of ${N} uniform draws: ${draws}`);
  assert.deepEqual(r.counts, { n: N, sum: (N * (N - 1)) / 2 });
  assert.deepEqual(r.order, Uint8Array.from({ length: partitions }, (_, p) => p));
}

Deno.test("mapPartitions (with and without a carry) and aggregatePartitions agree on 1 and 2 executors, for any partition count", async () => {
  const byCount = new Map<number, Results>();
  {
    await using fx = await Frontier.start({ executors: 1, modules: [FIXTURE] });
    for (const p of [1, 3, 7]) {
      const r = await results(fx, p);
      checkResults(r, p);
      byCount.set(p, r);
    }
    // Counts and JSON values do not depend on the partition count.
    const one = byCount.get(1)!;
    for (const p of [3, 7]) {
      assert.deepEqual(byCount.get(p)!.counts, one.counts);
      assert.deepEqual(byCount.get(p)!.cum, one.cum);
    }
  }
  await using fx = await Frontier.start({ executors: 2, modules: [FIXTURE] });
  for (const p of [3, 7]) {
    // Bit for bit, including the seeded float sums: seeds and merge order do not depend on executors.
    assertSame(await results(fx, p), byCount.get(p)!, `partitions=${p}`);
  }
  assert.match(
    await withCum(fx.range(0, 10)).explain(),
    /MapPartitions\[runningSum from .*partition_fns\.ts; carry: sumIds → prefixSums\]/,
  );
});

Deno.test("modules off the allowlist are refused with NotAllowedError, on executors and on the driver", async () => {
  await using fx = await Frontier.start({ executors: 1, maxTaskAttempts: 1, modules: [FIXTURE] });
  const ds = fx.range(0, 100, { partitions: 2 });
  const isNotAllowed = (pattern: RegExp) => (e: unknown) =>
    e instanceof NotAllowedError && pattern.test(e.message);
  // The map runs on the executor, which checks its allowlist.
  await assert.rejects(
    ds.mapPartitions({ module: NOT_ALLOWED, export: "rows", schema: ds.schema }).count(),
    isNotAllowed(/not on executor .* allowlist/),
  );
  // merge and chain run on the driver, which checks the same list before any task runs.
  await assert.rejects(
    ds.aggregatePartitions({ module: NOT_ALLOWED, fold: "rows", merge: "rows" }),
    isNotAllowed(/not on the driver's allowlist/),
  );
  await assert.rejects(
    ds.mapPartitions({
      module: NOT_ALLOWED,
      export: "rows",
      schema: ds.schema,
      carry: { summarize: "rows", chain: "rows" },
    }).collect(),
    isNotAllowed(/not on the driver's allowlist/),
  );
  // An allowed module without the named function export.
  await assert.rejects(
    ds.aggregatePartitions({ module: FIXTURE, fold: "countAndSum", merge: "noSuchExport" }),
    isNotAllowed(/has no function export "noSuchExport"/),
  );
  await assert.rejects(
    ds.mapPartitions({ module: FIXTURE, export: "N", schema: ds.schema }).count(),
    isNotAllowed(/has no function export "N"/),
  );
});

Deno.test("bad arguments, names, schemas and values are refused", async () => {
  await using fx = await Frontier.start({ executors: 1, maxTaskAttempts: 1, modules: [FIXTURE] });
  const ds = fx.range(0, 100, { partitions: 2 });
  const spec = { module: FIXTURE, export: "tag", schema: TAGGED };
  // Arguments must be JSON: refused where the dataset is built, naming where.
  assert.throws(
    () => ds.mapPartitions({ ...spec, args: { factor: NaN } }),
    /non-finite number at \$\.factor/,
  );
  assert.throws(
    () => ds.mapPartitions({ ...spec, args: { f: (() => 1) as unknown as number } }),
    /must be JSON, found function at \$\.f/,
  );
  assert.throws(
    () => ds.mapPartitions({ ...spec, args: { when: new Date(0) as unknown as string } }),
    /found Date at \$\.when/,
  );
  await assert.rejects(
    ds.aggregatePartitions({
      module: FIXTURE,
      fold: "countAndSum",
      merge: "addCounts",
      args: [undefined as unknown as null],
    }),
    /found undefined at \$\[0\]/,
  );
  // Arguments above the inline limit travel as a broadcast value (see
  // dataset_broadcast_args_test.ts); both sides of the limit work.
  const fits = { factor: 2, pad: "x".repeat(MAX_ARGS_BYTES - 100) };
  assert.equal(await ds.mapPartitions({ ...spec, args: fits }).count(), 100);
  const beyond = { factor: 2, pad: "x".repeat(MAX_ARGS_BYTES) };
  assert.equal(await ds.mapPartitions({ ...spec, args: beyond }).count(), 100);
  assert.throws(() => ds.mapPartitions({ ...spec, export: "" }), TypeError);
  assert.throws(() => ds.mapPartitions({ ...spec, schema: [] }), TypeError);
  // Arguments the module itself rejects fail the job with its error.
  await assert.rejects(
    ds.mapPartitions({ ...spec, args: { factor: "x" } }).count(),
    /tag needs \{ factor: number \}/,
  );
  // Output that does not match the declared schema, and a fold that returns no value.
  await assert.rejects(
    ds.mapPartitions({ ...spec, export: "wrongSchema", args: null }).count(),
    (e: unknown) => e instanceof SchemaError && /differs from the declared one/.test(e.message),
  );
  await assert.rejects(
    ds.aggregatePartitions({ module: FIXTURE, fold: "notAValue", merge: "addCounts" }),
    /The value of fold .*#notAValue must be JSON, found function/,
  );
});

Deno.test("an aggregatePartitions retried after a task failure gives the value of a run without one", async () => {
  await using fx = await Frontier.start({ executors: 2, modules: [FIXTURE] });
  const dir = await Deno.makeTempDir();
  try {
    const run = () =>
      fx.range(0, N, { partitions: 4 }).aggregatePartitions({
        module: FIXTURE,
        fold: "histogram",
        merge: "addVectors",
        args: { bins: BINS, failDir: dir, failPartition: 2 },
      });
    const retried = await run();
    assert.equal(await Deno.readTextFile(`${dir}/failed-2`), "1", "partition 2 failed once");
    const clean = await run();
    assert.deepEqual(retried, clean);
    assert.ok(retried instanceof Float64Array && retried[BINS]! > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
