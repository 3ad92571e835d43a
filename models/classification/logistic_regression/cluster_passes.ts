/**
 * The training passes on a cluster: each pass is one `aggregatePartitions` job over the training
 * dataset — the executors fold their partitions with {@linkcode foldLogistic}, the driver merges
 * the summaries in partition order with {@linkcode mergeLogistic} — so no row ever leaves an
 * executor, and the merged summaries are the bits the in-memory passes (`local_passes.ts`) give on
 * the same rows.
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import type { BlockSource } from "./block_source.ts";
import type { FoldContext } from "./context_codec.ts";
import type { LossSummary } from "./loss_pass.ts";
import type { MomentSummary } from "./moment_pass.ts";
import { foldArgsJson, LOGISTIC_MODULE } from "./partition_functions.ts";
import type { RangeSummary } from "./range_pass.ts";
import { decodeSummary, type FoldSummary } from "./summary_codec.ts";
import type { LogisticPasses } from "./train.ts";

/** Options of {@linkcode clusterPasses}. */
export interface ClusterPassOptions {
  /** Aborts the running job. */
  signal?: AbortSignal | undefined;
  /** Called after every pass with its kind (to count passes, report progress). */
  onPass?: ((kind: FoldContext["type"]) => void) | undefined;
}

/** The three passes over `dataset`, reading rows through `source`. */
export function clusterPasses(
  dataset: Dataset,
  source: BlockSource,
  options: ClusterPassOptions = {},
): LogisticPasses {
  const run = async <T extends FoldSummary>(context: FoldContext): Promise<T> => {
    const value = await dataset.aggregatePartitions({
      module: LOGISTIC_MODULE,
      fold: "foldLogistic",
      merge: "mergeLogistic",
      args: foldArgsJson({ source, context }),
    }, { signal: options.signal });
    const summary = decodeSummary(value);
    if (summary.type !== context.type) {
      throw new TypeError(`A ${context.type} pass returned a ${summary.type} summary`);
    }
    options.onPass?.(context.type);
    return summary as T;
  };
  return {
    ranges: (context) => run<RangeSummary>({ type: "lr.ranges", context }),
    moments: (context) => run<MomentSummary>({ type: "lr.moments", context }),
    loss: (context) => run<LossSummary>({ type: "lr.loss", context }),
  };
}
