/**
 * The Task 1 data benchmark (see `data_eda_spec.ts`) on Apache Spark in local mode: `data_spark.py`
 * run by the PySpark venv of `setup_spark.sh` as a measured child process tree (Python driver + JVM).
 *
 * Missing Python or Java, or a failed install, is not an error: {@linkcode runSparkEdaExternal}
 * returns `{ engine: "spark", skipped: reason }`.
 *
 * @module
 */

import { type DataInput, edaRunFromChild, type EngineEdaRun } from "./eda_spec.ts";
import { setupSpark } from "../job10m/external_spark.ts";
import { runJsonChild } from "../harness.ts";

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const SCRIPT = new URL("./spark.py", import.meta.url).pathname;

/** Options of {@linkcode runSparkEdaExternal}. */
export interface SparkEdaOptions {
  input: DataInput;
  /** `local[threads]`. @default {2} */
  threads?: number;
  /** `spark.sql.shuffle.partitions`. @default {4} */
  shufflePartitions?: number;
  /** `spark.driver.memory` (local mode: the whole JVM heap). @default {"6g"} */
  driverMemory?: string;
  /** Where the venv lives. @default {"<repo>/out/venv-spark"} */
  venvDir?: string;
  signal?: AbortSignal;
}

/** The script's arguments (after the python executable). */
export function sparkEdaArgs(path: string, options: Omit<SparkEdaOptions, "signal" | "venvDir">): string[] {
  return [
    SCRIPT,
    "--input",
    options.input,
    "--path",
    path,
    "--threads",
    String(options.threads ?? 2),
    "--shuffle-partitions",
    String(options.shufflePartitions ?? 4),
    "--driver-memory",
    options.driverMemory ?? "6g",
  ];
}

/** Installs PySpark if needed and runs the workload; `{ skipped }` when Spark cannot run here. */
export async function runSparkEdaExternal(
  path: string,
  options: SparkEdaOptions,
): Promise<EngineEdaRun | { engine: "spark"; skipped: string }> {
  const setup = await setupSpark({
    ...(options.venvDir === undefined ? {} : { venvDir: options.venvDir }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if ("skipped" in setup) return { engine: "spark", skipped: setup.skipped };
  const child = await runJsonChild(setup.python, sparkEdaArgs(path, options), {
    what: `spark (${options.input})`,
    data: { engine: "spark", input: options.input },
    signal: options.signal,
    cwd: REPO_ROOT,
    env: { SPARK_LOCAL_IP: "127.0.0.1", PYSPARK_PYTHON: setup.python },
  });
  const out = edaRunFromChild("spark", options.input, child);
  out.config["processes"] = child.run.processes;
  return out;
}
