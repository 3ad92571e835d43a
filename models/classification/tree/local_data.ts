/**
 * Single-process helpers: bin in-memory columns and cut them into shards, for tests, benchmarks
 * and small data. On a cluster, binnings come from merged sketches or counts and every partition
 * is a shard.
 *
 * @module
 */
import {
  categoricalBinningFromValues,
  type FeatureBinning,
  MAX_VALUE_BINS,
  numericBinningFromValues,
} from "./binning.ts";
import { createShardData, type ShardData } from "./shard.ts";
import type { FeatureKind } from "./split.ts";

/** Labelled rows as feature columns (`NaN` missing; categorical features as codes). */
export interface LocalData {
  readonly columns: readonly ArrayLike<number>[];
  /** 0 or 1. */
  readonly labels: ArrayLike<number>;
  readonly weights?: ArrayLike<number>;
  /** Stable row ids; default: the row number. */
  readonly rowIds?: ArrayLike<number>;
}

/** Exact binnings of every column (`kinds` default to numeric). */
export function fitBinnings(
  columns: readonly ArrayLike<number>[],
  options: { kinds?: readonly FeatureKind[]; maxBins?: number } = {},
): FeatureBinning[] {
  const maxBins = options.maxBins ?? MAX_VALUE_BINS;
  return columns.map((c, f) =>
    options.kinds?.[f] === "categorical"
      ? categoricalBinningFromValues(c, maxBins)
      : numericBinningFromValues(c, maxBins)
  );
}

function slice(a: ArrayLike<number>, begin: number, end: number): Float64Array {
  if (a instanceof Float64Array) return a.slice(begin, end);
  const out = new Float64Array(end - begin);
  for (let i = begin; i < end; i++) out[i - begin] = a[i]!;
  return out;
}

/** Bins `data` and cuts it into `shards` contiguous shards of near-equal size (row ids kept global). */
export function shardLocalData(
  binnings: readonly FeatureBinning[],
  data: LocalData,
  shards = 1,
): ShardData[] {
  if (!(Number.isInteger(shards) && shards >= 1)) {
    throw new RangeError(`shards must be an integer ≥ 1, got ${shards}`);
  }
  const n = data.labels.length;
  const out: ShardData[] = [];
  for (let s = 0; s < shards; s++) {
    const begin = Math.floor(s * n / shards), end = Math.floor((s + 1) * n / shards);
    out.push(createShardData(binnings, {
      columns: data.columns.map((c) => slice(c, begin, end)),
      labels: slice(data.labels, begin, end),
      ...(data.weights ? { weights: slice(data.weights, begin, end) } : {}),
      ...(data.rowIds ? { rowIds: slice(data.rowIds, begin, end) } : { firstRowId: begin }),
    }));
  }
  return out;
}
