import assert from "node:assert/strict";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows, batchToRows } from "../../../cluster/columnar/batch_ops.ts";
import {
  aggregate,
  type AggSpec,
  finalizeAggregate,
  partialAggregate,
} from "../../../cluster/kernels/aggregate.ts";
import { HyperLogLog } from "../../../cluster/kernels/sketch_hll.ts";
import { QuantileSketch } from "../../../cluster/kernels/sketch_quantile.ts";
import { rng } from "../test_rng.ts";

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

Deno.test("HyperLogLog estimates distinct counts within 5% and small counts almost exactly", () => {
  for (const n of [100, 5_000, 60_000]) {
    const h = new HyperLogLog();
    for (let i = 0; i < n; i++) {
      h.addString(`user-${i}`);
      h.addString(`user-${i % 7}`); // duplicates do not count
    }
    const err = Math.abs(h.estimate() - n) / n;
    assert.ok(err < (n <= 100 ? 0.02 : 0.05), `n=${n} estimate=${h.estimate()}`);
  }
  assert.equal(new HyperLogLog().estimate(), 0);
});

Deno.test("HyperLogLog state is identical whatever the split and merge order", () => {
  const random = rng(1);
  const values = Array.from({ length: 3000 }, () => Math.floor(random() * 2000));
  let reference: string | undefined;
  for (let trial = 0; trial < 5; trial++) {
    const parts = Array.from({ length: 1 + Math.floor(random() * 8) }, () => new HyperLogLog());
    for (const v of shuffled(values, random)) parts[Math.floor(random() * parts.length)]!.addNumber(v);
    const merged = new HyperLogLog();
    for (const p of shuffled(parts, random)) merged.merge(HyperLogLog.deserialize(p.serialize()));
    reference ??= merged.serialize();
    assert.equal(merged.serialize(), reference);
  }
  assert.ok(reference!.startsWith("d"), "2000 distinct values use the dense form");
});

Deno.test("HyperLogLog serialization round-trips in sparse form and rejects garbage", () => {
  const h = new HyperLogLog();
  for (let i = 0; i < 50; i++) h.addNumber(i * 1.5);
  const text = h.serialize();
  assert.ok(text.startsWith("s"));
  assert.equal(HyperLogLog.deserialize(text).serialize(), text);
  assert.equal(HyperLogLog.deserialize(text).estimate(), h.estimate());
  assert.throws(() => HyperLogLog.deserialize("x123"), TypeError);
});

/** Value of rank floor(q (n - 1)) in ascending order. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

Deno.test("QuantileSketch is within the relative error of exact quantiles, negatives and zeros included", () => {
  const random = rng(2);
  for (const alpha of [0.01, 0.05]) {
    const values = Array.from({ length: 5000 }, () => {
      const r = random();
      return r < 0.05 ? 0 : (r < 0.3 ? -1 : 1) * Math.exp(random() * 20 - 8);
    });
    const sketch = new QuantileSketch(alpha);
    for (const v of values) sketch.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0, 0.001, 0.1, 0.25, 0.3, 0.5, 0.75, 0.9, 0.999, 1]) {
      const exact = exactQuantile(sorted, q), est = sketch.quantile(q)!;
      const tolerance = alpha * Math.abs(exact) * (1 + 1e-9);
      assert.ok(Math.abs(est - exact) <= tolerance, `α=${alpha} q=${q}: ${est} vs ${exact}`);
    }
    assert.equal(sketch.quantile(0), sorted[0]);
    assert.equal(sketch.quantile(1), sorted.at(-1));
  }
});

Deno.test("QuantileSketch state is identical whatever the split and merge order", () => {
  const random = rng(3);
  const values = Array.from({ length: 2000 }, () => Math.round((random() - 0.3) * 1e5) / 100);
  let reference: string | undefined;
  for (let trial = 0; trial < 5; trial++) {
    const parts = Array.from({ length: 1 + Math.floor(random() * 8) }, () => new QuantileSketch(0.02));
    for (const v of shuffled(values, random)) parts[Math.floor(random() * parts.length)]!.add(v);
    const merged = new QuantileSketch(0.02);
    for (const p of shuffled(parts, random)) merged.merge(QuantileSketch.deserialize(p.serialize()));
    reference ??= merged.serialize();
    assert.equal(merged.serialize(), reference);
  }
});

Deno.test("QuantileSketch orders -Infinity first and NaN last, is empty without values, validates arguments", () => {
  const s = new QuantileSketch();
  assert.equal(s.quantile(0.5), undefined);
  for (const v of [-Infinity, 1, 2, 3, NaN]) s.add(v);
  assert.equal(s.quantile(0), -Infinity);
  assert.ok(Math.abs(s.quantile(0.5)! - 2) <= 0.02);
  assert.ok(Number.isNaN(s.quantile(1)));
  assert.throws(() => new QuantileSketch(0), RangeError);
  assert.throws(() => s.quantile(1.5), RangeError);
  assert.throws(() => s.merge(new QuantileSketch(0.05)), RangeError);
});

Deno.test("approxQuantile and approxCountDistinct aggregate per group and merge across batches", () => {
  const schema: Schema = [{ name: "g", type: "string", nullable: false }, {
    name: "x",
    type: "double",
    nullable: true,
  }];
  const random = rng(4);
  const rows = Array.from({ length: 4000 }, (_, i) => ({
    g: i % 2 ? "odd" : "even",
    x: random() < 0.05 ? null : Math.round(random() * 1e6) / 100,
  }));
  const aggs: AggSpec[] = [
    { fn: "approxQuantile", input: "x", name: "p90", q: 0.9, relativeError: 0.01 },
    { fn: "approxCountDistinct", input: "x", name: "d" },
    { fn: "countDistinct", input: "x", name: "exactD" },
  ];
  const states = [0, 1, 2, 3].map((p) =>
    partialAggregate(batchFromRows(schema, rows.filter((_, i) => Math.floor(i / 7) % 4 === p)), ["g"], aggs)
  );
  const out = batchToRows(finalizeAggregate(states, ["g"], aggs));
  assert.deepEqual(
    batchToRows(aggregate(batchFromRows(schema, rows), ["g"], aggs)).sort((a, b) =>
      a["g"]! < b["g"]! ? -1 : 1
    ),
    out.sort((a, b) => a["g"]! < b["g"]! ? -1 : 1),
  );
  for (const r of out) {
    const xs = rows.filter((row) => row.g === r["g"] && row.x !== null).map((row) => row.x!).sort((a, b) =>
      a - b
    );
    const exact = exactQuantile(xs, 0.9);
    assert.ok(Math.abs((r["p90"] as number) - exact) <= 0.01 * exact * (1 + 1e-9), `${r["p90"]} vs ${exact}`);
    const d = new Set(xs).size;
    assert.equal(r["exactD"], d);
    assert.ok(Math.abs((r["d"] as number) - d) / d < 0.05);
  }
});
