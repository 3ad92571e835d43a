/**
 * A single-node Apache Kafka 4 broker in KRaft mode on 127.0.0.1: configuration, start with a
 * ready-check, stop, and the state file that lets another process find and stop it.
 *
 * Each broker gets free ports and a fresh temporary directory (configuration, `broker.log`, data),
 * removed on stop. Start runs `StorageTool format` and then `kafka.Kafka`; the broker is ready when
 * an admin client's `describeCluster` answers. The first broker of a Kafka version dumps a class
 * data sharing archive (`out/kafka/<version>/broker.jsa`) at exit, which later brokers map at start.
 *
 * @module
 */
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { type Clock, systemClock } from "../../actors/clock.ts";
import { DEFAULT_KAFKA_VERSION, fetchKafka, requireJava } from "./kafka_fetch.ts";

/** What a running broker is, as written to the state file. */
export interface BrokerState {
  readonly version: 1;
  readonly pid: number;
  readonly bootstrap: string;
  readonly port: number;
  readonly controllerPort: number;
  /** The broker's temporary directory (configuration, log, data). */
  readonly dir: string;
  readonly kafkaVersion: string;
  readonly startedAt: string;
}

/** How the JVM compiles: `c1` starts ~40 % faster on a busy machine; `tiered` peaks higher. */
export type JitMode = "c1" | "tiered";

/** Settings of {@linkcode startBroker}. */
export interface StartBrokerOptions {
  /** Where jars and the class data sharing archive live (`out/kafka`). */
  home: string;
  /** @default {DEFAULT_KAFKA_VERSION} */
  version?: string;
  /** JVM heap. @default {"768m"} */
  heap?: string;
  /** @default {"c1"} */
  jit?: JitMode;
  /** Detached brokers outlive this process (`kafka:start`); others are its children. */
  detached: boolean;
  /** @default {60000} */
  readyTimeoutMs?: number;
  /**
   * The broker's directory, kept at stop: a broker started again on it (with the same `ports`)
   * finds its topics, offsets and transactions where the last one left them — what a broker
   * restart test needs. Formatted only when it holds no data yet. @default {a fresh temporary directory, removed at stop}
   */
  dir?: string;
  /** `[port, controllerPort]`. @default {two free ports} */
  ports?: readonly [number, number];
  /** Progress lines. */
  log?: (line: string) => void;
  clock?: Clock;
}

/** A started broker. */
export interface StartedBroker {
  readonly state: BrokerState;
  /** Stops the broker and removes its directory. */
  stop(): Promise<void>;
}

/** The server.properties of a single-node KRaft broker that is also its own controller. */
export function brokerProperties(options: { port: number; controllerPort: number; dataDir: string }): string {
  const { port, controllerPort, dataDir } = options;
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    `log.dirs=${dataDir}`,
    // One node: without these the group and transaction coordinators never become available.
    "offsets.topic.replication.factor=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "default.replication.factor=1",
    "min.insync.replicas=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=false",
    "num.partitions=1",
    "offsets.topic.num.partitions=4",
    "transaction.state.log.num.partitions=4",
    "",
  ].join("\n");
}

/** A log4j2 configuration that writes everything at INFO to `file`. */
export function log4jProperties(file: string): string {
  return [
    "status = warn",
    "appender.file.type = File",
    "appender.file.name = FILE",
    `appender.file.fileName = ${file}`,
    "appender.file.layout.type = PatternLayout",
    "appender.file.layout.pattern = [%d] %p %m (%c)%n",
    "rootLogger.level = info",
    "rootLogger.appenderRef.file.ref = FILE",
    "",
  ].join("\n");
}

/**
 * A Kafka cluster id: 16 random bytes (from `random`, the system CSPRNG by default), base64url without
 * padding (Kafka's `Uuid` text form), never starting with "-".
 */
export function randomClusterId(
  random: () => Uint8Array = () => crypto.getRandomValues(new Uint8Array(16)),
): string {
  for (;;) {
    const id = btoa(String.fromCharCode(...random())).replaceAll("+", "-").replaceAll("/", "_").replace(
      /=+$/,
      "",
    );
    // One id in 64 starts with "-", which kafka-storage's argument parser reads as an option
    // ("argument --cluster-id/-t: expected one argument"); Kafka's own Uuid.randomUuid() draws again too.
    if (!id.startsWith("-")) return id;
  }
}

/** Decodes a state file's contents, or throws `TypeError` naming what is wrong. */
export function decodeBrokerState(raw: unknown): BrokerState {
  if (typeof raw !== "object" || raw === null) throw new TypeError("broker state must be an object");
  const r = raw as Record<string, unknown>;
  if (r["version"] !== 1) throw new TypeError(`broker state version must be 1, got ${String(r["version"])}`);
  for (const k of ["pid", "port", "controllerPort"]) {
    if (!Number.isInteger(r[k])) throw new TypeError(`broker state ${k} must be an integer`);
  }
  for (const k of ["bootstrap", "dir", "kafkaVersion", "startedAt"]) {
    if (typeof r[k] !== "string") throw new TypeError(`broker state ${k} must be a string`);
  }
  return {
    version: 1,
    pid: r["pid"] as number,
    bootstrap: r["bootstrap"] as string,
    port: r["port"] as number,
    controllerPort: r["controllerPort"] as number,
    dir: r["dir"] as string,
    kafkaVersion: r["kafkaVersion"] as string,
    startedAt: r["startedAt"] as string,
  };
}

/** Reads a state file; undefined when there is none. */
export async function readBrokerState(file: string): Promise<BrokerState | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  return decodeBrokerState(JSON.parse(text));
}

/** Writes a state file atomically (temp file + rename). */
export async function writeBrokerState(file: string, state: BrokerState): Promise<void> {
  const tmp = `${file}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(state, undefined, 2) + "\n");
  await Deno.rename(tmp, file);
}

/** Two distinct free TCP ports on 127.0.0.1 (free when asked; the broker binds them right after). */
export function freePorts(): [number, number] {
  const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const b = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ports: [number, number] = [(a.addr as Deno.NetAddr).port, (b.addr as Deno.NetAddr).port];
  a.close();
  b.close();
  return ports;
}

/** Whether process `pid` is alive and its command line mentions `marker` (Linux; elsewhere just alive). */
export async function processAlive(pid: number, marker: string): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    if (/^\d+ \(.*\) Z/.test(stat)) return false; // a zombie nobody reaped yet
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return cmdline.includes(marker);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      try {
        Deno.kill(pid, "SIGCONT"); // harmless probe where /proc is missing
        return true;
      } catch {
        return false;
      }
    }
    return false;
  }
}

/** The last `lines` lines of a text file, or "" when it does not exist. */
export async function tail(file: string, lines = 40): Promise<string> {
  try {
    return (await Deno.readTextFile(file)).split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

function jvmFlags(jit: JitMode, heap: string): string[] {
  const flags = [`-Xmx${heap}`, "-Djava.awt.headless=true", "-XX:+ExitOnOutOfMemoryError"];
  // C2 compiler threads compete with start-up on a busy 2-core machine; the serial collector is
  // enough for one idle-most-of-the-time broker.
  if (jit === "c1") flags.push("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  return flags;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs a JVM in the foreground; throws with its output when it fails. */
async function runJava(args: string[]): Promise<void> {
  const out = await new Deno.Command("java", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    throw new Error(`java ${args.at(-4) ?? ""} failed (exit ${out.code}):\n${text.slice(-4000)}`);
  }
}

/** Waits until the broker answers an admin metadata call, the child dies, or the timeout passes. */
async function waitReady(
  bootstrap: string,
  port: number,
  exited: Promise<Deno.CommandStatus>,
  options: { timeoutMs: number; clock: Clock },
): Promise<void> {
  const { clock } = options;
  let status: Deno.CommandStatus | undefined;
  exited.then((s) => status = s, () => {});
  const deadline = clock.monotonic() + options.timeoutMs;
  let lastError = "no answer";
  while (clock.monotonic() < deadline) {
    if (status) throw new BrokerExitedError(`broker exited with code ${status.code} before it was ready`);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      const kafka = new Kafka({
        clientId: "frontier-kafka-ready",
        brokers: [bootstrap],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 2000,
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) return;
        lastError = "no controller yet";
      } finally {
        await admin.disconnect();
      }
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    await clock.sleep(100);
  }
  throw new Error(`broker at ${bootstrap} not ready after ${options.timeoutMs} ms: ${lastError}`);
}

/** The broker process ended before it answered. */
export class BrokerExitedError extends Error {
  override name = "BrokerExitedError";
}

/**
 * Starts a broker: fetches the jars if needed, formats a fresh temporary directory, launches the
 * JVM and returns once an admin client gets the cluster's metadata. Retries twice on another
 * process taking the free ports first.
 */
export async function startBroker(options: StartBrokerOptions): Promise<StartedBroker> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(options);
    } catch (e) {
      if (!(e instanceof BrokerExitedError && /Address already in use/.test(e.message)) || attempt === 3) {
        throw e;
      }
      options.log?.(`kafka: ports taken before the broker bound them; retrying (${attempt}/3)`);
    }
  }
}

async function startOnce(options: StartBrokerOptions): Promise<StartedBroker> {
  const clock = options.clock ?? systemClock;
  const version = options.version ?? DEFAULT_KAFKA_VERSION;
  await requireJava();
  const lib = await fetchKafka(options.home, { version, ...(options.log ? { log: options.log } : {}) });
  if (options.dir !== undefined && options.detached) {
    // stopByState removes a detached broker's directory: only a foreground broker keeps one.
    throw new RangeError("dir is for foreground brokers (detached: false) only");
  }
  const owned = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "frontier-kafka-" });
  await Deno.mkdir(dir, { recursive: true });
  const [port, controllerPort] = options.ports ?? freePorts();
  const formatted = await exists(join(dir, "data", "meta.properties"));
  const removeDir = () => owned ? Deno.remove(dir, { recursive: true }).catch(() => {}) : Promise.resolve();
  const properties = join(dir, "server.properties");
  const logFile = join(dir, "broker.log");
  await Deno.writeTextFile(
    properties,
    brokerProperties({ port, controllerPort, dataDir: join(dir, "data") }),
  );
  await Deno.writeTextFile(join(dir, "log4j2.properties"), log4jProperties(logFile));

  const archive = join(options.home, version, "broker.jsa");
  const haveArchive = await exists(archive);
  const pendingArchive = join(options.home, version, `broker.jsa.${Deno.pid}-${port}.tmp`);
  const base = [...jvmFlags(options.jit ?? "c1", options.heap ?? "768m"), "-cp", join(lib, "*")];
  const shared = haveArchive ? [`-XX:SharedArchiveFile=${archive}`] : [];
  const started = clock.monotonic();
  if (!formatted) {
    await runJava([
      ...base,
      ...shared,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      randomClusterId(),
      "-c",
      properties,
    ]);
  }

  const javaArgs = [
    ...base,
    ...(haveArchive ? shared : [`-XX:ArchiveClassesAtExit=${pendingArchive}`]),
    `-Dlog4j2.configurationFile=${join(dir, "log4j2.properties")}`,
    "kafka.Kafka",
    properties,
  ];
  // `exec` keeps the JVM's pid the child's pid; its stdout and stderr go to the log.
  const child = new Deno.Command("sh", {
    args: ["-c", 'out="$1"; shift; exec "$@" >>"$out" 2>&1', "sh", join(dir, "jvm.out"), "java", ...javaArgs],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: options.detached,
  }).spawn();
  const bootstrap = `127.0.0.1:${port}`;
  const state: BrokerState = {
    version: 1,
    pid: child.pid,
    bootstrap,
    port,
    controllerPort,
    dir,
    kafkaVersion: version,
    startedAt: new Date(clock.now()).toISOString(),
  };
  const adoptArchive = async () => {
    if (haveArchive || !(await exists(pendingArchive))) return;
    await Deno.rename(pendingArchive, archive).catch(() => Deno.remove(pendingArchive).catch(() => {}));
  };
  try {
    await waitReady(bootstrap, port, child.status, { timeoutMs: options.readyTimeoutMs ?? 60_000, clock });
  } catch (e) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    const log = (await tail(logFile, 30)) + "\n" + (await tail(join(dir, "jvm.out"), 10));
    await removeDir();
    await Deno.remove(pendingArchive).catch(() => {});
    const message = e instanceof Error ? e.message : String(e);
    throw e instanceof BrokerExitedError
      ? new BrokerExitedError(`${message}\n${log}`)
      : new Error(`${message}\n${log}`, { cause: e });
  }
  options.log?.(
    `kafka: broker ${version} ready at ${bootstrap} in ${Math.round(clock.monotonic() - started)} ms`,
  );
  if (options.detached) {
    child.unref();
    // The JVM dumps its archive at exit; whoever stops it adopts the file (see stopByState).
    return { state, stop: () => stopByState(state, { home: options.home, clock }) };
  }
  return {
    state,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = clock.setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, 30_000);
      await child.status;
      clock.clearTimeout(timer);
      await adoptArchive();
      await removeDir();
    },
  };
}

/**
 * Stops the broker a state file describes (SIGTERM, then SIGKILL after `timeoutMs`), adopts the
 * class data sharing archive its JVM dumped, and removes its directory.
 */
export async function stopByState(
  state: BrokerState,
  options: { home: string; clock?: Clock; timeoutMs?: number },
): Promise<void> {
  const clock = options.clock ?? systemClock;
  if (await processAlive(state.pid, state.dir)) {
    Deno.kill(state.pid, "SIGTERM");
    const deadline = clock.monotonic() + (options.timeoutMs ?? 30_000);
    while (await processAlive(state.pid, state.dir)) {
      if (clock.monotonic() > deadline) {
        Deno.kill(state.pid, "SIGKILL");
        break;
      }
      await clock.sleep(100);
    }
  }
  const versionDir = join(options.home, state.kafkaVersion);
  const archive = join(versionDir, "broker.jsa");
  try {
    for await (const entry of Deno.readDir(versionDir)) {
      if (!entry.name.startsWith("broker.jsa.") || !entry.name.endsWith(`-${state.port}.tmp`)) continue;
      const pending = join(versionDir, entry.name);
      if (await exists(archive)) await Deno.remove(pending).catch(() => {});
      else await Deno.rename(pending, archive).catch(() => {});
    }
  } catch {
    // no version directory: nothing to adopt
  }
  await Deno.remove(state.dir, { recursive: true }).catch(() => {});
}
