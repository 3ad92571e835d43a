import assert from "node:assert/strict";
import { systemClock } from "../../../actors/clock.ts";
import { TimeoutError } from "../../../actors/errors.ts";
import { generateDemoKey } from "../../../cluster/sources/transactions/card_token.ts";
import { readPngSize } from "../../../scripts/report/chart.ts";
import { analyzeDataset, type DatasetEda } from "../../../scripts/eda/analyze.ts";
import { tableToCsv, writeEdaReport } from "../../../scripts/eda/eda_report.ts";
import { type ExperimentsReport, machineInfo } from "../../../scripts/eda/experiments.ts";
import { loadInput } from "../../../scripts/eda/load_input.ts";
import { BANK_FULL_GZ, withCluster } from "./eda_test_util.ts";

const CHROMIUM = Deno.env.get("FRONTIER_CHROMIUM") ?? "chromium";
const SKIP_BROWSER = Deno.env.get("FRONTIER_SKIP_BROWSER") === "1";
const decoder = new TextDecoder();

async function fakeExperiments(): Promise<ExperimentsReport> {
  const row = (variant: string, partitions: number, runs: number[]) => ({
    variant,
    partitions,
    ms: runs[1]!,
    minMs: runs[0]!,
    maxMs: runs[2]!,
    runs,
    rows: 1000,
    jobs: 1,
  });
  return {
    machine: await machineInfo(),
    data: { label: "test rows", rows: 1000, bytes: null, executors: 2, repeats: 3 },
    experiments: [
      {
        id: "partitions",
        title: "Partition count",
        method: "m",
        rows: [row("1 partition", 1, [10, 11, 12]), row("2 partitions", 2, [6, 7, 8])],
        plans: [{ variant: "1 partition", explain: "Stage 1 <plan>" }, {
          variant: "2 partitions",
          explain: "Stage 2",
        }],
      },
      {
        id: "join",
        title: "Broadcast vs shuffle join",
        method: "m",
        rows: [row("broadcast", 4, [3, 4, 5]), row("shuffle", 4, [8, 9, 10])],
        plans: [{ variant: "broadcast", explain: "BroadcastHashJoin" }, {
          variant: "shuffle",
          explain: "Shuffled",
        }],
      },
    ],
  };
}

/** The EDA of bank-full and of 5,000 generated transactions, written to a temp dir. */
async function writeSample(
  dir: string,
): Promise<{ datasets: DatasetEda[]; result: Awaited<ReturnType<typeof writeEdaReport>> }> {
  return await withCluster(async (fx) => {
    const bank = await loadInput(fx, BANK_FULL_GZ);
    const datasets = [
      await analyzeDataset({
        name: "bank-full",
        kind: "bank",
        data: bank.data,
        rows: bank.rows,
        source: "data/bank-full.csv.gz",
      }),
      await analyzeDataset({
        name: "transactions",
        kind: "transactions",
        data: fx.transactions({
          rows: 5_000,
          seed: 9,
          tokenKey: generateDemoKey({ seed: 9 }),
          partitions: 2,
        }),
        rows: 5_000,
        source: "generated",
        seed: 9,
      }),
    ];
    const result = await writeEdaReport(datasets, { outDir: dir, experiments: await fakeExperiments() });
    return { datasets, result };
  });
}

const EXPECTED_SECTIONS = [
  "overview",
  "bank-full-summary",
  "bank-full-distributions",
  "bank-full-rates",
  "bank-full-trend",
  "bank-full-correlations",
  "transactions-summary",
  "transactions-distributions",
  "transactions-segments",
  "transactions-trend",
  "transactions-correlations",
  "experiments",
  "experiment-partitions",
  "experiment-join",
];

Deno.test("tableToCsv quotes separators and quotes and leaves nulls empty", () => {
  assert.equal(
    tableToCsv({ columns: ["a", "b"], rows: [["x,y", null], ['say "hi"', 1.5]] }),
    'a,b\n"x,y",\n"say ""hi""",1.5\n',
  );
});

Deno.test("writeEdaReport writes tables (CSV+JSON), stamped charts (SVG+PNG), eda.json and report.html", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-eda-" });
  try {
    const { datasets, result } = await writeSample(dir);
    assert.deepEqual(result.sections, EXPECTED_SECTIONS);
    assert.ok(result.charts.length >= 20, `${result.charts.length} charts`);
    for (const svg of result.charts) {
      const text = await Deno.readTextFile(svg);
      assert.match(text, /<svg/);
      assert.match(text, /frontier 0\.1\.0/, `${svg} is stamped with versions`);
      const png = await Deno.readFile(svg.replace(/\.svg$/, ".png"));
      assert.ok(readPngSize(png).width > 100);
    }
    assert.match(await Deno.readTextFile(`${dir}/charts/transactions_fraud_by_channel.svg`), /seed: 9/);
    // The job table on disk is the analysis result.
    const jobs = datasets[0]!.bank!.breakdowns.find((b) => b.dimension === "job")!.rows;
    const csv = (await Deno.readTextFile(`${dir}/tables/bank-full_rate_by_job.csv`)).trim().split("\n");
    assert.equal(csv[0], "segment,rows,subscribed,rate");
    assert.equal(csv.length, jobs.length + 1);
    assert.equal(csv[1], `${jobs[0]!.segment},${jobs[0]!.count},${jobs[0]!.positives},${jobs[0]!.rate}`);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/tables/experiment_join.json`));
    assert.deepEqual(json.rows.map((r: Record<string, unknown>) => r["median ms"]), [4, 9]);
    const html = await Deno.readTextFile(result.reportPath);
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*https?:\/\//i, "no external URL");
    for (const id of EXPECTED_SECTIONS) assert.ok(html.includes(`<section id="${id}">`), `section ${id}`);
    assert.ok(html.includes("Stage 1 &#60;plan&#62;"), "plans are shown, escaped");
    const eda = JSON.parse(await Deno.readTextFile(result.jsonPath));
    assert.equal(eda.datasets[0].rows, 45_211);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function runChromium(dir: string, extra: readonly string[], url: string): Promise<string> {
  const profile = await Deno.makeTempDir({ dir, prefix: "profile-" });
  const controller = new AbortController();
  const timer = systemClock.setTimeout(() => controller.abort(), 60_000);
  try {
    const out = await new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        "--window-size=1280,2400",
        "--virtual-time-budget=5000",
        ...extra,
        url,
      ],
      env: { HOME: dir },
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).output();
    if (controller.signal.aborted) throw new TimeoutError("chromium ran past 60 s");
    assert.ok(out.success, `chromium exited with ${out.code}: ${decoder.decode(out.stderr).slice(-1000)}`);
    return decoder.decode(out.stdout);
  } finally {
    systemClock.clearTimeout(timer);
  }
}

Deno.test({
  name: "the EDA report renders in headless Chromium: screenshot, every section, every chart image decoded",
  ignore: SKIP_BROWSER,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "frontier-eda-shot-" });
    try {
      const { result } = await writeSample(dir);
      const url = new URL(`file://${result.reportPath}`).href;
      const shot = `${dir}/shot.png`;
      await runChromium(dir, [`--screenshot=${shot}`], url);
      const png = await Deno.readFile(shot);
      assert.deepEqual(readPngSize(png), { width: 1280, height: 2400 });
      assert.ok(png.length > 60_000, `screenshot of ${png.length} bytes has content`);
      const dom = await runChromium(dir, ["--dump-dom"], url);
      for (const id of EXPECTED_SECTIONS) assert.match(dom, new RegExp(`<section id="${id}">\\s*<h2>`), id);
      const images = (dom.match(/<img /g) ?? []).length;
      assert.equal(images, result.charts.length, "every chart is an image");
      const body = /<body([^>]*)>/.exec(dom)?.[1] ?? "";
      assert.match(body, new RegExp(`data-images-ok="${images}/${images}"`), `all images decoded: ${body}`);
      assert.match(dom, /<pre class="plan">BroadcastHashJoin<\/pre>/, "experiment plans are in the page");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
