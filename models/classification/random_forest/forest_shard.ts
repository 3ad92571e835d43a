/**
 * The executor side of a random forest: one shard's binned rows, and the bootstrap counts and row
 * partitions of the trees of the current group.
 *
 * @module
 */
import { type ClassMultipliers, weighOnGrid } from "../tree/class_weights.ts";
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
  #channels: { key: string; a: Float64Array; b: Float64Array } | undefined;
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
      case "rf.labelSums":
        return { type: "sums", values: this.#labelSums(request.scale) };
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

  /** `[Σ q(w·y), Σ q(w)]` on the grid of `scale`. */
  #labelSums(scale: number): Float64Array {
    const { a, b } = this.#channelsFor(scale, undefined);
    let positive = 0, total = 0;
    for (let r = 0; r < this.#data.numRows; r++) {
      positive += a[r]!;
      total += b[r]!;
    }
    return Float64Array.of(positive, total);
  }

  /**
   * `(c_y·q(w·y), c_y·q(w))` per row on the grid of `scale` (`c` the class weights, else 1),
   * computed once per scale and class weights.
   */
  #channelsFor(
    scale: number,
    classWeights: ClassMultipliers | undefined,
  ): { a: Float64Array; b: Float64Array } {
    const key = `${scale}/${classWeights?.join("/") ?? ""}`;
    if (this.#channels?.key !== key) {
      const { labels, weights, numRows } = this.#data;
      const [c0, c1] = classWeights ?? [1, 1];
      const a = new Float64Array(numRows), b = new Float64Array(numRows);
      for (let r = 0; r < numRows; r++) {
        const c = labels[r] === 1 ? c1 : c0;
        a[r] = weighOnGrid(quantize(weights[r]! * labels[r]!, scale), c);
        b[r] = weighOnGrid(quantize(weights[r]!, scale), c);
      }
      this.#channels = { key, a, b };
    }
    return this.#channels;
  }

  /** Starts the group's trees: bootstrap counts and every tree's root segment. */
  #begin(request: Omit<Extract<ForestRequest, { type: "rf.start" }>, "type">): void {
    const { a, b } = this.#channelsFor(request.scale, request.classWeights);
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
