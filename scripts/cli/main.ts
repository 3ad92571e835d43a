/**
 * `deno task frontier <command>`: the Frontier command line.
 *
 * ```sh
 * deno task frontier generate --rows 1000000 --seed 7 --partitions 4 --out out/tx --json
 * deno task frontier ingest --input data/bank-full.csv.gz --sep ';' --out out/bank --json
 * deno task frontier eda --input data/bank-full.csv.gz --input out/tx --out out/eda
 * deno task frontier train --input data/bank-additional-full.csv.gz --split time --out out/train --json
 * deno task frontier tune --input data/bank-additional-full.csv.gz --model gbt --grid 'numLeaves=15,31' --out out/tune
 * deno task frontier evaluate --model out/train/models/lr --input data/bank-additional-full.csv.gz
 * deno task frontier predict --model out/train/models/lr --input new.csv --out out/scored
 * deno task frontier status --driver ws://127.0.0.1:7070 --secret-file secret.hex
 * deno task frontier stream run --source embedded --rows 100000 --out out/stream --json
 * ```
 *
 * Every command takes `--help`, `--json` (one JSON summary object on stdout; logs on stderr),
 * `--progress`, and the cluster flags (`--executors`, `--mode`, or `--driver` + `--secret-file`).
 * Exit codes: 0 success, 1 failure, 2 bad command line.
 *
 * @module
 */
import { type CliIo, processIo, UsageError } from "./common.ts";
import { EDA_USAGE, edaCommand } from "./eda.ts";
import { EVALUATE_USAGE, evaluateCommand } from "./evaluate.ts";
import { GENERATE_USAGE, generateCommand } from "./generate.ts";
import { INGEST_USAGE, ingestCommand } from "./ingest.ts";
import { PREDICT_USAGE, predictCommand } from "./predict.ts";
import { main as statusMain } from "./status.ts";
import { STREAM_USAGE, streamCommand } from "./stream.ts";
import { TRAIN_USAGE, trainCommand } from "./train.ts";
import { TUNE_USAGE, tuneCommand } from "./tune.ts";

/** Help of `frontier` itself. */
export const USAGE = `Usage: deno task frontier <command> [options]

Commands:
  generate    synthetic card transactions → Parquet/Arrow files, with a content checksum
  ingest      CSV → Parquet, malformed rows → quarantine, reconciled summary
  eda         tables, charts and report.html for bank data, generated data or any CSV
  train       classifiers trained and evaluated on the cluster → model directories + report.html
  tune        a parameter search (cross-validation, time folds) on the cluster → best model
  evaluate    a saved model's metrics on a labeled input
  predict     a saved model's probability and prediction for every row of an input
  status      executors and jobs of a running cluster
  stream      produce generated transactions to Kafka; run event-time windows exactly once

Run \`deno task frontier <command> --help\` for a command's options.
`;

const COMMANDS: Record<
  string,
  { usage: string; run: (args: readonly string[], io: CliIo) => Promise<number> }
> = {
  generate: { usage: GENERATE_USAGE, run: generateCommand },
  ingest: { usage: INGEST_USAGE, run: ingestCommand },
  eda: { usage: EDA_USAGE, run: edaCommand },
  train: { usage: TRAIN_USAGE, run: trainCommand },
  tune: { usage: TUNE_USAGE, run: tuneCommand },
  evaluate: { usage: EVALUATE_USAGE, run: evaluateCommand },
  predict: { usage: PREDICT_USAGE, run: predictCommand },
  stream: { usage: STREAM_USAGE, run: streamCommand },
};

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs `frontier` with `args` (the words after `frontier`); resolves to the exit code. */
export async function main(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "status") return await statusMain(["status", ...rest], { out: io.out });
  const cmd = COMMANDS[command];
  if (cmd === undefined) {
    io.err(`frontier: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`frontier ${command}: ${e.message}\n\n${cmd.usage}`);
      return 2;
    }
    io.err(`frontier ${command}: ${describe(e)}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
