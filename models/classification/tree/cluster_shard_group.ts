/**
 * The cluster {@linkcode ShardGroup}: every request is one `Dataset.aggregatePartitions` job over
 * the cached training input; each partition answers on the shard it keeps in executor-local
 * state (`shard_state.ts`) and the driver merges the encoded replies in partition order.
 *
 * Requests carry a session key and a sequence number. The first request of a session, and any
 * request whose job failed with a `StateMissingError` (a shard evicted, or lost with its
 * executor and recomputed elsewhere from lineage), also carry a replay: the binnings, row
 * offsets and the kind's {@linkcode ShardJournal} — the compact history that rebuilds a shard
 * (trees so far, split orders so far), staged by jobs of its own when it is too long for one
 * job's arguments. The journal records each request once it is answered.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { MalformedMessageError } from "../../../actors/errors.ts";
import { StateMissingError } from "../../../cluster/errors.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { TREE_JOBS_MODULE } from "../tree_jobs_url.ts";
import { encodeBinning } from "./binning.ts";
import { decodeOwnedReply, type ShardReply } from "./protocol.ts";
import type { ShardGroup } from "./shard_group.ts";
import type { ShardBase } from "./shard_state.ts";
import { encodeSource } from "./shard_source.ts";

/**
 * Characters of replay JSON sent inline with a request; longer replays go in pieces of this size
 * (escaped in the arguments' JSON they stay well within its 512 KiB).
 */
const REPLAY_PIECE_CHARS = 192 * 1024;

/** The driver's compact record of a shard kind's requests, enough to rebuild a lost shard. */
export interface ShardJournal<Req> {
  /** Notes an answered request. */
  record(request: Req): void;
  /** What rebuilds a shard to the state after the last recorded request, as JSON. */
  replay(): Json;
}

/** Counters of a {@linkcode ClusterShardGroup}. */
export interface ShardGroupStats {
  /** Requests answered. */
  readonly requests: number;
  /** Jobs run (requests plus resends after a missing shard). */
  readonly jobs: number;
  /** Requests sent again with a replay after a `StateMissingError`. */
  readonly replays: number;
}

/** Settings of a {@linkcode ClusterShardGroup}. */
export interface ClusterShardGroupSetup<Req> {
  /** The shard kind executors know it by (`tree_jobs.ts`). */
  readonly kind: string;
  /** Key prefix of this group's state entries, unique per training (release it when done). */
  readonly session: string;
  readonly base: ShardBase;
  readonly journal: ShardJournal<Req>;
  /** Called as each request's job starts (progress; tests inject faults here). */
  readonly onRequest?: (info: { readonly requests: number; readonly type: string }) => void;
  /** Resends with a replay before giving up on a missing shard. @default {3} */
  readonly maxReplays?: number;
  /**
   * Key prefix of binned rows shared with other groups over the same cached input and base (see
   * `shard_state.ts`); the owner of the prefix releases it. @default {none: each shard bins its rows}
   */
  readonly shareData?: string;
}

/** Training shards of a cached dataset, one per partition, kept on the executors. */
export class ClusterShardGroup<Req extends { readonly type: string }> implements ShardGroup<Req> {
  readonly #dataset: Dataset;
  readonly #setup: ClusterShardGroupSetup<Req>;
  readonly #base: Json;
  #seq = 0;
  #jobs = 0;
  #replays = 0;
  #replayNext = true;

  /** A group over the partitions of `dataset` (cache it: tasks run where its partitions are). */
  constructor(dataset: Dataset, setup: ClusterShardGroupSetup<Req>) {
    this.#dataset = dataset;
    this.#setup = setup;
    const { source, binnings, firstRowIds } = setup.base;
    this.#base = {
      source: encodeSource(source),
      binnings: binnings.map((b) => encodeBinning(b) as { [k: string]: Json }),
      firstRowIds: [...firstRowIds],
    };
  }

  /** Requests, jobs and replays so far. */
  get stats(): ShardGroupStats {
    return { requests: this.#seq, jobs: this.#jobs, replays: this.#replays };
  }

  /** The replay to send with request `seq`: inline, or staged in pieces by jobs run first. */
  async #replay(seq: number, signal: AbortSignal | undefined): Promise<Json> {
    const replay: Json = { base: this.#base, journal: this.#setup.journal.replay() };
    const text = JSON.stringify(replay);
    if (text.length <= REPLAY_PIECE_CHARS) return replay;
    const count = Math.ceil(text.length / REPLAY_PIECE_CHARS);
    for (let index = 0; index < count; index++) {
      const piece = text.slice(index * REPLAY_PIECE_CHARS, (index + 1) * REPLAY_PIECE_CHARS);
      this.#jobs++;
      await this.#dataset.aggregatePartitions({
        module: TREE_JOBS_MODULE,
        fold: "answerTreeShards",
        merge: "mergeTreeReplies",
        args: {
          kind: this.#setup.kind,
          session: this.#setup.session,
          seq,
          stage: { index, count, text: piece },
        },
      }, signal ? { signal } : {});
    }
    return { staged: count };
  }

  async request(request: Req, options: { signal?: AbortSignal } = {}): Promise<ShardReply> {
    const { kind, session, journal } = this.#setup;
    const seq = ++this.#seq;
    const body = JSON.parse(JSON.stringify(request)) as Json;
    const maxReplays = this.#setup.maxReplays ?? 3;
    for (let attempt = 0;; attempt++) {
      options.signal?.throwIfAborted();
      const replay = this.#replayNext ? await this.#replay(seq, options.signal) : undefined;
      const shareData = this.#setup.shareData;
      const args: Json = {
        kind,
        session,
        seq,
        request: body,
        ...(replay === undefined ? {} : { replay }),
        ...(shareData === undefined ? {} : { shareData }),
      };
      this.#jobs++;
      const job = this.#dataset.aggregatePartitions(
        { module: TREE_JOBS_MODULE, fold: "answerTreeShards", merge: "mergeTreeReplies", args },
        options.signal ? { signal: options.signal } : {},
      );
      if (attempt === 0) this.#setup.onRequest?.({ requests: seq, type: request.type });
      let value;
      try {
        value = await job;
      } catch (e) {
        if (!(e instanceof StateMissingError) || attempt >= maxReplays) throw e;
        this.#replayNext = true;
        this.#replays++;
        continue;
      }
      if (!(value instanceof Uint8Array)) throw new MalformedMessageError("Shard replies must be bytes");
      this.#replayNext = false;
      journal.record(request);
      return decodeOwnedReply(value); // the job's merged value is ours
    }
  }
}
