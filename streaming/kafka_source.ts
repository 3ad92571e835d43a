/**
 * The Kafka {@linkcode StreamSource}: a kafkajs consumer-group member reading one input topic with
 * read_committed, whose batches commit exactly once (or, as a documented option, at least once).
 *
 * **Exactly-once** (the default), per input partition `p`:
 * - Every batch is one Kafka transaction holding the outputs (`<prefix>.windows`, `.late`,
 *   `.dead_letter`, one topic per operator; all written to partition `p`), the state-changelog
 *   deltas (`<prefix>.changelog`, compacted, partition `p`, the `meta` record last) and the consumer
 *   offset (`sendOffsets`). Readers with read_committed see all of a batch or none of it.
 * - Each input partition has **its own transactional id** (`<group>.<topic>.<p>`). On every
 *   assignment the partition's producer is created anew and initialised, which fences any earlier
 *   owner — a "zombie" that stalled past its session timeout and wakes up inside a transaction
 *   gets "Producer attempted an operation with an old epoch" and cannot commit — and aborts its
 *   open transaction. Only then is the committed offset read (kafkajs speaks only TxnOffsetCommit
 *   v0–1, so the group coordinator alone cannot fence a zombie; see `../shared/notes/kafka.md`).
 * - The state is restored before processing resumes: the changelog partition is read with
 *   read_committed up to the `meta` record whose `nextOffset` equals the committed offset (the
 *   last committed transaction wrote both), so state and offset always belong together.
 * - Records below the committed offset (a fetch that started from an offset read before the
 *   fence) are skipped, never processed twice.
 * - A failed commit is fatal: the member stops (the run rejects) and must be restarted by its
 *   supervisor; the transaction is aborted, and the next owner resumes from the last commit.
 *
 * **At-least-once** (`guarantee: "at-least-once"`): outputs and changelog deltas are sent with an
 * idempotent producer; once they are acknowledged the batch is done, and its offset is committed
 * by the consumer **in the background** (`offset_committer.ts`: one commit in flight, holding the
 * latest offset of every partition; flushed before a revocation and at shutdown). After a crash
 * before the commit lands the batch's outputs are written again (duplicates, never losses); the
 * state is restored from the changelog's end, which may be ahead of the committed offset, and
 * processing resumes there. A commit refused because the group is rebalancing is dropped (the
 * next owner resumes from the changelog's end anyway); any other failed commit stops the member.
 *
 * Failover after a member dies takes the session timeout plus one rejoin.
 *
 * @module
 */
import { type Admin, Kafka, logLevel, type Producer } from "kafkajs";
import type { Clock } from "../actors/clock.ts";
import type { BatchResult, SourceRecord } from "./partition_processor.ts";
import type { PartitionLease, SourceHandler, StreamSource } from "./source.ts";
import { restoreChangelog } from "./kafka_changelog.ts";
import { type OutMessage, produceRequests } from "./kafka_requests.ts";
import { packOutputs } from "./kafka_pack.ts";
import { OffsetCommitter } from "./offset_committer.ts";

const DEFAULT_BATCH_RECORDS = 10_000;
const DEFAULT_FETCH_BYTES = 8 * 1024 * 1024;
const EMPTY = new Uint8Array(0);
/**
 * Per topic and request: below the broker's default `message.max.bytes` (1 MiB), and few enough
 * messages that kafkajs' quadratic grouping stays cheap (see `kafka_requests.ts`).
 */
const REQUEST_LIMITS = { maxBytes: 900 * 1024, maxMessages: 500 };
/** UTF-16 code units of one packed record at most (≤ 768 KiB of UTF-8, under `maxBytes`). */
const PACK_LIMIT = 256 * 1024;
/**
 * Retries of a transactional producer: without end (a limit "may invalidate EoS guarantees"), and
 * starting at 20 ms like Kafka's Java client, not kafkajs' 300 ms. A batch that starts its
 * transaction while the coordinator still writes the previous one's markers gets
 * CONCURRENT_TRANSACTIONS and is retried: with 300 ms that wait was the p99 of the latency.
 */
const TRANSACTIONAL_RETRY = { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 20, maxRetryTime: 5_000 };
/** Errors of an offset commit refused because the group is rebalancing (kafkajs `type`s). */
const REBALANCE_ERRORS: ReadonlySet<string> = new Set([
  "REBALANCE_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "FENCED_INSTANCE_ID",
]);

/** Delivery guarantee of the outputs. */
export type Guarantee = "exactly-once" | "at-least-once";

/** Settings of a {@linkcode KafkaSource}. */
export interface KafkaSourceOptions {
  /** `host:port` of the bootstrap brokers. */
  readonly brokers: readonly string[];
  /** The input topic. */
  readonly topic: string;
  /** The consumer group; also names the transactional ids. */
  readonly groupId: string;
  /** Output topics are `<prefix>.<stream>`, the changelog `<prefix>.changelog`. */
  readonly outputPrefix: string;
  /** Output streams besides `windows`, `late` and `dead_letter` (the operators' names). @default {[]} */
  readonly operatorStreams?: readonly string[];
  /** Delivery guarantee; at-least-once must be asked for. @default {"exactly-once"} */
  readonly guarantee?: Guarantee;
  /** Group session timeout (ms): how long a silent member keeps its partitions. @default {10000} */
  readonly sessionTimeoutMs?: number;
  /**
   * Records per batch (per transaction) at most: larger batches amortise a transaction's round
   * trips and coalesce changelog deltas of keys touched repeatedly. @default {10000}
   */
  readonly maxBatchRecords?: number;
  /**
   * Assigned partitions processed and committed at the same time (each has its own producer and
   * transaction, so their broker round trips overlap). @default {8}
   */
  readonly concurrentPartitions?: number;
  /**
   * Write each batch's outputs of one stream as few packed records (newline-delimited JSON with a
   * header naming the count; see `kafka_pack.ts`) instead of one record per output. Readers of
   * the output topics must unpack them. @default {false}
   */
  readonly packOutputs?: boolean;
  /** Bytes one fetch may return per partition. @default {8388608} */
  readonly maxFetchBytesPerPartition?: number;
  /** kafkajs client id. @default {"frontier-stream"} */
  readonly clientId?: string;
  /**
   * Called after a batch's outputs are sent and before its offsets commit (inside the transaction
   * with exactly-once); tests hold a batch open here.
   */
  readonly beforeCommit?: (partition: number) => Promise<void>;
}

/** The output topic of `stream`. */
export function outputTopic(prefix: string, stream: string): string {
  return `${prefix}.${stream}`;
}

/** The changelog topic of a run. */
export function changelogTopic(prefix: string): string {
  return `${prefix}.changelog`;
}

/**
 * Creates the output topics and the compacted changelog, each with as many partitions as the input
 * (existing topics are kept). Returns the input's partition count.
 */
export async function ensureStreamTopics(
  admin: Admin,
  options: { readonly topic: string; readonly outputPrefix: string; readonly streams: readonly string[] },
): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [options.topic] }).catch((e: unknown) => {
    const type = (e as { type?: unknown }).type;
    throw type === "UNKNOWN_TOPIC_OR_PARTITION"
      ? new Error(`input topic "${options.topic}" does not exist`, { cause: e })
      : e;
  });
  const partitions = meta.topics[0]?.partitions.length ?? 0;
  if (partitions === 0) throw new Error(`input topic "${options.topic}" has no partitions`);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      ...options.streams.map((s) => ({
        topic: outputTopic(options.outputPrefix, s),
        numPartitions: partitions,
      })),
      {
        topic: changelogTopic(options.outputPrefix),
        numPartitions: partitions,
        configEntries: [{ name: "cleanup.policy", value: "compact" }],
      },
    ],
  });
  return partitions;
}

interface Owned {
  readonly lease: PartitionLease;
  readonly producer: Producer;
  position: number;
}

/** A consumer-group member over one input topic (see the module documentation). */
export class KafkaSource implements StreamSource {
  readonly #options: KafkaSourceOptions;
  readonly #clock: Clock;
  readonly #kafka: Kafka;
  readonly #guarantee: Guarantee;
  readonly #owned = new Map<number, Owned>();
  /** Output streams with a topic. */
  readonly #streams: ReadonlySet<string>;
  /** The latest assignment heard from the group, until it is applied. */
  #pendingAssignment: number[] | undefined;
  /** At-least-once: the background offset commits of the running member. */
  #offsets: OffsetCommitter | undefined;

  /** A member configured by `options`; nothing connects before {@linkcode KafkaSource.run}. */
  constructor(deps: { readonly clock: Clock }, options: KafkaSourceOptions) {
    if (options.brokers.length === 0) throw new RangeError("brokers must name at least one broker");
    for (
      const [name, value, low] of [
        ["maxBatchRecords", options.maxBatchRecords, 1],
        ["concurrentPartitions", options.concurrentPartitions, 1],
        ["maxFetchBytesPerPartition", options.maxFetchBytesPerPartition, 1024],
      ] as const
    ) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < low)) {
        throw new RangeError(`${name} must be an integer >= ${low}, got ${value}`);
      }
    }
    this.#options = options;
    this.#clock = deps.clock;
    this.#guarantee = options.guarantee ?? "exactly-once";
    this.#streams = new Set(["windows", "late", "dead_letter", ...options.operatorStreams ?? []]);
    this.#kafka = new Kafka({
      clientId: options.clientId ?? "frontier-stream",
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
    });
  }

  async run(handler: SourceHandler, options: { signal: AbortSignal }): Promise<void> {
    const { signal } = options;
    const o = this.#options;
    const admin = this.#kafka.admin();
    await admin.connect();
    const consumer = this.#kafka.consumer({
      groupId: o.groupId,
      readUncommitted: false,
      sessionTimeout: o.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.max(500, Math.floor((o.sessionTimeoutMs ?? 10_000) / 5)),
      maxWaitTimeInMs: 200,
      maxBytesPerPartition: o.maxFetchBytesPerPartition ?? DEFAULT_FETCH_BYTES,
      maxBytes: 4 * (o.maxFetchBytesPerPartition ?? DEFAULT_FETCH_BYTES),
      retry: { retries: 5 },
    });
    const { promise: failed, reject: fail } = Promise.withResolvers<never>();
    const { promise: aborted, resolve: abort } = Promise.withResolvers<void>();
    const onAbort = () => abort();
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) abort();
    this.#offsets = this.#guarantee === "at-least-once"
      ? new OffsetCommitter(async (offsets) => {
        try {
          await consumer.commitOffsets(
            [...offsets].map(([partition, offset]) => ({
              topic: o.topic,
              partition,
              offset: String(offset),
            })),
          );
        } catch (e) {
          if (!REBALANCE_ERRORS.has(String((e as { type?: unknown }).type))) throw e;
        }
      }, { onError: (e) => fail(e) })
      : undefined;
    try {
      await ensureStreamTopics(admin, {
        topic: o.topic,
        outputPrefix: o.outputPrefix,
        streams: [...this.#streams],
      });
      // Each join's assignment is applied at once (fence, re-read offsets, restore), in order, and
      // every batch waits for it: no record is processed before its partition's state is back.
      let applied = Promise.resolve();
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        this.#pendingAssignment = [...e.payload.memberAssignment[o.topic] ?? []].sort((a, b) => a - b);
        applied = applied.then(() => this.#applyAssignment(handler, admin, signal)).catch((err) => {
          fail(err);
        });
      });
      consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
      await consumer.connect();
      await consumer.subscribe({ topic: o.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: o.concurrentPartitions ?? 8,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          // A failure to restore or commit is fatal (the member stops and its supervisor restarts
          // it); a heartbeat that hears of a rebalance is not: kafkajs rejoins.
          const fatal = async <T>(f: () => Promise<T>): Promise<T> => {
            try {
              return await f();
            } catch (e) {
              fail(e);
              throw e;
            }
          };
          await applied;
          const owned = this.#owned.get(batch.partition);
          if (!owned) return; // not ours any more
          const max = o.maxBatchRecords ?? DEFAULT_BATCH_RECORDS;
          const messages = batch.messages;
          let i = 0;
          while (i < messages.length && Number(messages[i]!.offset) < owned.position) i++;
          while (i < messages.length && isRunning() && !isStale() && !signal.aborted) {
            const end = Math.min(messages.length, i + max);
            const chunk = new Array<SourceRecord>(end - i);
            for (let j = i; j < end; j++) {
              const m = messages[j]!;
              chunk[j - i] = {
                offset: Number(m.offset),
                value: m.value ?? EMPTY,
                timestamp: Number(m.timestamp),
              };
            }
            i = end;
            await fatal(() => handler.records(batch.partition, chunk));
            resolveOffset(String(chunk.at(-1)!.offset));
            await heartbeat();
          }
        },
      });
      await Promise.race([aborted, failed]);
    } finally {
      signal.removeEventListener("abort", onAbort);
      // At-least-once: a failed last commit only means those batches are read again.
      await this.#offsets?.flush().catch(() => {});
      this.#offsets = undefined;
      await consumer.disconnect().catch(() => {});
      for (const [partition, owned] of this.#owned) {
        this.#owned.delete(partition);
        await owned.producer.disconnect().catch(() => {});
      }
      await admin.disconnect().catch(() => {});
    }
  }

  /**
   * Applies the assignment heard at the last group join: every partition of it gets a new,
   * freshly fenced producer, its committed offset re-read and its state restored; partitions no
   * longer assigned are revoked.
   */
  async #applyAssignment(handler: SourceHandler, admin: Admin, signal: AbortSignal) {
    const assignment = this.#pendingAssignment;
    if (assignment === undefined) return;
    this.#pendingAssignment = undefined;
    const o = this.#options;
    // At-least-once: offsets of partitions that may now be another member's are not sent any
    // more (that member resumes from the changelog's end); the rest are committed first.
    for (const partition of this.#owned.keys()) {
      if (!assignment.includes(partition)) this.#offsets?.forget(partition);
    }
    await this.#offsets?.flush();
    for (const [partition, owned] of this.#owned) {
      this.#owned.delete(partition);
      await owned.producer.disconnect().catch(() => {});
      await handler.revoked(partition);
    }
    const producers = new Map<number, Producer>();
    for (const p of assignment) producers.set(p, await this.#producer(p));
    const committed = new Map<number, number>();
    const fetched = await admin.fetchOffsets({ groupId: o.groupId, topics: [o.topic] });
    for (const { partition, offset } of fetched[0]?.partitions ?? []) {
      if (producers.has(partition)) committed.set(partition, Math.max(0, Number(offset)));
    }
    const restored = await restoreChangelog({ kafka: this.#kafka, clock: this.#clock }, {
      topic: changelogTopic(o.outputPrefix),
      targets: new Map(assignment.map((p) => [p, committed.get(p) ?? 0])),
      untilEnd: this.#guarantee === "at-least-once",
      signal,
    });
    for (const p of assignment) {
      const entries = restored.get(p)?.entries ?? [];
      const position = this.#guarantee === "exactly-once"
        ? committed.get(p) ?? 0
        : Math.max(committed.get(p) ?? 0, restored.get(p)?.nextOffset ?? 0);
      const producer = producers.get(p)!;
      const owned: Owned = {
        producer,
        position,
        lease: {
          partition: p,
          committedOffset: position,
          changelog: () => Promise.resolve(entries),
          commit: async (result) => {
            await this.#commit(p, producer, result);
            owned.position = result.nextOffset;
          },
        },
      };
      this.#owned.set(p, owned);
      await handler.assigned(owned.lease);
    }
  }

  /** A new producer for partition `p`; transactional ones are initialised, fencing earlier owners. */
  async #producer(p: number): Promise<Producer> {
    const o = this.#options;
    const producer = this.#guarantee === "exactly-once"
      ? this.#kafka.producer({
        transactionalId: `${o.groupId}.${o.topic}.${p}`,
        idempotent: true,
        maxInFlightRequests: 1,
        retry: TRANSACTIONAL_RETRY,
      })
      : this.#kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    if (this.#guarantee === "exactly-once") {
      const fence = await producer.transaction(); // InitProducerId: bumps the epoch, aborts the old owner's transaction
      await fence.abort();
    }
    return producer;
  }

  async #commit(p: number, producer: Producer, result: BatchResult): Promise<void> {
    const o = this.#options;
    const byTopic = new Map<string, OutMessage[]>();
    const add = (topic: string, key: string, value: string | null) => {
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, list = []);
      list.push({ key, value, partition: p });
    };
    const packed = new Map<string, { key: string; json: string }[]>();
    for (const out of result.outputs) {
      if (!this.#streams.has(out.stream)) {
        throw new Error(
          `output stream "${out.stream}" has no topic: name it in KafkaSourceOptions.operatorStreams`,
        );
      }
      const topic = outputTopic(o.outputPrefix, out.stream);
      if (!o.packOutputs) {
        add(topic, out.key, JSON.stringify(out.value));
        continue;
      }
      let list = packed.get(topic);
      if (!list) packed.set(topic, list = []);
      list.push({ key: out.key, json: JSON.stringify(out.value) });
    }
    for (const [topic, outputs] of packed) byTopic.set(topic, packOutputs(outputs, p, PACK_LIMIT));
    const changelog = changelogTopic(o.outputPrefix);
    for (const e of result.changelog) add(changelog, e.key, e.value ?? null);
    const requests = produceRequests(byTopic, REQUEST_LIMITS);
    const offsets = {
      topics: [{ topic: o.topic, partitions: [{ partition: p, offset: String(result.nextOffset) }] }],
    };
    if (this.#guarantee === "at-least-once") {
      for (const topicMessages of requests) await producer.sendBatch({ topicMessages, acks: -1 });
      await o.beforeCommit?.(p);
      this.#offsets!.offer(p, result.nextOffset);
      return;
    }
    const txn = await producer.transaction();
    try {
      for (const topicMessages of requests) await txn.sendBatch({ topicMessages, acks: -1 });
      await o.beforeCommit?.(p);
      await txn.sendOffsets({ consumerGroupId: o.groupId, ...offsets });
      await txn.commit();
    } catch (e) {
      await txn.abort().catch(() => {});
      throw e;
    }
  }
}
