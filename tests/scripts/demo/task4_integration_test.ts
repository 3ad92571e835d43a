import assert from "node:assert/strict";
import { systemClock } from "../../../actors/clock.ts";
import { Frontier } from "../../../mod.ts";
import { runTask4, task4Lines } from "../../../scripts/demo/task4.ts";

Deno.test("demo Task 4 trains its model, streams with disorder and prints reconciled counts", async () => {
  const out = await Deno.makeTempDir({ prefix: "frontier-demo-task4-" });
  try {
    await using fx = await Frontier.start({ executors: 1 });
    const logged: string[] = [];
    const s = await runTask4(fx, {
      out,
      seed: 42,
      rows: 3_000,
      trainRows: 4_000,
      cluster: "embedded, 1 executor",
      clock: systemClock,
      log: (line) => logged.push(line),
    });
    const m = s.metrics;
    assert.equal(m.consumed, 3_000);
    assert.ok(m.reconciled);
    assert.ok(m.late > 0 && m.duplicates > 0 && m.quarantined > 0, JSON.stringify(m));
    for (const stream of ["windows", "alerts", "account_anomalies", "trends"]) {
      assert.ok((m.outputs[stream] ?? 0) > 0, `${stream}: ${JSON.stringify(m.outputs)}`);
    }
    assert.equal(s.model, `${out}/models/lr`);
    const lines = task4Lines(s).join("\n");
    assert.match(lines, new RegExp(`windows ${m.outputs["windows"]}, alerts ${m.outputs["alerts"]} `));
    assert.match(
      lines,
      /consumed 3000 = aggregated \d+ \+ late \d+ \+ duplicates \d+ \+ quarantined \d+: reconciled/,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
