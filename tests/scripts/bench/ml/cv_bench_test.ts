import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import { prepareSplitTable } from "../../../../scripts/bench/ml/bank_data.ts";
import { cvBenchArgs } from "../../../../scripts/bench/ml/cv_bench.ts";
import { prepareCvTable, readFolds, stratifiedFolds } from "../../../../scripts/bench/ml/cv_data.ts";
import { cvReport, FRONTIER_CV, SKLEARN_CV, SPARK_CV } from "../../../../scripts/bench/ml/cv_report.ts";
import { type CvResultLine, decodeCvResult } from "../../../../scripts/bench/ml/cv_result.ts";
import { cvSettings, gridPoints } from "../../../../scripts/bench/ml/cv_settings.ts";
import { cvSchema } from "../../../../scripts/bench/ml/frontier_cv.ts";
import { BANK_ADDITIONAL_SCHEMA } from "../../../../cluster/sources/bank/schemas.ts";

Deno.test("stratifiedFolds deals each class evenly, leaves rows out of the search at -1, and is seeded", () => {
  const n = 1000;
  const labels = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
  const inSearch = Uint8Array.from({ length: n }, (_, i) => (i < 800 ? 1 : 0));
  const folds = stratifiedFolds(labels, inSearch, { folds: 3, seed: 7 });
  assert.ok(folds.slice(800).every((f) => f === -1));
  for (const cls of [0, 1]) {
    const rows = [...folds.slice(0, 800)].filter((_, i) => labels[i] === cls);
    const per = [0, 1, 2].map((k) => rows.filter((f) => f === k).length);
    assert.ok(Math.max(...per) - Math.min(...per) <= 1, `class ${cls}: ${per}`);
    assert.equal(per.reduce((a, b) => a + b, 0), rows.length);
  }
  assert.deepEqual(stratifiedFolds(labels, inSearch, { folds: 3, seed: 7 }), folds);
  assert.notDeepEqual(stratifiedFolds(labels, inSearch, { folds: 3, seed: 8 }), folds);
  assert.throws(
    () => stratifiedFolds(labels, inSearch, { folds: 1, seed: 7 }),
    /folds must be an integer in \[2, 100\]/,
  );
  assert.throws(() => stratifiedFolds([0, 2], [1, 1], { folds: 2, seed: 7 }), /Label of row 1 is 2/);
});

Deno.test("prepareCvTable writes the kept columns, the label and a fold column; test rows are out of the search", () => {
  const header = [
    "age",
    "job",
    "marital",
    "education",
    "default",
    "housing",
    "loan",
    "contact",
    "month",
    "day_of_week",
    "duration",
    "campaign",
    "pdays",
    "previous",
    "poutcome",
    "emp.var.rate",
    "cons.price.idx",
    "cons.conf.idx",
    "euribor3m",
    "nr.employed",
    "y",
  ];
  const row = (i: number) =>
    header.map((h) =>
      h === "y"
        ? (i % 4 === 0 ? "yes" : "no")
        : BANK_ADDITIONAL_SCHEMA.fields.find((f) => f.name === h)!.type === "string"
        ? "a"
        : String(i)
    );
  const table = { header, rows: Array.from({ length: 40 }, (_, i) => row(i)) };
  const prepared = prepareSplitTable("bank-additional-full", table, BANK_ADDITIONAL_SCHEMA, {
    path: "x.csv",
    seeds: [],
  });
  const { csv, manifest } = prepareCvTable(prepared.csv, prepared.manifest, {
    splitColumn: "split_oot",
    folds: 3,
    seed: 7,
    path: "x-cv.csv",
  });
  const lines = csv.trim().split("\n");
  const head = lines[0]!.split(",");
  assert.equal(head[0], "row");
  assert.equal(head.at(-1), "fold");
  assert.equal(head.at(-2), "y");
  assert.ok(!head.includes("duration") && !head.includes("split_oot"));
  const folds = readFolds(csv);
  // out of time: the last 20 % in file order are the test rows
  assert.deepEqual([...folds.slice(32)], new Array(8).fill(-1));
  assert.ok(folds.slice(0, 32).every((f) => f >= 0 && f < 3));
  assert.equal(manifest.excludedRows, 8);
  assert.deepEqual(manifest.foldRows.reduce((a, b) => a + b, 0), 32);
  assert.deepEqual(manifest.foldPositives.reduce((a, b) => a + b, 0), 8);
  assert.ok(Math.max(...manifest.foldPositives) - Math.min(...manifest.foldPositives) <= 1);
  const schema = cvSchema(manifest, head);
  assert.deepEqual(schema.fields.find((f) => f.name === "fold")!.type, "int");
  assert.deepEqual(schema.fields.find((f) => f.name === "euribor3m")!.type, "double");
  assert.deepEqual(schema.fields.find((f) => f.name === "y")!.type, "string");
  assert.throws(() => cvSchema(manifest, [...head, "extra"]), /column "extra" is not in its manifest/);
});

function line(engine: string, means: number[], fitSeconds: number): CvResultLine {
  const points = gridPoints(cvSettings().grid);
  const trials = points.map((p, i) => ({ params: p, mean: means[i]!, std: 0.01 }));
  const best = trials.reduce((b, t) => (t.mean > b.mean ? t : b));
  return decodeCvResult(
    {
      engine,
      versions: {},
      wallSeconds: fitSeconds + 1,
      fitSeconds,
      best: { params: best.params, mean: best.mean },
      trials,
    },
    engine,
    6,
  );
}

Deno.test("CV result lines decode from unknown and are checked against the grid and their best trial", () => {
  const ok = line(SPARK_CV, [0.6, 0.61, 0.62, 0.63, 0.64, 0.65], 10);
  assert.equal(ok.best.mean, 0.65);
  assert.deepEqual(ok.extra, {});
  assert.throws(() => decodeCvResult({ engine: "x" }, "x child"), MalformedMessageError);
  assert.throws(
    () => decodeCvResult({ ...ok, best: { params: {}, mean: 0.6 } }, "x child"),
    /reported best 0.6, but its best trial scored 0.65/,
  );
  assert.throws(() => decodeCvResult(ok, "x child", 7), /reported 6 trials, the grid has 7/);
});

Deno.test("cvReport holds Frontier to 0.3× Spark's wall time and each peer's best ROC-AUC − 0.005", () => {
  const fig = (engine: string, processSeconds: number, means: number[]) => ({
    engine,
    processSeconds,
    peakRssMb: 100,
    result: line(engine, means, processSeconds - 2),
    command: "c",
  });
  const report = cvReport([
    fig(FRONTIER_CV, 30, [0.6, 0.61, 0.62, 0.63, 0.64, 0.683]),
    fig(SKLEARN_CV, 16, [0.6, 0.61, 0.62, 0.63, 0.64, 0.682]),
    fig(SPARK_CV, 200, [0.6, 0.61, 0.62, 0.63, 0.64, 0.69]),
  ]);
  const [wall, vsSpark, vsSklearn] = report.targets;
  assert.equal(wall!.met, true);
  assert.match(wall!.detail, /30\.0 s vs 200\.0 s = 0\.150×/);
  assert.equal(vsSpark!.met, false, "0.683 < 0.690 − 0.005");
  assert.equal(vsSklearn!.met, true);
  assert.ok(report.lines.some((l) => /Frontier \/ spark-crossvalidator-gbt: wall 0\.150×/.test(l)));
  const partial = cvReport([fig(FRONTIER_CV, 30, [0.6, 0.6, 0.6, 0.6, 0.6, 0.6])]);
  assert.deepEqual(partial.targets.map((t) => t.met), [undefined, undefined, undefined]);
  assert.match(partial.targets[0]!.detail, /not measured \(spark missing\)/);
  assert.deepEqual(cvBenchArgs(["--skip-spark"]), [
    "--parts",
    "cv",
    "--out",
    "out/bench/ml_cv.json",
    "--skip-spark",
  ]);
});
