/**
 * The executor side of a random forest: one shard's binned rows, and the bootstrap counts and row
 * partitions of the trees of the current group.
 *
 * @module
 */
import { quantize } from "../tree/histogram.ts";
import type { ShardReply } from "../tree/protocol.ts";
import { bootstrapCounts } from "../tree/sampling.ts";
import { describeShard, type ShardData, shardDataBytes, ShardTrees } from "../tree/shard.ts";
import type { ForestReplay } from "./forest_journal.ts";
import type { ForestRequest } from "./forest_protocol.ts";

/** A forest shard. */
export class ForestShard {
  readonly #data: ShardData;
  readonly #trees: ShardTrees;
  #channels: { scale: number; a: Float64Array; b: Float64Array } | undefined;
  #group: readonly number[] | undefined;

  constructor(data: ShardData) {
    this.#data = data;
    this.#trees = new ShardTrees(data);
  }

  /**
   * Answers one request. With `redo`, the request's state changes already happened (the shard
   * answered it before, and a failed job sent it again): only its reply is computed again.
   */
  handle(request: ForestRequest, options: { redo?: boolean } = {}): ShardReply {
    switch (request.type) {
      case "rf.describe":
        return describeShard(this.#data);
      case "rf.start":
        this.#begin(request);
        return this.#trees.build(request.trees.map((tree) => ({ tree, node: 0 })));
      case "rf.grow":
        if (options.redo !== true) this.#trees.apply(request.orders);
        return this.#trees.build(request.build);
      case "rf.end":
        for (const t of request.trees) this.#trees.end(t);
        this.#group = undefined;
        return { type: "sums", values: new Float64Array(0) };
      default:
        return request satisfies never;
    }
  }

  /**
   * Rebuilds the state a lost shard had from what the driver kept (see `forest_journal.ts`): the
   * group of trees being grown and the split orders sent for it so far.
   */
  replay(state: ForestReplay): void {
    if (state.start === undefined) return;
    this.#begin(state.start);
    this.#trees.apply(state.orders);
  }

  /** Bytes the shard holds (rows, channels, the group's bootstrap counts and row partitions). */
  get bytes(): number {
    const n = this.#data.numRows;
    return shardDataBytes(this.#data) + 20 * n + 5 * n * (this.#group?.length ?? 0);
  }

  /** `(q(w·y), q(w))` per row on the grid of `scale`, computed once per scale. */
  #channelsFor(scale: number): { a: Float64Array; b: Float64Array } {
    if (this.#channels?.scale !== scale) {
      const { labels, weights, numRows } = this.#data;
      const a = new Float64Array(numRows), b = new Float64Array(numRows);
      for (let r = 0; r < numRows; r++) {
        a[r] = quantize(weights[r]! * labels[r]!, scale);
        b[r] = quantize(weights[r]!, scale);
      }
      this.#channels = { scale, a, b };
    }
    return this.#channels;
  }

  /** Starts the group's trees: bootstrap counts and every tree's root segment. */
  #begin(request: Omit<Extract<ForestRequest, { type: "rf.start" }>, "type">): void {
    const { a, b } = this.#channelsFor(request.scale);
    const { numRows, weights } = this.#data;
    const counts = request.bootstrap
      ? bootstrapCounts(this.#data.rowIds, request.seed, request.trees)
      : undefined;
    request.trees.forEach((tree, t) => {
      const m = counts?.[t];
      const rows = new Int32Array(numRows);
      let n = 0;
      for (let r = 0; r < numRows; r++) if (weights[r]! > 0 && (m === undefined || m[r]! > 0)) rows[n++] = r;
      this.#trees.start(tree, rows.slice(0, n), m === undefined ? { a, b } : { a, b, multiplicity: m });
    });
    this.#group = request.trees;
  }
}
