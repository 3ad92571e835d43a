import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import {
  anomalyOperator,
  type FeatureInput,
  keyedAccountAnomalies,
  keyedFeatures,
  type KeyedOperator,
  keyedSegmentAnomalies,
  keyedTrends,
  onlineFeatures,
  runOperator,
  type StreamEvent,
  type Timed,
  type TrendInput,
  trendOperator,
  type TrendOutput,
} from "../../../streaming/mod.ts";
import { byEventTime, generatedTransactions } from "./transactions_fixture.ts";

const LATENESS = 60_000;
const VALUE_FIELDS = [
  "account_id",
  "merchant_id",
  "merchant_category",
  "amount",
  "currency",
  "channel",
  "country",
];

/** A decoded event as the runtime hands it over: id, key, time, and the transaction's fields. */
function eventOf(row: Row, keyField: string): StreamEvent<object> {
  return {
    id: row["transaction_id"] as string,
    key: String(row[keyField]),
    time: row["event_time"] as number,
    value: Object.fromEntries(VALUE_FIELDS.map((f) => [f, row[f]])),
  };
}

/**
 * What the runtime does with a keyed operator on one partition: state per key, restored from its
 * JSON after every step (the changelog), the watermark before each event passed in the context.
 * Also checks that `step` leaves the state it was given untouched.
 */
function runKeyed<S, O>(op: KeyedOperator<object, S, O>, rows: readonly Row[], keyField: string): O[] {
  const states = new Map<string, string>(), outputs: O[] = [];
  let max = -Infinity;
  rows.forEach((row, offset) => {
    const event = eventOf(row, keyField);
    const watermark = max - LATENESS;
    max = Math.max(max, event.time);
    assert.ok(event.time >= watermark, "the runtime passes on-time events only");
    const before = states.get(event.key) ?? JSON.stringify(op.init(event.key));
    const state = JSON.parse(before) as S;
    const step = op.step(state, event, { partition: 0, offset, watermark });
    assert.equal(JSON.stringify(state), before, `${op.name} mutated the state it was given`);
    if (step.state === undefined) states.delete(event.key);
    else states.set(event.key, JSON.stringify(step.state));
    for (const o of step.outputs) outputs.push(o.value);
  });
  return outputs;
}

Deno.test("keyed velocity features, run as the runtime runs them, equal the batch-equal online features", () => {
  const rows = generatedTransactions(3_000, {
    seed: 61,
    accounts: 40,
    outOfOrderFraction: 0.4,
    allowedLatenessMs: LATENESS,
  });
  const keyed = runKeyed(keyedFeatures(), rows, "account_id");
  const inputs: Timed<FeatureInput>[] = [];
  let max = -Infinity;
  rows.forEach((row, i) => {
    inputs.push({ time: i, value: { type: "event", row } });
    max = Math.max(max, row["event_time"] as number);
    inputs.push({ time: i, value: { type: "watermark", watermark: max - LATENESS } });
  });
  inputs.push({ time: rows.length, value: { type: "end" } });
  const want = new Map<string, Row>();
  for (const o of runOperator(onlineFeatures(), inputs).outputs) {
    if (o.type === "features") want.set(o.row["transaction_id"] as string, o.row);
  }
  let released = 0;
  for (const o of keyed) {
    assert.equal(o.type, "features");
    if (o.type !== "features") continue;
    const w = want.get(o.row["transaction_id"] as string)!;
    for (const [k, v] of Object.entries(o.row)) assert.ok(Object.is(v, w[k]), `${k}: ${v} vs ${w[k]}`);
    released++;
  }
  // Every account's last events wait for its next one; the rest are out.
  assert.ok(released > 0.95 * rows.length, `${released} of ${rows.length} released`);
});

Deno.test("keyed account and segment anomaly rules together flag what the one-state operator flags", () => {
  const rows = byEventTime(generatedTransactions(4_000, { seed: 62, accounts: 50 }));
  const global = runOperator(
    anomalyOperator(),
    rows.map((row, i) => ({ time: i, value: { type: "event" as const, row } })),
  )
    .outputs;
  const key = (o: (typeof global)[number]) =>
    o.type === "anomaly" ? `${o.rule} ${o.row["transaction_id"]} ${o.z}` : "rejected";
  const keyed = [
    ...runKeyed(keyedAccountAnomalies(), rows, "account_id"),
    ...runKeyed(keyedSegmentAnomalies(), rows, "merchant_category"),
  ];
  assert.deepEqual(keyed.map(key).sort(), global.map(key).sort());
  assert.ok(global.length > 20);
});

Deno.test("keyed trends per category emit the panes and changes of the one-state operator", () => {
  const rows = generatedTransactions(4_000, {
    seed: 63,
    days: 2,
    outOfOrderFraction: 0.3,
    allowedLatenessMs: LATENESS,
  });
  const inputs: Timed<TrendInput>[] = [];
  let max = -Infinity;
  rows.forEach((row, i) => {
    inputs.push({ time: i, value: { type: "event", row } });
    max = Math.max(max, row["event_time"] as number);
    inputs.push({ time: i, value: { type: "watermark", watermark: max - LATENESS } });
  });
  const global = runOperator(trendOperator(), inputs).outputs;
  const id = (o: TrendOutput) =>
    o.type === "trend"
      ? `trend ${o.category} ${o.window.start}`
      : o.type === "change"
      ? `change ${o.category} ${o.metric} ${o.detectedIn.start}`
      : o.type;
  const byId = new Map(global.map((o) => [id(o), o]));
  const keyed = runKeyed(keyedTrends(), rows, "merchant_category");
  for (const o of keyed) assert.deepEqual(o, byId.get(id(o)), id(o));
  const trends = keyed.filter((o) => o.type === "trend").length;
  assert.ok(trends > 0.9 * global.filter((o) => o.type === "trend").length, `${trends} panes`);
});
