/**
 * `frontier evaluate`: loads a model directory written by `frontier train` (manifest checked;
 * unknown kinds and versions refused; nothing in it evaluated as code), scores a labeled input on
 * the cluster with the model's own feature pipeline and decision threshold, and prints every
 * metric — the same record, computed the same way, as `train` printed for its test rows, so the
 * test rows give back exactly those figures.
 *
 * @module
 */
import { col } from "../../cluster/expr/column.ts";
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
} from "./common.ts";
import { intervalsRecord, metricsAt, metricsRecord } from "./training/assess.ts";
import { LABEL01, withLabel01 } from "./training/features.ts";
import { conformInput, loadTrained } from "./training/model_store.ts";
import { readInput } from "./training/read_input.ts";
import { finiteOrString } from "./training/run_training.ts";

/** Help of `frontier evaluate`. */
export const EVALUATE_USAGE = `Usage: deno task frontier evaluate --model DIR --input FILE [options]

Loads a model directory written by \`frontier train\` (its manifest is checked: a changed, missing or
extra file is refused), scores the labeled input on the cluster with the model's feature pipeline and
decision threshold, and reports every metric (ROC-AUC, PR-AUC, log loss, Brier, calibration error,
accuracy beside the majority baseline, precision/recall/F1 of the positive and the minority class,
lift at 10 %). Malformed CSV rows are quarantined and counted; rows without a label are counted and
left out.

Options:
  --model DIR           model directory, e.g. out/train/models/lr (required)
  --input FILE          labeled CSV file (optionally gzip) or directory of .parquet/.arrow files (required)
  --sep C               CSV separator (default: ";" for the bank files, else ",")
  --schema F            CSV schema JSON file (default: the bank schema, else inferred)

${COMMON_HELP}

JSON summary: { command, model, kind, input, rows_read, rows_valid, rows_quarantined, rows_unlabeled,
rows_evaluated, reasons, threshold, metrics, intervals (95 % bootstrap, [lo, hi]), trained_metrics, ms,
cluster }
`;

/** Runs `frontier evaluate`; resolves to the exit code. */
export async function evaluateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, {
    model: { type: "string" },
    input: { type: "string" },
    sep: { type: "string" },
    schema: { type: "string" },
  });
  if (values.help) {
    io.out(EVALUATE_USAGE);
    return 0;
  }
  const flags = commonFlags(values);
  const modelDir = absolute(required(values.model, "--model"));
  const input = absolute(required(values.input, "--input"));
  const schema = values.schema === undefined ? undefined : await loadCsvSchema(values.schema);
  const progress = progressFor(io, flags);
  progress.stage(`loading ${modelDir}`);
  const loaded = await loadTrained(modelDir);
  const label = loaded.pipeline.spec.label;
  if (label === undefined) throw new TypeError(`${modelDir} has no label rule: it cannot be evaluated`);
  progress.stage("starting the cluster");
  await using fx = await openCluster(flags, {
    readDirs: [dirOf(input), input, absolute("out")],
    writeDirs: [absolute("out")],
    log: io.err,
  });
  progress.stage(`reading ${input}`);
  const read = await readInput(fx, input, { separator: values.sep, schema });
  const data = withLabel01(conformInput(read.data, loaded.pipeline), label);
  const labeled = data.filter(col(LABEL01).isNotNull());
  progress.stage(`scoring with the ${loaded.envelope.kind} model at threshold ${loaded.threshold}`);
  const metrics = await metricsAt(
    loaded.trained.score(labeled, loaded.pipeline, loaded.threshold),
    loaded.threshold,
  );
  const record = metricsRecord(metrics, loaded.threshold);
  const summary = {
    command: "evaluate",
    model: modelDir,
    kind: loaded.envelope.kind,
    input,
    rows_read: read.rowsRead,
    rows_valid: read.rowsValid,
    rows_quarantined: read.rowsQuarantined,
    rows_unlabeled: read.rowsValid - metrics.rows,
    rows_evaluated: metrics.rows,
    reasons: read.reasons,
    threshold: loaded.threshold,
    metrics: record,
    intervals: intervalsRecord(metrics),
    trained_metrics: loaded.envelope.metrics,
    ms: Math.round(progress.elapsedMs),
    cluster: clusterLabel(flags),
  };
  progress.stage("done");
  if (flags.json) io.out(JSON.stringify(summary, finiteOrString));
  else {
    io.out(
      `${loaded.envelope.kind} on ${metrics.rows} rows of ${input} (${read.rowsQuarantined} quarantined): ` +
        `ROC-AUC ${metrics.rocAuc.toFixed(4)}, PR-AUC ${metrics.averagePrecision.toFixed(4)}, ` +
        `F1 ${record["f1"]!.toFixed(4)} at threshold ${loaded.threshold.toPrecision(6)}, accuracy ${
          record["accuracy"]!.toFixed(4)
        } (majority baseline ${record["baselineAccuracy"]!.toFixed(4)})`,
    );
  }
  return 0;
}
