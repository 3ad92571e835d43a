import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type Admin, Kafka, logLevel, type Producer } from "kafkajs";
import { systemClock } from "../../actors/clock.ts";
import { kafkaSkipReason, startTestBroker } from "./kafka_broker.ts";

/** Every wait on the broker fails the test after this long instead of hanging it. */
const WAIT_MS = 60_000;

interface Received {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

/** A fresh topic name: tests never delete topics (kafkajs retries deletes of unknown topics). */
function topicName(what: string): string {
  return `it-${what}-${crypto.randomUUID().slice(0, 8)}`;
}

async function createTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: partitions }],
    waitForLeaders: true,
  });
  assert.equal(created, true, `topic ${topic} was not created`);
}

/** Rejects after `ms` unless settled; the timer is always cleared. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = systemClock.setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    systemClock.clearTimeout(timer);
  }
}

/**
 * Consumes `topic` from the beginning in a fresh group until `done(records)` holds. Records arrive
 * in offset order per partition, so "until the last record written" never needs a sleep.
 */
async function consumeUntil(
  kafka: Kafka,
  topic: string,
  options: { readUncommitted: boolean; done: (records: readonly Received[]) => boolean },
): Promise<Received[]> {
  const consumer = kafka.consumer({
    groupId: `g-${crypto.randomUUID()}`,
    readUncommitted: options.readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const records: Received[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        records.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? "",
          value: message.value?.toString() ?? "",
        });
        if (options.done(records)) resolve();
        return Promise.resolve();
      },
    });
    await within(promise, WAIT_MS, `consuming ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function transactionalProducer(kafka: Kafka, transactionalId: string): Producer {
  return kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: Number.MAX_SAFE_INTEGER },
  });
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test({
  name: "kafkajs produces and consumes through a real Kafka broker, transactions included",
  ignore: kafkaSkipReason !== undefined,
  fn: async (t) => {
    await using broker = await startTestBroker();
    const kafka = new Kafka({ clientId: "frontier-it", brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await t.step("keyed records come back complete and in order per key across 3 partitions", async () => {
        const topic = topicName("plain");
        await createTopic(admin, topic, 3);
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        try {
          const messages = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 30}`, value: String(i) }));
          await producer.send({ topic, messages, acks: -1 });
        } finally {
          await producer.disconnect();
        }
        const records = await consumeUntil(kafka, topic, {
          readUncommitted: false,
          done: (r) => r.length >= 300,
        });
        assert.equal(records.length, 300);
        assert.deepEqual(records.map((r) => Number(r.value)).sort((a, b) => a - b), [...Array(300).keys()]);
        assert.equal(new Set(records.map((r) => r.partition)).size, 3, "keys spread over every partition");
        for (let k = 0; k < 30; k++) {
          const mine = records.filter((r) => r.key === `k${k}`);
          assert.equal(new Set(mine.map((r) => r.partition)).size, 1, `key k${k} stays on one partition`);
          assert.deepEqual(
            mine.map((r) => Number(r.value)),
            Array.from({ length: 10 }, (_, j) => k + 30 * j),
          );
        }
      });

      await t.step(
        "read_committed sees committed transactions only; read_uncommitted sees aborted ones too",
        async () => {
          const topic = topicName("txn");
          await createTopic(admin, topic, 1);
          const producer = transactionalProducer(kafka, `tx-${topic}`);
          await producer.connect();
          try {
            const batch = (prefix: string, n: number) =>
              Array.from({ length: n }, (_, i) => ({ key: prefix, value: `${prefix}-${i}` }));
            const first = await producer.transaction();
            await first.send({ topic, messages: batch("committed", 50) });
            await first.commit();
            const aborted = await producer.transaction();
            await aborted.send({ topic, messages: batch("aborted", 20) });
            await aborted.abort();
            const last = await producer.transaction();
            await last.send({ topic, messages: [...batch("later", 10), { key: "end", value: "end" }] });
            await last.commit();
          } finally {
            await producer.disconnect();
          }
          const untilEnd = (r: readonly Received[]) => r.at(-1)?.value === "end";
          const committed = await consumeUntil(kafka, topic, { readUncommitted: false, done: untilEnd });
          const everything = await consumeUntil(kafka, topic, { readUncommitted: true, done: untilEnd });
          const countBy = (rs: Received[]) =>
            Object.fromEntries(
              ["committed", "aborted", "later", "end"].map((k) => [k, rs.filter((r) => r.key === k).length]),
            );
          assert.deepEqual(countBy(committed), { committed: 50, aborted: 0, later: 10, end: 1 });
          assert.deepEqual(countBy(everything), { committed: 50, aborted: 20, later: 10, end: 1 });
          // Transaction markers take offsets too: the committed reader skips the aborted range.
          assert.ok(committed.at(-1)!.offset > 80, `last offset ${committed.at(-1)!.offset} counts markers`);
        },
      );

      await t.step(
        "records of a producer killed mid-transaction stay invisible to read_committed",
        async () => {
          const topic = topicName("killed");
          await createTopic(admin, topic, 1);
          const transactionalId = `tx-${topic}`;
          const child = new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              "tests/streaming/fixtures/open_transaction.ts",
              broker.bootstrap,
              topic,
              transactionalId,
              "25",
            ],
            cwd: ROOT,
            stdin: "piped",
            stdout: "piped",
            stderr: "null",
          }).spawn();
          const reader = child.stdout.getReader();
          let said = "";
          try {
            while (!said.includes("open")) {
              const { value, done } = await within(
                reader.read(),
                WAIT_MS,
                "the producer opening its transaction",
              );
              if (done) break;
              said += new TextDecoder().decode(value);
            }
          } finally {
            child.kill("SIGKILL");
            reader.releaseLock();
            await child.stdout.cancel();
            await child.stdin.close().catch(() => {});
          }
          const status = await child.status;
          assert.equal(said.trim(), "open");
          assert.equal(status.signal, "SIGKILL");

          // The successor takes over the transactional id: initialising it aborts the open transaction.
          const successor = transactionalProducer(kafka, transactionalId);
          await successor.connect();
          try {
            const txn = await successor.transaction();
            await txn.send({
              topic,
              messages: Array.from({ length: 10 }, (_, i) => ({ key: "survivor", value: `survivor-${i}` })),
            });
            await txn.commit();
          } finally {
            await successor.disconnect();
          }
          const untilLast = (r: readonly Received[]) => r.at(-1)?.value === "survivor-9";
          const committed = await consumeUntil(kafka, topic, { readUncommitted: false, done: untilLast });
          const everything = await consumeUntil(kafka, topic, { readUncommitted: true, done: untilLast });
          const doomed = (rs: Received[]) => rs.filter((r) => r.value.startsWith("doomed-")).length;
          assert.deepEqual(
            committed.map((r) => r.value),
            Array.from({ length: 10 }, (_, i) => `survivor-${i}`),
          );
          assert.equal(doomed(committed), 0);
          assert.equal(doomed(everything), 25, "the killed producer's records did reach the log");
          assert.equal(everything.length, 35);
        },
      );
    } finally {
      await admin.disconnect();
    }
  },
});
