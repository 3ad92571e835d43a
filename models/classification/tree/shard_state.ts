/**
 * The executor side of a cluster shard group: one `aggregatePartitions` fold that keeps each
 * partition's training shard in executor-local state (`PartitionContext.state`) between jobs and
 * answers the driver's request on it.
 *
 * Every request of a training session carries a sequence number `seq` (1, 2, …); the state
 * entry remembers the last one its shard answered. The fold then
 * - answers on the kept shard when it answered `seq − 1` (the usual case);
 * - answers again without changing the shard when it answered `seq` already (the job failed
 *   elsewhere and was sent again);
 * - otherwise (no entry: evicted, lost with an executor, or the task ran on another executor;
 *   or a stale one) rebuilds the shard from the partition's input batches and the request's
 *   replay — the binnings, row offsets and the kind's compact journal (trees so far, split
 *   orders) — and answers; without a replay it fails the job with a `StateMissingError`, and the
 *   driver sends the request again with one.
 *
 * Rebuilding runs the same code on the same inputs in the same order, so a rebuilt shard answers
 * byte for byte as the lost one would have: lineage recovery does not change the model.
 *
 * @module
 */
import { type Json, MalformedMessageError } from "../../../actors/errors.ts";
import { StateMissingError } from "../../../cluster/errors.ts";
import type { Batch } from "../../../cluster/columnar/batch.ts";
import type { InputContext } from "../../../cluster/partition_fns.ts";
import { decodeBinning, type FeatureBinning } from "./binning.ts";
import { asArray, asIndex, asRecord, encodeReply, type ShardReply } from "./protocol.ts";
import type { ShardData } from "./shard.ts";
import { decodeSource, shardFromBatches, type TreeSource } from "./shard_source.ts";

/** A shard a cluster group keeps on an executor. */
export interface StatefulShard {
  /**
   * Answers `request` (the request's JSON, decoded by the shard's kind); with `redo`, only
   * recomputes the reply of the request answered last. Throws `MalformedMessageError`.
   */
  answer(request: Json, options: { redo: boolean }): ShardReply;
  /** Bytes held, charged to the executor's state budget. */
  readonly bytes: number;
}

/** How the executors rebuild one kind of shard (boosting, forest). */
export interface ShardKind {
  /** A shard over `data`, brought to the state `replay` (the kind's journal JSON) describes. */
  restore(data: ShardData, replay: unknown): StatefulShard;
}

/** What the fold needs besides the request to rebuild a shard. */
export interface ShardBase {
  readonly source: TreeSource;
  readonly binnings: readonly FeatureBinning[];
  /** The global row number of each partition's first row. */
  readonly firstRowIds: readonly number[];
}

/** The arguments of one request of a session. */
export interface ShardArgs {
  readonly kind: string;
  /** Key prefix of the session's state entries (unique per training). */
  readonly session: string;
  readonly seq: number;
  readonly request: Json;
  /** Present when the driver sends what rebuilds a missing shard. */
  readonly replay?: { readonly base: ShardBase; readonly journal: Json };
}

/** The state key of `partition`'s shard in `session`. */
export function shardKey(session: string, partition: number): string {
  return `${session}${partition}`;
}

class ShardEntry {
  readonly kind: string;
  readonly shard: StatefulShard;
  seq: number;

  constructor(kind: string, shard: StatefulShard, seq: number) {
    this.kind = kind;
    this.shard = shard;
    this.seq = seq;
  }
}

function decodeBase(value: unknown): ShardBase {
  const v = asRecord(value, "shard base");
  return {
    source: decodeSource(v.source),
    binnings: asArray(v.binnings, "shard base binnings", (b) => {
      try {
        return decodeBinning(b);
      } catch (e) {
        throw new MalformedMessageError("Malformed shard base binning", { cause: e });
      }
    }),
    firstRowIds: asArray(v.firstRowIds, "shard base firstRowIds", asIndex),
  };
}

/** Decodes a request's {@linkcode ShardArgs}; throws `MalformedMessageError`. */
export function decodeShardArgs(value: unknown): ShardArgs {
  const v = asRecord(value, "shard request arguments");
  if (typeof v.kind !== "string" || typeof v.session !== "string" || v.session.length === 0) {
    throw new MalformedMessageError("Malformed shard request arguments: kind and session must be strings");
  }
  const seq = asIndex(v.seq, "shard request seq");
  if (seq < 1) throw new MalformedMessageError("Malformed shard request seq: must be ≥ 1");
  const out = { kind: v.kind, session: v.session, seq, request: v.request as Json };
  if (v.replay === undefined) return out;
  const r = asRecord(v.replay, "shard replay");
  return { ...out, replay: { base: decodeBase(r.base), journal: r.journal as Json } };
}

/**
 * Answers a session's request on this partition's shard (the body of the tree fold): finds,
 * re-answers or rebuilds the shard as the module doc says, and returns the encoded reply.
 */
export function answerShardRequest(
  batches: readonly Batch[],
  ctx: InputContext,
  kinds: Readonly<Record<string, ShardKind>>,
): Uint8Array {
  const args = decodeShardArgs(ctx.args);
  const kind = Object.hasOwn(kinds, args.kind) ? kinds[args.kind] : undefined;
  if (kind === undefined) throw new MalformedMessageError(`Unknown shard kind "${args.kind}"`);
  const key = shardKey(args.session, ctx.partition);
  const found = ctx.state.get(key);
  let entry = found instanceof ShardEntry && found.kind === args.kind ? found : undefined;
  const redo = entry?.seq === args.seq;
  if (!redo && entry?.seq !== args.seq - 1) {
    ctx.state.delete(key);
    if (args.replay === undefined) {
      throw new StateMissingError(
        `Partition ${ctx.partition} has no shard state for request ${args.seq} of session ${args.session}`,
        { data: { session: args.session, partition: ctx.partition, seq: args.seq } },
      );
    }
    const { base, journal } = args.replay;
    const first = base.firstRowIds[ctx.partition];
    if (first === undefined) {
      throw new MalformedMessageError(`No first row id for partition ${ctx.partition}`);
    }
    const data = shardFromBatches(batches, base.source, { binnings: base.binnings, firstRowId: first });
    entry = new ShardEntry(args.kind, kind.restore(data, journal), args.seq - 1);
  }
  let reply: ShardReply;
  try {
    reply = entry!.shard.answer(args.request, { redo });
  } catch (e) {
    ctx.state.delete(key); // half-applied: the next request rebuilds
    throw e;
  }
  entry!.seq = args.seq;
  ctx.state.set(key, entry, entry!.shard.bytes);
  return encodeReply(reply);
}
