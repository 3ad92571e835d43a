import assert from "node:assert/strict";
import { measureAskLatency, quantile } from "../../../../scripts/bench/runtime/runtime_micro.ts";
import { sumReceivedByPid } from "../../../../scripts/bench/runtime/shuffle_micro.ts";

Deno.test("quantile takes the nearest-rank value of sorted samples", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(xs, 0.5), 50);
  assert.equal(quantile(xs, 0.99), 99);
  assert.equal(quantile(xs, 1), 100);
  assert.equal(quantile([7], 0.5), 7);
  assert.throws(() => quantile([], 0.5), RangeError);
  assert.throws(() => quantile(xs, 2), RangeError);
});

Deno.test("measureAskLatency over memory and Worker transports returns ordered percentiles", async () => {
  for (const transport of ["memory", "worker"] as const) {
    const r = await measureAskLatency(transport, { asks: 50, warmup: 5 });
    assert.equal(r.transport, transport);
    assert.equal(r.asks, 50);
    assert.ok(
      r.minUs > 0 && r.minUs <= r.p50Us && r.p50Us <= r.p99Us && r.p99Us <= r.maxUs,
      JSON.stringify(r),
    );
  }
});

Deno.test("measureAskLatency over WebSocket echoes through a worker on 127.0.0.1", async () => {
  const r = await measureAskLatency("websocket", { asks: 3, warmup: 1 });
  assert.equal(r.asks, 3);
  assert.match(r.peer, /ws:\/\/127\.0\.0\.1:\d+/);
});

Deno.test("sumReceivedByPid sums bytes_received of the sockets the given processes own", () => {
  const ss = [
    'ESTAB 0 0 127.0.0.1:40000 127.0.0.1:5000 users:(("deno",pid=11,fd=3))',
    "\t cubic rtt:0.1 bytes_sent:10 bytes_acked:10 bytes_received:1000 segs_out:3",
    'ESTAB 0 0 127.0.0.1:40001 127.0.0.1:5000 users:(("deno",pid=12,fd=3))',
    "\t cubic bytes_received:250 segs_out:3",
    'ESTAB 0 0 127.0.0.1:5000 127.0.0.1:40000 users:(("deno",pid=99,fd=9))',
    "\t cubic bytes_received:777",
    "",
  ].join("\n");
  assert.equal(sumReceivedByPid(ss, [11, 12]), 1250);
  assert.equal(sumReceivedByPid(ss, [99]), 777);
  assert.equal(sumReceivedByPid(ss, [5]), 0);
});
