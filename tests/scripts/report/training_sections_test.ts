import assert from "node:assert/strict";
import { evaluateBinary } from "../../../models/evaluation/mod.ts";
import type { SectionPlan, TablePlan } from "../../../scripts/report/report_plan.ts";
import { modelReportFromMetrics } from "../../../scripts/report/training_report_from_metrics.ts";
import { TRAINING_SECTION_IDS, trainingSections } from "../../../scripts/report/training_sections.ts";
import { choiceText, metricCell } from "../../../scripts/report/training_table_sections.ts";
import { FIXTURE_MODELS, trainingFixture } from "./training_fixture.ts";

function section(plans: readonly SectionPlan[], id: string): SectionPlan {
  const found = plans.find((s) => s.id === id);
  assert.ok(found, `section ${id}`);
  return found;
}

function column(table: TablePlan, name: string): number {
  const i = table.columns.indexOf(name);
  assert.ok(i >= 0, `column "${name}" in "${table.caption}"`);
  return i;
}

Deno.test("trainingSections makes every section, in order, with the charts of the brief", () => {
  const { input } = trainingFixture();
  const plans = trainingSections(input);
  assert.deepEqual(plans.map((s) => s.id), TRAINING_SECTION_IDS);
  const charts = plans.flatMap((s) => s.charts.map((c) => c.file));
  assert.deepEqual(charts, [
    "roc",
    "precision_recall",
    "calibration",
    "gains",
    "lift",
    "importance_0_0",
    "importance_0_1",
    "importance_1_0",
  ]);
  for (const plan of plans.flatMap((s) => s.charts)) {
    assert.deepEqual(plan.stamp, {
      dataRange: "synthetic binormal scores, test: 3,000 rows",
      seed: 1,
      versions: { frontier: "0.1.0-test" },
    });
  }
  const prefixed = trainingSections(input, { idPrefix: "task2-" });
  assert.deepEqual(prefixed.map((s) => s.id), TRAINING_SECTION_IDS.map((id) => `task2-${id}`));
  for (const s of prefixed) {
    for (const t of s.tables) assert.ok(t.file.startsWith("task2-"), t.file);
    for (const c of s.charts) assert.ok(c.file.startsWith("task2-"), c.file);
  }
});

Deno.test("the metrics tables hold a row per model, accuracy beside the baseline, intervals in brackets", () => {
  const { input } = trainingFixture();
  const tables = section(trainingSections(input), "metrics").tables;
  assert.equal(tables.length, 2);
  const quality: TablePlan = tables[0]!, threshold: TablePlan = tables[1]!;
  assert.deepEqual(quality.rows.map((r) => r[0]), [...FIXTURE_MODELS]);
  assert.deepEqual(threshold.rows.map((r) => r[0]), [...FIXTURE_MODELS]);
  const [gbt, lr] = input.models;
  assert.equal(
    quality.rows[0]![column(quality, "ROC-AUC")],
    metricCell(gbt!.metrics.rocAuc, gbt!.intervals?.rocAuc),
  );
  assert.match(String(quality.rows[0]![column(quality, "ROC-AUC")]), /^0\.9\d\d \[0\.9\d\d, 0\.9\d\d\]$/);
  assert.equal(
    quality.rows[1]![column(quality, "ROC-AUC")],
    lr!.metrics.rocAuc,
    "no interval: a plain number",
  );
  assert.equal(quality.rows[1]![column(quality, "log loss")], lr!.metrics.logLoss);
  assert.equal(quality.rows[0]![column(quality, "train s")], 4.321);
  const accuracy = column(threshold, "accuracy");
  assert.equal(column(threshold, "majority baseline"), accuracy + 1, "baseline right beside accuracy");
  for (const [i, m] of input.models.entries()) {
    const row = threshold.rows[i]!;
    assert.equal(row[accuracy], m.operatingPoint.accuracy);
    assert.equal(row[accuracy + 1], m.metrics.baselineAccuracy);
    assert.equal(row[column(threshold, "recall")], m.operatingPoint.recall);
    assert.equal(row[column(threshold, "F1")], m.operatingPoint.f1);
    assert.equal(row[column(threshold, "threshold")], m.operatingPoint.threshold);
  }
  assert.equal(threshold.rows[0]![column(threshold, "chosen by")], "max F1 on validation");
  assert.equal(threshold.rows[1]![column(threshold, "chosen by")], "least cost (FN 10 : FP 1) on test");
  assert.equal(threshold.rows[0]![column(threshold, "expected cost")], undefined);
  assert.equal(threshold.rows[1]![column(threshold, "expected cost")], lr!.operatingPoint.expectedCost);
});

Deno.test("each model gets its confusion matrix with totals", () => {
  const { input } = trainingFixture();
  const tables = section(trainingSections(input), "confusion").tables;
  assert.equal(tables.length, input.models.length);
  for (const [i, m] of input.models.entries()) {
    const { tp, fp, tn, fn } = m.operatingPoint.confusion;
    assert.deepEqual(tables[i]!.rows, [
      ["positive", tp, fn, tp + fn],
      ["negative", fp, tn, fp + tn],
      ["total", tp + fp, fn + tn, 3_000],
    ]);
    assert.ok(tables[i]!.caption.startsWith(`${m.name}: confusion matrix at threshold`));
  }
});

Deno.test("models without probabilities or importance are named, not silently dropped", () => {
  const { input } = trainingFixture();
  const margin = modelReportFromMetrics(
    "SVM margin",
    evaluateBinary({ labels: [0, 1, 0, 1, 1], scores: [-2, 3, 0.5, 1.5, -0.5] }),
    { choice: { by: "f1" }, timings: { trainMs: 5 } },
  );
  const plans = trainingSections({ ...input, models: [...input.models, margin] });
  const calibration = section(plans, "calibration");
  assert.match(calibration.html ?? "", /Scores of SVM margin are not probabilities and are left out/);
  assert.equal(calibration.charts.length, 1, "the other models still get the chart");
  const details = section(plans, "detail-tables").tables[0]!;
  assert.ok(!details.rows.some((r) => r[0] === "SVM margin"), "no calibration rows for it");
  assert.match(section(plans, "importance").html ?? "", /No importance was given for SVM margin/);
  assert.equal(section(plans, "metrics").tables[0]!.rows[2]![3], undefined, "its log loss is a dash");
});

Deno.test("choiceText and metricCell say how a threshold was chosen and print intervals", () => {
  assert.equal(choiceText({ by: "f1" }), "max F1");
  assert.equal(choiceText({ by: "fixed" }), "fixed");
  assert.equal(
    choiceText({ by: "cost", falseNegative: 25, falsePositive: 1.5 }),
    "least cost (FN 25 : FP 1.5)",
  );
  assert.equal(metricCell(0.91234, { lo: 0.9011, hi: 0.92345 }), "0.912 [0.901, 0.923]");
  assert.equal(metricCell(0.5, undefined), 0.5);
  assert.equal(metricCell(undefined, { lo: 0, hi: 1 }), undefined);
});
