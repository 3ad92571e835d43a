import assert from "node:assert/strict";
import { systemClock } from "../../../actors/clock.ts";
import type { CliIo } from "../../../scripts/cli/common.ts";
import { main } from "../../../scripts/cli/main.ts";
import { fitGbtLocal } from "../../../models/classification/gbt/fit_local.ts";
import { LogisticModel } from "../../../models/classification/logistic_regression/logistic_model.ts";
import { LogisticRegression } from "../../../models/classification/logistic_regression/logistic_regression.ts";
import { fitForestLocal } from "../../../models/classification/random_forest/fit_local.ts";
import { encodeModelFiles, loadModel, type ModelInfo, saveModel } from "../../../models/persistence/mod.ts";
import { parseModels } from "../../../scripts/cli/train.ts";
import { MODEL_KINDS, modelKind, type TrainedModel } from "../../../scripts/cli/training/model_kinds.ts";
import { trainedRegistry } from "../../../scripts/cli/training/model_store.ts";
import { partitioned, syntheticRows } from "../../models/classification/logistic_regression/lr_test_data.ts";

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
      [
        "train",
        [
          "--input",
          "--label",
          "--exclude",
          "--time-col",
          "--models",
          "--split",
          "--seed",
          "--out",
          "--checkpoint-every",
          "--resume",
          "--tree-features",
          "--class-weight",
        ],
      ],
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
    [["train", "--input", "x.csv", "--out", "/tmp/x", "--resume"], /--resume needs --checkpoint-every/],
    [
      ["train", "--input", "x.csv", "--out", "/tmp/x", "--checkpoint-every", "0"],
      /--checkpoint-every must be a positive integer/,
    ],
    [
      ["train", "--input", "x.csv", "--out", "/tmp/x", "--tree-features", "binned"],
      /--tree-features must be "native" or "onehot"/,
    ],
    [
      ["train", "--input", "x.csv", "--out", "/tmp/x", "--class-weight", "heavy"],
      /--class-weight must be "balanced" or two positive numbers W0,W1/,
    ],
    [["train", "--input", "x.csv", "--out", "/tmp/x", "--class-weight", "1,0"], /--class-weight must be/],
    [["train", "--input", "x.csv", "--out", "/tmp/x", "--class-weight", "1,2,3"], /--class-weight must be/],
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
  assert.deepEqual([...names].sort(), ["gbt", "lr", "rf"]);
  assert.deepEqual(trainedRegistry().kinds(), kinds);
  assert.equal(modelKind("logistic_regression"), modelKind("lr"));
  assert.deepEqual(parseModels(undefined).map((k) => k.name), names, "default: every kind");
  assert.deepEqual(parseModels(" lr ").map((k) => k.name), ["lr"]);
  assert.throws(() => parseModels("lr,lr"), /names a model twice/);
});

const FEATURES = ["f0", "f1", "f2", "f3", "f4"];

function storedInfo(trained: TrainedModel): ModelInfo {
  return {
    frontierVersion: "0.1.0",
    createdAt: "2025-06-01T12:00:00.000Z",
    seed: 5,
    params: trained.params(),
    schema: {
      inputColumns: FEATURES.map((name) => ({ name, type: "double", nullable: false })),
      label: "y",
      stages: [],
      featureNames: FEATURES,
    },
    metrics: { threshold: 0.25 },
    training: { dataHash: "sha256:00", rows: 600 },
    warnings: [],
  };
}

/** One small fitted model of every kind, fitted in process. */
async function smallModels(): Promise<Map<string, TrainedModel>> {
  const rows = syntheticRows({ rows: 600, seed: 61 });
  const columns = FEATURES.map((_, j) => Float64Array.from(rows.x, (r) => r[j]!));
  const labels = Float64Array.from(rows.y);
  const lr = new LogisticRegression({ featureNames: FEATURES });
  const fit = await lr.fitBlocks(partitioned(rows, 2), FEATURES.length);
  const source = { kind: "columns" as const, features: FEATURES, label: "y" };
  const gbt = await fitGbtLocal({ columns, labels }, {
    params: { numRounds: 5, numLeaves: 7, minDataInLeaf: 10 },
    featureNames: FEATURES,
  });
  const rf = await fitForestLocal({ columns, labels }, {
    params: { numTrees: 3, maxDepth: 4, seed: 2 },
    featureNames: FEATURES,
  });
  return new Map([
    ["lr", modelKind("lr")!.wrap(LogisticModel.fromFit(fit, { source, params: lr.params }))],
    ["gbt", modelKind("gbt")!.wrap(gbt.model)],
    ["rf", modelKind("rf")!.wrap(rf.model)],
  ]);
}

Deno.test("every kind's model saves, loads through the CLI registry and saves again to the same bytes", async () => {
  const models = await smallModels();
  assert.deepEqual([...models.keys()].sort(), MODEL_KINDS.map((k) => k.name).sort());
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, trained] of models) {
      assert.ok(trained.splitGain() === undefined || trained.splitGain()!.length === FEATURES.length, name);
      const path = `${dir}/${name}`;
      await trained.save((codec, model) => saveModel(path, { codec, model, info: storedInfo(trained) }));
      const { envelope, model } = await loadModel(path, trainedRegistry());
      assert.equal(envelope.kind, trained.kind.kind);
      assert.equal(envelope.metrics["threshold"], 0.25, `${name} keeps the threshold in model.json`);
      const back = modelKind(envelope.kind)!.wrap(model);
      assert.equal(back.kind, trained.kind);
      const encode = (t: TrainedModel) =>
        t.save((codec, m) => encodeModelFiles({ codec, model: m, info: storedInfo(trained) }));
      const [a, b] = [await encode(trained), await encode(back)];
      assert.deepEqual([...b.files.keys()].sort(), [...a.files.keys()].sort());
      for (const [file, bytes] of a.files) assert.deepEqual(b.files.get(file), bytes, `${name}: ${file}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
