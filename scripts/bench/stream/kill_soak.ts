/**
 * The kill -9 soak of the streaming runtime (process mode, real broker, exactly-once): a worker
 * process (`frontier_worker.ts`) reads `rows` generated transactions and is killed with SIGKILL
 * `kills` times at evenly spaced points of its progress, each time replaced by a new process at
 * once. Afterwards:
 *
 * - the committed outputs (read_committed) equal, record for record, what a run without faults
 *   outputs — the same records through {@linkcode PartitionProcessor} in this process, partition by
 *   partition: 0 lost, 0 duplicated, windows equal;
 * - read_uncommitted sees more output records than read_committed: aborted copies, the proof that
 *   kills landed inside open transactions;
 * - the recovery time of each kill is the time from SIGKILL to the replacement's first commit
 *   (the session timeout, a rejoin, fencing and the changelog restore).
 *
 * Too slow for the test suite (1M events take minutes here); `deno task bench` runs it.
 *
 * @module
 */
import { Kafka } from "kafkajs";
import { systemClock } from "../../../actors/clock.ts";
import { PartitionProcessor } from "../../../streaming/partition_processor.ts";
import { changelogTopic, outputTopic } from "../../../streaming/kafka_source.ts";
import { AMOUNT_STATS, transactionDecoder } from "../../../streaming/transactions.ts";
import { Child } from "./child.ts";
import { BENCH_LATENESS_MS, BENCH_WINDOW } from "./frontier_worker.ts";
import { produceChild, QUIET, readToEnd } from "./topics.ts";
import { workerArgs } from "./worker_runs.ts";

const WORKER = new URL("./frontier_worker.ts", import.meta.url);
const STREAMS = ["windows", "late", "dead_letter"];

/** What the soak found. */
export interface SoakResult {
  readonly rows: number;
  readonly kills: number;
  /** SIGKILL → the replacement's first commit, ms, one per kill. */
  readonly recoveryMs: number[];
  /** Output records committed / expected from the no-fault run. */
  readonly committedOutputs: number;
  readonly expectedOutputs: number;
  /** Expected records missing from the committed outputs, and committed ones beyond the expected. */
  readonly lost: number;
  readonly duplicated: number;
  /** Output records read with read_uncommitted (> committed when kills hit open transactions). */
  readonly uncommittedOutputs: number;
  readonly windowsEqual: boolean;
  readonly seconds: number;
}

/** Runs the soak on the broker at `bootstrap` (see the module documentation). */
export async function runKillSoak(
  bootstrap: string,
  options: { rows: number; kills: number; partitions?: number; log?: (line: string) => void },
): Promise<SoakResult> {
  const { rows, kills } = options;
  const partitions = options.partitions ?? 4;
  const log = options.log ?? (() => {});
  const id = crypto.randomUUID().slice(0, 8);
  const topic = `soak-in-${id}`;
  const prefix = `soak-out-${id}`;
  const started = systemClock.monotonic();
  const produced = await produceChild(bootstrap, topic, { rows, partitions }).json("soak producer");
  log(`soak: ${produced.rows} transactions in ${topic}`);

  // Progress is the sum of committed offsets over partitions, as reported by the live worker.
  const committed = new Map<number, number>();
  const progress = () => [...committed.values()].reduce((a, b) => a + b, 0);
  const recoveryMs: number[] = [];
  const isCommit = (line: string) => line.startsWith("commit ");
  const track = (line: string) => {
    const m = /^commit (\d+) (\d+)$/.exec(line);
    if (m) committed.set(Number(m[1]), Number(m[2]));
  };
  const spawn = () =>
    new Child(WORKER, [
      ...workerArgs(bootstrap, topic, prefix, "exactly-once", Math.max(1, rows - progress()), false),
      "--session-timeout-ms",
      "6000",
      "--progress",
    ], track);
  let worker = spawn();
  for (let k = 1; k <= kills; k++) {
    const at = Math.floor((rows * k) / (kills + 1));
    await worker.waitFor((line) => isCommit(line) && progress() >= at, `soak: progress to ${at}`);
    if (progress() >= rows) break; // nothing left to recover: fewer kills than asked are reported
    worker.kill("SIGKILL");
    const killedAt = systemClock.monotonic();
    await worker.exit();
    // The replacement's --expect counts only what it commits itself: what is left, at least 1.
    worker = spawn();
    await worker.waitFor(isCommit, `soak: first commit after kill ${k}`);
    recoveryMs.push(systemClock.monotonic() - killedAt);
    log(`soak: kill ${k} at ${progress()} committed; recovered in ${recoveryMs.at(-1)!.toFixed(0)} ms`);
  }
  if (progress() < rows) await worker.waitFor(() => progress() >= rows, "soak: every record committed");
  worker.kill("SIGTERM");
  await worker.exit();

  const kafka = new Kafka({ clientId: "bench-soak", brokers: [bootstrap], logLevel: QUIET });
  const input = await readToEnd(kafka, [topic], { partitions, readUncommitted: false });
  const logs: { offset: number; value: Uint8Array }[][] = Array.from({ length: partitions }, () => []);
  const encoder = new TextEncoder();
  for (const r of input) logs[r.partition]!.push({ offset: r.offset, value: encoder.encode(r.value) });
  const expected: string[] = [];
  for (const [p, records] of logs.entries()) {
    const processor = new PartitionProcessor(p, {
      window: BENCH_WINDOW,
      allowedLatenessMs: BENCH_LATENESS_MS,
      decode: transactionDecoder("account"),
      aggregate: AMOUNT_STATS,
    });
    for (const o of processor.process(records, 0).outputs) {
      expected.push(`${o.stream}|${p}|${o.key}|${JSON.stringify(o.value)}`);
    }
  }
  const topics = STREAMS.map((s) => outputTopic(prefix, s));
  const asLine = (r: { topic: string; partition: number; key: string; value: string }) =>
    `${r.topic.slice(prefix.length + 1)}|${r.partition}|${r.key}|${r.value}`;
  const committedOut = (await readToEnd(kafka, topics, { partitions, readUncommitted: false })).map(asLine);
  const everything = await readToEnd(kafka, [...topics, changelogTopic(prefix)], {
    partitions,
    readUncommitted: true,
  });
  const uncommittedOutputs = everything.filter((r) => !r.topic.endsWith(".changelog")).length;
  const counts = new Map<string, number>();
  for (const line of expected) counts.set(line, (counts.get(line) ?? 0) + 1);
  let duplicated = 0;
  for (const line of committedOut) {
    const left = counts.get(line) ?? 0;
    if (left === 0) duplicated++;
    else counts.set(line, left - 1);
  }
  const lost = [...counts.values()].reduce((a, b) => a + b, 0);
  const windowsEqual = lost === 0 && duplicated === 0;
  return {
    rows,
    kills: recoveryMs.length,
    recoveryMs,
    committedOutputs: committedOut.length,
    expectedOutputs: expected.length,
    lost,
    duplicated,
    uncommittedOutputs,
    windowsEqual,
    seconds: (systemClock.monotonic() - started) / 1000,
  };
}
