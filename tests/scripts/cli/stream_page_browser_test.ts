import assert from "node:assert/strict";
import { join } from "node:path";
import { requireChromium, SKIP_BROWSER } from "../report/headless_chromium.ts";
import { openLivePage } from "../report/chromium_page.ts";
import { embeddedFlags, type GeneratedRows, spawnFrontier, trainFraudModel } from "./stream_fixture.ts";

const MODEL_ROWS: GeneratedRows = {
  rows: 3_000,
  seed: 5,
  fraudRate: 0.05,
  outOfOrder: 0,
  latenessMs: 30_000,
  days: 1,
};

/** The page's figures once `ready` (a JS condition on `f`, the figures) holds: waits on the page's own updates. */
function figuresWhen(ready: string): string {
  return `new Promise((resolve) => {
    const num = (id) => Number(document.getElementById(id).textContent.replace(/,/g, ""));
    const read = () => ({
      updates: Number(document.body.dataset.updates ?? 0),
      consumed: num("consumed"), aggregated: num("aggregated"), late: num("late"),
      duplicates: num("duplicates"), quarantined: num("quarantined"),
      windows: num("windows"), alerts: num("alerts"), anomalies: num("anomalies"),
      reconciled: document.getElementById("reconciled").textContent,
      lag: document.getElementById("lag").textContent,
      latency: document.getElementById("latency").textContent,
      status: document.getElementById("status").textContent,
      windowRows: document.getElementById("t-windows").rows.length,
      alertRows: document.getElementById("t-alerts").rows.length,
    });
    const check = () => { const f = read(); if (${ready}) { observer.disconnect(); resolve(f); } };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    check();
  })`;
}

Deno.test({
  name:
    "stream run --serve: the live page shows windows, alerts and lag, and newer numbers after more events",
  ignore: SKIP_BROWSER,
  fn: async () => {
    await requireChromium();
    const dir = await Deno.makeTempDir({ prefix: "frontier-stream-page-" });
    const modelDir = await trainFraudModel(dir, MODEL_ROWS);
    // A paced run, long enough to be watched; --threshold 0.2 makes alerts frequent.
    const child = spawnFrontier([
      "stream",
      "run",
      ...embeddedFlags({ ...MODEL_ROWS, rows: 1_000_000, days: 60 }),
      "--late",
      "0.02",
      "--rate",
      "1500",
      "--accounts",
      "200",
      "--model",
      modelDir,
      "--threshold",
      "0.2",
      "--anomalies",
      "--serve",
      "0",
      "--out",
      join(dir, "run"),
    ]);
    const stderr: string[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        (async () => {
          let found = false;
          for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
            stderr.push(chunk);
            const m = /live page: (http:\/\/\S+)/.exec(stderr.join(""));
            if (m && !found) {
              found = true;
              resolve(m[1]!);
            }
          }
          if (!found) reject(new Error(`stream run ended without serving: ${stderr.join("")}`));
        })().catch(reject);
      });
      await using page = await openLivePage(dir, url);
      type Figures = Record<string, number | string>;
      const first = await page.evaluate<Figures>(
        figuresWhen("f.consumed > 0 && f.windows > 0 && f.alerts > 0"),
      );
      const server = await (await fetch(`${url}api/metrics`)).json() as { metrics: { consumed: number } };
      assert.ok(Number(first.consumed) <= server.metrics.consumed, "the page shows the server's numbers");
      assert.equal(first.status, "(running)");
      assert.equal(first.reconciled, "yes");
      assert.equal(
        Number(first.consumed),
        Number(first.aggregated) + Number(first.late) + Number(first.duplicates) + Number(first.quarantined),
      );
      assert.match(String(first.lag), /^\d+\.\d s$/);
      assert.match(String(first.latency), /^\d[\d,]* \/ \d[\d,]*$/);
      assert.ok(Number(first.windowRows) > 1 && Number(first.alertRows) > 1, JSON.stringify(first));

      // More events arrive; the same page, without a reload, shows larger numbers.
      const later = await page.evaluate<Figures>(
        figuresWhen(
          `f.consumed > ${first.consumed} && f.windows > ${first.windows} && f.alerts > ${first.alerts} && f.late > ${first.late}`,
        ),
      );
      assert.ok(Number(later.updates) > Number(first.updates));
      assert.equal(later.reconciled, "yes");
      assert.match(String(later.lag), /^\d+\.\d s$/);
    } finally {
      try {
        child.kill("SIGTERM");
      } catch { /* ended */ }
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
