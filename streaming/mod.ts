/**
 * Frontier's streaming wing: event-time processing over unbounded sources.
 *
 * What is here:
 * - **Time as values** (`event_time.ts`): streams are sequences of {@linkcode Timed} values
 *   stamped with processing time from an injected clock; events carry their own event time.
 *   {@linkcode recordDecoder} turns raw records (Kafka bytes, JSON text, objects) into
 *   {@linkcode StreamEvent}s or a reason they are malformed.
 * - **Watermarks** (`watermark.ts`): per partition `max event time − allowed lateness`, per
 *   operator the minimum over partitions, idle partitions released after a timeout. Pure
 *   functions over a small immutable state.
 * - **Windows** (`window.ts`): tumbling, sliding (hopping) and session windows and the
 *   assignment of an event to them.
 * - **Keyed windows** (`keyed_windows.ts`): the state machine that aggregates events per key and
 *   window, fires panes when the watermark passes their end + grace, sends late events and
 *   malformed records to side outputs, drops duplicates within the watermark horizon, and keeps
 *   `consumed = aggregated + late + duplicates + quarantined`.
 *
 * - **Online operators** (`operators/`): pure transitions `(state, input) → (state, outputs)` over
 *   plain, JSON-encodable state ({@linkcode OnlineOperator}, {@linkcode encodeState}), with keyed
 *   adapters for the runtime ({@linkcode KeyedOperator}):
 *   - {@linkcode onlineFeatures}: the per-account window features of `models/features/velocity.ts`
 *     computed online from the very same definitions, equal to the batch values bit for bit;
 *   - {@linkcode Scorer} / {@linkcode scoringOperator}: a saved model directory (logistic
 *     regression, boosted trees, random forest) scoring one event at a time as the batch
 *     `transform` does, with alerts that name their top contributing features;
 *   - {@linkcode anomalyOperator}: z-score rules against Welford baselines per account, per
 *     segment and for velocity, each anomaly with its reason;
 *   - {@linkcode trendOperator}: per-category volume and amount slopes over sliding panes, and
 *     change points by a two-window mean-shift test.
 *
 * A real broker for development and tests: `deno task kafka:start` / `kafka:stop`
 * (`scripts/setup/kafka.ts`). The event source to test against is `Frontier.transactions` (from
 * `@frontier/frontier`), whose disorder options (out-of-order, late, duplicates, malformed) match
 * what the operators here account for.
 *
 * The runtime on top of that core:
 * - **Operators** (`operator.ts`): the plug-in point, {@linkcode StreamOperator} — a pure
 *   `(state, event, ctx) → (state, outputs)` over per-key JSON state, fed every accepted event.
 * - **Partition processor** (`partition_processor.ts`): one per input partition; decodes,
 *   de-duplicates, windows, steps the operators, routes late events and malformed records (with
 *   their reason) to side outputs, and emits the batch's state-changelog deltas.
 * - **Sources** (`source.ts`): one {@linkcode StreamSource} interface of partition leases that
 *   commit a batch atomically, driven by {@linkcode runStream}. {@linkcode KafkaSource}
 *   (`kafka_source.ts`) is exactly-once on Kafka — one transaction per batch with the outputs, the
 *   compacted changelog deltas and the consumer offsets, one transactional id per input partition,
 *   re-fenced on every assignment, state restored from the changelog before processing — with
 *   at-least-once as an option; `packOutputs` writes a batch's outputs of a stream as few
 *   newline-delimited records ({@linkcode unpackOutputs} reads them). {@linkcode EmbeddedSource} (`embedded_source.ts`) needs no broker:
 *   generated transactions with real per-partition offsets, committed to a checkpoint store.
 * - **Queries** (`stream_query.ts`): {@linkcode readStream} builds a job as a `Dataset` is built
 *   (`.withWatermark().window().groupBy().agg().score(model).anomalies().trends().writeTo(sink)
 *   .start()`) and returns a {@linkcode StreamQuery} with metrics and `stop()`;
 *   {@linkcode keyedAlerts} scores with a saved model, velocity features computed online.
 * - **Metrics** (`stream_metrics.ts`): {@linkcode MetricsCollector} — input and processing rate,
 *   p50 / p99 event→output latency, watermark lag, state size, counts and their reconciliation.
 *
 * @example Sliding sums per key on virtual time
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordDecoder, runKeyedWindows, sliding } from "@frontier/frontier/streaming";
 * const events = [
 *   { id: "t1", account: "a", ts: 5, amount: 10 },
 *   { id: "t1", account: "a", ts: 5, amount: 10 }, // a duplicate
 *   { id: "t2", account: "a", ts: 12, amount: 5 },
 * ];
 * const { outputs, counts } = runKeyedWindows({
 *   window: sliding(10, 5),
 *   allowedLatenessMs: 0,
 *   decode: recordDecoder({
 *     idField: "id",
 *     keyField: "account",
 *     timeField: "ts",
 *     value: (r) => typeof r.amount === "number" ? { ok: true, value: r.amount } : { ok: false, reason: "amount" },
 *   }),
 *   aggregate: { init: () => 0, add: (s: number, v: number) => s + v, merge: (a: number, b: number) => a + b },
 * }, [
 *   ...events.map((payload, i) => ({ time: i, value: { type: "record" as const, partition: 0, payload } })),
 *   { time: 9, value: { type: "end" as const } },
 * ]);
 * assert.deepEqual(outputs.filter((o) => o.value.type === "pane").map((o) => o.value), [
 *   { type: "pane", key: "a", window: { start: 0, end: 10 }, result: 10, events: 1 },
 *   { type: "pane", key: "a", window: { start: 5, end: 15 }, result: 15, events: 2 },
 *   { type: "pane", key: "a", window: { start: 10, end: 20 }, result: 5, events: 1 },
 * ]);
 * assert.deepEqual(counts, { consumed: 3, aggregated: 2, late: 0, duplicates: 1, quarantined: 0 });
 * ```
 *
 * @module
 */
export {
  type EventDecoder,
  parseEventTime,
  recordDecoder,
  type RecordDecoderOptions,
  type Result,
  type StreamEvent,
  type Timed,
} from "./event_time.ts";
export {
  advance,
  assignPartitions,
  candidateWatermark,
  endOfInput,
  initialWatermarks,
  isIdle,
  observeRecord,
  type PartitionProgress,
  partitionWatermark,
  validateWatermarkOptions,
  type WatermarkOptions,
  type WatermarkState,
} from "./watermark.ts";
export {
  assignWindows,
  compareWindows,
  overlaps,
  session,
  type SessionWindows,
  sliding,
  type SlidingWindows,
  tumbling,
  type TumblingWindows,
  validateWindowSpec,
  type Window,
  type WindowSpec,
} from "./window.ts";
export {
  type Aggregator,
  KeyedWindows,
  type KeyedWindowsOptions,
  type KeyWindowState,
  type WindowCounts,
  type WindowInput,
  type WindowOutput,
  type WindowProgress,
} from "./keyed_windows.ts";
export { lateByWindowAndKey, runKeyedWindows } from "./window_runs.ts";
export { IdHorizon } from "./dedup.ts";
export {
  decodeState,
  encodeState,
  type OnlineOperator,
  restoreState,
  runOperator,
  type Step,
} from "./operators/operator.ts";
export {
  type FeatureInput,
  type FeatureOutput,
  type FeatureState,
  onlineFeatures,
  type OnlineFeaturesOptions,
} from "./operators/online_features.ts";
export {
  type FeatureDefinition,
  type OnlineWindowFn,
  type OnlineWindowPlan,
  planOnlineWindows,
} from "./operators/window_plan.ts";
export { type BufferedRow, type FnState } from "./operators/window_fn_state.ts";
export { type SumState } from "./operators/sum_state.ts";
export {
  type Attribution,
  type Contribution,
  linearAttribution,
  topContributions,
  treeAttribution,
} from "./operators/contributions.ts";
export { type LoadScorerOptions, Scorer, type ScoreResult } from "./operators/scorer.ts";
export {
  type ScoringInput,
  scoringOperator,
  type ScoringOptions,
  type ScoringOutput,
  type ScoringState,
} from "./operators/scoring.ts";
export { emptyWelford, type Welford, welfordStd, welfordUpdate } from "./operators/welford.ts";
export {
  type AccountBaseline,
  type AnomalyColumns,
  type AnomalyInput,
  anomalyOperator,
  type AnomalyOptions,
  type AnomalyOutput,
  type AnomalyRule,
  type AnomalyState,
} from "./operators/anomalies.ts";
export { leastSquaresSlope, type MeanShift, meanShift } from "./operators/trend_stats.ts";
export {
  type CategorySeries,
  type TrendInput,
  type TrendMetric,
  trendOperator,
  type TrendOptions,
  type TrendOutput,
  type TrendState,
} from "./operators/trends.ts";
export { computeFeatures, type KeyFnStates, rowProblem } from "./operators/feature_compute.ts";
export {
  type AnomalyEvent,
  anomalyEvent,
  type AnomalySettings,
  anomalySettings,
  emptyAccountBaseline,
  judgeAccount,
  judgeSegment,
} from "./operators/anomalies.ts";
export {
  addTrendEvent,
  closePanes,
  emptySeries,
  lastOpenPaneEnd,
  type TrendSettings,
  trendSettings,
} from "./operators/trends.ts";
export {
  type EventColumns,
  eventRow,
  keyedAccountAnomalies,
  type KeyedContext,
  keyedFeatures,
  type KeyedFeatureState,
  type KeyedOperator,
  type KeyedOutput,
  keyedScoring,
  keyedSegmentAnomalies,
  type KeyedStep,
  keyedTrends,
} from "./operators/keyed_operators.ts";
export {
  OPERATOR_NAME,
  type OperatorContext,
  type OperatorOutput,
  type OperatorStep,
  type StreamOperator,
} from "./operator.ts";
export {
  AMOUNT_STATS,
  type AmountStats,
  TRANSACTION_KEYS,
  transactionDecoder,
  type TransactionValue,
} from "./transactions.ts";
export {
  type BatchResult,
  type ChangelogEntry,
  type Json,
  PartitionProcessor,
  type ProcessorOptions,
  type SourceRecord,
  type StreamOutput,
} from "./partition_processor.ts";
export {
  type CommitReport,
  type PartitionLease,
  runStream,
  type SourceHandler,
  type StreamSource,
} from "./source.ts";
export {
  type CheckpointStore,
  type CommittedOutput,
  EmbeddedSource,
  type EmbeddedSourceOptions,
  GeneratedLog,
  type GeneratedLogOptions,
  MemoryCheckpointStore,
  partitionOfKey,
} from "./embedded_source.ts";
export type { Clock, TimerId } from "../actors/clock.ts";
export {
  changelogTopic,
  type Guarantee,
  KafkaSource,
  type KafkaSourceOptions,
  outputTopic,
} from "./kafka_source.ts";
export { restoreChangelog, type RestoredPartition, RestoreError } from "./kafka_changelog.ts";
export {
  isPacked,
  PACKED_FORMAT,
  type PackedOutput,
  PackedRecordError,
  unpackOutputs,
} from "./kafka_pack.ts";
export { DirectoryCheckpointStore } from "./directory_store.ts";
export { parseDuration, parseWindowSpec } from "./stream_spec.ts";
export { type LatencySummary, MetricsCollector, RECENT_MS, type StreamMetrics } from "./stream_metrics.ts";
export {
  type AlertState,
  keyedAlerts,
  type KeyedAlertsOptions,
  readsVelocityFeatures,
} from "./operators/keyed_alerts.ts";
export {
  type EmbeddedStreamOptions,
  type KafkaStreamOptions,
  readStream,
  type StartStreamOptions,
  type StreamModel,
  type StreamQuery,
  StreamReader,
  type StreamSink,
} from "./stream_query.ts";
