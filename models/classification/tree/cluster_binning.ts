/**
 * Binning on a cluster, before training: two `aggregatePartitions` passes over the cached input.
 *
 * 1. {@linkcode partitionRowCounts}: the rows of every partition, in partition order, which give
 *    each row its global row number (the default row id of every per-row draw).
 * 2. {@linkcode fitClusterBinnings}: numeric features from the exact sorted values of a sample
 *    of rows drawn by row id (`(seed, row id)`, the same rows for any partitioning; all rows when
 *    there are at most `sampleRows`, so small data bins exactly as `fitBinnings` does in one
 *    process); categorical features from exact code counts over all rows, missing ones included
 *    (LightGBM's category rule depends on them, `categoricalBinningFromCounts`).
 *
 * Both values travel as float64 vectors and merge by concatenation in partition order, so the
 * binnings — and everything trained on them — are the same for any partition or executor count.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { Json } from "../../../actors/errors.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import type { FoldFn, MergeFn } from "../../../cluster/partition_fns.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import {
  categoricalBinningFromCounts,
  type FeatureBinning,
  MAX_VALUE_BINS,
  numericBinningFromSorted,
} from "./binning.ts";
import { TREE_JOBS_MODULE } from "../tree_jobs_url.ts";
import { asArray, asIndex, asNumber, asRecord } from "./protocol.ts";
import { SAMPLING_DOMAINS } from "./sampling.ts";
import { decodeSource, encodeSource, readColumn, sourceKinds, type TreeSource } from "./shard_source.ts";

/** Rows whose values bin the numeric features, at most (LightGBM's `bin_construct_sample_cnt`). */
export const DEFAULT_BINNING_SAMPLE_ROWS = 200_000;

/** Fold: this partition's row count, as one float64. */
export const countPartitionRows: FoldFn = (batches) =>
  Float64Array.of(batches.reduce((n, b) => n + b.length, 0));

/** Merge: float64 vectors concatenated (`a` holds the lower partitions). */
export const concatFloat64: MergeFn = (a, b) => {
  if (!(a instanceof Float64Array) || !(b instanceof Float64Array)) {
    throw new MalformedMessageError("concatFloat64 merges float64 vectors");
  }
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** The rows of each partition of `ds`, in partition order. */
export async function partitionRowCounts(
  ds: Dataset,
  options: { signal?: AbortSignal } = {},
): Promise<number[]> {
  const v = await ds.aggregatePartitions(
    { module: TREE_JOBS_MODULE, fold: "countPartitionRows", merge: "concatFloat64" },
    options,
  );
  if (!(v instanceof Float64Array)) throw new MalformedMessageError("Row counts must be float64s");
  return [...v];
}

/** The global row number of each partition's first row. */
export function firstRowIds(counts: readonly number[]): number[] {
  let at = 0;
  return counts.map((n) => {
    const first = at;
    at += n;
    return first;
  });
}

interface SampleArgs {
  readonly source: TreeSource;
  readonly firstRowIds: readonly number[];
  /** Probability that a row's numeric values enter the sample (1: all rows). */
  readonly fraction: number;
  readonly seed: number;
}

function decodeSampleArgs(value: unknown): SampleArgs {
  const v = asRecord(value, "binning sample arguments");
  const fraction = asNumber(v.fraction, "binning sample fraction");
  if (!(fraction > 0 && fraction <= 1)) {
    throw new MalformedMessageError("Binning sample fraction must be in (0, 1]");
  }
  return {
    source: decodeSource(v.source),
    firstRowIds: asArray(v.firstRowIds, "binning sample firstRowIds", asIndex),
    fraction,
    seed: asNumber(v.seed, "binning sample seed"),
  };
}

/**
 * Fold: per feature `[n, …values]` — a numeric feature's sampled non-missing values, sorted, a
 * categorical feature's `(code, count)` pairs over all rows (code `NaN`: the missing rows) — after
 * a leading feature count.
 */
export const sampleBinningValues: FoldFn = (batches, ctx) => {
  const args = decodeSampleArgs(ctx.args);
  const { source, fraction } = args;
  const kinds = sourceKinds(source);
  const rows = batches.reduce((n, b) => n + b.length, 0);
  const first = args.firstRowIds[ctx.partition];
  if (first === undefined) throw new MalformedMessageError(`No first row id for partition ${ctx.partition}`);
  const ids = source.rowId === undefined ? undefined : readColumn(batches, source.rowId);
  const keep = new Uint8Array(rows);
  const rng = new CounterRandom(args.seed, SAMPLING_DOMAINS.binning);
  for (let i = 0; i < rows; i++) {
    keep[i] = fraction >= 1 || rng.at(ids ? ids[i]! : first + i).float(0) < fraction ? 1 : 0;
  }
  const parts: Float64Array[] = [Float64Array.of(kinds.length)];
  source.features.forEach((name, f) => {
    const x = readColumn(batches, name);
    if (kinds[f] === "categorical") {
      const counts = new Map<number, number>(); // NaN is one key: Map keys compare by SameValueZero
      for (const c of x) counts.set(c, (counts.get(c) ?? 0) + 1);
      const pairs = new Float64Array(1 + 2 * counts.size);
      pairs[0] = 2 * counts.size;
      let at = 1;
      for (const [c, n] of counts) {
        pairs[at++] = c;
        pairs[at++] = n;
      }
      parts.push(pairs);
      return;
    }
    const values = new Float64Array(1 + rows);
    let n = 0;
    for (let i = 0; i < rows; i++) if (keep[i] === 1 && x[i] === x[i]) values[1 + n++] = x[i]!;
    values[0] = n;
    values.subarray(1, 1 + n).sort(); // sorted here, in parallel; merges keep it sorted
    parts.push(values.subarray(0, 1 + n));
  });
  return concatAll(parts);
};

function concatAll(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The per-feature sections of a {@linkcode sampleBinningValues} value. */
function sections(v: Float64Array): Float64Array[] {
  const features = v[0];
  if (features === undefined || !Number.isSafeInteger(features) || features < 0) {
    throw new MalformedMessageError("Malformed binning sample: bad feature count");
  }
  const out: Float64Array[] = [];
  let at = 1;
  for (let f = 0; f < features; f++) {
    const n = v[at];
    if (n === undefined || !Number.isSafeInteger(n) || n < 0 || at + 1 + n > v.length) {
      throw new MalformedMessageError(`Malformed binning sample: feature ${f} overruns the value`);
    }
    out.push(v.subarray(at + 1, at + 1 + n));
    at += 1 + n;
  }
  if (at !== v.length) throw new MalformedMessageError("Malformed binning sample: trailing values");
  return out;
}

/** Whether `x` sorts before `y` in `Float64Array.prototype.sort`'s order (−0 before +0; no NaN). */
function before(x: number, y: number): boolean {
  return x < y || (x === 0 && y === 0 && Object.is(x, -0) && !Object.is(y, -0));
}

/** The sorted runs `s` and `t` merged into `out` (length `s.length + t.length`). */
function mergeSorted(s: Float64Array, t: Float64Array, out: Float64Array): void {
  let i = 0, j = 0, k = 0;
  while (i < s.length && j < t.length) out[k++] = before(t[j]!, s[i]!) ? t[j++]! : s[i++]!;
  while (i < s.length) out[k++] = s[i++]!;
  while (j < t.length) out[k++] = t[j++]!;
}

/**
 * Merge: {@linkcode sampleBinningValues} values feature by feature — a numeric feature's sorted
 * samples merged into one sorted run (so the driver need not sort 200k values per feature while
 * the executors wait), a categorical feature's pairs concatenated.
 */
export const mergeBinningValues: MergeFn = (a, b, ctx) => {
  if (!(a instanceof Float64Array) || !(b instanceof Float64Array)) {
    throw new MalformedMessageError("mergeBinningValues merges float64 vectors");
  }
  const kinds = sourceKinds(decodeSampleArgs(ctx.args).source);
  const x = sections(a), y = sections(b);
  if (x.length !== y.length || x.length !== kinds.length) {
    throw new MalformedMessageError("Binning samples of different feature counts");
  }
  const out = new Float64Array(a.length + b.length - 1 - x.length); // one count word, one per feature
  out[0] = x.length;
  let at = 1;
  x.forEach((s, f) => {
    const t = y[f]!;
    out[at] = s.length + t.length;
    const section = out.subarray(at + 1, at + 1 + s.length + t.length);
    if (kinds[f] === "numeric") mergeSorted(s, t, section);
    else {
      section.set(s);
      section.set(t, s.length);
    }
    at += 1 + s.length + t.length;
  });
  return out;
};

/** Options of {@linkcode fitClusterBinnings}. */
export interface ClusterBinningOptions {
  /** Each partition's first global row number ({@linkcode firstRowIds}). */
  readonly firstRowIds: readonly number[];
  /** Rows of the whole dataset. */
  readonly rows: number;
  /** Value bins per feature. @default {255} */
  readonly maxBins?: number;
  /** Sampled rows for numeric bins. @default {200_000} */
  readonly sampleRows?: number;
  /** Seed of the sample. */
  readonly seed: number;
  readonly signal?: AbortSignal;
}

/** The binning of every feature of `source` over `ds`, in model order. */
export async function fitClusterBinnings(
  ds: Dataset,
  source: TreeSource,
  options: ClusterBinningOptions,
): Promise<FeatureBinning[]> {
  const maxBins = options.maxBins ?? MAX_VALUE_BINS;
  const sampleRows = options.sampleRows ?? DEFAULT_BINNING_SAMPLE_ROWS;
  if (!(Number.isSafeInteger(sampleRows) && sampleRows >= 1)) {
    throw new RangeError(`sampleRows must be a positive integer, got ${sampleRows}`);
  }
  const args: Json = {
    source: encodeSource(source),
    firstRowIds: [...options.firstRowIds],
    fraction: options.rows <= sampleRows ? 1 : sampleRows / options.rows,
    seed: options.seed,
  };
  const v = await ds.aggregatePartitions(
    { module: TREE_JOBS_MODULE, fold: "sampleBinningValues", merge: "mergeBinningValues", args },
    options.signal ? { signal: options.signal } : {},
  );
  if (!(v instanceof Float64Array)) throw new MalformedMessageError("A binning sample must be float64s");
  const kinds = sourceKinds(source);
  return sections(v).map((s, f) => {
    if (kinds[f] === "numeric") return numericBinningFromSorted(s, maxBins); // sorted by the fold and merges
    const counts = new Map<number, number>();
    let missing = 0;
    for (let i = 0; i < s.length; i += 2) {
      const code = s[i]!, n = s[i + 1]!;
      if (code !== code) missing += n;
      else counts.set(code, (counts.get(code) ?? 0) + n);
    }
    return categoricalBinningFromCounts(counts, { maxBins, missing });
  });
}
