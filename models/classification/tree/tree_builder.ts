/**
 * Grows a {@linkcode Tree} node by node: the driver appends children as it splits leaves, then
 * freezes the result into flat typed arrays. Split rules arrive on bins; the builder records their
 * raw form (thresholds, category codes) from the feature binnings, so the tree predicts raw rows.
 *
 * @module
 */
import { type FeatureBinning, thresholdValue } from "./binning.ts";
import type { SplitRule } from "./split.ts";
import { Tree } from "./tree_model.ts";

/** What the builder records of a node when it is created. */
export interface NodeInfo {
  /** The node's output (used if it stays a leaf). */
  readonly value: number;
  readonly count: number;
  /** Σhessian or Σweight, real units. */
  readonly weight: number;
}

interface CategoricalSplit {
  readonly bits: Uint32Array;
  readonly leftCodes: readonly number[];
  readonly rightCodes: readonly number[];
}

/** A tree under construction; node 0 is the root. */
export class TreeBuilder {
  readonly #binnings: readonly FeatureBinning[];
  readonly #feature: number[] = [];
  readonly #thresholdBin: number[] = [];
  readonly #threshold: number[] = [];
  readonly #defaultLeft: number[] = [];
  readonly #left: number[] = [];
  readonly #right: number[] = [];
  readonly #value: number[] = [];
  readonly #gain: number[] = [];
  readonly #count: number[] = [];
  readonly #weight: number[] = [];
  readonly #catIndex: number[] = [];
  readonly #cats: CategoricalSplit[] = [];

  constructor(binnings: readonly FeatureBinning[], root: NodeInfo) {
    this.#binnings = binnings;
    this.#add(root);
  }

  /** Nodes so far. */
  get size(): number {
    return this.#feature.length;
  }

  #add(info: NodeInfo): number {
    this.#feature.push(-1);
    this.#thresholdBin.push(-1);
    this.#threshold.push(0);
    this.#defaultLeft.push(0);
    this.#left.push(-1);
    this.#right.push(-1);
    this.#value.push(info.value);
    this.#gain.push(0);
    this.#count.push(info.count);
    this.#weight.push(info.weight);
    this.#catIndex.push(-1);
    return this.#feature.length - 1;
  }

  /** Splits leaf `node` by `rule`; returns the ids of the new left and right children. */
  split(
    node: number,
    split: { rule: SplitRule; gain: number; left: NodeInfo; right: NodeInfo },
  ): [number, number] {
    if (!(node >= 0 && node < this.size) || this.#feature[node]! >= 0) {
      throw new RangeError(`Node ${node} is not a leaf of this tree`);
    }
    const { rule } = split;
    const binning = this.#binnings[rule.feature];
    if (binning === undefined) throw new RangeError(`Split feature ${rule.feature} has no binning`);
    this.#feature[node] = rule.feature;
    this.#defaultLeft[node] = rule.defaultLeft ? 1 : 0;
    this.#gain[node] = split.gain;
    if (rule.kind === "numeric") {
      if (binning.kind !== "numeric") throw new RangeError(`Feature ${rule.feature} is not numeric`);
      this.#thresholdBin[node] = rule.thresholdBin;
      this.#threshold[node] = thresholdValue(binning, rule.thresholdBin);
    } else {
      if (binning.kind !== "categorical") throw new RangeError(`Feature ${rule.feature} is not categorical`);
      const bits = new Uint32Array(8);
      const inLeft = new Set(rule.leftBins);
      for (const t of rule.leftBins) bits[t >>> 5]! |= 1 << (t & 31);
      const leftCodes: number[] = [], rightCodes: number[] = [];
      binning.categories.forEach((code, i) => (inLeft.has(i + 1) ? leftCodes : rightCodes).push(code));
      this.#catIndex[node] = this.#cats.length;
      this.#cats.push({ bits, leftCodes, rightCodes });
    }
    const l = this.#add(split.left);
    const r = this.#add(split.right);
    this.#left[node] = l;
    this.#right[node] = r;
    return [l, r];
  }

  /**
   * Freezes the tree, numbering nodes breadth-first (left child before right), so the arrays do
   * not depend on the order in which leaves were split.
   */
  build(): Tree {
    const order = [0];
    for (let i = 0; i < order.length; i++) {
      const node = order[i]!;
      if (this.#feature[node]! >= 0) order.push(this.#left[node]!, this.#right[node]!);
    }
    const newId = new Int32Array(order.length);
    order.forEach((old, i) => newId[old] = i);
    const pick = <T extends Int32Array | Float64Array | Uint8Array>(out: T, from: readonly number[]): T => {
      order.forEach((old, i) => out[i] = from[old]!);
      return out;
    };
    const n = order.length;
    const child = (from: readonly number[]) =>
      Int32Array.from(order, (old) => (from[old]! < 0 ? -1 : newId[from[old]!]!));
    const catIndex = new Int32Array(n).fill(-1);
    const offsets = [0];
    const codes: number[] = [];
    const bits: number[] = [];
    order.forEach((old, i) => {
      const c = this.#catIndex[old]!;
      if (c < 0) return;
      const cat = this.#cats[c]!;
      catIndex[i] = offsets.length >> 1;
      bits.push(...cat.bits);
      codes.push(...cat.leftCodes);
      offsets.push(codes.length);
      codes.push(...cat.rightCodes);
      offsets.push(codes.length);
    });
    return new Tree({
      feature: pick(new Int32Array(n), this.#feature),
      thresholdBin: pick(new Int32Array(n), this.#thresholdBin),
      threshold: pick(new Float64Array(n), this.#threshold),
      defaultLeft: pick(new Uint8Array(n), this.#defaultLeft),
      left: child(this.#left),
      right: child(this.#right),
      value: pick(new Float64Array(n), this.#value),
      gain: pick(new Float64Array(n), this.#gain),
      count: pick(new Float64Array(n), this.#count),
      weight: pick(new Float64Array(n), this.#weight),
      catIndex,
      catBits: Uint32Array.from(bits),
      catCodeOffsets: Int32Array.from(offsets),
      catCodes: Float64Array.from(codes),
    });
  }
}
