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
 * Lookahead (leaf-wise growth only). Exact leaf-wise growth needs a round trip per split: the
 * next leaf to split may be a child of the last one. With `lookahead = k` a round also sends the
 * splits of the `k` best other open leaves, ahead of need; their children's histograms come back
 * with it. Growth still takes leaves strictly in leaf-wise order — a leaf whose children are
 * already known is split without a round trip — and splits it never reaches are dropped, so the
 * tree (node numbering and tie-breaks included) is the same for any `k`; only the number of
 * rounds and the histogram work change. Shard node ids (in split orders) are therefore the
 * grower's own, not the tree's.
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
  /**
   * A node's output from its quantized sums; `childL2` is the split's extra L2 on its children
   * ({@linkcode SplitCandidate.childL2}, 0 at the root).
   */
  readonly leafValue: (sums: NodeSums, childL2: number) => number;
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

/** A node with a known best split, in the tree or below a split sent ahead of need. */
interface Candidate {
  /** Its id in the tree; set when it joins the tree. */
  node: number | undefined;
  /** Its id on the shards. */
  readonly shard: number;
  readonly path: number;
  readonly depth: number;
  /** Kept for the sibling subtraction; absent when the budget had no room. */
  readonly hist: Histogram | undefined;
  readonly best: SplitCandidate;
  /** Its children (those that can be split), once its split was sent ahead of need and answered. */
  ahead?: { readonly left: Candidate | undefined; readonly right: Candidate | undefined };
}

/** An open leaf: a candidate in the tree. */
type OpenLeaf = Candidate & { node: number };

interface Child {
  readonly side: "left" | "right";
  /** Its id in the tree; absent for a split sent ahead of need. */
  readonly node: number | undefined;
  readonly shard: number;
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
  /** The node whose split was sent ahead of need (its children are not in the tree yet). */
  readonly ahead: Candidate | undefined;
}

/** One round of requests: split orders (shard node, children, rule) and the shard nodes to build. */
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
  #nextShard = 1;

  /** Starts from the merged histogram of the root (tree node 0, shard node 0). */
  constructor(root: Histogram, options: GrowerOptions) {
    if (!(options.maxLeaves >= 2)) throw new RangeError(`maxLeaves must be ≥ 2, got ${options.maxLeaves}`);
    if (!(options.maxDepth >= 1)) throw new RangeError(`maxDepth must be ≥ 1, got ${options.maxDepth}`);
    this.#options = options;
    this.#histBytes = root.sums.byteLength + root.counts.byteLength;
    const sums = histogramTotals(root, options.layout);
    this.#builder = new TreeBuilder(options.binnings, this.#info(sums));
    if (this.#splittable(0, sums)) {
      const found = this.#evaluate(1, root, sums);
      if (found) this.#open.set(0, { node: 0, shard: 0, path: 1, depth: 0, ...found });
    }
  }

  #info(sums: NodeSums, childL2 = 0): { value: number; count: number; weight: number } {
    return {
      value: this.#options.leafValue(sums, childL2),
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

  /** The best split of a node from its histogram, and the histogram if the budget keeps it. */
  #evaluate(
    path: number,
    hist: Histogram,
    sums: NodeSums,
  ): { best: SplitCandidate; hist: Histogram | undefined } | undefined {
    const o = this.#options;
    const best = findBestSplit(hist, o.layout, {
      parent: sums,
      features: o.features(path),
      options: o.split,
    });
    if (best === undefined) return undefined;
    const keep = o.budget === undefined || o.budget.tryReserve(this.#histBytes);
    return { best, hist: keep ? hist : undefined };
  }

  /** Whether the grower waits for the histograms of its last round. */
  get waiting(): boolean {
    return this.#pending.length > 0;
  }

  /** Open leaves, best gain first (ties: lower node id). */
  #ranked(): OpenLeaf[] {
    return [...this.#open.values()].sort((x, y) => y.best.gain - x.best.gain || x.node - y.node);
  }

  /** Candidates whose split has not been sent: open leaves and nodes below splits sent ahead. */
  #frontier(): Candidate[] {
    const out: Candidate[] = [];
    const visit = (c: Candidate | undefined): void => {
      if (c === undefined) return;
      if (c.ahead === undefined) out.push(c);
      else {
        visit(c.ahead.left);
        visit(c.ahead.right);
      }
    };
    for (const leaf of this.#open.values()) visit(leaf);
    return out.sort((x, y) => y.best.gain - x.best.gain || x.shard - y.shard);
  }

  /** Splits `leaf` in the tree; returns its children's tree ids. */
  #commit(leaf: OpenLeaf): [number, number] {
    const { best } = leaf;
    this.#open.delete(leaf.node);
    if (leaf.hist !== undefined) this.#options.budget?.release(this.#histBytes);
    this.#leaves++;
    return this.#builder.split(leaf.node, {
      rule: best.rule,
      gain: best.gain,
      left: this.#info(best.left, best.childL2),
      right: this.#info(best.right, best.childL2),
    });
  }

  /**
   * Sends `leaf`'s split to the shards: its order and the histograms its children need. `tree`
   * are the children's tree ids when the split is in the tree, absent when it goes ahead of need.
   * Returns false when no child needs a histogram (and nothing was sent).
   */
  #send(leaf: Candidate, round: GrowerRound, tree: [number, number] | undefined): boolean {
    const { best } = leaf;
    const depth = leaf.depth + 1;
    const child = (side: "left" | "right", i: 0 | 1): Child => {
      const sums = side === "left" ? best.left : best.right;
      return {
        side,
        node: tree?.[i],
        shard: this.#nextShard++,
        path: 2 * leaf.path + i,
        sums,
        open: this.#splittable(depth, sums),
      };
    };
    const left = child("left", 0), right = child("right", 1);
    if (!left.open && !right.open) {
      // both final: no shard needs these rows again
      if (tree === undefined) leaf.ahead = { left: undefined, right: undefined };
      return false;
    }
    const [small, large] = best.left.count <= best.right.count ? [left, right] : [right, left];
    const parent = leaf.hist;
    const buildSmall = small.open || (large.open && parent !== undefined);
    const buildLarge = large.open && parent === undefined;
    this.#pending.push({
      parent,
      small,
      large,
      depth,
      buildSmall,
      buildLarge,
      ahead: tree === undefined ? leaf : undefined,
    });
    round.orders.push({ node: leaf.shard, left: left.shard, right: right.shard, rule: best.rule });
    if (buildSmall) round.build.push(small.shard);
    if (buildLarge) round.build.push(large.shard);
    return true;
  }

  /**
   * The next round's splits and histogram requests; `undefined` when the tree is complete. A round
   * may carry no request at all (every child it made is final): plan again. `lookahead` (with
   * `maxSplits = 1` only) sends that many more splits ahead of need (see the module doc).
   */
  plan(maxSplits: number, options: { lookahead?: number } = {}): GrowerRound | undefined {
    if (this.waiting) throw new RangeError("The grower still waits for the histograms of its last round");
    const round: GrowerRound = { orders: [], build: [] };
    const maxLeaves = this.#options.maxLeaves;
    if (maxSplits > 1) {
      const budget = Math.min(maxSplits, maxLeaves - this.#leaves);
      if (budget < 1 || this.#open.size === 0) return undefined;
      for (const leaf of this.#ranked().slice(0, budget)) this.#send(leaf, round, this.#commit(leaf));
      return round;
    }
    for (;;) {
      const next = this.#leaves < maxLeaves ? this.#ranked()[0] : undefined;
      if (next === undefined) return undefined;
      const ids = this.#commit(next);
      const ahead = next.ahead;
      if (ahead !== undefined) {
        // answered ahead of need: the children join the open leaves without a round trip
        [ahead.left, ahead.right].forEach((c, i) => {
          if (c === undefined) return;
          c.node = ids[i]!;
          this.#open.set(c.node, c as OpenLeaf);
        });
        continue;
      }
      if (!this.#send(next, round, ids)) continue;
      const room = Math.min(options.lookahead ?? 0, maxLeaves - this.#leaves);
      for (const c of this.#frontier().slice(0, room)) this.#send(c, round, undefined);
      return round;
    }
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
      const results = { left: undefined as Candidate | undefined, right: undefined as Candidate | undefined };
      for (const [c, hist] of [[p.small, small], [p.large, large]] as const) {
        const found = c.open && hist ? this.#evaluate(c.path, hist, c.sums) : undefined;
        if (found === undefined) continue;
        const node: Candidate = { node: c.node, shard: c.shard, path: c.path, depth: p.depth, ...found };
        results[c.side] = node;
        if (p.ahead === undefined) this.#open.set(c.node!, node as OpenLeaf);
      }
      if (p.ahead !== undefined) p.ahead.ahead = results;
    }
  }

  /** The finished tree (call once `plan` returns `undefined`). */
  finish(): Tree {
    return this.#builder.build();
  }
}

/** A shard bug or a lost message would show here first: the child must sum to what the split said. */
function checkTotals(got: NodeSums, child: Child): void {
  const want = child.sums, node = child.shard;
  if (got.a !== want.a || got.b !== want.b || got.count !== want.count) {
    throw new MalformedMessageError(
      `Histogram of shard node ${node} sums to (${got.a}, ${got.b}, ${got.count}), expected (${want.a}, ${want.b}, ${want.count})`,
    );
  }
}
