import assert from "node:assert/strict";
import { StateStore } from "../../../cluster/executor/state_store.ts";
import { type Json, MalformedMessageError } from "../../../actors/errors.ts";
import { transactions } from "../../../cluster/sources/generators.ts";
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

Deno.test("the transactions generator rejects malformed arguments by name instead of casting them", () => {
  const args = { seed: 1, totalRows: 10, tokenKeyHex: "ab".repeat(32), options: { fraudRate: 0.1 } };
  const run = (a: Json) =>
    transactions({
      partition: 0,
      numPartitions: 1,
      args: a,
      seed: 0,
      signal: new AbortController().signal,
      state: new StateStore(),
    });
  const first = (a: Json) => {
    const out = run(a);
    if (!(Symbol.iterator in out)) throw new TypeError("transactions is a synchronous generator");
    return out[Symbol.iterator]().next();
  };
  assert.equal(first(args).done, false);
  const bad: [Json, RegExp][] = [
    [{ ...args, options: { fraudRat: 0.1 } }, /"options" has an unexpected field "fraudRat"/],
    [{ ...args, options: { fraudRate: "0.1" } }, /"options.fraudRate" must be a finite number/],
    [{ ...args, totalRows: -1 }, /"totalRows" must be a non-negative integer/],
    [{ ...args, tokenKeyHex: "xyz" }, /"tokenKeyHex" must be an even-length hex string/],
    [{ ...args, evil: true }, /has an unexpected field "evil"/],
    [[1, 2], /transactions arguments: must be an object/],
  ];
  for (const [a, re] of bad) {
    assert.throws(() => first(a), (e: unknown) => e instanceof MalformedMessageError && re.test(e.message));
  }
});
