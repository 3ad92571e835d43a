/**
 * The executor side of tree training: a shard of binned rows kept between rounds, and the trees
 * being grown on it. Per round the shard applies the driver's split orders to its row partitions
 * and builds the histograms the driver asked for; it never ships rows.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import { binCount, binRows, type FeatureBinning } from "./binning.ts";
import {
  type BinMatrix,
  buildHistogram,
  type Histogram,
  type HistogramLayout,
  histogramLayout,
  type RowChannels,
  withColumns,
} from "./histogram.ts";
import { allocateHistogramsReply, type NodeRef, type ShardReply, type SplitOrder } from "./protocol.ts";
import { RowPartition } from "./row_partition.ts";

/** The rows of one shard, binned. */
export interface ShardData {
  readonly numRows: number;
  readonly matrix: BinMatrix;
  readonly layout: HistogramLayout;
  /** 0 or 1. */
  readonly labels: Float64Array;
  /** Non-negative finite row weights. */
  readonly weights: Float64Array;
  /** Stable row identities (e.g. the global row number): the key of every per-row random draw. */
  readonly rowIds: Float64Array;
}

/** Raw inputs of a shard: feature columns (`NaN` missing), labels, optional weights and row ids. */
export interface ShardInput {
  readonly columns: readonly ArrayLike<number>[];
  readonly labels: ArrayLike<number>;
  readonly weights?: ArrayLike<number>;
  /** Default: `firstRowId + i`. */
  readonly rowIds?: ArrayLike<number>;
  /** Id of the shard's first row when `rowIds` is absent. @default {0} */
  readonly firstRowId?: number;
}

/** Bins a shard's rows with the global binnings. */
export function createShardData(binnings: readonly FeatureBinning[], input: ShardInput): ShardData {
  const numRows = input.labels.length;
  const weights = Float64Array.from(input.weights ?? { length: numRows }, (w) => w ?? 1);
  if (weights.length !== numRows) throw new RangeError(`Got ${weights.length} weights for ${numRows} rows`);
  for (const w of weights) {
    if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`Row weights must be finite and ≥ 0, got ${w}`);
  }
  const first = input.firstRowId ?? 0;
  const rowIds = input.rowIds === undefined
    ? Float64Array.from({ length: numRows }, (_, i) => first + i)
    : Float64Array.from(input.rowIds);
  if (rowIds.length !== numRows) throw new RangeError(`Got ${rowIds.length} row ids for ${numRows} rows`);
  for (const id of rowIds) {
    if (!(Number.isSafeInteger(id) && id >= 0)) {
      throw new RangeError(`Row ids must be safe integers ≥ 0, got ${id}`);
    }
  }
  return {
    numRows,
    matrix: withColumns({ bins: binRows(binnings, input.columns, numRows), numFeatures: binnings.length }),
    layout: histogramLayout(binnings.map(binCount)),
    labels: Float64Array.from(input.labels),
    weights,
    rowIds,
  };
}

/** Bytes a shard's data holds (bins row- and feature-major, labels, weights, row ids). */
export function shardDataBytes(data: ShardData): number {
  const columns = (data.matrix.columns ?? []).reduce((n, c) => n + c.byteLength, 0);
  return data.matrix.bins.byteLength + columns + data.labels.byteLength + data.weights.byteLength +
    data.rowIds.byteLength;
}

/** The `describe` reply of a shard. */
export function describeShard(data: ShardData): ShardReply {
  let maxWeight = 0, badLabels = 0;
  for (let i = 0; i < data.numRows; i++) {
    maxWeight = Math.max(maxWeight, data.weights[i]!);
    const y = data.labels[i];
    if (y !== 0 && y !== 1) badLabels++;
  }
  return { type: "describe", rows: data.numRows, maxWeight, badLabels };
}

interface GrowingTree {
  readonly partition: RowPartition;
  readonly channels: RowChannels;
}

/** The trees being grown on one shard. */
export class ShardTrees {
  readonly #data: ShardData;
  readonly #trees = new Map<number, GrowingTree>();
  readonly #scratch: Int32Array;

  constructor(data: ShardData) {
    this.#data = data;
    this.#scratch = new Int32Array(data.numRows);
  }

  /** Starts `tree` with `rows` (local indices, ascending) in its root node 0. */
  start(tree: number, rows: Int32Array, channels: RowChannels): void {
    this.#trees.set(tree, { partition: new RowPartition(rows, { scratch: this.#scratch }), channels });
  }

  /** Forgets `tree`. */
  end(tree: number): void {
    this.#trees.delete(tree);
  }

  #tree(tree: number): GrowingTree {
    const t = this.#trees.get(tree);
    if (t === undefined) throw new MalformedMessageError(`Tree ${tree} is not being grown on this shard`);
    return t;
  }

  /** The row partition of `tree`, or `undefined` when the tree is not being grown here. */
  partition(tree: number): RowPartition | undefined {
    return this.#trees.get(tree)?.partition;
  }

  /** Applies split orders, in order. */
  apply(orders: readonly SplitOrder[]): void {
    for (const o of orders) {
      this.#tree(o.tree).partition.split(o.node, {
        left: o.left,
        right: o.right,
        rule: o.rule,
        matrix: this.#data.matrix,
      });
    }
  }

  /** Histograms of `nodes`, concatenated in order, with `extra` sums appended to the reply. */
  build(nodes: readonly NodeRef[], extra: Float64Array = new Float64Array(0)): ShardReply {
    const { layout, matrix } = this.#data;
    const n = layout.totalBins;
    const reply = allocateHistogramsReply(nodes.length, n, extra);
    const { sums, counts } = reply;
    nodes.forEach((ref, i) => {
      const t = this.#tree(ref.tree);
      const hist: Histogram = {
        sums: sums.subarray(2 * n * i, 2 * n * (i + 1)),
        counts: counts.subarray(n * i, n * (i + 1)),
      };
      buildHistogram(hist, { layout, matrix, channels: t.channels }, t.partition.segment(ref.node));
    });
    return reply;
  }
}
