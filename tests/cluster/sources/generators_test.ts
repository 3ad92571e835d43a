import assert from "node:assert/strict";
import { col, count, Frontier, hash, NotAllowedError, sum } from "../../../mod.ts";
import { generateDemoKey } from "../../../cluster/sources/transactions/card_token.ts";

/** Order-independent checksum: sums of the low and high parts of a per-row hash of every column. */
async function checksum(fx: Frontier, partitions: number) {
  const ds = fx.transactions({ rows: 30_000, seed: 7, tokenKey: generateDemoKey({ seed: 1 }), partitions });
  const h = hash(...ds.columns);
  const [r] = await ds.withColumn("h", h)
    .agg(
      count().alias("n"),
      sum(col("h").mod(1_048_576)).alias("lo"),
      sum(col("h").div(1_048_576).floor()).alias("hi"),
    )
    .collect();
  return r;
}

Deno.test("the transactions generator runs on executors and gives the same rows for any partition count", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const one = await checksum(fx, 1);
  assert.equal(one!["n"], 30_000);
  for (const p of [3, 8]) assert.deepEqual(await checksum(fx, p), one, `partitions=${p}`);
  const fraud = await fx.transactions({
    rows: 30_000,
    seed: 7,
    tokenKey: generateDemoKey({ seed: 1 }),
    partitions: 4,
  })
    .filter(col("is_fraud")).count();
  assert.ok(fraud > 0 && fraud < 3_000, `fraud rows ${fraud}`);
});

Deno.test("a generator outside the executor's allowlist is refused with NotAllowedError", async () => {
  await using fx = await Frontier.start({ executors: 1, maxTaskAttempts: 1 });
  const ds = fx.generate({
    module: new URL("../fixtures/not_allowed_generator.ts", import.meta.url).href,
    export: "rows",
    schema: [{ name: "x", type: "long", nullable: false }],
    partitions: 1,
  });
  await assert.rejects(
    ds.count(),
    (e: unknown) => e instanceof NotAllowedError && /allowlist/.test(e.message),
  );
});
