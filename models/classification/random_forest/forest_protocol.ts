/**
 * Requests of the forest driver to its shards (a closed tagged union, decoded from `unknown` on
 * the executor side by {@linkcode decodeForestRequest}). Replies are the shared `ShardReply`.
 *
 * A group of trees: `rf.start` (bootstrap counts and root histograms of every tree of the group),
 * `rf.grow` once per level (split orders and smaller-child histograms of all trees at once), then
 * `rf.end`.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import {
  asArray,
  asIndex,
  asNumber,
  asRecord,
  decodeNodeRef,
  decodeSplitOrder,
  type NodeRef,
  type SplitOrder,
} from "../tree/protocol.ts";
import { type ClassMultipliers, decodeMultipliers } from "../tree/class_weights.ts";

/** What the forest driver asks of a shard. */
export type ForestRequest =
  /** → `describe`. */
  | { readonly type: "rf.describe" }
  /** → `sums [Σ q(w·y), Σ q(w)]` on the grid of `scale` (for `"balanced"` class weights). */
  | { readonly type: "rf.labelSums"; readonly scale: number }
  /**
   * Starts `trees`: bootstrap counts from (seed, tree, row id) unless `bootstrap` is false,
   * channels `(c_y·w·y, c_y·w)` on the grid of `scale`, `c` the class weights (else 1).
   * → `histograms`, one root per tree, in order.
   */
  | {
    readonly type: "rf.start";
    readonly trees: readonly number[];
    readonly seed: number;
    readonly bootstrap: boolean;
    readonly scale: number;
    readonly classWeights?: ClassMultipliers;
  }
  /** Applies `orders`, then builds `build`. → `histograms`. */
  | { readonly type: "rf.grow"; readonly orders: readonly SplitOrder[]; readonly build: readonly NodeRef[] }
  /** Forgets `trees`. → `sums []`. */
  | { readonly type: "rf.end"; readonly trees: readonly number[] };

function positiveScale(value: unknown, what: string): number {
  const scale = asNumber(value, what);
  if (!(scale > 0)) throw new MalformedMessageError(`Malformed ${what}: expected a positive number`);
  return scale;
}

/** Decodes a {@linkcode ForestRequest}; throws `MalformedMessageError`. */
export function decodeForestRequest(value: unknown): ForestRequest {
  const v = asRecord(value, "forest request");
  switch (v.type) {
    case "rf.describe":
      return { type: "rf.describe" };
    case "rf.labelSums":
      return { type: "rf.labelSums", scale: positiveScale(v.scale, "rf.labelSums.scale") };
    case "rf.start": {
      if (typeof v.bootstrap !== "boolean") throw new MalformedMessageError("Malformed rf.start.bootstrap");
      const classWeights = decodeMultipliers(v.classWeights, "rf.start.classWeights");
      return {
        type: "rf.start",
        trees: asArray(v.trees, "rf.start.trees", asIndex),
        seed: asNumber(v.seed, "rf.start.seed"),
        bootstrap: v.bootstrap,
        scale: positiveScale(v.scale, "rf.start.scale"),
        ...(classWeights ? { classWeights } : {}),
      };
    }
    case "rf.grow":
      return {
        type: "rf.grow",
        orders: asArray(v.orders, "rf.grow.orders", decodeSplitOrder),
        build: asArray(v.build, "rf.grow.build", decodeNodeRef),
      };
    case "rf.end":
      return { type: "rf.end", trees: asArray(v.trees, "rf.end.trees", asIndex) };
    default:
      throw new MalformedMessageError(`Malformed forest request: unknown type ${String(v.type)}`);
  }
}
