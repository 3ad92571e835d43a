/**
 * Frontier: an actor-model cluster runtime for Deno, for distributed financial machine learning.
 *
 * Start a cluster with {@linkcode Frontier.start} (Web Workers in this process, or local
 * processes) or join one with {@linkcode Frontier.connect}; read or generate a {@linkcode Dataset};
 * transform it lazily with column expressions ({@linkcode col}, {@linkcode lit}, {@linkcode when},
 * the functions and the aggregates below); and run actions (`count`, `collect`, `write`) that
 * plan stages, shuffle between executors, retry lost work and bring back the result.
 *
 * Other entry points: `@frontier/frontier/actors` (the actor runtime the cluster is built on),
 * `@frontier/frontier/models` (statistics and models over datasets) and
 * `@frontier/frontier/streaming` (event-time stream queries: `readStream.kafka(…)` /
 * `readStream.embedded(…)`, kept apart from {@linkcode Frontier} because the cluster layer does
 * not depend on the streaming one).
 *
 * @example Group, aggregate, sort
 * ```ts
 * import assert from "node:assert/strict";
 * import { avg, col, count, Frontier, when } from "@frontier/frontier";
 *
 * await using fx = await Frontier.start({ executors: 2 });
 * const rows = await fx.range(0, 1_000)
 *   .withColumn("size", when(col("id").lt(100), "small").otherwise("large"))
 *   .groupBy("size")
 *   .agg(count().alias("n"), avg("id").alias("mean"))
 *   .sort(col("n").desc())
 *   .collect();
 * assert.deepEqual(rows, [
 *   { size: "large", n: 900, mean: 549.5 },
 *   { size: "small", n: 100, mean: 49.5 },
 * ]);
 * ```
 *
 * @example Rows held here, a join, and errors that name the problem
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier, SchemaError } from "@frontier/frontier";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const accounts = await fx.fromRows(
 *   [{ account: 1, country: "PT" }, { account: 2, country: "NL" }],
 *   {
 *     schema: [
 *       { name: "account", type: "long", nullable: false },
 *       { name: "country", type: "string", nullable: false },
 *     ],
 *   },
 * );
 * const payments = fx.range(0, 6).withColumn("account", col("id").mod(3));
 * const joined = payments.join(accounts, "account", "left").sort("id");
 * assert.deepEqual((await joined.collect()).map((r) => r["country"]), [null, "PT", "NL", null, "PT", "NL"]);
 * assert.throws(() => payments.select("amount"), SchemaError);
 * ```
 *
 * @module
 */

// Cluster and data sets
export {
  type ConnectOptions,
  type FromRowsOptions,
  Frontier,
  type GenerateOptions,
  type PartitionOptions,
  type RangeOptions,
  type StartOptions,
  type TransactionsOptions,
} from "./cluster/frontier.ts";
export type { DriverOptions } from "./cluster/driver/driver.ts";
export {
  type ActionOptions,
  Dataset,
  type DatasetWriter,
  GroupedData,
  type JoinOptions,
  type RandomSplitOptions,
  type SampleOptions,
  type WriteResult,
} from "./cluster/dataset.ts";
export type { JoinHow } from "./cluster/plan/task_plan.ts";
export type { JoinStrategy } from "./cluster/plan/logical_plan.ts";

// Readers
export {
  type BankOptions,
  type CsvOptions,
  type CsvRead,
  type CsvSummary,
  DataReader,
} from "./cluster/reader.ts";
export type { CsvDialect } from "./cluster/io/csv/scan.ts";
export type { CsvField, CsvSchema } from "./cluster/io/csv/schema.ts";

// Columns: the builder, functions and aggregates
export {
  AggColumn,
  approxCountDistinct,
  approxQuantile,
  avg,
  coalesce,
  col,
  Column,
  type ColumnLike,
  concat,
  count,
  countDistinct,
  dayOfMonth,
  dayOfWeek,
  first,
  greatest,
  hash,
  hour,
  least,
  length,
  lit,
  lower,
  max,
  min,
  month,
  type Operand,
  pow,
  round,
  stddev,
  substr,
  sum,
  upper,
  variance,
  when,
  WhenColumn,
  year,
} from "./cluster/expr/column.ts";
export {
  denseRank,
  lag,
  lead,
  rank,
  rowNumber,
  Window,
  WindowFunction,
  WindowSpec,
} from "./cluster/expr/window.ts";
export {
  AGG_FNS,
  type AggExpr,
  type AggFn,
  type BinaryOp,
  type Expr,
  type FnName,
  FRAME_FNS,
  type FrameBound,
  type FrameFn,
  type SortKey,
  type UnaryOp,
  WINDOW_FNS,
  type WindowCall,
  type WindowExpr,
  type WindowFn,
  type WindowFrame,
  type WindowOrder,
  type WindowSpecData,
} from "./cluster/expr/expr.ts";

// Data
export {
  type Batch,
  DATA_TYPES,
  type DataType,
  type Field,
  type Row,
  type Scalar,
  type Schema,
  type Utf8Buffers,
  type Vec,
} from "./cluster/columnar/batch.ts";
export type { Json } from "./actors/errors.ts";

// Per-partition user code (named exports of allowlisted modules)
export type {
  AggregatePartitionsSpec,
  CarrySpec,
  ChainFn,
  FoldFn,
  GeneratorFn,
  InputContext,
  MapContext,
  MapPartitionsFn,
  MapPartitionsSpec,
  MergeFn,
  PartitionContext,
  PartitionState,
  PartitionValue,
} from "./cluster/partition_fns.ts";
export { keepState } from "./cluster/executor/state_store.ts";

// Status
export type { ClusterStatus, ExecutorStatus, JobStatus, StageStatus } from "./cluster/driver/driver.ts";

// Errors
export {
  AbortedError,
  FrontierError,
  type FrontierErrorOptions,
  MalformedMessageError,
  PeerUnavailableError,
  StoppedError,
  TimeoutError,
} from "./actors/errors.ts";
export {
  AuthenticationError,
  FetchFailedError,
  InvalidRowError,
  JobFailedError,
  type LostBlock,
  NotAllowedError,
  SchemaError,
  StateBudgetError,
  TaskFailedError,
} from "./cluster/errors.ts";

// Time
export { type Clock, FakeClock, systemClock, type TimerId } from "./actors/clock.ts";
