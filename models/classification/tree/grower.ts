/**
 * The driver side of growing one tree from merged histograms.
 *
 * Each round the grower picks leaves to split ({@linkcode TreeGrower.plan}): the open leaves with a
 * valid split, best gain first (ties: lower node id), at most `maxSplits` of them and never more
 * than the leaf budget allows. With `maxSplits = 1` this is LightGBM's leaf-wise growth; with
 * `maxSplits = Infinity` every splittable leaf of the current level is split at once (level-wise,
 * as forests grow). For each split it asks the shards for the histogram of the smaller child
 * only and gets the sibling by subtracting it from the parent's, in place
 * ({@linkcode TreeGrower.receive}). Children that can never be split (at the depth limit, too
 * few rows, or pure under gini / entropy) need no histogram at all: a split whose children are
 * both final costs no shard work, which saves the whole last level of depth-limited trees.
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

/** Bytes of driver memory the open leaves' histograms may hold, shared by the trees of a group. */
export class HistogramBudget {
  #free: number;

  constructor(bytes: number) {
    if (!(bytes >= 0)) throw new RangeError(`A histogram budget must be ≥ 0 bytes, got ${bytes}`);
    this.#free = bytes;
  }

  /** Takes `bytes` if they are free. */
  tryReserve(bytes: number): boolean {
    if (bytes > this.#free) return false;
    this.#free -= bytes;
    return true;
  }

  /** Gives back `bytes`. */
  release(bytes: number): void {
    this.#free += bytes;
  }
}

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
  /**
   * The features a node may split on (seeded per node or per tree by the caller). `path` is the
   * node's heap position — root 1, children `2·path` and `2·path + 1` — which, unlike its id,
   * does not depend on the order leaves are split in (exact to depth 52).
   */
  readonly features: (path: number) => ArrayLike<number>;
  /**
   * Memory for the histograms of open leaves. A leaf that finds none drops its histogram; when it
   * is split both children are built instead of one (more work, bounded memory). Default: no limit.
   */
  readonly budget?: HistogramBudget;
}

interface OpenLeaf {
  readonly node: number;
  readonly path: number;
  readonly depth: number;
  /** Kept for the sibling subtraction; absent when the budget had no room. */
  readonly hist: Histogram | undefined;
  readonly best: SplitCandidate;
}

interface Child {
  readonly node: number;
  readonly path: number;
  readonly sums: NodeSums;
  /** Whether the child may be split (and so needs its histogram). */
  readonly open: boolean;
}

interface Pending {
  readonly parent: Histogram | undefined;
  readonly small: Child;
  readonly large: Child;
  readonly depth: number;
  readonly buildSmall: boolean;
  readonly buildLarge: boolean;
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
  readonly #histBytes: number;
  #pending: Pending[] = [];
  #leaves = 1;

  /** Starts from the merged histogram of the root. */
  constructor(root: Histogram, options: GrowerOptions) {
    if (!(options.maxLeaves >= 2)) throw new RangeError(`maxLeaves must be ≥ 2, got ${options.maxLeaves}`);
    if (!(options.maxDepth >= 1)) throw new RangeError(`maxDepth must be ≥ 1, got ${options.maxDepth}`);
    this.#options = options;
    this.#histBytes = root.sums.byteLength + root.counts.byteLength;
    const sums = histogramTotals(root, options.layout);
    this.#builder = new TreeBuilder(options.binnings, this.#info(sums));
    if (this.#splittable(0, sums)) this.#consider({ node: 0, path: 1, depth: 0 }, root, sums);
  }

  #info(sums: NodeSums): { value: number; count: number; weight: number } {
    return {
      value: this.#options.leafValue(sums),
      count: sums.count,
      weight: sums.b / this.#options.split.scale,
    };
  }

  /** Whether a node could be split at all (before looking at its histogram). */
  #splittable(depth: number, sums: NodeSums): boolean {
    const o = this.#options;
    if (depth >= o.maxDepth || sums.count < 2 * o.split.minCount) return false;
    // a pure node has no impurity to gain
    return o.split.criterion.kind === "newton" || (sums.a !== 0 && sums.a !== sums.b);
  }

  #consider(at: { node: number; path: number; depth: number }, hist: Histogram, sums: NodeSums): void {
    const o = this.#options;
    const best = findBestSplit(hist, o.layout, {
      parent: sums,
      features: o.features(at.path),
      options: o.split,
    });
    if (best === undefined) return;
    const keep = o.budget === undefined || o.budget.tryReserve(this.#histBytes);
    this.#open.set(at.node, {
      node: at.node,
      path: at.path,
      depth: at.depth,
      hist: keep ? hist : undefined,
      best,
    });
  }

  /** Whether the grower waits for the histograms of its last round. */
  get waiting(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * The next round's splits and histogram requests; `undefined` when the tree is complete. A round
   * may carry no request at all (every child it made is final): plan again.
   */
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
      if (leaf.hist !== undefined) this.#options.budget?.release(this.#histBytes);
      const [l, r] = this.#builder.split(leaf.node, {
        rule: best.rule,
        gain: best.gain,
        left: this.#info(best.left),
        right: this.#info(best.right),
      });
      this.#leaves++;
      const depth = leaf.depth + 1;
      const left = {
        node: l,
        path: 2 * leaf.path,
        sums: best.left,
        open: this.#splittable(depth, best.left),
      };
      const right = {
        node: r,
        path: 2 * leaf.path + 1,
        sums: best.right,
        open: this.#splittable(depth, best.right),
      };
      if (!left.open && !right.open) continue; // both final: no shard needs these rows again
      const [small, large] = best.left.count <= best.right.count ? [left, right] : [right, left];
      const parent = leaf.hist;
      const buildSmall = small.open || (large.open && parent !== undefined);
      const buildLarge = large.open && parent === undefined;
      this.#pending.push({ parent, small, large, depth, buildSmall, buildLarge });
      round.orders.push({ node: leaf.node, left: l, right: r, rule: best.rule });
      if (buildSmall) round.build.push(small.node);
      if (buildLarge) round.build.push(large.node);
    }
    return round;
  }

  /** Takes the merged histograms of the last round's `build` nodes, in order (owned from now on). */
  receive(hists: readonly Histogram[]): void {
    const pending = this.#pending;
    const expected = pending.reduce((n, p) => n + Number(p.buildSmall) + Number(p.buildLarge), 0);
    if (hists.length !== expected) {
      throw new MalformedMessageError(`Expected ${expected} histograms, got ${hists.length}`);
    }
    this.#pending = [];
    let i = 0;
    const layout = this.#options.layout;
    for (const p of pending) {
      const small = p.buildSmall ? hists[i++]! : undefined;
      let large = p.buildLarge ? hists[i++]! : undefined;
      if (small) checkTotals(histogramTotals(small, layout), p.small);
      if (large) checkTotals(histogramTotals(large, layout), p.large);
      if (large === undefined && p.large.open && small !== undefined && p.parent !== undefined) {
        subtractHistogram(p.parent, small);
        large = p.parent;
      }
      if (p.small.open && small) {
        this.#consider({ node: p.small.node, path: p.small.path, depth: p.depth }, small, p.small.sums);
      }
      if (p.large.open && large) {
        this.#consider({ node: p.large.node, path: p.large.path, depth: p.depth }, large, p.large.sums);
      }
    }
  }

  /** The finished tree (call once `plan` returns `undefined`). */
  finish(): Tree {
    return this.#builder.build();
  }
}

/** A shard bug or a lost message would show here first: the child must sum to what the split said. */
function checkTotals(got: NodeSums, child: Child): void {
  const want = child.sums, node = child.node;
  if (got.a !== want.a || got.b !== want.b || got.count !== want.count) {
    throw new MalformedMessageError(
      `Histogram of node ${node} sums to (${got.a}, ${got.b}, ${got.count}), expected (${want.a}, ${want.b}, ${want.count})`,
    );
  }
}
