/**
 * Tasks 1 to 4 end to end on the embedded cluster (2 Web Worker executors by default).
 *
 * Task 1:
 *
 * 1. ingest both UCI Bank Marketing files (explicit schemas, derived contact dates) → Parquet, with
 *    the quarantine summary; and a copy of bank-full with defects injected at known lines, to show
 *    the quarantine catching exactly those rows (rows read = valid + quarantined);
 * 2. generate 1M synthetic card transactions in parallel → Parquet, with the content checksum;
 * 3. EDA of the three datasets on the cluster (summary statistics, distributions, rates by
 *    segment, trends, correlations);
 * 4. the measured experiments (partition count, cache vs recompute, broadcast vs shuffle join,
 *    lazy vs materialized) on the transactions;
 * 5. charts (SVG + PNG) and a self-contained report.html.
 *
 * Task 2 (`task2.ts`): bank-additional-full without `duration`, out-of-time split, every model
 * kind of `frontier train` trained on the cluster, evaluated and saved, with its report.html.
 *
 * Task 3 (`task3.ts`): boosted trees tuned on the same data with expanding-window time folds,
 * trials in parallel, the winner refitted and tested once, and a comparison report of Task 2's
 * models and the tuned one (bootstrap intervals, overlaid curves, the tuning trials).
 *
 * Task 4 (`task4.ts`): real-time analysis on the embedded source — a fraud model trained on the
 * cluster over velocity features, then disordered transactions streamed into event-time windows,
 * scored online (alerts with top features), anomalies and trends, every record reconciled.
 *
 * ```sh
 * deno run -A scripts/demo/main.ts [--rows 1000000] [--seed 42] [--out out/task1] [--train-out out/task2]
 *   [--tune-out out/task3] [--stream-out out/task4] [--stream-rows 15000] [--executors 2]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Frontier } from "../../cluster/frontier.ts";
import type { CsvRead } from "../../cluster/reader.ts";
import { generateDemoKey } from "../../cluster/sources/transactions/card_token.ts";
import { gunzip } from "../../cluster/io/csv/parse.ts";
import { analyzeDataset, type DatasetEda, type IngestFigures } from "../eda/analyze.ts";
import { injectDefects, spreadDefects } from "../eda/corrupt_csv.ts";
import { writeEdaReport } from "../eda/eda_report.ts";
import { runExperiments } from "../eda/experiments.ts";
import { loadInput } from "../eda/load_input.ts";
import { processIo, Progress } from "../cli/common.ts";
import { contentChecksum } from "../cli/generate.ts";
import { quarantineReasons } from "../cli/ingest.ts";
import { runTask2 } from "./task2.ts";
import { runTask3, task3Lines } from "./task3.ts";
import { runTask4, task4Lines } from "./task4.ts";

const USAGE = `Usage: deno run -A scripts/demo/main.ts [options]

Task 1 end to end on the embedded cluster: bank data ingest with quarantine, 1M generated
transactions, EDA, measured experiments, charts and report.html. Task 2: models trained on the
cluster on bank-additional (no duration, out-of-time split), evaluated, saved, with report.html.
Task 3: boosted trees tuned with time folds, compared with Task 2's models in one report.
Task 4: a fraud model trained on the cluster, then transactions streamed with disorder on the
embedded source: windows, online scoring with alerts, anomalies, trends, reconciled counts.

Options:
  --rows N              generated transactions (default: 1000000)
  --experiment-rows N   transactions the experiments generate per run (default: --rows)
  --seed S              generator seed (default: 42)
  --out DIR             Task 1 output directory (default: out/task1)
  --train-out DIR       Task 2 output directory (default: out/task2)
  --tune-out DIR        Task 3 output directory (default: out/task3)
  --stream-out DIR      Task 4 output directory (default: out/task4)
  --stream-rows N       transactions Task 4 streams (default: 15000)
  --executors N         embedded executors (default: 2)
  --repeats N           runs per experiment variant, median reported (default: 3)
  -h, --help            show this help
`;

/** A file the demo leaves in its output directory, so a rerun may clear it. */
const RUN_MARKER = ".frontier-task1";
/** Injected defects in the corrupted bank-full copy. */
const DEFECT_COUNT = 12;

function int(text: string | undefined, flag: string, fallback: number): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`${flag} must be a positive integer, got ${text}`);
  }
  return n;
}

async function ingestFigures(read: CsvRead, ms: number): Promise<IngestFigures> {
  const s = read.summary;
  return {
    file: s.file,
    rows_read: s.rows_read,
    rows_valid: s.rows_valid,
    rows_quarantined: s.rows_quarantined,
    partitions: s.partitions,
    bytes: s.bytes,
    reasons: s.rows_quarantined > 0 ? await quarantineReasons(read.quarantine) : {},
    ms,
  };
}

/** Empties `dir` when it is missing, empty or a previous run's output; refuses any other directory. */
async function clearPreviousRun(dir: string): Promise<void> {
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (names.length > 0 && !names.includes(RUN_MARKER)) {
    throw new RangeError(`Refusing to clear ${dir}: it is not empty and not the output of a previous run`);
  }
  await Deno.remove(dir, { recursive: true });
}

/** Runs the demo; resolves to the path of report.html. */
export async function runTask1Demo(args: readonly string[]): Promise<string | undefined> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: "string" },
      "experiment-rows": { type: "string" },
      seed: { type: "string" },
      out: { type: "string", default: "out/task1" },
      "train-out": { type: "string", default: "out/task2" },
      "tune-out": { type: "string", default: "out/task3" },
      "stream-out": { type: "string", default: "out/task4" },
      "stream-rows": { type: "string" },
      executors: { type: "string" },
      repeats: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const rows = int(values.rows, "--rows", 1_000_000);
  const experimentRows = int(values["experiment-rows"], "--experiment-rows", rows);
  const seed = int(values.seed, "--seed", 42);
  const executors = int(values.executors, "--executors", 2);
  const repeats = int(values.repeats, "--repeats", 3);
  const out = values.out.replace(/\/+$/, "");
  const io = processIo();
  const progress = new Progress({ ...io, err: (t) => console.log(t) }, true);
  const log = (line: string) => progress.stage(line);
  const steps: Record<string, number> = {};
  let mark = progress.elapsedMs;
  const step = (name: string) => {
    steps[name] = Math.round(progress.elapsedMs - mark);
    mark = progress.elapsedMs;
  };

  await clearPreviousRun(out);
  await Deno.mkdir(`${out}/corrupted`, { recursive: true });
  await Deno.writeTextFile(
    `${out}/${RUN_MARKER}`,
    "output of scripts/demo/main.ts; cleared by the next run\n",
  );
  log(`starting the embedded cluster (${executors} executors)`);
  await using fx = await Frontier.start({ executors });
  step("start");

  // 1. Ingest.
  const eda: DatasetEda[] = [];
  const bank: { name: string; read: CsvRead; ingest: IngestFigures }[] = [];
  for (const which of ["full", "additional"] as const) {
    const t0 = progress.elapsedMs;
    const read = await fx.read.bank(which, { workDir: `${out}/data` });
    const ingest = await ingestFigures(read, progress.elapsedMs - t0);
    const name = which === "full" ? "bank-full" : "bank-additional-full";
    log(
      `ingested ${name}: ${ingest.rows_read} read = ${ingest.rows_valid} valid + ${ingest.rows_quarantined} quarantined`,
    );
    await read.data.write.parquet(`${out}/bank/${name}/data`);
    await read.quarantine.coalesce(1).write.csv(`${out}/bank/${name}/quarantine`);
    bank.push({ name, read, ingest });
  }
  const text = new TextDecoder().decode(
    await gunzip(await Deno.readFile(new URL("../../data/bank-full.csv.gz", import.meta.url))),
  );
  const defects = spreadDefects(45_211, DEFECT_COUNT);
  const corruptedPath = `${out}/corrupted/bank-full-corrupted.csv`;
  await Deno.writeFile(corruptedPath, injectDefects(text, defects));
  const t1 = progress.elapsedMs;
  const corrupted = await loadInput(fx, corruptedPath);
  const corruptedIngest = await ingestFigures(
    { data: corrupted.data, quarantine: corrupted.quarantine!, summary: corrupted.summary! },
    progress.elapsedMs - t1,
  );
  await corrupted.quarantine!.coalesce(1).write.csv(`${out}/corrupted/quarantine`);
  const quarantinedLines = (await corrupted.quarantine!.select("line").sort("line").collect()).map((r) =>
    Number(r["line"])
  );
  const exact = JSON.stringify(quarantinedLines) === JSON.stringify(defects.map((d) => d.line));
  log(
    `corrupted copy: ${corruptedIngest.rows_read} read = ${corruptedIngest.rows_valid} valid + ` +
      `${corruptedIngest.rows_quarantined} quarantined; exactly the ${DEFECT_COUNT} injected lines: ${exact}`,
  );
  step("ingest");

  // 2. Generate.
  const tokenKey = generateDemoKey({ seed });
  const partitions = Math.max(fx.defaultParallelism, Math.ceil(rows / 100_000));
  log(
    `generating ${
      rows.toLocaleString("en-US")
    } transactions (seed ${seed}, ${partitions} partitions) → Parquet`,
  );
  const written = await fx.transactions({ rows, seed, tokenKey, partitions }).write.parquet(
    `${out}/transactions`,
  );
  step("generate");
  const transactions = (await fx.read.parquet(`${out}/transactions`)).cache();
  const checksum = await contentChecksum(transactions);
  log(`wrote ${written.files.length} files, read back ${checksum.rows} rows, checksum ${checksum.checksum}`);
  step("read back + checksum");

  // 3. EDA.
  for (const b of bank) {
    eda.push(
      await analyzeDataset({
        name: b.name,
        kind: "bank",
        data: b.read.data,
        rows: b.ingest.rows_valid,
        source: `data/${b.ingest.file}.gz`,
        ingest: b.ingest,
      }, { log }),
    );
  }
  eda.push(
    await analyzeDataset({
      name: "transactions",
      kind: "transactions",
      data: transactions,
      rows: checksum.rows,
      source: `${out}/transactions (${written.files.length} Parquet files, generated)`,
      seed,
    }, { log }),
  );
  step("eda");

  // 4. Experiments.
  const experiments = await runExperiments({
    frontier: fx,
    source: (p) => fx.transactions({ rows: experimentRows, seed, tokenKey, partitions: p }),
    executors,
    key: "merchant_category",
    value: "amount",
    dataLabel: `${
      experimentRows.toLocaleString("en-US")
    } transactions generated in the cluster (seed ${seed})`,
    rows: experimentRows,
    repeats,
    log,
  });
  await transactions.unpersist();
  step("experiments");

  // 5. Report.
  const report = await writeEdaReport(eda, {
    outDir: out,
    title: "Frontier — Task 1: data handling with data parallelism",
    experiments,
    ingest: [{ ...corruptedIngest, file: `${corruptedIngest.file} (${DEFECT_COUNT} defects injected)` }],
    meta: {
      "corrupted copy": `${corruptedIngest.rows_read} read = ${corruptedIngest.rows_valid} valid + ` +
        `${corruptedIngest.rows_quarantined} quarantined (${DEFECT_COUNT} injected)`,
      "transactions checksum": checksum.checksum,
    },
    log,
  });
  step("report");
  await Deno.writeTextFile(
    `${out}/task1_summary.json`,
    JSON.stringify(
      {
        report: report.reportPath,
        steps_ms: steps,
        total_ms: Math.round(progress.elapsedMs),
        ingest: [...bank.map((b) => b.ingest), { ...corruptedIngest, injected: DEFECT_COUNT, exact }],
        transactions: { rows: written.rows, files: written.files.length, checksum: checksum.checksum, seed },
        experiments: experiments.experiments.map((x) => ({
          id: x.id,
          rows: x.rows.map((r) => ({ variant: r.variant, partitions: r.partitions, ms: Math.round(r.ms) })),
        })),
        machine: experiments.machine,
      },
      null,
      1,
    ),
  );
  console.log("\n== Experiments (median ms) ==");
  for (const x of experiments.experiments) {
    console.log(`${x.title}: ${x.rows.map((r) => `${r.variant} ${Math.round(r.ms)}`).join(" | ")}`);
  }
  console.log(`\nSteps (ms): ${JSON.stringify(steps)}`);
  console.log(`Task 1 done in ${(progress.elapsedMs / 1000).toFixed(1)} s`);
  console.log(`Report: ${report.reportPath}\n`);

  // Task 2: distributed training.
  const t2 = progress.elapsedMs;
  const training = await runTask2(fx, {
    out: values["train-out"].replace(/\/+$/, ""),
    workDir: `${out}/data`,
    seed,
    cluster: `embedded, ${executors} executors`,
    clock: io.clock,
    log,
  });
  console.log(`Task 2 done in ${((progress.elapsedMs - t2) / 1000).toFixed(1)} s`);
  console.log(`Report: ${training.report_path}`);

  // Task 3: tuning and model comparison.
  const t3 = progress.elapsedMs;
  const tuned = await runTask3(fx, {
    out: values["tune-out"].replace(/\/+$/, ""),
    task2Out: values["train-out"].replace(/\/+$/, ""),
    workDir: `${out}/data`,
    seed,
    cluster: `embedded, ${executors} executors`,
    clock: io.clock,
    log,
  });
  console.log("\n== Task 3: tuning and model comparison (bank-additional, out of time) ==");
  for (const line of task3Lines(tuned)) console.log(line);
  console.log(`Task 3 done in ${((progress.elapsedMs - t3) / 1000).toFixed(1)} s`);

  // Task 4: real-time analysis on the embedded source.
  const t4 = progress.elapsedMs;
  const streaming = await runTask4(fx, {
    out: values["stream-out"].replace(/\/+$/, ""),
    seed,
    rows: int(values["stream-rows"], "--stream-rows", 15_000),
    trainRows: 10_000,
    cluster: `embedded, ${executors} executors`,
    clock: io.clock,
    log,
  });
  console.log("\n== Task 4: real-time transaction analysis (embedded source) ==");
  for (const line of task4Lines(streaming)) console.log(line);
  console.log(`Task 4 done in ${((progress.elapsedMs - t4) / 1000).toFixed(1)} s`);
  console.log(`Tasks 1 to 4 done in ${(progress.elapsedMs / 1000).toFixed(1)} s`);
  return report.reportPath;
}

if (import.meta.main) await runTask1Demo(Deno.args);
