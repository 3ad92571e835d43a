/**
 * Small pure helpers of the streaming benchmark: quantiles, and the printed figures, ratios and
 * verdicts on its targets.
 *
 * @module
 */
import type { SoakResult } from "./kill_soak.ts";
import type { SparkStreamRun } from "./spark_side.ts";

const P99_BOUND = "1000 ms";

/** What a `frontier_worker.ts` run reports. */
export interface WorkerRun {
  records: number;
  cpuMicrosPerEvent: number;
  seconds: number;
  eventsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The `q` quantile of `xs` (nearest rank; 1 is the maximum), 0 when empty. */
export function quantile(xs: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
  if (xs.length === 0) return 0;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))]!;
}

/** The parts of the report the summary reads. */
export interface Summary {
  frontier?: Record<
    string,
    {
      packOutputs?: boolean;
      throughput: WorkerRun;
      throughputUnpacked?: WorkerRun;
      twoMembers?: { members: number; eventsPerSecond: number; cpuMicrosPerEvent: number };
      probes?: (WorkerRun & { targetRate: number; bounded: boolean })[];
      loads: Record<string, WorkerRun & { targetRate: number }>;
      sustainedEventsPerSecond: number | null;
    }
  >;
  spark?: { throughput: SparkStreamRun; at50: SparkStreamRun & { targetRate: number } };
  soak?: SoakResult;
  skipped: Record<string, string>;
}

/** Prints the figures, the ratios against Spark and the verdicts on the targets. */
export function printSummary(report: Summary, log: (line: string) => void): void {
  const f = report.frontier;
  const rows: string[] = [];
  const checks: [string, boolean | undefined, string][] = [];
  for (const [g, target] of [["at-least-once", 100_000], ["exactly-once", 50_000]] as const) {
    const r = f?.[g];
    if (!r) continue;
    rows.push(
      `frontier ${g}${r.packOutputs ? " (packed outputs)" : ""}: ` +
        `${r.throughput.eventsPerSecond.toFixed(0)} events/s drained ` +
        `(${r.throughput.cpuMicrosPerEvent.toFixed(1)} CPU µs/event); sustained with p99 <= ${P99_BOUND}: ` +
        (r.sustainedEventsPerSecond === null ? "no rate tried" : `${r.sustainedEventsPerSecond}/s`),
    );
    for (const probe of r.probes ?? []) {
      rows.push(
        `  sustained-rate probe ${probe.targetRate}/s: p99 ${probe.latencyMs.p99.toFixed(0)} ms` +
          (probe.bounded ? " (bounded)" : " (not bounded)"),
      );
    }
    if (r.throughputUnpacked) {
      rows.push(`  unpacked outputs: ${r.throughputUnpacked.eventsPerSecond.toFixed(0)} events/s drained`);
    }
    if (r.twoMembers) {
      rows.push(
        `  2 members (processes): ${r.twoMembers.eventsPerSecond.toFixed(0)} events/s drained ` +
          `(${r.twoMembers.cpuMicrosPerEvent.toFixed(1)} CPU µs/event)`,
      );
    }
    for (const [k, l] of Object.entries(r.loads)) {
      rows.push(
        `  at ${k} of sustained (${l.targetRate}/s): p50 ${l.latencyMs.p50.toFixed(0)} ms, p99 ${
          l.latencyMs.p99.toFixed(0)
        } ms`,
      );
    }
    const best = Math.max(r.throughput.eventsPerSecond, r.twoMembers?.eventsPerSecond ?? 0);
    checks.push([
      `${g} >= ${target} events/s (best of 1 and 2 members)`,
      best >= target,
      `${best.toFixed(0)}`,
    ]);
    const half = r.loads["50%"];
    if (half) {
      checks.push([
        `${g} p99 <= 100 ms at 50 % load`,
        half.latencyMs.p99 <= 100,
        `${half.latencyMs.p99.toFixed(0)} ms`,
      ]);
    }
  }
  const s = report.spark;
  if (s) {
    rows.push(
      `spark: ${
        s.throughput.rowsPerSecond.toFixed(0)
      } rows/s drained; at ${s.at50.targetRate}/s batch p50 ${s.at50.batchMs.p50} ms, p99 ${s.at50.batchMs.p99} ms`,
    );
    const alo = f?.["at-least-once"];
    if (alo) {
      const ratio = alo.throughput.eventsPerSecond / s.throughput.rowsPerSecond;
      rows.push(`ratio frontier ALO / spark throughput: ${ratio.toFixed(2)}x`);
      checks.push(["frontier >= spark throughput", ratio >= 1, `${ratio.toFixed(2)}x`]);
      const half = alo.loads["50%"];
      if (half) {
        const lat = half.latencyMs.p99 / Math.max(1, s.at50.batchMs.p99);
        rows.push(`ratio frontier p99 latency / spark batch p99 at 50 %: ${lat.toFixed(3)}`);
        checks.push(["frontier p99 <= 1/10 of spark's", lat <= 0.1, lat.toFixed(3)]);
      }
    }
  } else if (report.skipped.spark) rows.push(`spark: skipped: ${report.skipped.spark}`);
  const soak = report.soak;
  if (soak) {
    rows.push(
      `soak: ${soak.rows} events, ${soak.kills} kill -9: lost ${soak.lost}, duplicated ${soak.duplicated}, ` +
        `${soak.committedOutputs}/${soak.expectedOutputs} outputs, ${soak.uncommittedOutputs} read uncommitted; ` +
        `recovery ${soak.recoveryMs.map((x) => x.toFixed(0)).join(", ")} ms`,
    );
    checks.push([
      "soak: 0 lost, 0 duplicated, windows equal",
      soak.windowsEqual,
      `${soak.lost}/${soak.duplicated}`,
    ]);
    checks.push([
      "soak: aborted copies seen",
      soak.uncommittedOutputs > soak.committedOutputs,
      `${soak.uncommittedOutputs - soak.committedOutputs}`,
    ]);
  } else if (report.skipped.soak) rows.push(`soak: skipped: ${report.skipped.soak}`);
  log("\n== streaming benchmark ==");
  for (const r of rows) log(r);
  for (const [name, met, detail] of checks) log(`${met ? "MET    " : "NOT MET"} ${name} (${detail})`);
}
