import assert from "node:assert/strict";
import { evaluateBinary } from "../../../models/evaluation/binary_metrics.ts";
import { isBetter, metricValue, tuningMetric } from "../../../models/tuning/tuning_metric.ts";

Deno.test("each tuning metric reads its figure with the right direction", () => {
  const labels = [0, 0, 1, 1, 0, 1, 0, 0], scores = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.05];
  const costs = { falseNegative: 5, falsePositive: 1 };
  const m = evaluateBinary({ labels, scores }, { costs });
  const expect: [string, number, "max" | "min"][] = [
    ["rocAuc", m.rocAuc, "max"],
    ["prAuc", m.averagePrecision, "max"],
    ["logLoss", m.logLoss!, "min"],
    ["brier", m.brier!, "min"],
    ["f1", m.bestF1!.f1, "max"],
    ["expectedCost", m.minCost!.expectedCost!, "min"],
  ];
  for (const [name, value, direction] of expect) {
    const metric = tuningMetric(name, costs);
    assert.equal(metric.direction, direction, name);
    assert.equal(metricValue(metric, m), value, name);
  }
  // log loss by hand; the best F1 flags 0.8 and above: tp 2, fp 0, fn 1 → 4 / 5 (0.35 and above: 6 / 8)
  const ll = -labels.reduce((a, y, i) => a + (y ? Math.log(scores[i]!) : Math.log(1 - scores[i]!)), 0) / 8;
  assert.ok(Math.abs(m.logLoss! - ll) < 1e-12);
  assert.equal(m.bestF1!.f1, 4 / 5);
  assert.equal(m.bestF1!.threshold, 0.8);
  assert.ok(isBetter(tuningMetric("logLoss"), 0.2, 0.3) && !isBetter(tuningMetric("rocAuc"), 0.2, 0.3));
  assert.ok(isBetter(tuningMetric("rocAuc"), 0.5, NaN) && !isBetter(tuningMetric("rocAuc"), NaN, 0.5));
  assert.throws(() => tuningMetric("accuracy"), /metric must be one of rocAuc, prAuc/);
  assert.throws(() => tuningMetric("expectedCost"), /needs costs/);
});
