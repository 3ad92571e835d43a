import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import {
  anomalyOperator,
  type AnomalyOutput,
  encodeState,
  restoreState,
  runOperator,
} from "../../../streaming/mod.ts";
import { byEventTime, generatedTransactions } from "./transactions_fixture.ts";

const HOUR = 3_600_000;
const Z = 3;

/** Mean and sample standard deviation, two passes. */
function twoPass(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (xs.length - 1)) };
}

/** Every (rule, transaction) the rules flag, with its z, from whole histories kept in lists. */
function oracle(rows: readonly Row[]): Map<string, number> {
  const amounts = new Map<string, number[]>(), segments = new Map<string, number[]>();
  const times = new Map<string, number[]>(), counts = new Map<string, number[]>();
  const out = new Map<string, number>();
  for (const r of rows) {
    const a = r["account_id"] as string, t = r["event_time"] as number, v = Math.log1p(r["amount"] as number);
    const seg = `${r["merchant_category"]}|${r["country"]}`, id = r["transaction_id"] as string;
    const count = 1 + (times.get(a) ?? []).filter((s) => s >= t - HOUR && s <= t).length;
    const check = (rule: string, history: readonly number[], value: number, min: number) => {
      if (history.length < min) return;
      const { mean, std } = twoPass(history);
      if (rule === "velocity") {
        const z = (value - mean) / Math.max(std, 1);
        if (z >= Z) out.set(`${rule} ${id}`, z);
      } else if (std > 0) {
        const z = (value - mean) / std;
        if (Math.abs(z) >= Z) out.set(`${rule} ${id}`, z);
      }
    };
    check("amount_z", amounts.get(a) ?? [], v, 10);
    check("segment_z", segments.get(seg) ?? [], v, 30);
    check("velocity", counts.get(a) ?? [], count, 10);
    for (
      const [m, k, x] of [[amounts, a, v], [segments, seg, v], [times, a, t], [counts, a, count]] as const
    ) {
      m.set(k, [...(m.get(k) ?? []), x]);
    }
  }
  return out;
}

function flagged(outputs: readonly AnomalyOutput[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of outputs) {
    assert.equal(o.type, "anomaly");
    if (o.type === "anomaly") out.set(`${o.rule} ${o.row["transaction_id"]}`, o.z);
  }
  return out;
}

Deno.test("anomaly rules (Welford) flag exactly what a two-pass computation over whole histories flags", () => {
  const rows = byEventTime(generatedTransactions(6_000, { seed: 41, accounts: 60, days: 4 }));
  const { state, outputs } = runOperator(
    anomalyOperator(),
    rows.map((row, i) => ({ time: i, value: { type: "event" as const, row } })),
  );
  const got = flagged(outputs), want = oracle(rows);
  for (const [k, z] of want) {
    const online = got.get(k);
    assert.ok(online !== undefined, `missing ${k} (z ${z})`);
    assert.ok(Math.abs(online - z) <= 1e-9 * Math.max(1, Math.abs(z)), `${k}: ${online} vs ${z}`);
  }
  for (const k of got.keys()) assert.ok(want.has(k), `extra ${k}`);
  const byRule = (rule: string) => [...got.keys()].filter((k) => k.startsWith(rule)).length;
  assert.deepEqual(state.flagged, {
    amount_z: byRule("amount_z"),
    segment_z: byRule("segment_z"),
    velocity: byRule("velocity"),
  });
  assert.ok(
    byRule("amount_z") > 0 && byRule("segment_z") > 0 && byRule("velocity") > 0,
    JSON.stringify(state.flagged),
  );
  // The rules find fraud: flagged events are fraudulent far more often than events at large.
  const fraud = (r: Row) => r["is_fraud"] === true;
  const base = rows.filter(fraud).length / rows.length;
  const ids = new Set([...got.keys()].map((k) => k.split(" ")[1]));
  const hit = rows.filter((r) => ids.has(r["transaction_id"] as string));
  const rate = hit.filter(fraud).length / hit.length;
  assert.ok(rate > 3 * base, `fraud among flagged ${rate}, overall ${base}`);
  // Every anomaly explains itself.
  const first = outputs[0];
  assert.ok(first?.type === "anomaly" && / sd (above|below) the mean of .* \(n = \d+\)$/.test(first.reason));
});

function tx(id: number, account: string, amount: number, t: number): Row {
  return {
    transaction_id: `t${id}`,
    account_id: account,
    amount,
    event_time: t,
    merchant_category: "grocery",
    country: "US",
  };
}

Deno.test("anomaly rules wait for the warm-up count before judging an account", () => {
  const op = anomalyOperator({ minCount: 5, minSegmentCount: 1_000, amountScale: "linear" });
  const steady = [10, 11, 9, 10, 11].map((x, i) => tx(i, "a", x, i * HOUR));
  // The fifth event is extreme but only four came before it: not judged.
  const early = runOperator(
    op,
    [...steady.slice(0, 4), tx(9, "a", 500, 5 * HOUR)].map((row, i) => ({
      time: i,
      value: { type: "event" as const, row },
    })),
  );
  assert.deepEqual(early.outputs, []);
  const warm = runOperator(
    op,
    [...steady, tx(9, "a", 500, 6 * HOUR)].map((row, i) => ({
      time: i,
      value: { type: "event" as const, row },
    })),
  );
  assert.equal(warm.outputs.length, 1);
  const [o] = warm.outputs;
  assert.ok(o?.type === "anomaly" && o.rule === "amount_z" && o.baseline.n === 5 && o.baseline.mean === 10.2);
  assert.match(o.reason, /^amount of account a: 500 is .* sd above the mean of 10.200 \(n = 5\)$/);
  const bad = runOperator(op, [{
    time: 0,
    value: { type: "event" as const, row: { ...tx(1, "a", 1, 0), amount: "x" } },
  }]);
  assert.equal(bad.outputs[0]?.type, "rejected");
});

Deno.test("the anomaly operator restored from an encoded snapshot continues exactly as without the restart", () => {
  const rows = byEventTime(generatedTransactions(2_000, { seed: 42, accounts: 30 }));
  const inputs = rows.map((row, i) => ({ time: i, value: { type: "event" as const, row } }));
  const op = anomalyOperator();
  const whole = runOperator(op, inputs).outputs;
  const first = runOperator(op, inputs.slice(0, 1_234));
  const restored = restoreState(op, encodeState(first.state));
  const rest = runOperator(op, inputs.slice(1_234), restored);
  assert.deepEqual([...first.outputs, ...rest.outputs], whole);
  assert.ok(whole.length > 0);
});
