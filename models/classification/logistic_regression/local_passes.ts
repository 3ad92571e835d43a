/**
 * The training passes over in-memory partitions: each partition's blocks are folded, then the
 * summaries merged pairwise as a tree (like a tree aggregation). The folds and merges are the same
 * functions a cluster runs; this is the single-node and test back end of {@linkcode LogisticPasses}.
 *
 * @module
 */
import type { FeatureBlock } from "./feature_block.ts";
import { foldLoss, mergeLoss } from "./loss_pass.ts";
import { foldMoments, mergeMoments } from "./moment_pass.ts";
import { foldRanges, mergeRanges } from "./range_pass.ts";
import type { LogisticPasses } from "./train.ts";

/** Passes over `partitions` (each a list of blocks; at least one partition). */
export function localPasses(partitions: readonly (readonly FeatureBlock[])[]): LogisticPasses {
  if (partitions.length === 0) throw new RangeError("Cannot train on zero partitions");
  return {
    ranges: (context) =>
      Promise.resolve(treeMerge(partitions.map((p) => foldRanges(p, context)), mergeRanges)),
    moments: (context) =>
      Promise.resolve(treeMerge(partitions.map((p) => foldMoments(p, context)), mergeMoments)),
    loss: (context) => Promise.resolve(treeMerge(partitions.map((p) => foldLoss(p, context)), mergeLoss)),
  };
}

/** Merges neighbours level by level until one summary is left. */
export function treeMerge<T>(items: readonly T[], merge: (a: T, b: T) => T): T {
  let level = [...items];
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? merge(level[i]!, level[i + 1]!) : level[i]!);
    }
    level = next;
  }
  return level[0]!;
}
