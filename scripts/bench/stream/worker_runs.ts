/**
 * The Frontier worker runs of the streaming benchmark (`bench.ts`): drains by one or more member
 * processes, and paced runs against the Java load generator (`paced_producer.ts`).
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { systemClock } from "../../../actors/clock.ts";
import { Child } from "./child.ts";
import { runPacedProducer } from "./paced_producer.ts";
import type { WorkerRun } from "./stream_figures.ts";

const WORKER = new URL("./frontier_worker.ts", import.meta.url);
/** The latency bound a sustained rate must keep (p99, ms). */
export const P99_BOUND_MS = 1000;
/** Partitions of every benchmark topic. */
export const PARTITIONS = 4;
/** A paced load counts only if the producer sent at least this share of its target rate. */
export const PRODUCED_SHARE = 0.95;

/** A delivery guarantee of the worker. */
export type Guarantee = "at-least-once" | "exactly-once";

/** The worker's command line. */
export function workerArgs(
  bootstrap: string,
  topic: string,
  prefix: string,
  g: Guarantee,
  expect: number,
  pack: boolean,
): string[] {
  return [
    ...(pack ? ["--pack-outputs"] : []),
    "--bootstrap",
    bootstrap,
    "--topic",
    topic,
    "--prefix",
    prefix,
    "--guarantee",
    g,
    "--expect",
    String(expect),
  ];
}

/** Waits until the worker's consumer group is stable with a member: it owns the partitions. */
async function groupStable(kafka: Kafka, groupId: string, worker: Child): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let exited = false;
  worker.exit().then(() => exited = true);
  try {
    for (;;) {
      if (exited) throw new Error(`the worker of ${groupId} exited before joining`);
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === "Stable" && groups[0].members.length > 0) return;
      await systemClock.sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Drains `topic` (holding `rows` records) with `members` worker processes of one consumer group;
 * once the group's committed offsets reach `rows` the workers are stopped. Events/s is `rows` over
 * the span from the first record any member read to the last commit of any member.
 */
export async function drainWithMembers(
  kafka: Kafka,
  run: {
    bootstrap: string;
    topic: string;
    prefix: string;
    guarantee: Guarantee;
    rows: number;
    members: number;
    pack: boolean;
  },
): Promise<{ members: number; eventsPerSecond: number; cpuMicrosPerEvent: number }> {
  const groupId = `bench-${run.prefix}`;
  const workers = Array.from(
    { length: run.members },
    () =>
      new Child(WORKER, workerArgs(run.bootstrap, run.topic, run.prefix, run.guarantee, run.rows, run.pack)),
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (;;) {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [run.topic] });
      const done = (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      if (done >= run.rows) break;
      await systemClock.sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
  for (const w of workers) w.kill("SIGTERM");
  const runs = await Promise.all(workers.map((w) => w.json("member"))) as unknown as (WorkerRun & {
    firstRecordAt: number;
    lastCommitAt: number;
  })[];
  const seconds =
    (Math.max(...runs.map((r) => r.lastCommitAt)) - Math.min(...runs.map((r) => r.firstRecordAt))) /
    1000;
  const records = runs.reduce((n, r) => n + r.records, 0);
  return {
    members: run.members,
    eventsPerSecond: run.rows / seconds,
    cpuMicrosPerEvent: runs.reduce((n, r) => n + r.cpuMicrosPerEvent * r.records, 0) / records,
  };
}

/**
 * One paced run: a fresh topic, a worker that joined its group, then the Java producer
 * (`paced_producer.ts`) sending `rate × seconds` records at `rate`. `bounded`: p99 within
 * {@linkcode P99_BOUND_MS} and the producer kept at least {@linkcode PRODUCED_SHARE} of the rate.
 */
export async function pacedRun(
  kafka: Kafka,
  run: {
    bootstrap: string;
    guarantee: Guarantee;
    rate: number;
    seconds: number;
    warmupSeconds: number;
    lines: string;
    pack: boolean;
    id: string;
    label: string;
    log: (line: string) => void;
  },
): Promise<Record<string, unknown> & { producedRate: number; bounded: boolean }> {
  const { guarantee: g, rate } = run;
  const rows = Math.round(rate * (run.seconds + run.warmupSeconds));
  const topic = `bench-paced-${g}-${rate}-${run.id}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const worker = new Child(WORKER, [
    ...workerArgs(run.bootstrap, topic, `${topic}-out`, g, rows, run.pack),
    "--warmup-ms",
    String(run.warmupSeconds * 1000),
  ]);
  await groupStable(kafka, `bench-${topic}-out`, worker);
  const [result, sent] = await Promise.all([
    worker.json(`${g} worker at ${rate}/s`),
    runPacedProducer(run.bootstrap, { topic, file: run.lines, rows, rate }),
  ]);
  const w = result as unknown as WorkerRun & {
    batchRecords: { p50: number };
    batchMs: { p50: number; p99: number };
    waitMs: { p50: number; p99: number };
    warmup: { latencyMs: { p99: number } };
  };
  const kept = sent.eventsPerSecond >= PRODUCED_SHARE * rate;
  const bounded = kept && w.latencyMs.p99 <= P99_BOUND_MS;
  run.log(
    `stream bench: ${g} at ${rate} events/s (${run.label}): p50 ${w.latencyMs.p50.toFixed(0)} ms, p99 ${
      w.latencyMs.p99.toFixed(0)
    } ms (before the batch ${w.waitMs.p50}/${w.waitMs.p99} ms; batch p50 ${w.batchRecords.p50} records, ` +
      `${w.batchMs.p50}/${w.batchMs.p99} ms p50/p99; producer ${sent.eventsPerSecond.toFixed(0)}/s, ` +
      `${
        sent.producerCpuMicrosPerEvent.toFixed(1)
      } CPU µs/event; the first ${run.warmupSeconds} s, left out: p99 ${
        w.warmup.latencyMs.p99.toFixed(0)
      } ms)${kept ? "" : ": the producer fell behind"}`,
  );
  return {
    targetRate: rate,
    producedRate: sent.eventsPerSecond,
    producerCpuMicrosPerEvent: sent.producerCpuMicrosPerEvent,
    bounded,
    ...result,
  };
}
