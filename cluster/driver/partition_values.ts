/**
 * The driver's half of the per-partition operators: merging fold values (`aggregatePartitions`)
 * and chaining summaries into carries (`mapPartitions` with a carry). Both see the values in
 * partition-index order, never in the order tasks finished, so a job gives the same answer on
 * every run.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { ChainFn, MergeFn } from "../partition_fns.ts";
import { checkJson, checkPartitionValue, type PartitionValue } from "../util/partition_value.ts";

/**
 * Merges `values` (partition 0 first) pairwise, level by level, like a balanced tree: (v0 ⊕ v1) ⊕
 * (v2 ⊕ v3) … The calls and their order depend only on the number of values, and a float
 * reduction over a tree loses less precision than a left fold.
 */
export async function mergeInOrder(
  values: readonly PartitionValue[],
  merge: MergeFn,
  options: { args: Json; what: string },
): Promise<PartitionValue> {
  if (values.length === 0) throw new RangeError(`${options.what}: no values to merge`);
  let level = values;
  while (level.length > 1) {
    const next: PartitionValue[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(
        i + 1 < level.length
          ? checkPartitionValue(await merge(level[i]!, level[i + 1]!, { args: options.args }), options.what)
          : level[i]!,
      );
    }
    level = next;
  }
  return level[0]!;
}

/** Chains `summaries` (partition 0 first) into one JSON carry per partition. */
export async function chainCarries(
  summaries: readonly PartitionValue[],
  chain: ChainFn,
  options: { args: Json; what: string },
): Promise<Json[]> {
  const carries: unknown = await chain(summaries, { args: options.args });
  if (!Array.isArray(carries) || carries.length !== summaries.length) {
    throw new TypeError(
      `${options.what} must return one carry per partition (${summaries.length}), got ${
        Array.isArray(carries) ? `${carries.length}` : typeof carries
      }`,
    );
  }
  return carries.map((c, p) => checkJson(c, `${options.what}: the carry of partition ${p}`));
}
