import assert from "node:assert/strict";
import { TaskFailedError } from "../../../cluster/errors.ts";
import {
  DENO_CONFIG,
  denoChildArgs,
  positiveFlag,
  printVerdicts,
  runJsonChild,
} from "../../../scripts/bench/harness.ts";
import { parseTimeCpuSeconds } from "../../../scripts/bench/measure.ts";

Deno.test("denoChildArgs runs a script with the repository config, its flags, then --json", () => {
  assert.deepEqual(denoChildArgs("/x/job.ts", ["--rows", "5"]), [
    "run",
    "-A",
    "--config",
    DENO_CONFIG,
    "/x/job.ts",
    "--rows",
    "5",
    "--json",
  ]);
  assert.ok(DENO_CONFIG.endsWith("/deno.json"));
  assert.equal(denoChildArgs(new URL("file:///y/b.ts"), [])[4], "/y/b.ts");
});

Deno.test("runJsonChild returns the measured run and the child's last JSON line", async () => {
  const code = 'console.log("noise"); console.log(JSON.stringify({ wallMs: 12 }));';
  const { run, line } = await runJsonChild(Deno.execPath(), ["eval", code], { what: "echo", useTime: false });
  assert.equal(run.code, 0);
  assert.ok(run.wallMs > 0);
  assert.deepEqual(line, { wallMs: 12 });
});

Deno.test("runJsonChild turns a failed child into a TaskFailedError with its stderr and data", async () => {
  const code = 'console.error("disk full"); Deno.exit(3);';
  await assert.rejects(
    runJsonChild(Deno.execPath(), ["eval", code], {
      what: "DuckDB benchmark",
      data: { engine: "duckdb" },
      useTime: false,
    }),
    (e: unknown) =>
      e instanceof TaskFailedError && e.message === "DuckDB benchmark exited with code 3: disk full" &&
      e.data["engine"] === "duckdb" && e.data["code"] === 3,
  );
  await assert.rejects(
    runJsonChild(Deno.execPath(), ["eval", 'console.log("no json")'], { what: "quiet", useTime: false }),
    (e: unknown) => e instanceof TaskFailedError && /quiet printed no JSON result line/.test(e.message),
  );
});

Deno.test("positiveFlag reads positive integers and names a bad flag", () => {
  assert.equal(positiveFlag(undefined, "repeat", 3), 3);
  assert.equal(positiveFlag("8", "repeat", 3), 8);
  assert.throws(() => positiveFlag("0", "repeat", 3), /--repeat must be a positive integer, got 0/);
  assert.throws(() => positiveFlag("1.5", "executors", 2), RangeError);
});

Deno.test("printVerdicts prints each target's verdict, then skips and failures", () => {
  const lines: string[] = [];
  printVerdicts({
    targets: [
      { target: "a ≤ 2", met: true, detail: "1" },
      { target: "b ≤ 2", met: false, detail: "3" },
      { target: "c", met: undefined, detail: "no figure" },
    ],
    skipped: { spark: "no java" },
    failures: ["duckdb job: boom"],
  }, (l) => lines.push(l));
  assert.deepEqual(lines, [
    "\n== Targets ==",
    "  MET     a ≤ 2: 1",
    "  NOT MET b ≤ 2: 3",
    "  n/a     c: no figure",
    "  skipped spark: no java",
    "  FAILED duckdb job: boom",
  ]);
});

Deno.test("GNU time's report gives user plus system CPU seconds, and nothing without them", () => {
  const report = [
    '\tCommand being timed: "deno run x.ts"',
    "\tUser time (seconds): 12.34",
    "\tSystem time (seconds): 1.5",
    "\tMaximum resident set size (kbytes): 4096",
  ].join("\n");
  assert.equal(parseTimeCpuSeconds(report), 13.84);
  assert.equal(parseTimeCpuSeconds("\tMaximum resident set size (kbytes): 4096"), undefined);
});
