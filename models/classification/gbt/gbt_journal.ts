/**
 * What the boosting driver keeps so that a lost shard can be rebuilt, in compact form: the
 * initial score, the trees applied so far (as `compact_trees.ts` encodes them: what predicting a
 * binned row needs), and the tree being grown (its round settings and the split orders sent so
 * far). A {@linkcode GbtJournal} records every answered request on the
 * driver; its {@linkcode GbtReplay} travels with a request whose shard state went missing, and
 * `GbtShard.replay` brings a freshly binned shard to exactly the state the lost one had — scores
 * added tree by tree in the same order, so the rebuilt shard answers byte for byte alike.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { asArray, asNumber, asRecord, decodeSplitOrder, type SplitOrder } from "../tree/protocol.ts";
import type { ShardJournal } from "../tree/cluster_shard_group.ts";
import { decodeCompactTrees, encodeCompactTrees } from "../tree/compact_trees.ts";
import { Tree } from "../tree/tree_model.ts";
import { decodeRoundSettings, type GbtRequest, type GbtRoundSettings } from "./gbt_protocol.ts";

/** The state of a boosting shard, as the driver can rebuild it. */
export interface GbtReplay {
  /** Absent before `gbt.init`. */
  readonly initScore: number | undefined;
  /** Trees added to the scores, in order. */
  readonly trees: readonly Tree[];
  /** The tree being grown, if any. */
  readonly round: GbtRoundSettings | undefined;
  /** Split orders of the tree being grown, in order. */
  readonly orders: readonly SplitOrder[];
}

/** Records a boosting shard group's answered requests (driver side). */
export class GbtJournal implements ShardJournal<GbtRequest> {
  #initScore: number | undefined;
  readonly #trees: Tree[] = [];
  #round: GbtRoundSettings | undefined;
  #orders: SplitOrder[] = [];

  record(request: GbtRequest): void {
    switch (request.type) {
      case "gbt.describe":
      case "gbt.labelSums":
        return;
      case "gbt.init":
        this.#initScore = request.initScore;
        this.#trees.length = 0;
        this.#endTree();
        return;
      case "gbt.apply":
        this.#trees.push(...request.trees.map((t) => Tree.fromJSON(t)));
        this.#endTree();
        return;
      case "gbt.round": {
        if (request.tree !== undefined) this.#trees.push(Tree.fromJSON(request.tree));
        const { round, scale, lossScale, baggingFraction, seed, classWeights } = request;
        this.#round = {
          round,
          scale,
          lossScale,
          baggingFraction,
          seed,
          ...(classWeights ? { classWeights } : {}),
        };
        this.#orders = [];
        return;
      }
      case "gbt.grow":
        this.#orders.push(...request.orders);
        return;
      default:
        request satisfies never;
    }
  }

  #endTree(): void {
    this.#round = undefined;
    this.#orders = [];
  }

  replay(): Json {
    return encodeGbtReplay({
      initScore: this.#initScore,
      trees: this.#trees,
      round: this.#round,
      orders: this.#orders,
    });
  }
}

/** A replay as JSON (read back by {@linkcode decodeGbtReplay}). */
export function encodeGbtReplay(replay: GbtReplay): Json {
  const out: Record<string, Json> = {
    trees: encodeCompactTrees(replay.trees),
    orders: JSON.parse(JSON.stringify(replay.orders)) as Json,
  };
  if (replay.initScore !== undefined) out.initScore = replay.initScore;
  if (replay.round !== undefined) {
    const { classWeights, ...round } = replay.round;
    out.round = classWeights ? { ...round, classWeights: [...classWeights] } : round;
  }
  return out;
}

/** Decodes a {@linkcode GbtReplay}; throws `MalformedMessageError`. */
export function decodeGbtReplay(value: unknown): GbtReplay {
  const v = asRecord(value, "boosting replay");
  return {
    initScore: v.initScore === undefined ? undefined : asNumber(v.initScore, "boosting replay initScore"),
    trees: decodeCompactTrees(v.trees),
    round: v.round === undefined
      ? undefined
      : decodeRoundSettings(asRecord(v.round, "boosting replay round"), "boosting replay round"),
    orders: asArray(v.orders, "boosting replay orders", decodeSplitOrder),
  };
}
