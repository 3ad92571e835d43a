import assert from "node:assert/strict";
import { parseMlBenchArgs, runMlBench } from "../../../../scripts/bench/ml/bench.ts";

Deno.test("the ML bench's speed part runs Frontier's children without Python and writes every figure", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlbench-" });
  try {
    const settings = parseMlBenchArgs([
      "--quick",
      "--skip-python",
      "--parts",
      "speed",
      "--speed-rows",
      "3000",
      "--dir",
      dir,
      "--out",
      `${dir}/ml.json`,
    ])!;
    const lines: string[] = [];
    const code = await runMlBench(settings, { log: (l) => lines.push(l), command: "test" });
    const text = lines.join("\n");
    assert.equal(code, 0, text);
    assert.match(text, /speed\/sklearn-rf: skipped: --skip-python given/);
    assert.match(
      text,
      /n\/a +speed GBT: frontier-gbt training time ≤ 2× lightgbm: not measured \(lightgbm missing\)/,
    );
    const report = JSON.parse(await Deno.readTextFile(`${dir}/ml.json`));
    assert.equal(report.meta.speed.data.rows, 3000);
    assert.equal(report.meta.speed.data.testRows, 1000);
    const figures = report.meta.speed.figures as { engine: string; fitSeconds: number; testRocAuc: number }[];
    assert.deepEqual(figures.map((f) => f.engine), ["frontier-gbt", "frontier-rf", "frontier-lr"]);
    for (const f of figures) {
      assert.ok(f.fitSeconds > 0, f.engine);
      assert.ok(
        f.testRocAuc > 0.6 && f.testRocAuc < 1,
        `${f.engine} learns the generated signal: ${f.testRocAuc}`,
      );
    }
    assert.deepEqual(report.figures.map((f: { suite: string }) => f.suite), [
      "ml_speed_gbt",
      "ml_speed_rf",
      "ml_speed_lr",
    ]);
    assert.equal(report.meta.quality, null);
    assert.ok(report.meta.machine.nproc >= 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
