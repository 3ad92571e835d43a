/**
 * Speed of the streaming operators alone (no source, no sink): generated transactions (arrival
 * order, one partition) stepped through each keyed operator as the runtime steps them — state per
 * key, the partition's watermark (max event time − lateness) before each event — and the
 * non-keyed online features released by watermark. Prints events per second of wall time and per
 * CPU second of this process (the machine is shared), with the load average.
 *
 * Usage: `deno run -A scripts/bench/stream_operators.ts [--rows 20000] [--accounts 500]
 * [--days 1] [--model DIR]... [--reps 3] [--only PREFIX]` (each `--model` a directory `frontier
 * train` wrote; `--only` measures the operators whose name starts with PREFIX).
 *
 * @module
 */
import process from "node:process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { Row } from "../../cluster/columnar/batch.ts";
import { batchToRows } from "../../cluster/columnar/batch_ops.ts";
import { TransactionGenerator } from "../../cluster/sources/transactions/generator.ts";
import type { StreamEvent } from "../../streaming/event_time.ts";
import { keyedAlerts } from "../../streaming/operators/keyed_alerts.ts";
import {
  keyedAccountAnomalies,
  keyedFeatures,
  type KeyedOperator,
  keyedSegmentAnomalies,
  keyedTrends,
} from "../../streaming/operators/keyed_operators.ts";
import { type FeatureInput, onlineFeatures } from "../../streaming/operators/online_features.ts";
import { runOperator } from "../../streaming/operators/operator.ts";
import { Scorer } from "../../streaming/operators/scorer.ts";
import type { Timed } from "../../streaming/event_time.ts";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "20000" },
    accounts: { type: "string", default: "500" },
    days: { type: "string", default: "1" },
    model: { type: "string", multiple: true, default: [] },
    reps: { type: "string", default: "3" },
    only: { type: "string" },
  },
});
const count = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`--${name} must be an integer >= 1, got ${v}`);
  return n;
};
const rows = count("rows", args.rows), reps = count("reps", args.reps);
const LATENESS = 30_000;
const VALUE_FIELDS = [
  "account_id",
  "merchant_id",
  "merchant_category",
  "amount",
  "currency",
  "channel",
  "country",
];

const gen = new TransactionGenerator({
  seed: 7,
  totalRows: rows,
  tokenKey: new Uint8Array(32).fill(1),
  accounts: count("accounts", args.accounts),
  durationMs: count("days", args.days) * 86_400_000,
  fraudRate: 0.02,
});
const data: Row[] = [];
for (const batch of gen.chunks({ start: 0, end: rows })) data.push(...batchToRows(batch));

function eventOf(row: Row, keyField: string): StreamEvent<object> {
  return {
    id: row["transaction_id"] as string,
    key: String(row[keyField]),
    time: row["event_time"] as number,
    value: Object.fromEntries(VALUE_FIELDS.map((f) => [f, row[f]])),
  };
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Best of `reps` runs of `run`: events per wall second and per CPU second. */
function measure(name: string, run: () => number): Record<string, number | string> | undefined {
  if (args.only !== undefined && !name.startsWith(args.only)) return undefined;
  let best = { wall: Infinity, cpu: Infinity, outputs: 0 };
  for (let r = 0; r < reps; r++) {
    const c0 = cpuSeconds(), t0 = performance.now();
    const outputs = run();
    const wall = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
    if (wall < best.wall) best = { wall, cpu, outputs };
  }
  const line = {
    operator: name,
    eventsPerSecond: Math.round(rows / best.wall),
    eventsPerCpuSecond: Math.round(rows / best.cpu),
    outputs: best.outputs,
  };
  console.log(
    `${name.padEnd(24)} ${String(line.eventsPerSecond).padStart(8)} events/s  ` +
      `${String(line.eventsPerCpuSecond).padStart(8)} events/CPU-s  (${best.outputs} outputs)`,
  );
  return line;
}

function keyed<S, O>(
  op: KeyedOperator<object, S, O> & { keyOf?: (e: StreamEvent<object>) => string },
  field: string,
) {
  const events = data.map((r) => eventOf(r, field));
  return () => {
    const states = new Map<string, S>();
    let max = -Infinity, outputs = 0;
    events.forEach((event, offset) => {
      const watermark = max - LATENESS;
      max = Math.max(max, event.time);
      const key = op.keyOf === undefined ? event.key : op.keyOf(event);
      const step = op.step(states.get(key) ?? op.init(key), event, { partition: 0, offset, watermark });
      if (step.state === undefined) states.delete(key);
      else states.set(key, step.state);
      outputs += step.outputs.length;
    });
    return outputs;
  };
}

function unkeyed(): () => number {
  const inputs: Timed<FeatureInput>[] = [];
  let max = -Infinity;
  data.forEach((row, i) => {
    inputs.push({ time: i, value: { type: "event", row } });
    max = Math.max(max, row["event_time"] as number);
    if (i % 500 === 499) inputs.push({ time: i, value: { type: "watermark", watermark: max - LATENESS } });
  });
  inputs.push({ time: rows, value: { type: "end" } });
  return () => runOperator(onlineFeatures(), inputs).outputs.length;
}

console.log(`${rows} events, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const results = [
  measure("onlineFeatures (500/wm)", unkeyed()),
  measure("keyedFeatures", keyed(keyedFeatures(), "account_id")),
  measure("keyedAccountAnomalies", keyed(keyedAccountAnomalies(), "account_id")),
  measure("keyedSegmentAnomalies", keyed(keyedSegmentAnomalies(), "account_id")),
  measure("keyedTrends", keyed(keyedTrends(), "merchant_category")),
];
for (const dir of args.model) {
  const scorer = await Scorer.load(dir);
  results.push(measure(`keyedAlerts ${scorer.kind.slice(0, 12)}`, keyed(keyedAlerts(scorer), "account_id")));
}
console.log(
  JSON.stringify({ rows, loadAverage: loadavg(), results: results.filter((r) => r !== undefined) }),
);
