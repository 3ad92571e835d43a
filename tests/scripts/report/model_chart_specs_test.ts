import assert from "node:assert/strict";
import { readPngSize, renderChart, type RenderedChart } from "../../../scripts/report/chart.ts";
import { calibrationSpec, importanceSpec, liftAtTopSpec } from "../../../scripts/report/model_chart_specs.ts";
import { FIXTURE_MODELS, trainingFixture } from "./training_fixture.ts";

const stamp = { dataRange: "synthetic, test: 3,000 rows", seed: 1, versions: { frontier: "0.1.0-test" } };
const { input, metrics } = trainingFixture();
const models = input.models;

function svgText(text: string): string {
  return `>${text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")}<`;
}

function assertShows(chart: RenderedChart, texts: readonly string[]): void {
  assert.deepEqual(chart.warnings, []);
  for (const text of texts) assert.ok(chart.svg.includes(svgText(text)), `SVG shows "${text}"`);
  assert.ok(chart.svg.includes("data: synthetic, test: 3,000 rows · seed: 1"), "stamped");
  assert.ok(readPngSize(chart.png).width > 400, "2x PNG of a chart-sized SVG");
}

function count(svg: string, pattern: RegExp): number {
  return (svg.match(pattern) ?? []).length;
}

Deno.test("calibrationSpec draws predicted vs observed per bin per model, with the rows per bin below", async () => {
  const series = models.map((m) => ({ model: m.name, points: m.curves.calibration }));
  const chart = await renderChart(calibrationSpec(series, { title: "Calibration" }), { stamp });
  assertShows(chart, [
    "Calibration",
    "Mean predicted probability",
    "Observed share of positives",
    "perfectly calibrated",
    "Predicted probability bin",
    "Rows (log)",
    "0.00–0.10",
    ...FIXTURE_MODELS,
  ]);
  const bins = series.reduce((n, s) => n + s.points.length, 0);
  assert.ok(bins >= 12, `${bins} non-empty bins over both models`);
  assert.equal(count(chart.svg, /aria-roledescription="point"/g), bins, "a point per bin and model");
  assert.equal(count(chart.svg, /aria-roledescription="bar"/g), bins, "a count bar per bin and model");
  // The rows of the fullest bin are in its bar's label: the count is shown, not just implied.
  const fullest = metrics[0]!.calibration!.bins.reduce((a, b) => (b.weight > a.weight ? b : a));
  assert.ok(
    chart.svg.includes(`rows: ${fullest.weight.toLocaleString("en-US")}`),
    `the fullest bin shows its ${fullest.weight} rows`,
  );
});

Deno.test("liftAtTopSpec draws a labelled bar per model and depth, depths in numeric order", async () => {
  const series = models.map((m) => ({ model: m.name, points: m.curves.lift }));
  const chart = await renderChart(liftAtTopSpec(series, { title: "Lift" }), { stamp });
  const first = metrics[0]!.lift[0]!;
  assertShows(chart, ["Lift", "Rows targeted", "Lift (× random)", first.lift.toFixed(1), ...FIXTURE_MODELS]);
  const depths = metrics[0]!.lift.length;
  assert.equal(count(chart.svg, /aria-roledescription="bar"/g), depths * models.length);
  const ticks = [...chart.svg.matchAll(/>(top \d+%)</g)].map((m) => m[1]);
  assert.deepEqual(ticks, ["top 1%", "top 2%", "top 5%", "top 10%", "top 20%", "top 30%", "top 50%"]);
  assert.equal(
    count(chart.svg, /<line aria-label="y: 1"[^>]*stroke-dasharray="4,4"/g),
    1,
    "the dashed rule at lift 1",
  );
  assert.ok(first.lift > 3, `the better model's lift at 1 % is ${first.lift}`);
});

Deno.test("importanceSpec shows the top N source columns, largest first, negatives left of zero", async () => {
  const bars = [
    { feature: "pdays", importance: -0.002 },
    { feature: "age", importance: 0.012 },
    { feature: "euribor3m", importance: 0.081 },
    { feature: "campaign", importance: 0.0004 },
  ];
  const chart = await renderChart(
    importanceSpec(bars, { title: "GBT: permutation", topN: 3, valueTitle: "ROC-AUC drop" }),
    { stamp },
  );
  assertShows(chart, ["GBT: permutation", "Source column", "ROC-AUC drop", "0.081", "−0.002"]);
  assert.equal(count(chart.svg, /aria-roledescription="bar"/g), 3, "topN bars");
  assert.ok(!chart.svg.includes(">campaign<"), "the smallest is cut");
  const order = [...chart.svg.matchAll(/>(euribor3m|age|pdays)</g)].map((m) => m[1]);
  assert.deepEqual(order, ["euribor3m", "age", "pdays"], "by absolute importance, top down");
});

Deno.test("model chart specs reject bad bins, depths, importances and topN", () => {
  const bin = { lower: 0, upper: 0.1, weight: 5, meanScore: 0.05, positiveRate: 0.1 };
  assert.throws(
    () => calibrationSpec([{ model: "a", points: [{ ...bin, weight: -1 }] }], { title: "t" }),
    />= 0/,
  );
  assert.throws(
    () => calibrationSpec([{ model: "a", points: [{ ...bin, positiveRate: 2 }] }], { title: "t" }),
    /positiveRate must be in \[0, 1\]/,
  );
  assert.throws(
    () => liftAtTopSpec([{ model: "a", points: [{ percent: 0, lift: 1 }] }], { title: "t" }),
    /\(0, 100\]/,
  );
  assert.throws(
    () => importanceSpec([{ feature: "x", importance: 1 }, { feature: "x", importance: 2 }], { title: "t" }),
    /unique/,
  );
  assert.throws(() => importanceSpec([{ feature: "x", importance: Infinity }], { title: "t" }), /finite/);
  assert.throws(() => importanceSpec([], { title: "t", topN: 0 }), /topN/);
});
