import assert from "node:assert/strict";
import { generateDemoKey } from "../../../cluster/sources/transactions/card_token.ts";
import {
  isTransactionData,
  transactionAnalysis,
  WEEKDAY_NAMES,
} from "../../../scripts/eda/transaction_analysis.ts";
import { assertClose, withCluster } from "./eda_test_util.ts";

Deno.test("transaction breakdowns match a plain recomputation over the collected rows", async () => {
  await withCluster(async (fx) => {
    const ds = fx.transactions({
      rows: 20_000,
      seed: 3,
      tokenKey: generateDemoKey({ seed: 3 }),
      partitions: 3,
    });
    assert.ok(isTransactionData(ds.columns));
    const a = await transactionAnalysis(ds);
    const rows = await ds.collect();
    assert.equal(a.overall.count, 20_000);
    assert.equal(a.overall.positives, rows.filter((r) => r["is_fraud"]).length);
    assertClose(a.overall.sum, rows.reduce((s, r) => s + Number(r["amount"]), 0), {
      what: "total amount",
      relative: 1e-12,
    });

    const expect = (key: (r: Record<string, unknown>) => string) => {
      const m = new Map<string, { n: number; fraud: number; sum: number }>();
      for (const r of rows) {
        const k = key(r), e = m.get(k) ?? { n: 0, fraud: 0, sum: 0 };
        e.n++;
        e.fraud += r["is_fraud"] ? 1 : 0;
        e.sum += Number(r["amount"]);
        m.set(k, e);
      }
      return m;
    };
    const check = (dimension: string, key: (r: Record<string, unknown>) => string) => {
      const got = a.breakdowns.find((b) => b.dimension === dimension)!.rows;
      const want = expect(key);
      assert.equal(got.length, want.size, `${dimension}: segments`);
      for (const s of got) {
        const w = want.get(s.segment)!;
        assert.equal(s.count, w.n, `${dimension} ${s.segment} volume`);
        assert.equal(s.positives, w.fraud, `${dimension} ${s.segment} fraud`);
        assertClose(s.sum, w.sum, { what: `${dimension} ${s.segment} amount`, relative: 1e-12 });
      }
      return got;
    };
    const byCategory = check("merchant_category", (r) => String(r["merchant_category"]));
    for (let i = 1; i < byCategory.length; i++) assert.ok(byCategory[i - 1]!.count >= byCategory[i]!.count);
    check("channel", (r) => String(r["channel"]));
    check("country", (r) => String(r["country"]));
    check("hour of day", (r) => String(new Date(Number(r["event_time"])).getUTCHours()).padStart(2, "0"));
    const days = check("day of week", (r) => WEEKDAY_NAMES[new Date(Number(r["event_time"])).getUTCDay()]!);
    assert.deepEqual(
      days.map((d) => d.segment),
      WEEKDAY_NAMES.filter((d) => days.some((x) => x.segment === d)),
    );
    const daily = a.daily;
    assert.equal(daily.reduce((s, d) => s + d.count, 0), 20_000);
    assert.ok(daily.every((d, i) => i === 0 || daily[i - 1]!.segment < d.segment), "days in order");
    assert.match(daily[0]!.segment, /^\d{4}-\d{2}-\d{2}$/);
  });
});
