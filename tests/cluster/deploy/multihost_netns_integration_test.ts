/**
 * Multi-host: the driver and two executors each live in their own Linux network namespace (their
 * own host, with its own address), joined by veth links; the test process reaches the driver over
 * a third link. Cutting one executor's link mid-job must be detected (heartbeats), its work
 * rescheduled, and the job must finish with the same result as the no-fault run.
 *
 * Needs root and iproute2 (CI has both). Where namespaces cannot be created the test is ignored
 * and says why — it never passes without running.
 */
import assert from "node:assert/strict";
import { col, count, Frontier, sum } from "../../../mod.ts";
import type { Row } from "../../../mod.ts";
import { createSecretFile } from "../../../cluster/deploy/secret_file.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const TAG = `fx${Deno.pid % 10_000}`;
const NS = { driver: `${TAG}-drv`, e1: `${TAG}-e1`, e2: `${TAG}-e2` };
const PORT = 7077;

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { ok: r.success, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

async function ip(...args: string[]): Promise<void> {
  const r = await run("ip", args);
  if (!r.ok) throw new Error(`ip ${args.join(" ")} failed: ${r.out.trim()}`);
}

/** Why namespaces can't be used here, or undefined when they can. */
async function netnsUnavailable(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return `network namespaces need Linux, this is ${Deno.build.os}`;
  try {
    const probe = `${TAG}-probe`;
    const r = await run("ip", ["netns", "add", probe]);
    if (!r.ok) return `cannot create a network namespace (needs root): ${r.out.trim()}`;
    await run("ip", ["netns", "del", probe]);
    return undefined;
  } catch (e) {
    return `iproute2 is not usable: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** driver ns ⇄ root (10.213.0.0/30), driver ⇄ e1 (10.213.1.0/30), driver ⇄ e2 (10.213.2.0/30). */
async function buildTopology(): Promise<void> {
  for (const ns of Object.values(NS)) {
    await ip("netns", "add", ns);
    await ip("-n", ns, "link", "set", "lo", "up");
  }
  const link = async (
    a: string | undefined,
    aIf: string,
    aAddr: string,
    b: string,
    bIf: string,
    bAddr: string,
  ) => {
    await ip("link", "add", aIf, "type", "veth", "peer", "name", bIf);
    if (a) await ip("link", "set", aIf, "netns", a);
    await ip("link", "set", bIf, "netns", b);
    await ip(...(a ? ["-n", a] : []), "addr", "add", aAddr, "dev", aIf);
    await ip(...(a ? ["-n", a] : []), "link", "set", aIf, "up");
    await ip("-n", b, "addr", "add", bAddr, "dev", bIf);
    await ip("-n", b, "link", "set", bIf, "up");
  };
  await link(undefined, `${TAG}r0`, "10.213.0.1/30", NS.driver, `${TAG}d0`, "10.213.0.2/30");
  await link(NS.driver, `${TAG}d1`, "10.213.1.1/30", NS.e1, `${TAG}x1`, "10.213.1.2/30");
  await link(NS.driver, `${TAG}d2`, "10.213.2.1/30", NS.e2, `${TAG}x2`, "10.213.2.2/30");
}

async function teardown(): Promise<void> {
  for (const ns of Object.values(NS)) await run("ip", ["netns", "del", ns]);
  await run("ip", ["link", "del", `${TAG}r0`]);
}

/** Reads stdout lines until one starts with `prefix`. */
async function waitForLine(stream: ReadableStream<Uint8Array>, prefix: string): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`process ended before printing "${prefix}"`);
      buf += value;
      const line = buf.split("\n").find((l) => l.startsWith(prefix));
      if (line) return line.slice(prefix.length).trim();
    }
  } finally {
    reader.releaseLock();
  }
}

function deno(ns: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

function theJob(fx: Frontier) {
  return fx.range(0, 3_000_000, { partitions: 32 })
    .withColumn("k", col("id").times(7919).mod(1000))
    .withColumn("v", col("id").mod(97).div(4))
    .groupBy("k")
    .agg(count().alias("n"), sum("v").alias("s"))
    .sort("k");
}

const unavailable = await netnsUnavailable();
if (unavailable) console.warn(`multi-host netns test ignored: ${unavailable}`);

Deno.test({
  name:
    "multi-host: an executor whose link is cut mid-job is detected, its work rescheduled, and the result is unchanged",
  ignore: unavailable !== undefined,
  sanitizeResources: false, // child processes' stdout pipes are closed by kill(); checked below instead
  fn: async () => {
    const secret = await createSecretFile();
    const procs: Deno.ChildProcess[] = [];
    try {
      await buildTopology();
      const driver = deno(NS.driver, [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "scripts/cli/cluster.ts",
        "--executors",
        "0",
        "--host",
        "0.0.0.0",
        "--port",
        String(PORT),
        "--secret-file",
        secret.path,
        "--heartbeat-timeout-ms",
        "3000",
      ]);
      procs.push(driver);
      await waitForLine(driver.stdout, "driver=");
      for (
        const [ns, gw, host] of [[NS.e1, "10.213.1.1", "10.213.1.2"], [
          NS.e2,
          "10.213.2.1",
          "10.213.2.2",
        ]] as const
      ) {
        procs.push(deno(ns, [
          "run",
          "--no-prompt",
          `--allow-net=${gw}:${PORT}`,
          `--allow-read=${secret.path}`,
          "cluster/deploy/executor_main.ts",
          "--driver",
          `ws://${gw}:${PORT}`,
          "--secret-file",
          secret.path,
          "--host",
          host,
        ]));
      }
      await using fx = await Frontier.connect(`ws://10.213.0.2:${PORT}`, { secret: secret.secret });
      for (let i = 0; (await fx.status()).executors.filter((e) => e.state === "alive").length < 2; i++) {
        assert.ok(i < 600, "both executors joined within 60 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      const hosts = (await fx.status()).executors.map((e) => e.host).sort();
      assert.deepEqual(hosts, ["10.213.1.2", "10.213.2.2"], "each executor is on its own host address");

      const t0 = performance.now();
      const baseline: Row[] = await theJob(fx).collect();
      const baselineMs = performance.now() - t0;
      assert.equal(baseline.length, 1000);
      assert.equal(baseline.reduce((a, r) => a + (r["n"] as number), 0), 3_000_000);

      // Run again and cut e1's link once it has work in flight.
      const t1 = performance.now();
      const faulty = theJob(fx).collect();
      let cutAt = -1;
      for (let i = 0; i < 2000; i++) {
        const st = await fx.status();
        const e1 = st.executors.find((e) => e.host === "10.213.1.2" && e.state === "alive");
        if (e1 && e1.runningTasks > 0) {
          await ip("-n", NS.e1, "link", "set", `${TAG}x1`, "down");
          cutAt = performance.now() - t1;
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(cutAt >= 0, "the link was cut while e1 was running tasks");
      const result = await faulty;
      const faultyMs = performance.now() - t1;
      console.log(
        `multi-host: baseline ${baselineMs.toFixed(0)} ms; link cut at ${cutAt.toFixed(0)} ms; job done at ${
          faultyMs.toFixed(0)
        } ms`,
      );
      assert.deepEqual(result, baseline);
      const after = await fx.status();
      const e1 = after.executors.find((e) => e.host === "10.213.1.2")!;
      assert.equal(e1.state, "dead", "the cut executor is detected as dead");
      assert.equal(after.executors.find((e) => e.host === "10.213.2.2")!.state, "alive");
    } finally {
      for (const p of procs) {
        try {
          p.kill("SIGKILL");
        } catch { /* already gone */ }
        await p.status;
        await p.stdout.cancel().catch(() => {});
      }
      await teardown();
      await Deno.remove(secret.path).catch(() => {});
    }
  },
});
