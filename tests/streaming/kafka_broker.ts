/**
 * A real Kafka broker for one integration test file, started and stopped by the project's own
 * script (`deno task kafka:start --foreground`, see `scripts/setup/kafka.ts`): the broker lives
 * as long as the script's stdin, which this helper holds open and closes on stop, so a crashed
 * test process never leaves a broker behind.
 *
 * When `deno task kafka:start` already runs a broker (its state file `out/kafka/broker.json`
 * names a live, answering process), tests share it and leave it running.
 *
 * Java and Maven are required; where one is missing, {@linkcode kafkaSkipReason} says which and
 * tests register as ignored (the reason is printed once).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { systemClock } from "../../actors/clock.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STATE_FILE = join(ROOT, "out", "kafka", "broker.json");
/** The fetch may run Maven first (~15 s cold); a warm start takes 3–6 s on a busy 2-core machine. */
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;

/** A broker tests can talk to. */
export interface TestBroker extends AsyncDisposable {
  /** `127.0.0.1:PORT`. */
  readonly bootstrap: string;
  /** `[bootstrap]`, as kafkajs wants it. */
  readonly brokers: string[];
  /** True when the broker was already running (`deno task kafka:start`) and is left running. */
  readonly shared: boolean;
  stop(): Promise<void>;
}

function onPath(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      if (Deno.statSync(join(dir, name)).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

function jarsFetched(): boolean {
  try {
    for (const version of Deno.readDirSync(join(ROOT, "out", "kafka"))) {
      if (
        version.isDirectory && Deno.statSync(join(ROOT, "out", "kafka", version.name, "lib", ".complete"))
      ) {
        return true;
      }
    }
  } catch {
    // nothing fetched
  }
  return false;
}

function skipReason(): string | undefined {
  if (!onPath("java")) return "java is not on PATH (Kafka 4 needs a Java 17+ runtime)";
  if (!onPath("mvn") && !jarsFetched()) return "mvn is not on PATH and the Kafka jars are not fetched";
  return undefined;
}

/** Why Kafka integration tests cannot run here, or undefined when they can. */
export const kafkaSkipReason: string | undefined = skipReason();
if (kafkaSkipReason !== undefined) console.warn(`Kafka integration tests skipped: ${kafkaSkipReason}`);

async function sharedBroker(): Promise<TestBroker | undefined> {
  let state: { pid?: unknown; bootstrap?: unknown; port?: unknown };
  try {
    state = JSON.parse(await Deno.readTextFile(STATE_FILE));
  } catch {
    return undefined;
  }
  if (typeof state.bootstrap !== "string" || typeof state.port !== "number") return undefined;
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port: state.port })).close();
  } catch {
    return undefined; // a stale state file
  }
  const bootstrap = state.bootstrap;
  return {
    bootstrap,
    brokers: [bootstrap],
    shared: true,
    stop: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

async function collect(stream: ReadableStream<Uint8Array>, sink: { text: string }): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink.text += decoder.decode(chunk, { stream: true });
}

/** Two free TCP ports on 127.0.0.1, for a broker that must come back on the same address. */
export function freeBrokerPorts(): [number, number] {
  const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const b = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ports: [number, number] = [(a.addr as Deno.NetAddr).port, (b.addr as Deno.NetAddr).port];
  a.close();
  b.close();
  return ports;
}

/**
 * Starts a broker for this test file (or shares the one `deno task kafka:start` runs) and resolves
 * once it answers metadata requests. With `restartable`, the broker is this test's own, on the
 * given directory and ports: stopping it keeps the directory, and starting another on the same
 * ones is a broker restart.
 */
export async function startTestBroker(
  restartable?: { readonly dir: string; readonly ports: readonly [number, number] },
): Promise<TestBroker> {
  if (kafkaSkipReason !== undefined) throw new Error(`Kafka unavailable: ${kafkaSkipReason}`);
  const shared = restartable === undefined ? await sharedBroker() : undefined;
  if (shared) return shared;
  const own = restartable === undefined ? [] : [
    "--dir",
    restartable.dir,
    "--port",
    String(restartable.ports[0]),
    "--controller-port",
    String(restartable.ports[1]),
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "kafka:start", "--foreground", "--heap", "512m", ...own],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const err = { text: "" };
  const stderrDone = collect(child.stderr, err);
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  let bootstrap: string | undefined;
  const timer = systemClock.setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, START_TIMEOUT_MS);
  try {
    while (bootstrap === undefined) {
      const { value, done } = await reader.read();
      if (done) break;
      out += decoder.decode(value, { stream: true });
      bootstrap = /^bootstrap=(\S+)$/m.exec(out)?.[1];
    }
  } finally {
    systemClock.clearTimeout(timer);
  }
  reader.releaseLock();
  const stdoutDone = collect(child.stdout, { text: "" });
  if (bootstrap === undefined) {
    await child.stdin.close().catch(() => {});
    const status = await child.status;
    await Promise.all([stdoutDone, stderrDone]);
    throw new Error(
      `kafka:start exited (code ${status.code}) without a bootstrap line:\n${err.text.slice(-4000)}`,
    );
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await child.stdin.close().catch(() => {});
      const kill = systemClock.setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      const status = await child.status;
      systemClock.clearTimeout(kill);
      await Promise.all([stdoutDone, stderrDone]);
      if (!status.success) {
        throw new Error(
          `kafka broker stop failed (code ${status.code}):\n${err.text.slice(-4000)}`,
        );
      }
    })();
  const found = bootstrap;
  return { bootstrap: found, brokers: [found], shared: false, stop, [Symbol.asyncDispose]: stop };
}
