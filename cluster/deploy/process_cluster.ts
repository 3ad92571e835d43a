/**
 * Process mode: a driver served on 127.0.0.1 and N executor processes on this machine, each a
 * separate `deno run cluster/deploy/executor_main.ts` with the least privilege it needs.
 *
 * ## Executor permissions (and why each one)
 * - `--allow-net=127.0.0.1:<driver port>` (plus `netHosts`): the only socket an executor opens is
 *   to its driver; shuffle blocks are relayed through the driver.
 * - `--allow-read=`
 *   - the secret file: to authenticate;
 *   - every local file in the module graph of each allowlisted generator module (found with
 *     `deno info --json`): a dynamic `import()` of a file needs read access to it and to those of
 *     its static imports the executor has not loaded already;
 *   - `readDirs`: input data (CSV, Parquet, Arrow files);
 *   - Frontier's own `models/` and `streaming/` directories (read-only code): their modules are
 *     always allowed (`cluster/modules.ts`), so executors must be able to import them — and
 *     `cluster/` and `actors/`, whose files those modules import statically beyond what the
 *     executor itself loaded (e.g. the feature stages import `cluster/expr/column.ts`);
 *   - the spill directory: to read spilled blocks back (and `stat` them);
 *   - the TLS certificate (`--ca-cert`) when the driver serves `wss://`;
 *   - the project's `node_modules` (read-only dependency code): parquet-wasm fetches its `.wasm`
 *     file at run time, which is a read. Deno loads the executor's static module graph itself
 *     without any read permission (verified with Deno 2.9.6), so nothing else of it is granted.
 * - `--allow-write=writeDirs,<spill dir>`: job outputs and spilled blocks.
 * - `--allow-import=<host:port>` only for `http(s)` generator modules.
 * - Not granted: `--allow-run`, `--allow-env`, `--allow-sys` (`Deno.memoryUsage()` for heartbeats
 *   and `navigator.hardwareConcurrency` need none; the host name comes from `--host`),
 *   `--allow-ffi`. `--no-prompt` makes any other access fail instead of waiting on a TTY.
 * - `--config <deno.json>` so bare imports (`apache-arrow`, `zod`, …) resolve through the import map.
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import { PeerUnavailableError, StoppedError, TimeoutError } from "../../actors/errors.ts";
import type { Driver } from "../driver/driver.ts";
import {
  type DriverServer,
  type DriverServerStats,
  type JoinedExecutor,
  serveDriver,
} from "./driver_server.ts";
import { createSecretFile, readSecretFile } from "./secret_file.ts";
import { BUILTIN_PACKAGE_DIRS } from "../modules.ts";

/** Options of {@linkcode startProcessCluster}. */
export interface ProcessClusterOptions {
  /** Executor processes to start (0 is allowed: executors join later). */
  executors: number;
  /** Tasks per executor. */
  slots: number;
  /** Generator modules (URLs) executors may import. */
  modules: readonly string[];
  /** Directories executors may read. */
  readDirs: readonly string[];
  /** Directories executors may write. */
  writeDirs: readonly string[];
  log?: ((line: string) => void) | undefined;
  /** Interface the driver listens on; local executors dial 127.0.0.1 when it is a wildcard. @default {"127.0.0.1"} */
  hostname?: string | undefined;
  /** Port the driver listens on; 0 picks a free one. @default {0} */
  port?: number | undefined;
  /** Use this existing secret file (kept on stop) instead of writing a fresh one (removed on stop). */
  secretFile?: string | undefined;
  /** Serve `wss://` with these PEM files; local executors trust the certificate (`--ca-cert`). */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** Block bytes each executor keeps in memory before spilling to its spill directory. @default {1 GiB} */
  memoryBudgetBytes?: number | undefined;
  /** Other `host:port`s executors may connect to. */
  netHosts?: readonly string[] | undefined;
  /** Time for spawned executors to join. @default {30_000} */
  joinTimeoutMs?: number | undefined;
  /** On stop, time executors get to exit after their connection closed, before SIGKILL. @default {5_000} */
  stopGraceMs?: number | undefined;
  /** Where executors' stderr goes. @default {"inherit"} */
  stderr?: "inherit" | "null" | undefined;
  clock?: Clock | undefined;
}

/** A running process cluster. */
export interface ProcessCluster extends AsyncDisposable {
  /** The driver's `ws://127.0.0.1:port`. */
  readonly address: string;
  /** Path of the 0600 file holding the secret (hex); removed on stop. */
  readonly secretFile: string;
  /** Every executor process started, in order (killed ones stay listed). */
  readonly executors: readonly { pid: number; child: Deno.ChildProcess }[];
  /** The server's counters (rejected connections, malformed frames, …). */
  stats(): DriverServerStats;
  /** Closes the server, waits for every executor process (SIGKILL after the grace period), removes files. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) to executor `i`. */
  killExecutor(i: number, signal?: Deno.Signal): void;
  /** Starts one more executor process and waits until it joined. */
  spawnExecutor(): Promise<void>;
  /** The argv (after the deno executable) an executor is started with. */
  readonly executorArgs: readonly string[];
}

/** Starts a driver server and `executors` local executor processes; resolves once all joined. */
export async function startProcessCluster(
  driver: Driver,
  options: ProcessClusterOptions,
): Promise<ProcessCluster> {
  const { executors, slots } = options;
  if (!Number.isSafeInteger(executors) || executors < 0) {
    throw new RangeError(`executors must be a non-negative integer, got ${executors}`);
  }
  if (!Number.isSafeInteger(slots) || slots < 1 || slots > 1024) {
    throw new RangeError(`slots must be an integer in [1, 1024], got ${slots}`);
  }
  const mainUrl = new URL("./executor_main.ts", import.meta.url);
  if (mainUrl.protocol !== "file:") {
    throw new TypeError(`Process mode needs a local checkout, not ${mainUrl.href}`);
  }
  const cluster = new LocalCluster(driver, options);
  try {
    await cluster.start();
    for (let i = 0; i < executors; i++) cluster.spawnNoWait();
    await cluster.waitJoined();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

interface Spawned {
  pid: number;
  child: Deno.ChildProcess;
  status: Promise<Deno.CommandStatus>;
  joined: PromiseWithResolvers<void>;
}

class LocalCluster implements ProcessCluster {
  readonly #driver: Driver;
  readonly #opts: ProcessClusterOptions;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #spawned: Spawned[] = [];
  readonly #byPid = new Map<number, Spawned>();
  #server: DriverServer | undefined;
  #secretFile = "";
  #ownSecretFile = false;
  #spillDir = "";
  #args: string[] = [];
  #stopping: Promise<void> | undefined;

  constructor(driver: Driver, options: ProcessClusterOptions) {
    this.#driver = driver;
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? (() => {});
  }

  get address(): string {
    return this.#server?.address ?? "";
  }
  get secretFile(): string {
    return this.#secretFile;
  }
  get executors(): readonly { pid: number; child: Deno.ChildProcess }[] {
    return this.#spawned.map(({ pid, child }) => ({ pid, child }));
  }
  get executorArgs(): readonly string[] {
    return this.#args;
  }

  stats(): DriverServerStats {
    if (!this.#server) throw new StoppedError("The process cluster has not started");
    return this.#server.stats();
  }

  async start(): Promise<void> {
    const given = this.#opts.secretFile;
    const { path, secret } = given === undefined
      ? await createSecretFile()
      : { path: given, secret: await readSecretFile(given, { warn: this.#log }) };
    this.#secretFile = path;
    this.#ownSecretFile = given === undefined;
    this.#spillDir = await Deno.makeTempDir({ prefix: "frontier-spill-" });
    const tls = this.#opts.tls;
    this.#server = await serveDriver(this.#driver, {
      hostname: this.#opts.hostname ?? "127.0.0.1",
      port: this.#opts.port ?? 0,
      secret,
      tls: tls && { cert: await Deno.readTextFile(tls.certFile), key: await Deno.readTextFile(tls.keyFile) },
      allowedModules: this.#opts.modules,
      log: this.#opts.log,
      clock: this.#clock,
      onExecutorJoined: (e) => this.#joined(e),
    });
    this.#args = await executorArgs({
      address: localAddress(this.#server.address),
      caCert: tls?.certFile,
      secretFile: path,
      spillDir: this.#spillDir,
      slots: this.#opts.slots,
      modules: this.#opts.modules,
      readDirs: this.#opts.readDirs,
      writeDirs: this.#opts.writeDirs,
      netHosts: this.#opts.netHosts ?? [],
      memoryBudgetBytes: this.#opts.memoryBudgetBytes,
    });
    this.#log(`driver listening on ${this.#server.address}`);
  }

  #joined(e: JoinedExecutor): void {
    this.#byPid.get(e.pid)?.joined.resolve();
  }

  spawnNoWait(): Spawned {
    if (this.#stopping) throw new StoppedError("The process cluster is stopped");
    const child = new Deno.Command(Deno.execPath(), {
      args: this.#args,
      stdin: "null",
      stdout: "null",
      stderr: this.#opts.stderr ?? "inherit",
    }).spawn();
    const joined = Promise.withResolvers<void>();
    const status = child.status;
    const s: Spawned = { pid: child.pid, child, status, joined };
    // A process that exits before joining fails its join; one that joined is unaffected.
    void status.then((st) =>
      joined.reject(
        new PeerUnavailableError(
          `Executor process ${child.pid} exited (code ${st.code}${
            st.signal ? `, ${st.signal}` : ""
          }) before joining`,
        ),
      )
    );
    joined.promise.catch(() => {});
    this.#spawned.push(s);
    this.#byPid.set(child.pid, s);
    this.#log(`spawned executor process ${child.pid}`);
    return s;
  }

  /** Waits until every spawned process joined, or fails on the first exit or the timeout. */
  async waitJoined(which: readonly Spawned[] = this.#spawned): Promise<void> {
    const ms = this.#opts.joinTimeoutMs ?? 30_000;
    let timer: number | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.#clock.setTimeout(
        () => reject(new TimeoutError(`Executor processes did not join within ${ms} ms`)),
        ms,
      );
    });
    try {
      await Promise.race([Promise.all(which.map((s) => s.joined.promise)), timeout]);
    } finally {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
  }

  async spawnExecutor(): Promise<void> {
    await this.waitJoined([this.spawnNoWait()]);
  }

  killExecutor(i: number, signal: Deno.Signal = "SIGKILL"): void {
    const s = this.#spawned[i];
    if (!s) throw new RangeError(`No executor process #${i} (${this.#spawned.length} started)`);
    try {
      s.child.kill(signal);
    } catch (e) {
      // Already exited: nothing to kill.
      if (!(e instanceof TypeError)) throw e;
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #shutdown(): Promise<void> {
    // Closing the server closes every executor connection; an executor exits 0 when it loses its driver.
    await this.#server?.stop();
    const grace = this.#opts.stopGraceMs ?? 5_000;
    await Promise.all(this.#spawned.map(async (s) => {
      let timer: number | undefined;
      const late = new Promise<"late">((resolve) =>
        timer = this.#clock.setTimeout(() => resolve("late"), grace)
      );
      const outcome = await Promise.race([s.status, late]);
      if (timer !== undefined) this.#clock.clearTimeout(timer);
      if (outcome === "late") {
        this.#log(`executor process ${s.pid} still running ${grace} ms after stop: SIGKILL`);
        try {
          s.child.kill("SIGKILL");
        } catch {
          // exited meanwhile
        }
        await s.status;
      }
    }));
    if (this.#ownSecretFile) await Deno.remove(this.#secretFile).catch(() => {});
    if (this.#spillDir) await Deno.remove(this.#spillDir, { recursive: true }).catch(() => {});
  }
}

/** Builds the least-privilege `deno run` argv of an executor (see the module doc for each flag). */
export async function executorArgs(o: {
  address: string;
  caCert?: string | undefined;
  secretFile: string;
  spillDir: string;
  slots: number;
  modules: readonly string[];
  readDirs: readonly string[];
  writeDirs: readonly string[];
  netHosts: readonly string[];
  memoryBudgetBytes?: number | undefined;
}): Promise<string[]> {
  const driverHost = new URL(o.address).host;
  const moduleFiles: string[] = [];
  const importHosts: string[] = [];
  for (const m of o.modules) {
    const u = new URL(m);
    if (u.protocol === "file:") moduleFiles.push(...await localModuleGraph(u));
    else if (u.protocol === "http:" || u.protocol === "https:") importHosts.push(u.host);
  }
  const nodeModules = decodeURIComponent(new URL("../../node_modules", import.meta.url).pathname);
  // Frontier's own model and streaming packages: always allowed, so always readable.
  const packages = [
    ...BUILTIN_PACKAGE_DIRS.map((dir) => decodeURIComponent(new URL(dir).pathname)),
    // what those packages import from the layers below them (read-only code)
    ...["../../cluster/", "../../actors/"].map((dir) =>
      decodeURIComponent(new URL(dir, import.meta.url).pathname)
    ),
  ];
  const read = unique([
    o.secretFile,
    ...(o.caCert ? [o.caCert] : []),
    ...moduleFiles,
    ...o.readDirs,
    o.spillDir,
    nodeModules,
    ...packages,
  ]);
  const write = unique([...o.writeDirs, o.spillDir]);
  const config = new URL("../../deno.json", import.meta.url);
  return [
    "run",
    "--no-prompt",
    `--config=${decodeURIComponent(config.pathname)}`,
    `--allow-net=${unique([driverHost, ...o.netHosts]).join(",")}`,
    `--allow-read=${read.join(",")}`,
    `--allow-write=${write.join(",")}`,
    ...(importHosts.length ? [`--allow-import=${unique(importHosts).join(",")}`] : []),
    decodeURIComponent(new URL("./executor_main.ts", import.meta.url).pathname),
    "--driver",
    o.address,
    "--secret-file",
    o.secretFile,
    "--host",
    "127.0.0.1",
    "--slots",
    String(o.slots),
    "--spill-dir",
    o.spillDir,
    ...(o.caCert ? ["--ca-cert", o.caCert] : []),
    ...(o.memoryBudgetBytes === undefined ? [] : ["--memory-budget-bytes", String(o.memoryBudgetBytes)]),
  ];
}

/** The address local executors dial: a wildcard listen address becomes loopback. */
function localAddress(address: string): string {
  const u = new URL(address);
  if (u.hostname === "0.0.0.0") u.hostname = "127.0.0.1";
  else if (u.hostname === "[::]") u.hostname = "[::1]";
  return u.href.replace(/\/$/, "");
}

/** Local files in a module's static graph (`deno info --json`); just the module if that fails. */
async function localModuleGraph(module: URL): Promise<string[]> {
  const own = decodeURIComponent(module.pathname);
  try {
    const config = decodeURIComponent(new URL("../../deno.json", import.meta.url).pathname);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `--config=${config}`, module.href],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return [own];
    const info: unknown = JSON.parse(new TextDecoder().decode(out.stdout));
    const modules = (info as { modules?: { specifier?: unknown }[] }).modules ?? [];
    const files = modules.map((m) => m.specifier).filter((s): s is string =>
      typeof s === "string" && s.startsWith("file:")
    )
      .map((s) => decodeURIComponent(new URL(s).pathname));
    return files.length ? files : [own];
  } catch {
    return [own];
  }
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
