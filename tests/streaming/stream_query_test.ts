import assert from "node:assert/strict";
import { systemClock } from "../../actors/clock.ts";
import { CATEGORIES } from "../../cluster/sources/transactions/catalog.ts";
import {
  AMOUNT_STATS,
  type CommittedOutput,
  EmbeddedSource,
  GeneratedLog,
  type GeneratedLogOptions,
  keyedAccountAnomalies,
  keyedSegmentAnomalies,
  keyedTrends,
  MemoryCheckpointStore,
  readStream,
  runStream,
  sliding,
  type StreamOperator,
  transactionDecoder,
  type TransactionValue,
} from "../../streaming/mod.ts";

const LOG: GeneratedLogOptions = {
  seed: 17,
  totalRows: 6_000,
  partitions: 3,
  durationMs: 3_600_000,
  accounts: 80,
  outOfOrderFraction: 0.2,
  lateFraction: 0.03,
  duplicateFraction: 0.03,
  malformedFraction: 0.02,
  allowedLatenessMs: 30_000,
};

const field = (name: string) => (e: { key: string; value: object }) =>
  String((e.value as Record<string, unknown>)[name] ?? `?${e.key}`);

/** The same job as the query's, wired by hand on the runtime. */
async function byHand(): Promise<CommittedOutput[]> {
  const store = new MemoryCheckpointStore();
  const ops = [
    { ...keyedAccountAnomalies(), keyOf: field("account_id") },
    {
      ...keyedSegmentAnomalies(),
      keyOf: (e: { key: string; value: object }) => `${field("merchant_category")(e)}|${field("country")(e)}`,
    },
    { ...keyedTrends(), keyOf: field("merchant_category") },
  ] as StreamOperator<TransactionValue, unknown, unknown>[];
  await runStream({
    source: new EmbeddedSource({ log: new GeneratedLog(LOG), store, clock: systemClock }),
    clock: systemClock,
  }, {
    window: sliding(300_000, 60_000),
    allowedLatenessMs: 30_000,
    decode: transactionDecoder("merchant"),
    aggregate: AMOUNT_STATS,
    operators: ops,
    signal: new AbortController().signal,
  });
  return store.outputs;
}

const sorted = (outputs: readonly CommittedOutput[]) => outputs.map((o) => JSON.stringify(o)).sort();

Deno.test("readStream.embedded…start() runs the job the runtime runs by hand, with metrics that reconcile", async () => {
  const store = new MemoryCheckpointStore();
  const query = await readStream.embedded(LOG)
    .withWatermark("30s")
    .window("sliding:5m/1m")
    .groupBy("merchant")
    .agg(AMOUNT_STATS)
    .anomalies()
    .trends()
    .writeTo(store)
    .start();
  assert.deepEqual(query.streams, [
    "windows",
    "late",
    "dead_letter",
    "account_anomalies",
    "segment_anomalies",
    "trends",
  ]);
  const m = await query.done;
  assert.deepEqual(sorted(store.outputs), sorted(await byHand()));
  assert.equal(m.status, "finished");
  assert.equal(m.consumed, LOG.totalRows);
  assert.ok(m.reconciled && m.late > 0 && m.duplicates > 0 && m.quarantined > 0, JSON.stringify(m));
  const perStream: Record<string, number> = {};
  for (const o of store.outputs) perStream[o.stream] = (perStream[o.stream] ?? 0) + 1;
  assert.deepEqual(m.outputs, perStream);
  assert.equal(m.latencyMs.samples, LOG.totalRows);
  assert.equal(m.partitions.length, 3);
  assert.ok(m.watermarkLagMs! >= 30_000);
  // Trends keep their state per category, not per merchant (the job's key).
  const { changelog } = await store.load(0);
  const trendKeys = changelog.filter((e) => e.key.startsWith("o|trends|")).map((e) => e.key.slice(9));
  assert.ok(trendKeys.length > 0, "trend state per category");
  const categories = new Set(CATEGORIES.map((c) => c.name));
  assert.ok(trendKeys.every((k) => categories.has(k)), `categories, not merchant ids: ${trendKeys}`);
  const recent = query.recent("windows");
  assert.ok(recent.length === 20, "the last 20 windows are kept");
});

Deno.test("a query stopped mid-stream and started again on its store ends as one uninterrupted run", async () => {
  const reader = readStream.embedded(LOG).withWatermark(30_000).window("tumbling:1m").anomalies();
  const whole = new MemoryCheckpointStore();
  await (await reader.writeTo(whole).start()).done;

  const store = new MemoryCheckpointStore();
  const controller = new AbortController();
  let commits = 0;
  const first = await reader.writeTo(store).start({
    signal: controller.signal,
    onCommit: () => {
      if (++commits === 4) controller.abort();
    },
  });
  const stopped = await first.done;
  assert.ok(stopped.consumed > 0 && stopped.consumed < LOG.totalRows, `stopped at ${stopped.consumed}`);
  const second = await reader.writeTo(store).start();
  const end = await second.done;
  assert.equal(end.consumed, LOG.totalRows, "counts are restored with the state");
  assert.deepEqual(sorted(store.outputs), sorted(whole.outputs));
  // stop() on a finished query resolves with its last metrics.
  assert.equal((await second.stop()).consumed, LOG.totalRows);
});

Deno.test("readStream names what is wrong", async () => {
  const r = readStream.embedded(LOG);
  assert.throws(() => r.withWatermark("soon"), /lateness must be a duration/);
  assert.throws(() => r.withWatermark(-1), /lateness must be an integer number of ms >= 0/);
  assert.throws(() => r.window("hopping:1m"), /window must be tumbling/);
  assert.throws(() => r.groupBy("card"), /key must be one of/);
  assert.throws(() => r.score(""), /model must name a model directory/);
  assert.throws(() => readStream.kafka({ brokers: [], topic: "t" }), /brokers must name/);
  await assert.rejects(() => r.start(), /writeTo\(sink\) is required/);
  await assert.rejects(
    () => r.writeTo({ topicPrefix: "p" }).start(),
    /embedded stream writes to a directory/,
  );
  await assert.rejects(
    () => readStream.kafka({ brokers: ["127.0.0.1:1"], topic: "t" }).writeTo("dir").start(),
    /writeTo\(\{ topicPrefix \}\)/,
  );
  await assert.rejects(() => r.score("/nonexistent/model").writeTo(new MemoryCheckpointStore()).start());
});
