import assert from "node:assert/strict";
import type { EngineRun } from "../../../scripts/bench/job10m/job_10m.ts";
import { jobTargets, parseBenchArgs } from "../../../scripts/bench/main.ts";

function run(engine: string, wallMs: number, runsMs?: number[]): EngineRun {
  return { engine, wallMs, peakRssMb: 100, rows: [], ...(runsMs ? { runsMs } : {}) };
}

Deno.test("parseBenchArgs uses the full sizes by default and small ones with --quick", () => {
  const full = parseBenchArgs([])!;
  assert.equal(full.rows, 10_000_000);
  assert.equal(full.tasks, 10_000);
  assert.equal(full.shuffleRows, 20_000_000);
  assert.equal(full.out, "out/bench/runtime.json");
  assert.equal(full.skipSpark, false);
  assert.equal(full.repeat, 3);
  const quick = parseBenchArgs(["--quick", "--skip-spark", "--rows", "5000", "--out", "x.json"])!;
  assert.equal(quick.rows, 5000);
  assert.equal(quick.tasks, 1000);
  assert.equal(quick.repeat, 1);
  assert.equal(quick.skipSpark, true);
  assert.equal(quick.out, "x.json");
  assert.equal(parseBenchArgs(["--help"]), undefined);
  assert.throws(() => parseBenchArgs(["--tasks", "0"]), RangeError);
});

Deno.test("jobTargets compares each Frontier mode with 0.5× Spark and 3× DuckDB on fastest and first runs", () => {
  const checks = jobTargets([
    run("frontier-embedded", 1000, [1100, 1000]),
    run("frontier-process", 4000),
    run("duckdb", 500),
    run("spark", 1500, [6000, 1500]),
  ]);
  const met = Object.fromEntries(checks.map((c) => [c.target, c.met]));
  assert.deepEqual(met, {
    "job_10m (fastest run): frontier-embedded ≤ 0.5× Spark wall time": false,
    "job_10m (fastest run): frontier-embedded ≤ 3× DuckDB wall time": true,
    "job_10m (fastest run): frontier-process ≤ 0.5× Spark wall time": false,
    "job_10m (fastest run): frontier-process ≤ 3× DuckDB wall time": false,
    "job_10m (first run): frontier-embedded ≤ 0.5× Spark wall time": true,
    "job_10m (first run): frontier-embedded ≤ 3× DuckDB wall time": true,
    "job_10m (first run): frontier-process ≤ 0.5× Spark wall time": false,
    "job_10m (first run): frontier-process ≤ 3× DuckDB wall time": false,
  });
  const first = checks.find((c) =>
    c.target === "job_10m (first run): frontier-embedded ≤ 0.5× Spark wall time"
  );
  assert.equal(first?.detail, "1100 ms / 6000 ms = 0.18×");
});

Deno.test("jobTargets leaves a target undecided when an engine was skipped", () => {
  const checks = jobTargets([run("frontier-embedded", 1000), run("duckdb", 500)]);
  const spark = checks.find((c) =>
    c.target === "job_10m (fastest run): frontier-embedded ≤ 0.5× Spark wall time"
  )!;
  assert.equal(spark.met, undefined);
  assert.match(spark.detail, /Spark missing/);
  const process = checks.find((c) =>
    c.target === "job_10m (first run): frontier-process ≤ 3× DuckDB wall time"
  )!;
  assert.equal(process.met, undefined);
});
