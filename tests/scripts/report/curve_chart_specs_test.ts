import assert from "node:assert/strict";
import { readPngSize, renderChart, type RenderedChart } from "../../../scripts/report/chart.ts";
import { gainsCurvesSpec, prCurvesSpec, rocCurvesSpec } from "../../../scripts/report/curve_chart_specs.ts";
import { escapeHtml } from "../../../scripts/report/html_report.ts";
import { FIXTURE_MODELS, trainingFixture } from "./training_fixture.ts";

const stamp = { dataRange: "synthetic, test: 3,000 rows", seed: 1, versions: { frontier: "0.1.0-test" } };
const fixture = trainingFixture();
const models = fixture.input.models;
const baseRate = fixture.input.data.positiveRateTest;

/** The SVG text of `text` as vega writes it (`<`, `>` and `&` escaped). */
function svgText(text: string): string {
  return `>${text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")}<`;
}

/** Shared checks: no warnings, every text shown, a 2x PNG, one line per model plus the references. */
function assertCurveChart(chart: RenderedChart, texts: readonly string[], references: number): void {
  assert.deepEqual(chart.warnings, []);
  for (const text of texts) assert.ok(chart.svg.includes(svgText(text)), `SVG shows "${text}"`);
  for (const line of ["data: synthetic, test: 3,000 rows · seed: 1", "frontier 0.1.0-test"]) {
    assert.ok(chart.svg.includes(line), `stamped with "${line}"`);
  }
  const lines =
    chart.svg.match(/<g class="mark-line role-mark layer_\d+_marks"[^>]*><path aria-label="[^"]*"/g) ?? [];
  assert.equal(lines.length, models.length, "one line per model");
  for (const name of FIXTURE_MODELS) {
    assert.equal(
      lines.filter((l) =>
        l.includes(`Model: ${escapeHtml(name).replaceAll("&#60;", "&lt;").replaceAll("&#62;", "&gt;")}`)
      )
        .length,
      1,
      `the line of ${name}`,
    );
  }
  const dashed = chart.svg.match(/<path [^>]*stroke-dasharray="4,4"/g) ?? [];
  assert.equal(dashed.length, references, "dashed reference lines");
  assert.ok(readPngSize(chart.png).width > 600, "2x PNG of a chart-sized SVG");
  assert.ok(chart.png.length > 10_000, `PNG of ${chart.png.length} bytes has content`);
}

Deno.test("rocCurvesSpec draws one ROC line per model over the random diagonal", async () => {
  const spec = rocCurvesSpec(models.map((m) => ({ model: m.name, points: m.curves.roc })), {
    title: "ROC curves",
  });
  const chart = await renderChart(spec, { stamp });
  assertCurveChart(chart, [
    "ROC curves",
    "False-positive rate",
    "True-positive rate (recall)",
    "random",
    "Model",
    ...FIXTURE_MODELS,
  ], 1);
});

Deno.test("prCurvesSpec draws one step line per model and labels the base rate", async () => {
  const spec = prCurvesSpec(models.map((m) => ({ model: m.name, points: m.curves.pr })), {
    title: "Precision–recall curves",
    baseRate,
  });
  const chart = await renderChart(spec, { stamp });
  const label = `base rate ${(baseRate * 100).toFixed(1)}%`;
  assertCurveChart(chart, ["Precision–recall curves", "Recall", "Precision", label, ...FIXTURE_MODELS], 1);
  assert.match(label, /^base rate (9|10)\.\d%$/, "the fixture's base rate is near 10 %");
  const withoutBase = await renderChart(
    prCurvesSpec(models.map((m) => ({ model: m.name, points: m.curves.pr })), { title: "PR" }),
    { stamp },
  );
  assertCurveChart(withoutBase, ["PR"], 0);
});

Deno.test("gainsCurvesSpec draws gains per model with the random and perfect references, in percent", async () => {
  const spec = gainsCurvesSpec(models.map((m) => ({ model: m.name, points: m.curves.gains })), {
    title: "Cumulative gains",
    baseRate,
  });
  const chart = await renderChart(spec, { stamp });
  assertCurveChart(chart, [
    "Cumulative gains",
    "Share of rows targeted (by score)",
    "Share of positives found (gain)",
    "random",
    "perfect",
    "100%",
    ...FIXTURE_MODELS,
  ], 2);
});

Deno.test("curve specs draw points in the order given, never re-sorted by x", async () => {
  // Not a real ROC curve: x goes back, which a sort by x would hide.
  const points = [{ fpr: 0, tpr: 0 }, { fpr: 0.5, tpr: 0.5 }, { fpr: 0.25, tpr: 1 }, { fpr: 1, tpr: 1 }];
  const spec = rocCurvesSpec([{ model: "given", points }], { title: "t", width: 100, height: 100 });
  const chart = await renderChart(spec, { stamp });
  const path = /aria-label="[^"]*model: given"[^>]*d="([^"]+)"/.exec(chart.svg)?.[1];
  assert.equal(path, "M0,100L50,50L25,0L100,0");
});

Deno.test("curve specs reject repeated names, rates outside [0, 1] and a bad base rate", () => {
  const roc = [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }];
  assert.throws(
    () => rocCurvesSpec([{ model: "a", points: roc }, { model: "a", points: roc }], { title: "t" }),
    /unique/,
  );
  assert.throws(() => rocCurvesSpec([{ model: "", points: roc }], { title: "t" }), RangeError);
  assert.throws(
    () => rocCurvesSpec([{ model: "a", points: [{ fpr: 1.5, tpr: 0 }] }], { title: "t" }),
    /a\[0\]\.x must be in \[0, 1\]/,
  );
  assert.throws(
    () => prCurvesSpec([{ model: "a", points: [{ recall: Number.NaN, precision: 1 }] }], { title: "t" }),
    /finite/,
  );
  assert.throws(() => prCurvesSpec([], { title: "t", baseRate: 1.2 }), /baseRate/);
  assert.throws(() => gainsCurvesSpec([], { title: "t", baseRate: -0.1 }), /baseRate/);
  const many = Array.from({ length: 5_001 }, () => ({ depth: 0.5, gain: 0.5 }));
  assert.throws(
    () => gainsCurvesSpec([{ model: "a", points: many }], { title: "t" }),
    /aggregate in the cluster/,
  );
});
