/**
 * The Python peers of the ML benchmark — scikit-learn and LightGBM (`peers_sklearn.py`), Spark
 * MLlib (`peers_spark.py`) — in a throwaway venv with pinned versions (`scripts/setup/ml_peers.sh`),
 * each run as a measured child process (the Python driver plus Spark's JVM).
 *
 * Python missing, Java missing for Spark, or a failed install is not an error: the run comes back as
 * `{ skipped: reason }`.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { TaskFailedError } from "../../../cluster/errors.ts";
import { readLoadAvg, runJsonChild } from "../harness.ts";
import { decodeEngineResult, type EngineResultLine } from "./engine_result.ts";

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const SETUP_SCRIPT = new URL("../../setup/ml_peers.sh", import.meta.url).pathname;
const SCRIPTS = {
  sklearn: new URL("./peers_sklearn.py", import.meta.url).pathname,
  spark: new URL("./peers_spark.py", import.meta.url).pathname,
} as const;

/** The two peer families: each is one Python script. */
export type PeerFamily = keyof typeof SCRIPTS;

/**
 * Environment of every peer process. OpenMP threads (LightGBM, scikit-learn) otherwise spin while
 * they wait at a barrier: on a shared machine a spinning thread holds a core another thread needs,
 * and LightGBM's 100-tree speed fit took 192 s at load 9 where it took 25.6 s with passive waiting
 * (measured, 2 cores); on an idle machine the two policies differ little.
 */
export const PEER_ENV: Readonly<Record<string, string>> = { OMP_WAIT_POLICY: "PASSIVE" };

/** Default venv of the peers. */
export const DEFAULT_ML_VENV = `${REPO_ROOT}out/venv-ml`;

/** Exit codes of `ml_peers.sh` that mean "cannot run the peers here" rather than a bug. */
export const ML_SETUP_SKIP_CODES: Readonly<Record<number, string>> = {
  10: "python3 (with venv) is not installed",
  13: "pip install of the peers failed",
};

/** Makes sure the venv exists (idempotent); returns its python, or why the peers cannot run here. */
export async function setupMlPeers(
  options: { venvDir?: string; signal?: AbortSignal } = {},
): Promise<{ python: string } | { skipped: string }> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("bash", {
      args: [SETUP_SCRIPT, options.venvDir ?? DEFAULT_ML_VENV],
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
  const known = ML_SETUP_SKIP_CODES[out.code];
  if (known !== undefined) return { skipped: `${known}: ${stderr.split("\n").at(-1) ?? ""}` };
  if (out.code !== 0) {
    throw new TaskFailedError(`ml_peers.sh exited with code ${out.code}: ${stderr}`, {
      data: { code: out.code },
    });
  }
  const python = decoder.decode(out.stdout).trim().split("\n").at(-1) ?? "";
  if (python === "") throw new TaskFailedError("ml_peers.sh printed no python path", { data: {} });
  return { python };
}

/** Why Java cannot run Spark here, or `undefined` when a Java 17+ runtime is on PATH. */
export async function javaMissing(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("java", { args: ["-version"], stdout: "null", stderr: "piped" })
      .output();
    const major = /version "(\d+)/.exec(new TextDecoder().decode(out.stderr));
    if (!out.success || major === null) return "java -version failed";
    return Number(major[1]) >= 17 ? undefined : `java ${major[1]} found, Spark 4 needs 17+`;
  } catch {
    return "java is not installed";
  }
}

/** A peer child's result with its process measurements. */
export interface PeerRun extends EngineResultLine {
  /** Spawn to exit of the whole process tree, ms. */
  wallMs: number;
  peakRssMb: number;
  /** CPU seconds of the process and its waited-for children (GNU time), when measured. */
  cpuSeconds?: number;
  /** `/proc/loadavg` as the child started and ended (the machine is shared). */
  loadAvg: { start: string | null; end: string | null };
  /** The command that ran (for the report). */
  command: string;
}

/** Options of {@linkcode runPeer}. */
export interface RunPeerOptions {
  python: string;
  /** Where the job file is written. */
  jobPath: string;
  signal?: AbortSignal | undefined;
}

/** Runs `family`'s script in `mode` on `job` (written as JSON to `jobPath`) as a measured child. */
export async function runPeer(
  family: PeerFamily,
  request: { mode: "quality" | "speed"; job: Record<string, Json> },
  options: RunPeerOptions,
): Promise<PeerRun> {
  await Deno.writeTextFile(options.jobPath, JSON.stringify(request.job));
  const args = [SCRIPTS[family], request.mode, "--job", options.jobPath];
  const what = `${family} ${request.mode} peer`;
  const loadAtStart = await readLoadAvg();
  const { run, line } = await runJsonChild(options.python, args, {
    what,
    data: { family, mode: request.mode },
    signal: options.signal,
    cwd: REPO_ROOT,
    env: { SPARK_LOCAL_IP: "127.0.0.1", PYSPARK_PYTHON: options.python, ...PEER_ENV },
  });
  return {
    ...decodeEngineResult(line, what),
    wallMs: run.wallMs,
    peakRssMb: run.peakRssMb,
    ...(run.cpuSeconds === undefined ? {} : { cpuSeconds: run.cpuSeconds }),
    loadAvg: { start: loadAtStart ?? null, end: (await readLoadAvg()) ?? null },
    command: `${options.python} ${args.join(" ")}`,
  };
}
