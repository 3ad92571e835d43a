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
 * A replay too long for one job's arguments (512 KiB) is staged first: jobs that each carry a
 * piece of its JSON text, which every partition keeps in its state, then the request, which
 * names the number of pieces. Pieces that went missing meanwhile fail it with a
 * `StateMissingError` too, and the driver stages them again.
 *
 * Rebuilding runs the same code on the same inputs in the same order, so a rebuilt shard answers
 * byte for byte as the lost one would have: lineage recovery does not change the model.
 *
 * **Shared binned rows.** Sessions over the same cached input and the same base (the trials of a
 * tuning search on one prepared fold) may name a `shareData` key prefix: the first rebuild on a
 * partition keeps the binned rows (`ShardData`, which shards only read) under
 * `<shareData><partition>`, and every later session's rebuild there reuses them instead of binning
 * the batches again. The owner releases the prefix when the fold is done; an evicted entry is
 * simply binned again.
 *
 * @module
 */
import { type Json, MalformedMessageError } from "../../../actors/errors.ts";
import { StateMissingError } from "../../../cluster/errors.ts";
import type { Batch } from "../../../cluster/columnar/batch.ts";
import type { InputContext } from "../../../cluster/partition_fns.ts";
import { keepState } from "../../../cluster/executor/state_store.ts";
import { decodeBinning, type FeatureBinning } from "./binning.ts";
import { asArray, asIndex, asRecord, encodeReply, type ShardReply } from "./protocol.ts";
import { type ShardData, shardDataBytes } from "./shard.ts";
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

/** What rebuilds a missing shard: inline, or staged in pieces by earlier jobs. */
export type ShardReplay =
  | { readonly base: ShardBase; readonly journal: Json }
  /** The replay's JSON text was sent in `pieces` staging jobs for this request (see below). */
  | { readonly staged: number };

/** The arguments of one request of a session, or of a staging job. */
export interface ShardArgs {
  readonly kind: string;
  /** Key prefix of the session's state entries (unique per training). */
  readonly session: string;
  readonly seq: number;
  /** The request (absent in a staging job). */
  readonly request: Json;
  /** Present when the driver sends what rebuilds a missing shard. */
  readonly replay?: ShardReplay;
  /** Key prefix of binned rows shared with other sessions over the same input and base. */
  readonly shareData?: string;
  /**
   * A staging job: piece `index` of `count` of the JSON text of request `seq`'s replay, too long
   * for one job's arguments; each partition keeps the pieces in its state until the request.
   */
  readonly stage?: { readonly index: number; readonly count: number; readonly text: string };
}

/** The state key of `partition`'s shard in `session`. */
export function shardKey(session: string, partition: number): string {
  return `${session}${partition}`;
}

/** The state key of `partition`'s staged replay pieces in `session`. */
function stageKey(session: string, partition: number): string {
  return `${session}${partition}/stage`;
}

class StagedReplay {
  readonly seq: number;
  readonly pieces: (string | undefined)[];

  constructor(seq: number, count: number) {
    this.seq = seq;
    this.pieces = Array.from({ length: count }, () => undefined);
  }
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

function decodeReplay(value: unknown): ShardReplay {
  const r = asRecord(value, "shard replay");
  if (r.staged !== undefined) return { staged: asIndex(r.staged, "shard replay staged") };
  return { base: decodeBase(r.base), journal: r.journal as Json };
}

/** Decodes a request's {@linkcode ShardArgs}; throws `MalformedMessageError`. */
export function decodeShardArgs(value: unknown): ShardArgs {
  const v = asRecord(value, "shard request arguments");
  if (typeof v.kind !== "string" || typeof v.session !== "string" || v.session.length === 0) {
    throw new MalformedMessageError("Malformed shard request arguments: kind and session must be strings");
  }
  const seq = asIndex(v.seq, "shard request seq");
  if (seq < 1) throw new MalformedMessageError("Malformed shard request seq: must be ≥ 1");
  if (v.shareData !== undefined && (typeof v.shareData !== "string" || v.shareData.length === 0)) {
    throw new MalformedMessageError("Malformed shard request shareData: a non-empty string");
  }
  const out = {
    kind: v.kind,
    session: v.session,
    seq,
    request: (v.request ?? null) as Json,
    ...(v.shareData === undefined ? {} : { shareData: v.shareData as string }),
  };
  if (v.stage !== undefined) {
    const st = asRecord(v.stage, "shard stage");
    const index = asIndex(st.index, "shard stage index"), count = asIndex(st.count, "shard stage count");
    if (typeof st.text !== "string" || index >= count || count > 10_000) {
      throw new MalformedMessageError("Malformed shard stage: a piece of text within its count");
    }
    return { ...out, stage: { index, count, text: st.text } };
  }
  return v.replay === undefined ? out : { ...out, replay: decodeReplay(v.replay) };
}

/** Keeps a staging job's piece in the partition's state; the reply is empty sums. */
function stagePiece(
  ctx: InputContext,
  args: ShardArgs & { stage: NonNullable<ShardArgs["stage"]> },
): Uint8Array {
  const key = stageKey(args.session, ctx.partition);
  const found = ctx.state.get(key);
  const staged =
    found instanceof StagedReplay && found.seq === args.seq && found.pieces.length === args.stage.count
      ? found
      : new StagedReplay(args.seq, args.stage.count);
  staged.pieces[args.stage.index] = args.stage.text;
  const bytes = 2 * staged.pieces.reduce((n, p) => n + (p?.length ?? 0), 0);
  ctx.state.set(key, staged, bytes);
  return encodeReply({ type: "sums", values: new Float64Array(0) });
}

/** The inline replay, or the one staged for this request; `StateMissingError` when pieces are missing. */
function replayOf(ctx: InputContext, args: ShardArgs): { base: ShardBase; journal: Json } | undefined {
  const r = args.replay;
  if (r === undefined || !("staged" in r)) return r;
  const key = stageKey(args.session, ctx.partition);
  const found = ctx.state.get(key);
  ctx.state.delete(key);
  if (!(found instanceof StagedReplay) || found.seq !== args.seq || found.pieces.length !== r.staged) {
    return undefined;
  }
  if (found.pieces.some((p) => p === undefined)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(found.pieces.join(""));
  } catch (e) {
    throw new MalformedMessageError("Malformed staged shard replay: not JSON", { cause: e });
  }
  const replay = decodeReplay(parsed);
  if ("staged" in replay) throw new MalformedMessageError("Malformed staged shard replay: staged again");
  return replay;
}

/** A shard rebuilt from the request's replay, as it was after request `seq − 1`; `StateMissingError` without one. */
function rebuild(
  batches: readonly Batch[],
  ctx: InputContext,
  at: { args: ShardArgs; kind: ShardKind; key: string },
): ShardEntry {
  const { args, kind, key } = at;
  ctx.state.delete(key);
  const replay = replayOf(ctx, args);
  if (replay === undefined) {
    throw new StateMissingError(
      `Partition ${ctx.partition} has no shard state for request ${args.seq} of session ${args.session}`,
      { data: { session: args.session, partition: ctx.partition, seq: args.seq } },
    );
  }
  const { base, journal } = replay;
  const first = base.firstRowIds[ctx.partition];
  if (first === undefined) throw new MalformedMessageError(`No first row id for partition ${ctx.partition}`);
  const bin = () => shardFromBatches(batches, base.source, { binnings: base.binnings, firstRowId: first });
  const data = args.shareData === undefined ? bin() : sharedData(ctx, { prefix: args.shareData, first, bin });
  return new ShardEntry(args.kind, kind.restore(data, journal), args.seq - 1);
}

/** Binned rows kept for every session naming the same `shareData` prefix. */
class SharedShardData {
  readonly data: ShardData;
  readonly firstRowId: number;

  constructor(data: ShardData, firstRowId: number) {
    this.data = data;
    this.firstRowId = firstRowId;
  }
}

/** The partition's shared binned rows under `prefix`, binned and kept on first use. */
function sharedData(
  ctx: InputContext,
  at: { readonly prefix: string; readonly first: number; readonly bin: () => ShardData },
): ShardData {
  const key = `${at.prefix}${ctx.partition}`;
  const found = ctx.state.get(key);
  if (found instanceof SharedShardData && found.firstRowId === at.first) return found.data;
  const data = at.bin();
  keepState(ctx.state, {
    key,
    value: new SharedShardData(data, at.first),
    bytes: shardDataBytes(data),
    what: `The shared binned rows of partition ${ctx.partition}`,
  });
  return data;
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
  if (args.stage !== undefined) return stagePiece(ctx, { ...args, stage: args.stage });
  const key = shardKey(args.session, ctx.partition);
  const found = ctx.state.get(key);
  const kept = found instanceof ShardEntry && found.kind === args.kind &&
    (found.seq === args.seq || found.seq === args.seq - 1);
  const entry = kept ? found : rebuild(batches, ctx, { args, kind, key });
  if (args.replay !== undefined && "staged" in args.replay) {
    ctx.state.delete(stageKey(args.session, ctx.partition));
  }
  let reply: ShardReply;
  try {
    reply = entry.shard.answer(args.request, { redo: entry.seq === args.seq });
  } catch (e) {
    ctx.state.delete(key); // half-applied: the next request rebuilds
    throw e;
  }
  entry.seq = args.seq;
  const what = `The training shard of partition ${ctx.partition} (session ${args.session})`;
  keepState(ctx.state, { key, value: entry, bytes: entry.shard.bytes, what });
  return encodeReply(reply);
}
