/**
 * `frontier predict`: loads a model directory written by `frontier train` and scores an input on
 * the cluster with the model's feature pipeline and decision threshold, writing every valid row
 * with `probability` and `prediction` appended (Parquet or CSV) and the malformed rows, with their
 * reasons, to a quarantine directory. The summary reconciles:
 * `rows_read = rows_written + rows_quarantined`.
 *
 * @module
 */
import { loadCsvSchema } from "../../cluster/io/csv/schema.ts";
import {
  absolute,
  type CliIo,
  clusterLabel,
  COMMON_HELP,
  commonFlags,
  dirOf,
  openCluster,
  parseCommand,
  progressFor,
  required,
  UsageError,
} from "./common.ts";
import { conformInput, loadTrained } from "./training/model_store.ts";
import { readInput, writeQuarantine } from "./training/read_input.ts";

/** Help of `frontier predict`. */
export const PREDICT_USAGE = `Usage: deno task frontier predict --model DIR --input FILE --out DIR [options]

Loads a model directory written by \`frontier train\` (manifest checked), scores the input on the
cluster with the model's feature pipeline and decision threshold, and writes every valid row with
\`probability\` (of the positive class) and \`prediction\` (1 when probability ≥ the threshold) to
DIR/predictions; malformed CSV rows go to DIR/quarantine with their reasons.

Options:
  --model DIR           model directory, e.g. out/train/models/lr (required)
  --input FILE          CSV file (optionally gzip) or directory of .parquet/.arrow files (required)
  --out DIR             output directory (required)
  --format F            parquet (default) or csv
  --sep C               CSV separator (default: ";" for the bank files, else ",")
  --schema F            CSV schema JSON file (default: the bank schema, else inferred)

${COMMON_HELP}

JSON summary: { command, model, kind, input, threshold, rows_read, rows_valid, rows_quarantined,
rows_written, reconciled, reasons, output_path, quarantine_path, files, format, ms, cluster }
`;

/** Runs `frontier predict`; resolves to the exit code. */
export async function predictCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, {
    model: { type: "string" },
    input: { type: "string" },
    out: { type: "string" },
    format: { type: "string" },
    sep: { type: "string" },
    schema: { type: "string" },
  });
  if (values.help) {
    io.out(PREDICT_USAGE);
    return 0;
  }
  const flags = commonFlags(values);
  const modelDir = absolute(required(values.model, "--model"));
  const input = absolute(required(values.input, "--input"));
  const out = absolute(required(values.out, "--out").replace(/\/+$/, ""));
  const format = values.format ?? "parquet";
  if (format !== "parquet" && format !== "csv") {
    throw new UsageError(`--format must be "parquet" or "csv", got ${JSON.stringify(format)}`);
  }
  const schema = values.schema === undefined ? undefined : await loadCsvSchema(values.schema);
  const progress = progressFor(io, flags);
  progress.stage(`loading ${modelDir}`);
  const loaded = await loadTrained(modelDir);
  progress.stage("starting the cluster");
  await using fx = await openCluster(flags, {
    readDirs: [dirOf(input), input, absolute("out")],
    writeDirs: [out, absolute("out")],
    log: io.err,
  });
  progress.stage(`reading ${input}`);
  const read = await readInput(fx, input, { separator: values.sep, schema });
  const outputPath = `${out}/predictions`;
  await Deno.remove(outputPath, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  const quarantinePath = await writeQuarantine(read, `${out}/quarantine`);
  const data = conformInput(read.data, loaded.pipeline);
  const scored = loaded.trained.score(data, loaded.pipeline, loaded.threshold)
    .select(...data.columns, "probability", "prediction");
  progress.stage(`scoring with the ${loaded.envelope.kind} model → ${outputPath} (${format})`);
  const written = format === "parquet"
    ? await scored.write.parquet(outputPath)
    : await scored.write.csv(outputPath);
  const summary = {
    command: "predict",
    model: modelDir,
    kind: loaded.envelope.kind,
    input,
    threshold: loaded.threshold,
    rows_read: read.rowsRead,
    rows_valid: read.rowsValid,
    rows_quarantined: read.rowsQuarantined,
    rows_written: written.rows,
    reconciled: read.rowsRead === read.rowsValid + read.rowsQuarantined && written.rows === read.rowsValid,
    reasons: read.reasons,
    output_path: outputPath,
    quarantine_path: quarantinePath ?? null,
    files: written.files.length,
    format,
    ms: Math.round(progress.elapsedMs),
    cluster: clusterLabel(flags),
  };
  progress.stage("done");
  if (flags.json) io.out(JSON.stringify(summary));
  else {
    io.out(
      `Scored ${written.rows} rows of ${input} with ${loaded.envelope.kind} → ${outputPath}` +
        (read.rowsQuarantined > 0 ? ` (${read.rowsQuarantined} quarantined → ${quarantinePath})` : ""),
    );
  }
  return summary.reconciled ? 0 : 1;
}
