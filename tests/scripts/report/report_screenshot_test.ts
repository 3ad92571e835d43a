import assert from "node:assert/strict";
import { readPngSize, renderChart } from "../../../scripts/report/chart.ts";
import { correlationHeatmapSpec, rateBySegmentSpec, trendSpec } from "../../../scripts/report/chart_specs.ts";
import {
  buildReport,
  escapeHtml,
  formatNumber,
  type ReportInput,
} from "../../../scripts/report/html_report.ts";
import { requireChromium, runChromium, SKIP_BROWSER } from "./headless_chromium.ts";

const EXTERNAL_SRC_OR_HREF = /\b(?:src|href)\s*=\s*["']?\s*https?:\/\//i;
const stamp = {
  dataRange: "2024-01-01 to 2024-01-03 (9,876 rows)",
  seed: 7,
  versions: { frontier: "0.1.0-test" },
};

/** The same small report for the unit and browser tests: a table, two PNG charts, one inline SVG chart. */
async function sampleReport(): Promise<{ input: ReportInput; html: string }> {
  const rate = await renderChart(
    rateBySegmentSpec([
      { segment: "mobile", rate: 0.12, count: 1234 },
      { segment: "desktop", rate: 0.08, count: 56789 },
    ], { title: "CTR by device", segmentTitle: "Device", rateTitle: "Click-through rate" }),
    { stamp },
  );
  const trend = await renderChart(
    trendSpec([1, 2, 3].map((d) => ({ time: Date.UTC(2024, 0, d), value: d * d })), {
      title: "Daily events",
      valueTitle: "Events",
    }),
    { stamp },
  );
  const heat = await renderChart(
    correlationHeatmapSpec([
      { row: "a", col: "a", value: 1 },
      { row: "a", col: "b", value: -0.5 },
      { row: "b", col: "a", value: -0.5 },
      { row: "b", col: "b", value: 1 },
    ], { title: "Feature correlation" }),
    { stamp },
  );
  const input: ReportInput = {
    title: "Frontier <test> report",
    subtitle: "Clicks & views",
    meta: { "Data range": stamp.dataRange, Seed: stamp.seed, Rows: 9876 },
    sections: [
      {
        id: "overview",
        title: "Overview & totals",
        html: "<p>All numbers come from the <b>cluster</b> aggregate.</p>",
        tables: [{
          caption: "Segments",
          columns: ["Segment", "Rate", "Rows", "Note"],
          rows: [["mobile", 0.1234, 1234567, null], ["desktop", 12.3456, 42, "<script>alert(1)</script>"]],
        }],
      },
      {
        id: "rates",
        title: "Rates",
        charts: [{ title: "CTR by device", svg: rate.svg, png: rate.png }, {
          title: "Daily events",
          svg: trend.svg,
          png: trend.png,
        }],
      },
      { id: "correlation", title: "Correlation", charts: [{ title: "Feature correlation", svg: heat.svg }] },
    ],
  };
  return { input, html: buildReport(input) };
}

Deno.test("buildReport writes a self-contained page with a TOC, escaped text and formatted numbers", async () => {
  const { input, html } = await sampleReport();
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.doesNotMatch(html, EXTERNAL_SRC_OR_HREF, "no external src/href");
  assert.doesNotMatch(html, /<link\b/i, "no linked stylesheets");
  assert.match(html, /<style>/);
  for (const section of input.sections) {
    assert.ok(html.includes(`<section id="${section.id}">`), `section ${section.id} has its id`);
    assert.ok(
      html.includes(`<a href="#${section.id}">${escapeHtml(section.title)}</a>`),
      `TOC links ${section.id}`,
    );
    assert.ok(html.includes(`<h2>${escapeHtml(section.title)}</h2>`), `section ${section.id} has a heading`);
  }
  assert.ok(html.includes("<h1>Frontier &#60;test&#62; report</h1>"), "title is escaped");
  assert.ok(!html.includes("<script>alert(1)</script>"), "cell text is escaped");
  assert.ok(html.includes(`<td class="num">1,234,567</td>`));
  assert.ok(html.includes(`<td class="num">12.346</td>`));
  assert.ok(html.includes(`<td class="empty">—</td>`));
  assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 2);
  assert.equal((html.match(/<figure class="chart"><svg /g) ?? []).length, 1);
  const ids = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].flatMap((
    m,
  ) => [...m[0].matchAll(/\bid="([^"]+)"/g)]);
  assert.ok(ids.length > 0, "the heatmap legend gradient has an id");
  for (const [, id] of ids) {
    assert.ok(id?.startsWith("s2c0-"), `inline SVG id "${id}" is scoped to its chart`);
  }
  for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) {
    assert.ok(html.includes(`id="${ref}"`), `url(#${ref}) points at an id in the page`);
  }
});

Deno.test("buildReport rejects external URLs, bad or repeated section ids and ragged rows", () => {
  const base = { title: "t", sections: [] };
  assert.throws(
    () =>
      buildReport({ ...base, sections: [{ id: "a", title: "A", html: `<img src="https://x.test/a.png">` }] }),
    /self-contained/,
  );
  assert.throws(
    () =>
      buildReport({
        ...base,
        sections: [{
          id: "a",
          title: "A",
          charts: [{ title: "c", svg: `<svg><image href="//x.test/i.png"/></svg>` }],
        }],
      }),
    /self-contained/,
  );
  assert.throws(() => buildReport({ ...base, sections: [{ id: "1bad", title: "A" }] }), TypeError);
  assert.throws(
    () => buildReport({ ...base, sections: [{ id: "a", title: "A" }, { id: "a", title: "B" }] }),
    /repeated/,
  );
  assert.throws(
    () =>
      buildReport({
        ...base,
        sections: [{ id: "a", title: "A", tables: [{ caption: "c", columns: ["x"], rows: [[1, 2]] }] }],
      }),
    /2 cells for 1 columns/,
  );
});

Deno.test("formatNumber groups integers and trims decimals", () => {
  assert.equal(formatNumber(1234567), "1,234,567");
  assert.equal(formatNumber(3.14159), "3.142");
  assert.equal(formatNumber(0.000123456), "0.000123");
  assert.equal(formatNumber(12345678901234567890n), "12,345,678,901,234,567,890");
  assert.equal(formatNumber(Number.NaN), "NaN");
});

const browserTestName =
  "report renders in headless Chromium: screenshot, sections, headings and decoded charts";
if (SKIP_BROWSER) {
  console.log(`Skipping "${browserTestName}": FRONTIER_SKIP_BROWSER=1`);
}

Deno.test({
  name: browserTestName,
  ignore: SKIP_BROWSER,
  fn: async () => {
    await requireChromium();
    const { input, html } = await sampleReport();
    const dir = await Deno.makeTempDir({ prefix: "frontier-report-" });
    try {
      const page = `${dir}/report.html`;
      await Deno.writeTextFile(page, html);
      const url = new URL(`file://${page}`).href;

      const shot = `${dir}/shot.png`;
      await runChromium(dir, { url, args: [`--screenshot=${shot}`] });
      const png = await Deno.readFile(shot);
      assert.deepEqual(readPngSize(png), { width: 1280, height: 2000 }, "screenshot has the window size");
      assert.ok(
        png.length > 40_000,
        `screenshot of ${png.length} bytes has content (a blank page is ~10 KB)`,
      );
      const keep = Deno.env.get("FRONTIER_SCREENSHOT_OUT");
      if (keep !== undefined) await Deno.copyFile(shot, keep);

      const dom = await runChromium(dir, { url, args: ["--dump-dom"] });
      for (const section of input.sections) {
        assert.match(
          dom,
          new RegExp(`<section id="${section.id}">\\s*<h2>${
            escapeHtml(section.title)
              .replaceAll("&#38;", "&amp;")
          }</h2>`),
          `section "${section.id}" and its heading are in the DOM`,
        );
      }
      assert.equal((dom.match(/<img /g) ?? []).length, 2, "both PNG charts are <img>");
      assert.equal((dom.match(/<figure class="chart"><svg /g) ?? []).length, 1, "the SVG chart is inline");
      const body = /<body([^>]*)>/.exec(dom)?.[1] ?? "";
      assert.match(body, /data-images-ok="2\/2"/, `every image decoded (body attributes: ${body})`);
      assert.match(body, /data-svgs-ok="1\/1"/, `the inline SVG has a size (body attributes: ${body})`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
