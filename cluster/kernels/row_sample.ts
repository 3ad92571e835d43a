/**
 * Row sampling with per-row seeded randomness (Spark's `sample` and `randomSplit`). Row i of a
 * partition draws from a counter-based generator at index i, so its draws depend only on the
 * partition's seed and its position, not on batch boundaries, executors or attempts:
 * - without replacement, the row is kept when its uniform draw u (in (0, 1)) lies in
 *   [lower, upper); splits with adjacent intervals over the same seed are disjoint and, when the
 *   intervals cover [0, 1), every row lands in exactly one of them;
 * - with replacement, the row is emitted k times, k drawn from Poisson(upper − lower).
 *
 * @module
 */
import type { Batch } from "../columnar/batch.ts";
import { takeRows } from "../columnar/batch_ops.ts";
import { CounterRandom } from "../util/seeded_random.ts";

/** What to keep, and the partition's draws. */
export interface RowSampleOptions {
  /** The partition's seed (see `partitionSeed`). */
  readonly seed: number;
  /** Position of the batch's first row in its partition. */
  readonly firstRow: number;
  /** Without replacement: keep rows whose draw is at least this. */
  readonly lower: number;
  /** Without replacement: keep rows whose draw is below this; with replacement, `upper − lower` is the mean. */
  readonly upper: number;
  /** Poisson copies instead of a kept-or-not draw. */
  readonly withReplacement: boolean;
}

/** Largest Poisson mean drawn in one piece; larger means are sums of pieces (exp(-20) is far from underflow). */
const POISSON_PIECE = 20;

/** The sampled rows of `batch`, in input order (copies of a row with replacement stay together). */
export function sampleRows(batch: Batch, o: RowSampleOptions): Batch {
  const rng = new CounterRandom(o.seed);
  const keep: number[] = [];
  if (!o.withReplacement) {
    for (let i = 0; i < batch.length; i++) {
      const u = rng.at(o.firstRow + i).float(0);
      if (u >= o.lower && u < o.upper) keep.push(i);
    }
  } else {
    const mean = o.upper - o.lower;
    for (let i = 0; i < batch.length; i++) {
      const k = poisson(rng.at(o.firstRow + i), mean);
      for (let c = 0; c < k; c++) keep.push(i);
    }
  }
  return keep.length === batch.length && !o.withReplacement ? batch : takeRows(batch, keep);
}

/** A Poisson(mean) count from the streams of the generator's current index (Knuth, in pieces). */
function poisson(rng: CounterRandom, mean: number): number {
  let k = 0, stream = 0;
  for (let left = mean; left > 0; left -= POISSON_PIECE) {
    const limit = Math.exp(-Math.min(left, POISSON_PIECE));
    let p = rng.float(stream++);
    while (p > limit) {
      k++;
      p *= rng.float(stream++);
    }
  }
  return k;
}
