import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import {
  encodeState,
  leastSquaresSlope,
  meanShift,
  restoreState,
  runOperator,
  type Timed,
  type TrendInput,
  trendOperator,
  type TrendOutput,
} from "../../../streaming/mod.ts";
import { generatedTransactions } from "./transactions_fixture.ts";

const HOUR = 3_600_000;
const PANES = 40;
const CHANGE = 25;

/** Pane `i`'s events per category: grocery shifts from ~20 to ~40 at pane 25, fuel stays ~10, travel ramps. */
function volumes(i: number): Record<string, number> {
  const noise = ((i * 7) % 5) - 2;
  return { grocery: (i < CHANGE ? 20 : 40) + noise, fuel: 10 + (((i * 3) % 5) - 2), travel: 5 + 2 * i };
}

/** The synthetic stream: each pane's events (amount 10, or 3 for fuel) then a watermark at its end. */
function syntheticStream(): Timed<TrendInput>[] {
  const inputs: Timed<TrendInput>[] = [];
  let n = 0;
  for (let i = 0; i < PANES; i++) {
    for (const [category, count] of Object.entries(volumes(i))) {
      for (let k = 0; k < count; k++) {
        const row: Row = {
          merchant_category: category,
          event_time: i * HOUR + k * 1_000,
          amount: category === "fuel" ? 3 : 10,
        };
        inputs.push({ time: n++, value: { type: "event", row } });
      }
    }
    inputs.push({ time: n++, value: { type: "watermark", watermark: (i + 1) * HOUR } });
  }
  return inputs;
}

type Trend = Extract<TrendOutput, { type: "trend" }>;
type Change = Extract<TrendOutput, { type: "change" }>;

Deno.test("the trend operator flags a known change point once per metric, where it happened", () => {
  const { outputs } = runOperator(trendOperator(), syntheticStream());
  const changes = outputs.filter((o): o is Change => o.type === "change");
  const grocery = changes.filter((c) => c.category === "grocery");
  assert.deepEqual(grocery.map((c) => [c.metric, c.at]), [["volume", CHANGE * HOUR], [
    "amount",
    CHANGE * HOUR,
  ]]);
  for (const c of grocery) {
    const scale = c.metric === "amount" ? 10 : 1;
    assert.ok(Math.abs(c.before - 20 * scale) <= 2 * scale && Math.abs(c.after - 40 * scale) <= 2 * scale);
    assert.ok(c.statistic >= 4);
    // Detected within one change window (6 panes) of the change.
    assert.ok(
      c.detectedIn.start >= CHANGE * HOUR && c.detectedIn.end <= (CHANGE + 6) * HOUR,
      JSON.stringify(c),
    );
  }
  assert.deepEqual(changes.filter((c) => c.category === "fuel"), [], "a stationary series is never flagged");
  const trends = outputs.filter((o): o is Trend => o.type === "trend");
  assert.equal(trends.length, 3 * PANES);
  // A linear ramp: slope 2 events and 20 per pane, exactly, once two panes are closed.
  const travel = trends.filter((t) => t.category === "travel");
  assert.equal(travel[0]!.volumeSlope, undefined);
  assert.ok(travel.slice(1).every((t) => t.volumeSlope === 2 && t.amountSlope === 20));
  assert.deepEqual(travel.map((t) => t.panes).slice(0, 7), [1, 2, 3, 4, 5, 6, 6]);
  // Noisy slopes against the normal equations over the same six panes.
  const grocerySeries = trends.filter((t) => t.category === "grocery");
  grocerySeries.forEach((t, j) => {
    if (j < 1) return;
    const ys = grocerySeries.slice(Math.max(0, j - 5), j + 1).map((g) => g.volume);
    const n = ys.length, sx = (n * (n - 1)) / 2, sxx = ((n - 1) * n * (2 * n - 1)) / 6;
    const sy = ys.reduce((s, y) => s + y, 0), sxy = ys.reduce((s, y, i) => s + i * y, 0);
    const want = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    assert.ok(Math.abs(t.volumeSlope! - want) <= 1e-9, `${t.volumeSlope} vs ${want}`);
  });
  // The panes' volumes are the counts put in.
  assert.deepEqual(
    grocerySeries.map((t) => t.volume),
    Array.from({ length: PANES }, (_, i) => volumes(i)["grocery"]),
  );
});

Deno.test("trend panes equal per-category, per-hour counts and sums of generated transactions", () => {
  const rows = generatedTransactions(4_000, { seed: 51, days: 2 });
  const inputs: Timed<TrendInput>[] = [];
  let max = -Infinity;
  rows.forEach((row, i) => {
    inputs.push({ time: i, value: { type: "event", row } });
    max = Math.max(max, row["event_time"] as number);
    inputs.push({ time: i, value: { type: "watermark", watermark: max } });
  });
  inputs.push({ time: rows.length, value: { type: "end" } });
  const { outputs } = runOperator(trendOperator(), inputs);
  const want = new Map<string, { count: number; sum: number }>();
  for (const r of rows) {
    const k = `${r["merchant_category"]} ${Math.floor((r["event_time"] as number) / HOUR) * HOUR}`;
    const e = want.get(k) ?? { count: 0, sum: 0 };
    e.count++;
    e.sum += r["amount"] as number;
    want.set(k, e);
  }
  const got = new Map<string, { count: number; sum: number }>();
  for (const o of outputs) {
    assert.ok(o.type === "trend" || o.type === "change", JSON.stringify(o));
    if (o.type === "trend" && o.volume > 0) {
      got.set(`${o.category} ${o.window.start}`, { count: o.volume, sum: o.amount });
    }
  }
  assert.deepEqual(got, want);
  // Empty hours of a category are zero panes, so every category's series is contiguous.
  const zeros = outputs.filter((o) => o.type === "trend" && o.volume === 0).length;
  assert.ok(zeros > 0);
});

Deno.test("the trend operator sends events of closed panes to the late output and restores from a snapshot", () => {
  const op = trendOperator({ paneMs: 1_000 });
  const row = (t: number): Row => ({ merchant_category: "x", event_time: t, amount: 1 });
  const run = runOperator(op, [
    { time: 0, value: { type: "event", row: row(500) } },
    { time: 1, value: { type: "watermark", watermark: 999 } },
    { time: 2, value: { type: "event", row: row(10) } }, // behind the watermark, pane still open
    { time: 3, value: { type: "watermark", watermark: 1_000 } },
    { time: 4, value: { type: "event", row: row(999) } }, // its pane has closed
  ]);
  assert.deepEqual(run.outputs.map((o) => o.type), ["trend", "late"]);
  assert.deepEqual(run.outputs[0], {
    type: "trend",
    category: "x",
    window: { start: 0, end: 1_000 },
    volume: 2,
    amount: 2,
    panes: 1,
  });

  const inputs = syntheticStream();
  const whole = runOperator(trendOperator(), inputs).outputs;
  const first = runOperator(trendOperator(), inputs.slice(0, 2_000));
  const rest = runOperator(
    trendOperator(),
    inputs.slice(2_000),
    restoreState(trendOperator(), encodeState(first.state)),
  );
  assert.deepEqual([...first.outputs, ...rest.outputs], whole);
});

Deno.test("leastSquaresSlope and meanShift on small series", () => {
  assert.equal(leastSquaresSlope([3]), undefined);
  assert.equal(leastSquaresSlope([1, 1, 1]), 0);
  assert.equal(meanShift([1, 2, 3], 2), undefined);
  assert.deepEqual(meanShift([5, 5, 5, 5], 2), {
    before: 5,
    after: 5,
    statistic: 0,
    split: 1,
    levels: [5, 5],
  });
  assert.equal(meanShift([5, 5, 6, 6], 2)!.statistic, Number.MAX_VALUE);
  assert.throws(() => meanShift([1, 2], 1), RangeError);
});
