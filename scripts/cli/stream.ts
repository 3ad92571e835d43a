/**
 * `frontier stream produce|run`: generated transactions into Kafka at a target rate, and the
 * streaming runtime over Kafka (exactly-once by default) or the embedded source.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { generateDemoKey } from "../../cluster/sources/transactions/card_token.ts";
import { TransactionGenerator } from "../../cluster/sources/transactions/generator.ts";
import { DirectoryCheckpointStore } from "../../streaming/directory_store.ts";
import { EmbeddedSource, GeneratedLog, partitionOfKey } from "../../streaming/embedded_source.ts";
import { type Guarantee, KafkaSource } from "../../streaming/kafka_source.ts";
import { type CommitReport, runStream, type StreamSource } from "../../streaming/source.ts";
import { AMOUNT_STATS, transactionDecoder, transactionRecords } from "../../streaming/transactions.ts";
import { type CliIo, parseCommand, positiveInt, required, UsageError } from "./common.ts";
import { fractionFlag, parseDuration, parseKafkaAddress, parseWindow } from "./stream_args.ts";

const DISORDER_HELP = `Disorder of the generated transactions (fractions of rows, default 0):
  --out-of-order F    delayed by less than --lateness (exponential, mean 5 s)
  --late F            delayed beyond --lateness
  --duplicates F      re-emissions of an earlier row (same transaction_id)
  --malformed F       broken records (truncated, non-numeric amount, bad timestamp)
  --seed S            generator seed (default 7)
  --span D            event time the rows span (default: 100 ms per row)`;

/** Help of `frontier stream`. */
export const STREAM_USAGE = `Usage:
  deno task frontier stream produce --rows N --rate R --topic kafka://HOST:PORT/TOPIC [options]
  deno task frontier stream run --source kafka://HOST:PORT/TOPIC|embedded --out DIR|kafka://HOST:PORT/PREFIX [options]

produce: streams generated card transactions (JSON, keyed and partitioned by account) into TOPIC,
created with --partitions when missing.
  --rows N            transactions to send (required)
  --rate R            target events per second (default: as fast as possible)
  --partitions P      partitions of a topic created here (default 4)
  --lateness D        the allowed lateness --late is measured against (default 30s)
${DISORDER_HELP}

run: event-time windows per key with late events, duplicates and malformed records accounted for:
outputs to the streams windows, late and dead_letter (Kafka topics PREFIX.windows, … and the
compacted PREFIX.changelog; or DIR/<stream>/p<partition>-<from>-<to>.jsonl plus DIR/_checkpoint).
  --source S          kafka://HOST:PORT/TOPIC (a consumer-group member) or embedded (generated, no broker)
  --out O             kafka://HOST:PORT/PREFIX (with a Kafka source, same broker) or DIR (embedded)
  --window W          tumbling:1m (default), sliding:5m/1m or session:30s
  --lateness D        allowed lateness behind the newest event of a partition (default 30s)
  --key K             account (default), merchant, category or country
  --guarantee G       exactly-once (default) or at-least-once (Kafka: outputs may repeat after a crash)
  --group G           consumer group (default frontier-<PREFIX>)
  --until-caught-up   (Kafka) stop once every partition is committed up to the end it had at start
  --rows N            (embedded) transactions to generate (default 100000), then stop
  --partitions P      (embedded) partitions of the generated log (default 4)
  --rate R            (embedded) target events per second
${DISORDER_HELP}
  --json              one JSON summary on stdout: counts, outputs, per-batch processing + commit time
                      (batchMs p50/p99), state size (openPanes, rememberedIds), events per second`;

const OPTIONS = {
  rows: { type: "string" },
  rate: { type: "string" },
  topic: { type: "string" },
  partitions: { type: "string" },
  lateness: { type: "string" },
  span: { type: "string" },
  seed: { type: "string" },
  "out-of-order": { type: "string" },
  late: { type: "string" },
  duplicates: { type: "string" },
  malformed: { type: "string" },
  source: { type: "string" },
  out: { type: "string" },
  window: { type: "string" },
  key: { type: "string" },
  guarantee: { type: "string" },
  group: { type: "string" },
  "until-caught-up": { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseCommand<typeof OPTIONS>>["values"];

function disorder(values: Values, latenessMs: number, rows: number) {
  const seedText = values.seed ?? "7";
  if (!/^-?\d+$/.test(seedText)) {
    throw new UsageError(`--seed must be an integer, got ${JSON.stringify(seedText)}`);
  }
  return {
    seed: Number(seedText),
    outOfOrderFraction: fractionFlag(values["out-of-order"], "--out-of-order"),
    lateFraction: fractionFlag(values.late, "--late"),
    duplicateFraction: fractionFlag(values.duplicates, "--duplicates"),
    malformedFraction: fractionFlag(values.malformed, "--malformed"),
    allowedLatenessMs: latenessMs,
    durationMs: values.span === undefined ? rows * 100 : parseDuration(values.span, "--span"),
  };
}

function interrupt(): { signal: AbortSignal; [Symbol.dispose](): void } {
  const controller = new AbortController();
  const onInt = () => controller.abort();
  Deno.addSignalListener("SIGINT", onInt);
  return { signal: controller.signal, [Symbol.dispose]: () => Deno.removeSignalListener("SIGINT", onInt) };
}

/** `frontier stream <produce|run> …`; resolves to the exit code. */
export async function streamCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseCommand(rest, OPTIONS);
  if (values.help || sub === undefined || sub === "--help") {
    io.out(STREAM_USAGE);
    return 0;
  }
  if (sub === "produce") return await produce(values, io);
  if (sub === "run") return await run(values, io);
  throw new UsageError(`stream needs produce or run, got ${JSON.stringify(sub)}`);
}

async function produce(values: Values, io: CliIo): Promise<number> {
  const rows = positiveInt(values.rows, "--rows");
  const rate = values.rate === undefined ? undefined : positiveInt(values.rate, "--rate");
  const target = parseKafkaAddress(required(values.topic, "--topic"), "--topic");
  const latenessMs = parseDuration(values.lateness ?? "30s", "--lateness");
  const knobs = disorder(values, latenessMs, rows);
  const kafka = new Kafka({
    clientId: "frontier-produce",
    brokers: [target.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  let partitions: number;
  try {
    await admin.createTopics({
      topics: [{ topic: target.name, numPartitions: positiveInt(values.partitions, "--partitions", 4) }],
      waitForLeaders: true,
    });
    const meta = await admin.fetchTopicMetadata({ topics: [target.name] });
    partitions = meta.topics[0]!.partitions.length;
  } finally {
    await admin.disconnect();
  }
  const generator = new TransactionGenerator({
    ...knobs,
    totalRows: rows,
    tokenKey: generateDemoKey({ seed: knobs.seed }),
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  using stop = interrupt();
  const started = io.clock.monotonic();
  let sent = 0;
  try {
    const chunk = rate === undefined ? 5000 : Math.max(1, Math.min(5000, Math.ceil(rate / 20)));
    for (let start = 0; start < rows && !stop.signal.aborted; start += chunk) {
      const end = Math.min(rows, start + chunk);
      const records = transactionRecords(generator.generate({ start, end }), knobs.seed);
      await producer.send({
        topic: target.name,
        acks: -1,
        messages: records.map((r) => ({
          key: r.key,
          value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
          partition: partitionOfKey(r.key, partitions),
        })),
      });
      sent = end;
      if (rate !== undefined) {
        const due = started + (sent * 1000) / rate - io.clock.monotonic();
        if (due > 0) await io.clock.sleep(due, { signal: stop.signal }).catch(() => {});
      }
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = (io.clock.monotonic() - started) / 1000;
  const summary = {
    topic: target.name,
    bootstrap: target.bootstrap,
    partitions,
    rows: sent,
    seconds,
    eventsPerSecond: sent / seconds,
  };
  io.out(
    values.json
      ? JSON.stringify(summary)
      : `sent ${sent} transactions to ${target.name} (${partitions} partitions) in ${seconds.toFixed(1)} s`,
  );
  return sent === rows ? 0 : 1;
}

/**
 * Records the settings of an embedded run in `DIR/_checkpoint/run.json`, or checks that a resumed
 * run has the same ones: resuming on other data or windows would mix two runs' outputs.
 */
async function claimDirectory(dir: string, settings: Record<string, unknown>): Promise<void> {
  const path = join(dir, "_checkpoint", "run.json");
  const text = JSON.stringify(settings);
  let before: string | undefined;
  try {
    before = await Deno.readTextFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (before !== undefined && before !== text) {
    throw new UsageError(`--out ${dir} holds a run with other settings (${before}); use a new directory`);
  }
  await Deno.mkdir(join(dir, "_checkpoint"), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** The `q` quantile of `xs` (nearest rank), 0 when empty. */
function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function run(values: Values, io: CliIo): Promise<number> {
  const sourceText = required(values.source, "--source");
  const outText = required(values.out, "--out");
  const window = parseWindow(values.window ?? "tumbling:1m");
  const latenessMs = parseDuration(values.lateness ?? "30s", "--lateness", true);
  const key = values.key ?? "account";
  const decode = (() => {
    try {
      return transactionDecoder(key);
    } catch (e) {
      throw new UsageError(`--key: ${(e as Error).message}`);
    }
  })();
  const guarantee = (values.guarantee ?? "exactly-once") as Guarantee;
  if (guarantee !== "exactly-once" && guarantee !== "at-least-once") {
    throw new UsageError(
      `--guarantee must be exactly-once or at-least-once, got ${JSON.stringify(values.guarantee)}`,
    );
  }
  using stop = interrupt();
  const controller = new AbortController();
  stop.signal.addEventListener("abort", () => controller.abort(), { once: true });
  let source: StreamSource;
  let ends: Map<number, number> | undefined;
  if (sourceText === "embedded") {
    if (outText.startsWith("kafka://")) {
      throw new UsageError("--source embedded writes to a directory: --out DIR");
    }
    const partitions = positiveInt(values.partitions, "--partitions", 4);
    const rows = positiveInt(values.rows, "--rows", 100_000);
    const logOptions = {
      ...disorder(values, latenessMs, rows),
      totalRows: rows,
      partitions,
    };
    await claimDirectory(outText, { log: logOptions, window, key });
    const log = new GeneratedLog(logOptions);
    const rate = values.rate === undefined ? undefined : positiveInt(values.rate, "--rate");
    source = new EmbeddedSource(
      { log, store: new DirectoryCheckpointStore(outText), clock: io.clock },
      rate === undefined ? {} : { ratePerSecond: rate },
    );
  } else {
    const input = parseKafkaAddress(sourceText, "--source");
    if (!outText.startsWith("kafka://")) {
      throw new UsageError(
        "a Kafka source commits its outputs with its offsets: --out kafka://HOST:PORT/PREFIX",
      );
    }
    const out = parseKafkaAddress(outText, "--out");
    if (out.bootstrap !== input.bootstrap) {
      throw new UsageError("--out must be on the same broker as --source");
    }
    if (values["until-caught-up"]) {
      const kafka = new Kafka({
        clientId: "frontier-run",
        brokers: [input.bootstrap],
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        ends = new Map((await admin.fetchTopicOffsets(input.name)).map((o) => [o.partition, Number(o.high)]));
      } finally {
        await admin.disconnect();
      }
    }
    source = new KafkaSource({ clock: io.clock }, {
      brokers: [input.bootstrap],
      topic: input.name,
      groupId: values.group ?? `frontier-${out.name}`,
      outputPrefix: out.name,
      guarantee,
    });
  }
  const reports = new Map<number, CommitReport>();
  const batchMs: number[] = [];
  let outputs = 0;
  const caughtUp = () =>
    ends !== undefined && [...ends].every(([p, end]) => (reports.get(p)?.nextOffset ?? 0) >= end);
  if (caughtUp()) controller.abort();
  const started = io.clock.monotonic();
  await runStream({ source, clock: io.clock }, {
    window,
    allowedLatenessMs: latenessMs,
    decode,
    aggregate: AMOUNT_STATS,
    signal: controller.signal,
    onCommit: (r) => {
      reports.set(r.partition, r);
      outputs += r.outputs;
      batchMs.push(r.batchMs);
      if (caughtUp()) controller.abort();
    },
  });
  const seconds = (io.clock.monotonic() - started) / 1000;
  const counts = { consumed: 0, aggregated: 0, late: 0, duplicates: 0, quarantined: 0 };
  for (const r of reports.values()) {
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += r.counts[k];
  }
  const summary = {
    source: sourceText,
    out: outText,
    guarantee,
    window,
    allowedLatenessMs: latenessMs,
    key,
    partitions: [...reports.keys()].sort((a, b) => a - b),
    ...counts,
    outputs,
    batches: batchMs.length,
    batchMs: { p50: quantile(batchMs, 0.5), p99: quantile(batchMs, 0.99) },
    openPanes: [...reports.values()].reduce((n, r) => n + r.openPanes, 0),
    rememberedIds: [...reports.values()].reduce((n, r) => n + r.rememberedIds, 0),
    seconds,
    eventsPerSecond: counts.consumed / seconds,
  };
  io.out(
    values.json
      ? JSON.stringify(summary)
      : `consumed ${counts.consumed} (aggregated ${counts.aggregated}, late ${counts.late}, duplicates ${counts.duplicates}, quarantined ${counts.quarantined}); ${outputs} outputs to ${outText}`,
  );
  return 0;
}
