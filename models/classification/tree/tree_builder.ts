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

  /** Freezes the tree. */
  build(): Tree {
    const offsets = [0];
    const codes: number[] = [];
    const bits = new Uint32Array(8 * this.#cats.length);
    this.#cats.forEach((c, i) => {
      bits.set(c.bits, 8 * i);
      codes.push(...c.leftCodes);
      offsets.push(codes.length);
      codes.push(...c.rightCodes);
      offsets.push(codes.length);
    });
    return new Tree({
      feature: Int32Array.from(this.#feature),
      thresholdBin: Int32Array.from(this.#thresholdBin),
      threshold: Float64Array.from(this.#threshold),
      defaultLeft: Uint8Array.from(this.#defaultLeft),
      left: Int32Array.from(this.#left),
      right: Int32Array.from(this.#right),
      value: Float64Array.from(this.#value),
      gain: Float64Array.from(this.#gain),
      count: Float64Array.from(this.#count),
      weight: Float64Array.from(this.#weight),
      catIndex: Int32Array.from(this.#catIndex),
      catBits: bits,
      catCodeOffsets: Int32Array.from(offsets),
      catCodes: Float64Array.from(codes),
    });
  }
}
