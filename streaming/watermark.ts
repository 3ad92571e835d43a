/**
 * Event-time watermarks, as pure functions of the records seen and the processing time.
 *
 * A watermark `W` asserts that every event with time `< W` has arrived; an event with time
 * `>= W` (one exactly at the watermark included) is still on time.
 *
 * - **Per partition**: `W_p = max event time seen on p − allowedLateness` (−∞ before its first
 *   event). Events may arrive up to `allowedLateness` behind the newest one of their partition.
 * - **Per operator**: the minimum of `W_p` over the partitions it reads, never decreasing: a
 *   partition that has not caught up holds the whole operator back.
 * - **Idle partitions**: a partition from which no record (well-formed or not) has arrived for
 *   `idleTimeoutMs` of processing time stops holding the watermark back; it rejoins with its
 *   next record. Events it then delivers behind the watermark are late. When every partition is
 *   idle the watermark moves to the greatest `W_p`, so the last windows of a quiet stream fire.
 *   Processing time is whatever the caller passes as `now` (the `time` of the records' `Timed`
 *   envelope, stamped from an injected `Clock`); a partition's idle clock starts when it is
 *   assigned.
 *
 * The state is a small immutable value, safe to snapshot into a checkpoint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initialWatermarks, observeRecord } from "@frontier/frontier/streaming";
 * const options = { allowedLatenessMs: 10 };
 * let s = initialWatermarks([0, 1], 0);
 * s = observeRecord(s, { partition: 0, eventTime: 100, now: 1 }, options);
 * assert.equal(s.watermark, -Infinity); // partition 1 has seen nothing yet
 * s = observeRecord(s, { partition: 1, eventTime: 50, now: 2 }, options);
 * assert.equal(s.watermark, 40); // min(100 - 10, 50 - 10)
 * ```
 *
 * @module
 */

/** What the watermark needs to know about one partition. */
export interface PartitionProgress {
  /** Greatest event time seen (−∞ before the first event). */
  readonly maxEventTime: number;
  /** Processing time of the last record, or of the assignment before any record. */
  readonly lastActivity: number;
}

/** Watermark settings. */
export interface WatermarkOptions {
  /** How far (ms) behind its partition's newest event an event may arrive and still be on time. */
  readonly allowedLatenessMs: number;
  /** Processing time (ms) without records after which a partition stops holding the watermark back. @default {Infinity} */
  readonly idleTimeoutMs?: number;
}

/** Per-partition progress and the operator watermark. */
export interface WatermarkState {
  /** Progress of each partition read. */
  readonly partitions: ReadonlyMap<number, PartitionProgress>;
  /** The operator watermark; never decreases. */
  readonly watermark: number;
}

/** Checks watermark settings once, at the boundary. */
export function validateWatermarkOptions(options: WatermarkOptions): void {
  const { allowedLatenessMs, idleTimeoutMs } = options;
  if (!(allowedLatenessMs >= 0 && Number.isFinite(allowedLatenessMs))) {
    throw new RangeError(`allowedLatenessMs must be a finite number >= 0, got ${allowedLatenessMs}`);
  }
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs > 0)) {
    throw new RangeError(`idleTimeoutMs must be > 0 (Infinity to never idle), got ${idleTimeoutMs}`);
  }
}

/** No events yet on `partitions`, assigned at processing time `now`. */
export function initialWatermarks(partitions: readonly number[], now: number): WatermarkState {
  return assignPartitions({ partitions: new Map(), watermark: -Infinity }, partitions, now);
}

/**
 * The partitions read from now on: new ones start with no events (their idle clock at `now`),
 * kept ones keep their progress, others are dropped. The watermark never decreases.
 */
export function assignPartitions(
  state: WatermarkState,
  partitions: readonly number[],
  now: number,
): WatermarkState {
  const next = new Map<number, PartitionProgress>();
  for (const p of partitions) {
    if (!Number.isSafeInteger(p) || p < 0) {
      throw new RangeError(`partition must be an integer >= 0, got ${p}`);
    }
    next.set(p, state.partitions.get(p) ?? { maxEventTime: -Infinity, lastActivity: now });
  }
  return { partitions: next, watermark: state.watermark };
}

/** The watermark partition `progress` alone allows. */
export function partitionWatermark(progress: PartitionProgress, options: WatermarkOptions): number {
  return progress.maxEventTime - options.allowedLatenessMs;
}

/** Whether `progress` is idle at processing time `now`. */
export function isIdle(progress: PartitionProgress, now: number, options: WatermarkOptions): boolean {
  return now - progress.lastActivity >= (options.idleTimeoutMs ?? Infinity);
}

/**
 * The operator watermark at processing time `now` before the never-decrease rule: the minimum
 * over active partitions, or the maximum over all of them when every one is idle (−∞ with none).
 */
export function candidateWatermark(state: WatermarkState, now: number, options: WatermarkOptions): number {
  let activeMin = Infinity;
  let anyActive = false;
  let idleMax = -Infinity;
  for (const progress of state.partitions.values()) {
    const w = partitionWatermark(progress, options);
    if (isIdle(progress, now, options)) {
      idleMax = Math.max(idleMax, w);
    } else {
      anyActive = true;
      activeMin = Math.min(activeMin, w);
    }
  }
  return anyActive ? activeMin : idleMax;
}

/**
 * A record arrived on `partition` at processing time `now`: it counts as activity, and its event
 * time (absent for a malformed record) may raise the partition's maximum. Unknown partitions are
 * assigned on their first record.
 */
export function observeRecord(
  state: WatermarkState,
  record: { readonly partition: number; readonly eventTime?: number | undefined; readonly now: number },
  options: WatermarkOptions,
): WatermarkState {
  const { partition, eventTime, now } = record;
  const known = state.partitions.has(partition)
    ? state
    : assignPartitions(state, [...state.partitions.keys(), partition], now);
  const before = known.partitions.get(partition)!;
  const partitions = new Map(known.partitions);
  partitions.set(partition, {
    maxEventTime: eventTime === undefined ? before.maxEventTime : Math.max(before.maxEventTime, eventTime),
    lastActivity: Math.max(before.lastActivity, now),
  });
  return advance({ partitions, watermark: known.watermark }, now, options);
}

/** Recomputes the watermark at processing time `now` (partitions may have gone idle). */
export function advance(state: WatermarkState, now: number, options: WatermarkOptions): WatermarkState {
  const watermark = Math.max(state.watermark, candidateWatermark(state, now, options));
  return watermark === state.watermark ? state : { partitions: state.partitions, watermark };
}

/** The end of a bounded input: every event has arrived, so the watermark is +∞. */
export function endOfInput(state: WatermarkState): WatermarkState {
  return { partitions: state.partitions, watermark: Infinity };
}
