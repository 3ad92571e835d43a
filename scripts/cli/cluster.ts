/**
 * `deno task cluster`: runs a driver and local executor processes until SIGINT/SIGTERM.
 *
 * ```sh
 * deno task cluster --executors 3                       # driver on 127.0.0.1, 3 local executors
 * deno task cluster --executors 0 --host 0.0.0.0 --port 7070 --secret-file secret.hex
 *                                                       # driver only; executors join from other hosts:
 * deno task executor --driver ws://driver-host:7070 --secret-file secret.hex --host $(hostname)
 * ```
 *
 * Prints `driver=<url>` and `secret-file=<path>` on stdout once every local executor joined
 * (the lines clients and `deno task frontier status` need), logs to stderr, and on a signal stops
 * the driver, the executors (SIGKILL after a grace period) and removes a secret file it created.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../actors/clock.ts";
import { Driver } from "../../cluster/driver/driver.ts";
import { startProcessCluster } from "../../cluster/deploy/process_cluster.ts";

const USAGE = `Usage: deno task cluster [options]

Starts a Frontier driver and local executor processes; stops them all on Ctrl-C / SIGTERM.

Options:
  --executors N         local executor processes (0: driver only) (default: 2)
  --slots N             tasks per executor (default: 2)
  --host H              interface the driver listens on (default: 127.0.0.1)
  --port P              driver port (default: 0, a free port)
  --secret-file F       existing secret file (hex); default: a fresh 0600 temp file, removed on exit
  --tls-cert F          PEM certificate: serve wss:// (needs --tls-key)
  --tls-key F           PEM private key
  --module URL          generator module executors may import (repeatable)
  --read-dir D          directory executors may read (repeatable)
  --write-dir D         directory executors may write (repeatable)
  --shuffle-partitions N   reduce partitions of shuffles (default: 4)
  --heartbeat-timeout-ms N an executor silent this long is declared dead (default: 30000)
  --state-budget-bytes N   executor-local state each executor keeps, e.g. tree training shards
                           (default: 1 GiB); training whose shard exceeds it fails, naming both
  -q, --quiet           no log lines on stderr
  -h, --help            show this help
`;

/** Runs the cluster until `signal` aborts (or SIGINT/SIGTERM when none is given); resolves to an exit code. */
export async function main(
  args: readonly string[],
  options: { signal?: AbortSignal; out?: (line: string) => void } = {},
): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        executors: { type: "string", default: "2" },
        slots: { type: "string", default: "2" },
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "0" },
        "secret-file": { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        module: { type: "string", multiple: true, default: [] },
        "read-dir": { type: "string", multiple: true, default: [] },
        "write-dir": { type: "string", multiple: true, default: [] },
        "shuffle-partitions": { type: "string", default: "4" },
        "heartbeat-timeout-ms": { type: "string", default: "30000" },
        "state-budget-bytes": { type: "string" },
        quiet: { type: "boolean", short: "q", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    console.error(`cluster: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const executors = Number(values.executors);
  const slots = Number(values.slots);
  const port = Number(values.port);
  const shufflePartitions = Number(values["shuffle-partitions"]);
  const heartbeatTimeoutMs = Number(values["heartbeat-timeout-ms"]);
  const stateBudgetBytes = values["state-budget-bytes"] === undefined
    ? undefined
    : Number(values["state-budget-bytes"]);
  const problems = [
    !Number.isSafeInteger(executors) || executors < 0 ? `--executors must be a non-negative integer` : "",
    !Number.isSafeInteger(slots) || slots < 1 ? `--slots must be a positive integer` : "",
    !Number.isSafeInteger(port) || port < 0 || port > 65535 ? `--port must be in [0, 65535]` : "",
    !Number.isSafeInteger(shufflePartitions) || shufflePartitions < 1
      ? `--shuffle-partitions must be a positive integer`
      : !Number.isSafeInteger(heartbeatTimeoutMs) || heartbeatTimeoutMs < 100
      ? `--heartbeat-timeout-ms must be an integer ≥ 100`
      : "",
    stateBudgetBytes !== undefined && (!Number.isSafeInteger(stateBudgetBytes) || stateBudgetBytes < 0)
      ? `--state-budget-bytes must be a non-negative integer`
      : "",
    (values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)
      ? `--tls-cert and --tls-key go together`
      : "",
  ].filter((p) => p);
  if (problems.length) {
    console.error(`cluster: ${problems.join("; ")}\n\n${USAGE}`);
    return 2;
  }
  const log = values.quiet ? undefined : (line: string) => console.error(`cluster: ${line}`);
  const out = options.out ?? ((line: string) => console.log(line));
  const toAbs = (p: string) => p.startsWith("/") ? p : `${Deno.cwd()}/${p}`;
  const modules = values.module.map((m) => URL.canParse(m) ? m : new URL(`file://${toAbs(m)}`).href);
  const driver = new Driver({ clock: systemClock, log }, {
    shufflePartitions,
    heartbeatTimeoutMs,
    modules,
    stateBudgetBytes,
  });
  let cluster;
  try {
    cluster = await startProcessCluster(driver, {
      executors,
      slots,
      hostname: values.host,
      port,
      secretFile: values["secret-file"],
      tls: values["tls-cert"] && values["tls-key"]
        ? { certFile: values["tls-cert"], keyFile: values["tls-key"] }
        : undefined,
      modules,
      readDirs: values["read-dir"].map(toAbs),
      writeDirs: values["write-dir"].map(toAbs),
      log,
    });
  } catch (e) {
    await driver.stop();
    console.error(`cluster: cannot start: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  out(`driver=${cluster.address}`);
  out(`secret-file=${cluster.secretFile}`);
  await untilStopped(options.signal);
  log?.("stopping");
  await driver.stop();
  await cluster.stop();
  return 0;
}

/** Resolves when `signal` aborts, or on SIGINT/SIGTERM when no signal is given. */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal) {
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
  return new Promise((resolve) => {
    const names: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    const done = () => {
      for (const n of names) Deno.removeSignalListener(n, done);
      resolve();
    };
    for (const n of names) Deno.addSignalListener(n, done);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
