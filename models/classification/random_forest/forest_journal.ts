/**
 * What the forest driver keeps so that a lost shard can be rebuilt: the group of trees being
 * grown (its `rf.start`) and the split orders sent for it so far. A {@linkcode ForestJournal}
 * records every answered request on the driver; its {@linkcode ForestReplay} travels with a
 * request whose shard state went missing, and `ForestShard.replay` brings a freshly binned shard
 * to the state the lost one had (bootstrap counts are a function of `(seed, tree, row id)`, so
 * they come out the same).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { asArray, asRecord, decodeSplitOrder, type SplitOrder } from "../tree/protocol.ts";
import type { ShardJournal } from "../tree/cluster_shard_group.ts";
import { decodeForestRequest, type ForestRequest } from "./forest_protocol.ts";

type Start = Omit<Extract<ForestRequest, { type: "rf.start" }>, "type">;

/** The state of a forest shard, as the driver can rebuild it. */
export interface ForestReplay {
  /** The group being grown, if any. */
  readonly start: Start | undefined;
  /** Its split orders so far, in order. */
  readonly orders: readonly SplitOrder[];
}

/** Records a forest shard group's answered requests (driver side). */
export class ForestJournal implements ShardJournal<ForestRequest> {
  #start: Start | undefined;
  #orders: SplitOrder[] = [];

  record(request: ForestRequest): void {
    switch (request.type) {
      case "rf.describe":
      case "rf.labelSums":
        return;
      case "rf.start": {
        const { trees, seed, bootstrap, scale, classWeights } = request;
        this.#start = { trees, seed, bootstrap, scale, ...(classWeights ? { classWeights } : {}) };
        this.#orders = [];
        return;
      }
      case "rf.grow":
        this.#orders.push(...request.orders);
        return;
      case "rf.end":
        this.#start = undefined;
        this.#orders = [];
        return;
      default:
        request satisfies never;
    }
  }

  replay(): Json {
    return encodeForestReplay({ start: this.#start, orders: this.#orders });
  }
}

/** A replay as JSON (read back by {@linkcode decodeForestReplay}). */
export function encodeForestReplay(replay: ForestReplay): Json {
  const out: Record<string, Json> = { orders: JSON.parse(JSON.stringify(replay.orders)) as Json };
  if (replay.start !== undefined) {
    const { classWeights, ...start } = replay.start;
    out.start = {
      ...start,
      trees: [...start.trees],
      ...(classWeights ? { classWeights: [...classWeights] } : {}),
    };
  }
  return out;
}

/** Decodes a {@linkcode ForestReplay}; throws `MalformedMessageError`. */
export function decodeForestReplay(value: unknown): ForestReplay {
  const v = asRecord(value, "forest replay");
  let start: Start | undefined;
  if (v.start !== undefined) {
    const req = decodeForestRequest({ ...asRecord(v.start, "forest replay start"), type: "rf.start" });
    if (req.type !== "rf.start") throw new TypeError("unreachable: decoded an rf.start");
    const { type: _, ...rest } = req;
    start = rest;
  }
  return { start, orders: asArray(v.orders, "forest replay orders", decodeSplitOrder) };
}
