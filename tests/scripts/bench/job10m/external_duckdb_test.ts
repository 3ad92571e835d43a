import assert from "node:assert/strict";
import { runDuckdbJob } from "../../../../scripts/bench/job10m/external_duckdb.ts";
import { checkJobResult, referenceJob } from "../../../../scripts/bench/job10m/job_10m.ts";

Deno.test("DuckDB's result for N=100,000 matches the TypeScript reference", async () => {
  const result = await runDuckdbJob(100_000, { threads: 2 });
  const expected = referenceJob(100_000);
  assert.equal(expected.length, 10);
  assert.deepEqual(result.rows.map((r) => r.n), expected.map((r) => r.n));
  const check = checkJobResult(result.rows, expected);
  assert.deepEqual(check.mismatches, []);
  assert.ok(result.wallMs > 0);
});
