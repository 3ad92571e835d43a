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
 *
 * A real broker for development and tests: `deno task kafka:start` / `kafka:stop`
 * (`scripts/setup/kafka.ts`). The event source to test against is `Frontier.transactions` (from
 * `@frontier/frontier`), whose disorder options (out-of-order, late, duplicates, malformed) match
 * what the operators here account for.
 *
 * Planned here: windows, sources (Kafka and embedded), a state store with checkpoints, and sinks.
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
