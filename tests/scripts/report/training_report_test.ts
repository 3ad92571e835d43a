import assert from "node:assert/strict";
import { readPngSize } from "../../../scripts/report/chart.ts";
import { writeTrainingReport } from "../../../scripts/report/training_report.ts";
import { decodeTrainingReportInput } from "../../../scripts/report/training_report_input.ts";
import { TRAINING_SECTION_IDS } from "../../../scripts/report/training_sections.ts";
import { type TuningReport, tuningSection } from "../../../scripts/report/tuning_section.ts";
import { requireChromium, runChromium, SKIP_BROWSER } from "./headless_chromium.ts";
import { decodePng, inkedShare, type Rect } from "./png_pixels.ts";
import { FIXTURE_MODELS, trainingFixture } from "./training_fixture.ts";

/** A search of four trials, one failed: the tuning section appended to the training report. */
const TUNING: TuningReport = {
  model: "gbt",
  metric: "rocAuc",
  direction: "max",
  validation: "3 expanding time-series folds on contact_date",
  parallelism: 2,
  trials: [
    {
      index: 0,
      params: { numLeaves: 7, learningRate: 0.05 },
      status: "ok",
      mean: 0.781,
      std: 0.012,
      values: [0.77, 0.78, 0.793],
      rounds: [40, 52, 61],
      ms: 4_200,
    },
    {
      index: 1,
      params: { numLeaves: 31, learningRate: 0.05 },
      status: "ok",
      mean: 0.794,
      std: 0.009,
      values: [0.785, 0.794, 0.803],
      rounds: [33, 41, 47],
      ms: 6_100,
    },
    {
      index: 2,
      params: { numLeaves: 7, learningRate: 0.1 },
      status: "ok",
      mean: 0.776,
      std: 0.015,
      values: [0.76, 0.778, 0.79],
      rounds: [20, 25, 31],
      ms: 3_000,
    },
    {
      index: 3,
      params: { numLeaves: 0, learningRate: 0.1 },
      status: "failed",
      mean: NaN,
      std: NaN,
      values: [],
      rounds: [],
      ms: 5,
      error: "RangeError: numLeaves must be in [2, 131072], got 0",
    },
  ],
  best: 1,
  testValue: 0.801,
  ms: 14_000,
};
const EXTRA_SECTION = tuningSection(TUNING, {
  stamp: {
    dataRange: "synthetic binormal scores, test: 3,000 rows",
    seed: 1,
    versions: { frontier: "0.1.0-test" },
  },
});
const ALL_SECTIONS = [...TRAINING_SECTION_IDS, EXTRA_SECTION.id];

async function withReport<T>(
  fn: (dir: string, result: Awaited<ReturnType<typeof writeTrainingReport>>) => Promise<T>,
) {
  const dir = await Deno.makeTempDir({ prefix: "frontier-training-report-" });
  try {
    const { input } = trainingFixture();
    const result = await writeTrainingReport(input, { outDir: `${dir}/out`, extraSections: [EXTRA_SECTION] });
    return await fn(dir, result);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The visible text of every cell of every table row in `html`, rows as arrays. */
function tableRows(html: string): string[][] {
  const unescape = (s: string) =>
    s.replace(/<[^>]+>/g, "").replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))
      .replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&amp;", "&")
      .trim();
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => unescape(c[1]!))
  );
}

/** How a reader sees a number: three significant digits below 1, thousands separators above. */
function shown(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return Math.abs(value) < 1 ? String(Number(value.toPrecision(3))) : String(Number(value.toFixed(3)));
}

Deno.test("writeTrainingReport writes report.html, report.json, stamped SVG+PNG charts and CSV tables", async () => {
  await withReport(async (_dir, result) => {
    const { input } = trainingFixture();
    assert.deepEqual(result.sections, ALL_SECTIONS);
    assert.deepEqual(decodeTrainingReportInput(JSON.parse(await Deno.readTextFile(result.jsonPath))), input);
    assert.equal(
      result.charts.length,
      9,
      "ROC, PR, calibration, gains, lift, 3 importance charts and the tuning trials",
    );
    for (const svg of result.charts) {
      const text = await Deno.readTextFile(svg);
      assert.match(text, /^<svg/);
      assert.match(text, /data: synthetic binormal scores, test: 3,000 rows · seed: 1/, `${svg} is stamped`);
      assert.match(text, /frontier 0\.1\.0-test/, `${svg} carries versions`);
      assert.ok(readPngSize(await Deno.readFile(svg.replace(/\.svg$/, ".png"))).width > 400, `${svg} PNG`);
    }
    const csv = (await Deno.readTextFile(result.tables.find((t) => t.endsWith("/metrics.csv"))!)).trim()
      .split("\n");
    assert.equal(csv[0], "model,ROC-AUC,PR-AUC,log loss,Brier,ECE,train s");
    assert.equal(csv.length, 1 + input.models.length);
    assert.ok(csv[2]!.startsWith(`Logistic <regression>,${input.models[1]!.metrics.rocAuc},`), csv[2]);
  });
});

Deno.test("the training report page shows every model's metrics row and confusion matrix numbers", async () => {
  await withReport(async (_dir, result) => {
    const { input } = trainingFixture();
    const html = await Deno.readTextFile(result.reportPath);
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*https?:\/\//i, "no external URL");
    assert.ok(!html.includes("Logistic <regression>"), "model names are escaped");
    for (const id of ALL_SECTIONS) assert.ok(html.includes(`<section id="${id}">`), `section ${id}`);
    const rows = tableRows(html);
    for (const m of input.models) {
      const o = m.operatingPoint;
      const quality = rows.find((r) => r[0] === m.name && r.length === 7);
      const auc = m.intervals?.rocAuc === undefined
        ? shown(m.metrics.rocAuc)
        : `${shown(m.metrics.rocAuc)} [${shown(m.intervals.rocAuc.lo)}, ${shown(m.intervals.rocAuc.hi)}]`;
      assert.deepEqual(quality, [
        m.name,
        auc,
        shown(m.metrics.averagePrecision),
        shown(m.metrics.logLoss!),
        shown(m.metrics.brier!),
        shown(m.metrics.ece!),
        shown(m.timings.trainMs / 1000),
      ]);
      const atThreshold = rows.find((r) => r[0] === m.name && r.length >= 9);
      assert.ok(atThreshold, `threshold row of ${m.name}`);
      assert.deepEqual(atThreshold.slice(1, 8), [
        shown(o.threshold),
        `${o.choice.by === "f1" ? "max F1" : "least cost (FN 10 : FP 1)"} on ${o.chosenOn}`,
        shown(o.accuracy),
        shown(m.metrics.baselineAccuracy),
        shown(o.precision),
        shown(o.recall),
        shown(o.f1),
      ]);
      const { tp, fp, tn, fn } = o.confusion;
      const at = rows.findIndex((r) => r[0] === "positive" && r[1] === shown(tp));
      assert.ok(at >= 0, `confusion matrix of ${m.name}`);
      assert.deepEqual(rows.slice(at, at + 3), [
        ["positive", shown(tp), shown(fn), shown(tp + fn)],
        ["negative", shown(fp), shown(tn), shown(fp + tn)],
        ["total", shown(tp + fp), shown(fn + tn), "3,000"],
      ]);
    }
  });
});

/** Appended to a copy of the page: after load, the layout of every section, table and image. */
const PROBE = `<script>addEventListener("load", () => {
  const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; };
  const sections = Array.from(document.querySelectorAll("main > section")).map((s) => ({
    id: s.id,
    box: box(s),
    tables: Array.from(s.querySelectorAll("table")).map(box),
    rows: s.querySelectorAll("tbody tr").length,
    images: Array.from(s.querySelectorAll("img")).map((i) => ({ ...box(i), decoded: i.complete && i.naturalWidth > 0 })),
  }));
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify({ pageHeight: document.documentElement.scrollHeight, sections });
  document.body.append(pre);
});</script>`;

interface Probe {
  pageHeight: number;
  sections: {
    id: string;
    box: Rect;
    tables: Rect[];
    rows: number;
    images: (Rect & { decoded: boolean })[];
  }[];
}

Deno.test({
  name: "the training report renders in headless Chromium: every section, table and chart drawn on screen",
  ignore: SKIP_BROWSER,
  fn: async () => {
    await requireChromium();
    await withReport(async (dir, result) => {
      // 1. The DOM after load: every chart decoded, and where each section, table and image lies.
      const probed = `${dir}/out/probed.html`;
      const page = await Deno.readTextFile(result.reportPath);
      await Deno.writeTextFile(probed, page.replace("</body>", `${PROBE}</body>`));
      const dom = await runChromium(dir, { url: new URL(`file://${probed}`).href, args: ["--dump-dom"] });
      const body = /<body([^>]*)>/.exec(dom)?.[1] ?? "";
      const charts = result.charts.length;
      assert.match(body, new RegExp(`data-images-ok="${charts}/${charts}"`), `every chart decoded: ${body}`);
      const text = /<pre id="probe">([\s\S]*?)<\/pre>/.exec(dom)?.[1];
      assert.ok(text !== undefined, "the probe ran after load");
      const probe: Probe = JSON.parse(
        text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&"),
      );
      assert.deepEqual(probe.sections.map((s) => s.id), ALL_SECTIONS);
      const byId = new Map(probe.sections.map((s) => [s.id, s]));
      const expectCharts: Record<string, number> = {
        roc: 1,
        "precision-recall": 1,
        calibration: 1,
        lift: 2,
        importance: 3,
        tuning: 1,
      };
      for (const s of probe.sections) {
        assert.equal(s.images.length, expectCharts[s.id] ?? 0, `charts in ${s.id}`);
      }
      assert.equal(
        byId.get("metrics")!.rows,
        2 * FIXTURE_MODELS.length,
        "both metrics tables, a row per model",
      );
      assert.equal(
        byId.get("confusion")!.tables.length,
        FIXTURE_MODELS.length,
        "a confusion matrix per model",
      );

      // 2. A screenshot of the whole page (the window as tall as the page, so nothing scrolls).
      const height = Math.ceil(probe.pageHeight);
      assert.ok(height > 3_000 && height < 16_000, `page is ${height} px tall`);
      const shot = `${dir}/page.png`;
      await runChromium(dir, {
        url: new URL(`file://${result.reportPath}`).href,
        args: [`--screenshot=${shot}`],
        window: [1280, height],
      });
      const png = await Deno.readFile(shot);
      const keep = Deno.env.get("FRONTIER_SCREENSHOT_OUT");
      if (keep !== undefined) await Deno.copyFile(shot, keep);
      const pixels = await decodePng(png);
      assert.deepEqual([pixels.width, pixels.height], [1280, height]);

      // 3. What is on screen: ink inside every section, table and chart where the layout put them.
      for (const s of probe.sections) {
        assert.ok(s.box.height > 40, `section ${s.id} has height`);
        assert.ok(inkedShare(pixels, s.box) > 0.01, `section ${s.id} is drawn`);
        for (const t of s.tables) {
          const share = inkedShare(pixels, t);
          assert.ok(t.height > 30 && share > 0.03, `a table in ${s.id} is drawn (${share.toFixed(3)} inked)`);
        }
        for (const image of s.images) {
          const share = inkedShare(pixels, image);
          assert.ok(
            image.decoded && image.width > 200,
            `a chart in ${s.id} is decoded and ${image.width} px wide`,
          );
          assert.ok(share > 0.03 && share < 0.95, `a chart in ${s.id} is drawn (${share.toFixed(3)} inked)`);
        }
      }
    });
  },
});

Deno.test("the tuning section lists every trial with the winner starred and failures with their reason", async () => {
  await withReport(async (_dir, result) => {
    const html = await Deno.readTextFile(result.reportPath);
    const section = html.slice(html.indexOf('id="tuning"'));
    const rows = tableRows(section).filter((r) => /^\d/.test(r[0] ?? ""));
    assert.deepEqual(rows.map((r) => r[0]), ["1", "2 ★", "3", "4"]);
    assert.equal(rows[1]![1], "numLeaves=31, learningRate=0.05");
    assert.equal(rows[1]![2], shown(0.794));
    assert.equal(rows[1]![5], "33 / 41 / 47");
    assert.match(rows[3]![7]!, /^failed: RangeError: numLeaves must be in/);
    assert.match(section, /trial 2 \(numLeaves=31, learningRate=0\.05\)/);
    assert.match(section, /rocAuc 0\.801/);
    const csv = await Deno.readTextFile(result.tables.find((t) => t.endsWith("/tuning_trials.csv"))!);
    assert.equal(csv.trim().split("\n").length, 1 + TUNING.trials.length);
  });
});
