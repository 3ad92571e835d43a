import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type Admin, Kafka } from "kafkajs";
import { PartitionProcessor } from "../../streaming/partition_processor.ts";
import { changelogTopic, outputTopic } from "../../streaming/kafka_source.ts";
import { kafkaSkipReason, startTestBroker } from "./kafka_broker.ts";
import { generatedLogs } from "./transaction_fixture.ts";
import { WORKER_WINDOWS } from "./fixtures/worker_windows.ts";
import {
  committedTo,
  markEnds,
  QUIET,
  type ReadRecord,
  readToEnds,
  waitForWorkers,
  type WorkerConfig,
  WorkerProcess,
} from "./stream_worker_process.ts";

const PARTITIONS = 3;
const STREAMS = ["windows", "late", "dead_letter", "running_totals"];
/** The broker's minimum: a silent member keeps its partitions this long. */
const SESSION_TIMEOUT_MS = 6_000;

/** The generated input, per partition, ending with a record far in the future that fires every window. */
function inputLogs(rows: number, seed: number): Uint8Array[][] {
  return generatedLogs({ rows, partitions: PARTITIONS, seed }).map((log, p) => [
    ...log,
    new TextEncoder().encode(JSON.stringify({
      transaction_id: `flush-${p}`,
      event_time: "2030-01-01T00:00:00Z",
      account_id: "~flush",
      merchant_id: "m",
      merchant_category: "c",
      amount: 0,
      currency: "USD",
      channel: "pos",
      country: "US",
    })),
  ]);
}

/** What a run without faults outputs: every output as `stream|partition|key|value`, sorted. */
function noFaultOutputs(logs: readonly Uint8Array[][]): string[] {
  const out: string[] = [];
  for (const [p, log] of logs.entries()) {
    const processor = new PartitionProcessor(p, WORKER_WINDOWS);
    const r = processor.process(log.map((value, offset) => ({ offset, value })), 0);
    for (const o of r.outputs) out.push(`${o.stream}|${p}|${o.key}|${JSON.stringify(o.value)}`);
  }
  return out.sort();
}

function asLines(prefix: string, records: readonly ReadRecord[]): string[] {
  return records.map((r) => `${r.topic.slice(prefix.length + 1)}|${r.partition}|${r.key}|${r.value}`).sort();
}

async function produce(kafka: Kafka, topic: string, logs: readonly Uint8Array[][], from = 0, to = Infinity) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [{
        topic,
        messages: logs.flatMap((log, partition) =>
          log.slice(from, Math.min(to, log.length)).map((value) => ({
            value: Buffer.from(value),
            partition,
          }))
        ),
      }],
    });
  } finally {
    await producer.disconnect();
  }
}

interface Run {
  readonly config: Omit<WorkerConfig, "holdAfterCommits">;
  readonly logs: Uint8Array[][];
  readonly ends: number[];
}

async function freshRun(
  admin: Admin,
  bootstrap: string,
  what: string,
  rows: number,
): Promise<Run> {
  const id = `${what}-${crypto.randomUUID().slice(0, 8)}`;
  const topic = `in-${id}`;
  assert.equal(
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true }),
    true,
  );
  const logs = inputLogs(rows, rows);
  return {
    config: {
      bootstrap,
      topic,
      groupId: `g-${id}`,
      outputPrefix: `out-${id}`,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      maxBatchRecords: 150,
    },
    logs,
    ends: logs.map((l) => l.length),
  };
}

/** Reads the outputs committed (and, for comparison, everything written) after every worker is done. */
async function outputsOf(kafka: Kafka, run: Run) {
  const topics = STREAMS.map((s) => outputTopic(run.config.outputPrefix, s));
  await markEnds(kafka, [...topics, changelogTopic(run.config.outputPrefix)], PARTITIONS);
  const committed = await readToEnds(kafka, topics, { partitions: PARTITIONS, readUncommitted: false });
  const everything = await readToEnds(kafka, [...topics, changelogTopic(run.config.outputPrefix)], {
    partitions: PARTITIONS,
    readUncommitted: true,
  });
  const changelog = await readToEnds(kafka, [changelogTopic(run.config.outputPrefix)], {
    partitions: PARTITIONS,
    readUncommitted: false,
  });
  return { committed: asLines(run.config.outputPrefix, committed), everything, changelog };
}

Deno.test({
  name:
    "Kafka stream runtime commits exactly once across kill -9, a fenced zombie and a rebalance; at-least-once loses nothing",
  ignore: kafkaSkipReason !== undefined,
  fn: async (t) => {
    await using broker = await startTestBroker();
    const kafka = new Kafka({ clientId: "frontier-eos-it", brokers: broker.brokers, logLevel: QUIET });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await t.step(
        "kill -9 inside open transactions 3 times: 0 lost, 0 duplicated, windows as without faults",
        async () => {
          const run = await freshRun(admin, broker.bootstrap, "kill", 4000);
          await produce(kafka, run.config.topic, run.logs);
          const expected = noFaultOutputs(run.logs);
          for (let kill = 0; kill < 3; kill++) {
            const worker = new WorkerProcess({ ...run.config, holdAfterCommits: 2 });
            await worker.waitFor((l) => l.startsWith("open "), `kill ${kill}: a transaction held open`);
            worker.kill("SIGKILL");
            assert.equal((await worker.exit()).signal, "SIGKILL");
          }
          const last = new WorkerProcess(run.config);
          await last.waitFor(committedTo(run.ends), "the last worker committing every partition to its end");
          assert.equal((await last.stop()).code, 0);
          assert.ok(
            last.lines.some((l) => /^assigned \d+ [1-9]\d* [1-9]\d*$/.test(l)),
            `the last worker restored state:\n${
              last.lines.filter((l) => l.startsWith("assigned")).join("\n")
            }`,
          );
          const { committed, everything } = await outputsOf(kafka, run);
          assert.ok(expected.length > 300, `${expected.length} outputs expected`);
          assert.ok(
            expected.filter((l) => l.startsWith("running_totals|")).length > 50,
            "the operator's outputs count too",
          );
          assert.equal(committed.length, expected.length, "0 lost and 0 duplicated");
          assert.deepEqual(committed, expected);
          const written = everything.filter((r) => !r.topic.endsWith(".changelog")).length;
          assert.ok(
            written > expected.length,
            `read_uncommitted shows aborted copies: ${written} > ${expected.length}`,
          );
        },
      );

      await t.step(
        "a zombie stopped inside a transaction past its session timeout is fenced: 0 duplicates",
        async () => {
          const run = await freshRun(admin, broker.bootstrap, "zombie", 2000);
          await produce(kafka, run.config.topic, run.logs);
          const expected = noFaultOutputs(run.logs);
          const zombie = new WorkerProcess({ ...run.config, holdAfterCommits: 2 });
          try {
            await zombie.waitFor((l) => l.startsWith("open "), "the zombie holding a transaction open");
            zombie.kill("SIGSTOP");
            const successor = new WorkerProcess(run.config);
            await successor.waitFor(
              committedTo(run.ends),
              "the successor committing every partition to its end",
            );
            zombie.kill("SIGCONT");
            await zombie.send("go");
            const fatal = await zombie.waitFor((l) => l.startsWith("fatal "), "the zombie failing to commit");
            // Refused by the transaction coordinator: usually "old epoch"; when the successor's last
            // commit is still completing, first "another concurrent operation" — either way, no commit.
            assert.match(fatal, /epoch|fenc|concurrent operation/i);
            assert.equal((await zombie.exit()).code, 3);
            assert.equal((await successor.stop()).code, 0);
          } finally {
            zombie.kill("SIGCONT");
            zombie.kill("SIGKILL");
            await zombie.exit();
          }
          const { committed } = await outputsOf(kafka, run);
          assert.deepEqual(committed, expected);
        },
      );

      await t.step(
        "a member joining mid-stream takes partitions with their state restored from the changelog",
        async () => {
          const run = await freshRun(admin, broker.bootstrap, "rebalance", 3000);
          const half = Math.floor(Math.min(...run.ends) / 2);
          await produce(kafka, run.config.topic, run.logs, 0, half);
          const expected = noFaultOutputs(run.logs);
          const first = new WorkerProcess(run.config);
          const second = (async () => {
            await first.waitFor(
              committedTo(run.ends.map(() => half)),
              "the first member finishing the first half",
            );
            return new WorkerProcess(run.config);
          })();
          const joined = await second;
          await joined.waitFor((l) => l.startsWith("assigned "), "the second member getting partitions");
          await produce(kafka, run.config.topic, run.logs, half);
          await waitForWorkers(
            [first, joined],
            committedTo(run.ends),
            "both members committing every partition to its end",
          );
          assert.equal((await joined.stop()).code, 0);
          assert.equal((await first.stop()).code, 0);
          const moved = joined.lines.filter((l) => /^assigned \d+ [1-9]\d* [1-9]\d*$/.test(l));
          assert.ok(
            moved.length > 0,
            `a moved partition resumed from restored state:\n${joined.lines.join("\n")}`,
          );
          const { committed } = await outputsOf(kafka, run);
          assert.deepEqual(committed, expected);
        },
      );

      await t.step("at-least-once (the documented option) across kill -9 loses nothing", async () => {
        const run = await freshRun(admin, broker.bootstrap, "alo", 2000);
        await produce(kafka, run.config.topic, run.logs);
        const expected = noFaultOutputs(run.logs);
        const config = { ...run.config, guarantee: "at-least-once" as const };
        const killed = new WorkerProcess({ ...config, holdAfterCommits: 2 });
        await killed.waitFor((l) => l.startsWith("open "), "a batch sent but its offsets not committed");
        killed.kill("SIGKILL");
        await killed.exit();
        const last = new WorkerProcess(config);
        await last.waitFor(committedTo(run.ends), "the last worker committing every partition to its end");
        assert.equal((await last.stop()).code, 0);
        const { committed } = await outputsOf(kafka, run);
        assert.deepEqual([...new Set(committed)].sort(), expected, "every output, none lost");
        assert.ok(committed.length >= expected.length);
      });
    } finally {
      await admin.disconnect();
    }
  },
});
