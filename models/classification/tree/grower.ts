/**
 * The driver side of growing one tree from merged histograms.
 *
 * Each round the grower picks leaves to split ({@linkcode TreeGrower.plan}): the open leaves with a
 * valid split, best gain first (ties: lower node id), at most `maxSplits` of them and never more
 * than the leaf budget allows. With `maxSplits = 1` this is LightGBM's leaf-wise growth; with
 * `maxSplits = Infinity` every splittable leaf of the current level is split at once (level-wise,
 * as forests grow). For each split it asks the shards for the histogram of the smaller child
 * only and gets the sibling by subtracting it from the parent's, in place
 * ({@linkcode TreeGrower.receive}).
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { FeatureBinning } from "./binning.ts";
import { type Histogram, type HistogramLayout, histogramTotals, subtractHistogram } from "./histogram.ts";
import {
  findBestSplit,
  type NodeSums,
  type SplitCandidate,
  type SplitOptions,
  type SplitRule,
} from "./split.ts";
import { TreeBuilder } from "./tree_builder.ts";
import type { Tree } from "./tree_model.ts";

/** How one tree grows. */
export interface GrowerOptions {
  readonly layout: HistogramLayout;
  readonly binnings: readonly FeatureBinning[];
  readonly split: SplitOptions;
  /** Most leaves (≥ 2, or Infinity). */
  readonly maxLeaves: number;
  /** Most edges from the root to a leaf (≥ 1, or Infinity). */
  readonly maxDepth: number;
  /** A node's output from its quantized sums. */
  readonly leafValue: (sums: NodeSums) => number;
  /** The features a node may split on (seeded per node or per tree by the caller). */
  readonly features: (node: number) => ArrayLike<number>;
}

interface OpenLeaf {
  readonly node: number;
  readonly depth: number;
  readonly hist: Histogram;
  readonly best: SplitCandidate;
}

interface Pending {
  readonly parent: Histogram;
  readonly small: number;
  readonly large: number;
  readonly smallSums: NodeSums;
  readonly largeSums: NodeSums;
  readonly depth: number;
}

/** One round of requests: split orders (node, children, rule) and the nodes to build. */
export interface GrowerRound {
  readonly orders: { node: number; left: number; right: number; rule: SplitRule }[];
  readonly build: number[];
}

/** Grows one tree. */
export class TreeGrower {
  readonly #options: GrowerOptions;
  readonly #builder: TreeBuilder;
  readonly #open = new Map<number, OpenLeaf>();
  #pending: Pending[] = [];
  #leaves = 1;

  /** Starts from the merged histogram of the root. */
  constructor(root: Histogram, options: GrowerOptions) {
    if (!(options.maxLeaves >= 2)) throw new RangeError(`maxLeaves must be ≥ 2, got ${options.maxLeaves}`);
    if (!(options.maxDepth >= 1)) throw new RangeError(`maxDepth must be ≥ 1, got ${options.maxDepth}`);
    this.#options = options;
    const sums = histogramTotals(root, options.layout);
    this.#builder = new TreeBuilder(options.binnings, this.#info(sums));
    this.#consider(0, 0, root, sums);
  }

  #info(sums: NodeSums): { value: number; count: number; weight: number } {
    return {
      value: this.#options.leafValue(sums),
      count: sums.count,
      weight: sums.b / this.#options.split.scale,
    };
  }

  #consider(node: number, depth: number, hist: Histogram, sums: NodeSums): void {
    const o = this.#options;
    if (depth >= o.maxDepth || sums.count < 2 * o.split.minCount) return;
    const best = findBestSplit(hist, o.layout, {
      parent: sums,
      features: o.features(node),
      options: o.split,
    });
    if (best !== undefined) this.#open.set(node, { node, depth, hist, best });
  }

  /** Whether the grower waits for the histograms of its last round. */
  get waiting(): boolean {
    return this.#pending.length > 0;
  }

  /** The next round's splits and histogram requests; `undefined` when the tree is complete. */
  plan(maxSplits: number): GrowerRound | undefined {
    if (this.waiting) throw new RangeError("The grower still waits for the histograms of its last round");
    const budget = Math.min(maxSplits, this.#options.maxLeaves - this.#leaves);
    if (budget < 1 || this.#open.size === 0) return undefined;
    const chosen = [...this.#open.values()]
      .sort((x, y) => y.best.gain - x.best.gain || x.node - y.node)
      .slice(0, budget);
    const round: GrowerRound = { orders: [], build: [] };
    for (const leaf of chosen) {
      const { best } = leaf;
      this.#open.delete(leaf.node);
      const [l, r] = this.#builder.split(leaf.node, {
        rule: best.rule,
        gain: best.gain,
        left: this.#info(best.left),
        right: this.#info(best.right),
      });
      this.#leaves++;
      round.orders.push({ node: leaf.node, left: l, right: r, rule: best.rule });
      const leftSmaller = best.left.count <= best.right.count;
      const pending: Pending = leftSmaller
        ? {
          parent: leaf.hist,
          small: l,
          large: r,
          smallSums: best.left,
          largeSums: best.right,
          depth: leaf.depth + 1,
        }
        : {
          parent: leaf.hist,
          small: r,
          large: l,
          smallSums: best.right,
          largeSums: best.left,
          depth: leaf.depth + 1,
        };
      this.#pending.push(pending);
      round.build.push(pending.small);
    }
    return round;
  }

  /** Takes the merged histograms of the last round's `build` nodes, in order (owned from now on). */
  receive(hists: readonly Histogram[]): void {
    const pending = this.#pending;
    if (hists.length !== pending.length) {
      throw new MalformedMessageError(`Expected ${pending.length} histograms, got ${hists.length}`);
    }
    this.#pending = [];
    pending.forEach((p, i) => {
      const small = hists[i]!;
      checkTotals(histogramTotals(small, this.#options.layout), p.smallSums, p.small);
      subtractHistogram(p.parent, small);
      this.#consider(p.small, p.depth, small, p.smallSums);
      this.#consider(p.large, p.depth, p.parent, p.largeSums);
    });
  }

  /** The finished tree (call once `plan` returns `undefined`). */
  finish(): Tree {
    return this.#builder.build();
  }
}

/** A shard bug or a lost message would show here first: the child must sum to what the split said. */
function checkTotals(got: NodeSums, want: NodeSums, node: number): void {
  if (got.a !== want.a || got.b !== want.b || got.count !== want.count) {
    throw new MalformedMessageError(
      `Histogram of node ${node} sums to (${got.a}, ${got.b}, ${got.count}), expected (${want.a}, ${want.b}, ${want.count})`,
    );
  }
}
