/**
 * Trees and binnings in the compact form that travels in job arguments (inline up to 512 KiB per
 * task, as a broadcast value beyond): only what predicting a binned row needs — per node its split feature (−1 at
 * a leaf); per split the threshold bin, the default direction and the categorical split it is,
 * if any (with its bin set); per leaf its output. Children are implied: trees are numbered
 * breadth first, so the `k`-th split's children are nodes `2k + 1` and `2k + 2`. As base64 of
 * little-endian typed arrays that is ~11 characters per node: a 100-tree model of 63 leaves is
 * ~140 KB, 20 trees of depth 10 ~450 KB.
 *
 * Decoded trees predict binned rows exactly as the originals (`Tree.leafOfBinned`); their raw
 * thresholds, gains, counts and category codes are not carried.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { FeatureBinning } from "./binning.ts";
import { asRecord } from "./protocol.ts";
import { Tree } from "./tree_model.ts";

type Typed = Int32Array | Int16Array | Uint8Array | Uint32Array | Float64Array;

const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Base64 of `a`'s bytes (little-endian). */
function toBase64(a: Typed): string {
  if (!LITTLE) throw new RangeError("Compact trees need a little-endian host");
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

function fromBase64<T extends Typed>(value: unknown, what: string, make: (b: ArrayBuffer) => T): T {
  if (typeof value !== "string") throw new MalformedMessageError(`Malformed ${what}: expected base64 text`);
  let text: string;
  try {
    text = atob(value);
  } catch {
    throw new MalformedMessageError(`Malformed ${what}: not base64`);
  }
  // A plain loop: Uint8Array.from(text, mapFn) is ~35× slower (1.4 s for 3 MB of trees).
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  try {
    return make(bytes.buffer);
  } catch {
    throw new MalformedMessageError(`Malformed ${what}: ${bytes.length} bytes do not make whole elements`);
  }
}

/** `trees` in compact form (JSON). `RangeError` for trees not numbered breadth first. */
export function encodeCompactTrees(trees: readonly Tree[]): Json {
  const a = trees.map((t) => t.arrays);
  const nodes = a.reduce((n, t) => n + t.feature.length, 0);
  const splits = a.reduce((n, t) => n + t.feature.filter((f) => f >= 0).length, 0);
  const nodeOffsets = new Int32Array(trees.length + 1), catSplits = new Int32Array(trees.length + 1);
  const feature = new Int16Array(nodes);
  const thresholdBin = new Uint8Array(splits), defaultLeft = new Uint8Array(splits);
  const catIndex = new Int16Array(splits), value = new Float64Array(nodes - splits);
  const bits: Uint32Array[] = [];
  let at = 0, split = 0, leaf = 0;
  a.forEach((t, i) => {
    let k = 0; // splits of this tree so far: the k-th split's children are nodes 2k + 1, 2k + 2
    for (let n = 0; n < t.feature.length; n++) {
      const f = t.feature[n]!;
      if (f > 0x7fff) throw new RangeError("Compact trees hold feature indices below 32768");
      feature[at + n] = f;
      if (f < 0) {
        value[leaf++] = t.value[n]!;
        continue;
      }
      if (t.left[n] !== 2 * k + 1 || t.right[n] !== 2 * k + 2) {
        throw new RangeError("Compact trees need breadth-first node numbering");
      }
      k++;
      thresholdBin[split] = Math.max(0, t.thresholdBin[n]!);
      defaultLeft[split] = t.defaultLeft[n]!;
      catIndex[split++] = t.catIndex[n]!;
    }
    at += t.feature.length;
    nodeOffsets[i + 1] = at;
    catSplits[i + 1] = catSplits[i]! + t.catBits.length / 8;
    bits.push(t.catBits);
  });
  const catBits = new Uint32Array(catSplits[trees.length]! * 8);
  let b = 0;
  for (const x of bits) {
    catBits.set(x, b);
    b += x.length;
  }
  return {
    nodeOffsets: toBase64(nodeOffsets),
    feature: toBase64(feature),
    thresholdBin: toBase64(thresholdBin),
    defaultLeft: toBase64(defaultLeft),
    catIndex: toBase64(catIndex),
    value: toBase64(value),
    catSplits: toBase64(catSplits),
    catBits: toBase64(catBits),
  };
}

/** Trees from {@linkcode encodeCompactTrees}; throws `MalformedMessageError`. */
export function decodeCompactTrees(value: unknown): Tree[] {
  const v = asRecord(value, "compact trees");
  const i32 = (k: string) => fromBase64(v[k], `compact trees ${k}`, (b) => new Int32Array(b));
  const u8 = (k: string) => fromBase64(v[k], `compact trees ${k}`, (b) => new Uint8Array(b));
  const i16 = (k: string) => fromBase64(v[k], `compact trees ${k}`, (b) => new Int16Array(b));
  const nodeOffsets = i32("nodeOffsets"), catSplits = i32("catSplits");
  const feature = i16("feature"), thresholdBin = u8("thresholdBin"), defaultLeft = u8("defaultLeft");
  const catIndex = i16("catIndex");
  const values = fromBase64(v.value, "compact trees value", (b) => new Float64Array(b));
  const catBits = fromBase64(v.catBits, "compact trees catBits", (b) => new Uint32Array(b));
  const nodes = feature.length, trees = nodeOffsets.length - 1;
  const splits = feature.filter((f) => f >= 0).length;
  const lengthsAgree = thresholdBin.length === splits && defaultLeft.length === splits &&
    catIndex.length === splits && values.length === nodes - splits;
  if (trees < 0 || !lengthsAgree || nodeOffsets[trees] !== nodes || catSplits.length !== trees + 1) {
    throw new MalformedMessageError("Malformed compact trees: array lengths disagree");
  }
  const out: Tree[] = [];
  let split = 0, leaf = 0;
  for (let t = 0; t < trees; t++) {
    const s = nodeOffsets[t]!, e = nodeOffsets[t + 1]!;
    const c0 = catSplits[t]!, c1 = catSplits[t + 1]!;
    if (!(s <= e && c0 <= c1 && 8 * c1 <= catBits.length)) {
      throw new MalformedMessageError("Malformed compact trees: offsets out of order");
    }
    const n = e - s;
    const arrays = {
      feature: Int32Array.from(feature.subarray(s, e)),
      thresholdBin: new Int32Array(n).fill(-1),
      threshold: new Float64Array(n),
      defaultLeft: new Uint8Array(n),
      left: new Int32Array(n).fill(-1),
      right: new Int32Array(n).fill(-1),
      value: new Float64Array(n),
      gain: new Float64Array(n),
      count: new Float64Array(n),
      weight: new Float64Array(n),
      catIndex: new Int32Array(n).fill(-1),
      catBits: catBits.slice(8 * c0, 8 * c1),
      catCodeOffsets: new Int32Array(2 * (c1 - c0) + 1),
      catCodes: new Float64Array(0),
    };
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (arrays.feature[i]! < 0) {
        arrays.value[i] = values[leaf++]!;
        continue;
      }
      const c = catIndex[split]!;
      arrays.catIndex[i] = c;
      if (c < 0) arrays.thresholdBin[i] = thresholdBin[split]!;
      arrays.defaultLeft[i] = defaultLeft[split++]!;
      arrays.left[i] = 2 * k + 1;
      arrays.right[i] = 2 * k + 2;
      k++;
    }
    try {
      out.push(Tree.fromArrays(arrays));
    } catch (err) {
      throw new MalformedMessageError(`Malformed compact tree ${t}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** `binnings` in compact form (JSON). */
export function encodeCompactBinnings(binnings: readonly FeatureBinning[]): Json {
  const values = binnings.map((b) => (b.kind === "numeric" ? b.upperBounds : b.categories));
  const offsets = new Int32Array(values.length + 1);
  values.forEach((v, i) => offsets[i + 1] = offsets[i]! + v.length);
  const flat = new Float64Array(offsets[values.length]!);
  values.forEach((v, i) => flat.set(v, offsets[i]!));
  return {
    kinds: toBase64(Uint8Array.from(binnings, (b) => (b.kind === "numeric" ? 0 : 1))),
    offsets: toBase64(offsets),
    values: toBase64(flat),
  };
}

/** Binnings from {@linkcode encodeCompactBinnings}; throws `MalformedMessageError`. */
export function decodeCompactBinnings(value: unknown): FeatureBinning[] {
  const v = asRecord(value, "compact binnings");
  const kinds = fromBase64(v.kinds, "compact binnings kinds", (b) => new Uint8Array(b));
  const offsets = fromBase64(v.offsets, "compact binnings offsets", (b) => new Int32Array(b));
  const flat = fromBase64(v.values, "compact binnings values", (b) => new Float64Array(b));
  if (offsets.length !== kinds.length + 1 || offsets[0] !== 0 || offsets[kinds.length] !== flat.length) {
    throw new MalformedMessageError("Malformed compact binnings: offsets disagree with values");
  }
  return [...kinds].map((k, f) => {
    const a = offsets[f]!, e = offsets[f + 1]!;
    const list = [...flat.subarray(a, e)];
    if (!(a <= e) || k > 1 || list.some((x, i) => x !== x || (i > 0 && !(x > list[i - 1]!)))) {
      throw new MalformedMessageError(`Malformed compact binning of feature ${f}`);
    }
    return k === 0 ? { kind: "numeric", upperBounds: list } : { kind: "categorical", categories: list };
  });
}
