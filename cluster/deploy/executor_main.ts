/**
 * Executor process entry (`deno task executor`): dials a driver, proves the cluster secret (role
 * `executor`), reads its welcome and serves tasks until the driver says shutdown or the
 * connection is lost, then exits 0. Authentication or connection failures exit 1 with a message
 * on stderr; bad flags exit 2.
 *
 * ```sh
 * deno run --allow-net=driver-host:7070 --allow-read=secret.hex \
 *   cluster/deploy/executor_main.ts --driver ws://driver-host:7070 --secret-file secret.hex --slots 4
 * ```
 *
 * Permissions it needs (see `process_cluster.ts` for how local executors are started):
 * `--allow-net=<driver host:port>`; `--allow-read=<secret file, --ca-cert file, generator modules,
 * input data, spill dir>`; `--allow-write=<output dirs, spill dir>`. `--allow-sys=hostname` is
 * optional (without it and without `--host`, the executor calls itself `localhost`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../actors/clock.ts";
import { TimeoutError } from "../../actors/errors.ts";
import { authenticateClient } from "../transport/auth.ts";
import type { NodeHello } from "./client_protocol.ts";
import { Executor } from "../executor/executor.ts";
import { decodeWelcome } from "../protocol.ts";
import { readSecretFile } from "./secret_file.ts";
import type { Connection } from "../../actors/connection.ts";
import { dialWebSocket } from "../transport/websocket.ts";
import { hostName } from "../util/host_name.ts";

const USAGE = `Usage: executor_main.ts --driver URL --secret-file FILE [options]

Joins a Frontier driver as an executor and runs its tasks until shut down.

Options:
  --driver URL         ws:// or wss:// address of the driver (required)
  --secret-file FILE   file holding the cluster secret as hex (required)
  --host NAME          name this executor reports (default: hostname if permitted, else localhost)
  --slots N            tasks run at once (default: number of CPUs)
  --spill-dir DIR      directory for blocks beyond the memory budget
  --memory-budget-bytes N  block bytes kept in memory before spilling (default: 1 GiB)
  --state-budget-bytes N   executor-local state (e.g. tree training shards) kept before eviction
                       (default: the driver's stateBudgetBytes, else 1 GiB)
  --ca-cert FILE       extra PEM certificate to trust for wss://
  --connect-timeout-ms N   time to connect, authenticate and be welcomed (default: 10000)
  -h, --help           show this help
`;

/** Exit codes of {@linkcode main}. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Runs an executor with command-line `args`; resolves to the process exit code. */
export async function main(args: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        driver: { type: "string" },
        "secret-file": { type: "string" },
        host: { type: "string" },
        slots: { type: "string" },
        "spill-dir": { type: "string" },
        "memory-budget-bytes": { type: "string" },
        "state-budget-bytes": { type: "string" },
        "ca-cert": { type: "string" },
        "connect-timeout-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    console.error(`executor: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT_OK;
  }
  const driver = values.driver;
  const secretFile = values["secret-file"];
  const slots = values.slots === undefined ? navigator.hardwareConcurrency || 2 : Number(values.slots);
  const timeoutMs = Number(values["connect-timeout-ms"] ?? 10_000);
  if (driver === undefined || secretFile === undefined) {
    console.error(`executor: --driver and --secret-file are required\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (!Number.isSafeInteger(slots) || slots < 1 || slots > 1024) {
    console.error(`executor: --slots must be an integer in [1, 1024], got ${values.slots}`);
    return EXIT_USAGE;
  }
  const budget = values["memory-budget-bytes"] === undefined
    ? undefined
    : Number(values["memory-budget-bytes"]);
  if (budget !== undefined && (!Number.isSafeInteger(budget) || budget < 0)) {
    console.error(
      `executor: --memory-budget-bytes must be a non-negative integer, got ${values["memory-budget-bytes"]}`,
    );
    return EXIT_USAGE;
  }
  const stateBudget = values["state-budget-bytes"] === undefined
    ? undefined
    : Number(values["state-budget-bytes"]);
  if (stateBudget !== undefined && (!Number.isSafeInteger(stateBudget) || stateBudget < 0)) {
    console.error(
      `executor: --state-budget-bytes must be a non-negative integer, got ${values["state-budget-bytes"]}`,
    );
    return EXIT_USAGE;
  }
  if (!(timeoutMs > 0)) {
    console.error(`executor: --connect-timeout-ms must be positive, got ${values["connect-timeout-ms"]}`);
    return EXIT_USAGE;
  }

  let conn: Connection | undefined;
  let executor: Executor;
  const timeout = new AbortController();
  const timer = systemClock.setTimeout(
    () => timeout.abort(new TimeoutError(`not connected and welcomed within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  try {
    const secret = await readSecretFile(secretFile, { warn: (l) => console.error(`executor: ${l}`) });
    const caCerts = values["ca-cert"] === undefined
      ? undefined
      : [await Deno.readTextFile(values["ca-cert"])];
    conn = await dialWebSocket(driver, { signal, caCerts });
    const hello: NodeHello = { role: "executor", host: values.host ?? hostName(), pid: Deno.pid, slots };
    await authenticateClient(conn, { secret, hello, timeoutMs, signal });
    const first = await conn.receive({ signal });
    if (!first) throw new Error(`the driver closed the connection (${await conn.closed})`);
    const welcome = decodeWelcome(first.header);
    executor = new Executor({
      connection: conn,
      clock: systemClock,
      log: (l) => console.error(`executor: ${l}`),
    }, {
      executorId: welcome.executorId,
      slots: welcome.slots,
      heartbeatMs: welcome.heartbeatMs,
      allowedModules: welcome.allowedModules,
      spillDir: values["spill-dir"],
      ...(budget === undefined ? {} : { memoryBudgetBytes: budget }),
      stateBudgetBytes: stateBudget ?? welcome.stateBudgetBytes,
    });
  } catch (e) {
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    console.error(`executor: cannot join the driver at ${driver}: ${why}`);
    await conn?.close("join failed");
    return EXIT_FAILED;
  } finally {
    systemClock.clearTimeout(timer);
  }

  const stop = () => void executor.stop();
  options.signal?.addEventListener("abort", stop, { once: true });
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  try {
    await executor.run();
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
    options.signal?.removeEventListener("abort", stop);
  }
  return EXIT_OK;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
