/**
 * The streaming benchmark (`deno task bench` runs it last unless `--skip-stream`; alone:
 * `deno run -A scripts/bench/stream/bench.ts [--quick] [--skip-spark] [--rows N] [--seconds S]
 * [--soak-rows N] [--kills K] [--out out/bench/stream.json]`).
 *
 * On a Kafka broker it starts itself (`scripts/setup/kafka_broker.ts`), over the same generated
 * transactions and windows (tumbling 1 min, lateness 30 s, keyed by account):
 *
 * Frontier writes **packed outputs** (`KafkaSourceOptions.packOutputs`, `kafka_pack.ts`) in every
 * run below; `--unpacked` writes one record per output instead.
 *
 * 1. **Throughput**, at-least-once and exactly-once: `--rows` records produced first, then one
 *    Frontier worker process (`frontier_worker.ts`) drains them; events/s from its first record to
 *    its last commit. With packed outputs the unpacked drain is measured too (`throughputUnpacked`).
 * 2. **Latency under load**, as the issue defines it: first the **sustained rate** — paced runs at
 *    {@linkcode LADDER} shares of the drain rate, highest first, until one keeps its p99
 *    event→output latency (record timestamp → end of the commit that made its outputs visible)
 *    within {@linkcode P99_BOUND_MS} while the producer keeps at least 95 % of its rate; the rate
 *    it produced is the sustained rate. Then p50/p99 at **50 % and 90 % of the sustained rate**.
 *    Each paced run lasts `--warmup` + `--seconds`; the figures are the steady state, from the
 *    records stamped after the first `--warmup` seconds (a fresh worker process runs its first
 *    seconds on cold code and falls behind; those records' p99 is reported apart, `warmup`). Every paced run is sent by `paced_producer.ts` (a Java producer over
 *    records generated before the run: the kafkajs producer took one of the two cores).
 * 3. **Spark Structured Streaming** (PySpark, `spark_stream.py`) on the same input topic: its
 *    throughput, and its micro-batch durations at 50 % load (a lower bound of its latency);
 *    `skipped: <reason>` where it cannot run.
 * 4. **kill -9 soak** (`kill_soak.ts`): `--kills` SIGKILLs over `--soak-rows` events, exactly-once;
 *    0 lost / 0 duplicated / windows equal / aborted copies seen, and the recovery time per kill.
 *
 * Prints the figures, the ratios and whether each target is met, and writes them as JSON.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { Kafka } from "kafkajs";
import { startBroker } from "../../setup/kafka_broker.ts";
import { KAFKA_HOME } from "../../setup/kafka.ts";
import { machineInfo, readLoadAvg } from "../harness.ts";
import { Child } from "./child.ts";
import { runKillSoak, type SoakResult } from "./kill_soak.ts";
import { prepareSpark, runSparkStream, type SparkStreamRun } from "./spark_side.ts";
import { printSummary, quantile, type WorkerRun } from "./stream_figures.ts";
import { runPacedProducer, writeTransactionLines } from "./paced_producer.ts";
import {
  drainWithMembers,
  type Guarantee,
  P99_BOUND_MS,
  pacedRun,
  PARTITIONS,
  workerArgs,
} from "./worker_runs.ts";
import { produceChild, QUIET } from "./topics.ts";

const WORKER = new URL("./frontier_worker.ts", import.meta.url);
/** The rates tried for the sustained rate, as shares of the drain rate, highest first. */
const LADDER = [0.9, 0.75, 0.6, 0.45, 0.3] as const;

/** Settings of one run. */
export interface StreamBenchSettings {
  rows: number;
  seconds: number;
  /** Seconds of each paced run before the latency figures start (a fresh worker's cold start). */
  warmupSeconds: number;
  soakRows: number;
  kills: number;
  skipSpark: boolean;
  skipSoak: boolean;
  /** Packed output records (the default; `--unpacked` turns it off). */
  packOutputs: boolean;
  out: string;
}

const HELP = `deno run -A scripts/bench/stream/bench.ts [--quick] [--skip-spark] [--rows N] [--seconds S]
  --rows N        records drained for the throughput figure (default 500000; --quick 100000)
  --seconds S     length of each paced latency run (default 20; --quick 8)
  --warmup S      seconds of each paced run before the latency figures start (default 5; --quick 3)
  --soak-rows N   records of the kill -9 soak (default 1000000; --quick 100000)
  --kills K       SIGKILLs during the soak (default 5; --quick 2)
  --skip-soak     no soak
  --skip-spark    no Spark
  --unpacked      one output record per output (default: packed outputs, see kafka_pack.ts)
  --out PATH      JSON report (default out/bench/stream.json)`;

/** Parses the command line; undefined means help. */
export function parseStreamBenchArgs(args: readonly string[]): StreamBenchSettings | undefined {
  const { values } = parseArgs({
    args: [...args],
    options: {
      quick: { type: "boolean", default: false },
      "skip-spark": { type: "boolean", default: false },
      "skip-soak": { type: "boolean", default: false },
      unpacked: { type: "boolean", default: false },
      rows: { type: "string" },
      seconds: { type: "string" },
      warmup: { type: "string" },
      "soak-rows": { type: "string" },
      kills: { type: "string" },
      out: { type: "string", default: "out/bench/stream.json" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return undefined;
  const num = (text: string | undefined, name: string, fallback: number, low: number) => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isSafeInteger(n) || n < low) {
      throw new RangeError(`--${name} must be an integer >= ${low}, got ${text}`);
    }
    return n;
  };
  const q = values.quick;
  return {
    rows: num(values.rows, "rows", q ? 100_000 : 500_000, 1000),
    seconds: num(values.seconds, "seconds", q ? 8 : 20, 1),
    warmupSeconds: num(values.warmup, "warmup", q ? 3 : 5, 0),
    soakRows: num(values["soak-rows"], "soak-rows", q ? 100_000 : 1_000_000, 1000),
    kills: num(values.kills, "kills", q ? 2 : 5, 1),
    skipSpark: values["skip-spark"],
    skipSoak: values["skip-soak"],
    packOutputs: !values.unpacked,
    out: values.out,
  };
}

/** Runs the benchmark; resolves to its exit code. */
export async function runStreamBench(settings: StreamBenchSettings, log = console.error): Promise<number> {
  const started = new Date().toISOString();
  const pack = settings.packOutputs;
  log(`stream bench: Frontier outputs ${pack ? "packed (packOutputs: true)" : "unpacked"}`);
  log("stream bench: starting a Kafka broker");
  const broker = await startBroker({ home: KAFKA_HOME, detached: false, jit: "tiered", heap: "1g", log });
  const bootstrap = broker.state.bootstrap;
  const kafka = new Kafka({ clientId: "bench-stream", brokers: [bootstrap], logLevel: QUIET });
  const id = crypto.randomUUID().slice(0, 8);
  const result: Record<string, unknown> = {};
  const skipped: Record<string, string> = {};
  try {
    const input = `bench-in-${id}`;
    const produced = await produceChild(bootstrap, input, { rows: settings.rows, partitions: PARTITIONS })
      .json("producer");
    log(`stream bench: ${produced.rows} transactions in ${input}`);
    const frontier: Record<string, Record<string, unknown>> = {};
    const drained: Record<string, number> = {};
    for (const g of ["at-least-once", "exactly-once"] as const) {
      const prefix = `bench-${g}-${id}`;
      const max = await new Child(WORKER, workerArgs(bootstrap, input, prefix, g, settings.rows, pack))
        .json(`${g} worker`) as unknown as WorkerRun;
      drained[g] = max.eventsPerSecond;
      log(
        `stream bench: ${g} throughput ${max.eventsPerSecond.toFixed(0)} events/s (${
          pack ? "packed" : "unpacked"
        })`,
      );
      const unpacked = pack
        ? await new Child(WORKER, workerArgs(bootstrap, input, `${prefix}-unpacked`, g, settings.rows, false))
          .json(`${g} unpacked worker`) as unknown as WorkerRun
        : undefined;
      if (unpacked) {
        log(`stream bench: ${g} throughput ${unpacked.eventsPerSecond.toFixed(0)} events/s (unpacked)`);
      }
      // Scale-out: the same topic drained by two members (executors), each its own process.
      const two = await drainWithMembers(kafka, {
        bootstrap,
        topic: input,
        prefix: `${prefix}-x2`,
        guarantee: g,
        rows: settings.rows,
        members: 2,
        pack,
      });
      log(`stream bench: ${g} throughput with 2 members ${two.eventsPerSecond.toFixed(0)} events/s`);
      frontier[g] = {
        packOutputs: pack,
        throughput: max,
        ...(unpacked ? { throughputUnpacked: unpacked } : {}),
        twoMembers: two,
      };
    }
    // The paced runs read one file of generated records, enough for the fastest of them.
    const lines = join(settings.out, "..", `stream-lines-${id}.txt`);
    const rateAt = (g: Guarantee, share: number) => Math.max(100, Math.round(drained[g]! * share));
    const lineRows = Math.max(
      ...(["at-least-once", "exactly-once"] as const).map((g) =>
        Math.round(rateAt(g, LADDER[0]) * (settings.seconds + settings.warmupSeconds))
      ),
    );
    await Deno.mkdir(join(settings.out, ".."), { recursive: true });
    await writeTransactionLines(lines, { rows: lineRows, seed: 7 });
    log(`stream bench: ${lineRows} records generated for the paced runs`);
    const paced = (g: Guarantee, rate: number, label: string) =>
      pacedRun(kafka, {
        bootstrap,
        guarantee: g,
        rate,
        seconds: settings.seconds,
        warmupSeconds: settings.warmupSeconds,
        lines,
        pack,
        id,
        label,
        log,
      });
    try {
      for (const g of ["at-least-once", "exactly-once"] as const) {
        // The sustained rate: the highest rung of the ladder (shares of the drain rate) whose p99
        // stays within the bound while the producer keeps its rate; then 50 % and 90 % of it.
        const probes: Record<string, unknown>[] = [];
        let sustained: number | undefined;
        for (const share of LADDER) {
          const run = await paced(
            g,
            rateAt(g, share),
            `${share * 100}% of drain`,
          );
          probes.push(run);
          if (run.bounded) {
            sustained = Math.round(run.producedRate);
            break;
          }
        }
        const loads: Record<string, unknown> = {};
        if (sustained !== undefined) {
          for (const share of [0.5, 0.9]) {
            loads[`${share * 100}%`] = await paced(
              g,
              Math.max(100, Math.round(sustained * share)),
              `${share * 100}% of sustained`,
            );
          }
        }
        Object.assign(frontier[g]!, { probes, loads, sustainedEventsPerSecond: sustained ?? null });
      }
      result.frontier = frontier;

      if (settings.skipSpark) skipped.spark = "--skip-spark";
      else {
        const spark = await prepareSpark();
        if ("skipped" in spark) skipped.spark = spark.skipped;
        else {
          try {
            const admin = kafka.admin();
            await admin.connect();
            // Spark is paced at Frontier's at-least-once 50 % load (half its drain rate if none).
            const half = (frontier["at-least-once"]!.loads as Record<string, { targetRate: number }>)["50%"];
            const rate = half?.targetRate ?? Math.round(drained["at-least-once"]! * 0.5);
            const pacedTopic = `bench-spark-paced-${id}`;
            await admin.createTopics({
              topics: [`${input}.spark-windows`, pacedTopic, `${pacedTopic}.spark-windows`].map((topic) => ({
                topic,
                numPartitions: PARTITIONS,
              })),
              waitForLeaders: true,
            });
            await admin.disconnect();
            const throughput: SparkStreamRun = await runSparkStream(spark, {
              bootstrap,
              topic: input,
              rows: settings.rows,
              seconds: 900,
            });
            log(`stream bench: Spark throughput ${throughput.rowsPerSecond.toFixed(0)} rows/s`);
            const rows = Math.min(lineRows, Math.round(rate * settings.seconds * 2));
            const producer = runPacedProducer(bootstrap, { topic: pacedTopic, file: lines, rows, rate });
            const atHalf = await runSparkStream(spark, { bootstrap, topic: pacedTopic, rows, seconds: 900 });
            await producer;
            log(
              `stream bench: Spark at ${rate} rows/s: batch p50 ${atHalf.batchMs.p50} ms, p99 ${atHalf.batchMs.p99} ms`,
            );
            result.spark = { throughput, at50: { targetRate: rate, ...atHalf } };
          } catch (e) {
            skipped.spark = `failed: ${e instanceof Error ? e.message.slice(0, 500) : String(e)}`;
          }
        }
      }
    } finally {
      await Deno.remove(lines).catch(() => {});
    }

    if (settings.skipSoak) skipped.soak = "--skip-soak";
    else {
      const soak: SoakResult = await runKillSoak(bootstrap, {
        rows: settings.soakRows,
        kills: settings.kills,
        log,
      });
      result.soak = { ...soak, recoveryMsMedian: quantile(soak.recoveryMs, 0.5) };
      log(
        `stream bench: soak ${soak.rows} events, ${soak.kills} kills: lost ${soak.lost}, duplicated ${soak.duplicated}, ` +
          `aborted copies ${soak.uncommittedOutputs - soak.committedOutputs}, recovery ${
            soak.recoveryMs.map((x) => x.toFixed(0)).join("/")
          } ms`,
      );
    }
  } finally {
    await broker.stop();
  }
  const report = {
    meta: {
      started,
      finished: new Date().toISOString(),
      command: `deno run -A scripts/bench/stream/bench.ts`,
      settings: { ...settings },
      machine: await machineInfo(),
      loadAvg: await readLoadAvg() ?? null,
      p99BoundMs: P99_BOUND_MS,
    },
    ...result,
    skipped,
  };
  printSummary(report, log);
  await Deno.mkdir(join(settings.out, ".."), { recursive: true });
  await Deno.writeTextFile(settings.out, JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report));
  log(`wrote ${settings.out}`);
  const soak = result.soak as SoakResult | undefined;
  return soak === undefined || (soak.windowsEqual && soak.uncommittedOutputs > soak.committedOutputs) ? 0 : 1;
}

/** Runs the command line; resolves to the exit code. */
export async function streamBenchMain(args: readonly string[]): Promise<number> {
  const settings = parseStreamBenchArgs(args);
  if (settings === undefined) {
    console.log(HELP);
    return 0;
  }
  return await runStreamBench(settings);
}

/** Splits `deno task bench`'s arguments: the stream suite's, or undefined with `--skip-stream`. */
export function splitStreamArgs(args: readonly string[]): { rest: string[]; stream: string[] | undefined } {
  const rest = args.filter((a) => a !== "--skip-stream");
  if (args.includes("--skip-stream")) return { rest, stream: undefined };
  return { rest, stream: rest.filter((a) => a === "--quick" || a === "--skip-spark") };
}

/** Help of the flags `deno task bench` takes for this suite. */
export const STREAM_SUITE_FLAGS_HELP =
  `  --skip-stream     do not run the streaming benchmark (Kafka; see scripts/bench/stream/bench.ts --help;
                    it takes --quick and --skip-spark)`;

if (import.meta.main) Deno.exit(await streamBenchMain(Deno.args));
