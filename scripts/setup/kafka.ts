/**
 * A local Apache Kafka 4 broker for development, tests and benchmarks: fetched from Maven Central
 * with Maven, run in KRaft mode as a single node on 127.0.0.1 with free ports and a temporary data
 * directory.
 *
 * ```sh
 * deno task kafka:start               # background broker; prints bootstrap=127.0.0.1:PORT
 * deno task kafka:stop                # stops it and removes its data
 * deno run -A scripts/setup/kafka.ts status|fetch
 * deno task kafka:start --foreground  # lives as long as its stdin (tests pipe it), or until SIGINT/SIGTERM
 * ```
 *
 * `start` writes the broker's state (pid, bootstrap, ports, directory) to `out/kafka/broker.json`
 * (`--state FILE` to choose), which `stop`, `status` and tests read; when that broker already
 * answers, `start` prints its bootstrap again instead of starting a second one. `--foreground`
 * writes no state file unless `--state` is given.
 *
 * Options: `--version X.Y.Z` (default {@linkcode DEFAULT_KAFKA_VERSION}), `--heap 768m`,
 * `--jit c1|tiered` (c1, the default, starts faster; tiered peaks higher for long benchmarks).
 * Exit codes: 0 ok, 1 failure, 2 usage, 10 java missing, 11 Maven missing (and jars not fetched),
 * 12 java older than 17.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BrokerState,
  decodeBrokerState,
  type JitMode,
  processAlive,
  readBrokerState,
  startBroker,
  stopByState,
  writeBrokerState,
} from "./kafka_broker.ts";
import { DEFAULT_KAFKA_VERSION, fetchKafka, requireJava, ToolMissingError } from "./kafka_fetch.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where jars, the class data sharing archive and the default state file live. */
export const KAFKA_HOME = join(ROOT, "out", "kafka");
/** The default state file of `kafka:start`. */
export const DEFAULT_STATE_FILE = join(KAFKA_HOME, "broker.json");

const USAGE = `Usage: deno run -A scripts/setup/kafka.ts <fetch|start|stop|status> [options]
  --state FILE      state file (default: out/kafka/broker.json)
  --foreground      start: stay in the foreground until stdin closes or SIGINT/SIGTERM
  --version X.Y.Z   Kafka version (default: ${DEFAULT_KAFKA_VERSION})
  --heap SIZE       JVM heap (default: 768m)
  --jit c1|tiered   JVM compilers (default: c1, the faster start)
  --dir DIR         start --foreground: the broker's directory, kept at stop; started again on it (with the
                    same ports) the broker resumes with its data (default: a temporary directory)
  --port P --controller-port C   start: fixed ports (default: free ones)`;

function log(line: string): void {
  console.error(line);
}

async function answering(state: BrokerState): Promise<boolean> {
  if (!(await processAlive(state.pid, state.dir))) return false;
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port: state.port })).close();
    return true;
  } catch {
    return false;
  }
}

/** Resolves on stdin's end, SIGINT or SIGTERM. */
async function untilReleased(): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const onSignal = () => resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const reading = (async () => {
    for await (const _ of Deno.stdin.readable) {
      // discard: only the end of input matters
    }
  })().then(resolve, resolve);
  await promise;
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
  void reading;
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        state: { type: "string" },
        foreground: { type: "boolean", default: false },
        version: { type: "string", default: DEFAULT_KAFKA_VERSION },
        heap: { type: "string", default: "768m" },
        jit: { type: "string", default: "c1" },
        dir: { type: "string" },
        port: { type: "string" },
        "controller-port": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    log(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || positionals.length !== 1 || values.jit !== "c1" && values.jit !== "tiered") {
    log(USAGE);
    return values.help ? 0 : 2;
  }
  const jit: JitMode = values.jit;
  const stateFile = values.state ?? DEFAULT_STATE_FILE;
  switch (command) {
    case "fetch": {
      await requireJava();
      console.log(await fetchKafka(KAFKA_HOME, { version: values.version, log }));
      return 0;
    }
    case "start": {
      const writeState = !values.foreground || values.state !== undefined;
      if (writeState) {
        const existing = await readBrokerState(stateFile).catch(() => undefined);
        if (existing && await answering(existing)) {
          log(`kafka: already running (pid ${existing.pid}, state ${stateFile})`);
          console.log(`bootstrap=${existing.bootstrap}`);
          return 0;
        }
      }
      const ports = [values.port, values["controller-port"]].map((p) =>
        p === undefined ? undefined : Number(p)
      );
      if (ports.some((p) => p !== undefined && !(Number.isSafeInteger(p) && p > 0 && p < 65536))) {
        log(`--port and --controller-port must be TCP ports (1-65535)\n${USAGE}`);
        return 2;
      }
      if ((ports[0] === undefined) !== (ports[1] === undefined)) {
        log(`--port and --controller-port go together\n${USAGE}`);
        return 2;
      }
      const broker = await startBroker({
        home: KAFKA_HOME,
        version: values.version,
        heap: values.heap,
        jit,
        detached: !values.foreground,
        log,
        ...(values.dir === undefined ? {} : { dir: values.dir }),
        ...(ports[0] === undefined ? {} : { ports: [ports[0], ports[1]!] as const }),
      });
      if (writeState) {
        await Deno.mkdir(dirname(stateFile), { recursive: true });
        await writeBrokerState(stateFile, broker.state);
      }
      console.log(`bootstrap=${broker.state.bootstrap}`);
      if (!values.foreground) return 0;
      await untilReleased();
      await broker.stop();
      if (writeState) await Deno.remove(stateFile).catch(() => {});
      log("kafka: stopped");
      return 0;
    }
    case "stop": {
      const state = await readBrokerState(stateFile);
      if (!state) {
        log(`kafka: no broker state at ${stateFile}; nothing to stop`);
        return 0;
      }
      await stopByState(state, { home: KAFKA_HOME });
      await Deno.remove(stateFile).catch(() => {});
      log(`kafka: stopped pid ${state.pid} and removed ${state.dir}`);
      return 0;
    }
    case "status": {
      const text = await Deno.readTextFile(stateFile).catch(() => undefined);
      const state = text === undefined ? undefined : decodeBrokerState(JSON.parse(text));
      const up = state !== undefined && await answering(state);
      console.log(JSON.stringify({ running: up, stateFile, ...(state ? { broker: state } : {}) }));
      return up ? 0 : 1;
    }
    default:
      log(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    log(`kafka: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(e instanceof ToolMissingError ? e.exitCode : 1);
  }
}
