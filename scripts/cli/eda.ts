/**
 * `frontier eda`: exploratory analysis of one or more inputs (the bank CSV files, a directory of
 * generated Parquet/Arrow files, or any CSV) on the cluster, written as tables (CSV + JSON), charts
 * (SVG + PNG) and a self-contained `report.html`; optionally with the measured experiments.
 *
 * @module
 */
import { analyzeDataset, type DatasetEda } from "../eda/analyze.ts";
import { writeEdaReport } from "../eda/eda_report.ts";
import { type ExperimentsReport, runExperiments } from "../eda/experiments.ts";
import { type LoadedInput, loadInput } from "../eda/load_input.ts";
import type { SummaryTable } from "../../models/stat/summary_stats.ts";
import { quarantineReasons } from "./ingest.ts";
import {
  absolute,
  type CliIo,
  clusterLabel,
  COMMON_HELP,
  commonFlags,
  dirOf,
  openCluster,
  parseCommand,
  positiveInt,
  progressFor,
  required,
  UsageError,
} from "./common.ts";

/** Help of `frontier eda`. */
export const EDA_USAGE = `Usage: deno task frontier eda --input DIR|FILE [--input ...] --out DIR [options]

Summary statistics, distributions, rates by segment, trends, correlations and (optionally) measured
experiments, computed on the cluster; writes DIR/tables/*.csv|json, DIR/charts/*.svg|png,
DIR/eda.json and a self-contained DIR/report.html.

Inputs: the UCI bank files (data/bank-full.csv.gz, data/bank-additional-full.csv.gz, or any CSV
with their header), a directory of .parquet or .arrow files (e.g. from \`frontier generate\`), or any
CSV (header expected; --sep, schema inferred).

Options:
  --input PATH          file or directory to analyse (required; repeatable)
  --out DIR             output directory (required)
  --sep C               CSV separator for non-bank CSV files (default: ",")
  --experiments         also run the measured experiments on the first input (partition count,
                        cache vs recompute, broadcast vs shuffle join, lazy vs materialized)
  --repeats N           runs per experiment variant, median reported (default: 3, at least 3)
  --title T             report title

${COMMON_HELP}

JSON summary: { command, report_path, json_path, tables, charts, datasets: [{ name, kind, rows, ... }],
experiments, ms, cluster }
`;

/** The experiment key (a low-cardinality string column) and value (a numeric column) of a dataset. */
export function experimentColumns(summary: SummaryTable): { key: string; value: string } | undefined {
  const key = summary.columns.find((c) => c.type === "string" && c.distinct >= 2 && c.distinct <= 200);
  const value = summary.columns.find((c) =>
    (c.type === "double" || c.type === "int" || c.type === "long") && c.std !== null && c.std > 0 &&
    !/(^|_)(id|seq)$/.test(c.column)
  );
  return key && value ? { key: key.column, value: value.column } : undefined;
}

function shortName(name: string): string {
  return name.replace(/\.(csv|csv\.gz|parquet|arrow)$/, "");
}

/** Runs `frontier eda`; resolves to the exit code. */
export async function edaCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, {
    input: { type: "string", multiple: true },
    out: { type: "string" },
    sep: { type: "string" },
    experiments: { type: "boolean" },
    repeats: { type: "string" },
    title: { type: "string" },
  });
  if (values.help) {
    io.out(EDA_USAGE);
    return 0;
  }
  const flags = commonFlags(values);
  const inputs = (values.input ?? []).map(absolute);
  if (inputs.length === 0) throw new UsageError("--input is required");
  const out = absolute(required(values.out, "--out").replace(/\/+$/, ""));
  const repeats = positiveInt(values.repeats, "--repeats", 3);
  const progress = progressFor(io, flags);
  const log = (line: string) => progress.stage(line);
  progress.stage("starting the cluster");
  await using fx = await openCluster(flags, {
    readDirs: [...inputs.map(dirOf), ...inputs, absolute("out")],
    writeDirs: [out, absolute("out")],
    log: io.err,
  });
  const loaded: LoadedInput[] = [];
  const results: DatasetEda[] = [];
  const used = new Set<string>();
  for (const path of inputs) {
    progress.stage(`reading ${path}`);
    const t0 = io.clock.monotonic();
    const input = await loadInput(fx, path, {
      cache: true,
      ...(values.sep === undefined ? {} : { separator: values.sep }),
    });
    const ms = io.clock.monotonic() - t0;
    let name = shortName(input.name);
    for (let i = 2; used.has(name); i++) name = `${shortName(input.name)}-${i}`;
    used.add(name);
    const data = input.data;
    loaded.push(input);
    const s = input.summary;
    results.push(
      await analyzeDataset({
        name,
        kind: input.kind,
        data,
        rows: input.rows,
        source: path,
        ...(s === undefined ? {} : {
          ingest: {
            file: s.file,
            rows_read: s.rows_read,
            rows_valid: s.rows_valid,
            rows_quarantined: s.rows_quarantined,
            partitions: s.partitions,
            bytes: s.bytes,
            reasons: s.rows_quarantined > 0 ? await quarantineReasons(input.quarantine!) : {},
            ms,
          },
        }),
      }, { log, clock: io.clock }),
    );
  }
  let experiments: ExperimentsReport | undefined;
  if (values.experiments) {
    const first = loaded[0]!, columns = experimentColumns(results[0]!.summary);
    if (columns === undefined) {
      io.err(
        `frontier eda: ${first.name} has no string key and numeric value column: skipping the experiments`,
      );
    } else {
      experiments = await runExperiments({
        frontier: fx,
        source: (p) => first.data.repartition(p),
        executors: flags.driver === undefined ? flags.executors : (await fx.status()).executors.length,
        key: columns.key,
        value: columns.value,
        dataLabel: `${first.name} (in cluster memory, repartitioned to each count)`,
        rows: first.rows,
        bytes: first.bytes,
        repeats,
        clock: io.clock,
        log,
      });
    }
  }
  progress.stage(`writing the report to ${out}`);
  const report = await writeEdaReport(results, {
    outDir: out,
    ...(values.title === undefined ? {} : { title: values.title }),
    ...(experiments ? { experiments } : {}),
    meta: { cluster: clusterLabel(flags) },
    clock: io.clock,
    log,
  });
  for (const l of loaded) if (l.format !== "csv") await l.data.unpersist();
  const summary = {
    command: "eda",
    report_path: report.reportPath,
    json_path: report.jsonPath,
    tables: report.tables.length,
    charts: report.charts.length,
    sections: report.sections,
    datasets: results.map((d) => ({
      name: d.name,
      kind: d.kind,
      rows: d.rows,
      columns: d.summary.columns.length,
      data_range: d.dataRange,
      ...(d.ingest ? { rows_read: d.ingest.rows_read, rows_quarantined: d.ingest.rows_quarantined } : {}),
    })),
    experiments: experiments?.experiments.map((x) => ({
      id: x.id,
      variants: x.rows.map((r) => ({ variant: r.variant, partitions: r.partitions, ms: Math.round(r.ms) })),
    })) ?? null,
    ms: Math.round(progress.elapsedMs),
    cluster: clusterLabel(flags),
  };
  progress.stage("done");
  if (flags.json) io.out(JSON.stringify(summary));
  else io.out(`EDA of ${results.map((d) => d.name).join(", ")} written: ${report.reportPath}`);
  return 0;
}
