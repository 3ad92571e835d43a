/**
 * Speed of the histogram-tree core on one core: the histogram hot loop in million cell updates per
 * second (one cell = one (row, feature) pair added to its bin), the same loop with a double-double
 * accumulator (the alternative to fixed-point sums for order independence), the gradient
 * quantization pass, and end-to-end boosting time per tree — on the speed anchor's data shape
 * (1M rows × 20 numeric features, 255 bins, 63 leaves).
 *
 * Rates are per CPU second of this process (user + system time), so they stay meaningful on a
 * shared, oversubscribed machine; wall times are printed beside them with the load average.
 *
 * Usage: `deno run -A scripts/bench/tree_histogram.ts [--rows 1000000] [--features 20] [--trees 10]
 * [--leaves 63] [--reps 5]`. Prints each figure and a JSON summary.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { systemClock } from "../../actors/clock.ts";
import { CounterRandom } from "../../cluster/util/seeded_random.ts";
import { trainGbt } from "../../models/classification/gbt/booster.ts";
import { GbtShard } from "../../models/classification/gbt/gbt_shard.ts";
import { resolveGbtParams } from "../../models/classification/gbt/params.ts";
import { binRows } from "../../models/classification/tree/binning.ts";
import {
  buildHistogram,
  createHistogram,
  type Histogram,
  type HistogramLayout,
  quantizationScale,
  quantize,
} from "../../models/classification/tree/histogram.ts";
import { fitBinnings, shardLocalData } from "../../models/classification/tree/local_data.ts";
import { localShardGroup } from "../../models/classification/tree/shard_group.ts";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    features: { type: "string", default: "20" },
    trees: { type: "string", default: "10" },
    leaves: { type: "string", default: "63" },
    reps: { type: "string", default: "5" },
  },
});
const ROWS = Number(args.rows), FEATURES = Number(args.features), TREES = Number(args.trees);
const LEAVES = Number(args.leaves), REPS = Number(args.reps);
const now = () => systemClock.monotonic();

/** CPU milliseconds (user + system) of this process spent in `fn`. */
function time(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

function stats(ms: number[]): { best: number; median: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { best: s[0]!, median: s[Math.floor(s.length / 2)]! };
}

/** 20 numeric features (normals, uniforms, skewed), a nonlinear label. */
function generate(): { columns: Float64Array[]; labels: Float64Array } {
  const rng = new CounterRandom(7, 1);
  const columns = Array.from({ length: FEATURES }, () => new Float64Array(ROWS));
  const labels = new Float64Array(ROWS);
  for (let r = 0; r < ROWS; r++) {
    rng.at(r);
    for (let f = 0; f < FEATURES; f++) {
      columns[f]![r] = f % 3 === 0 ? rng.normal(f) : f % 3 === 1 ? rng.float(f) : rng.exponential(f, 1);
    }
    const c = columns;
    const z = 1.5 * c[0]![r]! - c[3]![r]! * c[6]![r]! + 2 * (c[1]![r]! > 0.5 ? 1 : -1) * c[2]![r]! - 0.5;
    labels[r] = rng.float(FEATURES + 1) < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { columns, labels };
}

/** The hot loop with a double-double (TwoSum) accumulator instead of fixed-point sums. */
function buildDoubleDouble(
  hist: Histogram,
  lo: Float64Array,
  input: { layout: HistogramLayout; bins: Uint8Array; a: Float64Array; b: Float64Array; rows: Int32Array },
): void {
  const { layout, bins, a, b, rows } = input;
  const width = layout.numFeatures, offsets = layout.offsets, sums = hist.sums, counts = hist.counts;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const ga = a[r]!, gb = b[r]!;
    const p = r * width;
    for (let f = 0; f < width; f++) {
      const k = offsets[f]! + bins[p + f]!;
      const s = k << 1;
      let x = sums[s]!, t = x + ga, bb = t - x;
      lo[s]! += (x - (t - bb)) + (ga - bb);
      sums[s] = t;
      x = sums[s + 1]!, t = x + gb, bb = t - x;
      lo[s + 1]! += (x - (t - bb)) + (gb - bb);
      sums[s + 1] = t;
      counts[k]!++;
    }
  }
}

const data = generate();
const binningMs = time(() => fitBinnings(data.columns, { maxBins: 255 }));
const binnings = fitBinnings(data.columns, { maxBins: 255 });
let bins: Uint8Array = new Uint8Array(0);
const binRowsMs = time(() => bins = binRows(binnings, data.columns, ROWS));
const [shardData] = shardLocalData(binnings, data, 1);
const layout = shardData!.layout;
const matrix = shardData!.matrix;
console.log(`data: ${ROWS} rows × ${FEATURES} features, ${layout.totalBins} bins in all`);
console.log(
  `fit binnings (exact, sorted): ${binningMs.toFixed(0)} CPU ms; bin rows: ${binRowsMs.toFixed(0)} CPU ms`,
);

// gradients at score 0, quantized
const scale = quantizationScale(ROWS, 1);
const a = new Float64Array(ROWS), b = new Float64Array(ROWS), rawA = new Float64Array(ROWS);
const quantizeMs = time(() => {
  for (let r = 0; r < ROWS; r++) {
    const p = 1 / (1 + Math.exp(-0.1 * (r % 7)));
    rawA[r] = p - data.labels[r]!;
    a[r] = quantize(rawA[r]!, scale);
    b[r] = quantize(p * (1 - p), scale);
  }
});
const all = Int32Array.from({ length: ROWS }, (_, r) => r);
const rowRng = new CounterRandom(3, 2);
const half = all.filter((r) => rowRng.at(r).float(0) < 0.5);

function measure(
  rows: Int32Array,
  channels: { a: Float64Array; b: Float64Array },
): { best: number; median: number } {
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const h = createHistogram(layout);
    ms.push(
      time(() => buildHistogram(h, { layout, matrix, channels }, { rows, begin: 0, end: rows.length })),
    );
  }
  return stats(ms);
}
const rate = (rows: number, ms: number) => rows * FEATURES / ms / 1e3;
const root = measure(all, { a, b });
const gathered = measure(half, { a, b });
const unquantized = measure(all, { a: rawA, b });
const dd = stats(Array.from({ length: REPS }, () => {
  const h = createHistogram(layout);
  const lo = new Float64Array(h.sums.length);
  return time(() => buildDoubleDouble(h, lo, { layout, bins, a: rawA, b, rows: all }));
}));
const figures = {
  rows: ROWS,
  features: FEATURES,
  rootMCellsPerSec: rate(ROWS, root.best),
  rootMedianMCellsPerSec: rate(ROWS, root.median),
  gatheredHalfMCellsPerSec: rate(half.length, gathered.best),
  unquantizedMCellsPerSec: rate(ROWS, unquantized.best),
  doubleDoubleMCellsPerSec: rate(ROWS, dd.best),
  quantizeMsPerMillionRows: quantizeMs / ROWS * 1e6,
  gbtMsPerTree: 0,
  gbtWallMsPerTree: 0,
  loadAverage: 0,
  histogramRowsPerTree: 0,
  gbtTrees: TREES,
  gbtLeaves: LEAVES,
};
console.log(
  `histogram, all rows (fixed-point): best ${figures.rootMCellsPerSec.toFixed(0)} M cells/s, median ${
    figures.rootMedianMCellsPerSec.toFixed(0)
  }`,
);
console.log(`histogram, gathered half: best ${figures.gatheredHalfMCellsPerSec.toFixed(0)} M cells/s`);
console.log(
  `histogram, unquantized floats (same loop): best ${figures.unquantizedMCellsPerSec.toFixed(0)} M cells/s`,
);
console.log(
  `histogram, double-double accumulator: best ${figures.doubleDoubleMCellsPerSec.toFixed(0)} M cells/s`,
);
console.log(
  `gradient + quantization pass: ${figures.quantizeMsPerMillionRows.toFixed(1)} ms per million rows`,
);

const params = resolveGbtParams({ numRounds: TREES, numLeaves: LEAVES, learningRate: 0.1 });
const t0 = now(), cpu0 = process.cpuUsage();
const result = await trainGbt({ train: localShardGroup([new GbtShard(shardData!)]), binnings, params });
const cpu = process.cpuUsage(cpu0);
figures.gbtMsPerTree = (cpu.user + cpu.system) / 1000 / TREES;
figures.gbtWallMsPerTree = (now() - t0) / TREES;
figures.loadAverage = Deno.loadavg()[0]!;
// rows histogrammed per tree: the root, then the smaller child of each split (an upper bound: splits
// whose children are both final cost nothing)
let histRows = 0;
for (const tree of result.model.trees) {
  const { feature, left, right, count } = tree.arrays;
  histRows += count[0]!;
  feature.forEach((f, i) => f >= 0 && (histRows += Math.min(count[left[i]!]!, count[right[i]!]!)));
}
figures.histogramRowsPerTree = histRows / TREES;
console.log(
  `boosting, 1 shard (1 core), ${LEAVES} leaves: ${figures.gbtMsPerTree.toFixed(0)} CPU ms per tree (${
    figures.gbtWallMsPerTree.toFixed(0)
  } ms wall, load average ${figures.loadAverage}), train loss ${result.trainLoss[0]!.toFixed(4)} → ${
    result.trainLoss[TREES]!.toFixed(4)
  }, ${result.requests} round trips, ≤ ${
    (figures.histogramRowsPerTree / 1e6).toFixed(2)
  } M rows histogrammed per tree`,
);
console.log(JSON.stringify(figures));
