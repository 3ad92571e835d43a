/**
 * Shared by the Kafka stream integration tests: a fresh input topic of generated transactions per
 * test, the outputs a run without faults gives, and the outputs a run committed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Admin, Kafka } from "kafkajs";
import { PartitionProcessor } from "../../streaming/partition_processor.ts";
import { changelogTopic, outputTopic } from "../../streaming/kafka_source.ts";
import { generatedLogs } from "./transaction_fixture.ts";
import { WORKER_WINDOWS } from "./fixtures/worker_windows.ts";
import { isPacked, unpackOutputs } from "../../streaming/kafka_pack.ts";
import { markEnds, type ReadRecord, readToEnds, type WorkerConfig } from "./stream_worker_process.ts";

export const PARTITIONS = 3;
export const STREAMS = ["windows", "late", "dead_letter", "running_totals"];
/** The broker's minimum: a silent member keeps its partitions this long. */
export const SESSION_TIMEOUT_MS = 6_000;

/** The generated input, per partition, ending with a record far in the future that fires every window. */
export function inputLogs(rows: number, seed: number): Uint8Array[][] {
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
export function noFaultOutputs(logs: readonly Uint8Array[][]): string[] {
  const out: string[] = [];
  for (const [p, log] of logs.entries()) {
    const processor = new PartitionProcessor(p, WORKER_WINDOWS);
    const r = processor.process(log.map((value, offset) => ({ offset, value })), 0);
    for (const o of r.outputs) out.push(`${o.stream}|${p}|${o.key}|${JSON.stringify(o.value)}`);
  }
  return out.sort();
}

export function asLines(prefix: string, records: readonly ReadRecord[]): string[] {
  return records.map((r) => `${r.topic.slice(prefix.length + 1)}|${r.partition}|${r.key}|${r.value}`).sort();
}

export async function produce(
  kafka: Kafka,
  topic: string,
  logs: readonly Uint8Array[][],
  from = 0,
  to = Infinity,
) {
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

export interface Run {
  readonly config: Omit<WorkerConfig, "holdAfterCommits">;
  readonly logs: Uint8Array[][];
  readonly ends: number[];
}

export async function freshRun(
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

/** `records` with every packed record (see `kafka_pack.ts`) replaced by the outputs it holds. */
export function unpacked(records: readonly ReadRecord[]): ReadRecord[] {
  return records.flatMap((r) =>
    isPacked(r.value)
      ? unpackOutputs(r.value).map((o) => ({ ...r, key: o.key, value: JSON.stringify(o.value) }))
      : [r]
  );
}

/** Reads the outputs committed (and, for comparison, everything written) after every worker is done. */
export async function outputsOf(kafka: Kafka, run: Run) {
  const topics = STREAMS.map((s) => outputTopic(run.config.outputPrefix, s));
  await markEnds(kafka, [...topics, changelogTopic(run.config.outputPrefix)], PARTITIONS);
  const records = await readToEnds(kafka, topics, { partitions: PARTITIONS, readUncommitted: false });
  const committed = unpacked(records);
  const everything = unpacked(
    await readToEnds(kafka, [...topics, changelogTopic(run.config.outputPrefix)], {
      partitions: PARTITIONS,
      readUncommitted: true,
    }),
  );
  const changelog = await readToEnds(kafka, [changelogTopic(run.config.outputPrefix)], {
    partitions: PARTITIONS,
    readUncommitted: false,
  });
  return {
    committed: asLines(run.config.outputPrefix, committed),
    committedRecords: records.length,
    everything,
    changelog,
  };
}
