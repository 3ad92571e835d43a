import assert from "node:assert/strict";
import { evaluateBinary } from "../../../models/evaluation/mod.ts";
import { modelReportFromMetrics } from "../../../scripts/report/training_report_from_metrics.ts";
import { binormalScores, trainingFixture } from "./training_fixture.ts";

Deno.test("modelReportFromMetrics copies metrics, curves and the reported operating point", () => {
  const { input, metrics, points } = trainingFixture();
  for (const [i, m] of input.models.entries()) {
    const source = metrics[i]!;
    assert.equal(m.metrics.rocAuc, source.rocAuc);
    assert.equal(m.metrics.averagePrecision, source.averagePrecision);
    assert.equal(m.metrics.logLoss, source.logLoss);
    assert.equal(m.metrics.brier, source.brier);
    assert.equal(m.metrics.ece, source.calibration!.ece);
    assert.equal(m.metrics.baselineAccuracy, source.baseline.accuracy);
    assert.deepEqual(m.operatingPoint.confusion, points[i]!.confusion);
    assert.equal(m.operatingPoint.threshold, points[i]!.threshold);
    assert.deepEqual(m.curves.roc, source.curves.roc.map((p) => ({ fpr: p.fpr, tpr: p.tpr })));
    assert.equal(m.curves.calibration.length, source.calibration!.bins.length);
    assert.equal(m.curves.lift.length, source.lift.length);
  }
  // The fixture's binormal separations give the ROC-AUCs theory predicts, Φ(d / √2).
  assert.ok(Math.abs(input.models[0]!.metrics.rocAuc - 0.921) < 0.02, `${input.models[0]!.metrics.rocAuc}`);
  assert.ok(Math.abs(input.models[1]!.metrics.rocAuc - 0.760) < 0.03, `${input.models[1]!.metrics.rocAuc}`);
  const [gbt, lr] = input.models;
  assert.equal(gbt!.operatingPoint.chosenOn, "validation", "a point passed in was chosen elsewhere");
  assert.equal(lr!.operatingPoint.chosenOn, "test", "a point from the test metrics was chosen on test");
  assert.deepEqual(lr!.operatingPoint.choice, { by: "cost", falseNegative: 10, falsePositive: 1 });
  assert.equal(lr!.operatingPoint.expectedCost, metrics[1]!.minCost!.expectedCost);
  assert.notEqual(
    gbt!.operatingPoint.threshold,
    metrics[0]!.bestF1!.threshold,
    "the validation threshold differs from the test's best, so the test would notice a mix-up",
  );
});

Deno.test("modelReportFromMetrics takes the point its choice names, and refuses one the metrics lack", () => {
  const scored = binormalScores({ n: 500, seed: 3, separation: 1.5, baseRate: 0.2 });
  const metrics = evaluateBinary(scored, { threshold: 0.4 });
  const timings = { trainMs: 1 };
  const fixed = modelReportFromMetrics("m", metrics, { choice: { by: "fixed" }, timings });
  assert.equal(fixed.operatingPoint.threshold, 0.4);
  assert.deepEqual(fixed.operatingPoint.confusion, metrics.atThreshold.confusion);
  const f1 = modelReportFromMetrics("m", metrics, {
    choice: { by: "f1" },
    timings,
    chosenOn: "test (optimistic)",
  });
  assert.equal(f1.operatingPoint.f1, metrics.bestF1!.f1);
  assert.equal(f1.operatingPoint.chosenOn, "test (optimistic)");
  assert.throws(
    () =>
      modelReportFromMetrics("m", metrics, {
        choice: { by: "cost", falseNegative: 5, falsePositive: 1 },
        timings,
      }),
    /model "m": no least-cost threshold/,
  );
  const noPositives = evaluateBinary({ labels: [0, 0, 0], scores: [0.1, 0.5, 0.2] });
  assert.throws(
    () => modelReportFromMetrics("empty", noPositives, { choice: { by: "f1" }, timings }),
    /no positives/,
  );
  const report = modelReportFromMetrics("empty", noPositives, { choice: { by: "fixed" }, timings });
  assert.ok(report.warnings !== undefined && report.warnings.some((w) => w.includes("no positives")));
  assert.ok(Number.isNaN(report.metrics.rocAuc));
});

Deno.test("modelReportFromMetrics leaves probability metrics out for scores outside [0, 1]", () => {
  const metrics = evaluateBinary({ labels: [0, 1, 0, 1], scores: [-2, 3, 0.5, 1.5] });
  const report = modelReportFromMetrics("margin", metrics, { choice: { by: "f1" }, timings: { trainMs: 1 } });
  assert.equal(report.metrics.logLoss, undefined);
  assert.equal(report.metrics.ece, undefined);
  assert.deepEqual(report.curves.calibration, []);
  assert.equal(report.metrics.rocAuc, 1, "both positives outscore both negatives");
});
