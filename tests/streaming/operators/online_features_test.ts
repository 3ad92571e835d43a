import assert from "node:assert/strict";
import { col, Frontier, type Row } from "../../../mod.ts";
import { SchemaError } from "../../../cluster/errors.ts";
import { lead, Window } from "../../../cluster/expr/window.ts";
import { count } from "../../../cluster/expr/column.ts";
import { VELOCITY_FEATURES, withVelocityFeatures } from "../../../models/features/velocity.ts";
import {
  encodeState,
  type FeatureInput,
  type FeatureOutput,
  type FeatureState,
  onlineFeatures,
  restoreState,
  runOperator,
  type Timed,
} from "../../../streaming/mod.ts";

const HOUR = 3_600_000;
const TOKEN_KEY = new Uint8Array(32).fill(5);
const NAMES = VELOCITY_FEATURES.map((f) => f.name);

/** Arrival-ordered events with the watermark after each (max event time − lateness), then end. */
function streamOf(rows: readonly Row[], latenessMs: number): Timed<FeatureInput>[] {
  const inputs: Timed<FeatureInput>[] = [];
  let max = -Infinity;
  rows.forEach((row, i) => {
    inputs.push({ time: i, value: { type: "event", row } });
    max = Math.max(max, row["event_time"] as number);
    inputs.push({ time: i, value: { type: "watermark", watermark: max - latenessMs } });
  });
  inputs.push({ time: rows.length, value: { type: "end" } });
  return inputs;
}

function featuresById(outputs: readonly FeatureOutput[]): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const o of outputs) {
    assert.equal(o.type, "features", JSON.stringify(o));
    if (o.type === "features") out.set(o.row["transaction_id"] as string, o.row);
  }
  return out;
}

Deno.test("online velocity features equal the batch window functions on generated disordered transactions", async () => {
  await using fx = await Frontier.start({ executors: 2, shufflePartitions: 3 });
  const cases = [
    { seed: 21, lateness: 60_000, options: { outOfOrderFraction: 0.3, outOfOrderMeanDelayMs: 20_000 } },
    { seed: 22, lateness: 5_000, options: { outOfOrderFraction: 0.6, duplicateFraction: 0.05 } },
  ];
  for (const { seed, lateness, options } of cases) {
    const tx = fx.transactions({
      rows: 3_000,
      seed,
      tokenKey: TOKEN_KEY,
      partitions: 3,
      options: {
        accounts: 40,
        durationMs: 2 * 24 * HOUR,
        fraudRate: 0.05,
        allowedLatenessMs: lateness,
        ...options,
      },
    });
    const clean = tx.filter(col("is_duplicate").not());
    const batch = new Map(
      (await withVelocityFeatures(clean).collect()).map((r) => [r["transaction_id"] as string, r]),
    );
    const arrivals = await clean.sort("seq").collect();
    const { outputs } = runOperator(onlineFeatures(), streamOf(arrivals, lateness));
    const online = featuresById(outputs);
    assert.equal(online.size, batch.size);
    // The disorder is real: some events arrive after a later one.
    assert.ok(
      arrivals.some((r, i) =>
        i > 0 && (r["event_time"] as number) < (arrivals[i - 1]!["event_time"] as number)
      ),
    );
    let compared = 0;
    for (const [id, want] of batch) {
      const got = online.get(id);
      assert.ok(got, `no online features for ${id}`);
      for (const name of NAMES) {
        assert.ok(
          Object.is(got[name], want[name]),
          `seed ${seed}, ${id}: ${name} online ${got[name]} batch ${want[name]}`,
        );
        compared++;
      }
    }
    assert.equal(compared, batch.size * NAMES.length);
    // The data exercises every feature.
    const rows = [...online.values()];
    assert.ok(rows.some((r) => (r["tx_count_1h"] as number) >= 3));
    assert.ok(rows.some((r) => r["new_merchant"] === false) && rows.some((r) => r["new_country"] === false));
    assert.ok(
      rows.some((r) => typeof r["amount_z"] === "number") && rows.some((r) => r["amount_z"] === null),
    );
  }
});

/** Generated-looking transactions, by hand. */
function tx(id: string, t: number, over: Partial<Row> = {}): Row {
  return {
    transaction_id: id,
    event_time: t,
    account_id: "a",
    card: "c",
    card_display: "c",
    merchant_id: "m1",
    merchant_category: "grocery",
    amount: 10,
    currency: "USD",
    channel: "pos",
    country: "US",
    is_fraud: false,
    scenario: "none",
    seq: 0,
    is_duplicate: false,
    is_malformed: false,
    ...over,
  };
}

Deno.test("online features hold an event until the watermark passes its instant, counting later peers", () => {
  const op = onlineFeatures();
  let state = op.initial();
  const push = (value: FeatureInput) => {
    const step = op.step(state, { time: 0, value });
    state = step.state;
    return step.outputs;
  };
  assert.deepEqual(push({ type: "event", row: tx("t1", 1_000) }), []);
  assert.deepEqual(push({ type: "watermark", watermark: 1_000 }), []); // at the instant: not passed
  assert.deepEqual(push({ type: "event", row: tx("t2", 1_000, { amount: 30 }) }), []); // exactly at the watermark: on time
  const out = push({ type: "watermark", watermark: 1_001 });
  assert.deepEqual(
    out.map((o) =>
      o.type === "features" &&
      [o.row["transaction_id"], o.row["tx_count_1h"], o.row["amount_sum_1h"], o.row["prior_tx_count"]]
    ),
    [
      ["t1", 2, 40, 0],
      ["t2", 2, 40, 1],
    ],
  );
  const late = push({ type: "event", row: tx("t0", 1_000) });
  assert.deepEqual(late, [{ type: "late", row: tx("t0", 1_000), watermark: 1_001 }]);
  const rejected = push({ type: "event", row: tx("t3", 2_000, { amount: "ten" }) });
  assert.equal(rejected[0]?.type, "rejected");
  assert.match((rejected[0] as { reason: string }).reason, /"amount" must be double/);
  // The hour frame forgets: an hour and a millisecond later only the new event counts.
  push({ type: "event", row: tx("t4", 1_000 + HOUR + 1) });
  const [next] = push({ type: "end" });
  assert.ok(next?.type === "features");
  assert.deepEqual([next.row["tx_count_1h"], next.row["prior_tx_count"], next.row["secs_since_prev"]], [
    1,
    2,
    3600.001,
  ]);
  assert.throws(() => push({ type: "end" }), /after "end"/);
});

Deno.test("online features restored from an encoded snapshot continue exactly as without the restart", () => {
  const rows: Row[] = [];
  for (let i = 0; i < 400; i++) {
    const t = 60_000 * (i - (i * 37) % 10); // up to 9 minutes out of order
    rows.push(tx(`t${i}`, t, {
      account_id: `a${i % 7}`,
      merchant_id: `m${i % 5}`,
      country: i % 11 === 0 ? "FR" : "US",
      amount: (i * 7919) % 1000 / 4,
    }));
  }
  const inputs = streamOf(rows, 10 * 60_000);
  const op = onlineFeatures();
  const whole = runOperator(op, inputs).outputs;
  let state: FeatureState = op.initial();
  const pieces: FeatureOutput[] = [];
  for (const cut of [[0, 97], [97, 380], [380, inputs.length]] as const) {
    const run = runOperator(op, inputs.slice(cut[0], cut[1]), state);
    pieces.push(...run.outputs);
    state = restoreState(op, encodeState(run.state)); // a changelog round trip
  }
  assert.deepEqual(pieces, whole);
  assert.equal(whole.filter((o) => o.type === "features").length, 400);
});

Deno.test("online features refuse definitions that need rows that have not arrived", () => {
  const w = Window.partitionBy("account_id").orderBy("event_time", "transaction_id");
  assert.throws(
    () => onlineFeatures({ features: [{ name: "next_amount", expr: lead("amount").over(w).expr }] }),
    (e: unknown) =>
      e instanceof SchemaError && /next_amount.*lead reads rows that have not arrived/.test(e.message),
  );
  const ahead = Window.partitionBy("account_id").orderBy("event_time").rangeBetween(0, HOUR);
  assert.throws(
    () => onlineFeatures({ features: [{ name: "n_next", expr: count().over(ahead).expr }] }),
    /ends after the current row/,
  );
  const byMerchant = Window.partitionBy("merchant_id").orderBy("event_time");
  assert.throws(
    () =>
      onlineFeatures({
        features: [
          { name: "a", expr: count().over(w).expr },
          { name: "b", expr: count().over(byMerchant).expr },
        ],
      }),
    /keyed by "merchant_id", another feature by "account_id"/,
  );
});
