/**
 * The Frontier side of the streaming benchmark, run as its own process: one consumer-group member
 * (`KafkaSource` + `runStream`, the runtime `frontier stream run` uses) over a topic of generated
 * transactions, with the CLI's default windows (tumbling 1 min, lateness 30 s, keyed by account,
 * count/sum/min/max of amounts). It measures what the CLI does not: the **event→output latency**
 * of every record, from its Kafka timestamp (set by the producer when it sent the record) to the
 * end of the commit that made its outputs visible.
 *
 * ```sh
 * deno run -A scripts/bench/stream/frontier_worker.ts --bootstrap 127.0.0.1:9092 --topic T \
 *   --prefix P --guarantee exactly-once --expect 500000 [--group G] [--session-timeout-ms 6000]
 *   [--max-batch-records N] [--pack-outputs] [--warmup-ms 5000] [--cpu-profile out/worker.cpuprofile]
 * ```
 *
 * `--warmup-ms N` leaves the records stamped within N ms of the first one out of the latency
 * figures (a fresh process runs its first seconds on cold code) and reports them apart (`warmup`).
 *
 * `--cpu-profile PATH` writes a V8 CPU profile of the run (open it in Chrome DevTools).
 *
 * Stops once `--expect` records are committed by this member (or on SIGTERM), then prints one JSON
 * line: records, CPU µs per record, first-record→last-commit seconds, events/s, latency
 * p50/p99/max (ms), the part of it before a record's batch started (`waitMs`: fetching and
 * queueing) p50/p99, and records per batch and ms per batch (process + commit) p50/p99. Prints
 * `commit <partition> <nextOffset>` after every commit when `--progress` is given.
 *
 * @module
 */
import { Session } from "node:inspector";
import process from "node:process";
import { parseArgs } from "node:util";
import { systemClock } from "../../../actors/clock.ts";
import { type Guarantee, KafkaSource } from "../../../streaming/kafka_source.ts";
import { runStream, type SourceHandler, type StreamSource } from "../../../streaming/source.ts";
import { AMOUNT_STATS, transactionDecoder } from "../../../streaming/transactions.ts";
import { quantile } from "./stream_figures.ts";

/** The CLI's default windows: what both engines compute in the benchmark. */
export const BENCH_WINDOW = { kind: "tumbling", sizeMs: 60_000 } as const;
/** The allowed lateness of the benchmark (the CLI's default). */
export const BENCH_LATENESS_MS = 30_000;

/** A source that times every record from its Kafka timestamp to the end of its batch's commit. */
class TimedSource implements StreamSource {
  readonly latencies: number[] = [];
  /** Latencies of the records stamped within `warmupMs` of the first record (a cold process). */
  readonly warmupLatencies: number[] = [];
  firstStamp: number | undefined;
  /** Per record: from its Kafka timestamp to the start of its batch (fetching and queueing). */
  readonly waits: number[] = [];
  /** Records of every batch, and its processing + commit time (ms). */
  readonly batchRecords: number[] = [];
  readonly batchMs: number[] = [];
  firstRecordAt: number | undefined;
  lastCommitAt: number | undefined;
  records = 0;
  constructor(readonly inner: StreamSource, readonly onBatch: () => void, readonly warmupMs = 0) {}

  run(handler: SourceHandler, options: { signal: AbortSignal }): Promise<void> {
    return this.inner.run({
      assigned: (lease) => handler.assigned(lease),
      revoked: (p) => handler.revoked(p),
      records: async (partition, records) => {
        const start = systemClock.now();
        this.firstRecordAt ??= start;
        await handler.records(partition, records);
        const now = systemClock.now();
        this.batchRecords.push(records.length);
        this.batchMs.push(now - start);
        this.lastCommitAt = now;
        for (const r of records) {
          if (r.timestamp === undefined) continue;
          this.firstStamp ??= r.timestamp;
          if (r.timestamp < this.firstStamp + this.warmupMs) {
            this.warmupLatencies.push(now - r.timestamp);
            continue;
          }
          this.latencies.push(now - r.timestamp);
          this.waits.push(start - r.timestamp);
        }
        this.records += records.length;
        this.onBatch();
      },
    }, options);
  }
}

/** Starts V8's sampling profiler in this isolate; `stop` returns the profile (`.cpuprofile` JSON). */
async function startProfiler(): Promise<{ stop: () => Promise<unknown> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      session.post(method, {}, (e, r) => e ? reject(e) : resolve(r as Record<string, unknown>))
    );
  await post("Profiler.enable");
  await post("Profiler.start");
  return {
    stop: async () => {
      const { profile } = await post("Profiler.stop");
      session.disconnect();
      return profile;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      bootstrap: { type: "string" },
      topic: { type: "string" },
      prefix: { type: "string" },
      group: { type: "string" },
      guarantee: { type: "string", default: "exactly-once" },
      expect: { type: "string" },
      "session-timeout-ms": { type: "string", default: "6000" },
      "max-batch-records": { type: "string" },
      "warmup-ms": { type: "string", default: "0" },
      "pack-outputs": { type: "boolean", default: false },
      "cpu-profile": { type: "string" },
      progress: { type: "boolean", default: false },
      json: { type: "boolean", default: true },
    },
  });
  const need = (name: string, v: string | undefined): string => {
    if (v === undefined) throw new Error(`--${name} is required`);
    return v;
  };
  const guarantee = values.guarantee as Guarantee;
  if (guarantee !== "exactly-once" && guarantee !== "at-least-once") {
    throw new Error(`--guarantee must be exactly-once or at-least-once, got ${values.guarantee}`);
  }
  const expect = Number(need("expect", values.expect));
  if (!Number.isSafeInteger(expect) || expect < 1) {
    throw new RangeError(`--expect must be >= 1, got ${expect}`);
  }
  const prefix = need("prefix", values.prefix);
  const controller = new AbortController();
  Deno.addSignalListener("SIGTERM", () => controller.abort());
  const kafka = new KafkaSource({ clock: systemClock }, {
    brokers: [need("bootstrap", values.bootstrap)],
    topic: need("topic", values.topic),
    groupId: values.group ?? `bench-${prefix}`,
    outputPrefix: prefix,
    guarantee,
    sessionTimeoutMs: Number(values["session-timeout-ms"]),
    packOutputs: values["pack-outputs"],
    ...(values["max-batch-records"] === undefined
      ? {}
      : { maxBatchRecords: Number(values["max-batch-records"]) }),
  });
  const encoder = new TextEncoder();
  const warmupMs = Number(values["warmup-ms"]);
  if (!Number.isSafeInteger(warmupMs) || warmupMs < 0) {
    throw new RangeError(`--warmup-ms must be an integer >= 0, got ${values["warmup-ms"]}`);
  }
  const source = new TimedSource(kafka, () => {
    if (source.records >= expect) controller.abort();
  }, warmupMs);
  const decode = transactionDecoder("account");
  const profiler = values["cpu-profile"] === undefined ? undefined : await startProfiler();
  const cpuBefore = process.cpuUsage();
  await runStream({ source, clock: systemClock }, {
    window: BENCH_WINDOW,
    allowedLatenessMs: BENCH_LATENESS_MS,
    decode,
    aggregate: AMOUNT_STATS,
    signal: controller.signal,
    onCommit: (r) => {
      if (values.progress) Deno.stdout.writeSync(encoder.encode(`commit ${r.partition} ${r.nextOffset}\n`));
    },
  });
  const seconds = source.firstRecordAt === undefined || source.lastCommitAt === undefined
    ? 0
    : (source.lastCommitAt - source.firstRecordAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (profiler) await Deno.writeTextFile(values["cpu-profile"]!, JSON.stringify(await profiler.stop()));
  console.log(JSON.stringify({
    guarantee,
    packOutputs: values["pack-outputs"],
    records: source.records,
    // CPU time of this process (all its threads) per record: what the rate would be on an idle core.
    cpuMicrosPerEvent: source.records > 0 ? (cpu.user + cpu.system) / source.records : 0,
    seconds,
    eventsPerSecond: seconds > 0 ? source.records / seconds : 0,
    firstRecordAt: source.firstRecordAt ?? null,
    lastCommitAt: source.lastCommitAt ?? null,
    latencyMs: {
      p50: quantile(source.latencies, 0.5),
      p99: quantile(source.latencies, 0.99),
      max: quantile(source.latencies, 1),
    },
    // Where the latency goes: how big the batches were and how long each took to process and commit.
    // The part of the latency before a record's batch started: fetching and queueing.
    waitMs: { p50: quantile(source.waits, 0.5), p99: quantile(source.waits, 0.99) },
    // The records of the first --warmup-ms (by timestamp): not in the figures above.
    warmup: {
      ms: warmupMs,
      records: source.warmupLatencies.length,
      latencyMs: { p50: quantile(source.warmupLatencies, 0.5), p99: quantile(source.warmupLatencies, 0.99) },
    },
    batches: source.batchRecords.length,
    batchRecords: { p50: quantile(source.batchRecords, 0.5), p99: quantile(source.batchRecords, 0.99) },
    batchMs: { p50: quantile(source.batchMs, 0.5), p99: quantile(source.batchMs, 0.99) },
  }));
}

if (import.meta.main) await main();
