/**
 * What every `frontier` command shares: cluster flags (embedded default, local processes, or a
 * running driver), `--json` (one JSON object on stdout, everything else on stderr), progress lines
 * on stderr (when it is a terminal, or with `--progress`), argument parsing and validation.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Clock, systemClock } from "../../actors/clock.ts";
import { Frontier } from "../../cluster/frontier.ts";
import { readSecretFile } from "../../cluster/deploy/secret_file.ts";

/** Where a command writes. */
export interface CliIo {
  /** stdout: the result (one JSON object with `--json`). */
  out(text: string): void;
  /** stderr: logs, warnings, progress. */
  err(text: string): void;
  /** Whether stderr is a terminal (progress is shown by default then). */
  errIsTerminal: boolean;
  clock: Clock;
}

/** The process's stdout/stderr. */
export function processIo(): CliIo {
  return {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    errIsTerminal: Deno.stderr.isTerminal(),
    clock: systemClock,
  };
}

/** A bad command line: the command prints its usage and exits 2. */
export class UsageError extends TypeError {
  override name = "UsageError";
}

/** parseArgs options every command accepts. */
export const COMMON_OPTIONS = {
  driver: { type: "string" },
  "secret-file": { type: "string" },
  "ca-cert": { type: "string" },
  executors: { type: "string", default: "2" },
  mode: { type: "string", default: "embedded" },
  "state-budget-bytes": { type: "string" },
  json: { type: "boolean", default: false },
  progress: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Help text for {@linkcode COMMON_OPTIONS}. */
export const COMMON_HELP = `Cluster options (every command):
  --executors N       executors of the cluster started for this command (default: 2)
  --mode M            embedded (Web Workers, default) or process (local executor processes)
  --state-budget-bytes N  executor-local state per executor, e.g. tree training shards (default: 1 GiB)
  --driver URL        use a running cluster instead (ws:// or wss:// printed by \`deno task cluster\`);
                      input and output paths must then be valid on the executors' hosts
  --secret-file F     the running cluster's secret file (with --driver)
  --ca-cert F         extra PEM certificate to trust for wss:// (with --driver)

Output options:
  --json              print one JSON summary object on stdout (logs stay on stderr)
  --progress          progress lines on stderr even when it is not a terminal
  -h, --help          show this help`;

/** Cluster and output flags, validated. */
export interface CommonFlags {
  driver: string | undefined;
  secretFile: string | undefined;
  caCert: string | undefined;
  executors: number;
  mode: "embedded" | "process";
  /** Executor state budget of the cluster started for the command; `undefined`: the default. */
  stateBudgetBytes: number | undefined;
  json: boolean;
  progress: boolean;
}

/** Parses `args` with the command's options plus {@linkcode COMMON_OPTIONS}; throws UsageError. */
export function parseCommand<
  const T extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>,
>(
  args: readonly string[],
  options: T,
) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** A positive integer flag value (or `fallback` when absent). */
export function positiveInt(value: unknown, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${flag} is required`);
    return fallback;
  }
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+(e\d+)?$/i.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A non-negative integer flag value. */
function nonNegativeInt(value: unknown, flag: string): number {
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+(e\d+)?$/i.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A required string flag. */
export function required(value: unknown, flag: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`${flag} is required`);
  return value;
}

/** The validated common flags. */
export function commonFlags(values: Record<string, unknown>): CommonFlags {
  const mode = values["mode"];
  if (mode !== "embedded" && mode !== "process") {
    throw new UsageError(`--mode must be "embedded" or "process", got ${JSON.stringify(mode)}`);
  }
  const driver = values["driver"] as string | undefined;
  const secretFile = values["secret-file"] as string | undefined;
  if (driver !== undefined && secretFile === undefined) throw new UsageError("--driver needs --secret-file");
  return {
    driver,
    secretFile,
    caCert: values["ca-cert"] as string | undefined,
    executors: positiveInt(values["executors"], "--executors", 2),
    mode,
    stateBudgetBytes: values["state-budget-bytes"] === undefined
      ? undefined
      : nonNegativeInt(values["state-budget-bytes"], "--state-budget-bytes"),
    json: values["json"] === true,
    progress: values["progress"] === true,
  };
}

/** Starts (or connects to) the cluster the flags describe. */
export async function openCluster(
  flags: CommonFlags,
  options: { readDirs?: readonly string[]; writeDirs?: readonly string[]; log: (line: string) => void },
): Promise<Frontier> {
  if (flags.driver !== undefined) {
    const secret = await readSecretFile(flags.secretFile!, { warn: options.log });
    const caCerts = flags.caCert === undefined ? undefined : [await Deno.readTextFile(flags.caCert)];
    return await Frontier.connect(flags.driver, { secret, ...(caCerts ? { caCerts } : {}) });
  }
  return await Frontier.start({
    executors: flags.executors,
    mode: flags.mode,
    stateBudgetBytes: flags.stateBudgetBytes,
    ...(flags.mode === "process"
      ? { readDirs: [...(options.readDirs ?? [])], writeDirs: [...(options.writeDirs ?? [])] }
      : {}),
  });
}

/** Where the cluster ran, for summaries. */
export function clusterLabel(flags: CommonFlags): string {
  return flags.driver ?? `${flags.mode}, ${flags.executors} executors`;
}

/** Progress lines `[  12.3s] stage` on stderr, when enabled. */
export class Progress {
  readonly #io: CliIo;
  readonly #enabled: boolean;
  readonly #t0: number;

  constructor(io: CliIo, enabled: boolean) {
    this.#io = io;
    this.#enabled = enabled;
    this.#t0 = io.clock.monotonic();
  }

  /** Milliseconds since the command started. */
  get elapsedMs(): number {
    return this.#io.clock.monotonic() - this.#t0;
  }

  /** Reports a stage (shown only when progress is enabled). */
  stage(text: string): void {
    if (!this.#enabled) return;
    this.#io.err(`[${(this.elapsedMs / 1000).toFixed(1).padStart(6)}s] ${text}`);
  }
}

/** The progress display for `flags`: on with `--progress`, or when stderr is a terminal. */
export function progressFor(io: CliIo, flags: CommonFlags): Progress {
  return new Progress(io, flags.progress || io.errIsTerminal);
}

/** The directory part of a path (`.` for a bare name). */
export function dirOf(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** An absolute path (relative ones resolved against the working directory). */
export function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}
