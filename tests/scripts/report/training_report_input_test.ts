import assert from "node:assert/strict";
import {
  decodeTrainingReportInput,
  encodeTrainingReportInput,
  type TrainingReportInput,
} from "../../../scripts/report/training_report_input.ts";
import { trainingFixture } from "./training_fixture.ts";

function fixtureJson(): Record<string, unknown> {
  return JSON.parse(encodeTrainingReportInput(trainingFixture().input));
}

Deno.test("a training report input survives JSON, NaN and Infinity included", () => {
  const { input } = trainingFixture();
  const odd: TrainingReportInput = structuredClone(input);
  odd.models[1]!.operatingPoint.threshold = Infinity; // flags nothing
  odd.models[1]!.operatingPoint.precision = Number.NaN; // nothing flagged: undefined
  odd.models[1]!.curves.lift[0]!.lift = -Infinity;
  const json = encodeTrainingReportInput(odd);
  assert.match(json, /"threshold": "Infinity"/);
  assert.match(json, /"precision": "NaN"/);
  const back = decodeTrainingReportInput(JSON.parse(json));
  assert.deepEqual(back, odd);
  assert.equal(back.models[1]!.operatingPoint.threshold, Infinity);
  assert.ok(Number.isNaN(back.models[1]!.operatingPoint.precision));
  assert.deepEqual(decodeTrainingReportInput(JSON.parse(encodeTrainingReportInput(input))), input);
});

Deno.test("decodeTrainingReportInput accepts in-memory non-finite numbers as well", () => {
  const { input } = trainingFixture();
  const odd: TrainingReportInput = structuredClone(input);
  odd.models[0]!.operatingPoint.threshold = Infinity;
  assert.equal(decodeTrainingReportInput(odd).models[0]!.operatingPoint.threshold, Infinity);
});

Deno.test("decodeTrainingReportInput names the bad field, the version and a repeated model", () => {
  const cases: [string, (u: Record<string, unknown>) => void, RegExp][] = [
    ["unknown version", (u) => (u.version = 2), /at "version"/],
    ["no models", (u) => (u.models = []), /at "models"/],
    [
      "rate above 1",
      (u) => ((u.data as Record<string, unknown>).positiveRateTest = 1.5),
      /"data\.positiveRateTest"/,
    ],
    ["negative train time", (u) => {
      const models = u.models as Record<string, Record<string, unknown>>[];
      models[0]!.timings = { trainMs: -1 };
    }, /"models\.0\.timings\.trainMs"/],
    ["unknown threshold rule", (u) => {
      const models = u.models as Record<string, Record<string, Record<string, unknown>>>[];
      models[1]!.operatingPoint!.choice = { by: "vibes" };
    }, /"models\.1\.operatingPoint\.choice/],
    ["a ROC point outside [0, 1]", (u) => {
      const models = u.models as { curves: { roc: { fpr: number }[] } }[];
      models[0]!.curves.roc[1]!.fpr = 2;
    }, /"models\.0\.curves\.roc\.1\.fpr"/],
    ["a string where a number goes", (u) => {
      const models = u.models as { metrics: Record<string, unknown> }[];
      models[0]!.metrics.rocAuc = "0.9";
    }, /"models\.0\.metrics\.rocAuc"/],
    ["an interval for an unknown metric", (u) => {
      const models = u.models as Record<string, unknown>[];
      models[0]!.intervals = { auc: { lo: 0, hi: 1 } };
    }, /"models\.0\.intervals/],
    ["a repeated model", (u) => {
      const models = u.models as { name: string }[];
      models[1]!.name = models[0]!.name;
    }, /model "GBT" is repeated/],
  ];
  for (const [what, spoil, message] of cases) {
    const u = fixtureJson();
    spoil(u);
    assert.throws(() => decodeTrainingReportInput(u), (error: unknown) => {
      assert.ok(error instanceof TypeError, what);
      assert.match(error.message, message, what);
      return true;
    });
  }
  assert.throws(() => decodeTrainingReportInput("report"), TypeError);
  assert.throws(() => decodeTrainingReportInput(undefined), TypeError);
});
