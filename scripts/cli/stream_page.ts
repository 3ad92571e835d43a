/**
 * The live page of `frontier stream run --serve PORT`: a local HTTP server (127.0.0.1 only) with
 * one self-contained page that polls `/api/metrics` twice a second and shows the counts and their
 * reconciliation, rates, latency, watermark lag, state size, and the latest windows, alerts,
 * anomalies and trends. Values are written with `textContent`, never as HTML.
 *
 * @module
 */
import type { Json } from "../../streaming/partition_processor.ts";
import type { StreamQuery } from "../../streaming/stream_query.ts";
import type { CliIo } from "./common.ts";

/** A running page server. */
export interface PageServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
}

/** The JSON of `/api/metrics`: the run, its metrics, and its latest outputs per stream. */
export function pageState(
  info: Readonly<Record<string, unknown>>,
  query: StreamQuery,
): { info: Readonly<Record<string, unknown>>; metrics: unknown; recent: Record<string, readonly Json[]> } {
  const recent: Record<string, readonly Json[]> = {};
  for (const s of query.streams) recent[s] = query.recent(s);
  return { info, metrics: query.metrics(), recent };
}

/** Serves the page of `query` on 127.0.0.1:`port` (0: a free port) until disposed. */
export function servePage(
  port: number,
  deps: { readonly info: Readonly<Record<string, unknown>>; readonly query: StreamQuery; readonly io: CliIo },
): PageServer {
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    signal: controller.signal,
    onListen: () => {},
  }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/") return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
    if (path === "/api/metrics") {
      return new Response(JSON.stringify(pageState(deps.info, deps.query)), {
        headers: { "content-type": "application/json", "cache-control": "no-store" },
      });
    }
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    [Symbol.asyncDispose]: async () => {
      controller.abort();
      await server.finished;
    },
  };
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Frontier stream</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.4em}
.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ccc;border-radius:6px;padding:.5em .8em;min-width:9em}
.card b{display:block;font-size:1.3em}table{border-collapse:collapse;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:.2em .6em;text-align:left}.bad{color:#b00}.ok{color:#070}
</style></head><body>
<h1>Frontier stream <span id="status">…</span></h1>
<p id="run"></p>
<div class="cards">
<div class="card">consumed<b id="consumed">0</b></div>
<div class="card">aggregated<b id="aggregated">0</b></div>
<div class="card">late<b id="late">0</b></div>
<div class="card">duplicates<b id="duplicates">0</b></div>
<div class="card">quarantined<b id="quarantined">0</b></div>
<div class="card">reconciled<b id="reconciled">-</b></div>
<div class="card">input events/s<b id="rate">0</b></div>
<div class="card">processing events/s<b id="processing">0</b></div>
<div class="card">latency p50 / p99 ms<b id="latency">-</b></div>
<div class="card">watermark lag<b id="lag">-</b></div>
<div class="card">state (panes / ids)<b id="state">-</b></div>
<div class="card">windows<b id="windows">0</b></div>
<div class="card">alerts<b id="alerts">0</b></div>
<div class="card">anomalies<b id="anomalies">0</b></div>
</div>
<h2>Latest windows</h2><table id="t-windows"></table>
<h2>Latest alerts</h2><table id="t-alerts"></table>
<h2>Latest anomalies</h2><table id="t-anomalies"></table>
<h2>Latest trends</h2><table id="t-trends"></table>
<script>
const $ = (id) => document.getElementById(id);
const n = (x) => x === null || x === undefined ? "-" : Math.round(x).toLocaleString("en-US");
const t = (ms) => ms === null || ms === undefined ? "-" : new Date(ms).toISOString().replace(".000Z", "Z");
function table(id, head, rows) {
  const el = $(id);
  el.replaceChildren();
  const tr = el.insertRow();
  for (const h of head) { const th = document.createElement("th"); th.textContent = h; tr.append(th); }
  for (const r of rows) { const row = el.insertRow(); for (const c of r) row.insertCell().textContent = String(c); }
}
async function tick() {
  const s = await (await fetch("/api/metrics", { cache: "no-store" })).json();
  const m = s.metrics, o = m.outputs, rec = s.recent;
  $("status").textContent = "(" + m.status + ")";
  $("run").textContent = s.info.source + " → " + s.info.out + ", key " + s.info.key +
    (s.info.model ? ", model " + s.info.model.kind + " (threshold " + s.info.model.threshold.toPrecision(3) + ")" : "");
  for (const k of ["consumed", "aggregated", "late", "duplicates", "quarantined"]) $(k).textContent = n(m[k]);
  $("reconciled").textContent = m.reconciled ? "yes" : "NO";
  $("reconciled").className = m.reconciled ? "ok" : "bad";
  $("rate").textContent = n(m.inputRate.recent);
  $("processing").textContent = n(m.processingRate);
  $("latency").textContent = n(m.latencyMs.p50) + " / " + n(m.latencyMs.p99);
  $("lag").textContent = m.watermarkLagMs === null ? "-" : (m.watermarkLagMs / 1000).toFixed(1) + " s";
  $("state").textContent = n(m.stateSize.openPanes) + " / " + n(m.stateSize.rememberedIds);
  $("windows").textContent = n(o.windows ?? 0);
  $("alerts").textContent = n(o.alerts ?? 0);
  $("anomalies").textContent = n((o.account_anomalies ?? 0) + (o.segment_anomalies ?? 0));
  const last = (xs) => (xs ?? []).slice(-8).reverse();
  table("t-windows", ["key", "start", "end", "events", "sum"], last(rec.windows).map((w) =>
    [w.key, t(w.start), t(w.end), w.events, w.result && w.result.sum !== undefined ? (w.result.sum / 100).toFixed(2) : JSON.stringify(w.result)]));
  table("t-alerts", ["transaction", "account", "probability", "top features"], last(rec.alerts).filter((a) => a.type === "alert").map((a) =>
    [a.row.transaction_id, a.row.account_id, a.probability.toFixed(4), a.top.map((c) => c.feature + " " + c.contribution.toFixed(3)).join(", ")]));
  table("t-anomalies", ["rule", "reason"], last([...(rec.account_anomalies ?? []), ...(rec.segment_anomalies ?? [])])
    .filter((a) => a.type === "anomaly").map((a) => [a.rule, a.reason]));
  table("t-trends", ["category", "type", "window / at", "volume", "volume slope"], last(rec.trends).map((x) =>
    [x.category ?? "", x.type, x.window ? t(x.window.start) : t(x.at), x.volume ?? "", x.volumeSlope === undefined ? "" : x.volumeSlope.toFixed(2)]));
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
}
async function loop() {
  try { await tick(); } catch (e) { $("status").textContent = "(unreachable: " + e.message + ")"; }
  setTimeout(loop, 500);
}
loop();
</script></body></html>
`;
