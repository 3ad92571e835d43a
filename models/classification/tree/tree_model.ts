/**
 * A trained decision tree as flat typed arrays (one entry per node, root at 0, children after
 * their parent), predicting from raw feature rows or from binned rows with the same result.
 *
 * Raw rows are one number per feature: numeric values, or category codes for categorical
 * features; `NaN` is missing. At a numeric node `x ≤ threshold` goes left (the bins "≤
 * thresholdBin"); at a categorical node the codes in its left set go left, the other categories
 * known at training go right, and missing or unknown codes follow the default direction (exactly
 * what their missing bin does in binned rows).
 *
 * @module
 */
import { fromJsonNumber, toJsonNumber } from "./binning.ts";

/** The arrays of a tree. Categorical splits index into the `cat*` pools. */
export interface TreeArrays {
  /** Split feature; −1 at a leaf. */
  readonly feature: Int32Array;
  /** Numeric split: value bins `1..thresholdBin` go left; −1 for categorical splits and leaves. */
  readonly thresholdBin: Int32Array;
  /** Numeric split: raw `x ≤ threshold` goes left. */
  readonly threshold: Float64Array;
  /** 1 when missing values go left. */
  readonly defaultLeft: Uint8Array;
  /** Index of the left child (greater than the node's own); unused at a leaf. */
  readonly left: Int32Array;
  /** Index of the right child (greater than the node's own); unused at a leaf. */
  readonly right: Int32Array;
  /** The node's output (every node has one; only leaves' are used to predict). */
  readonly value: Float64Array;
  /** Split gain; 0 at leaves. */
  readonly gain: Float64Array;
  /** Training rows (with bootstrap multiplicity) that reached the node. */
  readonly count: Float64Array;
  /** Training Σhessian (boosting) or Σweight (forest) at the node. */
  readonly weight: Float64Array;
  /** Index of the node's categorical split, −1 otherwise. */
  readonly catIndex: Int32Array;
  /** 8 words per categorical split: bit `t` set when value bin `t` goes left. */
  readonly catBits: Uint32Array;
  /** `2k + 1` offsets into `catCodes`: split `c`'s left codes, then its known right codes. */
  readonly catCodeOffsets: Int32Array;
  /** The raw category codes of the categorical splits, laid out by `catCodeOffsets`. */
  readonly catCodes: Float64Array;
}

const ARRAY_KINDS = {
  feature: Int32Array,
  thresholdBin: Int32Array,
  threshold: Float64Array,
  defaultLeft: Uint8Array,
  left: Int32Array,
  right: Int32Array,
  value: Float64Array,
  gain: Float64Array,
  count: Float64Array,
  weight: Float64Array,
  catIndex: Int32Array,
  catBits: Uint32Array,
  catCodeOffsets: Int32Array,
  catCodes: Float64Array,
} as const;

type ArrayName = keyof typeof ARRAY_KINDS;
const NODE_ARRAYS: readonly ArrayName[] = [
  "feature",
  "thresholdBin",
  "threshold",
  "defaultLeft",
  "left",
  "right",
  "value",
  "gain",
  "count",
  "weight",
  "catIndex",
];

/** A decision tree. */
export class Tree {
  /** The tree's nodes as flat arrays (node 0 is the root). */
  readonly arrays: TreeArrays;

  /** A tree over `arrays` (taken as they are; the codecs check them on load). */
  constructor(arrays: TreeArrays) {
    this.arrays = arrays;
  }

  /** Nodes, internal and leaves. */
  get numNodes(): number {
    return this.arrays.feature.length;
  }

  /** Leaves. */
  get numLeaves(): number {
    let n = 0;
    for (const f of this.arrays.feature) if (f < 0) n++;
    return n;
  }

  /** Edges on the longest root-to-leaf path. */
  depth(): number {
    const { left, right, feature } = this.arrays;
    const depth = new Int32Array(this.numNodes);
    let max = 0;
    for (let i = 0; i < this.numNodes; i++) {
      if (feature[i]! < 0) continue;
      depth[left[i]!] = depth[right[i]!] = depth[i]! + 1;
      max = Math.max(max, depth[i]! + 1);
    }
    return max;
  }

  /**
   * The leaf reached by a binned row: `bins[start + f]` is feature `f`'s bin. The per-row hot path
   * of prediction, so it repeats {@linkcode Tree.childOfBinned}'s step with the arrays held in
   * locals: walking by `childOfBinned` (or a shared helper) measured 9–11 % slower.
   */
  leafOfBinned(bins: Uint8Array, start: number): number {
    const { feature, thresholdBin, defaultLeft, left, right, catIndex, catBits } = this.arrays;
    let node = 0;
    for (let f = feature[0]!; f >= 0; f = feature[node]!) {
      const bin = bins[start + f]!;
      let goLeft: boolean;
      if (bin === 0) goLeft = defaultLeft[node] === 1;
      else {
        const c = catIndex[node]!;
        goLeft = c < 0
          ? bin <= thresholdBin[node]!
          : ((catBits[8 * c + (bin >>> 5)]! >>> (bin & 31)) & 1) === 1;
      }
      node = goLeft ? left[node]! : right[node]!;
    }
    return node;
  }

  /** The child of internal node `node` that a binned row (`bins[start + f]`, feature `f`) goes to. */
  childOfBinned(node: number, bins: Uint8Array, start: number): number {
    const { feature, thresholdBin, defaultLeft, left, right, catIndex, catBits } = this.arrays;
    const bin = bins[start + feature[node]!]!;
    let goLeft: boolean;
    if (bin === 0) goLeft = defaultLeft[node] === 1;
    else {
      const c = catIndex[node]!;
      goLeft = c < 0
        ? bin <= thresholdBin[node]!
        : ((catBits[8 * c + (bin >>> 5)]! >>> (bin & 31)) & 1) === 1;
    }
    return goLeft ? left[node]! : right[node]!;
  }

  /** Each node's parent (−1 for the root). */
  parents(): Int32Array {
    const { feature, left, right } = this.arrays;
    const out = new Int32Array(this.numNodes).fill(-1);
    for (let i = 0; i < out.length; i++) {
      if (feature[i]! >= 0) out[left[i]!] = out[right[i]!] = i;
    }
    return out;
  }

  /** The leaf reached by a raw row (`NaN` missing). */
  leafOfRow(row: ArrayLike<number>): number {
    const { feature, threshold, defaultLeft, left, right, catIndex, catCodeOffsets, catCodes } = this.arrays;
    let node = 0;
    for (let f = feature[0]!; f >= 0; f = feature[node]!) {
      const x = row[f]!;
      let goLeft: boolean;
      const c = catIndex[node]!;
      if (x !== x) goLeft = defaultLeft[node] === 1;
      else if (c < 0) goLeft = x <= threshold[node]!;
      else {
        const side = codeSide(catCodes, catCodeOffsets, c, x);
        goLeft = side === 0 ? defaultLeft[node] === 1 : side < 0;
      }
      node = goLeft ? left[node]! : right[node]!;
    }
    return node;
  }

  /** The output for a raw row. */
  predictRow(row: ArrayLike<number>): number {
    return this.arrays.value[this.leafOfRow(row)]!;
  }

  /** The output for a binned row starting at `bins[start]`. */
  predictBinned(bins: Uint8Array, start: number): number {
    return this.arrays.value[this.leafOfBinned(bins, start)]!;
  }

  /** Adds each split's gain to `importance[feature]` (split-gain importance). */
  addGainImportance(importance: Float64Array): void {
    const { feature, gain } = this.arrays;
    for (let i = 0; i < feature.length; i++) {
      const f = feature[i]!;
      if (f >= 0) importance[f]! += gain[i]!;
    }
  }

  /** A JSON-safe object (plain number arrays) read back by {@linkcode Tree.fromJSON}. */
  toJSON(): Record<string, (number | string)[]> {
    const out: Record<string, (number | string)[]> = {};
    for (const name of Object.keys(ARRAY_KINDS) as ArrayName[]) {
      out[name] = Array.from(this.arrays[name] as ArrayLike<number>, toJsonNumber);
    }
    return out;
  }

  /** Decodes and validates {@linkcode Tree.toJSON} output; throws `TypeError` when malformed. */
  static fromJSON(value: unknown): Tree {
    if (typeof value !== "object" || value === null) throw new TypeError("A tree must be an object");
    const v = value as Record<string, unknown>;
    const arrays: Record<string, ArrayLike<number>> = {};
    for (const name of Object.keys(ARRAY_KINDS) as ArrayName[]) {
      const list = v[name];
      if (!Array.isArray(list)) throw new TypeError(`Tree field "${name}" must be an array`);
      const kind = ARRAY_KINDS[name];
      const typed = new kind(list.length);
      list.forEach((x, i) => typed[i] = fromJsonNumber(x));
      if (kind !== Float64Array && typed.some((x: number, i: number) => x !== list[i])) {
        throw new TypeError(`Tree field "${name}" must hold integers of its type`);
      }
      arrays[name] = typed;
    }
    return Tree.fromArrays(arrays as unknown as TreeArrays);
  }

  /** A tree of `arrays` after checking them (sizes, child links, splits); throws `TypeError`. */
  static fromArrays(arrays: TreeArrays): Tree {
    validate(arrays);
    return new Tree(arrays);
  }
}

/** −1 when `x` is a left code of split `c`, 1 a known right code, 0 unknown. */
function codeSide(codes: Float64Array, offsets: Int32Array, c: number, x: number): number {
  const a = offsets[2 * c]!, m = offsets[2 * c + 1]!, e = offsets[2 * c + 2]!;
  for (let i = a; i < m; i++) if (codes[i] === x) return -1;
  for (let i = m; i < e; i++) if (codes[i] === x) return 1;
  return 0;
}

function validate(t: TreeArrays): void {
  const n = t.feature.length;
  if (n === 0) throw new TypeError("A tree needs at least one node");
  for (const name of NODE_ARRAYS) {
    if (t[name].length !== n) {
      throw new TypeError(`Tree field "${name}" has ${t[name].length} entries, expected ${n}`);
    }
  }
  const numCat = t.catBits.length / 8;
  if (!Number.isInteger(numCat) || t.catCodeOffsets.length !== 2 * numCat + 1) {
    throw new TypeError("Tree categorical pools have inconsistent sizes");
  }
  for (let i = 0; i < t.catCodeOffsets.length; i++) {
    const o = t.catCodeOffsets[i]!, prev = i === 0 ? 0 : t.catCodeOffsets[i - 1]!;
    if (o < prev || o > t.catCodes.length || (i === 0 && o !== 0)) {
      throw new TypeError("Tree categorical code offsets must ascend from 0 within the code pool");
    }
  }
  for (let i = 0; i < n; i++) {
    if (t.feature[i]! < 0) continue;
    const l = t.left[i]!, r = t.right[i]!, c = t.catIndex[i]!;
    if (!(l > i && r > i && l < n && r < n)) {
      throw new TypeError(`Tree node ${i} has children outside (${i}, ${n})`);
    }
    if (c >= numCat || (c < 0 && t.thresholdBin[i]! < 1)) {
      throw new TypeError(`Tree node ${i} has a malformed split`);
    }
  }
}
