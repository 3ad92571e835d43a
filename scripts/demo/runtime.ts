/**
 * `deno task demo`: a real job on the embedded cluster (2 Web Worker executors): generate
 * 2 million rows, shuffle them by key, aggregate, join a broadcast dimension, and print the
 * stage plan and the result.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { avg, col, count, Frontier, sum } from "../../mod.ts";

const args = parseArgs({
  options: {
    rows: { type: "string", default: "2000000" },
    executors: { type: "string", default: "2" },
    help: { type: "boolean", default: false },
  },
});
if (args.values.help) {
  console.log(
    "deno task demo [--rows N] [--executors N]\nRuns a generate → shuffle → aggregate → join job and prints its plan and result.",
  );
  Deno.exit(0);
}
const rows = Number(args.values.rows);
const executors = Number(args.values.executors);
if (!Number.isSafeInteger(rows) || rows < 1) {
  throw new RangeError(`--rows must be a positive integer, got ${args.values.rows}`);
}

const t0 = performance.now();
await using fx = await Frontier.start({ executors, shufflePartitions: 4 });
console.log(
  `Frontier embedded cluster: ${executors} executors (Web Workers), started in ${
    (performance.now() - t0).toFixed(0)
  } ms`,
);

const facts = fx.range(0, rows, { partitions: 4 })
  .withColumn("key", col("id").times(7919).mod(1000))
  .withColumn("value", col("id").times(104729).mod(10007).div(100))
  .filter(col("value").gt(10));
const dim = fx.range(0, 1000, { partitions: 1 })
  .withColumnRenamed("id", "key")
  .withColumn("region", col("key").mod(10))
  .withColumn("weight", col("key").mod(13).plus(1));
const job = facts.join(dim, "key")
  .groupBy("region")
  .agg(count().alias("n"), sum(col("value").times(col("weight"))).alias("total"), avg("value").alias("mean"))
  .sort("region");

console.log("\n== Plan ==");
console.log(await job.explain());
const t1 = performance.now();
const result = await job.collect();
const ms = performance.now() - t1;
console.log(`\n== Result (${rows.toLocaleString("en-US")} generated rows, ${ms.toFixed(0)} ms) ==`);
console.table(result);
const status = await fx.status();
console.log(`executors: ${status.executors.map((e) => `${e.id} (${e.state})`).join(", ")}`);
