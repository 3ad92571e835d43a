import assert from "node:assert/strict";
import { CounterRandom } from "../../../../cluster/util/seeded_random.ts";
import { parseBankCsv, prepareSplitTable, testLabels } from "../../../../scripts/bench/ml/bank_data.ts";
import { decodeEngineResult, readScores, writeScores } from "../../../../scripts/bench/ml/engine_result.ts";
import { qualityReport, type TestSet } from "../../../../scripts/bench/ml/quality_report.ts";
import { speedReport } from "../../../../scripts/bench/ml/speed_report.ts";
import { preparedSchema } from "../../../../scripts/bench/ml/frontier_features.ts";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import { rankingMetrics, rankScores } from "../../../../scripts/bench/ml/bootstrap.ts";

function scored(seed: number, n: number, signal: number) {
  const rng = new CounterRandom(seed, 9);
  const labels = new Uint8Array(n), good = new Float64Array(n), noise = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    rng.at(i);
    labels[i] = rng.float(0) < 0.25 ? 1 : 0;
    good[i] = signal * labels[i]! + rng.normal(1);
    noise[i] = rng.float(2);
  }
  return { labels, good, noise };
}

function testSet(dataset: string, split: string, seed: number, withSpark: boolean): TestSet {
  const { labels, good, noise } = scored(seed, 400, 1.2);
  const fit = (engine: string, scores: Float64Array) => ({ engine, fitSeconds: 1, scores });
  return {
    dataset,
    split,
    kind: split === "split_oot" ? "oot" : "random",
    labels,
    fits: [
      fit("frontier-gbt", good),
      fit("lightgbm", good),
      fit("frontier-rf", noise),
      fit("sklearn-rf", good),
      ...(withSpark ? [fit("spark-rf", noise)] : []),
      // A monotone transform ranks alike: the same ROC-AUC.
      fit("frontier-lr", good.map((s) => 1 / (1 + Math.exp(-s)))),
      fit("sklearn-lr", good),
    ],
  };
}

Deno.test("qualityReport averages random splits, pairs engines and checks every target per dataset and split", () => {
  const sets = [
    testSet("tiny", "split_random_1", 1, true),
    testSet("tiny", "split_random_2", 2, true),
    testSet("tiny", "split_oot", 3, false),
  ];
  const report = qualityReport(sets, { resamples: 100, seed: 5 });
  const random = report.figures.find((f) => f.kind === "random" && f.engine === "lightgbm")!;
  const one = rankingMetrics(rankScores(sets[0]!.labels, sets[0]!.fits[1]!.scores)).rocAuc;
  const two = rankingMetrics(rankScores(sets[1]!.labels, sets[1]!.fits[1]!.scores)).rocAuc;
  assert.equal(random.rocAuc.value, (one + two) / 2);
  assert.deepEqual(random.splits, ["split_random_1", "split_random_2"]);
  assert.ok(random.rocAuc.lo < random.rocAuc.value && random.rocAuc.value < random.rocAuc.hi);
  assert.equal(
    report.figures.filter((f) => f.kind === "oot").length,
    6,
    "spark-rf ran only on random splits",
  );

  const met = Object.fromEntries(report.targets.map((t) => [t.target, t.met]));
  assert.deepEqual(met, {
    "quality tiny · random: GBT ≥ LightGBM − 0.005 ROC-AUC": true,
    "quality tiny · random: RF ≥ max(scikit-learn RF, Spark RF) − 0.005 ROC-AUC": false,
    "quality tiny · random: LR within 0.002 ROC-AUC of scikit-learn LR (same L2)": true,
    "quality tiny · random: Frontier's best ≥ best peer − 0.005 ROC-AUC": true,
    "quality tiny · oot: GBT ≥ LightGBM − 0.005 ROC-AUC": true,
    "quality tiny · oot: RF ≥ max(scikit-learn RF, Spark RF) − 0.005 ROC-AUC": false,
    "quality tiny · oot: LR within 0.002 ROC-AUC of scikit-learn LR (same L2)": true,
    "quality tiny · oot: Frontier's best ≥ best peer − 0.005 ROC-AUC": true,
  });
  const rf = report.targets.find((t) => t.target.startsWith("quality tiny · random: RF"))!;
  assert.match(
    rf.detail,
    /^frontier-rf 0\.\d{4} vs sklearn-rf 0\.\d{4}, diff -0\.\d{4} \[-0\.\d{4}, -0\.\d{4}\]$/,
  );
  const gbt = report.targets.find((t) => t.target.startsWith("quality tiny · oot: GBT"))!;
  assert.match(gbt.detail, /diff \+0\.0000 \[\+0\.0000, \+0\.0000\]$/);
  assert.match(
    report.lines[0]!,
    /^tiny · random stratified 80\/20, mean of 2 seeds; 95% bootstrap interval, 100 resamples/,
  );
  assert.match(
    report.lines[2]!,
    /^ {2}(frontier-gbt|lightgbm|sklearn-rf|frontier-lr|sklearn-lr) +0\.\d{4} \[0\.\d{3}, 0\.\d{3}\]/,
  );
});

Deno.test("qualityReport averages a forest over its model seeds on one split and counts a single fit once", () => {
  const { labels, good, noise } = scored(7, 400, 1.2);
  const fit = (engine: string, scores: Float64Array) => ({ engine, fitSeconds: 1, scores });
  // Two forests of different quality on the same out-of-time rows; the other engines fitted once.
  const weak = good.map((s, i) => s + 3 * noise[i]!);
  const once = [fit("sklearn-rf", good), fit("lightgbm", weak)];
  const sets: TestSet[] = [0, 1].map((k) => ({
    dataset: "tiny",
    split: "split_oot",
    modelSeed: k,
    kind: "oot",
    labels,
    fits: [{ ...fit("frontier-rf", k === 0 ? good : weak), modelSeed: k }, ...once],
  }));
  const report = qualityReport(sets, { resamples: 100, seed: 5 });
  const auc = (x: Float64Array) => rankingMetrics(rankScores(labels, x)).rocAuc;
  const rf = report.figures.find((f) => f.engine === "frontier-rf")!;
  assert.equal(rf.rocAuc.value, (auc(good) + auc(weak)) / 2);
  assert.deepEqual(rf.perSplit.map((p) => [p.split, p.modelSeed, p.rocAuc]), [
    ["split_oot", 0, auc(good)],
    ["split_oot", 1, auc(weak)],
  ]);
  assert.equal(rf.fitsPerSplit, 2);
  const lgb = report.figures.find((f) => f.engine === "lightgbm")!;
  assert.equal(lgb.rocAuc.value, auc(weak));
  assert.deepEqual([lgb.fitsPerSplit, lgb.perSplit.length, lgb.perSplit[0]!.modelSeed], [1, 1, undefined]);
  const sk = report.figures.find((f) => f.engine === "sklearn-rf")!;
  assert.equal(sk.rocAuc.value, auc(good));
  // The seeds' sets resample the same rows: the engine scoring alike in both has the interval of
  // one set, not a narrower one, and differs from itself by exactly zero.
  const { modelSeed: _, ...first } = sets[0]!;
  const single = qualityReport([first], { resamples: 100, seed: 5 });
  assert.deepEqual(sk.rocAuc, single.figures.find((f) => f.engine === "sklearn-rf")!.rocAuc);
  assert.match(
    report.lines[0]!,
    /^tiny · out-of-time 80\/20 \(file order\), randomized models: mean of 2 model seeds;/,
  );
  const target = report.targets.find((t) => t.target.includes("RF ≥"))!;
  assert.equal(target.met, false, "mean .5(good + weak) is far below good");
  assert.match(
    target.detail,
    /^frontier-rf 0\.\d{4} vs sklearn-rf 0\.\d{4}, diff -0\.\d{4} \[-0\.\d{4}, -0\.\d{4}\]$/,
  );
});

Deno.test("qualityReport says which engine is missing instead of deciding a target", () => {
  const set = testSet("tiny", "split_oot", 4, false);
  const report = qualityReport([{ ...set, fits: set.fits.filter((f) => !f.engine.startsWith("frontier")) }], {
    resamples: 20,
  });
  for (const t of report.targets) assert.equal(t.met, undefined, t.target);
  assert.match(report.targets[0]!.detail, /not measured \(frontier-gbt missing\)/);
  assert.match(report.targets[3]!.detail, /no Frontier model/);
});

Deno.test("prepareSplitTable writes row, kept columns, label and one column per split, and a manifest", () => {
  const rows = Array.from(
    { length: 50 },
    (_, i) => `${20 + i};"${i % 3 ? "a" : "b"}";${i};"${i % 5 ? "no" : "yes"}"`,
  );
  const table = parseBankCsv(`"age";"job";"duration";"y"\r\n${rows.join("\r\n")}\r\n`);
  const schema = {
    fields: [
      { name: "age", type: "int" as const },
      { name: "job", type: "string" as const },
      { name: "duration", type: "int" as const },
      { name: "y", type: "string" as const },
    ],
  };
  const { csv, manifest } = prepareSplitTable("tiny", table, schema, { path: "tiny.csv", seeds: [1, 2] });
  const lines = csv.trim().split("\n");
  assert.equal(lines[0], "row,age,job,y,split_random_1,split_random_2,split_oot");
  assert.match(lines[1]!, /^0,20,b,yes,(fit|valid|test),(fit|valid|test),fit$/);
  assert.equal(lines.length, 51);
  assert.deepEqual(manifest.numeric, ["age"]);
  assert.deepEqual(manifest.categorical, ["job"]);
  assert.equal(manifest.positives, 10);
  assert.deepEqual(manifest.splits.map((s) => s.column), ["split_random_1", "split_random_2", "split_oot"]);
  assert.deepEqual(manifest.splits.map((s) => s.modelSeeds), [[1], [2], [0, 1, 2, 3, 4]]);
  const two = prepareSplitTable("tiny", table, schema, {
    path: "tiny.csv",
    seeds: [1],
    ootModelSeeds: [7, 8],
  });
  assert.deepEqual(two.manifest.splits.map((s) => s.modelSeeds), [[1], [7, 8]]);
  for (const bad of [[], [1, 1], [0.5]]) {
    assert.throws(
      () => prepareSplitTable("tiny", table, schema, { path: "tiny.csv", ootModelSeeds: bad }),
      /ootModelSeeds must be distinct integers/,
    );
  }
  assert.deepEqual(manifest.splits[2]!.counts, { fit: 36, valid: 4, test: 10 });
  assert.equal(manifest.splits[0]!.testPositives, 2, "stratified: 20 % of the 10 positives");
  const oot = testLabels(csv, "split_oot", manifest);
  assert.deepEqual([...oot], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
});

Deno.test("engine results decode from unknown, and scores round-trip as little-endian float64", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeScores(`${dir}/a/b.f64`, [0.25, 1e-300, 0.5]);
    assert.deepEqual([...await readScores(`${dir}/a/b.f64`, 3)], [0.25, 1e-300, 0.5]);
    await assert.rejects(() => readScores(`${dir}/a/b.f64`, 4), RangeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const line = decodeEngineResult({
    versions: { lightgbm: "4.7.0" },
    results: [{ engine: "lightgbm", model: "gbt", fitSeconds: 1.5, scores: "x.f64" }],
  }, "test");
  assert.deepEqual(line.results[0]!.extra, {});
  assert.throws(
    () =>
      decodeEngineResult({
        versions: {},
        results: [{ engine: "x", model: "svm", fitSeconds: 1, scores: "s" }],
      }, "t"),
    MalformedMessageError,
  );
});

Deno.test("speedReport scores each engine on the test labels and holds Frontier to 2× each peer", () => {
  const { labels, good, noise } = scored(6, 300, 2);
  const run = (engine: string, model: "gbt" | "rf" | "lr", fitSeconds: number, scores: Float64Array) => ({
    engine,
    model,
    fitSeconds,
    processMs: 1000 * fitSeconds + 500,
    peakRssMb: 100,
    scores,
  });
  const { figures, targets, lines } = speedReport([
    run("frontier-gbt", "gbt", 9, good),
    run("lightgbm", "gbt", 5, good),
    run("frontier-rf", "rf", 30, noise),
    run("sklearn-rf", "rf", 10, good),
  ], labels);
  assert.ok(figures[0]!.testRocAuc > 0.8 && Math.abs(figures[2]!.testRocAuc - 0.5) < 0.1);
  const by = Object.fromEntries(targets.map((t) => [t.target, [t.met, t.detail]]));
  assert.deepEqual(by["speed GBT: frontier-gbt training time ≤ 2× lightgbm"], [
    true,
    "9.00 s / 5.00 s = 1.80×",
  ]);
  assert.deepEqual(by["speed RF: frontier-rf training time ≤ 2× sklearn-rf"], [
    false,
    "30.00 s / 10.00 s = 3.00×",
  ]);
  assert.equal(by["speed RF: frontier-rf training time ≤ 2× spark-rf"]![0], undefined);
  assert.equal(by["speed LR: frontier-lr training time ≤ 2× sklearn-lr"]![0], undefined);
  assert.match(lines[1]!, /^ {2}frontier-gbt +9\.00 +1\.00× +0\.\d{4} +9\.5 +100$/);
});

Deno.test("preparedSchema types a prepared file's columns and refuses a header its manifest does not name", () => {
  const table = parseBankCsv(
    `"age";"job";"y"\n30;"a";"no"\n40;"b";"yes"\n50;"a";"no"\n60;"b";"no"\n70;"a";"yes"\n`,
  );
  const schema = {
    fields: [{ name: "age", type: "int" as const }, { name: "job", type: "string" as const }],
  };
  const { manifest } = prepareSplitTable("tiny", table, {
    fields: [...schema.fields, { name: "y", type: "string" }],
  }, {
    path: "tiny.csv",
    seeds: [3],
  });
  const header = ["row", "age", "job", "y", "split_random_3", "split_oot"];
  assert.deepEqual(preparedSchema(manifest, header).fields.map((f) => `${f.name}:${f.type}`), [
    "row:int",
    "age:double",
    "job:string",
    "y:string",
    "split_random_3:string",
    "split_oot:string",
  ]);
  assert.throws(() => preparedSchema(manifest, [...header, "extra"]), RangeError);
});
