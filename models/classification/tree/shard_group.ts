/**
 * How a tree driver reaches its shards: send one request to every shard, get the merged reply.
 *
 * On a cluster this is one `Dataset.aggregatePartitions(module, fold, merge)` job per request:
 * `fold` hands the request to the partition's cached shard (its binned rows, labels, weights and
 * scores stay on the executor between rounds) and returns the encoded reply; `merge` is
 * {@linkcode mergeReplies}. {@linkcode localShardGroup} is the same contract in one process, used
 * by tests and single-node training; with `wire` it also round-trips every request through JSON
 * and every reply through bytes, as a cluster would.
 *
 * @module
 */
import { decodeReply, encodeReply, mergeReplies, type ShardReply } from "./protocol.ts";

/** All shards of one dataset, addressed together. */
export interface ShardGroup<Req> {
  /** Sends `request` to every shard and resolves with their merged reply. */
  request(request: Req, options?: { signal?: AbortSignal }): Promise<ShardReply>;
}

/** A shard that answers requests in place. */
export interface RequestHandler<Req> {
  handle(request: Req): ShardReply;
}

/** Options of {@linkcode localShardGroup}. */
export interface LocalShardGroupOptions<Req> {
  /** Round-trip requests through JSON and this decoder, replies through bytes. */
  readonly wire?: (value: unknown) => Req;
  /** Merge replies last shard first (merges are exact, so the result must not change). */
  readonly reverseMerge?: boolean;
}

/** In-process shards as a {@linkcode ShardGroup}. */
export function localShardGroup<Req>(
  shards: readonly RequestHandler<Req>[],
  options: LocalShardGroupOptions<Req> = {},
): ShardGroup<Req> {
  if (shards.length === 0) throw new RangeError("A shard group needs at least one shard");
  const { wire, reverseMerge = false } = options;
  return {
    request(request: Req, opts: { signal?: AbortSignal } = {}): Promise<ShardReply> {
      opts.signal?.throwIfAborted();
      const replies = shards.map((shard) => {
        if (wire === undefined) return shard.handle(request);
        const reply = shard.handle(wire(JSON.parse(JSON.stringify(request))));
        return decodeReply(encodeReply(reply));
      });
      if (reverseMerge) replies.reverse();
      return Promise.resolve(replies.reduce((acc, r) => mergeReplies(acc, r)));
    },
  };
}
