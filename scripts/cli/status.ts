/**
 * `deno task frontier status`: asks a running driver for its executors and jobs.
 *
 * ```sh
 * deno task frontier status --driver ws://127.0.0.1:7070 --secret-file /tmp/frontier-secret-x
 * deno task frontier status --driver ws://127.0.0.1:7070 --secret-file secret.hex --json
 * ```
 *
 * Prints two tables (executors: id, host, pid, epoch, state, running tasks, …; jobs: state and
 * each stage's attempt and progress), or with `--json` one JSON object (the driver's
 * `ClusterStatus`). Exits 1 when the driver cannot be reached or the secret is wrong.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ClusterStatus } from "../../cluster/driver/driver.ts";
import { connectRemote } from "../../cluster/deploy/remote_client.ts";
import { readSecretFile } from "../../cluster/deploy/secret_file.ts";

const USAGE = `Usage: deno task frontier status --driver URL --secret-file F [--json] [--ca-cert F]

Prints the executors and jobs of a running Frontier driver.

Options:
  --driver URL        ws:// or wss:// address printed by \`deno task cluster\` (required)
  --secret-file F     the cluster's secret file (required)
  --json              one JSON object instead of tables
  --ca-cert F         extra PEM certificate to trust for wss://
  -h, --help          show this help
`;

/** Runs the command with `args` (after `frontier`); resolves to an exit code. */
export async function main(
  args: readonly string[],
  options: { out?: (text: string) => void } = {},
): Promise<number> {
  const out = options.out ?? ((text: string) => console.log(text));
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        driver: { type: "string" },
        "secret-file": { type: "string" },
        json: { type: "boolean", default: false },
        "ca-cert": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    console.error(`frontier: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "status") {
    console.error(
      `frontier: expected the command "status", got ${JSON.stringify(positionals.join(" "))}\n\n${USAGE}`,
    );
    return 2;
  }
  if (values.driver === undefined || values["secret-file"] === undefined) {
    console.error(`frontier: --driver and --secret-file are required\n\n${USAGE}`);
    return 2;
  }
  let status: ClusterStatus;
  try {
    const secret = await readSecretFile(values["secret-file"], {
      warn: (l) => console.error(`frontier: ${l}`),
    });
    const caCerts = values["ca-cert"] === undefined
      ? undefined
      : [await Deno.readTextFile(values["ca-cert"])];
    const engine = await connectRemote(values.driver, { secret, caCerts });
    try {
      status = await engine.status();
    } finally {
      await engine.close();
    }
  } catch (e) {
    console.error(
      `frontier: cannot get the status of ${values.driver}: ${
        e instanceof Error ? `${e.name}: ${e.message}` : String(e)
      }`,
    );
    return 1;
  }
  out(values.json ? JSON.stringify(status) : formatStatus(status));
  return 0;
}

/** The status as two text tables. */
export function formatStatus(status: ClusterStatus): string {
  const executors = table(
    ["ID", "HOST", "PID", "EPOCH", "STATE", "KIND", "SLOTS", "RUNNING", "BLOCKS", "RSS", "HEARTBEAT"],
    status.executors.map((e) => [
      e.id,
      e.host,
      String(e.pid),
      String(e.epoch),
      e.state,
      e.kind,
      String(e.slots),
      String(e.runningTasks),
      bytes(e.blockBytes),
      bytes(e.rssBytes),
      e.lastHeartbeatAgoMs === undefined ? "-" : `${Math.round(e.lastHeartbeatAgoMs)} ms ago`,
    ]),
  );
  const jobs = table(
    ["JOB", "STATE", "DESCRIPTION", "STAGES (id attempt done/partitions running queued)", "ERROR"],
    status.jobs.map((j) => [
      String(j.id),
      j.state,
      j.description,
      j.stages.map((s) => `${s.id} a${s.attempt} ${s.done}/${s.partitions} r${s.running} q${s.queued}`).join(
        ", ",
      ) || "-",
      j.error ?? "",
    ]),
  );
  const alive = status.executors.filter((e) => e.state === "alive").length;
  return [
    `Executors: ${alive} alive, ${status.executors.length - alive} dead`,
    executors,
    "",
    `Jobs: ${status.jobs.length}`,
    jobs,
    "",
    `Malformed frames: ${status.malformedFrames}`,
  ].join("\n");
}

function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return "  (none)";
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
