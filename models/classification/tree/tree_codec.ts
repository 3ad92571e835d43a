/**
 * Trees and feature binnings as the flat typed arrays of a model body (`models/persistence`),
 * shared by the boosted-trees and forest codecs.
 *
 * Trees (array names under `trees.`): every node array of every tree concatenated in tree order
 * (`feature`, `thresholdBin`, `left`, `right`, `catIndex` i32; `threshold`, `value`, `gain`,
 * `count`, `weight` f64; `defaultLeft` u8), with `nodeOffsets` (i32, trees + 1) marking where each
 * tree's nodes start; children and categorical indices stay local to their tree. Categorical
 * split pools: `catSplits` (i32, trees + 1) offsets of each tree's splits, `catBits` (u32, 8 per
 * split), `catCodeOffsets` (i32, each tree's `2k + 1` local offsets in turn) and `catCodes` (f64).
 *
 * Binnings (under `binnings.`): `kind` (u8 per feature: 0 numeric, 1 categorical), `offsets`
 * (i32, features + 1) into `values` (f64: a numeric feature's upper bounds, a categorical one's
 * codes).
 *
 * @module
 */
import type { BodyArray } from "../../persistence/body_layout.ts";
import { formatError } from "../../persistence/errors.ts";
import type { BodyReader } from "../../persistence/registry.ts";
import { BODY_HEADER_FILE } from "../../persistence/body_layout.ts";
import type { FeatureBinning } from "./binning.ts";
import { Tree, type TreeArrays } from "./tree_model.ts";

type NodeArray =
  | "feature"
  | "thresholdBin"
  | "left"
  | "right"
  | "catIndex"
  | "threshold"
  | "value"
  | "gain"
  | "count"
  | "weight"
  | "defaultLeft";
const I32: readonly NodeArray[] = ["feature", "thresholdBin", "left", "right", "catIndex"];
const F64: readonly NodeArray[] = ["threshold", "value", "gain", "count", "weight"];

function concat<T extends Int32Array | Float64Array | Uint8Array | Uint32Array>(
  make: (n: number) => T,
  parts: readonly ArrayLike<number>[],
): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function offsets(lengths: readonly number[]): Int32Array {
  const out = new Int32Array(lengths.length + 1);
  lengths.forEach((n, i) => out[i + 1] = out[i]! + n);
  return out;
}

/** The arrays of `trees`, named `trees.*`. */
export function packTrees(trees: readonly Tree[]): Map<string, BodyArray> {
  const a = trees.map((t) => t.arrays);
  const out = new Map<string, BodyArray>();
  out.set("trees.nodeOffsets", offsets(a.map((t) => t.feature.length)));
  for (const k of I32) out.set(`trees.${k}`, concat((n) => new Int32Array(n), a.map((t) => t[k])));
  for (const k of F64) out.set(`trees.${k}`, concat((n) => new Float64Array(n), a.map((t) => t[k])));
  out.set("trees.defaultLeft", concat((n) => new Uint8Array(n), a.map((t) => t.defaultLeft)));
  out.set("trees.catSplits", offsets(a.map((t) => t.catBits.length / 8)));
  out.set("trees.catBits", concat((n) => new Uint32Array(n), a.map((t) => t.catBits)));
  out.set("trees.catCodeOffsets", concat((n) => new Int32Array(n), a.map((t) => t.catCodeOffsets)));
  out.set("trees.catCodes", concat((n) => new Float64Array(n), a.map((t) => t.catCodes)));
  return out;
}

function badOffsets(name: string): Error {
  return formatError(
    BODY_HEADER_FILE,
    `${BODY_HEADER_FILE} array "${name}" must ascend from 0 to the pool's end`,
  );
}

function checkOffsets(o: Int32Array, end: number, name: string): void {
  if (o.length === 0 || o[0] !== 0 || o[o.length - 1] !== end) throw badOffsets(name);
  for (let i = 1; i < o.length; i++) if (o[i]! < o[i - 1]!) throw badOffsets(name);
}

/** The trees of a body written by {@linkcode packTrees}; `ModelFormatError` when malformed. */
export function unpackTrees(r: BodyReader): Tree[] {
  const nodeOffsets = r.i32("trees.nodeOffsets");
  const trees = nodeOffsets.length - 1;
  const feature = r.i32("trees.feature");
  const nodes = feature.length;
  checkOffsets(nodeOffsets, nodes, "trees.nodeOffsets");
  const i32 = Object.fromEntries(I32.map((k) => [k, r.i32(`trees.${k}`, nodes)]));
  const f64 = Object.fromEntries(F64.map((k) => [k, r.f64(`trees.${k}`, nodes)]));
  const defaultLeft = r.u8("trees.defaultLeft", nodes);
  const catSplits = r.i32("trees.catSplits", trees + 1);
  const catBits = r.u32("trees.catBits");
  checkOffsets(catSplits, catBits.length / 8, "trees.catSplits");
  const catCodeOffsets = r.i32("trees.catCodeOffsets", 2 * (catBits.length / 8) + trees);
  const catCodes = r.f64("trees.catCodes");
  const out: Tree[] = [];
  let codeAt = 0;
  for (let t = 0; t < trees; t++) {
    const a = nodeOffsets[t]!, b = nodeOffsets[t + 1]!;
    const s = catSplits[t]!, e = catSplits[t + 1]!;
    const localOffsets = catCodeOffsets.slice(2 * s + t, 2 * e + t + 1);
    const codes = localOffsets[localOffsets.length - 1]!;
    if (!(codes >= 0 && codeAt + codes <= catCodes.length)) throw badOffsets("trees.catCodeOffsets");
    const arrays: TreeArrays = {
      feature: i32.feature!.slice(a, b),
      thresholdBin: i32.thresholdBin!.slice(a, b),
      left: i32.left!.slice(a, b),
      right: i32.right!.slice(a, b),
      catIndex: i32.catIndex!.slice(a, b),
      threshold: f64.threshold!.slice(a, b),
      value: f64.value!.slice(a, b),
      gain: f64.gain!.slice(a, b),
      count: f64.count!.slice(a, b),
      weight: f64.weight!.slice(a, b),
      defaultLeft: defaultLeft.slice(a, b),
      catBits: catBits.slice(8 * s, 8 * e),
      catCodeOffsets: localOffsets,
      catCodes: catCodes.slice(codeAt, codeAt + codes),
    };
    codeAt += codes;
    try {
      out.push(Tree.fromArrays(arrays));
    } catch (e) {
      throw formatError(BODY_HEADER_FILE, `Tree ${t} of the body is malformed: ${(e as Error).message}`);
    }
  }
  if (codeAt !== catCodes.length) throw badOffsets("trees.catCodeOffsets");
  return out;
}

/** The arrays of `binnings`, named `binnings.*`. */
export function packBinnings(binnings: readonly FeatureBinning[]): Map<string, BodyArray> {
  const values = binnings.map((b) => (b.kind === "numeric" ? b.upperBounds : b.categories));
  return new Map<string, BodyArray>([
    ["binnings.kind", Uint8Array.from(binnings, (b) => (b.kind === "numeric" ? 0 : 1))],
    ["binnings.offsets", offsets(values.map((v) => v.length))],
    ["binnings.values", concat((n) => new Float64Array(n), values)],
  ]);
}

/** The binnings of a body written by {@linkcode packBinnings}; `ModelFormatError` when malformed. */
export function unpackBinnings(r: BodyReader): FeatureBinning[] {
  const kind = r.u8("binnings.kind");
  const o = r.i32("binnings.offsets", kind.length + 1);
  const values = r.f64("binnings.values");
  checkOffsets(o, values.length, "binnings.offsets");
  return [...kind].map((k, f) => {
    const v = [...values.subarray(o[f]!, o[f + 1]!)];
    if (k > 1 || v.length > 255 || v.some((x, i) => x !== x || (i > 0 && !(x > v[i - 1]!)))) {
      throw formatError(BODY_HEADER_FILE, `Binning of feature ${f} is malformed`);
    }
    return k === 0 ? { kind: "numeric", upperBounds: v } : { kind: "categorical", categories: v };
  });
}
