import assert from "node:assert/strict";
import { join } from "node:path";

import { spawnFrontier } from "./cli_process.ts";
import { frontierJson as frontier } from "./stream_fixture.ts";

async function lines(dir: string, stream: string): Promise<number> {
  let n = 0;
  for await (const f of Deno.readDir(join(dir, stream))) {
    n += (await Deno.readTextFile(join(dir, stream, f.name))).split("\n").filter((l) => l !== "").length;
  }
  return n;
}

const DISORDERED = [
  "--rows",
  "8000",
  "--partitions",
  "2",
  "--span",
  "1d",
  "--out-of-order",
  "0.2",
  "--late",
  "0.03",
  "--duplicates",
  "0.03",
  "--malformed",
  "0.02",
];

Deno.test("stream status --json reads the metrics of a finished run: counts reconcile with the outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-stream-status-" });
  try {
    const out = join(dir, "run");
    const run = await frontier([
      "stream",
      "run",
      "--source",
      "embedded",
      ...DISORDERED,
      "--anomalies",
      "--trends",
      "--out",
      out,
      "--json",
    ]);
    const s = await frontier(["stream", "status", "--out", out, "--json"]);
    assert.equal(s["state"], "finished");
    for (const k of ["consumed", "aggregated", "late", "duplicates", "quarantined"]) {
      assert.equal(s[k], run[k], k);
    }
    const n = (k: string) => s[k] as number;
    assert.equal(n("consumed"), 8000);
    assert.equal(n("consumed"), n("aggregated") + n("late") + n("duplicates") + n("quarantined"));
    assert.equal(s["reconciled"], true);
    assert.ok(n("late") > 0 && n("duplicates") > 0 && n("quarantined") > 0);
    const outputs = s["outputs"] as Record<string, number>;
    for (
      const stream of ["windows", "late", "dead_letter", "account_anomalies", "segment_anomalies", "trends"]
    ) {
      assert.equal(outputs[stream], await lines(out, stream), stream);
    }
    assert.equal(outputs["late"], n("late"));
    assert.equal(outputs["dead_letter"], n("quarantined"));
    assert.ok(outputs["account_anomalies"]! > 0 && outputs["trends"]! > 0, JSON.stringify(outputs));
    const latency = s["latencyMs"] as { p50: number; p99: number; max: number; samples: number };
    assert.equal(latency.samples, 8000, "every record's latency is measured");
    assert.ok(
      latency.p50 > 0 && latency.p50 <= latency.p99 && latency.p99 <= latency.max,
      JSON.stringify(latency),
    );
    const rate = s["inputRate"] as { overall: number };
    assert.ok(
      rate.overall > 0 && n("processingRate") >= rate.overall,
      `${n("processingRate")} vs ${rate.overall}`,
    );
    // The operator watermark trails the newest event by the lateness, plus the partitions' skew.
    assert.ok(n("watermarkLagMs") >= 30_000, String(s["watermarkLagMs"]));
    const state = s["stateSize"] as { openPanes: number; rememberedIds: number };
    assert.ok(state.openPanes > 0 && state.rememberedIds > 0);
    assert.equal((s["partitions"] as unknown[]).length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream status sees a run while it runs, and says it is gone after kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-stream-status-" });
  const out = join(dir, "run");
  await Deno.mkdir(out, { recursive: true });
  const child = spawnFrontier([
    "stream",
    "run",
    "--source",
    "embedded",
    "--rows",
    "1000000",
    "--rate",
    "2000",
    "--out",
    out,
  ], { stderr: "null" });
  try {
    // Wait for the first metrics file with consumed records (an event, not a timer).
    const watcher = Deno.watchFs(out, { recursive: false });
    let running: Record<string, unknown> | undefined;
    for await (const e of watcher) {
      if (!e.paths.some((p) => p.endsWith("_metrics.json"))) continue;
      const s = await frontier(["stream", "status", "--out", out, "--json"]);
      if ((s["consumed"] as number) > 0) {
        running = s;
        break;
      }
    }
    watcher.close();
    assert.equal(running?.["state"], "running");
    assert.equal(running?.["pid"], child.pid);
    assert.ok((running?.["consumed"] as number) < 1_000_000);
    assert.equal(running?.["reconciled"], true);
    child.kill("SIGKILL");
    await child.status;
    const gone = await frontier(["stream", "status", "--out", out, "--json"]);
    assert.equal(gone["state"], "gone");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already ended */ }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
