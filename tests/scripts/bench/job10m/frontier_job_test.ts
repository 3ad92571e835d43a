import assert from "node:assert/strict";
import {
  frontierJobArgs,
  runFrontierExternal,
  runFrontierJob,
} from "../../../../scripts/bench/job10m/frontier_job.ts";
import { checkJobResult, referenceJob } from "../../../../scripts/bench/job10m/job_10m.ts";

Deno.test("Frontier embedded job over 200,000 rows returns the reference result", async () => {
  const result = await runFrontierJob(200_000, { mode: "embedded", executors: 2 });
  const check = checkJobResult(result.rows, referenceJob(200_000));
  assert.deepEqual(check.mismatches, []);
  assert.equal(result.rows.length, 10);
  assert.ok(result.wallMs > 0 && result.startupMs > 0);
  assert.equal(result.config["partitions"], 4);
});

Deno.test("Frontier job in a measured child process reports its result, wall time and peak RSS", async () => {
  const run = await runFrontierExternal({ rows: 30_000, mode: "embedded", executors: 2, partitions: 3 });
  assert.equal(run.engine, "frontier-embedded");
  assert.deepEqual(checkJobResult(run.rows, referenceJob(30_000)).mismatches, []);
  assert.ok(run.peakRssMb > 0, `peak RSS ${run.peakRssMb}`);
  assert.ok(run.processMs !== undefined && run.processMs > run.wallMs);
  assert.equal(run.config?.["partitions"], 3);
});

Deno.test("frontierJobArgs passes rows, mode, executors and partitions to the child", () => {
  const args = frontierJobArgs({ rows: 1000, mode: "process", executors: 3, partitions: 6 });
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(after("--rows"), "1000");
  assert.equal(after("--mode"), "process");
  assert.equal(after("--executors"), "3");
  assert.equal(after("--partitions"), "6");
  assert.equal(args.at(-1), "--json");
  assert.throws(() => frontierJobArgs({ rows: -1 }), RangeError);
});
