import assert from "node:assert/strict";
import { FakeClock } from "../../actors/clock.ts";
import {
  type ChangelogEntry,
  PartitionProcessor,
  type ProcessorOptions,
  type StreamOutput,
} from "../../streaming/partition_processor.ts";
import { EmbeddedSource, GeneratedLog, MemoryCheckpointStore } from "../../streaming/embedded_source.ts";
import { runStream } from "../../streaming/source.ts";
import {
  AMOUNT_STATS,
  type AmountStats,
  transactionDecoder,
  type TransactionValue,
} from "../../streaming/transactions.ts";
import type { StreamOperator } from "../../streaming/operator.ts";
import {
  keyedAccountAnomalies,
  keyedFeatures,
  keyedSegmentAnomalies,
} from "../../streaming/operators/keyed_operators.ts";
import { tumbling } from "../../streaming/window.ts";
import { rng } from "../cluster/test_rng.ts";
import { generatedLogs } from "./transaction_fixture.ts";

/** Counts events per key and emits the running count every 5th event: state must survive restarts. */
const COUNTER: StreamOperator<TransactionValue, { n: number }, { n: number }> = {
  name: "counter",
  init: () => ({ n: 0 }),
  step: (s, _e) => {
    const n = s.n + 1;
    return { state: { n }, outputs: n % 5 === 0 ? [{ value: { n } }] : [] };
  },
};

const OPTIONS: ProcessorOptions<TransactionValue, AmountStats> = {
  window: tumbling(60_000),
  allowedLatenessMs: 30_000,
  decode: transactionDecoder("account"),
  aggregate: AMOUNT_STATS,
  operators: [COUNTER as StreamOperator<TransactionValue, unknown, unknown>],
};

function noFault(partition: number, log: readonly Uint8Array[], options = OPTIONS) {
  const p = new PartitionProcessor(partition, options);
  const r = p.process(log.map((value, offset) => ({ offset, value })), 0);
  return { outputs: r.outputs, counts: p.counts };
}

Deno.test("PartitionProcessor accounts for every generated record: aggregated + late + duplicates + quarantined", () => {
  const logs = generatedLogs({ rows: 3000, partitions: 3 });
  let total = 0;
  for (const [partition, log] of logs.entries()) {
    const { outputs, counts } = noFault(partition, log);
    total += counts.consumed;
    assert.equal(counts.consumed, log.length);
    assert.equal(counts.consumed, counts.aggregated + counts.late + counts.duplicates + counts.quarantined);
    assert.ok(counts.late > 0 && counts.duplicates > 0 && counts.quarantined > 0, JSON.stringify(counts));
    const streams = (s: string) => outputs.filter((o) => o.stream === s);
    assert.equal(streams("late").length, counts.late);
    assert.equal(streams("dead_letter").length, counts.quarantined);
    for (const d of streams("dead_letter")) assert.match((d.value as { reason: string }).reason, /./);
    const paneEvents = streams("windows").reduce((s, o) => s + (o.value as { events: number }).events, 0);
    assert.ok(paneEvents <= counts.aggregated && paneEvents > counts.aggregated * 0.9, `${paneEvents}`);
  }
  assert.equal(total, 3000);
});

/** Processes `log` in random batches, crashing before some commits and restoring from the changelog. */
function withCrashes(
  partition: number,
  log: readonly Uint8Array[],
  options: ProcessorOptions<TransactionValue, AmountStats>,
  random: () => number,
) {
  const changelog: ChangelogEntry[] = [];
  const committed: StreamOutput[] = [];
  let processor = new PartitionProcessor(partition, options);
  let crashes = 0;
  while (processor.nextOffset < log.length) {
    const from = processor.nextOffset;
    const n = 1 + Math.floor(random() * 60);
    const result = processor.process(
      log.slice(from, from + n).map((value, i) => ({ offset: from + i, value })),
      from,
    );
    if (random() < 0.3) {
      crashes++; // the batch never committed: a new processor starts from the changelog
      processor = new PartitionProcessor(partition, options);
      assert.equal(processor.restore(changelog), from);
      continue;
    }
    assert.equal(result.changelog.at(-1)?.key, "meta", "meta is written last");
    changelog.push(...result.changelog);
    committed.push(...result.outputs);
  }
  return { committed, crashes, counts: processor.counts };
}

Deno.test("the operators of streaming/operators plug in, and their JSON state survives crashes and restores", () => {
  const options = {
    ...OPTIONS,
    operators: [keyedFeatures(), keyedAccountAnomalies(), keyedSegmentAnomalies()] as StreamOperator<
      TransactionValue,
      unknown,
      unknown
    >[],
  };
  const log = generatedLogs({ rows: 1500, partitions: 1 })[0]!;
  const expected = noFault(0, log, options);
  const streams = new Set(expected.outputs.map((o) => o.stream));
  assert.ok(streams.has("velocity_features") && streams.has("account_anomalies"), [...streams].join(", "));
  const run = withCrashes(0, log, options, rng(5));
  assert.ok(run.crashes > 3, `${run.crashes} crashes`);
  assert.deepEqual(run.committed, expected.outputs);
});

Deno.test("PartitionProcessor restored from its changelog after crashes reproduces the no-fault outputs", () => {
  const random = rng(11);
  for (const [partition, log] of generatedLogs({ rows: 2000, partitions: 2 }).entries()) {
    const expected = noFault(partition, log);
    const run = withCrashes(partition, log, OPTIONS, random);
    assert.ok(run.crashes > 3, `${run.crashes} crashes`);
    assert.deepEqual(run.committed, expected.outputs);
    assert.deepEqual(run.counts, expected.counts);
    assert.ok(run.committed.some((o) => o.stream === "counter"), "the operator emitted");
  }
});

Deno.test("PartitionProcessor changelog tombstones fired windows and skips records already processed", () => {
  const log = generatedLogs({ rows: 800, partitions: 1 })[0]!;
  const p = new PartitionProcessor(0, OPTIONS);
  const first = p.process(log.slice(0, 400).map((value, offset) => ({ offset, value })), 0);
  assert.ok(first.changelog.some((e) => e.key.startsWith("w|") && e.value !== undefined));
  const second = p.process(log.map((value, offset) => ({ offset, value })), 1);
  assert.equal(p.counts.consumed, 800, "offsets below nextOffset are not processed twice");
  assert.ok(second.outputs.some((o) => o.stream === "windows"));
});

Deno.test("EmbeddedSource stopped mid-stream and restarted on its checkpoint store loses and repeats nothing", async () => {
  const logOptions = {
    seed: 3,
    totalRows: 4000,
    partitions: 3,
    durationMs: 4_000_000,
    accounts: 30,
    outOfOrderFraction: 0.2,
    lateFraction: 0.02,
    allowedLatenessMs: 30_000,
    duplicateFraction: 0.03,
    malformedFraction: 0.02,
  };
  const clock = new FakeClock(0);
  const reference = new MemoryCheckpointStore();
  await runStream({
    source: new EmbeddedSource({ log: new GeneratedLog(logOptions), store: reference, clock }),
    clock,
  }, {
    ...OPTIONS,
    signal: new AbortController().signal,
  });

  const store = new MemoryCheckpointStore();
  let runs = 0;
  for (let done = false; !done; runs++) {
    const stop = new AbortController();
    let commits = 0;
    const consumed = new Map<number, number>();
    await runStream(
      {
        source: new EmbeddedSource({ log: new GeneratedLog(logOptions), store, clock }, { batchSize: 97 }),
        clock,
      },
      {
        ...OPTIONS,
        signal: stop.signal,
        onCommit: (r) => {
          consumed.set(r.partition, r.counts.consumed);
          if (++commits === 7) stop.abort();
        },
      },
    );
    done = !stop.signal.aborted;
    assert.ok(runs < 50);
  }
  assert.ok(runs > 3, `${runs} runs`);
  const sortKey = (o: { stream: string; partition: number; key: string; value: unknown }) =>
    JSON.stringify([o.stream, o.partition, o.key, o.value]);
  assert.deepEqual(store.outputs.map(sortKey).sort(), reference.outputs.map(sortKey).sort());
  assert.ok(reference.outputs.filter((o) => o.stream === "windows").length > 100);
});

Deno.test("PartitionProcessor writes a tombstone only for a key the changelog holds a value of", () => {
  const options: ProcessorOptions<TransactionValue, AmountStats> = {
    window: tumbling(60_000),
    allowedLatenessMs: 0,
    decode: transactionDecoder("account"),
    aggregate: AMOUNT_STATS,
  };
  const event = (id: string, account: string, minute: number) =>
    JSON.stringify({
      transaction_id: id,
      account_id: account,
      merchant_id: "m",
      merchant_category: "grocery",
      amount: 1,
      currency: "EUR",
      channel: "pos",
      country: "DE",
      event_time: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(),
    });
  const keys = (entries: readonly ChangelogEntry[]) =>
    entries.filter((e) => e.key !== "meta").map((e) => `${e.key}=${e.value === undefined ? "∅" : "v"}`);
  const p = new PartitionProcessor(0, options);
  // a's pane opens and fires (with its id forgotten) inside one batch: nothing to write for it.
  const first = p.process([
    { offset: 0, value: event("t0", "a", 0) },
    { offset: 1, value: event("t1", "b", 5) },
    { offset: 2, value: event("t2", "c", 5) },
  ], 0);
  assert.deepEqual(keys(first.changelog).sort(), ["w|b=v", "w|c=v"]);
  // b and c were written, so their deletion is.
  const second = p.process([{ offset: 3, value: event("t3", "d", 10) }], 0);
  assert.deepEqual(keys(second.changelog).sort(), ["w|b=∅", "w|c=∅", "w|d=v"]);
  // After a restore, a key the changelog holds is deleted with a tombstone; the result is the same.
  const restored = new PartitionProcessor(0, options);
  restored.restore([...first.changelog, ...second.changelog]);
  const again = restored.process([{ offset: 4, value: event("t4", "e", 20) }], 0);
  const direct = p.process([{ offset: 4, value: event("t4", "e", 20) }], 0);
  assert.deepEqual(keys(again.changelog).sort(), ["w|d=∅", "w|e=v"]);
  assert.deepEqual(again, direct);
});
