/**
 * Process timing and peak memory for benchmark runs: spawn a command, poll its process tree's
 * `/proc/<pid>/status` (children too — e.g. the JVM under a Python driver) and report wall time and
 * peak resident memory. When GNU time is installed at `/usr/bin/time` it also wraps the command and its
 * `Maximum resident set size` is taken into account; without it the polling alone is used.
 *
 * Linux only (`/proc`). Elsewhere the memory figures are 0.
 *
 * @module
 */

import { type Clock, systemClock } from "../../actors/clock.ts";
import { abortReason } from "../../actors/errors.ts";
import { TaskFailedError } from "../../cluster/errors.ts";

/** Options of {@linkcode runMeasured}. */
export interface RunMeasuredOptions {
  /** Aborting kills the process tree and rejects with an `AbortedError`. */
  signal?: AbortSignal | undefined;
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Milliseconds between two samples of the process tree. @default {50} */
  intervalMs?: number;
  /** Wrap the command in `/usr/bin/time -v`: `"auto"` does so when it is present. @default {"auto"} */
  useTime?: boolean | "auto";
  /** Clock for wall time and the polling interval. @default {systemClock} */
  clock?: Clock;
}

/** Outcome of {@linkcode runMeasured}. */
export interface MeasuredRun {
  /** Spawn to exit, milliseconds. */
  wallMs: number;
  /**
   * Peak resident memory of the process tree in MiB: the largest, over samples, of the summed high-water
   * marks (VmHWM) of the processes alive at that sample, or GNU time's maximum if larger.
   */
  peakRssMb: number;
  /** Largest summed current RSS (VmRSS) seen in one sample, MiB: a lower bound of the tree's peak. */
  peakRssSampledMb: number;
  /** GNU time's `Maximum resident set size` (largest single process of the tree), MiB, when it was used. */
  peakRssTimeMb?: number;
  /**
   * CPU seconds (user + system) of the process and the children it waited for, from GNU time, when it
   * was used: on a shared machine a steadier figure than the wall time.
   */
  cpuSeconds?: number;
  /** Number of distinct processes seen in the tree. */
  processes: number;
  stdout: string;
  stderr: string;
  /** Exit code (128 + n when killed by signal n). */
  code: number;
}

const TIME_PATH = "/usr/bin/time";

/**
 * Runs `cmd args…` to completion while sampling its process tree's memory.
 *
 * @example
 * ```ts ignore
 * import { runMeasured } from "./measure.ts";
 * const run = await runMeasured("python3", ["-c", "print(1)"]);
 * console.log(run.wallMs, run.peakRssMb, run.stdout);
 * ```
 */
export async function runMeasured(
  cmd: string,
  args: readonly string[],
  options: RunMeasuredOptions = {},
): Promise<MeasuredRun> {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? 50;
  if (!(intervalMs > 0)) {
    throw new RangeError(`Cannot sample every ${intervalMs} ms: expected a positive interval`);
  }
  const signal = options.signal;
  if (signal?.aborted) throw abortReason(signal, `Measured run of "${cmd}"`);

  const timeFile = await wantTime(options.useTime ?? "auto")
    ? await Deno.makeTempFile({ suffix: ".time" })
    : undefined;
  const program = timeFile === undefined ? cmd : TIME_PATH;
  const argv = timeFile === undefined ? [...args] : ["-v", "-o", timeFile, cmd, ...args];
  try {
    const started = clock.monotonic();
    const child = new Deno.Command(program, {
      args: argv,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
    }).spawn();
    const tree = new TreeSampler(child.pid, { excludeRoot: timeFile !== undefined });
    const seen = new Set<number>();
    const output = child.output();
    let done = false;
    const stopPolling = new AbortController();
    const finished = output.finally(() => {
      done = true;
      stopPolling.abort();
    });
    const wake = signal === undefined ? stopPolling.signal : AbortSignal.any([stopPolling.signal, signal]);
    try {
      while (!done) {
        if (signal?.aborted) {
          await tree.kill();
          break;
        }
        await tree.sample(seen);
        await clock.sleep(intervalMs, { signal: wake }).catch(() => undefined);
      }
      const out = await finished;
      const wallMs = clock.monotonic() - started;
      if (signal?.aborted) throw abortReason(signal, `Measured run of "${cmd}"`);
      const timeText = timeFile === undefined ? undefined : await Deno.readTextFile(timeFile);
      const timeKb = timeText === undefined ? undefined : parseTimeMaxRssKb(timeText);
      const cpuSeconds = timeText === undefined ? undefined : parseTimeCpuSeconds(timeText);
      const decoder = new TextDecoder();
      const peakKb = Math.max(tree.peakHwmKb, timeKb ?? 0);
      return {
        wallMs,
        peakRssMb: peakKb / 1024,
        peakRssSampledMb: tree.peakRssKb / 1024,
        ...(timeKb === undefined ? {} : { peakRssTimeMb: timeKb / 1024 }),
        ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
        processes: seen.size,
        stdout: decoder.decode(out.stdout),
        stderr: decoder.decode(out.stderr),
        code: out.signal === null ? out.code : 128 + signalNumber(out.signal),
      };
    } finally {
      await finished.catch(() => undefined);
    }
  } finally {
    if (timeFile !== undefined) await Deno.remove(timeFile).catch(() => undefined);
  }
}

/** Samples VmHWM/VmRSS of a process and its descendants. */
class TreeSampler {
  #root: number;
  #excludeRoot: boolean;
  #live: number[] = [];
  peakHwmKb = 0;
  peakRssKb = 0;

  constructor(root: number, options: { excludeRoot: boolean }) {
    this.#root = root;
    this.#excludeRoot = options.excludeRoot;
  }

  /** Takes one sample; adds the pids seen to `seen`. */
  async sample(seen: Set<number>): Promise<void> {
    const pids = await processTree(this.#root);
    this.#live = pids;
    let hwm = 0;
    let rss = 0;
    for (const pid of pids) {
      if (this.#excludeRoot && pid === this.#root) continue;
      const mem = await readMemKb(pid);
      if (mem === undefined) continue;
      seen.add(pid);
      hwm += mem.hwm;
      rss += mem.rss;
    }
    this.peakHwmKb = Math.max(this.peakHwmKb, hwm);
    this.peakRssKb = Math.max(this.peakRssKb, rss);
  }

  /** Sends SIGKILL to every process of the tree, children first, then to the root. */
  async kill(): Promise<void> {
    const current = await processTree(this.#root);
    const pids = [...new Set([...this.#live, ...current])].filter((p) => p !== this.#root).reverse();
    pids.push(this.#root);
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
}

/** The pid and all its descendants (root first), found by scanning `/proc/<pid>/stat` for parent ids. */
export async function processTree(root: number): Promise<number[]> {
  const childrenOf = new Map<number, number[]>();
  try {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      const pid = Number(entry.name);
      const ppid = await readParentPid(pid);
      if (ppid === undefined) continue;
      const list = childrenOf.get(ppid);
      if (list) list.push(pid);
      else childrenOf.set(ppid, [pid]);
    }
  } catch {
    return [root];
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    for (const c of childrenOf.get(pid) ?? []) stack.push(c);
  }
  return out;
}

async function readParentPid(pid: number): Promise<number | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** VmHWM and VmRSS of a process in KiB, or `undefined` when it is gone or has no memory (zombie). */
export async function readMemKb(pid: number): Promise<{ hwm: number; rss: number } | undefined> {
  let status: string;
  try {
    status = await Deno.readTextFile(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!hwm || !rss) return undefined;
  return { hwm: Number(hwm[1]), rss: Number(rss[1]) };
}

/** Parses `Maximum resident set size (kbytes): N` from GNU `time -v` output. */
export function parseTimeMaxRssKb(text: string): number | undefined {
  const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** User plus system CPU seconds from GNU time's `-v` report, or `undefined` when it has neither. */
export function parseTimeCpuSeconds(text: string): number | undefined {
  const user = /User time \(seconds\):\s*([\d.]+)/.exec(text);
  const system = /System time \(seconds\):\s*([\d.]+)/.exec(text);
  return user && system ? Number(user[1]) + Number(system[1]) : undefined;
}

/**
 * Parses the last line of a child's `stdout` that starts with `{` as a JSON object (children print one
 * result line; libraries may print other lines before it). Throws a `TaskFailedError` naming `what`.
 */
export function parseLastJsonLine(stdout: string, what: string): Record<string, unknown> {
  const last = stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("{")).at(-1);
  if (last === undefined) {
    throw new TaskFailedError(`${what} printed no JSON result line`, { data: { what } });
  }
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch (cause) {
    throw new TaskFailedError(`${what} printed a result line that is not JSON`, { data: { what }, cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TaskFailedError(`${what} printed a result line that is not a JSON object`, { data: { what } });
  }
  return value as Record<string, unknown>;
}

/** Reads a finite number field of a decoded JSON object, or throws a `TypeError` naming it. */
export function numberField(rec: Record<string, unknown>, field: string): number {
  const v = rec[field];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`Cannot read field "${field}": expected a finite number, got ${String(v)}`);
  }
  return v;
}

async function wantTime(useTime: boolean | "auto"): Promise<boolean> {
  if (useTime === false) return false;
  try {
    const info = await Deno.stat(TIME_PATH);
    if (info.isFile) return true;
  } catch {
    // Not installed.
  }
  if (useTime === true) {
    throw new TypeError(
      `Cannot wrap the command in ${TIME_PATH}: not installed (Debian: apt-get install time)`,
    );
  }
  return false;
}

function signalNumber(sig: Deno.Signal): number {
  const numbers: Partial<Record<Deno.Signal, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[sig] ?? 0;
}
