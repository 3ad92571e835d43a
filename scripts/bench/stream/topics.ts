/**
 * Kafka helpers of the streaming benchmark: generated transactions produced by the CLI
 * (`frontier stream produce`, the documented replay producer) and topics read back to their end.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type Kafka, logLevel } from "kafkajs";
import { systemClock } from "../../../actors/clock.ts";
import { Child } from "./child.ts";

const CLI = new URL("../../cli/main.ts", import.meta.url);

/** Quiet kafkajs logs. */
export const QUIET = logLevel.NOTHING;

/**
 * Starts `frontier stream produce` of `rows` generated transactions into `topic` (created with
 * `partitions` partitions), optionally at `rate` events/s. Resolves to the running child.
 */
export function produceChild(
  bootstrap: string,
  topic: string,
  options: { rows: number; partitions: number; rate?: number; seed?: number },
): Child {
  return new Child(CLI, [
    "stream",
    "produce",
    "--rows",
    String(options.rows),
    "--topic",
    `kafka://${bootstrap}/${topic}`,
    "--partitions",
    String(options.partitions),
    "--seed",
    String(options.seed ?? 7),
    ...(options.rate === undefined ? [] : ["--rate", String(Math.round(options.rate))]),
    "--json",
  ]);
}

/** A record read back. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: string;
}

const END = "__bench_end__";

/**
 * Reads every record of `topics` (each with `partitions` partitions) up to now: an end marker is
 * appended to each partition first (non-transactionally, after every writer is done) and reading
 * stops at it, which works for read_committed too (aborted records and control batches leave gaps
 * that make offsets unusable as an end). The markers are not returned.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: readonly string[],
  options: { partitions: number; readUncommitted: boolean; timeoutMs?: number },
): Promise<ReadRecord[]> {
  const marker = `${END}${crypto.randomUUID()}`;
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: topics.map((topic) => ({
        topic,
        messages: Array.from({ length: options.partitions }, (_, partition) => ({
          key: marker,
          value: Buffer.from(marker),
          partition,
        })),
      })),
    });
  } finally {
    await producer.disconnect();
  }
  const out: ReadRecord[] = [];
  let open = topics.length * options.partitions;
  const consumer = kafka.consumer({
    groupId: `bench-read-${crypto.randomUUID()}`,
    readUncommitted: options.readUncommitted,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const { promise: finished, resolve, reject } = Promise.withResolvers<void>();
  const timer = systemClock.setTimeout(
    () => reject(new Error(`topics ${topics.join(", ")} not read to their end marker in time`)),
    options.timeoutMs ?? 300_000,
  );
  const done = new Set<string>();
  try {
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const id = `${batch.topic}/${batch.partition}`;
        if (done.has(id)) return Promise.resolve();
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? "";
          if (key === marker) {
            done.add(id);
            if (--open === 0) resolve();
            break;
          }
          if (key.startsWith(END)) continue; // an earlier read's marker
          out.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key,
            value: m.value?.toString() ?? "",
          });
        }
        return Promise.resolve();
      },
    });
    await finished;
  } finally {
    systemClock.clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
  return out;
}
