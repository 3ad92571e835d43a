/**
 * What executors and the driver exchange while growing trees, shared by boosting and forests.
 *
 * The driver sends small requests (split orders, the nodes whose histograms it needs, a new tree);
 * each shard answers with a {@linkcode ShardReply}; replies of all shards are combined with
 * {@linkcode mergeReplies}, which is exact, associative and commutative (integer-valued sums,
 * maxima), so the merged reply — and the model — is the same for any partitioning and any merge
 * tree. Replies travel as bytes ({@linkcode encodeReply}); requests as JSON, decoded from
 * `unknown` with the helpers below.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { Histogram, HistogramLayout } from "./histogram.ts";
import type { SplitRule } from "./split.ts";

/** A node of one of the trees being grown. */
export interface NodeRef {
  readonly tree: number;
  readonly node: number;
}

/** Route the rows of `(tree, node)` into the new nodes `left` and `right` by `rule`. */
export interface SplitOrder extends NodeRef {
  readonly left: number;
  readonly right: number;
  readonly rule: SplitRule;
}

/** A shard's answer; shards' answers merge with {@linkcode mergeReplies}. */
export type ShardReply =
  | {
    readonly type: "describe";
    /** Rows (summed). */
    readonly rows: number;
    /** Largest row weight (maximum). */
    readonly maxWeight: number;
    /** Rows whose label is not 0 or 1 (summed). */
    readonly badLabels: number;
  }
  | {
    /** Exact sums of integer-valued doubles (loss, weight, label sums…). */
    readonly type: "sums";
    readonly values: Float64Array;
  }
  | {
    /** Histograms of the requested nodes, concatenated in request order, and extra sums. */
    readonly type: "histograms";
    readonly sums: Float64Array;
    readonly counts: Int32Array;
    readonly extra: Float64Array;
  };

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) {
    throw new MalformedMessageError(`Cannot merge ${what} of lengths ${a.length} and ${b.length}`);
  }
}

/** Combines two replies to the same request. Reuses `a`'s arrays (the merge owns its inputs). */
export function mergeReplies(a: ShardReply, b: ShardReply): ShardReply {
  if (a.type === "describe" && b.type === "describe") {
    return {
      type: "describe",
      rows: a.rows + b.rows,
      maxWeight: Math.max(a.maxWeight, b.maxWeight),
      badLabels: a.badLabels + b.badLabels,
    };
  }
  if (a.type === "sums" && b.type === "sums") {
    sameLength(a.values, b.values, "sums");
    for (let i = 0; i < a.values.length; i++) a.values[i]! += b.values[i]!;
    return a;
  }
  if (a.type === "histograms" && b.type === "histograms") {
    sameLength(a.sums, b.sums, "histograms");
    sameLength(a.counts, b.counts, "histogram counts");
    sameLength(a.extra, b.extra, "extra sums");
    for (let i = 0; i < a.sums.length; i++) a.sums[i]! += b.sums[i]!;
    for (let i = 0; i < a.counts.length; i++) a.counts[i]! += b.counts[i]!;
    for (let i = 0; i < a.extra.length; i++) a.extra[i]! += b.extra[i]!;
    return a;
  }
  throw new MalformedMessageError(`Cannot merge a "${a.type}" reply with a "${b.type}" reply`);
}

/** `bytes` as float64 words (a view when aligned, else a copy). */
function wordsOf(bytes: Uint8Array): Float64Array {
  if (bytes.byteLength % 8 !== 0 || bytes.byteLength < 32) {
    throw new MalformedMessageError(`Malformed shard reply of ${bytes.byteLength} bytes`);
  }
  return bytes.byteOffset % 8 === 0
    ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8)
    : new Float64Array(bytes.slice().buffer);
}

/**
 * {@linkcode mergeReplies} on encoded replies, without decoding them: the `merge` export of a
 * cluster aggregation. Adds `b` into `a`'s words in place (the merge owns its inputs) and returns
 * `a`'s bytes; throws `MalformedMessageError` unless both are well-formed replies of one shape.
 */
export function mergeEncodedReplies(a: Uint8Array, b: Uint8Array): Uint8Array {
  const x = wordsOf(a), y = wordsOf(b);
  const type = replyType(x);
  const sameShape = type === replyType(y) &&
    (type === "describe" || (x[1] === y[1] && x[2] === y[2] && x[3] === y[3]));
  if (!sameShape) throw new MalformedMessageError("Cannot merge shard replies of different shapes");
  switch (type) {
    case "describe":
      x[1] = x[1]! + y[1]!;
      x[2] = Math.max(x[2]!, y[2]!);
      x[3] = x[3]! + y[3]!;
      break;
    case "sums":
      for (let i = 4; i < x.length; i++) x[i] = x[i]! + y[i]!;
      break;
    case "histograms": {
      const floats = 4 + x[1]! + x[3]!;
      for (let i = 4; i < floats; i++) x[i] = x[i]! + y[i]!;
      const n = x[2]!;
      const cx = new Int32Array(x.buffer, x.byteOffset + 8 * floats, n);
      const cy = new Int32Array(y.buffer, y.byteOffset + 8 * floats, n);
      for (let i = 0; i < n; i++) cx[i] = cx[i]! + cy[i]!;
      break;
    }
  }
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/** The `i`-th histogram of a histograms reply (a view, no copy). */
export function histogramAt(
  reply: { sums: Float64Array; counts: Int32Array },
  layout: HistogramLayout,
  i: number,
): Histogram {
  const n = layout.totalBins;
  return {
    sums: reply.sums.subarray(2 * i * n, 2 * (i + 1) * n),
    counts: reply.counts.subarray(i * n, (i + 1) * n),
  };
}

const TAGS = { describe: 1, sums: 2, histograms: 3 } as const;

/** Replies made by {@linkcode allocateHistogramsReply}: their arrays are views of these bytes. */
const ENCODED = new WeakMap<ShardReply, Uint8Array>();

/**
 * An all-zero histograms reply of `nodes` histograms of `totalBins` bins each and the given
 * `extra` sums, allocated in its encoded form: its arrays are views of one buffer laid out as
 * {@linkcode encodeReply} writes it, so encoding it is free (no copy, no second buffer — a shard
 * answers up to a megabyte of histograms per request).
 */
export function allocateHistogramsReply(
  nodes: number,
  totalBins: number,
  extra: Float64Array,
): Extract<ShardReply, { type: "histograms" }> {
  const n1 = 2 * totalBins * nodes, n2 = totalBins * nodes, n3 = extra.length;
  const words = new Float64Array(4 + n1 + n3 + Math.ceil(n2 / 2));
  words.set([TAGS.histograms, n1, n2, n3]);
  words.set(extra, 4 + n1);
  const reply = {
    type: "histograms" as const,
    sums: words.subarray(4, 4 + n1),
    extra: words.subarray(4 + n1, 4 + n1 + n3),
    counts: new Int32Array(words.buffer, 8 * (4 + n1 + n3), n2),
  };
  ENCODED.set(reply, bytesOf(words));
  return reply;
}

/**
 * A reply as bytes: a header of float64 words `[tag, n1, n2, n3]` then the arrays, little-endian
 * (the byte order of every platform Deno runs on).
 */
export function encodeReply(reply: ShardReply): Uint8Array {
  const encoded = ENCODED.get(reply);
  if (encoded !== undefined) return encoded;
  switch (reply.type) {
    case "describe":
      return bytesOf(Float64Array.of(TAGS.describe, reply.rows, reply.maxWeight, reply.badLabels));
    case "sums":
      return bytesOf(Float64Array.of(TAGS.sums, reply.values.length, 0, 0, ...reply.values));
    case "histograms": {
      const { sums, counts, extra } = reply;
      const words = 4 + sums.length + extra.length + Math.ceil(counts.length / 2);
      const out = new Float64Array(words);
      out.set([TAGS.histograms, sums.length, counts.length, extra.length]);
      out.set(sums, 4);
      out.set(extra, 4 + sums.length);
      new Int32Array(out.buffer, 8 * (4 + sums.length + extra.length), counts.length).set(counts);
      return bytesOf(out);
    }
    default:
      return reply satisfies never;
  }
}

function bytesOf(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The type of the encoded reply in `words`, after checking its header against its length. */
function replyType(words: Float64Array): ShardReply["type"] {
  const [tag, n1, n2, n3] = words as unknown as [number, number, number, number];
  const count = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (tag === TAGS.describe && words.length === 4) return "describe";
  if (tag === TAGS.sums && count(n1) && words.length === 4 + n1) return "sums";
  if (
    tag === TAGS.histograms && count(n1) && count(n2) && count(n3) &&
    words.length === 4 + n1 + n3 + Math.ceil(n2 / 2)
  ) {
    return "histograms";
  }
  throw new MalformedMessageError(`Malformed shard reply (tag ${tag}, ${words.length} words)`);
}

/** Reads {@linkcode encodeReply} output (copies it); throws `MalformedMessageError`. */
export function decodeReply(bytes: Uint8Array): ShardReply {
  if (bytes.byteLength % 8 !== 0 || bytes.byteLength < 32) {
    throw new MalformedMessageError(`Malformed shard reply of ${bytes.byteLength} bytes`);
  }
  return decodeOwnedReply(bytes.slice());
}

/**
 * {@linkcode decodeReply} for bytes the caller hands over (a job's merged value): the reply's
 * arrays are views of `bytes` when they are 8-byte aligned (else of one copy), so the bytes must
 * not be used or changed elsewhere afterwards.
 */
export function decodeOwnedReply(bytes: Uint8Array): ShardReply {
  const words = wordsOf(bytes);
  const [, n1, n2, n3] = words as unknown as [number, number, number, number];
  switch (replyType(words)) {
    case "describe":
      return { type: "describe", rows: n1, maxWeight: n2, badLabels: n3 };
    case "sums":
      return { type: "sums", values: words.subarray(4) };
    case "histograms":
      return {
        type: "histograms",
        sums: words.subarray(4, 4 + n1),
        extra: words.subarray(4 + n1, 4 + n1 + n3),
        counts: new Int32Array(words.buffer, words.byteOffset + 8 * (4 + n1 + n3), n2),
      };
  }
}

// ---- request decoding helpers ----

/** An object from `unknown`, or a `MalformedMessageError` naming `what`. */
export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MalformedMessageError(`Malformed ${what}: expected an object`);
  }
  return value as Record<string, unknown>;
}

/** A non-negative safe integer field. */
export function asIndex(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new MalformedMessageError(`Malformed ${what}: expected a non-negative integer`);
  }
  return value;
}

/** A finite number field. */
export function asNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new MalformedMessageError(`Malformed ${what}: expected a finite number`);
  }
  return value;
}

/** An array field decoded item by item. */
export function asArray<T>(value: unknown, what: string, item: (v: unknown, what: string) => T): T[] {
  if (!Array.isArray(value)) throw new MalformedMessageError(`Malformed ${what}: expected an array`);
  return value.map((v, i) => item(v, `${what}[${i}]`));
}

/** Decodes a {@linkcode SplitRule}. */
export function decodeSplitRule(value: unknown, what = "split rule"): SplitRule {
  const v = asRecord(value, what);
  const feature = asIndex(v.feature, `${what}.feature`);
  if (typeof v.defaultLeft !== "boolean") throw new MalformedMessageError(`Malformed ${what}.defaultLeft`);
  const defaultLeft = v.defaultLeft;
  if (v.kind === "numeric") {
    const thresholdBin = asIndex(v.thresholdBin, `${what}.thresholdBin`);
    if (thresholdBin < 1 || thresholdBin > 255) {
      throw new MalformedMessageError(`Malformed ${what}.thresholdBin`);
    }
    return { kind: "numeric", feature, thresholdBin, defaultLeft };
  }
  if (v.kind === "categorical") {
    const leftBins = asArray(v.leftBins, `${what}.leftBins`, asIndex);
    if (leftBins.some((t) => t < 1 || t > 255)) throw new MalformedMessageError(`Malformed ${what}.leftBins`);
    return { kind: "categorical", feature, leftBins, defaultLeft };
  }
  throw new MalformedMessageError(`Malformed ${what}: unknown kind ${String(v.kind)}`);
}

/** Decodes a {@linkcode NodeRef}. */
export function decodeNodeRef(value: unknown, what = "node"): NodeRef {
  const v = asRecord(value, what);
  return { tree: asIndex(v.tree, `${what}.tree`), node: asIndex(v.node, `${what}.node`) };
}

/** Decodes a {@linkcode SplitOrder}. */
export function decodeSplitOrder(value: unknown, what = "split order"): SplitOrder {
  const v = asRecord(value, what);
  return {
    ...decodeNodeRef(v, what),
    left: asIndex(v.left, `${what}.left`),
    right: asIndex(v.right, `${what}.right`),
    rule: decodeSplitRule(v.rule, `${what}.rule`),
  };
}
