/**
 * `frontier ingest`: reads a CSV file on the cluster (parallel byte ranges; gzip accepted), writes
 * the valid rows as Parquet and every malformed row — with its file, line, reason, column, message
 * and raw text — to a quarantine directory (CSV), and prints a summary that always reconciles:
 * `rows_read = rows_valid + rows_quarantined`. With `--strict` the first malformed row fails the
 * command with an error naming the file, line, column and what was expected.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { count } from "../../cluster/expr/column.ts";
import { loadCsvSchema } from "../../cluster/io/csv/schema.ts";
import { loadInput } from "../eda/load_input.ts";
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
} from "./common.ts";

/** Help of `frontier ingest`. */
export const INGEST_USAGE = `Usage: deno task frontier ingest --input FILE --out DIR [options]

Reads a CSV file in parallel on the cluster, writes valid rows as Parquet to DIR/data and malformed
rows (file, line, reason, column, message, raw text) as CSV to DIR/quarantine.

Options:
  --input FILE          CSV file, optionally gzip-compressed (required)
  --out DIR             output directory (required)
  --sep C               field separator (default: ";" for the bank files, else ",")
  --schema F            schema JSON file { "fields": [{ "name", "type", "nullable"?, "enum"?, "format"? }] };
                        default: the explicit schema for the UCI bank files, else inferred
  --partitions P        byte ranges read in parallel (default: the cluster's parallelism)
  --strict              fail on the first malformed row instead of quarantining it

${COMMON_HELP}

JSON summary: { command, input, rows_read, rows_valid, rows_quarantined, reasons, quarantine_path,
output_path, partitions, bytes, files, ms, mb_per_s, cluster }
`;

/** Quarantined rows per reason (one small group-by on the cluster). */
export async function quarantineReasons(quarantine: Dataset): Promise<Record<string, number>> {
  const rows = await quarantine.groupBy("reason").agg(count().alias("n")).sort("reason").collect();
  return Object.fromEntries(rows.map((r) => [String(r["reason"]), Number(r["n"])]));
}

/** Runs `frontier ingest`; resolves to the exit code. */
export async function ingestCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, {
    input: { type: "string" },
    out: { type: "string" },
    sep: { type: "string" },
    schema: { type: "string" },
    partitions: { type: "string" },
    strict: { type: "boolean" },
  });
  if (values.help) {
    io.out(INGEST_USAGE);
    return 0;
  }
  const flags = commonFlags(values);
  const input = absolute(required(values.input, "--input"));
  const out = absolute(required(values.out, "--out").replace(/\/+$/, ""));
  const schema = values.schema === undefined ? undefined : await loadCsvSchema(values.schema);
  const dataPath = `${out}/data`;
  const quarantinePath = `${out}/quarantine`;
  for (const dir of [dataPath, quarantinePath]) {
    await Deno.remove(dir, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
  const progress = progressFor(io, flags);
  progress.stage("starting the cluster");
  await using fx = await openCluster(flags, {
    readDirs: [dirOf(input), absolute("out")],
    writeDirs: [out, absolute("out")],
    log: io.err,
  });
  const partitions = positiveInt(values.partitions, "--partitions", fx.defaultParallelism);
  progress.stage(`reading ${input} in ${partitions} byte ranges`);
  const t0 = io.clock.monotonic();
  const read = await loadInput(fx, input, {
    partitions,
    strict: values.strict === true,
    ...(values.sep === undefined ? {} : { separator: values.sep }),
    ...(schema === undefined ? {} : { schema }),
  });
  const readMs = io.clock.monotonic() - t0;
  const s = read.summary!;
  progress.stage(`read ${s.rows_read} rows: ${s.rows_valid} valid, ${s.rows_quarantined} quarantined`);
  progress.stage(`writing valid rows to ${dataPath}`);
  const written = await read.data.write.parquet(dataPath);
  progress.stage(`writing quarantine rows to ${quarantinePath}`);
  await read.quarantine!.coalesce(1).write.csv(quarantinePath);
  const reasons = s.rows_quarantined > 0 ? await quarantineReasons(read.quarantine!) : {};
  const summary = {
    command: "ingest",
    input,
    kind: read.kind,
    rows_read: s.rows_read,
    rows_valid: s.rows_valid,
    rows_quarantined: s.rows_quarantined,
    reconciled: s.rows_read === s.rows_valid + s.rows_quarantined && written.rows === s.rows_valid,
    reasons,
    quarantine_path: quarantinePath,
    output_path: dataPath,
    columns: read.data.columns,
    partitions: s.partitions,
    bytes: s.bytes,
    files: written.files.length,
    ms: { read: Math.round(readMs), total: Math.round(progress.elapsedMs) },
    mb_per_s: Math.round((s.bytes / 1e6 / (readMs / 1000)) * 10) / 10,
    cluster: clusterLabel(flags),
  };
  progress.stage("done");
  if (flags.json) io.out(JSON.stringify(summary));
  else {
    const why = Object.entries(reasons).map(([r, n]) => `${r} ${n}`).join(", ");
    io.out(
      `Read ${s.rows_read.toLocaleString("en-US")} rows from ${input}: ${
        s.rows_valid.toLocaleString("en-US")
      } ` +
        `valid → ${dataPath}, ${s.rows_quarantined.toLocaleString("en-US")} quarantined → ${quarantinePath}` +
        (why ? ` (${why})` : ""),
    );
  }
  return summary.reconciled ? 0 : 1;
}
