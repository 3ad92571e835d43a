import assert from "node:assert/strict";
import { Frontier, type Row } from "../../../mod.ts";
import { decodeExpr } from "../../../cluster/expr/codec.ts";
import { VELOCITY_FEATURES, withVelocityFeatures } from "../../../models/features/velocity.ts";
import { exactSum, exactVariance } from "../../cluster/kernels/window_oracle.ts";

const HOUR = 3_600_000;
const TOKEN_KEY = new Uint8Array(32).fill(3);
/** Few accounts over two days, so histories are long and hours hold several transactions. */
const OPTIONS = { accounts: 60, durationMs: 2 * 24 * HOUR, fraudRate: 0.05 };

/** The features computed one account at a time, event by event, as a streaming job keeps them. */
function oracle(rows: readonly Row[]): Map<string, Row> {
  const byAccount = new Map<string, Row[]>();
  for (const r of rows) {
    const a = r["account_id"] as string;
    byAccount.set(a, [...(byAccount.get(a) ?? []), r]);
  }
  const out = new Map<string, Row>();
  for (const events of byAccount.values()) {
    events.sort((p, q) =>
      (p["event_time"] as number) - (q["event_time"] as number) ||
      ((p["transaction_id"] as string) < (q["transaction_id"] as string) ? -1 : 1)
    );
    const merchants = new Set<string>(), countries = new Set<string>();
    events.forEach((e, i) => {
      const t = e["event_time"] as number, amount = e["amount"] as number;
      const hour = events.filter((f) =>
        (f["event_time"] as number) >= t - HOUR && (f["event_time"] as number) <= t
      );
      const prior = events.slice(0, i).map((f) => f["amount"] as number);
      const mean = i === 0 ? null : exactSum(prior) / i;
      const std = i < 2 ? null : Math.sqrt(exactVariance(prior));
      out.set(e["transaction_id"] as string, {
        tx_count_1h: hour.length,
        amount_sum_1h: exactSum(hour.map((f) => f["amount"] as number)),
        prior_tx_count: i,
        amount_mean_prior: mean,
        amount_std_prior: std,
        amount_to_mean: mean === null || mean === 0 ? null : amount / mean,
        amount_z: std === null || mean === null || std === 0 ? null : (amount - mean) / std,
        secs_since_prev: i === 0 ? null : (t - (events[i - 1]!["event_time"] as number)) / 1000,
        new_merchant: !merchants.has(e["merchant_id"] as string),
        new_country: !countries.has(e["country"] as string),
      });
      merchants.add(e["merchant_id"] as string);
      countries.add(e["country"] as string);
    });
  }
  return out;
}

const APPROX = new Set(["amount_std_prior", "amount_z"]);

function assertMatchesOracle(rows: readonly Row[], expected: Map<string, Row>, what: string): void {
  assert.equal(rows.length, expected.size, what);
  for (const r of rows) {
    const want = expected.get(r["transaction_id"] as string)!;
    for (const [k, v] of Object.entries(want)) {
      const got = r[k];
      if (APPROX.has(k) && typeof v === "number" && typeof got === "number") {
        assert.ok(Math.abs(got - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${what}: ${k} ${got} vs ${v}`);
      } else assert.equal(got, v, `${what}: ${k} of ${r["transaction_id"]}`);
    }
  }
}

Deno.test("velocity features of generated transactions equal a per-account oracle, for any partitioning", async () => {
  let expected: Map<string, Row> | undefined;
  for (const [executors, partitions] of [[1, 1], [2, 3]] as const) {
    await using fx = await Frontier.start({ executors, shufflePartitions: partitions });
    const tx = fx.transactions({ rows: 4_000, seed: 11, tokenKey: TOKEN_KEY, partitions, options: OPTIONS });
    expected ??= oracle(await tx.collect());
    const rows = await withVelocityFeatures(tx).collect();
    assertMatchesOracle(rows, expected, `${executors} executor(s), ${partitions} partition(s)`);
    // The data exercises every feature: bursts within an hour, repeat merchants and countries.
    assert.ok(rows.some((r) => (r["tx_count_1h"] as number) >= 3));
    assert.ok(rows.some((r) => r["new_merchant"] === false) && rows.some((r) => r["new_country"] === false));
    assert.ok(rows.some((r) => Math.abs((r["amount_z"] as number | null) ?? 0) > 3));
  }
});

Deno.test("velocity features are data: their JSON decodes as engine expressions and computes the same rows", async () => {
  const wire = JSON.parse(JSON.stringify(VELOCITY_FEATURES)) as { name: string; expr: unknown }[];
  const decoded = wire.map((f) => ({ name: f.name, expr: decodeExpr(f.expr) }));
  assert.deepEqual(decoded, VELOCITY_FEATURES);
  await using fx = await Frontier.start({ executors: 1 });
  const tx = fx.transactions({ rows: 500, seed: 2, tokenKey: TOKEN_KEY, partitions: 2, options: OPTIONS });
  const byId = (rows: Row[]) => rows.sort((a, b) => (a["transaction_id"]! < b["transaction_id"]! ? -1 : 1));
  assert.deepEqual(
    byId(await withVelocityFeatures(tx, decoded).collect()),
    byId(await withVelocityFeatures(tx).collect()),
  );
});
