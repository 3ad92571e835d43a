/**
 * The tree models of `frontier train` read their own pipeline: text columns index-coded and
 * split natively as categories, numbers raw (not one-hot, not imputed, not binned).
 */
import assert from "node:assert/strict";
import { Frontier } from "../../../cluster/frontier.ts";
import { slotColumn } from "../../../models/features/column_info.ts";
import { GbtModel } from "../../../models/classification/gbt/gbt_model.ts";
import { ForestModel } from "../../../models/classification/random_forest/forest_model.ts";
import { LABEL01, planFeatures, withLabel01 } from "../../../scripts/cli/training/features.ts";
import { categoricalColumns, featureColumns, modelKind } from "../../../scripts/cli/training/model_kinds.ts";
import { readInput } from "../../../scripts/cli/training/read_input.ts";
import { corruptedBankSlice } from "./train_fixture.ts";

Deno.test("rf and gbt read the tree pipeline and lr the linear one", () => {
  assert.deepEqual(["lr", "rf", "gbt"].map((n) => modelKind(n)!.pipeline), ["linear", "tree", "tree"]);
});

Deno.test("the tree pipeline of a generic CSV keeps numbers raw and codes text as category indices", async () => {
  await using fx = await Frontier.start({ executors: 1 });
  const channels = ["web", "store", "phone"];
  const rows = Array.from({ length: 120 }, (_, i) => ({
    amount: i % 10 === 3 ? null : 1000 + i * 7.25,
    channel: channels[i % 3]!,
    vip: i % 4 === 0,
    y: i % 5 === 0 ? "yes" : "no",
  }));
  const data = await fx.fromRows(rows, {
    schema: [
      { name: "amount", type: "double", nullable: true },
      { name: "channel", type: "string", nullable: false },
      { name: "vip", type: "bool", nullable: false },
      { name: "y", type: "string", nullable: false },
    ],
    partitions: 2,
  });
  const plan = await planFeatures(data, { label: "y" });
  const pipeline = await plan.pipeline("tree").fit(data);
  assert.deepEqual(pipeline.featureNames, ["amount", "channel", "vip"]);
  assert.equal(pipeline.layout.binner, undefined);
  const features = featureColumns(pipeline);
  const [amount, channel, vip] = features;
  assert.deepEqual(categoricalColumns(pipeline), [channel]);
  assert.equal(channel, slotColumn(pipeline.spec.features, "channel"));
  const out = await pipeline.transform(data).select("amount", "channel", ...features).collect();
  assert.equal(out.length, 120);
  const codes = new Map<string, number>();
  for (const r of out) {
    // numbers as they are (a missing one stays missing: trees give it its own bin)
    if (r["amount"] === null) assert.ok(r[amount!] === null || Number.isNaN(r[amount!]), String(r[amount!]));
    else assert.equal(r[amount!], r["amount"]);
    assert.ok(r[vip!] === 0 || r[vip!] === 1);
    // one integer code per category, the same for every row of it
    const code = r[channel!] as number;
    assert.ok(Number.isInteger(code) && code >= 0 && code < 3, String(code));
    const seen = codes.get(r["channel"] as string);
    if (seen !== undefined) assert.equal(code, seen);
    codes.set(r["channel"] as string, code);
  }
  assert.equal(new Set(codes.values()).size, 3);

  // the tree kinds split the category indices natively and keep the numbers' own thresholds
  const labeled = withLabel01(data, plan.label);
  for (const name of ["gbt", "rf"]) {
    const trained = await modelKind(name)!.fit({
      train: labeled,
      validation: labeled,
      pipeline,
      labelCol: LABEL01,
      seed: 1,
      log: () => {},
    });
    const model = trained.save((_codec, m) => m as unknown);
    assert.ok(model instanceof GbtModel || model instanceof ForestModel, name);
    assert.deepEqual(model.binnings.map((b) => b.kind), ["numeric", "categorical", "numeric"], name);
    const bounds = model.binnings[0]!.kind === "numeric" ? model.binnings[0]!.upperBounds : [];
    assert.ok(bounds.some((b) => b > 1000), `${name}: raw amount thresholds ${bounds.slice(0, 3)}`);
  }
});

Deno.test("the tree pipeline of a bank file has its 19 source columns, 10 of them categorical, numbers raw", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-tree-pipeline-" });
  try {
    const path = `${dir}/bank-additional-full.csv`;
    await corruptedBankSlice(path, 400, []);
    await using fx = await Frontier.start({ executors: 1 });
    const read = await readInput(fx, path, { workDir: dir });
    assert.equal(read.bank, "additional");
    const plan = await planFeatures(read.data, { bank: read.bank });
    assert.deepEqual(plan.excluded, ["duration"]);
    const pipeline = await plan.pipeline("tree").fit(read.data);
    assert.equal(pipeline.featureNames.length, 19);
    assert.ok(!pipeline.featureNames.includes("duration"));
    assert.equal(categoricalColumns(pipeline).length, 10);
    const euribor = slotColumn(pipeline.spec.features, "euribor3m");
    const rows = await pipeline.transform(read.data).select("euribor3m", euribor).limit(50).collect();
    for (const r of rows) assert.equal(r[euribor], r["euribor3m"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
