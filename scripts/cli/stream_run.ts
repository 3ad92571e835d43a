/**
 * `frontier stream run`: the streaming runtime over Kafka (exactly-once by default) or the
 * embedded source, built with `readStream`: windows, late events and dead letters always;
 * real-time scoring with a saved model (`--model`), anomalies and trends on request. Metrics go to
 * a file every half second (`frontier stream status` reads it) and, with `--serve`, to a live page.
 *
 * @module
 */
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import type { Guarantee } from "../../streaming/kafka_source.ts";
import type { CommitReport } from "../../streaming/source.ts";
import type { StreamMetrics } from "../../streaming/stream_metrics.ts";
import {
  readStream,
  type StreamQuery,
  type StreamReader,
  type StreamSink,
} from "../../streaming/stream_query.ts";
import { transactionDecoder } from "../../streaming/transactions.ts";
import { type CliIo, positiveInt, required, UsageError } from "./common.ts";
import { fractionFlag, parseDuration, parseKafkaAddress, parseWindow } from "./stream_args.ts";
import { servePage } from "./stream_page.ts";
import { writeMetricsFile } from "./stream_status.ts";

/** The flags `run` reads (parsed by `stream.ts`). */
export type RunValues = Readonly<Record<string, string | boolean | undefined>>;

/** How often the metrics file is rewritten, ms. */
const METRICS_EVERY_MS = 500;

/** The generator settings of the disorder flags. */
export type Disorder = (values: RunValues, latenessMs: number, rows: number) => {
  seed: number;
  fraudRate?: number;
  accounts?: number;
  duplicateMaxLag?: number;
  outOfOrderFraction: number;
  lateFraction: number;
  duplicateFraction: number;
  malformedFraction: number;
  allowedLatenessMs: number;
  durationMs: number;
};

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

function str(values: RunValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** The reader of `--source`, and where it writes. */
async function source(
  values: RunValues,
  disorder: Disorder,
  settings: Record<string, unknown>,
): Promise<{ reader: StreamReader; sink: StreamSink; ends?: Map<number, number> }> {
  const sourceText = required(values["source"], "--source");
  const outText = required(values["out"], "--out");
  const latenessMs = settings["allowedLatenessMs"] as number;
  if (sourceText === "embedded") {
    if (outText.startsWith("kafka://")) {
      throw new UsageError("--source embedded writes to a directory: --out DIR");
    }
    const rows = positiveInt(values["rows"], "--rows", 100_000);
    const logOptions = {
      ...disorder(values, latenessMs, rows),
      totalRows: rows,
      partitions: positiveInt(values["partitions"], "--partitions", 4),
    };
    await claimDirectory(outText, { log: logOptions, window: settings["window"], key: settings["key"] });
    const rate = values["rate"] === undefined ? undefined : positiveInt(values["rate"], "--rate");
    return {
      reader: readStream.embedded({ ...logOptions, ...(rate === undefined ? {} : { ratePerSecond: rate }) }),
      sink: outText,
    };
  }
  const input = parseKafkaAddress(sourceText, "--source");
  if (!outText.startsWith("kafka://")) {
    throw new UsageError(
      "a Kafka source commits its outputs with its offsets: --out kafka://HOST:PORT/PREFIX",
    );
  }
  const out = parseKafkaAddress(outText, "--out");
  if (out.bootstrap !== input.bootstrap) throw new UsageError("--out must be on the same broker as --source");
  let ends: Map<number, number> | undefined;
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
  const group = str(values, "group");
  return {
    reader: readStream.kafka({
      brokers: [input.bootstrap],
      topic: input.name,
      guarantee: settings["guarantee"] as Guarantee,
      ...(group === undefined ? {} : { groupId: group }),
      ...(values["pack-outputs"] ? { packOutputs: true } : {}),
    }),
    sink: { topicPrefix: out.name },
    ...(ends === undefined ? {} : { ends }),
  };
}

/** Runs `frontier stream run`; resolves to the exit code. */
export async function runCommand(
  values: RunValues,
  io: CliIo,
  deps: { readonly disorder: Disorder; readonly signal: AbortSignal },
): Promise<number> {
  const sourceText = required(values["source"], "--source");
  const outText = required(values["out"], "--out");
  const window = parseWindow(str(values, "window") ?? "tumbling:1m");
  const latenessMs = parseDuration(str(values, "lateness") ?? "30s", "--lateness", true);
  const key = str(values, "key") ?? "account";
  try {
    transactionDecoder(key);
  } catch (e) {
    throw new UsageError(`--key: ${(e as Error).message}`);
  }
  const guarantee = str(values, "guarantee") ?? "exactly-once";
  if (guarantee !== "exactly-once" && guarantee !== "at-least-once") {
    throw new UsageError(
      `--guarantee must be exactly-once or at-least-once, got ${JSON.stringify(guarantee)}`,
    );
  }
  const threshold = str(values, "threshold");
  const thresholdValue = threshold === undefined ? undefined : fractionFlag(threshold, "--threshold");
  const model = str(values, "model");
  if (model === undefined && (threshold !== undefined || values["emit-scores"])) {
    throw new UsageError("--threshold and --emit-scores need --model DIR");
  }
  const metricsPath = str(values, "metrics") ??
    (outText.startsWith("kafka://") ? undefined : join(outText, "_metrics.json"));
  const servePort = values["serve"] === undefined ? undefined : port(values["serve"]);
  const settings = { allowedLatenessMs: latenessMs, window, key, guarantee };
  const { reader, sink, ends } = await source(values, deps.disorder, settings);
  let r = reader.withWatermark(latenessMs).window(window).groupBy(key);
  if (model !== undefined) {
    r = r.score(model, {
      emitScores: values["emit-scores"] === true,
      ...(thresholdValue === undefined ? {} : { threshold: thresholdValue }),
    });
  }
  if (values["anomalies"]) r = r.anomalies();
  if (values["trends"]) r = r.trends();
  const controller = new AbortController();
  deps.signal.addEventListener("abort", () => controller.abort(), { once: true });
  const reports = new Map<number, CommitReport>();
  const caughtUp = () =>
    ends !== undefined && [...ends].every(([p, end]) => (reports.get(p)?.nextOffset ?? 0) >= end);
  let query: StreamQuery;
  try {
    query = await r.writeTo(sink).start({
      clock: io.clock,
      signal: controller.signal,
      onCommit: (c) => {
        reports.set(c.partition, c);
        if (caughtUp()) controller.abort();
      },
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new UsageError(`--model ${model}: ${e.message}`);
    throw e;
  }
  if (caughtUp()) controller.abort();
  const info = {
    pid: Deno.pid,
    source: sourceText,
    out: outText,
    ...settings,
    streams: query.streams,
    ...(query.model === undefined ? {} : { model: { dir: model, ...query.model } }),
  };
  const write = () =>
    metricsPath === undefined ? Promise.resolve() : writeMetricsFile(metricsPath, info, query.metrics());
  let writing = Promise.resolve();
  let stopped = false;
  const tick = () => {
    writing = writing.then(write).catch((e) =>
      io.err(`cannot write ${metricsPath}: ${(e as Error).message}`)
    );
    if (!stopped) timer = io.clock.setTimeout(tick, METRICS_EVERY_MS);
  };
  let timer = io.clock.setTimeout(tick, METRICS_EVERY_MS);
  await using server = servePort === undefined ? undefined : servePage(servePort, { info, query, io });
  if (server) io.err(`live page: ${server.url}`);
  let last: StreamMetrics;
  try {
    last = await query.done;
  } finally {
    stopped = true;
    io.clock.clearTimeout(timer);
    await writing;
    await write();
  }
  const summary = {
    ...info,
    ...last,
    outputs: Object.values(last.outputs).reduce((a, b) => a + b, 0),
    outputsByStream: last.outputs,
    openPanes: last.stateSize.openPanes,
    rememberedIds: last.stateSize.rememberedIds,
    eventsPerSecond: last.inputRate.overall,
    partitions: last.partitions.map((p) => p.partition),
    ...(metricsPath === undefined ? {} : { metricsFile: metricsPath }),
  };
  const alerts = last.outputs["alerts"] ?? 0;
  io.out(
    values["json"]
      ? JSON.stringify(summary)
      : `consumed ${last.consumed} (aggregated ${last.aggregated}, late ${last.late}, ` +
        `duplicates ${last.duplicates}, quarantined ${last.quarantined}); ${summary.outputs} outputs to ${outText}` +
        (model === undefined ? "" : `; ${alerts} alerts`) +
        `; p50/p99 latency ${last.latencyMs.p50.toFixed(0)}/${last.latencyMs.p99.toFixed(0)} ms`,
  );
  return last.reconciled ? 0 : 1;
}

function port(value: unknown): number {
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || !(n >= 0 && n <= 65535)) {
    throw new UsageError(
      `--serve must be a port in [0, 65535] (0: any free port), got ${JSON.stringify(value)}`,
    );
  }
  return n;
}
