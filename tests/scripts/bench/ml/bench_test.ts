import assert from "node:assert/strict";
import { parseMlBenchArgs, splitMlArgs } from "../../../../scripts/bench/ml/bench.ts";

Deno.test("parseMlBenchArgs runs every part at full size by default and a small smoke run with --quick", () => {
  const full = parseMlBenchArgs([])!;
  assert.deepEqual(full.parts, ["quality", "speed", "cv", "scale"]);
  assert.deepEqual(parseMlBenchArgs(["--skip-cv"])!.parts, ["quality", "speed", "scale"]);
  assert.deepEqual(full.seeds, [42, 43, 44, 45, 46]);
  assert.equal(full.resamples, 1000);
  assert.equal(full.speedRows, 1_000_000);
  assert.equal(full.speedTestRows, 200_000);
  assert.equal(full.scaleRows, 10_000_000);
  assert.equal(full.out, "out/bench/ml.json");
  const quick = parseMlBenchArgs(["--quick", "--skip-spark"])!;
  assert.deepEqual(quick.parts, ["quality", "speed"], "no scale part under --quick");
  assert.deepEqual(quick.seeds, [42]);
  assert.equal(quick.speedRows, 100_000);
  assert.equal(quick.skipSpark, true);
  assert.deepEqual(parseMlBenchArgs(["--parts", "speed,quality"])!.parts, ["quality", "speed"]);
  assert.throws(() => parseMlBenchArgs(["--parts", "tuning"]), TypeError);
  assert.throws(() => parseMlBenchArgs(["--resamples", "0"]), RangeError);
  assert.equal(parseMlBenchArgs(["--help"]), undefined);
  assert.deepEqual(full.speedModels, ["gbt", "rf", "lr"]);
  assert.deepEqual(parseMlBenchArgs(["--speed-models", "lr,gbt"])!.speedModels, ["gbt", "lr"]);
  assert.throws(() => parseMlBenchArgs(["--speed-models", "svm"]), /--speed-models: unknown "svm"/);
});

Deno.test("splitMlArgs carries --quick and --skip-spark to the ML suite and drops it on --skip-ml", () => {
  assert.deepEqual(splitMlArgs(["--quick", "--rows", "5", "--skip-spark", "--ml"]), {
    rest: ["--quick", "--rows", "5", "--skip-spark"],
    ml: ["--quick", "--skip-spark"],
  });
  assert.deepEqual(splitMlArgs(["--skip-ml", "--quick"]), { rest: ["--quick"], ml: undefined });
});
