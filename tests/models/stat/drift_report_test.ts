import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { driftReport } from "../../../models/stat/drift_report.ts";

const SCHEMA: Schema = [
  { name: "x", type: "double", nullable: true },
  { name: "k", type: "long", nullable: false },
  { name: "c", type: "string", nullable: true },
  { name: "y", type: "string", nullable: false },
];

function period(n: number, shift: number, cats: string[], rate: number, salt: number): Row[] {
  return Array.from({ length: n }, (_, i) => {
    const u = ((i * 7919 + salt) % n) / n;
    return {
      x: i % 50 === 0 ? null : u * 100 + shift,
      k: i % 3,
      c: i % 40 === 0 ? null : cats[i % cats.length]!,
      y: (i * 31 + salt) % 1000 < rate * 1000 ? "yes" : "no",
    };
  });
}

/** PSI written independently: shares floored at 1e-4. */
function psiOf(e: number[], a: number[]): number {
  return e.reduce((s, ei, i) => {
    const p = Math.max(ei, 1e-4), q = Math.max(a[i]!, 1e-4);
    return s + (q - p) * Math.log(q / p);
  }, 0);
}

Deno.test("driftReport: PSI, outside range, unseen categories and base rates match a local computation", async () => {
  const trainRows = period(2000, 0, ["a", "b", "c"], 0.1, 1);
  const testRows = period(1000, 30, ["a", "b", "d"], 0.3, 2);
  await using fx = await Frontier.start({ executors: 2 });
  const train = await fx.fromRows(trainRows, { schema: SCHEMA, partitions: 3 });
  const test = await fx.fromRows(testRows, { schema: SCHEMA, partitions: 2 });
  const r = await driftReport(train, test, { label: { column: "y", positive: "yes" } });
  assert.equal(r.trainRows, 2000);
  assert.equal(r.testRows, 1000);
  assert.deepEqual(r.features.map((f) => f.feature), ["x", "k", "c"]);

  const x = r.features[0]!;
  assert.ok(x.kind === "numeric");
  const xs = trainRows.map((t) => t.x).filter((v): v is number => v !== null).sort((a, b) => a - b);
  // Edges are the training deciles within the sketch's rank error.
  x.edges.forEach((e, i) => {
    const rank = xs.filter((v) => v <= e).length / xs.length;
    assert.ok(Math.abs(rank - (i + 1) / 10) < 0.01, `edge ${i} = ${e} at rank ${rank}`);
  });
  const sharesOf = (rows: Row[]) => {
    const counts = new Array(x.edges.length + 2).fill(0);
    for (const row of rows) {
      const v = row.x as number | null;
      const bin = v === null ? x.edges.length + 1 : x.edges.filter((e) => v > e).length;
      counts[bin]++;
    }
    return counts.map((n) => n / rows.length);
  };
  const e = sharesOf(trainRows), a = sharesOf(testRows);
  assert.deepEqual(x.trainShares, e);
  assert.deepEqual(x.testShares, a);
  assert.ok(Math.abs(x.psi - psiOf(e, a)) < 1e-12);
  assert.equal(x.trainMin, xs[0]);
  assert.equal(x.trainMax, xs[xs.length - 1]);
  const above = testRows.filter((t) => t.x !== null && (t.x as number) > xs[xs.length - 1]!).length;
  assert.equal(x.above, above);
  assert.equal(x.below, 0);
  assert.equal(x.outsideShare, above / 1000);
  assert.ok(x.psi > 0.25, `shifted x: PSI ${x.psi}`);

  const k = r.features[1]!;
  assert.ok(k.kind === "numeric" && k.psi < 0.01, `stable k: PSI ${k.psi}`);

  const c = r.features[2]!;
  assert.ok(c.kind === "categorical");
  assert.deepEqual(c.unseen, ["d"]);
  const share = (rows: Row[], v: string | null) => rows.filter((t) => t.c === v).length / rows.length;
  assert.deepEqual(c.categories.slice(3), ["d"]);
  assert.equal(c.unseenShare, share(testRows, "d"));
  const ce = [...c.categories.map((v) => share(trainRows, v)), share(trainRows, null)];
  const ca = [...c.categories.map((v) => share(testRows, v)), share(testRows, null)];
  assert.deepEqual(c.trainShares, ce);
  assert.deepEqual(c.testShares, ca);
  assert.ok(Math.abs(c.psi - psiOf(ce, ca)) < 1e-12);

  const rate = (rows: Row[]) => rows.filter((t) => t.y === "yes").length / rows.length;
  assert.equal(r.label!.trainRate, rate(trainRows));
  assert.equal(r.label!.testRate, rate(testRows));
  await assert.rejects(() => driftReport(train, test, { numeric: ["nope"] }), /"nope" is not in the train/);
  await assert.rejects(() => driftReport(train, test, { bins: 1 }), /bins must be/);
});
