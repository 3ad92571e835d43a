/**
 * Metrics of a running stream, from what the runtime reports after each commit:
 *
 * - **input rate**: records consumed per second of wall time, overall and over the last
 *   {@linkcode RECENT_MS} ms; **processing rate**: records per second of processing + commit time
 *   (the rate the stream could sustain if the source never waited);
 * - **event→output latency**, p50 / p99 / max: per record, from the moment it entered the source
 *   (its {@linkcode SourceRecord.timestamp} — Kafka's message timestamp — or, without one, the
 *   moment the source handed it over) to the end of the commit that made its outputs visible;
 *   kept in a log histogram of 5 % wide buckets (a quantile is its bucket's upper bound, capped by
 *   the largest value seen);
 * - **watermarks**: per partition, their minimum (the operator watermark) and the **watermark
 *   lag**: how far, in event time, the operator watermark trails the newest event seen (allowed
 *   lateness plus the skew between partitions);
 * - **state size**: open panes and remembered event ids;
 * - **counts** and their **reconciliation**: consumed = aggregated + late + duplicates +
 *   quarantined, checked on every snapshot;
 * - outputs per stream, and the last few outputs of each (bounded) for a live view.
 *
 * Everything is bounded: the histogram has a fixed number of buckets, the recent outputs a fixed
 * length per stream.
 *
 * @module
 */
import type { CommitReport } from "./source.ts";
import type { Json, StreamOutput } from "./partition_processor.ts";

/** The window of the recent input rate, ms. */
export const RECENT_MS = 5_000;
const RATIO = 1.05;
const BUCKETS = 600;
const LOG_RATIO = Math.log(RATIO);

/** Quantiles of a latency histogram (ms). */
export interface LatencySummary {
  /** Median. */
  readonly p50: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Largest value. */
  readonly max: number;
  /** Records measured. */
  readonly samples: number;
}

/** One snapshot of a stream's metrics (plain JSON). */
export interface StreamMetrics {
  /** `running`, `finished` (input ended or stopped), or `failed`. */
  readonly status: "running" | "finished" | "failed";
  /** Why it failed. */
  readonly error?: string;
  /** Wall-clock time of the snapshot, ms since the epoch. */
  readonly updatedAt: number;
  /** Wall-clock time of the start, ms since the epoch. */
  readonly startedAt: number;
  /** Seconds since the start. */
  readonly seconds: number;
  /** Records consumed. */
  readonly consumed: number;
  /** Accepted into windows. */
  readonly aggregated: number;
  /** Behind the watermark (to the `late` output). */
  readonly late: number;
  /** Dropped as duplicates. */
  readonly duplicates: number;
  /** Malformed (to the `dead_letter` output). */
  readonly quarantined: number;
  /** consumed = aggregated + late + duplicates + quarantined. */
  readonly reconciled: boolean;
  /** Records per second: overall, and over the last {@linkcode RECENT_MS} ms. */
  readonly inputRate: { readonly overall: number; readonly recent: number };
  /** Records per second of processing + commit time. */
  readonly processingRate: number;
  /** Event→output latency, ms. */
  readonly latencyMs: LatencySummary;
  /** Processing + commit time per batch, ms. */
  readonly batchMs: LatencySummary;
  /** Batches committed. */
  readonly batches: number;
  /** The operator watermark (min over partitions; null before every partition has one). */
  readonly watermark: number | null;
  /** Newest event time seen − operator watermark, ms (null before any). */
  readonly watermarkLagMs: number | null;
  /** Per partition: its next offset and watermark. */
  readonly partitions: readonly {
    readonly partition: number;
    readonly nextOffset: number;
    readonly watermark: number | null;
  }[];
  /** Open panes and remembered ids over all partitions. */
  readonly stateSize: { readonly openPanes: number; readonly rememberedIds: number };
  /** Outputs committed per stream. */
  readonly outputs: Readonly<Record<string, number>>;
}

/** A log histogram of non-negative values. */
class LogHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #n = 0;
  #max = 0;

  add(value: number, count = 1): void {
    const v = Math.max(0, value);
    const i = v <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(v) / LOG_RATIO));
    this.#counts[i]! += count;
    this.#n += count;
    if (v > this.#max) this.#max = v;
  }

  summary(): LatencySummary {
    return { p50: this.#quantile(0.5), p99: this.#quantile(0.99), max: this.#max, samples: this.#n };
  }

  #quantile(q: number): number {
    if (this.#n === 0) return 0;
    const rank = Math.ceil(q * this.#n);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.#max, i === 0 ? 1 : RATIO ** i);
    }
    return this.#max;
  }
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Collects a stream's metrics (see the module documentation). */
export class MetricsCollector {
  readonly #startedAt: number;
  readonly #startedMono: number;
  readonly #allowedLatenessMs: number;
  readonly #recentLimit: number;
  readonly #reports = new Map<number, CommitReport>();
  readonly #latency = new LogHistogram();
  readonly #batch = new LogHistogram();
  readonly #outputs: Record<string, number> = {};
  readonly #recent = new Map<string, Json[]>();
  readonly #rateMarks: { at: number; consumed: number }[] = [];
  #busyMs = 0;
  #batches = 0;
  #status: StreamMetrics["status"] = "running";
  #error: string | undefined;

  /**
   * A collector started at `startedAt` (wall clock) / `startedMono` (monotonic clock), keeping the
   * last `recent` outputs of each stream.
   */
  constructor(options: {
    readonly startedAt: number;
    readonly startedMono: number;
    readonly allowedLatenessMs: number;
    readonly recent?: number;
  }) {
    const recent = options.recent ?? 20;
    if (!(Number.isSafeInteger(recent) && recent >= 0)) {
      throw new RangeError(`recent must be an integer >= 0, got ${recent}`);
    }
    this.#startedAt = options.startedAt;
    this.#startedMono = options.startedMono;
    this.#allowedLatenessMs = options.allowedLatenessMs;
    this.#recentLimit = recent;
  }

  /** A batch of `records` was committed at `committedAt` (wall clock) with `outputs`. */
  committed(
    records: readonly { readonly timestamp?: number }[],
    handedAt: number,
    committedAt: number,
    outputs: readonly StreamOutput[],
  ): void {
    for (const r of records) this.#latency.add(committedAt - (r.timestamp ?? handedAt));
    for (const o of outputs) {
      this.#outputs[o.stream] = (this.#outputs[o.stream] ?? 0) + 1;
      if (this.#recentLimit === 0) continue;
      let list = this.#recent.get(o.stream);
      if (!list) this.#recent.set(o.stream, list = []);
      list.push(o.value);
      if (list.length > this.#recentLimit) list.shift();
    }
  }

  /** The runtime's report of a commit, heard at `monotonic`. */
  report(report: CommitReport, monotonic: number): void {
    this.#reports.set(report.partition, report);
    this.#busyMs += report.batchMs;
    this.#batches++;
    this.#batch.add(report.batchMs);
    const last = this.#rateMarks.at(-1);
    if (last === undefined || monotonic - last.at >= 250) {
      this.#rateMarks.push({ at: monotonic, consumed: this.#counts().consumed });
      while (this.#rateMarks.length > 2 && monotonic - this.#rateMarks[1]!.at >= RECENT_MS) {
        this.#rateMarks.shift();
      }
    }
  }

  /** The run ended: normally, or with `error`. */
  end(error?: unknown): void {
    this.#status = error === undefined ? "finished" : "failed";
    if (error !== undefined) this.#error = error instanceof Error ? error.message : String(error);
  }

  /** The last outputs of `stream` (oldest first). */
  recent(stream: string): readonly Json[] {
    return [...this.#recent.get(stream) ?? []];
  }

  #counts() {
    const counts = { consumed: 0, aggregated: 0, late: 0, duplicates: 0, quarantined: 0 };
    for (const r of this.#reports.values()) {
      for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += r.counts[k];
    }
    return counts;
  }

  /** A snapshot at wall-clock `now` / monotonic `monotonic`. */
  snapshot(now: number, monotonic: number): StreamMetrics {
    const counts = this.#counts();
    const seconds = Math.max(0, monotonic - this.#startedMono) / 1000;
    const reports = [...this.#reports.values()].sort((a, b) => a.partition - b.partition);
    const marks = [...this.#rateMarks, { at: monotonic, consumed: counts.consumed }];
    const from = marks.find((m) => monotonic - m.at <= RECENT_MS) ?? marks[0]!;
    const recentSeconds = (monotonic - from.at) / 1000;
    const watermarks = reports.map((r) => r.watermark);
    const min = watermarks.length === 0 ? -Infinity : Math.min(...watermarks);
    const max = watermarks.length === 0 ? -Infinity : Math.max(...watermarks);
    const lag = Number.isFinite(min) ? max + this.#allowedLatenessMs - min : NaN;
    return {
      status: this.#status,
      ...(this.#error === undefined ? {} : { error: this.#error }),
      updatedAt: now,
      startedAt: this.#startedAt,
      seconds,
      ...counts,
      reconciled:
        counts.consumed === counts.aggregated + counts.late + counts.duplicates + counts.quarantined,
      inputRate: {
        overall: seconds > 0 ? counts.consumed / seconds : 0,
        recent: recentSeconds > 0 ? (counts.consumed - from.consumed) / recentSeconds : 0,
      },
      processingRate: this.#busyMs > 0 ? counts.consumed / (this.#busyMs / 1000) : 0,
      latencyMs: this.#latency.summary(),
      batchMs: this.#batch.summary(),
      batches: this.#batches,
      watermark: finiteOrNull(min),
      watermarkLagMs: finiteOrNull(lag),
      partitions: reports.map((r) => ({
        partition: r.partition,
        nextOffset: r.nextOffset,
        watermark: finiteOrNull(r.watermark),
      })),
      stateSize: {
        openPanes: reports.reduce((n, r) => n + r.openPanes, 0),
        rememberedIds: reports.reduce((n, r) => n + r.rememberedIds, 0),
      },
      outputs: { ...this.#outputs },
    };
  }
}
