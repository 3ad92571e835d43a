/**
 * Restoring partitions' state from the compacted changelog topic.
 *
 * kafkajs consumers always belong to a group, so the reader is a consumer in a fresh group of its
 * own (never committing) that reads the changelog from the beginning with read_committed and keeps
 * the records of the wanted partitions. It knows where to stop without any timing guess: with
 * exactly-once the last committed transaction of partition `p` wrote both the committed offset
 * `C` and a `meta` record whose `nextOffset` is `C`, so reading stops at that record. With
 * at-least-once (no transactions, so no control records) it stops at the partition's end offset
 * read before it starts.
 *
 * @module
 */
import type { Kafka, KafkaMessage } from "kafkajs";
import type { Clock } from "../actors/clock.ts";
import type { ChangelogEntry } from "./partition_processor.ts";

/** The restored changelog of a partition and the next offset its last `meta` names (0 without one). */
export interface RestoredPartition {
  /** Entries in log order. */
  readonly entries: ChangelogEntry[];
  /** `nextOffset` of the last `meta` record read. */
  readonly nextOffset: number;
}

/** Why a restore could not finish. */
export class RestoreError extends Error {
  /** Always `"RestoreError"`. */
  override name = "RestoreError";
}

function metaNextOffset(message: KafkaMessage): number | undefined {
  if (message.key?.toString() !== "meta" || !message.value) return undefined;
  const meta = JSON.parse(message.value.toString()) as { nextOffset?: unknown };
  return typeof meta.nextOffset === "number" ? meta.nextOffset : undefined;
}

/**
 * The end offset of every partition of `topic`. kafkajs' admin gives up at once on a retriable
 * error such as "not the leader" (stale metadata right after the topic was created), so a fresh
 * client (fresh metadata) tries again, up to 10 times with a growing pause.
 */
async function endOffsets(
  deps: { readonly kafka: Kafka; readonly clock: Clock },
  topic: string,
  signal: AbortSignal,
): Promise<Map<number, number>> {
  for (let attempt = 1;; attempt++) {
    const admin = deps.kafka.admin();
    try {
      await admin.connect();
      return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
    } catch (e) {
      if (attempt >= 10 || (e as { retriable?: unknown }).retriable !== true) throw e;
    } finally {
      await admin.disconnect();
    }
    await deps.clock.sleep(100 * attempt, { signal });
  }
}

/**
 * Reads the changelog `topic` for every partition of `targets` (partition → committed offset):
 * up to the `meta` record naming that offset, or with `untilEnd` to the partition's current end.
 * Rejects with {@linkcode RestoreError} after `timeoutMs`, or with the signal's reason.
 *
 * @ignore internal to `KafkaSource`
 */
export async function restoreChangelog(
  deps: { readonly kafka: Kafka; readonly clock: Clock },
  options: {
    readonly topic: string;
    readonly targets: ReadonlyMap<number, number>;
    readonly untilEnd: boolean;
    readonly signal: AbortSignal;
    /** @default {120000} */
    readonly timeoutMs?: number;
  },
): Promise<Map<number, RestoredPartition>> {
  const { topic, targets, untilEnd, signal } = options;
  const state = new Map<
    number,
    { entries: ChangelogEntry[]; nextOffset: number; done: boolean; end: number }
  >();
  const ends = untilEnd ? await endOffsets(deps, topic, signal) : new Map<number, number>();
  for (const [p, target] of targets) {
    const end = ends.get(p) ?? 0;
    state.set(p, { entries: [], nextOffset: 0, done: untilEnd ? end === 0 : target === 0, end });
  }
  const result = () =>
    new Map([...state].map(([p, s]) => [p, { entries: s.entries, nextOffset: s.nextOffset }]));
  if ([...state.values()].every((s) => s.done)) return result();

  const consumer = deps.kafka.consumer({
    groupId: `frontier-restore-${crypto.randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  const { promise: finished, resolve: finish, reject } = Promise.withResolvers<void>();
  // Rejected by an abort or the timer while the consumer still connects: handled where awaited.
  finished.catch(() => {});
  const timer = deps.clock.setTimeout(
    () =>
      reject(new RestoreError(`changelog ${topic} not restored within ${options.timeoutMs ?? 120_000} ms`)),
    options.timeoutMs ?? 120_000,
  );
  const onAbort = () => reject(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) onAbort();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const s = state.get(batch.partition);
        if (!s || s.done) return Promise.resolve();
        for (const m of batch.messages) {
          s.entries.push({ key: m.key?.toString() ?? "", value: m.value?.toString() ?? undefined });
          const next = metaNextOffset(m);
          if (next !== undefined) s.nextOffset = next;
          if (untilEnd ? Number(m.offset) >= s.end - 1 : next === targets.get(batch.partition)) {
            s.done = true;
            break;
          }
        }
        if ([...state.values()].every((x) => x.done)) finish();
        return Promise.resolve();
      },
    });
    await finished;
  } finally {
    deps.clock.clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    await consumer.disconnect().catch(() => {});
  }
  return result();
}
