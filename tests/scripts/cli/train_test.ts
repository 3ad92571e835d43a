import assert from "node:assert/strict";
import { systemClock } from "../../../actors/clock.ts";
import type { CliIo } from "../../../scripts/cli/common.ts";
import { main } from "../../../scripts/cli/main.ts";
import { parseModels } from "../../../scripts/cli/train.ts";
import { MODEL_KINDS, modelKind } from "../../../scripts/cli/training/model_kinds.ts";
import { trainedRegistry } from "../../../scripts/cli/training/model_store.ts";

/** Runs `main` in process, capturing stdout and stderr. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    errIsTerminal: false,
    clock: systemClock,
  };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("train, evaluate and predict --help exit 0 and document their options and --json", async () => {
  for (
    const [cmd, options] of [
      ["train", ["--input", "--label", "--exclude", "--time-col", "--models", "--split", "--seed", "--out"]],
      ["evaluate", ["--model", "--input"]],
      ["predict", ["--model", "--input", "--out", "--format"]],
    ] as const
  ) {
    const r = await run([cmd, "--help"]);
    assert.equal(r.code, 0);
    assert.ok(r.out.startsWith(`Usage: deno task frontier ${cmd}`), r.out.slice(0, 80));
    for (const o of [...options, "--json", "--executors"]) {
      assert.ok(r.out.includes(o), `${cmd} documents ${o}`);
    }
  }
  const top = await run(["--help"]);
  for (const cmd of ["train", "evaluate", "predict"]) assert.match(top.out, new RegExp(`^  ${cmd} `, "m"));
});

Deno.test("train refuses a bad command line with exit 2 before starting a cluster", async () => {
  const cases: [string[], RegExp][] = [
    [["train", "--out", "/tmp/x"], /--input is required/],
    [
      ["train", "--input", "x.csv", "--out", "/tmp/x", "--split", "sideways"],
      /--split must be "random" or "time"/,
    ],
    [["train", "--input", "x.csv", "--out", "/tmp/x", "--models", "lr,svm"], /unknown model "svm"/],
    [["train", "--input", "x.csv", "--out", "/tmp/x", "--test-fraction", "1.5"], /--test-fraction must be/],
    [["train", "--input", "x.csv", "--out", "/tmp/x", "--validation", "latest"], /needs --split time/],
    [["train", "--input", "x.csv", "--out", "/tmp/x", "--seed", "1.5"], /--seed must be an integer/],
    [["evaluate", "--input", "x.csv"], /--model is required/],
    [
      ["predict", "--model", "m", "--input", "x.csv", "--out", "/tmp/x", "--format", "xlsx"],
      /--format must be/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.equal(r.out, "");
  }
});

Deno.test("the model table names each kind once and the load registry holds exactly its kinds", () => {
  const names = MODEL_KINDS.map((k) => k.name), kinds = MODEL_KINDS.map((k) => k.kind);
  assert.equal(new Set(names).size, names.length);
  assert.equal(new Set(kinds).size, kinds.length);
  assert.ok(names.includes("lr"));
  assert.deepEqual(trainedRegistry().kinds(), kinds);
  assert.equal(modelKind("logistic_regression"), modelKind("lr"));
  assert.deepEqual(parseModels(undefined).map((k) => k.name), names, "default: every kind");
  assert.deepEqual(parseModels(" lr ").map((k) => k.name), ["lr"]);
  assert.throws(() => parseModels("lr,lr"), /names a model twice/);
});
