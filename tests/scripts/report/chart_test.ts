import assert from "node:assert/strict";
import type { TopLevelSpec } from "vega-lite";
import { readPngSize, renderChart, type RenderedChart, stampLines } from "../../../scripts/report/chart.ts";
import {
  correlationHeatmapSpec,
  distributionSpec,
  MAX_CHART_ROWS,
  partitionTimingsSpec,
  rateBySegmentSpec,
  trendSpec,
} from "../../../scripts/report/chart_specs.ts";
import { decodePng } from "./png_pixels.ts";

const stamp = {
  dataRange: "2024-01-01 to 2024-01-03 (9,876 rows)",
  seed: 42,
  versions: { frontier: "0.1.0-test" },
};

function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg\b[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"/.exec(svg);
  assert.ok(match, "SVG has width and height");
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** Shared checks: stamp text in the SVG, a 2x PNG, and enough non-white, varied pixels. */
async function assertRendered(chart: RenderedChart, texts: readonly string[]): Promise<void> {
  assert.ok(chart.svg.startsWith("<svg"), "output is an SVG document");
  for (const line of stampLines(stamp)) assert.ok(chart.svg.includes(line), `SVG shows stamp line "${line}"`);
  for (const text of texts) assert.ok(chart.svg.includes(`>${text}<`), `SVG shows text "${text}"`);
  assert.deepEqual([...chart.png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svg = svgSize(chart.svg);
  const png = readPngSize(chart.png);
  assert.ok(svg.width >= 200 && svg.height >= 150, `SVG ${svg.width}x${svg.height} is chart-sized`);
  assert.equal(png.width, Math.round(svg.width * 2));
  assert.equal(png.height, Math.round(svg.height * 2));
  assert.ok(chart.png.length > 10_000, `PNG of ${chart.png.length} bytes is not trivially small`);
  const { rgba } = await decodePng(chart.png);
  let inked = 0;
  const colors = new Set<number>();
  for (let i = 0; i < rgba.length; i += 4) {
    const [r, g, b] = [rgba[i] ?? 0, rgba[i + 1] ?? 0, rgba[i + 2] ?? 0];
    if (r < 240 || g < 240 || b < 240) inked++;
    colors.add((r << 16) | (g << 8) | b);
  }
  const share = inked / (png.width * png.height);
  assert.ok(share > 0.02 && share < 0.95, `inked share ${share.toFixed(3)} looks like a chart`);
  assert.ok(colors.size > 16, `PNG has ${colors.size} colours (text anti-aliasing and marks)`);
  assert.deepEqual(chart.warnings, []);
}

Deno.test("renderChart draws a pre-binned histogram with axis titles, stamp and a 2x PNG", async () => {
  const bins = [
    { start: 0, end: 10, count: 5 },
    { start: 10, end: 20, count: 12 },
    { start: 20, end: 30, count: 7 },
  ];
  const chart = await renderChart(
    distributionSpec(bins, { title: "Session length", valueTitle: "Minutes" }),
    { stamp },
  );
  await assertRendered(chart, ["Session length", "Minutes", "Count"]);
  assert.equal((chart.svg.match(/<path[^>]*aria-roledescription="bar"/g) ?? []).length, 3, "one bar per bin");
});

Deno.test("renderChart draws rate by segment with an n= count label on every bar", async () => {
  const rows = [
    { segment: "mobile", rate: 0.12, count: 1234 },
    { segment: "desktop", rate: 0.08, count: 56789 },
    { segment: "tablet", rate: 0.2, count: 15 },
  ];
  const chart = await renderChart(
    rateBySegmentSpec(rows, {
      title: "CTR by device",
      segmentTitle: "Device",
      rateTitle: "Click-through rate",
    }),
    { stamp },
  );
  await assertRendered(chart, ["Device", "Click-through rate", "n=1,234", "n=56,789", "n=15", "20.0%"]);
  assert.equal((chart.svg.match(/aria-roledescription="bar"/g) ?? []).length, 3, "one bar per segment");
});

Deno.test("renderChart draws a UTC trend with one line per series and a legend", async () => {
  const points = [1, 2, 3].flatMap((day) => [
    { time: `2024-01-0${day}T00:00:00Z`, value: day * 2, series: "clicks" },
    { time: Date.UTC(2024, 0, day), value: 7 - day, series: "views" },
  ]);
  const chart = await renderChart(trendSpec(points, { title: "Daily events", valueTitle: "Events" }), {
    stamp,
  });
  await assertRendered(chart, ["Daily events", "Events", "Time (UTC)", "clicks", "views", "Series"]);
  assert.equal((chart.svg.match(/aria-roledescription="line mark"/g) ?? []).length, 2, "two lines");
});

Deno.test("renderChart draws a correlation heatmap with each value printed in its cell", async () => {
  const names = ["age", "spend", "visits"];
  const value = (i: number, j: number) => (i === j ? 1 : i + j === 1 ? -0.75 : 0.25);
  const cells = names.flatMap((row, i) => names.map((col, j) => ({ row, col, value: value(i, j) })));
  const chart = await renderChart(correlationHeatmapSpec(cells, { title: "Feature correlation" }), { stamp });
  await assertRendered(chart, ["Feature correlation", "age", "spend", "visits", "1.00", "0.25"]);
  assert.equal((chart.svg.match(/>−0\.75</g) ?? []).length, 2, "both -0.75 cells are labelled");
  assert.equal((chart.svg.match(/>1\.00</g) ?? []).length, 3, "diagonal is labelled");
});

Deno.test("renderChart draws partition timings as grouped bars ordered by partition count", async () => {
  const rows = [16, 2, 4].flatMap((partitions) =>
    ["hash", "range"].map((variant, k) => ({ partitions, variant, ms: 400 / partitions + k * 30 }))
  );
  const chart = await renderChart(partitionTimingsSpec(rows, { title: "Shuffle timings" }), { stamp });
  await assertRendered(chart, ["Shuffle timings", "Partitions", "Time (ms)", "Variant", "hash", "range"]);
  assert.equal(
    (chart.svg.match(/aria-roledescription="bar"/g) ?? []).length,
    6,
    "one bar per (partitions, variant)",
  );
  const ticks = [...chart.svg.matchAll(/>(2|4|16)</g)].map((m) => m[1]);
  assert.deepEqual(ticks.slice(0, 3), ["2", "4", "16"], "numeric partition order, not input order");
});

Deno.test("renderChart refuses to fetch data: URLs fail instead of reaching the network", async () => {
  const spec: TopLevelSpec = {
    data: { url: "https://example.invalid/data.csv" },
    mark: "bar",
    encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
  };
  await assert.rejects(renderChart(spec, { stamp }), (error: unknown) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /offline/);
    return true;
  });
});

Deno.test("renderChart stamps without mutating the caller's spec and keeps its subtitle", async () => {
  const spec = distributionSpec([{ start: 0, end: 1, count: 1 }], { title: "T", valueTitle: "V" });
  const before = JSON.stringify(spec);
  const chart = await renderChart({ ...spec, title: { text: "Titled", subtitle: "own subtitle" } }, {
    stamp: { dataRange: "r", versions: {} },
    scale: 1,
  });
  assert.equal(JSON.stringify(spec), before);
  assert.ok(chart.svg.includes(">own subtitle<"));
  assert.ok(chart.svg.includes(">data: r<"), "no seed part when seed is absent");
  assert.equal(readPngSize(chart.png).width, svgSize(chart.svg).width, "scale 1 keeps SVG size");
});

Deno.test("renderChart rejects a bad scale and a missing font file with named errors", async () => {
  const spec = distributionSpec([{ start: 0, end: 1, count: 1 }], { title: "T", valueTitle: "V" });
  await assert.rejects(renderChart(spec, { stamp, scale: 0 }), RangeError);
  await assert.rejects(
    renderChart(spec, { stamp, fontFiles: ["/nonexistent/NoSuchFont.ttf"] }),
    (error: unknown) => error instanceof Deno.errors.NotFound && /setup\/chromium\.sh/.test(error.message),
  );
});

Deno.test("chart spec builders reject non-finite values, bad ranges and oversized inputs", () => {
  assert.throws(
    () => distributionSpec([{ start: 1, end: 1, count: 1 }], { title: "t", valueTitle: "v" }),
    RangeError,
  );
  assert.throws(
    () =>
      rateBySegmentSpec([{ segment: "a", rate: Number.NaN, count: 1 }], {
        title: "t",
        segmentTitle: "s",
        rateTitle: "r",
      }),
    RangeError,
  );
  assert.throws(
    () => trendSpec([{ time: "not a date", value: 1 }], { title: "t", valueTitle: "v" }),
    RangeError,
  );
  assert.throws(
    () => correlationHeatmapSpec([{ row: "a", col: "b", value: 1.5 }], { title: "t" }),
    RangeError,
  );
  assert.throws(
    () => partitionTimingsSpec([{ partitions: 2, variant: "h", ms: -1 }], { title: "t" }),
    RangeError,
  );
  const many = Array.from({ length: MAX_CHART_ROWS + 1 }, (_, i) => ({ time: i, value: i }));
  assert.throws(() => trendSpec(many, { title: "t", valueTitle: "v" }), /aggregate in the cluster/);
});

Deno.test("readPngSize rejects bytes that are not a PNG", () => {
  assert.throws(() => readPngSize(new TextEncoder().encode("GIF89a, definitely not a PNG file")), TypeError);
});
