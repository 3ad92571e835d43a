import assert from "node:assert/strict";
import { type CommitReport, MetricsCollector, RECENT_MS } from "../../streaming/mod.ts";
import { rng } from "../cluster/test_rng.ts";

function report(partition: number, over: Partial<CommitReport> = {}): CommitReport {
  return {
    partition,
    nextOffset: 0,
    outputs: 0,
    counts: { consumed: 0, aggregated: 0, late: 0, duplicates: 0, quarantined: 0 },
    records: 0,
    batchMs: 1,
    watermark: -Infinity,
    openPanes: 0,
    rememberedIds: 0,
    ...over,
  };
}

/** Nearest-rank quantile of `xs`. */
function exactQuantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}

Deno.test("latency quantiles are within the 5 % bucket width of the exact ones; every record is one sample", () => {
  const c = new MetricsCollector({ startedAt: 0, startedMono: 0, allowedLatenessMs: 0 });
  const random = rng(7);
  const all: number[] = [];
  for (let batch = 0; batch < 200; batch++) {
    const committedAt = 1_000_000 + batch * 100;
    const records = Array.from({ length: 50 }, () => {
      // Log-normal-ish latencies from ~2 ms to ~20 s, some without a timestamp (hand-over time).
      const latency = Math.exp(1 + 9 * random() ** 2);
      const withStamp = random() < 0.8;
      const timestamp = committedAt - latency;
      all.push(withStamp ? committedAt - timestamp : 40);
      return withStamp ? { timestamp } : {};
    });
    c.committed(records, committedAt - 40, committedAt, []);
  }
  const m = c.snapshot(0, 0).latencyMs;
  assert.equal(m.samples, all.length);
  assert.equal(m.max, Math.max(...all));
  for (const [q, got] of [[0.5, m.p50], [0.99, m.p99]] as const) {
    const want = exactQuantile(all, q);
    assert.ok(got >= want && got <= want * 1.05 + 1e-9, `p${q * 100}: ${got} vs exact ${want}`);
  }
});

Deno.test("counts sum over partitions and reconcile; rates, watermark lag and outputs per stream", () => {
  const c = new MetricsCollector({ startedAt: 5_000, startedMono: 100, allowedLatenessMs: 30_000 });
  const counts = (consumed: number) => ({
    consumed,
    aggregated: consumed - 3,
    late: 1,
    duplicates: 1,
    quarantined: 1,
  });
  c.report(report(0, { counts: counts(100), watermark: 50_000, batchMs: 200, openPanes: 4 }), 1_100);
  c.committed([{}, {}], 1_000, 1_100, [
    { stream: "windows", key: "a", value: { n: 1 } },
    { stream: "alerts", key: "a", value: { p: 0.9 } },
    { stream: "windows", key: "b", value: { n: 2 } },
  ]);
  let m = c.snapshot(9_000, 1_100);
  assert.equal(m.watermark, 50_000);
  assert.equal(m.watermarkLagMs, 30_000, "one partition: the lag is the lateness");
  c.report(report(1, { counts: counts(300), watermark: 20_000, batchMs: 300, rememberedIds: 7 }), 2_100);
  m = c.snapshot(10_000, 2_100);
  assert.equal(m.consumed, 400);
  assert.equal(m.aggregated + m.late + m.duplicates + m.quarantined, 400);
  assert.equal(m.reconciled, true);
  assert.equal(m.seconds, 2);
  assert.equal(m.inputRate.overall, 200);
  assert.equal(m.inputRate.recent, 300 / 1, "300 more records in the last second");
  assert.equal(m.processingRate, 400 / 0.5, "400 records in 500 ms of processing");
  assert.equal(m.watermark, 20_000, "the operator watermark is the minimum");
  assert.equal(m.watermarkLagMs, 50_000 + 30_000 - 20_000, "newest event − operator watermark");
  assert.deepEqual(m.stateSize, { openPanes: 4, rememberedIds: 7 });
  assert.deepEqual(m.outputs, { windows: 2, alerts: 1 });
  assert.deepEqual(c.recent("windows"), [{ n: 1 }, { n: 2 }]);
  assert.equal(m.status, "running");
  c.end(new Error("broker gone"));
  const failed = c.snapshot(11_000, 2_200);
  assert.equal(failed.status, "failed");
  assert.equal(failed.error, "broker gone");
  // The recent rate forgets what is older than RECENT_MS.
  c.report(report(1, { counts: counts(300) }), 2_100 + 2 * RECENT_MS);
  assert.equal(c.snapshot(0, 2_100 + 2 * RECENT_MS).inputRate.recent, 0);
});

Deno.test("a watermark is null until every reporting partition has one; recent outputs are bounded", () => {
  const c = new MetricsCollector({ startedAt: 0, startedMono: 0, allowedLatenessMs: 10, recent: 2 });
  c.report(report(0, { watermark: 5 }), 0);
  c.report(report(1), 0);
  const m = c.snapshot(0, 0);
  assert.equal(m.watermark, null);
  assert.equal(m.watermarkLagMs, null);
  for (let i = 0; i < 5; i++) c.committed([], 0, 0, [{ stream: "late", key: "k", value: i }]);
  assert.deepEqual(c.recent("late"), [3, 4]);
  assert.throws(() =>
    new MetricsCollector({ startedAt: 0, startedMono: 0, allowedLatenessMs: 0, recent: -1 })
  );
});
