import assert from "node:assert/strict";
import { parseStreamBenchArgs, splitStreamArgs } from "../../../../scripts/bench/stream/bench.ts";
import { quantile } from "../../../../scripts/bench/stream/stream_figures.ts";

Deno.test("quantile is the nearest rank, 0 on no data, and refuses q outside [0, 1]", () => {
  const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(quantile(xs, 0.5), 5);
  assert.equal(quantile(xs, 0.99), 10);
  assert.equal(quantile(xs, 1), 10);
  assert.equal(quantile(xs, 0), 1);
  assert.equal(quantile([], 0.5), 0);
  assert.throws(() => quantile(xs, 1.5), /q must be in \[0, 1\]/);
});

Deno.test("the stream suite takes --quick and --skip-spark from deno task bench; --skip-stream leaves it out", () => {
  assert.deepEqual(splitStreamArgs(["--quick", "--rows", "5", "--skip-spark"]), {
    rest: ["--quick", "--rows", "5", "--skip-spark"],
    stream: ["--quick", "--skip-spark"],
  });
  assert.deepEqual(splitStreamArgs(["--skip-stream", "--quick"]), { rest: ["--quick"], stream: undefined });
  const quick = parseStreamBenchArgs(["--quick"])!;
  assert.equal(quick.rows, 100_000);
  assert.equal(quick.kills, 2);
  assert.equal(parseStreamBenchArgs([])!.soakRows, 1_000_000);
  assert.equal(quick.warmupSeconds, 3);
  assert.equal(parseStreamBenchArgs([])!.warmupSeconds, 5);
  assert.equal(parseStreamBenchArgs(["--warmup", "0"])!.warmupSeconds, 0);
  assert.throws(() => parseStreamBenchArgs(["--warmup=-1"]), /--warmup must be an integer >= 0/);
  assert.equal(parseStreamBenchArgs([])!.packOutputs, true);
  assert.equal(parseStreamBenchArgs(["--unpacked"])!.packOutputs, false);
  assert.equal(parseStreamBenchArgs(["--help"]), undefined);
  assert.throws(() => parseStreamBenchArgs(["--kills", "0"]), /--kills must be an integer >= 1/);
});
