/**
 * `readStream`: the streaming runtime as a builder, shaped like the batch `Dataset` and Spark's
 * Structured Streaming where it makes sense:
 *
 * ```ts ignore
 * const query = await readStream.embedded({ seed: 7, totalRows: 50_000, partitions: 4 })
 *   .withWatermark("30s")            // allowed lateness behind the newest event of a partition
 *   .window("tumbling:1m")           // or sliding:5m/1m, session:30s, or a WindowSpec
 *   .groupBy("account")              // account, merchant, category or country
 *   .agg(AMOUNT_STATS)               // the window aggregate (the default)
 *   .score("out/model/models/lr")    // a model directory, loaded once per process, or a Scorer
 *   .anomalies().trends()
 *   .writeTo("out/stream")           // a directory (embedded), or { topicPrefix } (Kafka)
 *   .start();
 * query.metrics();                   // input/processing rate, latency, watermark lag, counts…
 * await query.stop();                // or await query.done (a finite input ends by itself)
 * ```
 *
 * Each method returns a new reader (a reader is immutable), so a base reader can be shared.
 * Output streams: `windows`, `late`, `dead_letter`, and `alerts` (scoring), `account_anomalies` +
 * `segment_anomalies` (anomalies), `trends` (trends) — in a directory `DIR/<stream>/…`, on Kafka
 * the topics `<prefix>.<stream>`.
 *
 * Keys: windows are per `groupBy` key; scoring and the account rules keep their state per account,
 * the segment rule per (category, country), trends per category — all within an input partition
 * (a producer that partitions by account, as `frontier stream produce` and the embedded source do,
 * keeps each account whole; a category's trend is then per partition).
 *
 * @module
 */
import { type Clock, systemClock } from "../actors/clock.ts";
import { DirectoryCheckpointStore } from "./directory_store.ts";
import {
  type CheckpointStore,
  EmbeddedSource,
  GeneratedLog,
  type GeneratedLogOptions,
} from "./embedded_source.ts";
import type { StreamEvent } from "./event_time.ts";
import type { Aggregator } from "./keyed_windows.ts";
import { type Guarantee, KafkaSource } from "./kafka_source.ts";
import type { StreamOperator } from "./operator.ts";
import { keyedAlerts } from "./operators/keyed_alerts.ts";
import { keyedAccountAnomalies, keyedSegmentAnomalies, keyedTrends } from "./operators/keyed_operators.ts";
import type { AnomalyOptions } from "./operators/anomalies.ts";
import { Scorer } from "./operators/scorer.ts";
import type { ScoringOptions } from "./operators/scoring.ts";
import type { TrendOptions } from "./operators/trends.ts";
import { type CommitReport, type PartitionLease, runStream, type StreamSource } from "./source.ts";
import { MetricsCollector, type StreamMetrics } from "./stream_metrics.ts";
import { parseDuration, parseWindowSpec } from "./stream_spec.ts";
import type { Json, SourceRecord } from "./partition_processor.ts";
import { AMOUNT_STATS, transactionDecoder, type TransactionValue } from "./transactions.ts";
import { validateWindowSpec, type WindowSpec } from "./window.ts";

/** Settings of {@linkcode readStream.embedded}: the generated log's, and the source's pace. */
export type EmbeddedStreamOptions = GeneratedLogOptions & {
  /** Records per batch (per commit). @default {500} */
  readonly batchSize?: number;
  /** Target events per second over all partitions; unlimited when absent. */
  readonly ratePerSecond?: number;
};

/** Settings of {@linkcode readStream.kafka}. */
export interface KafkaStreamOptions {
  /** `host:port` of the bootstrap brokers. */
  readonly brokers: readonly string[];
  /** The input topic. */
  readonly topic: string;
  /** The consumer group. @default {`frontier-<output prefix>`} */
  readonly groupId?: string;
  /** Delivery guarantee. @default {"exactly-once"} */
  readonly guarantee?: Guarantee;
  /** Group session timeout, ms. @default {10000} */
  readonly sessionTimeoutMs?: number;
  /** Records per batch (per transaction) at most. @default {2000} */
  readonly maxBatchRecords?: number;
  /** Pack each batch's outputs of a stream into few records (see `kafka_pack.ts`). @default {false} */
  readonly packOutputs?: boolean;
}

/** Where a query's outputs go: a directory or checkpoint store (embedded), or Kafka topics. */
export type StreamSink = string | CheckpointStore | { readonly topicPrefix: string };

/** A model to score with: a model directory (loaded at start) or a loaded {@linkcode Scorer}. */
export type StreamModel = string | Scorer;

type Input =
  | { readonly kind: "embedded"; readonly options: EmbeddedStreamOptions }
  | { readonly kind: "kafka"; readonly options: KafkaStreamOptions };

interface Plan {
  readonly input: Input;
  readonly latenessMs: number;
  readonly window: WindowSpec;
  readonly key: string;
  // deno-lint-ignore no-explicit-any
  readonly aggregate: Aggregator<TransactionValue, any>;
  readonly scoring?: {
    readonly model: StreamModel;
    readonly options: ScoringOptions & { threshold?: number };
  };
  readonly anomalies?: AnomalyOptions;
  readonly trends?: TrendOptions;
  readonly operators: readonly StreamOperator<TransactionValue, unknown, unknown>[];
  readonly sink?: StreamSink;
}

/** Settings of {@linkcode StreamReader.start}. */
export interface StartStreamOptions {
  /** Time source. @default {systemClock} */
  readonly clock?: Clock;
  /** Stops the query when it aborts. */
  readonly signal?: AbortSignal;
  /** Hears every commit. */
  readonly onCommit?: (report: CommitReport) => void;
  /** Outputs of each stream kept for {@linkcode StreamQuery.recent}. @default {20} */
  readonly recent?: number;
}

/** A running query. */
export interface StreamQuery {
  /** The output streams. */
  readonly streams: readonly string[];
  /** The scorer's threshold and kind, when the query scores. */
  readonly model?: {
    readonly kind: string;
    readonly threshold: number;
    readonly features: readonly string[];
  };
  /** Resolves with the last metrics when the query ends (input over or stopped); rejects if it fails. */
  readonly done: Promise<StreamMetrics>;
  /** The metrics now. */
  metrics(): StreamMetrics;
  /** The last outputs of `stream`, oldest first. */
  recent(stream: string): readonly Json[];
  /** Stops reading, lets the batch in flight commit, and resolves with the last metrics. */
  stop(): Promise<StreamMetrics>;
}

const ACCOUNT = "account_id";

function field(event: StreamEvent<object>, name: string): string {
  const v = (event.value as Record<string, unknown>)[name];
  return typeof v === "string" && v !== "" ? v : `?${event.key}`;
}

/** A stream query being built (see the module documentation). Immutable. */
export class StreamReader {
  readonly #plan: Plan;

  /** @internal Use {@linkcode readStream}. */
  constructor(plan: Plan) {
    this.#plan = plan;
  }

  #with(change: Partial<Plan>): StreamReader {
    return new StreamReader({ ...this.#plan, ...change });
  }

  /** Allowed lateness: a partition's watermark is its newest event time minus this (`"30s"` or ms). */
  withWatermark(lateness: string | number): StreamReader {
    const ms = typeof lateness === "string" ? parseDuration(lateness, "lateness", true) : lateness;
    if (!(Number.isSafeInteger(ms) && ms >= 0)) {
      throw new RangeError(`lateness must be an integer number of ms >= 0, got ${lateness}`);
    }
    return this.#with({ latenessMs: ms });
  }

  /** Event-time windows: `"tumbling:1m"`, `"sliding:5m/1m"`, `"session:30s"` or a spec. */
  window(spec: string | WindowSpec): StreamReader {
    return this.#with({
      window: typeof spec === "string" ? parseWindowSpec(spec) : validateWindowSpec(spec),
    });
  }

  /** The windows' key: `account`, `merchant`, `category` or `country`. */
  groupBy(key: string): StreamReader {
    transactionDecoder(key); // validates it
    return this.#with({ key });
  }

  /** The window aggregate (accumulator plain JSON data). @default {AMOUNT_STATS} */
  agg<A>(aggregate: Aggregator<TransactionValue, A>): StreamReader {
    return this.#with({ aggregate });
  }

  /**
   * Scores every accepted event with a saved model (velocity features computed online when it
   * reads them) and writes the alerts — at or above its threshold (`options.threshold`, else the
   * model's chosen one) — with their top contributing features to `alerts`.
   */
  score(model: StreamModel, options: ScoringOptions & { readonly threshold?: number } = {}): StreamReader {
    if (typeof model === "string" && model === "") throw new RangeError("model must name a model directory");
    return this.#with({ scoring: { model, options } });
  }

  /** Statistical anomalies with their reasons: per account (`account_anomalies`) and per segment. */
  anomalies(options: AnomalyOptions = {}): StreamReader {
    return this.#with({ anomalies: options });
  }

  /** Volume and amount trends and change points per category (`trends`). */
  trends(options: TrendOptions = {}): StreamReader {
    return this.#with({ trends: options });
  }

  /** Adds an operator of your own (its outputs go to the stream named after it). */
  operator<S, O>(op: StreamOperator<TransactionValue, S, O>): StreamReader {
    return this.#with({
      operators: [...this.#plan.operators, op as StreamOperator<TransactionValue, unknown, unknown>],
    });
  }

  /** Where the outputs go (see {@linkcode StreamSink}). */
  writeTo(sink: StreamSink): StreamReader {
    return this.#with({ sink });
  }

  /** Loads the model (once), starts the query and resolves once it runs. */
  async start(options: StartStreamOptions = {}): Promise<StreamQuery> {
    const plan = this.#plan;
    const clock = options.clock ?? systemClock;
    if (plan.sink === undefined) throw new RangeError("writeTo(sink) is required before start()");
    const operators: StreamOperator<TransactionValue, unknown, unknown>[] = [];
    let model: StreamQuery["model"];
    if (plan.scoring) {
      const { model: m, options: o } = plan.scoring;
      const scorer = typeof m === "string"
        ? await Scorer.load(m, o.threshold === undefined ? {} : { threshold: o.threshold })
        : m;
      model = { kind: scorer.kind, threshold: scorer.threshold, features: scorer.featureNames };
      operators.push(keyedAlerts(scorer, o) as StreamOperator<TransactionValue, unknown, unknown>);
    }
    if (plan.anomalies) {
      operators.push({
        ...keyedAccountAnomalies(plan.anomalies),
        keyOf: (e) => field(e, ACCOUNT),
      } as StreamOperator<TransactionValue, unknown, unknown>);
      operators.push({
        ...keyedSegmentAnomalies(plan.anomalies),
        keyOf: (e) => `${field(e, "merchant_category")}|${field(e, "country")}`,
      } as StreamOperator<TransactionValue, unknown, unknown>);
    }
    if (plan.trends) {
      operators.push({
        ...keyedTrends(plan.trends),
        keyOf: (e) => field(e, "merchant_category"),
      } as StreamOperator<TransactionValue, unknown, unknown>);
    }
    operators.push(...plan.operators);
    const streams = ["windows", "late", "dead_letter", ...operators.map((o) => o.name)];
    const source = this.#source(plan, plan.sink, operators, clock);
    const collector = new MetricsCollector({
      startedAt: clock.now(),
      startedMono: clock.monotonic(),
      allowedLatenessMs: plan.latenessMs,
      ...(options.recent === undefined ? {} : { recent: options.recent }),
    });
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    const snapshot = () => collector.snapshot(clock.now(), clock.monotonic());
    const done = runStream({ source: instrument(source, clock, collector), clock }, {
      window: plan.window,
      allowedLatenessMs: plan.latenessMs,
      decode: transactionDecoder(plan.key),
      aggregate: plan.aggregate,
      operators,
      signal: controller.signal,
      onCommit: (r) => {
        collector.report(r, clock.monotonic());
        options.onCommit?.(r);
      },
    }).then(() => {
      collector.end();
      return snapshot();
    }, (e: unknown) => {
      collector.end(e);
      throw e;
    }).finally(() => options.signal?.removeEventListener("abort", onAbort));
    return {
      streams,
      ...(model === undefined ? {} : { model }),
      done,
      metrics: snapshot,
      recent: (stream) => collector.recent(stream),
      stop: () => {
        controller.abort();
        return done;
      },
    };
  }

  #source(
    plan: Plan,
    sink: StreamSink,
    operators: readonly StreamOperator<TransactionValue, unknown, unknown>[],
    clock: Clock,
  ): StreamSource {
    if (plan.input.kind === "embedded") {
      if (typeof sink === "object" && "topicPrefix" in sink) {
        throw new RangeError("an embedded stream writes to a directory or a CheckpointStore, not Kafka");
      }
      const { batchSize, ratePerSecond, ...log } = plan.input.options;
      return new EmbeddedSource(
        {
          log: new GeneratedLog(log),
          store: typeof sink === "string" ? new DirectoryCheckpointStore(sink) : sink,
          clock,
        },
        {
          ...(batchSize === undefined ? {} : { batchSize }),
          ...(ratePerSecond === undefined ? {} : { ratePerSecond }),
        },
      );
    }
    if (typeof sink !== "object" || !("topicPrefix" in sink)) {
      throw new RangeError("a Kafka stream commits its outputs with its offsets: writeTo({ topicPrefix })");
    }
    const o = plan.input.options;
    return new KafkaSource({ clock }, {
      brokers: o.brokers,
      topic: o.topic,
      groupId: o.groupId ?? `frontier-${sink.topicPrefix}`,
      outputPrefix: sink.topicPrefix,
      operatorStreams: operators.map((op) => op.name),
      ...(o.guarantee === undefined ? {} : { guarantee: o.guarantee }),
      ...(o.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: o.sessionTimeoutMs }),
      ...(o.maxBatchRecords === undefined ? {} : { maxBatchRecords: o.maxBatchRecords }),
      ...(o.packOutputs === undefined ? {} : { packOutputs: o.packOutputs }),
    });
  }
}

/**
 * `source` with every committed batch measured: per record, the time from entering the source
 * (its timestamp, else the hand-over) to the end of its commit, and the outputs committed.
 */
function instrument(source: StreamSource, clock: Clock, collector: MetricsCollector): StreamSource {
  const inFlight = new Map<number, { records: readonly SourceRecord[]; handedAt: number }>();
  return {
    run: (handler, options) =>
      source.run({
        assigned: (lease) => {
          const wrapped: PartitionLease = {
            partition: lease.partition,
            committedOffset: lease.committedOffset,
            changelog: (o) => lease.changelog(o),
            commit: async (result, o) => {
              await lease.commit(result, o);
              const batch = inFlight.get(lease.partition);
              collector.committed(
                batch?.records ?? [],
                batch?.handedAt ?? clock.now(),
                clock.now(),
                result.outputs,
              );
            },
          };
          return handler.assigned(wrapped);
        },
        revoked: (partition) => handler.revoked(partition),
        records: async (partition, records) => {
          inFlight.set(partition, { records, handedAt: clock.now() });
          try {
            await handler.records(partition, records);
          } finally {
            inFlight.delete(partition);
          }
        },
      }, options),
  };
}

/** The defaults of a reader: lateness 30 s, tumbling 1-minute windows by account, amount stats. */
function reader(input: Input): StreamReader {
  return new StreamReader({
    input,
    latenessMs: 30_000,
    window: { kind: "tumbling", sizeMs: 60_000 },
    key: "account",
    aggregate: AMOUNT_STATS,
    operators: [],
  });
}

/**
 * Entry points of a stream query: generated transactions with no broker, or a Kafka topic (a
 * consumer-group member; exactly-once by default).
 */
export const readStream: {
  /** Generated card transactions (disorder knobs included), real per-partition offsets. */
  embedded(options: EmbeddedStreamOptions): StreamReader;
  /** A Kafka topic of transaction records (as `frontier stream produce` writes them). */
  kafka(options: KafkaStreamOptions): StreamReader;
} = {
  embedded: (options) => {
    if (!(Number.isSafeInteger(options.totalRows) && options.totalRows >= 0)) {
      throw new RangeError(`totalRows must be an integer >= 0, got ${options.totalRows}`);
    }
    return reader({ kind: "embedded", options });
  },
  kafka: (options) => {
    if (options.brokers.length === 0) throw new RangeError("brokers must name at least one host:port");
    if (options.topic === "") throw new RangeError("topic must be a topic name");
    return reader({ kind: "kafka", options });
  },
};
