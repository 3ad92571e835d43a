/**
 * The embedded source: generated card transactions with real per-partition offsets and no broker.
 *
 * Rows of the cluster's transaction generator (with its disorder knobs: out-of-order, late,
 * duplicates, malformed) become JSON records, partitioned by account with
 * {@linkcode partitionOfKey} — the partitioner the Kafka producer uses too — so each partition is
 * a log whose offsets are positions, exactly as in a Kafka topic. Commits go to a
 * {@linkcode CheckpointStore}; a source restarted on the same store resumes each partition at its
 * committed offset with its restored state, so restarts behave as they do on Kafka.
 *
 * Buffers are bounded: rows are generated in chunks only when a partition's reader needs more,
 * and records below every committed offset are dropped.
 *
 * @module
 */
import type { Clock } from "../actors/clock.ts";
import { generateDemoKey } from "../cluster/sources/transactions/card_token.ts";
import { TransactionGenerator } from "../cluster/sources/transactions/generator.ts";
import type { BatchResult, ChangelogEntry, Json, SourceRecord } from "./partition_processor.ts";
import type { PartitionLease, SourceHandler, StreamSource } from "./source.ts";
import { transactionRecords } from "./transactions.ts";

/** The partition of a message key: FNV-1a of its UTF-16 code units, modulo `partitions`. */
export function partitionOfKey(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** Where committed batches of the embedded source go. */
export interface CheckpointStore {
  /** The committed next offset of `partition` and the changelog of its state. */
  load(partition: number): Promise<{ committedOffset: number; changelog: ChangelogEntry[] }>;
  /** Commits a batch of `partition` atomically. */
  commit(partition: number, result: BatchResult): Promise<void>;
}

/** An output as committed: its stream, partition, key and value. */
export interface CommittedOutput {
  /** The output stream. */
  readonly stream: string;
  /** The input partition that produced it. */
  readonly partition: number;
  /** The message key. */
  readonly key: string;
  /** The payload. */
  readonly value: Json;
}

/** A {@linkcode CheckpointStore} in memory: survives a source's restart, not the process's. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #partitions = new Map<number, { next: number; state: Map<string, string> }>();
  /** Every committed output, in commit order. */
  readonly outputs: CommittedOutput[] = [];

  load(partition: number): Promise<{ committedOffset: number; changelog: ChangelogEntry[] }> {
    const p = this.#partitions.get(partition);
    return Promise.resolve({
      committedOffset: p?.next ?? 0,
      changelog: [...p?.state ?? []].map(([key, value]) => ({ key, value })),
    });
  }

  commit(partition: number, result: BatchResult): Promise<void> {
    let p = this.#partitions.get(partition);
    if (!p) this.#partitions.set(partition, p = { next: 0, state: new Map() });
    for (const e of result.changelog) {
      if (e.value === undefined) p.state.delete(e.key);
      else p.state.set(e.key, e.value);
    }
    p.next = result.nextOffset;
    for (const o of result.outputs) {
      this.outputs.push({ stream: o.stream, partition, key: o.key, value: o.value });
    }
    return Promise.resolve();
  }
}

/** Settings of the generated log: the generator's (`TransactionGenerator`), disorder knobs included. */
export interface GeneratedLogOptions {
  /** Any safe integer. */
  readonly seed: number;
  /** Rows over all partitions. */
  readonly totalRows: number;
  /** Partitions of the log. */
  readonly partitions: number;
  /** HMAC key of card tokens. @default {generateDemoKey({ seed })} */
  readonly tokenKey?: Uint8Array;
  /** First instant, ms since the epoch. @default {Date.UTC(2024, 0, 1)} */
  readonly startTime?: number;
  /** Event-time span of all rows, ms. @default {30 days} */
  readonly durationMs?: number;
  /** Number of accounts. @default {clamp(totalRows / 50, 100, 10^7)} */
  readonly accounts?: number;
  /** Share of fraudulent rows. @default {0.003} */
  readonly fraudRate?: number;
  /** Share of rows delayed by less than the allowed lateness. @default {0} */
  readonly outOfOrderFraction?: number;
  /** Mean of that delay, ms. @default {5000} */
  readonly outOfOrderMeanDelayMs?: number;
  /** Share of rows delayed beyond the allowed lateness. @default {0} */
  readonly lateFraction?: number;
  /** The lateness the disorder is measured against, ms. @default {60000} */
  readonly allowedLatenessMs?: number;
  /** Share of rows that repeat an earlier row. @default {0} */
  readonly duplicateFraction?: number;
  /** A repeat is of a row up to this many rows earlier (uniform). @default {10000} */
  readonly duplicateMaxLag?: number;
  /** Share of rows written malformed. @default {0} */
  readonly malformedFraction?: number;
  /** Rows generated at a time. @default {4096} */
  readonly chunkRows?: number;
}

/** Generated transactions as per-partition logs, generated on demand. */
export class GeneratedLog {
  readonly #generator: TransactionGenerator;
  readonly #seed: number;
  readonly #totalRows: number;
  readonly #chunkRows: number;
  readonly #logs: { base: number; records: Uint8Array[] }[];
  #generatedRows = 0;

  /** The log of `options.totalRows` generated rows over `options.partitions` partitions. */
  constructor(options: GeneratedLogOptions) {
    const { partitions, tokenKey, chunkRows, ...rest } = options;
    if (!Number.isSafeInteger(partitions) || partitions < 1) {
      throw new RangeError(`partitions must be an integer >= 1, got ${partitions}`);
    }
    this.#generator = new TransactionGenerator({
      ...rest,
      tokenKey: tokenKey ?? generateDemoKey({ seed: options.seed }),
    });
    this.#seed = options.seed;
    this.#totalRows = options.totalRows;
    this.#chunkRows = chunkRows ?? 4096;
    this.#logs = Array.from({ length: partitions }, () => ({ base: 0, records: [] }));
  }

  /** Number of partitions. */
  get partitions(): number {
    return this.#logs.length;
  }

  /** Up to `max` records of `partition` from `offset` on; empty at the end of the log. */
  read(partition: number, offset: number, max: number): SourceRecord[] {
    const log = this.#logs[partition];
    if (!log) throw new RangeError(`partition ${partition} is not in [0, ${this.#logs.length})`);
    if (offset < log.base) throw new RangeError(`offset ${offset} of partition ${partition} was trimmed`);
    while (log.base + log.records.length < offset + max && this.#generatedRows < this.#totalRows) {
      this.#generate();
    }
    const from = offset - log.base;
    return log.records.slice(from, from + max).map((value, i) => ({ offset: offset + i, value }));
  }

  /** Drops records of `partition` below `offset` (they are committed). */
  trim(partition: number, offset: number): void {
    const log = this.#logs[partition]!;
    const drop = Math.min(log.records.length, offset - log.base);
    if (drop > 0) {
      log.records.splice(0, drop);
      log.base += drop;
    }
  }

  #generate(): void {
    const end = Math.min(this.#totalRows, this.#generatedRows + this.#chunkRows);
    const batch = this.#generator.generate({ start: this.#generatedRows, end });
    for (const r of transactionRecords(batch, this.#seed)) {
      this.#logs[partitionOfKey(r.key, this.#logs.length)]!.records.push(r.value);
    }
    this.#generatedRows = end;
  }
}

/** Settings of an {@linkcode EmbeddedSource}. */
export interface EmbeddedSourceOptions {
  /** Records per batch (per commit). @default {500} */
  readonly batchSize?: number;
  /** Target events per second over all partitions; unlimited when absent. */
  readonly ratePerSecond?: number;
}

/**
 * The embedded {@linkcode StreamSource}: every partition of a {@linkcode GeneratedLog} is assigned
 * to this member; partitions are read round-robin, one batch at a time. A finite log ends the run
 * when every partition is read to its end.
 */
export class EmbeddedSource implements StreamSource {
  readonly #log: GeneratedLog;
  readonly #store: CheckpointStore;
  readonly #clock: Clock;
  readonly #batchSize: number;
  readonly #rate: number | undefined;

  /** A source reading `deps.log`, committing to `deps.store`. */
  constructor(
    deps: { readonly log: GeneratedLog; readonly store: CheckpointStore; readonly clock: Clock },
    options: EmbeddedSourceOptions = {},
  ) {
    const batchSize = options.batchSize ?? 500;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batchSize must be an integer >= 1, got ${batchSize}`);
    }
    if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) {
      throw new RangeError(`ratePerSecond must be > 0, got ${options.ratePerSecond}`);
    }
    this.#log = deps.log;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#batchSize = batchSize;
    this.#rate = options.ratePerSecond;
  }

  async run(handler: SourceHandler, options: { signal: AbortSignal }): Promise<void> {
    const { signal } = options;
    const store = this.#store;
    const positions: number[] = [];
    for (let partition = 0; partition < this.#log.partitions; partition++) {
      const loaded = await store.load(partition);
      positions[partition] = loaded.committedOffset;
      const lease: PartitionLease = {
        partition,
        committedOffset: loaded.committedOffset,
        changelog: () => Promise.resolve(loaded.changelog),
        commit: async (result) => {
          await store.commit(partition, result);
          this.#log.trim(partition, result.nextOffset);
        },
      };
      await handler.assigned(lease);
    }
    const started = this.#clock.monotonic();
    let sent = 0;
    for (let active = true; active && !signal.aborted;) {
      active = false;
      for (let p = 0; p < positions.length && !signal.aborted; p++) {
        const records = this.#log.read(p, positions[p]!, this.#batchSize);
        if (records.length === 0) continue;
        active = true;
        if (this.#rate !== undefined) {
          const due = started + (sent * 1000) / this.#rate - this.#clock.monotonic();
          if (due > 0) await this.#clock.sleep(due, { signal }).catch(() => {});
          if (signal.aborted) break;
        }
        await handler.records(p, records);
        positions[p] = records.at(-1)!.offset + 1;
        sent += records.length;
      }
    }
    for (let p = 0; p < positions.length; p++) await handler.revoked(p);
  }
}
