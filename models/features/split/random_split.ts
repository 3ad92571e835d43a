/**
 * `randomSplit`: disjoint splits of a dataset in proportion to `weights`, deterministic from the
 * seed for any partition count, optionally stratified by a column (the label) so that every class
 * is split in the same proportions.
 *
 * Each row draws a 53-bit number from a hash of `(seed, its key columns)` (`row_draw.ts`); within a
 * stratum of `n` rows, split `j` takes the rows whose draws rank in `(b_{j-1}, b_j]`, where
 * `b_j = round(n · (w_1 + … + w_j) / Σw)`. The cut draws are exact order statistics found on the
 * cluster (`order_statistics.ts`), so every stratum contributes exactly `b_j - b_{j-1}` rows to
 * split `j` — unless rows with identical keys (duplicate records under the default key of every
 * column) straddle a cut: they stay together, in the lower split. Null in the stratify column is
 * a stratum of its own. The splits are lazy filters over the input.
 *
 * Unlike `Dataset.randomSplit` (one Bernoulli draw per row by its position in its partition, so
 * proportions are approximate and another partitioning draws another split), this split is exact
 * and depends only on the seed and the rows' keys.
 *
 * @example
 * ```ts ignore
 * const { splits: [train, test] } = await randomSplit(data, [0.8, 0.2], { seed: 42, stratifyBy: "y" });
 * ```
 *
 * @module
 */
import type { Scalar } from "../../../cluster/columnar/batch.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { col, type Column, lit, when, type WhenColumn } from "../../../cluster/expr/column.ts";
import { selectRanks } from "../order_statistics.ts";
import { checkColumn } from "../params.ts";
import { allOf, doubleLit } from "../stages/stage.ts";
import { rowDraw } from "./row_draw.ts";

/** Values a stratify column may have (each is one branch of the split's CASE expression). */
export const MAX_STRATA = 1000;

/** Options of {@linkcode randomSplit}. */
export interface RandomSplitOptions {
  /** Any safe integer. */
  readonly seed: number;
  /** Split every value of this column (e.g. the label) in the same proportions. */
  readonly stratifyBy?: string;
  /** Columns that identify a row. @default {every column} */
  readonly key?: readonly string[];
  /** Cancels the jobs. */
  readonly signal?: AbortSignal;
}

/** The rows of one stratum in each split. */
export interface StratumCounts {
  /** The stratum value (null for rows whose stratum column is null). */
  readonly stratum: Scalar;
  /** Rows in the stratum. */
  readonly rows: number;
  /** Rows per split (exact unless rows with identical keys straddle a cut). */
  readonly splits: readonly number[];
}

/** What {@linkcode randomSplit} returns. */
export interface RandomSplit {
  /** The splits, in the order of the weights (lazy filters). */
  readonly splits: Dataset[];
  /** Rows per stratum and split. */
  readonly strata: readonly StratumCounts[];
}

/** Cumulative boundaries `b_1 … b_{k-1}` of a stratum of `n` rows. */
export function splitBoundaries(weights: readonly number[], n: number): number[] {
  const total = weights.reduce((a, w) => a + w, 0);
  const out: number[] = [];
  let acc = 0;
  for (let j = 0; j + 1 < weights.length; j++) {
    acc += weights[j]!;
    out.push(Math.min(n, Math.round((n * acc) / total)));
  }
  return out;
}

/** Splits `dataset` (see the module doc); runs two or three small aggregation jobs. */
export async function randomSplit(
  dataset: Dataset,
  weights: readonly number[],
  options: RandomSplitOptions,
): Promise<RandomSplit> {
  if (!Array.isArray(weights) || weights.length < 2 || weights.some((w) => !(w >= 0 && w < Infinity))) {
    throw new RangeError(`weights must be at least 2 finite numbers ≥ 0, got ${JSON.stringify(weights)}`);
  }
  if (!(weights.reduce((a, w) => a + w, 0) > 0)) throw new RangeError("weights must not all be 0");
  if (options.stratifyBy !== undefined) checkColumn("stratifyBy", options.stratifyBy);
  const u = rowDraw(dataset.schema, { seed: options.seed, key: options.key });
  const by = options.stratifyBy === undefined ? undefined : col(options.stratifyBy);
  const found = await selectRanks(dataset, u, {
    ...(by !== undefined ? { by } : {}),
    ranks: (_, n) => splitBoundaries(weights, n).filter((b) => b > 0 && b < n),
    signal: options.signal,
  });
  if (found.length > MAX_STRATA) {
    throw new RangeError(
      `stratifyBy "${options.stratifyBy}" has ${found.length} values; stratified splits take at most ${MAX_STRATA}`,
    );
  }
  const strata = found.map((r) => {
    const bounds = splitBoundaries(weights, r.count);
    const cuts = bounds.map((b) =>
      b <= 0 ? -Infinity : b >= r.count ? Infinity : r.values[r.ranks.indexOf(b)]!
    );
    const edges = [0, ...bounds, r.count];
    return {
      stratum: r.stratum,
      rows: r.count,
      splits: weights.map((_, j) => edges[j + 1]! - edges[j]!),
      cuts,
    };
  });
  const splits = weights.map((_, j) => {
    const inSplit = (cuts: readonly number[]): Column => {
      const parts: Column[] = [];
      if (j > 0) parts.push(u.gt(doubleLit(cuts[j - 1]!)));
      if (j < weights.length - 1) parts.push(u.le(doubleLit(cuts[j]!)));
      return allOf(parts);
    };
    if (by === undefined) return dataset.filter(strata.length === 0 ? lit(false) : inSplit(strata[0]!.cuts));
    let chain: WhenColumn | undefined;
    for (const s of strata) {
      const is = s.stratum === null ? by.isNull() : by.eq(lit(s.stratum));
      chain = chain === undefined ? when(is, inSplit(s.cuts)) : chain.when(is, inSplit(s.cuts));
    }
    return dataset.filter(chain === undefined ? lit(false) : chain.otherwise(lit(false)));
  });
  return { splits, strata: strata.map(({ stratum, rows, splits }) => ({ stratum, rows, splits })) };
}
