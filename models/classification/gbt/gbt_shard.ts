/**
 * The executor side of boosting: one shard's binned rows, labels, weights and current scores,
 * kept between rounds. Only each new tree comes in; only histograms and exact loss sums go out.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { type ClassMultipliers, weighOnGrid } from "../tree/class_weights.ts";
import { quantize, roundHalfUp } from "../tree/histogram.ts";
import type { ShardReply } from "../tree/protocol.ts";
import { inBag, SAMPLING_DOMAINS } from "../tree/sampling.ts";
import { describeShard, type ShardData, shardDataBytes, ShardTrees } from "../tree/shard.ts";
import { Tree } from "../tree/tree_model.ts";
import type { GbtReplay } from "./gbt_journal.ts";
import type { GbtRequest, GbtRoundSettings } from "./gbt_protocol.ts";
import { logLoss, MAX_ROW_LOSS } from "./logistic.ts";

/**
 * `scores[r] += value` for the rows `rows[begin … end − 1]`. The row loops of `#apply` are
 * functions of their own: inside its per-segment closure, V8 deoptimized that closure at the same
 * exit again and again (`--trace-deopt`: 3 times per tree, "insufficient type feedback"), and the
 * rest of each such segment ran unoptimized.
 */
function addValue(
  scores: Float64Array,
  range: { rows: Int32Array; begin: number; end: number },
  value: number,
): void {
  const { rows, begin, end } = range;
  for (let i = begin; i < end; i++) scores[rows[i]!]! += value;
}

/** `scores[r] += values[bin of r on feature]` for the rows `rows[begin … end − 1]`. */
function addByBin(
  scores: Float64Array,
  range: { rows: Int32Array; begin: number; end: number },
  by: { bins: Uint8Array; numFeatures: number; feature: number; values: Float64Array },
): void {
  const { rows, begin, end } = range;
  const { bins, numFeatures, feature, values } = by;
  for (let i = begin; i < end; i++) {
    const r = rows[i]!;
    scores[r]! += values[bins[r * numFeatures + feature]!]!;
  }
}

/** A boosting shard (training or validation rows). */
export class GbtShard {
  readonly #data: ShardData;
  readonly #trees: ShardTrees;
  readonly #grad: Float64Array;
  readonly #hess: Float64Array;
  #scores: Float64Array | undefined;
  #applied = 0;

  constructor(data: ShardData) {
    this.#data = data;
    this.#trees = new ShardTrees(data);
    this.#grad = new Float64Array(data.numRows);
    this.#hess = new Float64Array(data.numRows);
  }

  /** The current raw scores (log-odds) of the shard's rows. */
  get scores(): Float64Array {
    return this.#scoresOrThrow();
  }

  #scoresOrThrow(): Float64Array {
    if (this.#scores === undefined) {
      throw new MalformedMessageError("Boosting shard has no scores: send gbt.init first");
    }
    return this.#scores;
  }

  /**
   * Answers one request. With `redo`, the request's state changes already happened (the shard
   * answered it before, and a failed job sent it again): only its reply is computed again.
   */
  handle(request: GbtRequest, options: { redo?: boolean } = {}): ShardReply {
    const redo = options.redo === true;
    switch (request.type) {
      case "gbt.describe":
        return describeShard(this.#data);
      case "gbt.labelSums":
        return { type: "sums", values: this.#labelSums(request.scale, request.classWeights) };
      case "gbt.init":
        this.#scores = new Float64Array(this.#data.numRows).fill(request.initScore);
        this.#applied = 0;
        return { type: "sums", values: new Float64Array(0) };
      case "gbt.apply":
        if (!redo) this.#apply(request.trees.map((t) => Tree.fromJSON(t)), request.applied);
        else if (this.#applied !== request.applied) this.#lost(request.applied);
        return { type: "sums", values: this.#loss(request.lossScale, request.classWeights) };
      case "gbt.round": {
        if (request.tree !== undefined && !redo) this.#apply([Tree.fromJSON(request.tree)], request.round);
        else if (this.#applied !== request.round) this.#lost(request.round);
        const loss = this.#beginRound(request);
        return this.#trees.build([{ tree: request.round, node: 0 }], loss);
      }
      case "gbt.grow":
        if (!redo) this.#trees.apply(request.orders);
        return this.#trees.build(request.build);
      default:
        return request satisfies never;
    }
  }

  /**
   * Rebuilds the state a lost shard had from what the driver kept (see `gbt_journal.ts`): the
   * initial score, the trees applied so far, and the tree being grown (its round and the split
   * orders sent so far).
   */
  replay(state: GbtReplay): void {
    if (state.initScore === undefined) return;
    this.handle({ type: "gbt.init", initScore: state.initScore });
    if (state.trees.length > 0) this.#apply(state.trees, state.trees.length);
    if (state.round === undefined) return;
    this.#beginRound(state.round);
    this.#trees.apply(state.orders);
  }

  /** Bytes the shard holds (rows, scores, gradients, row partitions), for the state budget. */
  get bytes(): number {
    return shardDataBytes(this.#data) + 40 * this.#data.numRows;
  }

  /** Starts the round's tree on the gradients of its bag; returns the loss before the round. */
  #beginRound(round: GbtRoundSettings): Float64Array {
    const { rows, loss } = this.#gradients(round);
    this.#trees.end(round.round - 1);
    this.#trees.start(round.round, rows, { a: this.#grad, b: this.#hess });
    return loss;
  }

  #lost(expected: number): never {
    throw new MalformedMessageError(
      `Boosting shard has applied ${this.#applied} trees, the driver expected ${expected}: its state was lost`,
      { data: { applied: this.#applied, expected } },
    );
  }

  /**
   * Adds the leaf values of `trees` (trees `#applied …` of the model) to the scores, each row's
   * the same value a walk down the tree gives it.
   *
   * A tree grown on this shard still has its row partition, which saves most of the walks: the
   * rows of a segment all lie below one tree node `Q` — a leaf, or a node whose two children are
   * leaves (the driver sends no split whose children are both final). One walk of the segment's
   * first row reaches a leaf `L` below `Q`; if `L`'s sibling is a leaf too, each row takes one
   * step from `L`'s parent, else every row is in `L`. Rows the partition does not hold (out of the
   * round's bag, weight 0) and trees grown elsewhere are walked row by row.
   */
  #apply(trees: readonly Tree[], appliedAfter: number): void {
    const scores = this.#scoresOrThrow();
    if (this.#applied + trees.length !== appliedAfter) this.#lost(appliedAfter - trees.length);
    const { bins, numFeatures } = this.#data.matrix;
    const numRows = this.#data.numRows;
    let index = this.#applied;
    const childValue = new Float64Array(256), oneBin = new Uint8Array(numFeatures);
    for (const tree of trees) {
      const partition = this.#trees.partition(index++);
      let covered = 0;
      if (partition !== undefined) {
        const { feature, left, right, value } = tree.arrays;
        const parents = tree.parents();
        partition.forEachSegment((rows, begin, end) => {
          if (begin === end) return;
          const leaf = tree.leafOfBinned(bins, rows[begin]! * numFeatures);
          const p = parents[leaf]!;
          if (p >= 0 && feature[left[p]!]! < 0 && feature[right[p]!]! < 0) {
            // each row's child by a table of bin → leaf value (the rows go either way at random:
            // a lookup instead of a mispredicted branch)
            const f = feature[p]!;
            for (let bin = 0; bin < 256; bin++) {
              childValue[bin] = value[tree.childOfBinned(p, oneBin.fill(bin, f, f + 1), 0)]!;
            }
            addByBin(scores, { rows, begin, end }, { bins, numFeatures, feature: f, values: childValue });
          } else addValue(scores, { rows, begin, end }, value[leaf]!);
          covered += end - begin;
        });
      }
      if (covered === numRows) continue;
      let done: Uint8Array | undefined;
      if (covered > 0) {
        done = new Uint8Array(numRows);
        const marks = done;
        partition?.forEachSegment((rows, begin, end) => {
          for (let i = begin; i < end; i++) marks[rows[i]!] = 1;
        });
      }
      for (let r = 0; r < numRows; r++) {
        if (done === undefined || done[r] === 0) scores[r]! += tree.predictBinned(bins, r * numFeatures);
      }
    }
    this.#applied = appliedAfter;
  }

  #labelSums(scale: number, classWeights: ClassMultipliers = [1, 1]): Float64Array {
    const { labels, weights } = this.#data;
    let positive = 0, total = 0;
    for (let r = 0; r < this.#data.numRows; r++) {
      const w = weights[r]!, c = classWeights[labels[r] === 1 ? 1 : 0];
      positive += weighOnGrid(quantize(w * labels[r]!, scale), c);
      total += weighOnGrid(quantize(w, scale), c);
    }
    return Float64Array.of(positive, total);
  }

  #loss(lossScale: number, classWeights: ClassMultipliers = [1, 1]): Float64Array {
    const scores = this.#scoresOrThrow();
    const { labels, weights } = this.#data;
    let loss = 0, total = 0;
    for (let r = 0; r < this.#data.numRows; r++) {
      const w = weights[r]!, c = classWeights[labels[r] === 1 ? 1 : 0];
      loss += weighOnGrid(
        quantize(w * Math.min(logLoss(scores[r]!, labels[r]!), MAX_ROW_LOSS), lossScale),
        c,
      );
      total += weighOnGrid(quantize(w, lossScale), c);
    }
    return Float64Array.of(loss, total);
  }

  /**
   * One pass over the rows: the loss at the current scores (all rows; one `log1p` per row, skipped
   * under `noLoss`) and the quantized gradients and hessians of the round's bag (one `exp` per
   * row), each times its class weight. Returns the bag's rows.
   */
  #gradients(request: GbtRoundSettings): {
    rows: Int32Array;
    loss: Float64Array;
  } {
    const scores = this.#scoresOrThrow();
    const { labels, weights, rowIds, numRows } = this.#data;
    const { round, scale, lossScale, baggingFraction } = request;
    const [c0, c1] = request.classWeights ?? [1, 1];
    const grad = this.#grad, hess = this.#hess;
    const rng = new CounterRandom(request.seed, SAMPLING_DOMAINS.bagging);
    const everyRow = baggingFraction >= 1;
    const withLoss = request.noLoss !== true;
    const rows = new Int32Array(numRows);
    let n = 0, loss = 0, total = 0;
    // quantize and weighOnGrid written out (the hot loop of a round's start; same arithmetic)
    for (let r = 0; r < numRows; r++) {
      const w = weights[r]!, s = scores[r]!, y = labels[r]!, c = y === 1 ? c1 : c0;
      const e = Math.exp(-Math.abs(s));
      const p = s >= 0 ? 1 / (1 + e) : e / (1 + e);
      if (withLoss) {
        // log loss = softplus(y ? −s : s) = max(±s, 0) + log1p(e^−|s|)
        const rowLoss = Math.max(y === 1 ? -s : s, 0) + Math.log1p(e);
        const ql = roundHalfUp(w * Math.min(rowLoss, MAX_ROW_LOSS) * lossScale);
        const qw = roundHalfUp(w * lossScale);
        loss += c === 1 ? ql : Math.round(ql * c);
        total += c === 1 ? qw : Math.round(qw * c);
      }
      if (w === 0 || !(everyRow || inBag(rng, rowIds[r]!, round, baggingFraction))) continue;
      const g = roundHalfUp((p - y) * w * scale), h = roundHalfUp(p * (1 - p) * w * scale);
      grad[r] = c === 1 ? g : Math.round(g * c);
      hess[r] = c === 1 ? h : Math.round(h * c);
      rows[n++] = r;
    }
    return { rows: n === numRows ? rows : rows.slice(0, n), loss: Float64Array.of(loss, total) };
  }
}
