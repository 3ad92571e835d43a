/**
 * Frontier: an actor-model cluster runtime for Deno, for distributed financial machine learning.
 *
 * @example
 * ```ts ignore
 * import { col, count, Frontier, sum } from "./mod.ts";
 * await using fx = await Frontier.start({ executors: 2 });
 * const rows = await fx.range(0, 1_000_000)
 *   .withColumn("k", col("id").mod(10))
 *   .groupBy("k").agg(count(), sum("id"))
 *   .sort("k")
 *   .collect();
 * ```
 *
 * @module
 */
export { Frontier, type RangeOptions, type StartOptions } from "./cluster/frontier.ts";
export { Dataset, type DatasetWriter, GroupedData, type WriteResult } from "./cluster/dataset.ts";
export * from "./cluster/expr/column.ts";
export type { Batch, DataType, Field, Row, Scalar, Schema, Vec } from "./cluster/columnar/batch.ts";
export type { ClusterStatus, ExecutorStatus, JobStatus } from "./cluster/driver/driver.ts";
export type * from "./cluster/partition_fns.ts";
export * from "./actors/errors.ts";
export * from "./cluster/errors.ts";
export { type Clock, FakeClock, systemClock } from "./actors/clock.ts";
export * from "./actors/mod.ts";
