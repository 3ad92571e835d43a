/**
 * `frontier stream produce|run`: generated transactions into Kafka at a target rate, and the
 * streaming runtime over Kafka (exactly-once by default) or the embedded source.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Kafka, logLevel } from "kafkajs";
import { generateDemoKey } from "../../cluster/sources/transactions/card_token.ts";
import { TransactionGenerator } from "../../cluster/sources/transactions/generator.ts";
import { partitionOfKey } from "../../streaming/embedded_source.ts";
import { transactionRecords } from "../../streaming/transactions.ts";
import { type CliIo, parseCommand, positiveInt, required, UsageError } from "./common.ts";
import { fractionFlag, parseDuration, parseKafkaAddress } from "./stream_args.ts";
import { runCommand } from "./stream_run.ts";
import { statusCommand } from "./stream_status.ts";

const DISORDER_HELP = `Disorder of the generated transactions (fractions of rows, default 0):
  --out-of-order F    delayed by less than --lateness (exponential, mean 5 s)
  --late F            delayed beyond --lateness
  --duplicates F      re-emissions of an earlier row (same transaction_id)
  --duplicate-max-lag N
                      a re-emission repeats one of the N rows before it (default 10000)
  --malformed F       broken records (truncated, non-numeric amount, bad timestamp)
  --seed S            generator seed (default 7)
  --span D            event time the rows span (default: 100 ms per row)
  --fraud-rate F      share of fraudulent transactions (default 0.003)
  --accounts N        accounts (default rows / 50, at least 100)`;

/** Help of `frontier stream`. */
export const STREAM_USAGE = `Usage:
  deno task frontier stream produce --rows N --rate R --topic kafka://HOST:PORT/TOPIC [options]
  deno task frontier stream run --source kafka://HOST:PORT/TOPIC|embedded --out DIR|kafka://HOST:PORT/PREFIX [options]
  deno task frontier stream status --out DIR | --metrics FILE [--json]

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
  --pack-outputs      (Kafka) write a batch's outputs of a stream as few records, each newline-
                      delimited JSON: a header {"frontier":"packed-outputs/1","count":N}, then N
                      lines {"key":K,"value":V} (fewer records, faster; readers must unpack)
  --rows N            (embedded) transactions to generate (default 100000), then stop
  --partitions P      (embedded) partitions of the generated log (default 4)
  --rate R            (embedded) target events per second
${DISORDER_HELP}
  --model DIR         score every event with a model saved by \`frontier train\` (loaded once; the
                      per-account velocity features computed online when it reads them): events at
                      or above its threshold go to the stream alerts with their top features
  --threshold P       alert threshold instead of the model's chosen one
  --emit-scores       also write every event's score to alerts (type "score")
  --anomalies         z-score anomalies per account (account_anomalies) and segment
                      (segment_anomalies), each with its reason
  --trends            volume / amount trends and change points per category (trends)
  --metrics FILE      metrics file, rewritten every 0.5 s (default DIR/_metrics.json; none for Kafka)
  --serve PORT        while the run runs, serve a live page on http://127.0.0.1:PORT/ (0: a free
                      port; the URL is printed on stderr)
  --json              one JSON summary on stdout: counts and their reconciliation, outputs per
                      stream, input and processing rates, p50/p99 event→output latency, batch time,
                      watermark and its lag, state size

status: the metrics of a running or finished run (from its metrics file): state (running,
finished, failed, or gone when the process died), counts, rates, latency, watermark lag, state.`;

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
  "pack-outputs": { type: "boolean" },
  model: { type: "string" },
  threshold: { type: "string" },
  "emit-scores": { type: "boolean" },
  anomalies: { type: "boolean" },
  trends: { type: "boolean" },
  metrics: { type: "string" },
  serve: { type: "string" },
  "fraud-rate": { type: "string" },
  "duplicate-max-lag": { type: "string" },
  accounts: { type: "string" },
} as const;

type Values = ReturnType<typeof parseCommand<typeof OPTIONS>>["values"];

function disorder(
  values: Readonly<Record<string, string | boolean | undefined>>,
  latenessMs: number,
  rows: number,
) {
  const text = (name: string) => typeof values[name] === "string" ? values[name] : undefined;
  const seedText = text("seed") ?? "7";
  if (!/^-?\d+$/.test(seedText)) {
    throw new UsageError(`--seed must be an integer, got ${JSON.stringify(seedText)}`);
  }
  return {
    seed: Number(seedText),
    outOfOrderFraction: fractionFlag(values["out-of-order"], "--out-of-order"),
    lateFraction: fractionFlag(values["late"], "--late"),
    duplicateFraction: fractionFlag(values["duplicates"], "--duplicates"),
    malformedFraction: fractionFlag(values["malformed"], "--malformed"),
    allowedLatenessMs: latenessMs,
    durationMs: text("span") === undefined ? rows * 100 : parseDuration(text("span")!, "--span"),
    ...(text("fraud-rate") === undefined
      ? {}
      : { fraudRate: fractionFlag(text("fraud-rate"), "--fraud-rate") }),
    ...(values["accounts"] === undefined ? {} : { accounts: positiveInt(values["accounts"], "--accounts") }),
    ...(values["duplicate-max-lag"] === undefined
      ? {}
      : { duplicateMaxLag: positiveInt(values["duplicate-max-lag"], "--duplicate-max-lag") }),
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
  if (sub === "run") {
    using stop = interrupt();
    return await runCommand(values, io, { disorder, signal: stop.signal });
  }
  if (sub === "status") return await statusCommand(values, io);
  throw new UsageError(`stream needs produce, run or status, got ${JSON.stringify(sub)}`);
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
