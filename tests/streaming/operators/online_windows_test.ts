/**
 * The online window machinery against the batch window operator on many kinds of window
 * function — not only the velocity features: bounded and unbounded row and range frames, frames
 * ending before the current row, min/max, null arguments, long sums, ranking with peers, lag with
 * an offset and a default, a window partitioned by a further column.
 */
import assert from "node:assert/strict";
import { Frontier, type Row, type Schema } from "../../../mod.ts";
import { avg, col, Column, count, max, min, sum, variance } from "../../../cluster/expr/column.ts";
import { denseRank, lag, rank, rowNumber, Window } from "../../../cluster/expr/window.ts";
import {
  type FeatureDefinition,
  type FeatureInput,
  onlineFeatures,
  runOperator,
  type Timed,
} from "../../../streaming/mod.ts";
import { rng } from "../../cluster/test_rng.ts";

const SCHEMA: Schema = [
  { name: "id", type: "string", nullable: false },
  { name: "k", type: "string", nullable: false },
  { name: "t", type: "timestamp", nullable: false },
  { name: "c", type: "string", nullable: false },
  { name: "v", type: "double", nullable: true },
  { name: "n", type: "long", nullable: false },
];

function definitions(): FeatureDefinition[] {
  const byTime = Window.partitionBy("k").orderBy("t");
  const byTimeId = Window.partitionBy("k").orderBy("t", "id");
  const defs: [string, Column][] = [
    ["count_v_10", count("v").over(byTime.rangeBetween(-10, 0))],
    ["min_v_10", min("v").over(byTime.rangeBetween(-10, 0))],
    ["max_v_10", max("v").over(byTime.rangeBetween(-10, 0))],
    ["avg_v_before", avg("v").over(byTime.rangeBetween(-5, -1))],
    ["min_v_3rows", min("v").over(byTimeId.rowsBetween(-2, 0))],
    ["max_v_prior", max("v").over(byTimeId.rowsBetween(Window.unboundedPreceding, -1))],
    ["sum_v_3prior", sum("v").over(byTimeId.rowsBetween(-3, -1))],
    ["var_v_running", variance("v").over(byTimeId.rowsBetween(Window.unboundedPreceding, 0))],
    ["sum_n_running", sum("n").over(byTime)], // default frame: range up to the current peers
    ["count_running", count().over(byTime)],
    ["rank_t", rank().over(byTime)],
    ["dense_rank_t", denseRank().over(byTime)],
    ["row_in_cat", rowNumber().over(Window.partitionBy("k", "c").orderBy("t", "id"))],
    ["v_two_back", lag("v", 2, -1).over(byTimeId)],
    ["gap", col("t").minus(lag("t").over(byTimeId))],
    ["v_over_min", col("v").div(min("v").over(byTime.rangeBetween(-10, 0))).plus(1)],
  ];
  return defs.map(([name, c]) => ({ name, expr: c.expr }));
}

/** Rows with many ties in time, nulls, and a disordered arrival within `lateness`. */
function generate(seed: number, rows: number, lateness: number): { rows: Row[]; arrival: Row[] } {
  const r = rng(seed);
  const out: Row[] = [];
  for (let i = 0; i < rows; i++) {
    out.push({
      id: `e${String(i).padStart(4, "0")}`,
      k: `k${Math.floor(r() * 4)}`,
      t: Math.floor(i / 3) + (r() < 0.2 ? 1 : 0),
      c: r() < 0.5 ? "a" : "b",
      v: r() < 0.15 ? null : Math.round(r() * 2000 - 1000) / 8,
      n: Math.floor(r() * 100),
    });
  }
  const arrival = out
    .map((row) => ({ row, at: (row["t"] as number) + r() * lateness }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.row);
  return { rows: out, arrival };
}

Deno.test("online window functions of many kinds equal the batch window operator", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  const defs = definitions();
  for (const seed of [1, 2, 3]) {
    const lateness = 8;
    const { rows, arrival } = generate(seed, 600, lateness);
    const ds = await fx.fromRows(rows, { schema: SCHEMA, partitions: 2 });
    const batch = await ds.select(
      ...SCHEMA.map((f) => col(f.name)),
      ...defs.map((d) => new Column(d.expr).alias(d.name)),
    )
      .collect();
    const inputs: Timed<FeatureInput>[] = [];
    let maxT = -Infinity;
    arrival.forEach((row, i) => {
      assert.ok((row["t"] as number) >= maxT - lateness, "no event is late");
      inputs.push({ time: i, value: { type: "event", row } });
      maxT = Math.max(maxT, row["t"] as number);
      if (i % 7 === 0) inputs.push({ time: i, value: { type: "watermark", watermark: maxT - lateness } });
    });
    inputs.push({ time: arrival.length, value: { type: "end" } });
    const online = new Map<string, Row>();
    for (const o of runOperator(onlineFeatures({ features: defs, schema: SCHEMA }), inputs).outputs) {
      assert.equal(o.type, "features");
      if (o.type === "features") online.set(o.row["id"] as string, o.row);
    }
    assert.equal(online.size, rows.length);
    for (const want of batch) {
      const got = online.get(want["id"] as string)!;
      for (const d of defs) {
        assert.ok(
          Object.is(got[d.name], want[d.name]),
          `seed ${seed}, ${want["id"]}: ${d.name} online ${got[d.name]} batch ${want[d.name]}`,
        );
      }
    }
    // The data exercises ties, nulls and empty frames.
    assert.ok(batch.some((b) => (b["rank_t"] as number) !== (b["dense_rank_t"] as number)));
    assert.ok(batch.some((b) => b["avg_v_before"] === null) && batch.some((b) => b["v_two_back"] === -1));
  }
});
