/**
 * What a {@linkcode Dataset} needs from whoever runs it: the embedded driver, or a remote driver
 * reached through `Frontier.connect`.
 *
 * @module
 */
import type { Batch, Schema } from "./columnar/batch.ts";
import type { ClusterStatus, JobResult } from "./driver/driver.ts";
import type { Action, LogicalPlan } from "./plan/logical_plan.ts";

export interface Engine {
  runJob(
    plan: LogicalPlan,
    action: Action,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<JobResult>;
  explain(plan: LogicalPlan): Promise<string>;
  /** Stores driver-side data split into partitions; returns its id for an `inline` plan. */
  putInline(schema: Schema, partitions: readonly Batch[]): Promise<string>;
  unpersist(cacheId: number): Promise<void>;
  /** Drops executor-local state whose keys start with `prefix` on every executor. */
  releaseState(prefix: string): Promise<void>;
  nextCacheId(): number;
  status(): Promise<ClusterStatus>;
  readonly defaultParallelism: number;
}
