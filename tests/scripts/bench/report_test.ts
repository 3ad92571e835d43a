import assert from "node:assert/strict";
import {
  type BenchFigure,
  formatRatios,
  printRatios,
  ratioRows,
  writeBenchReport,
} from "../../../scripts/bench/report.ts";

const figures: BenchFigure[] = [
  { suite: "job_10m", engine: "spark", wallMs: 4000, peakRssMb: 800 },
  { suite: "job_10m", engine: "frontier", wallMs: 1000, peakRssMb: 400 },
  { suite: "job_10m", engine: "duckdb", wallMs: 500, peakRssMb: 0 },
  { suite: "other", engine: "spark", wallMs: 10, peakRssMb: 1 },
];

Deno.test("ratioRows puts the baseline first and divides its figures by each engine's", () => {
  const rows = ratioRows(figures, { baseline: "frontier" });
  assert.deepEqual(rows.map((r) => `${r.suite}/${r.engine}`), [
    "job_10m/frontier",
    "job_10m/spark",
    "job_10m/duckdb",
    "other/spark",
  ]);
  assert.equal(rows[1]!.timeRatio, 0.25);
  assert.equal(rows[1]!.rssRatio, 0.5);
  assert.equal(rows[2]!.timeRatio, 2);
  assert.equal(rows[2]!.rssRatio, undefined, "an unmeasured RSS of 0 gives no ratio");
  assert.equal(rows[3]!.timeRatio, undefined, "a suite without the baseline gives no ratio");
});

Deno.test("printRatios prints one block per suite with the ratio columns", () => {
  const logged: string[] = [];
  const text = printRatios(figures, { baseline: "frontier", log: (t) => logged.push(t) });
  assert.deepEqual(logged, [text]);
  assert.equal(text, formatRatios(figures, { baseline: "frontier" }));
  const lines = text.split("\n");
  assert.equal(lines[0], "suite job_10m (baseline frontier)");
  assert.match(lines[1]!, /frontier\/engine time\s+frontier\/engine RSS$/);
  assert.match(lines[3]!, /^\s+spark\s+4000\.0\s+800\.0\s+0\.25x\s+0\.50x$/);
  assert.match(lines[4]!, /^\s+duckdb\s+500\.0\s+0\.0\s+2\.00x\s+-$/);
  assert.equal(lines[5], "suite other (no frontier figure: no ratios)");
});

Deno.test("writeBenchReport writes the figures and meta as JSON and rejects a non-positive time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/report.json`;
    await writeBenchReport(path, figures, { meta: { rows: 10 } });
    const doc = JSON.parse(await Deno.readTextFile(path));
    assert.deepEqual(doc, { version: 1, meta: { rows: 10 }, figures });
    await assert.rejects(
      writeBenchReport(path, [{ suite: "s", engine: "e", wallMs: 0, peakRssMb: 1 }]),
      RangeError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
