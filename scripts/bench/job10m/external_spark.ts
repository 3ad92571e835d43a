/**
 * The shared benchmark job (see `job_10m.ts`) on Apache Spark in local mode, through PySpark in a
 * throwaway venv (`out/venv-spark`, made by `setup_spark.sh`), measured as a child process tree
 * (the Python driver plus its JVM).
 *
 * Missing Python or Java, or a failed install, is not an error: {@linkcode runSparkExternal} returns
 * `{ engine: "spark", skipped: reason }`.
 *
 * @module
 */

import { TaskFailedError } from "../../../cluster/errors.ts";
import {
  type EngineRun,
  engineRunFromChild,
  type EngineSkipped,
  JOB_10M_DEFAULT_ROWS,
  validateJobRows,
} from "./job_10m.ts";
import { runJsonChild } from "../harness.ts";

/** Exit codes of `setup_spark.sh` that mean "cannot run Spark here" rather than a bug. */
export const SPARK_SETUP_SKIP_CODES: Readonly<Record<number, string>> = {
  10: "python3 (with venv) is not installed",
  11: "java is not installed",
  12: "java is older than 17",
  13: "pip install of pyspark failed",
};

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const SETUP_SCRIPT = new URL("../../setup/spark.sh", import.meta.url).pathname;
const JOB_SCRIPT = new URL("./spark_job.py", import.meta.url).pathname;

/** Default venv directory for PySpark. */
export const DEFAULT_SPARK_VENV = `${REPO_ROOT}out/venv-spark`;

/** Options of {@linkcode setupSpark}. */
export interface SetupSparkOptions {
  /** Where the venv lives. @default {"<repo>/out/venv-spark"} */
  venvDir?: string;
  /** Aborting kills the install. */
  signal?: AbortSignal;
}

/** Makes sure the venv exists (idempotent); returns its python, or why Spark cannot run here. */
export async function setupSpark(
  options: SetupSparkOptions = {},
): Promise<{ python: string } | { skipped: string }> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("bash", {
      args: [SETUP_SCRIPT, options.venvDir ?? DEFAULT_SPARK_VENV],
      cwd: REPO_ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { skipped: "bash is not installed" };
    throw e;
  }
  const decoder = new TextDecoder();
  const stderr = decoder.decode(out.stderr).trim();
  const known = SPARK_SETUP_SKIP_CODES[out.code];
  if (known !== undefined) return { skipped: `${known}: ${lastLine(stderr)}` };
  if (out.code !== 0) {
    throw new TaskFailedError(`setup_spark.sh exited with code ${out.code}: ${stderr}`, {
      data: { engine: "spark", code: out.code },
    });
  }
  const python = lastLine(decoder.decode(out.stdout).trim());
  if (python === "") {
    throw new TaskFailedError("setup_spark.sh printed no python path", { data: { engine: "spark" } });
  }
  return { python };
}

/** Options of {@linkcode runSparkExternal}. */
export interface SparkExternalOptions {
  /** Fact rows. @default {10_000_000} */
  rows?: number;
  /** Local cores: `local[threads]`. @default {2} */
  threads?: number;
  /** Query runs in the same session; `wallMs` is the fastest. @default {1} */
  repeat?: number;
  /** `spark.sql.shuffle.partitions`. @default {4} */
  shufflePartitions?: number;
  /** `spark.driver.memory` (local mode: the whole JVM heap). @default {"2g"} */
  driverMemory?: string;
  /** Where the venv lives. @default {"<repo>/out/venv-spark"} */
  venvDir?: string;
  /** Aborting kills the install or the Python driver and its JVM. */
  signal?: AbortSignal;
}

/**
 * Installs PySpark if needed, runs `spark_job.py` as a measured child process tree, and returns the
 * query wall time (JVM startup excluded: see `startupMs`; whole process: `processMs`) and the peak RSS of
 * Python + JVM. Returns `{ skipped }` when Python or Java is missing.
 */
export async function runSparkExternal(
  options: SparkExternalOptions = {},
): Promise<EngineRun | EngineSkipped> {
  const rows = validateJobRows(options.rows ?? JOB_10M_DEFAULT_ROWS);
  const setup = await setupSpark({
    ...(options.venvDir === undefined ? {} : { venvDir: options.venvDir }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if ("skipped" in setup) return { engine: "spark", skipped: setup.skipped };
  const args = [
    JOB_SCRIPT,
    "--rows",
    String(rows),
    "--threads",
    String(options.threads ?? 2),
    "--repeat",
    String(options.repeat ?? 1),
    "--shuffle-partitions",
    String(options.shufflePartitions ?? 4),
    "--driver-memory",
    options.driverMemory ?? "2g",
  ];
  const child = await runJsonChild(setup.python, args, {
    what: "Spark benchmark",
    data: { engine: "spark" },
    signal: options.signal,
    cwd: REPO_ROOT,
    env: { SPARK_LOCAL_IP: "127.0.0.1", PYSPARK_PYTHON: setup.python },
  });
  return engineRunFromChild("spark", child);
}

function lastLine(text: string): string {
  return text.split("\n").at(-1) ?? "";
}
