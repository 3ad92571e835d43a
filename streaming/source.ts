/**
 * The one source interface of the streaming runtime, and the loop that runs partition processors
 * on it.
 *
 * A {@linkcode StreamSource} hands partitions to this member as {@linkcode PartitionLease}s and
 * delivers each partition's records in offset order, awaiting the handler before it reads more of
 * that partition (its buffer is one batch: backpressure is the await). A lease says where the
 * partition's committed state stands — the next offset and the changelog that rebuilds the state
 * — and commits a processed batch atomically: outputs, changelog deltas and the new offset
 * together, or none of them. So after any crash the partition restarts from a state and an offset
 * that belong together, and replaying the records after it reproduces the same outputs.
 *
 * Two sources implement it: Kafka (`kafka_source.ts`: a consumer group, read_committed, one
 * transaction per batch) and the embedded one (`embedded_source.ts`: generated transactions with
 * real per-partition offsets, committed to a checkpoint store).
 *
 * @module
 */
import type { Clock } from "../actors/clock.ts";
import {
  type BatchResult,
  type ChangelogEntry,
  PartitionProcessor,
  type ProcessorOptions,
  type SourceRecord,
} from "./partition_processor.ts";
import type { WindowCounts } from "./keyed_windows.ts";

/** A partition assigned to this member, until it is revoked. */
export interface PartitionLease {
  /** The partition. */
  readonly partition: number;
  /** The next offset to process, read after fencing any previous owner. */
  readonly committedOffset: number;
  /** The changelog that rebuilds the partition's state as of `committedOffset`, in log order. */
  changelog(options: { signal: AbortSignal }): Promise<ChangelogEntry[]>;
  /** Commits a processed batch atomically: its outputs, its changelog deltas and its next offset. */
  commit(result: BatchResult, options: { signal: AbortSignal }): Promise<void>;
}

/** What a source calls; each call is awaited before the source calls again for that partition. */
export interface SourceHandler {
  /** `lease.partition` is now this member's; no records of it arrive before this settles. */
  assigned(lease: PartitionLease): Promise<void>;
  /** `partition` is no longer this member's. */
  revoked(partition: number): Promise<void>;
  /** The next records of an assigned partition, in offset order. */
  records(partition: number, records: readonly SourceRecord[]): Promise<void>;
}

/** A partitioned, replayable source of raw records. */
export interface StreamSource {
  /** Reads until `signal` aborts (then resolves) or the source fails (then rejects). */
  run(handler: SourceHandler, options: { signal: AbortSignal }): Promise<void>;
}

/** What {@linkcode runStream} reports after each commit. */
export interface CommitReport {
  /** The partition. */
  readonly partition: number;
  /** Its next offset, now committed. */
  readonly nextOffset: number;
  /** Outputs committed with it. */
  readonly outputs: number;
  /** The partition's counts so far. */
  readonly counts: WindowCounts;
  /** Records in the batch. */
  readonly records: number;
  /** Processing plus commit time of the batch (ms, monotonic clock). */
  readonly batchMs: number;
  /** The partition's watermark after the batch (event time; −∞ before any event). */
  readonly watermark: number;
  /** Panes open after the batch. */
  readonly openPanes: number;
  /** Event ids remembered for de-duplication after the batch. */
  readonly rememberedIds: number;
}

/**
 * Runs one {@linkcode PartitionProcessor} per assigned partition of `source` until `signal`
 * aborts: on assignment the state is restored from the lease's changelog (and must end at the
 * lease's committed offset), each batch is processed and committed through the lease.
 */
export async function runStream<V, A>(
  deps: { readonly source: StreamSource; readonly clock: Clock },
  options: ProcessorOptions<V, A> & {
    readonly signal: AbortSignal;
    /** Hears every commit (metrics, progress lines). */
    readonly onCommit?: (report: CommitReport) => void;
  },
): Promise<void> {
  const { signal } = options;
  const owned = new Map<number, { lease: PartitionLease; processor: PartitionProcessor<V, A> }>();
  await deps.source.run({
    assigned: async (lease) => {
      const processor = new PartitionProcessor<V, A>(lease.partition, options);
      const next = processor.restore(await lease.changelog({ signal }));
      if (next !== lease.committedOffset) {
        throw new Error(
          `partition ${lease.partition}: the changelog restores the state at offset ${next} but the committed offset is ${lease.committedOffset}`,
        );
      }
      owned.set(lease.partition, { lease, processor });
    },
    revoked: (partition) => {
      owned.delete(partition);
      return Promise.resolve();
    },
    records: async (partition, records) => {
      const entry = owned.get(partition);
      if (!entry) throw new Error(`records of partition ${partition}, which is not assigned`);
      const started = deps.clock.monotonic();
      const { processor } = entry;
      const result = processor.process(records, deps.clock.now());
      await entry.lease.commit(result, { signal });
      options.onCommit?.({
        partition,
        nextOffset: result.nextOffset,
        outputs: result.outputs.length,
        counts: processor.counts,
        records: records.length,
        batchMs: deps.clock.monotonic() - started,
        watermark: processor.watermark,
        openPanes: processor.openPanes,
        rememberedIds: processor.rememberedIds,
      });
    },
  }, { signal });
}
