import assert from "node:assert/strict";
import { parquetMetadata } from "hyparquet";
import { systemClock } from "../../../actors/clock.ts";
import { gunzip } from "../../../cluster/io/csv/parse.ts";
import { main } from "../../../scripts/cli/main.ts";
import type { CliIo } from "../../../scripts/cli/common.ts";
import { type Defect, DEFECTS, injectDefects } from "../../../scripts/eda/corrupt_csv.ts";

const CLI = new URL("../../../scripts/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Runs `main` in process, capturing stdout and stderr. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    errIsTerminal: false,
    clock: systemClock,
  };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The first `records` records of bank-full with one of each defect injected at known lines. */
async function corruptedBank(
  dir: string,
  records: number,
  order: readonly Defect[] = DEFECTS,
): Promise<{ path: string; lines: number[] }> {
  const text = decoder.decode(
    await gunzip(await Deno.readFile(new URL("../../../data/bank-full.csv.gz", import.meta.url))),
  );
  const head = text.split("\n").slice(0, records + 1).join("\n") + "\n";
  const defects = order.map((defect, i) => ({ line: 10 + 400 * i, defect }));
  const path = `${dir}/bank-corrupted.csv`;
  await Deno.writeFile(path, injectDefects(head, defects));
  return { path, lines: defects.map((d) => d.line) };
}

Deno.test("--help exits 0 and prints the usage of frontier and of every command", async () => {
  for (
    const [args, title] of [
      [["--help"], "Commands:"],
      [["generate", "--help"], "deno task frontier generate"],
      [["ingest", "--help"], "deno task frontier ingest"],
      [["eda", "--help"], "deno task frontier eda"],
      [["status", "--help"], "deno task frontier status"],
    ] as const
  ) {
    const r = await run([...args]);
    assert.equal(r.code, 0, `${args.join(" ")} exits 0`);
    assert.ok(r.out.includes(title), `${args.join(" ")} prints its usage`);
  }
  for (const cmd of ["generate", "ingest", "eda"]) {
    assert.match((await run([cmd, "-h"])).out, /--json/, `${cmd} documents --json`);
  }
});

Deno.test("a bad command line exits 2 with the reason and the usage on stderr", async () => {
  const unknown = await run(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"/);
  const noRows = await run(["generate", "--out", "/tmp/x"]);
  assert.equal(noRows.code, 2);
  assert.match(noRows.err, /--rows is required[\s\S]*Usage: deno task frontier generate/);
  const badFlag = await run(["ingest", "--bogus"]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.err, /bogus/);
  assert.equal(
    (await run(["eda", "--out", "/tmp/x", "--driver", "ws://127.0.0.1:1"])).code,
    2,
    "--driver needs --secret-file",
  );
  const badBudget = await run(["generate", "--rows", "10", "--out", "/tmp/x", "--state-budget-bytes", "1.5"]);
  assert.equal(badBudget.code, 2);
  assert.match(badBudget.err, /--state-budget-bytes must be a non-negative integer, got "1.5"/);
  assert.equal(unknown.out + noRows.out + badFlag.out + badBudget.out, "", "nothing on stdout");
});

Deno.test("generate --json: the content checksum is the same for 1, 3 and 4 partitions and changes with the seed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-gen-" });
  try {
    const gen = async (partitions: number, seed: number, format = "parquet") => {
      const out = `${dir}/p${partitions}-s${seed}-${format}`;
      const r = await run([
        "generate",
        "--rows",
        "12000",
        "--seed",
        String(seed),
        "--partitions",
        String(partitions),
        "--format",
        format,
        "--out",
        out,
        "--json",
      ]);
      assert.equal(r.code, 0, r.err);
      const s = JSON.parse(r.out);
      assert.equal(s.rows_written, 12_000);
      assert.equal(s.checksum_rows, 12_000);
      assert.equal(s.files, partitions);
      assert.equal(
        [...Deno.readDirSync(out)].filter((e) => e.name.endsWith(`.${format}`)).length,
        partitions,
      );
      return s.checksum as string;
    };
    const one = await gen(1, 7);
    assert.match(one, /^[0-9a-f]{12,}-[0-9a-f]{12,}$/);
    assert.equal(await gen(3, 7), one, "3 partitions");
    assert.equal(await gen(4, 7, "arrow"), one, "4 partitions, Arrow files");
    assert.notEqual(await gen(3, 8), one, "another seed");
    const again = await run(["generate", "--rows", "100", "--out", `${dir}/p1-s7-parquet`]);
    assert.equal(again.code, 2, "refuses to mix with existing files");
    assert.match(again.err, /--overwrite/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ingest --json (a real process) reconciles on a corrupted CSV: exactly the injected rows quarantined", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-ingest-" });
  try {
    const { path, lines } = await corruptedBank(dir, 3000);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "ingest", "--input", path, "--sep", ";", "--out", `${dir}/out`, "--json"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = decoder.decode(out.stdout), stderr = decoder.decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.equal(stdout.trim().split("\n").length, 1, "stdout is one JSON line");
    const s = JSON.parse(stdout);
    assert.equal(s.kind, "bank", "the bank header selects the explicit bank schema");
    assert.equal(s.rows_read, 3000);
    assert.equal(s.rows_quarantined, DEFECTS.length);
    assert.equal(s.rows_valid, 3000 - DEFECTS.length);
    assert.equal(s.rows_read, s.rows_valid + s.rows_quarantined);
    assert.equal(s.reconciled, true);
    assert.deepEqual(s.reasons, Object.fromEntries([...DEFECTS].sort().map((d) => [d, 1])));
    assert.equal(s.quarantine_path, `${dir}/out/quarantine`);
    let written = 0;
    for (const e of Deno.readDirSync(s.output_path)) {
      const bytes = await Deno.readFile(`${s.output_path}/${e.name}`);
      written += Number(parquetMetadata(bytes.buffer).num_rows);
    }
    assert.equal(written, s.rows_valid, "the Parquet output holds the valid rows");
    const quarantine = [...Deno.readDirSync(s.quarantine_path)].map((e) => e.name);
    assert.deepEqual(quarantine, ["part-00000.csv"]);
    const qtext = await Deno.readTextFile(`${s.quarantine_path}/part-00000.csv`);
    const qlines = qtext.trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
    assert.deepEqual(qlines.sort((a, b) => a - b), lines, "quarantined lines are the injected ones");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ingest --strict fails on the first malformed row naming the file, line and column", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-strict-" });
  try {
    const { path } = await corruptedBank(dir, 3000, ["unparsable_number", "wrong_field_count"]);
    const r = await run(["ingest", "--input", path, "--out", `${dir}/out`, "--strict", "--json"]);
    assert.equal(r.code, 1);
    assert.equal(r.out, "");
    assert.match(r.err, /bank-corrupted\.csv/);
    assert.match(r.err, /line 10\b/);
    assert.match(r.err, /column "age": expected int/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eda --json on a generated Parquet directory writes tables, charts and report.html", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-eda-" });
  try {
    const gen = await run(["generate", "--rows", "4000", "--seed", "5", "--out", `${dir}/tx`, "--json"]);
    assert.equal(gen.code, 0, gen.err);
    const r = await run(["eda", "--input", `${dir}/tx`, "--out", `${dir}/eda`, "--json", "--progress"]);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.report_path, `${dir}/eda/report.html`);
    assert.deepEqual(
      s.datasets.map((d: { name: string; kind: string; rows: number }) => [d.name, d.kind, d.rows]),
      [
        ["tx", "transactions", 4000],
      ],
    );
    assert.ok(s.charts > 10 && s.tables > 5);
    assert.ok(s.sections.includes("tx-segments"));
    assert.match(await Deno.readTextFile(s.report_path), /<section id="tx-correlations">/);
    assert.match(r.err, /\[\s*\d+\.\ds\] reading/, "progress lines on stderr with --progress");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
