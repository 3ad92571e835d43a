/**
 * Seeded synthetic data for the logistic-regression tests: features on very different scales and
 * offsets (so standardization matters), optionally a near-collinear pair and weights.
 *
 * @module
 */
import { seededRandom } from "../../../../actors/supervisor.ts";
import type { FeatureBlock } from "../../../../models/classification/logistic_regression/feature_block.ts";

/** Rows as plain arrays, easy to split and to feed an independent solver. */
export interface Rows {
  x: number[][];
  y: (0 | 1)[];
  w?: number[];
}

/** Options of {@linkcode syntheticRows}. */
export interface SyntheticOptions {
  rows: number;
  seed: number;
  /** Add a feature equal to feature 0 plus a little noise (correlation ≈ 0.999). */
  collinear?: boolean;
  /** Add a constant feature. */
  constant?: boolean;
  /** Draw instance weights in [0.2, 3). */
  weighted?: boolean;
  /** Shift the label balance (more negative: rarer positives). @default {-1} */
  bias?: number;
}

/** Five base features: N(0,1), 1000·U + 5e4, a 0/1 dummy, N(0,1)·1e-3, a heavy-tailed one. */
export function syntheticRows(o: SyntheticOptions): Rows {
  const rand = seededRandom(o.seed),
    normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const truth = [0.8, -1.5e-3, 1.2, 400, 0.05];
  const x: number[][] = [], y: (0 | 1)[] = [], w: number[] = [];
  for (let i = 0; i < o.rows; i++) {
    const row = [
      normal(),
      1000 * rand() + 5e4,
      rand() < 0.3 ? 1 : 0,
      normal() * 1e-3,
      Math.exp(2 * normal()),
    ];
    let m = (o.bias ?? -1) + 75;
    row.forEach((v, j) => (m += truth[j]! * v));
    if (o.collinear) row.push(row[0]! + 0.03 * normal());
    if (o.constant) row.push(7);
    x.push(row);
    y.push(rand() < 1 / (1 + Math.exp(-m)) ? 1 : 0);
    w.push(0.2 + 2.8 * rand());
  }
  return o.weighted ? { x, y, w } : { x, y };
}

/** One block of the given rows. */
export function toBlock(rows: Rows, indices: readonly number[]): FeatureBlock {
  const d = rows.x[0]!.length, features = new Float64Array(indices.length * d);
  indices.forEach((r, i) => features.set(rows.x[r]!, i * d));
  const block: { features: Float64Array; labels: Float64Array; weights?: Float64Array } = {
    features,
    labels: Float64Array.from(indices, (r) => rows.y[r]!),
  };
  if (rows.w !== undefined) block.weights = Float64Array.from(indices, (r) => rows.w![r]!);
  return block;
}

/**
 * The rows split into `parts` partitions of contiguous, uneven ranges, each cut into blocks of at
 * most `blockRows` rows (so batch boundaries move too).
 */
export function partitioned(rows: Rows, parts: number, blockRows = 1000): FeatureBlock[][] {
  const n = rows.y.length, cuts = [0];
  for (let k = 1; k < parts; k++) cuts.push(Math.floor((n * k * k) / (parts * parts)));
  cuts.push(n);
  return cuts.slice(0, -1).map((start, k) => {
    const end = cuts[k + 1]!, blocks: FeatureBlock[] = [];
    for (let s = start; s < end; s += blockRows) {
      blocks.push(toBlock(rows, Array.from({ length: Math.min(blockRows, end - s) }, (_, i) => s + i)));
    }
    return blocks;
  });
}
