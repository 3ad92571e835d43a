import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { featureGroups, MACRO } from "../../../scripts/analysis/study_features.ts";

const SCHEMA: Schema = [
  { name: "month", type: "string", nullable: false },
  { name: "pdays", type: "long", nullable: false },
  { name: "poutcome", type: "string", nullable: false },
];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

Deno.test("study feature groups: cyclical month and previous-campaign flags as defined", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  const rows: Row[] = MONTHS.map((month, k) => ({
    month,
    pdays: k % 2 === 0 ? -1 : 5,
    poutcome: k % 3 === 0 ? "success" : k % 3 === 1 ? "failure" : "unknown",
  }));
  let ds = await fx.fromRows(rows, { schema: SCHEMA, partitions: 2 });
  const groups = featureGroups("full");
  assert.deepEqual(groups.map((g) => g.name), ["cyclical month", "previous-campaign flags"]);
  for (const g of groups) ds = g.add(ds);
  const out = await ds.collect();
  out.sort((a, b) => MONTHS.indexOf(a.month as string) - MONTHS.indexOf(b.month as string));
  out.forEach((r, k) => {
    const angle = 2 * Math.PI * k / 12;
    assert.ok(Math.abs((r.month_sin as number) - Math.sin(angle)) < 1e-15, `${r.month}`);
    assert.ok(Math.abs((r.month_cos as number) - Math.cos(angle)) < 1e-15, `${r.month}`);
    assert.equal(r.prev_contacted, k % 2 === 0 ? 0 : 1);
    assert.equal(r.prev_success, k % 3 === 0 ? 1 : 0);
    assert.equal(r.prev_failure, k % 3 === 1 ? 1 : 0);
  });
  const additional = featureGroups("additional");
  assert.deepEqual(additional[2]!.numeric, MACRO);
});
