import assert from "node:assert/strict";
import { Frontier } from "../../../cluster/frontier.ts";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import {
  chooseThresholdOn,
  evaluateBinary,
  EVALUATION_MODULE,
  operatingPointOn,
} from "../../../models/evaluation/dataset_evaluation.ts";
import {
  chooseThreshold,
  evaluateBinary as evaluateLocal,
  operatingPoint,
  scoreGroups,
  summarizeScores,
} from "../../../models/evaluation/mod.ts";
import { asInput, randomRows, type Rows } from "./oracle.ts";

const SCHEMA: Schema = [
  { name: "y", type: "int", nullable: false },
  { name: "score", type: "double", nullable: false },
  { name: "w", type: "double", nullable: false },
];

async function datasetOf(fx: Frontier, rows: Rows, partitions: number): Promise<Dataset> {
  const data: Row[] = Array.from(rows.labels, (y, i) => ({ y, score: rows.scores[i]!, w: rows.weights[i]! }));
  return await fx.fromRows(data, { schema: SCHEMA, partitions });
}

const TIED = randomRows({ n: 3000, seed: 101, grid: 200, weights: "decimal" });
const COSTS = { falseNegative: 5, falsePositive: 1 };

Deno.test("evaluateBinary on the cluster equals the local computation exactly, exact and binned, any partitioning", async () => {
  await using fx = await Frontier.start({ executors: 2, modules: [EVALUATION_MODULE] });
  const options = { threshold: 0.4, costs: COSTS };
  const exact = evaluateLocal(asInput(TIED), options);
  const binned = evaluateLocal(asInput(TIED), { ...options, bins: 16 });
  const unweighted = evaluateLocal({ labels: TIED.labels, scores: TIED.scores }, options);
  assert.ok(exact.groups > 150 && exact.groups < 3000, `ties: ${exact.groups} distinct scores`);
  for (const partitions of [1, 3, 7]) {
    const ds = await datasetOf(fx, TIED, partitions), cols = { labelCol: "y", scoreCol: "score" };
    assert.deepEqual(
      await evaluateBinary(ds, { ...cols, weightCol: "w", ...options }),
      exact,
      `${partitions}`,
    );
    assert.deepEqual(
      await evaluateBinary(ds, { ...cols, weightCol: "w", bins: 16, ...options }),
      binned,
      `${partitions} binned`,
    );
    assert.deepEqual(
      await evaluateBinary(ds, { ...cols, ...options }),
      unweighted,
      `${partitions} unweighted`,
    );
  }
  assert.equal(exact.mode, "exact");
  assert.equal(binned.mode, "binned");
  assert.notEqual(exact.rocAuc, unweighted.rocAuc, "the weights matter");
});

Deno.test("thresholds chosen on the cluster by F1 and by cost, and their operating points, equal the local ones", async () => {
  await using fx = await Frontier.start({ executors: 2, modules: [EVALUATION_MODULE] });
  const validation = randomRows({ n: 1500, seed: 102, grid: 100 });
  const test = randomRows({ n: 1500, seed: 103, grid: 100 });
  const cols = { labelCol: "y", scoreCol: "score" };
  const groups = (rows: Rows) => scoreGroups(summarizeScores(asInput(rows)));
  for (const rule of [{ by: "f1" as const }, { by: "cost" as const, costs: COSTS }]) {
    const chosen = await chooseThresholdOn(await datasetOf(fx, validation, 3), { ...cols, rule });
    assert.deepEqual(chosen, chooseThreshold(groups(validation), rule), rule.by);
    const onTest = await operatingPointOn(await datasetOf(fx, test, 4), {
      ...cols,
      threshold: chosen.threshold,
      costs: COSTS,
    });
    assert.deepEqual(onTest, operatingPoint(groups(test), chosen.threshold, { costs: COSTS }), rule.by);
    assert.ok(onTest.expectedCost! > 0);
  }
  const byF1 = await chooseThresholdOn(await datasetOf(fx, validation, 2), { ...cols, rule: { by: "f1" } });
  const byCost = await chooseThresholdOn(await datasetOf(fx, validation, 2), {
    ...cols,
    rule: { by: "cost", costs: COSTS },
  });
  assert.ok(byCost.threshold < byF1.threshold, "missed positives costing 5× lowers the threshold");
});

Deno.test("evaluation names a missing column before running, and a bad label on the executor", async () => {
  await using fx = await Frontier.start({ executors: 1, modules: [EVALUATION_MODULE] });
  const ds = await datasetOf(fx, randomRows({ n: 20, seed: 104 }), 2);
  await assert.rejects(
    evaluateBinary(ds, { labelCol: "label", scoreCol: "score" }),
    /"label" is not in the dataset/,
  );
  await assert.rejects(evaluateBinary(ds, { labelCol: "score", scoreCol: "y" }), /label/i);
});
