/**
 * The cluster CLI end to end: `scripts/cli/cluster.ts` in its own process, an executor joining it as if
 * from another host (`cluster/deploy/executor_main.ts` with only the documented permissions), and
 * `scripts/cli/status.ts` reading the status.
 */
import assert from "node:assert/strict";
import { systemClock } from "../../../actors/clock.ts";
import { main as status } from "../../../scripts/cli/status.ts";
import { createSecretFile } from "../../../cluster/deploy/secret_file.ts";

const root = new URL("../../../", import.meta.url).pathname;

/** Reads stdout lines of `child` until `key=` lines for every key arrived; keeps draining after. */
async function readKeys(
  child: Deno.ChildProcess,
  keys: string[],
): Promise<{ values: Map<string, string>; drained: Promise<void> }> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const values = new Map<string, string>();
  let buffer = "";
  while (keys.some((k) => !values.has(k))) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stdout ended before ${keys.join(", ")} were printed: ${buffer}`);
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      const i = line.indexOf("=");
      if (i > 0) values.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  const drained = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return { values, drained };
}

Deno.test("deno task cluster runs a driver that a remote-style executor joins; frontier status lists both; SIGTERM stops all", async () => {
  const cluster = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--config=${root}deno.json`,
      `${root}scripts/cli/cluster.ts`,
      "--executors",
      "1",
      "--quiet",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let extra: Deno.ChildProcess | undefined;
  try {
    const { values, drained } = await readKeys(cluster, ["driver", "secret-file"]);
    const url = values.get("driver")!;
    const secretFile = values.get("secret-file")!;
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await Deno.stat(secretFile)).mode! & 0o777, 0o600);

    // An executor started by hand, with only the permissions executor_main.ts documents.
    const port = new URL(url).host;
    extra = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--config=${root}deno.json`,
        `--allow-net=${port}`,
        `--allow-read=${secretFile}`,
        `${root}cluster/deploy/executor_main.ts`,
        "--driver",
        url,
        "--secret-file",
        secretFile,
        "--host",
        "node-b",
        "--slots",
        "3",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).spawn();

    let json: {
      executors: { host: string; state: string; slots: number; epoch: number; pid: number }[];
      jobs: unknown[];
    } | undefined;
    for (let i = 0; i < 100; i++) {
      let text = "";
      assert.equal(
        await status(["status", "--driver", url, "--secret-file", secretFile, "--json"], {
          out: (t) => text = t,
        }),
        0,
      );
      json = JSON.parse(text);
      if (json!.executors.some((e) => e.host === "node-b")) break;
      await systemClock.sleep(50);
    }
    const nodeB = json!.executors.find((e) => e.host === "node-b");
    assert.ok(nodeB, "the hand-started executor joined");
    assert.deepEqual([nodeB.state, nodeB.slots, nodeB.pid], ["alive", 3, extra.pid]);
    assert.equal(json!.executors.filter((e) => e.state === "alive").length, 2);

    let table = "";
    assert.equal(
      await status(["status", "--driver", url, "--secret-file", secretFile], { out: (t) => table = t }),
      0,
    );
    assert.match(table, /Executors: 2 alive, 0 dead/);
    assert.match(table, /node-b/);
    assert.match(table, /^ID\s+HOST\s+PID\s+EPOCH\s+STATE/m);

    const wrong = await createSecretFile();
    try {
      assert.equal(
        await status(["status", "--driver", url, "--secret-file", wrong.path], { out: () => {} }),
        1,
      );
    } finally {
      await Deno.remove(wrong.path);
    }

    cluster.kill("SIGTERM");
    assert.equal((await cluster.status).code, 0);
    await drained;
    // The hand-started executor lost its driver and exited cleanly.
    assert.equal((await extra.status).code, 0);
    await assert.rejects(Deno.stat(secretFile), Deno.errors.NotFound);
  } finally {
    try {
      cluster.kill("SIGKILL");
    } catch { /* exited */ }
    try {
      extra?.kill("SIGKILL");
    } catch { /* exited */ }
    await cluster.status;
    await extra?.status;
  }
});
