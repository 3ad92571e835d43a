/**
 * What every part of the ML benchmark shares: where it writes, the run's sizes, the Python and Java
 * it found (or why not), and how it logs and records skips and failures.
 *
 * @module
 */

/** The shared state of one ML benchmark run. */
export interface PartContext {
  /** Working directory: prepared data, job files, score files (`out/bench/ml`). */
  dir: string;
  quick: boolean;
  /** Seeds of the random splits. */
  seeds: number[];
  /** Bootstrap replicates per test set. */
  resamples: number;
  /** Executors of Frontier and threads of every peer. */
  threads: number;
  /** The peers' python, when the venv is ready. */
  python?: string | undefined;
  /** Why the Python peers cannot run, when `python` is undefined. */
  pythonMissing?: string | undefined;
  /** Why Spark cannot run (no Java, `--skip-spark`), or undefined. */
  sparkMissing?: string | undefined;
  log: (line: string) => void;
  /** Records and prints `what: skipped: reason`. */
  skip: (what: string, reason: string) => void;
  /** Failures that make the run exit 1 (a Frontier part that broke). */
  failures: string[];
  signal?: AbortSignal | undefined;
}
