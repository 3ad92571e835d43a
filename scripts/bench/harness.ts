/**
 * The harness both benchmark families share (`job10m/` and `data/`): run one engine's workload as
 * a measured child that prints one JSON result line ({@linkcode runJsonChild}, with the argv of a
 * Deno child from {@linkcode denoChildArgs}), check targets and print their verdicts
 * ({@linkcode printVerdicts}), and describe the machine for the report ({@linkcode machineInfo}).
 * Process timing and memory themselves are `measure.ts`'s.
 *
 * @module
 */

import type { Json } from "../../actors/errors.ts";
import { TaskFailedError } from "../../cluster/errors.ts";
import { type MeasuredRun, parseLastJsonLine, runMeasured, type RunMeasuredOptions } from "./measure.ts";

/** The repository's `deno.json`, which every Deno child runs with. */
export const DENO_CONFIG: string = new URL("../../deno.json", import.meta.url).pathname;

/** One target checked: `met` is undefined when a figure it needs is missing. */
export interface TargetCheck {
  target: string;
  met: boolean | undefined;
  detail: string;
}

/**
 * The argv (after the deno executable) that runs `script` as a benchmark child: all permissions,
 * the repository's config, `flags`, and `--json` (the child prints one JSON result line).
 */
export function denoChildArgs(script: string | URL, flags: readonly string[]): string[] {
  const path = typeof script === "string" ? script : script.pathname;
  return ["run", "-A", "--config", DENO_CONFIG, path, ...flags, "--json"];
}

/** Options of {@linkcode runJsonChild}. */
export interface RunJsonChildOptions extends RunMeasuredOptions {
  /** Names the child in errors, e.g. `"DuckDB benchmark"`. */
  what: string;
  /** Fields for the `TaskFailedError` when the child fails (engine, input, …). */
  data?: Record<string, Json>;
}

/**
 * Runs `cmd args…` measured ({@linkcode runMeasured}) and returns the run with its last JSON
 * line. Throws a `TaskFailedError` with the tail of its stderr when it exits non-zero, and when
 * it prints no JSON object.
 */
export async function runJsonChild(
  cmd: string,
  args: readonly string[],
  options: RunJsonChildOptions,
): Promise<{ run: MeasuredRun; line: Record<string, unknown> }> {
  const { what, data = {}, ...measured } = options;
  const run = await runMeasured(cmd, args, measured);
  if (run.code !== 0) {
    throw new TaskFailedError(`${what} exited with code ${run.code}: ${tail(run.stderr, 2000)}`, {
      data: { ...data, code: run.code },
    });
  }
  return { run, line: parseLastJsonLine(run.stdout, what) };
}

/** The last `chars` characters of `text`, trimmed (`…` marks a cut). */
export function tail(text: string, chars: number): string {
  const t = text.trim();
  return t.length <= chars ? t : `…${t.slice(-chars)}`;
}

/** Reads a `--name` flag as a positive integer (`fallback` when absent); a `RangeError` otherwise. */
export function positiveFlag(text: string | undefined, name: string, fallback: number): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`--${name} must be a positive integer, got ${text}`);
  }
  return n;
}

/** `Name: message` of a thrown value, for skip and failure lines. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** `MET`, `NOT MET` or `n/a`. */
export function verdict(met: boolean | undefined): string {
  return met === undefined ? "n/a" : met ? "MET" : "NOT MET";
}

/** Prints the targets' verdicts, then what was skipped (and why) and what failed. */
export function printVerdicts(
  outcome: {
    targets: readonly TargetCheck[];
    skipped: Readonly<Record<string, string>>;
    failures: readonly string[];
  },
  log: (line: string) => void,
): void {
  log("\n== Targets ==");
  for (const t of outcome.targets) log(`  ${verdict(t.met).padEnd(7)} ${t.target}: ${t.detail}`);
  for (const [what, reason] of Object.entries(outcome.skipped)) log(`  skipped ${what}: ${reason}`);
  for (const f of outcome.failures) log(`  FAILED ${f}`);
}

/** nproc, total memory, CPU model, OS, runtime versions and the load average now. */
export async function machineInfo(): Promise<Record<string, Json>> {
  const info: Record<string, Json> = {
    nproc: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
  };
  const read = async (path: string) => await Deno.readTextFile(path).catch(() => ""); // "" off Linux
  const mem = /^MemTotal:\s+(\d+)\s+kB/m.exec(await read("/proc/meminfo"));
  if (mem) info["totalMemoryMb"] = Math.round(Number(mem[1]) / 1024);
  const cpu = /^model name\s*:\s*(.+)$/m.exec(await read("/proc/cpuinfo"));
  if (cpu) info["cpu"] = cpu[1]!.trim();
  info["loadAvgAtEnd"] = (await readLoadAvg()) ?? null;
  return info;
}

/** `/proc/loadavg` (the machine is shared: a busy machine explains noisy figures), or `undefined`. */
export async function readLoadAvg(): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).trim();
  } catch {
    return undefined;
  }
}
