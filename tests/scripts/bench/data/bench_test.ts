import assert from "node:assert/strict";
import {
  compareEdaResults,
  DATA_DIMENSIONS,
  decodeEdaResult,
  type EdaResult,
  transactionCsvSchema,
} from "../../../../scripts/bench/data/eda_spec.ts";
import { parseDataBenchArgs, runDataBench, splitBenchArgs } from "../../../../scripts/bench/data/bench.ts";
import { crossCheck } from "../../../../scripts/bench/data/report.ts";
import { prepareBenchData, quoteCsvFields } from "../../../../scripts/bench/data/prepare.ts";
import { readCsvBytes } from "../../../../cluster/io/csv/parse.ts";

function sample(): EdaResult {
  const seg = (segment: string, count: number) => ({
    segment,
    count,
    frauds: 1,
    amountSum: 10.5 * count,
    amountMean: 10.5,
  });
  const breakdowns = Object.fromEntries(
    DATA_DIMENSIONS.map((d) => [d, [seg("a", 3), seg("b", 7)]]),
  ) as EdaResult["breakdowns"];
  return {
    rowsRead: 10,
    rowsValid: 10,
    rowsQuarantined: 0,
    summary: [{
      column: "amount",
      count: 10,
      nulls: 0,
      mean: 10.5,
      std: 2,
      min: 1,
      max: 20,
      quantiles: [1, 5, 10, 15, 20],
    }],
    breakdowns,
  };
}

Deno.test("compareEdaResults accepts equal results and rounding-level differences", () => {
  const a = sample();
  const b = structuredClone(a);
  b.summary[0]!.mean = 10.5 * (1 + 1e-12);
  b.summary[0]!.quantiles[2] = 10.1;
  assert.deepEqual(compareEdaResults(b, a), []);
});

Deno.test("compareEdaResults reports a count, a mean, a quantile and a segment set that differ", () => {
  const a = sample();
  const b = structuredClone(a);
  b.rowsValid = 9;
  b.summary[0]!.mean = 10.6;
  b.summary[0]!.quantiles[4] = 21;
  b.breakdowns.channel = b.breakdowns.channel.slice(0, 1);
  b.breakdowns.country[1]!.frauds = 2;
  const diffs = compareEdaResults(b, a);
  assert.equal(diffs.length, 5, diffs.join("\n"));
  assert.match(diffs.join("\n"), /rows valid: 9 ≠ 10/);
  assert.match(diffs.join("\n"), /amount mean/);
  assert.match(diffs.join("\n"), /amount q0\.99/);
  assert.match(diffs.join("\n"), /channel segments/);
  assert.match(diffs.join("\n"), /country=b frauds: 2 ≠ 1/);
});

Deno.test("compareEdaResults checks quantiles against exact ones when given", () => {
  const a = sample();
  const diffs = compareEdaResults(a, a, { exactQuantiles: { amount: [1, 5, 11, 15, 20] } });
  assert.equal(diffs.length, 1);
  assert.match(diffs[0]!, /amount q0\.5 \(vs exact\): 10 vs 11/);
});

Deno.test("decodeEdaResult sorts segments numerically and rejects a missing field", () => {
  const raw = sample();
  raw.breakdowns.hour = [
    { segment: "10", count: 1, frauds: 0, amountSum: 1, amountMean: 1 },
    { segment: "9", count: 1, frauds: 0, amountSum: 1, amountMean: 1 },
  ];
  const decoded = decodeEdaResult(JSON.parse(JSON.stringify(raw)));
  assert.deepEqual(decoded.breakdowns.hour.map((s) => s.segment), ["9", "10"]);
  const broken = JSON.parse(JSON.stringify(raw));
  delete broken.summary[0].std;
  assert.throws(() => decodeEdaResult(broken), /result\.summary\[0\]\.std/);
});

Deno.test("quoteCsvFields quotes the flagged columns, keeps quoted fields and drops the header", () => {
  const text = 'a,b,c\nx,1,"y,""z"""\nw,2,v\n';
  const out = new TextDecoder().decode(
    quoteCsvFields(new TextEncoder().encode(text), [true, false, true], { skipHeader: true }),
  );
  assert.equal(out, '"x",1,"y,""z"""\n"w",2,"v"\n');
});

Deno.test("parseDataBenchArgs: --quick uses 200000 rows and --skip-spark drops Spark", () => {
  const s = parseDataBenchArgs(["--quick", "--skip-spark"])!;
  assert.equal(s.rows, 200_000);
  assert.deepEqual(s.engines, ["frontier-embedded", "frontier-process", "duckdb"]);
  assert.deepEqual(s.inputs, ["csv", "parquet"]);
  assert.throws(() => parseDataBenchArgs(["--engines", "frontier,duckdb"]), /unknown "frontier"/);
  assert.equal(parseDataBenchArgs(["--help"]), undefined);
});

Deno.test("splitBenchArgs carries --quick, --skip-spark and --rows to the data suite and honours --skip-data", () => {
  assert.deepEqual(splitBenchArgs(["--quick", "--repeat", "2", "--rows", "500", "--skip-spark", "--data"]), {
    runtime: ["--quick", "--repeat", "2", "--rows", "500", "--skip-spark"],
    data: ["--quick", "--rows", "500", "--skip-spark"],
  });
  assert.deepEqual(splitBenchArgs(["--skip-data", "--out", "x.json"]), {
    runtime: ["--out", "x.json"],
    data: undefined,
  });
});

Deno.test("crossCheck flags a run whose counts differ from the first run", () => {
  const run = (engine: string, result: EdaResult) => ({
    engine,
    input: "csv" as const,
    result,
    startupMs: 1,
    ingestMs: 1,
    edaMs: 1,
    wallMs: 2,
    processMs: 3,
    peakRssMb: 1,
    queriesMs: {},
    config: {},
  });
  const a = sample();
  const b = structuredClone(a);
  b.breakdowns.day_of_week[0]!.count = 4;
  assert.deepEqual(crossCheck([run("x", a), run("y", structuredClone(a))]), []);
  const diffs = crossCheck([run("x", a), run("y", b)]);
  assert.equal(diffs.length, 1);
  assert.match(diffs[0]!, /^y\/csv vs x\/csv: day_of_week=a count: 4 ≠ 3/);
});

Deno.test("the quick data benchmark on Frontier embedded and DuckDB ingests every row and agrees", async () => {
  const dir = await Deno.makeTempDir({ prefix: "data_bench_test_" });
  try {
    const outcome = await runDataBench({
      rows: 20_000,
      seed: 7,
      dataDir: dir,
      out: `${dir}/data.json`,
      engines: ["frontier-embedded", "duckdb"],
      inputs: ["csv", "parquet"],
      throughputRows: 0,
      throughputRepeat: 1,
      regenerate: false,
    }, { log: () => {} });
    assert.deepEqual(outcome.failures, []);
    assert.deepEqual(outcome.mismatches, []);
    assert.deepEqual(
      outcome.runs.map((r) => `${r.engine}/${r.input}`),
      ["frontier-embedded/csv", "duckdb/csv", "frontier-embedded/parquet", "duckdb/parquet"],
    );
    for (const r of outcome.runs) {
      assert.equal(r.result.rowsValid, 20_000, `${r.engine}/${r.input}`);
      assert.equal(r.result.rowsQuarantined, 0);
      assert.ok(r.wallMs > 0 && r.peakRssMb > 0);
    }
    // The CSV holds the same rows as the Parquet files, every string field quoted.
    const csv = await Deno.readFile(outcome.data.csvPath);
    const back = readCsvBytes(csv, { schema: transactionCsvSchema() });
    assert.equal(back.rowsValid, 20_000);
    assert.match(new TextDecoder().decode(csv.subarray(0, 400)).split("\n")[1]!, /^"tx_[^"]+",\d{4}-/);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/data.json`));
    assert.deepEqual(
      report.figures.map((f: { suite: string; engine: string }) => `${f.suite}/${f.engine}`),
      [
        "data_generate/frontier-embedded",
        "data_csv/frontier-embedded",
        "data_csv/duckdb",
        "data_parquet/frontier-embedded",
        "data_parquet/duckdb",
      ],
    );
    // A second preparation reuses the files and only cuts a new throughput file.
    const again = await prepareBenchData({ rows: 20_000, seed: 7, dir, headRows: 500 });
    assert.equal(again.reused, true);
    assert.equal(again.checksum, outcome.data.checksum);
    assert.equal(again.generation.generatedAt, outcome.data.generation.generatedAt);
    const head = await Deno.readTextFile(again.headPath);
    assert.equal(head.split("\n").length, 502); // header + 500 rows + the empty string after the last newline
    assert.ok(csv.subarray(0, again.headBytes).every((b, i) => b === head.charCodeAt(i)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
