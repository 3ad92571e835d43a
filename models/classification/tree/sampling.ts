/**
 * The seeded draws of tree training, each a pure function of the seed and stable identities — a
 * row's id (never its position in a partition), the round or tree number, the node id, the
 * feature index — so samples are the same for any partitioning, executor count or retry.
 *
 * @module
 */
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";

/** `CounterRandom` domains, one per family of draws. */
export const SAMPLING_DOMAINS = {
  /** Row subsampling of boosting rounds: `(seed, row id) → stream round`. */
  bagging: 0x7472_0001,
  /** Feature subsampling of boosting rounds: `(seed, round) → stream feature`. */
  treeFeatures: 0x7472_0002,
  /** Feature subsampling of forest nodes: `(seed, tree · 2^21 + heap path) → stream feature`. */
  nodeFeatures: 0x7472_0003,
  /** Poisson bootstrap of forests: `(seed, row id) → stream tree`. */
  bootstrap: 0x7472_0004,
  /** Rows whose values fit the numeric binnings on a cluster: `(seed, row id) → stream 0`. */
  binning: 0x7472_0005,
} as const;

/** Heap paths per tree in the `nodeFeatures` index (root 1; a tree of depth ≤ 20 fits). */
export const NODES_PER_TREE = 2 ** 21;

/**
 * The `k` features of `numFeatures` drawn for `index` of `domain`: those with the smallest
 * uniform draws (ties by feature), returned ascending. `k ≥ numFeatures` returns all.
 */
export function sampleFeatures(
  rng: CounterRandom,
  draw: { index: number; numFeatures: number; k: number },
): Int32Array {
  const { index, numFeatures, k } = draw;
  if (k >= numFeatures) return Int32Array.from({ length: numFeatures }, (_, f) => f);
  rng.at(index);
  const keyed = Array.from({ length: numFeatures }, (_, f) => ({ f, u: rng.u32(f) }));
  keyed.sort((a, b) => a.u - b.u || a.f - b.f);
  return Int32Array.from(keyed.slice(0, Math.max(1, k)), (e) => e.f).sort();
}

/** Poisson(1) cumulative probabilities `P(X ≤ k)`, until they round to 1. */
const POISSON1_CDF: readonly number[] = (() => {
  const cdf: number[] = [];
  let p = Math.exp(-1), acc = 0;
  for (let k = 0; k < 255 && acc < 1; k++) {
    acc += p;
    cdf.push(acc);
    p /= k + 1;
  }
  return cdf;
})();

/** The Poisson(1) count whose CDF interval holds uniform `u` (capped at 255). */
export function poisson1(u: number): number {
  let k = 0;
  while (k < POISSON1_CDF.length && u > POISSON1_CDF[k]!) k++;
  return Math.min(k, 255);
}

/** Largest bootstrap count {@linkcode poisson1} can return for a uniform in (0, 1). */
export const MAX_BOOTSTRAP_COUNT = POISSON1_CDF.length;

/**
 * Poisson(1) bootstrap counts of `rowIds` for each of `trees`: `out[t][i]` is how many times row
 * `rowIds[i]` is drawn for tree `trees[t]` (a function of `(seed, tree, row id)` only).
 */
export function bootstrapCounts(rowIds: Float64Array, seed: number, trees: readonly number[]): Uint8Array[] {
  const rng = new CounterRandom(seed, SAMPLING_DOMAINS.bootstrap);
  const out = trees.map(() => new Uint8Array(rowIds.length));
  for (let i = 0; i < rowIds.length; i++) {
    rng.at(rowIds[i]!);
    for (let t = 0; t < trees.length; t++) out[t]![i] = poisson1(rng.float(trees[t]!));
  }
  return out;
}

/** Whether row `rowId` is in the bag of boosting round `round` (probability `fraction`). */
export function inBag(rng: CounterRandom, rowId: number, round: number, fraction: number): boolean {
  return fraction >= 1 || rng.at(rowId).float(round) < fraction;
}
