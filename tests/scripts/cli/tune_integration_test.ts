import assert from "node:assert/strict";
import { corruptedBankSlice } from "./train_fixture.ts";

import { runFrontier as frontier, spawnFrontier } from "./cli_process.ts";

Deno.test("frontier tune on a bank sample: a line per trial, the best model saved, evaluate loads it with its threshold", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-tune-" });
  try {
    const input = `${dir}/bank.csv`;
    await corruptedBankSlice(input, 2500, []);
    const out = `${dir}/tune`;
    const r = await frontier([
      "tune",
      "--input",
      input,
      "--model",
      "gbt",
      "--grid",
      "numLeaves=4,8;learningRate=0.1,0.3",
      "--validator",
      "cv",
      "--folds",
      "2",
      "--parallelism",
      "2",
      "--metric",
      "prAuc",
      "--seed",
      "3",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out.trim());
    assert.equal(s.command, "tune");
    assert.deepEqual(s.excluded, ["duration"]);
    assert.equal(s.trials.length, 4);
    assert.ok(
      s.trials.every((t: { status: string; values: number[] }) => t.status === "ok" && t.values.length === 2),
    );
    for (let i = 1; i <= 4; i++) assert.match(r.err, new RegExp(`trial ${i}/4 ok: prAuc \\d\\.\\d{4} ± `));
    const best = s.trials[s.best.index];
    assert.ok(s.trials.every((t: { mean: number }) => t.mean <= best.mean));
    assert.deepEqual(s.shared, { ...s.shared, preparations: 2, fits: 8 });
    assert.equal(s.rows_train + s.rows_test, 2500);
    // the saved model: evaluate on the whole sample runs, and the model directory carries the
    // test figures tune printed
    const model = JSON.parse(await Deno.readTextFile(`${s.model_path}/model.json`));
    assert.equal(model.kind, "gbt");
    assert.equal(model.metrics.averagePrecision, s.refit.test_value);
    const [lo, hi] = s.refit.intervals.averagePrecision;
    assert.ok(
      lo < s.refit.test_value && s.refit.test_value < hi,
      "the test PR-AUC inside its bootstrap interval",
    );
    const page = await Deno.readTextFile(s.report_path);
    assert.match(page, /id="tuning"/);
    assert.match(page, /gbt \(tuned\)/);
    assert.equal(model.params.numLeaves, s.best.params.numLeaves);
    const ev = await frontier(["evaluate", "--model", s.model_path, "--input", input, "--json"]);
    assert.equal(ev.code, 0, ev.err);
    const evaluated = JSON.parse(ev.out.trim());
    assert.equal(evaluated.metrics.rows, 2500);
    assert.equal(evaluated.threshold, s.refit.threshold);

    const bad = await frontier([
      "tune",
      "--input",
      input,
      "--model",
      "gbt",
      "--grid",
      "maxDepth=3;leaves=2",
      "--out",
      out,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--grid: "leaves=2": gbt has no parameter "leaves"/);
    const noCosts = await frontier([
      "tune",
      "--input",
      input,
      "--model",
      "lr",
      "--grid",
      "regParam=0.01",
      "--metric",
      "expectedCost",
      "--out",
      out,
    ]);
    assert.equal(noCosts.code, 2);
    assert.match(noCosts.err, /--metric expectedCost needs --costs FN,FP/);
    const badCosts = await frontier([
      "tune",
      "--input",
      input,
      "--model",
      "lr",
      "--grid",
      "regParam=0.01",
      "--costs",
      "0,0",
      "--out",
      out,
    ]);
    assert.equal(badCosts.code, 2);
    assert.match(badCosts.err, /--costs must be two numbers FN,FP ≥ 0, not both 0/);

    // Expected cost is minimized: the winner has the least mean cost.
    const cost = await frontier([
      "tune",
      "--input",
      input,
      "--model",
      "lr",
      "--grid",
      "regParam=0.001,0.1,10",
      "--validator",
      "tvs",
      "--metric",
      "expectedCost",
      "--costs",
      "5,1",
      "--out",
      `${dir}/cost`,
      "--json",
    ]);
    assert.equal(cost.code, 0, cost.err);
    const c = JSON.parse(cost.out.trim());
    assert.equal(c.direction, "min");
    const means = c.trials.map((t: { mean: number }) => t.mean);
    assert.equal(c.best.mean, Math.min(...means), `the least expected cost wins: ${means}`);
    assert.ok(means.every((m: number) => m > 0 && m < 1), `a cost per row between 0 and 1 here: ${means}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C during frontier tune stops the running trials and exits with the abort", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-tune-int-" });
  try {
    const input = `${dir}/bank.csv`;
    await corruptedBankSlice(input, 2500, []);
    const child = spawnFrontier([
      "tune",
      "--input",
      input,
      "--model",
      "gbt",
      "--grid",
      "numLeaves=4,8,16,31",
      "--folds",
      "3",
      "--parallelism",
      "2",
      "--out",
      `${dir}/tune`,
      "--json",
    ], { stdout: "piped" });
    let err = "";
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    // wait until a trial has scored a fold: the search is running trials
    while (!/fold 1: rocAuc/.test(err)) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    assert.match(err, /fold 1: rocAuc/);
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    const status = await child.status;
    const out = await new Response(child.stdout).text();
    assert.equal(status.code, 1, err);
    assert.equal(out, "", "no summary");
    assert.match(err, /interrupted: stopping the running trials/);
    assert.match(err, /frontier tune: AbortError: Interrupted \(SIGINT\)/);
    assert.doesNotMatch(err, /trial 4\/4 ok/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
