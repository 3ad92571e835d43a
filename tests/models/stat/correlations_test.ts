import assert from "node:assert/strict";
import { correlations, pearsonFromSums } from "../../../models/stat/correlations.ts";
import { assertClose, bankTable, duck, withCluster } from "../../scripts/eda/eda_test_util.ts";

Deno.test("correlations of bank-full match DuckDB corr() over the same CSV", async () => {
  const [want] = await duck(
    `SELECT corr(age, balance) AS age_balance, corr(pdays, previous) AS pdays_previous,
      corr(day, campaign) AS day_campaign, corr(duration, campaign) AS duration_campaign FROM ${bankTable()}`,
  );
  await withCluster(async (fx) => {
    const input = await fx.read.bank("full");
    const columns = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"];
    const r = await correlations(input.data, { columns });
    const get = (a: string, b: string) => r.matrix[columns.indexOf(a)]![columns.indexOf(b)];
    assertClose(get("age", "balance"), want!["age_balance"], { what: "age/balance", relative: 1e-9 });
    assertClose(get("balance", "age"), want!["age_balance"], { what: "symmetric", relative: 1e-9 });
    assertClose(get("pdays", "previous"), want!["pdays_previous"], {
      what: "pdays/previous",
      relative: 1e-9,
    });
    assertClose(get("day", "campaign"), want!["day_campaign"], { what: "day/campaign", relative: 1e-9 });
    assertClose(get("duration", "campaign"), want!["duration_campaign"], {
      what: "duration/campaign",
      relative: 1e-9,
    });
    assert.equal(get("age", "age"), 1);
    assert.equal(r.pairs.length, 21);
    assert.ok(r.pairs.every((p) => p.n === 45_211));
  });
});

Deno.test("correlations are pairwise over nulls, stay exact under a huge offset (centered at the means), and skip constant columns", async () => {
  const base = 1.7e12; // timestamps in ms: naive Σxy - ΣxΣy/n loses everything here
  const xs = [1, 2, 3, 4, 5, 6], ys = [2, 4.5, 5.5, 8, 11, 12.5];
  const rows = xs.map((x, i) => ({
    x: base + x,
    y: ys[i]!,
    z: i === 2 ? null : x * x,
    k: 7,
  }));
  await withCluster(async (fx) => {
    const ds = await fx.fromRows(rows, {
      schema: [
        { name: "x", type: "double", nullable: false },
        { name: "y", type: "double", nullable: false },
        { name: "z", type: "double", nullable: true },
        { name: "k", type: "int", nullable: false },
      ],
      partitions: 3,
    });
    // No centers given: a first job computes the means and the sums are taken around them.
    const r = await correlations(ds, { columns: ["x", "y", "z", "k"] });
    const pearson = (a: number[], b: number[]) => {
      const ma = a.reduce((s, v) => s + v, 0) / a.length, mb = b.reduce((s, v) => s + v, 0) / b.length;
      let ab = 0, aa = 0, bb = 0;
      a.forEach((v, i) => {
        ab += (v - ma) * (b[i]! - mb);
        aa += (v - ma) ** 2;
        bb += (b[i]! - mb) ** 2;
      });
      return ab / Math.sqrt(aa * bb);
    };
    assertClose(r.matrix[0]![1], pearson(xs, ys), { what: "x/y with offset 1.7e12", relative: 1e-12 });
    const keep = [0, 1, 3, 4, 5];
    assertClose(
      r.matrix[1]![2],
      pearson(keep.map((i) => ys[i]!), keep.map((i) => xs[i]! * xs[i]!)),
      { what: "y/z pairwise", relative: 1e-12 },
    );
    assert.equal(r.pairs.find((p) => p.a === "y" && p.b === "z")!.n, 5);
    assert.equal(r.matrix[3]![0], null, "constant column has no correlation");
    assert.equal(r.matrix[3]![3], null);
  });
});

Deno.test("pearsonFromSums is null for fewer than two rows or zero variance, and clamps to [-1, 1]", () => {
  assert.equal(pearsonFromSums({ n: 1, a: 1, b: 1, aa: 1, bb: 1, ab: 1 }), null);
  assert.equal(pearsonFromSums({ n: 3, a: 3, b: 6, aa: 3, bb: 14, ab: 6 }), null);
  assert.equal(pearsonFromSums({ n: 2, a: 0, b: 0, aa: 2, bb: 2, ab: 2 + 1e-15 }), 1);
});
