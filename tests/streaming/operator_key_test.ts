import assert from "node:assert/strict";
import {
  AMOUNT_STATS,
  GeneratedLog,
  PartitionProcessor,
  type StreamOperator,
  transactionDecoder,
  type TransactionValue,
  tumbling,
} from "../../streaming/mod.ts";

/** Counts events per key and emits the running count with the key it saw. */
function counter(keyOf?: (e: { value: TransactionValue }) => string) {
  const op: StreamOperator<TransactionValue, { n: number }, { key: string; n: number }> = {
    name: "counter",
    ...(keyOf === undefined ? {} : { keyOf }),
    init: () => ({ n: 0 }),
    step: (s, e) => ({ state: { n: s.n + 1 }, outputs: [{ value: { key: e.key, n: s.n + 1 } }] }),
  };
  return op as StreamOperator<TransactionValue, unknown, unknown>;
}

const records = new GeneratedLog({ seed: 3, totalRows: 2_000, partitions: 1, accounts: 60 }).read(
  0,
  0,
  2_000,
);

Deno.test("an operator with keyOf keeps its state per its own key, whatever the job's key", () => {
  const p = new PartitionProcessor(0, {
    window: tumbling(60_000),
    allowedLatenessMs: 30_000,
    decode: transactionDecoder("account"),
    aggregate: AMOUNT_STATS,
    operators: [counter((e) => e.value.merchant_category)],
  });
  const r = p.process(records, 0);
  const outs = r.outputs.filter((o) => o.stream === "counter");
  assert.equal(outs.length, 2_000);
  // Per category, the counts run 1, 2, 3, … in arrival order; the operator saw the category as the key.
  const seen = new Map<string, number>();
  for (const o of outs) {
    const v = o.value as { key: string; n: number };
    assert.equal(o.key, v.key);
    assert.equal(v.n, (seen.get(v.key) ?? 0) + 1);
    seen.set(v.key, v.n);
  }
  assert.ok(seen.size > 5 && seen.size <= 13, [...seen.keys()].join());
  const stateKeys = r.changelog.filter((e) => e.key.startsWith("o|counter|")).map((e) => e.key.slice(10));
  assert.deepEqual(stateKeys.sort(), [...seen.keys()].sort());
  // The changelog restores that state.
  const q = new PartitionProcessor(0, {
    window: tumbling(60_000),
    allowedLatenessMs: 30_000,
    decode: transactionDecoder("account"),
    aggregate: AMOUNT_STATS,
    operators: [counter((e) => e.value.merchant_category)],
  });
  q.restore(r.changelog);
  assert.equal(q.nextOffset, 2_000);
});

Deno.test("keyOf must return a non-empty string", () => {
  const p = new PartitionProcessor(0, {
    window: tumbling(60_000),
    allowedLatenessMs: 30_000,
    decode: transactionDecoder("account"),
    aggregate: AMOUNT_STATS,
    operators: [counter(() => "")],
  });
  assert.throws(() => p.process(records.slice(0, 1), 0), /keyOf must return a non-empty string/);
});
