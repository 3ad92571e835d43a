/**
 * Requests of the boosting driver to its shards (a closed tagged union, decoded from `unknown` on
 * the executor side by {@linkcode decodeGbtRequest}). Replies are the shared `ShardReply`.
 *
 * A round: `gbt.round` (apply the previous tree to the scores, report the loss, compute this
 * round's gradients and the root histogram), then `gbt.grow` until the tree is complete. A
 * validation shard only receives `gbt.init` and `gbt.apply`.
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

/** A tree as {@linkcode Tree.toJSON} writes it. */
export type TreeJson = Record<string, (number | string)[]>;

/** What a shard needs to start a round's tree: its number, grids, bagging, seed and class weights. */
export interface GbtRoundSettings {
  readonly round: number;
  readonly scale: number;
  readonly lossScale: number;
  readonly baggingFraction: number;
  readonly seed: number;
  /** Multipliers of class 0 and 1 of gradients, hessians and losses; absent: 1 and 1. */
  readonly classWeights?: ClassMultipliers;
  /** Skip the loss (the reply's extra is then `[0, 0]`); absent: compute it. */
  readonly noLoss?: true;
}

/** What the boosting driver asks of a shard. */
export type GbtRequest =
  /** → `describe`. */
  | { readonly type: "gbt.describe" }
  /** → `sums [Σ c_y·q(w·y), Σ c_y·q(w)]` on the grid of `scale` (`c` the class weights, else 1). */
  | { readonly type: "gbt.labelSums"; readonly scale: number; readonly classWeights?: ClassMultipliers }
  /** Every score := `initScore`, no trees applied. → `sums []`. */
  | { readonly type: "gbt.init"; readonly initScore: number }
  /**
   * Adds `trees`, in order, to the scores; afterwards the shard has applied `applied` trees (a
   * resumed training applies its checkpoint's trees at once). → `sums [Σ c_y·q(w·loss), Σ c_y·q(w)]`
   * on the grid of `lossScale`.
   */
  | {
    readonly type: "gbt.apply";
    readonly trees: readonly TreeJson[];
    readonly applied: number;
    readonly lossScale: number;
    readonly classWeights?: ClassMultipliers;
  }
  /**
   * Starts tree `round`: applies `tree` first when given (the shard must then have applied `round`
   * trees), computes gradients of the rows in the round's bag on the grid of `scale` and the
   * root histogram. → `histograms [root]`, extra `[Σ q(w·loss), Σ q(w)]` before this tree.
   */
  | GbtRoundSettings & { readonly type: "gbt.round"; readonly tree: TreeJson | undefined }
  /** Applies `orders`, then builds `build`. → `histograms`. */
  | { readonly type: "gbt.grow"; readonly orders: readonly SplitOrder[]; readonly build: readonly NodeRef[] };

/** Decodes a {@linkcode TreeJson} (its arrays are checked when the tree is built). */
export function decodeTreeJson(value: unknown, what: string): TreeJson {
  const v = asRecord(value, what);
  for (const [k, list] of Object.entries(v)) {
    if (!Array.isArray(list)) throw new MalformedMessageError(`Malformed ${what}.${k}: expected an array`);
  }
  return v as TreeJson;
}

function positive(value: unknown, what: string): number {
  const x = asNumber(value, what);
  if (!(x > 0)) throw new MalformedMessageError(`Malformed ${what}: expected a positive number`);
  return x;
}

/** Decodes the {@linkcode GbtRoundSettings} fields of `v`; throws `MalformedMessageError`. */
export function decodeRoundSettings(v: Record<string, unknown>, what: string): GbtRoundSettings {
  const fraction = positive(v.baggingFraction, `${what}.baggingFraction`);
  if (fraction > 1) throw new MalformedMessageError(`Malformed ${what}.baggingFraction: above 1`);
  const classWeights = decodeMultipliers(v.classWeights, `${what}.classWeights`);
  if (v.noLoss !== undefined && v.noLoss !== true) {
    throw new MalformedMessageError(`Malformed ${what}.noLoss: must be true or absent`);
  }
  return {
    ...(classWeights ? { classWeights } : {}),
    ...(v.noLoss === true ? { noLoss: true } : {}),
    round: asIndex(v.round, `${what}.round`),
    scale: positive(v.scale, `${what}.scale`),
    lossScale: positive(v.lossScale, `${what}.lossScale`),
    baggingFraction: fraction,
    seed: asNumber(v.seed, `${what}.seed`),
  };
}

/** Decodes a {@linkcode GbtRequest}; throws `MalformedMessageError`. */
export function decodeGbtRequest(value: unknown): GbtRequest {
  const v = asRecord(value, "boosting request");
  switch (v.type) {
    case "gbt.describe":
      return { type: "gbt.describe" };
    case "gbt.labelSums": {
      const classWeights = decodeMultipliers(v.classWeights, "gbt.labelSums.classWeights");
      return {
        type: "gbt.labelSums",
        scale: positive(v.scale, "gbt.labelSums.scale"),
        ...(classWeights ? { classWeights } : {}),
      };
    }
    case "gbt.init":
      return { type: "gbt.init", initScore: asNumber(v.initScore, "gbt.init.initScore") };
    case "gbt.apply": {
      const classWeights = decodeMultipliers(v.classWeights, "gbt.apply.classWeights");
      return {
        type: "gbt.apply",
        trees: asArray(v.trees, "gbt.apply.trees", decodeTreeJson),
        applied: asIndex(v.applied, "gbt.apply.applied"),
        lossScale: positive(v.lossScale, "gbt.apply.lossScale"),
        ...(classWeights ? { classWeights } : {}),
      };
    }
    case "gbt.round":
      return {
        type: "gbt.round",
        tree: v.tree === undefined ? undefined : decodeTreeJson(v.tree, "gbt.round.tree"),
        ...decodeRoundSettings(v, "gbt.round"),
      };
    case "gbt.grow":
      return {
        type: "gbt.grow",
        orders: asArray(v.orders, "gbt.grow.orders", decodeSplitOrder),
        build: asArray(v.build, "gbt.grow.build", decodeNodeRef),
      };
    default:
      throw new MalformedMessageError(`Malformed boosting request: unknown type ${String(v.type)}`);
  }
}
