/**
 * The load generator of the streaming benchmark's paced runs: the same generated transactions
 * `frontier stream produce` writes (same generator and JSON), written once to a file of keyed
 * lines, then sent at a target rate by a Kafka Java producer (`PacedProducer.java`, run from
 * source against the broker's own jars; idempotent, `acks=all`, `linger.ms` 5).
 *
 * Why not the kafkajs replay producer for these runs: on this 2-core machine it costs ~20 CPU µs
 * per event (6 generating, the rest kafkajs' encoding), so at the benchmark's loads it took about
 * one of the two cores from the system under test and could not send more than ~45k events/s.
 * Here the records are generated before the run, and the warmed-up JVM producer sends them for
 * 7–13 CPU µs each at these rates (measured; printed per run as `producerCpuMicrosPerEvent`).
 * A record's timestamp (its `CreateTime`, where the latency clock starts) is set by the producer
 * when it takes the record, so the producer's own batching (≤ 5 ms) counts in the latency.
 *
 * @module
 */
import { join } from "node:path";
import { generateDemoKey } from "../../../cluster/sources/transactions/card_token.ts";
import { TransactionGenerator } from "../../../cluster/sources/transactions/generator.ts";
import { transactionRecords } from "../../../streaming/transactions.ts";
import { DEFAULT_KAFKA_VERSION, fetchKafka } from "../../setup/kafka_fetch.ts";
import { KAFKA_HOME } from "../../setup/kafka.ts";

const CHUNK_ROWS = 5000;
const NEWLINE = 0x0a;
const TAB = 0x09;
/** Records the JVM sends to a side topic before pacing starts, so its JIT has warmed up. */
const WARMUP_ROWS = 200_000;
const SOURCE = new URL("./PacedProducer.java", import.meta.url);

/**
 * Writes the first `rows` generated transactions (seed `seed`, no disorder) to `path` as keyed
 * lines (`key TAB json NEWLINE`). Throws naming the row if one holds a tab or a newline, which the
 * line format cannot carry.
 */
export async function writeTransactionLines(
  path: string,
  options: { rows: number; seed: number },
): Promise<void> {
  const { rows, seed } = options;
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new RangeError(`rows must be an integer >= 1, got ${rows}`);
  }
  const generator = new TransactionGenerator({ seed, totalRows: rows, tokenKey: generateDemoKey({ seed }) });
  const encoder = new TextEncoder();
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const records = transactionRecords(
      generator.generate({ start, end: Math.min(rows, start + CHUNK_ROWS) }),
      seed,
    );
    const keys = records.map((r) => encoder.encode(r.key));
    let size = 0;
    for (let i = 0; i < records.length; i++) size += keys[i]!.length + records[i]!.value.length + 2;
    const bytes = new Uint8Array(size);
    let at = 0;
    for (let i = 0; i < records.length; i++) {
      const key = keys[i]!;
      const value = records[i]!.value;
      if (key.includes(TAB) || key.includes(NEWLINE) || value.includes(TAB) || value.includes(NEWLINE)) {
        throw new Error(`row ${start + i} holds a tab or a newline: it cannot be sent as a keyed line`);
      }
      bytes.set(key, at);
      at += key.length;
      bytes[at++] = TAB;
      bytes.set(value, at);
      at += value.length;
      bytes[at++] = NEWLINE;
    }
    for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
  }
}

/** What one paced producer run reports. */
export interface PacedRun {
  readonly rows: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU of the producer JVM per event during the paced phase (µs; JIT and GC included). */
  readonly producerCpuMicrosPerEvent: number;
}

/**
 * Sends the first `rows` lines of `file` (from {@linkcode writeTransactionLines}) to `topic` at
 * `rate` events/s after a warm-up (`warmupRows`, default 200,000, sent to `<topic>.warmup`);
 * resolves when every record is acknowledged.
 */
export async function runPacedProducer(
  bootstrap: string,
  options: { topic: string; file: string; rows: number; rate: number; warmupRows?: number },
): Promise<PacedRun> {
  const { topic, file, rows, rate, warmupRows = WARMUP_ROWS } = options;
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new RangeError(`rows must be an integer >= 1, got ${rows}`);
  }
  if (!(rate > 0)) throw new RangeError(`rate must be > 0, got ${rate}`);
  const lib = await fetchKafka(KAFKA_HOME, { version: DEFAULT_KAFKA_VERSION });
  const out = await new Deno.Command("java", {
    args: [
      "-Xmx256m",
      "-XX:+UseSerialGC",
      "-cp",
      join(lib, "*"),
      SOURCE.pathname,
      "--bootstrap",
      bootstrap,
      "--topic",
      topic,
      "--warmup-topic",
      `${topic}.warmup`,
      "--warmup",
      String(warmupRows),
      "--file",
      file,
      "--rows",
      String(rows),
      "--rate",
      String(rate),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `the paced producer exited with code ${out.code}:\n${
        new TextDecoder().decode(out.stderr).slice(-2000)
      }`,
    );
  }
  const last = text.split("\n").findLast((l) => l.startsWith("{"));
  if (last === undefined) throw new Error(`the paced producer printed no figures:\n${text.slice(-2000)}`);
  return JSON.parse(last) as PacedRun;
}
