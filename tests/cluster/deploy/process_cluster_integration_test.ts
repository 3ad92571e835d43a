/**
 * Process mode end to end: real executor processes, real WebSockets on 127.0.0.1 port 0.
 * Fault tests kill executors with SIGKILL mid-job and compare with the no-fault result.
 */
import assert from "node:assert/strict";
import { systemClock } from "../../../actors/clock.ts";
import { AbortedError } from "../../../actors/errors.ts";
import { AuthenticationError } from "../../../cluster/errors.ts";
import { authenticateClient } from "../../../cluster/transport/auth.ts";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../../cluster/columnar/batch_ops.ts";
import { CONTACT_DATE_MODULE, withContactDate } from "../../../cluster/sources/bank/contact_date.ts";
import type { NodeHello } from "../../../cluster/deploy/client_protocol.ts";
import { col, count, sum } from "../../../cluster/expr/column.ts";
import { Dataset } from "../../../cluster/dataset.ts";
import { Driver } from "../../../cluster/driver/driver.ts";
import type { Engine } from "../../../cluster/engine.ts";
import {
  encodeClose,
  encodeCredit,
  encodeFrame,
  FrameDecoder,
} from "../../../cluster/transport/frame_codec.ts";
import { Frontier, localEngine } from "../../../cluster/frontier.ts";
import { type ProcessCluster, startProcessCluster } from "../../../cluster/deploy/process_cluster.ts";
import { createSecretFile, readSecretFile } from "../../../cluster/deploy/secret_file.ts";
import type { Connection } from "../../../actors/connection.ts";
import { createLinkConnection } from "../../../cluster/transport/link.ts";

const KEYS = 97;
const FIXTURE = new URL("../fixtures/partition_fns.ts", import.meta.url).href;

/** range → k = id % 97 → groupBy(k).agg(count, sum) → sort(k). */
function shuffleJob(source: Dataset): Dataset {
  return source.withColumn("k", col("id").mod(KEYS)).groupBy("k").agg(count().as("n"), sum("id").as("total"))
    .sort("k");
}

function rangeOn(engine: Engine, n: number, partitions: number): Dataset {
  return new Dataset(engine, { op: "range", start: 0, end: n, step: 1, partitions });
}

/** The same aggregation computed here, row by row. */
function reference(n: number): Row[] {
  const rows: Row[] = [];
  for (let k = 0; k < Math.min(KEYS, n); k++) {
    const c = Math.floor((n - 1 - k) / KEYS) + 1; // ids k, k+97, … below n
    rows.push({ k, n: c, total: c * k + (KEYS * (c - 1) * c) / 2 });
  }
  return rows;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: Math.round(performance.now() - t0) };
}

async function startCluster(
  executors: number,
  options: { writeDirs?: string[]; memoryBudgetBytes?: number; modules?: string[] } = {},
) {
  const modules = options.modules ?? [];
  const driver = new Driver({ clock: systemClock }, { shufflePartitions: 8, modules });
  let pc: ProcessCluster;
  try {
    pc = await startProcessCluster(driver, {
      executors,
      slots: 2,
      modules,
      readDirs: [],
      writeDirs: options.writeDirs ?? [],
      memoryBudgetBytes: options.memoryBudgetBytes,
    });
  } catch (e) {
    await driver.stop();
    throw e;
  }
  return {
    driver,
    pc,
    engine: localEngine(driver, executors * 2),
    async stop() {
      await driver.stop();
      await pc.stop();
    },
  };
}

Deno.test("a 3-executor process cluster runs a shuffle job with the embedded-mode and reference result", async () => {
  const n = 200_000;
  const { value: fx, ms: startMs } = await timed(() =>
    Frontier.start({ mode: "process", executors: 3, shufflePartitions: 8 })
  );
  try {
    const status = await fx.status();
    assert.equal(status.executors.length, 3);
    assert.ok(
      status.executors.every((e) => e.state === "alive" && e.kind === "process" && e.pid !== Deno.pid),
    );
    const { value: rows, ms } = await timed(() => shuffleJob(fx.range(0, n, { partitions: 12 })).collect());
    console.log(
      `process mode: started 3 executors in ${startMs} ms; shuffle job over ${n} rows took ${ms} ms`,
    );
    assert.deepEqual(rows, reference(n));
    await using embedded = await Frontier.start({ executors: 2, shufflePartitions: 8 });
    const embeddedRows = await shuffleJob(embedded.range(0, n, { partitions: 12 })).collect();
    assert.deepEqual(rows, embeddedRows);
  } finally {
    await fx.stop();
  }
});

Deno.test("SIGKILL of an executor mid-job yields the no-fault result (3 seeds); a respawned executor rejoins with a new epoch", async () => {
  const n = 1_000_000;
  const partitions = 24;
  const c = await startCluster(3);
  try {
    const expected = reference(n);
    const noFault = await timed(() => shuffleJob(rangeOn(c.engine, n, partitions)).collect());
    assert.deepEqual(noFault.value, expected);
    console.log(`no-fault job over ${n} rows, ${partitions} partitions: ${noFault.ms} ms`);
    for (const seed of [1, 2, 3]) {
      const random = mulberry32(seed);
      const alive = c.driver.status().executors.filter((e) => e.state === "alive");
      const victim = alive[Math.floor(random() * alive.length)]!;
      const delayMs = Math.round((0.1 + 0.4 * random()) * noFault.ms);
      let settled = false;
      const t0 = performance.now();
      const job = shuffleJob(rangeOn(c.engine, n, partitions)).collect().finally(() => settled = true);
      await systemClock.sleep(delayMs);
      const progress = c.driver.status().jobs.filter((j) => j.state === "running")
        .flatMap((j) =>
          j.stages.map((s) => `stage ${s.id}: ${s.done}/${s.partitions} done, ${s.running} running`)
        );
      const killedAt = Math.round(performance.now() - t0);
      Deno.kill(victim.pid, "SIGKILL");
      assert.equal(
        settled,
        false,
        `seed ${seed}: the job finished before the kill at ${killedAt} ms; make it longer`,
      );
      const rows = await job;
      const totalMs = Math.round(performance.now() - t0);
      console.log(
        `seed ${seed}: SIGKILL ${victim.id} at ${killedAt} ms [${progress.join("; ") || "planning"}]; ` +
          `job finished at ${totalMs} ms (no-fault ${noFault.ms} ms)`,
      );
      assert.deepEqual(rows, expected, `seed ${seed}: result differs from the no-fault run`);
      const dead = c.driver.status().executors.find((e) => e.id === victim.id);
      assert.equal(dead?.state, "dead");

      const maxEpoch = Math.max(...c.driver.status().executors.map((e) => e.epoch));
      const respawn = await timed(() => c.pc.spawnExecutor());
      const newest = c.pc.executors.at(-1)!;
      const joined = c.driver.status().executors.find((e) => e.pid === newest.pid);
      assert.ok(joined, "the respawned executor is in the driver's status");
      assert.equal(joined.state, "alive");
      assert.ok(joined.epoch > maxEpoch, `new epoch ${joined.epoch} > ${maxEpoch}`);
      assert.equal(c.driver.aliveExecutors().length, 3);
      console.log(`seed ${seed}: respawned executor ${joined.id} joined in ${respawn.ms} ms`);
    }
  } finally {
    await c.stop();
  }
  // Every child was awaited: none is left running.
  for (const e of c.pc.executors) assert.ok((await e.child.status).code !== undefined);
});

Deno.test("process cluster: wrong secrets are rejected, garbage leaves the driver up, and Frontier.connect runs jobs", async (t) => {
  const n = 200_000;
  // A 0-byte block budget: every shuffle block is spilled, so every job below also checks that
  // executors may write, stat and read their spill directory.
  const out = await Deno.makeTempDir({ prefix: "frontier-out-" });
  const c = await startCluster(2, { writeDirs: [out], memoryBudgetBytes: 0, modules: [FIXTURE] });
  try {
    const expected = reference(n);
    const secret = await readSecretFile(c.pc.secretFile);

    await t.step("an executor process with a wrong secret exits 1 and is counted as rejected", async () => {
      const wrong = await createSecretFile();
      try {
        const before = c.pc.stats().rejected;
        const executors = c.driver.status().executors.length;
        const args = c.pc.executorArgs.map((a) => a.replaceAll(c.pc.secretFile, wrong.path));
        const out = await new Deno.Command(Deno.execPath(), {
          args,
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 1, stderr);
        assert.match(stderr, /cannot join the driver/);
        assert.equal(c.pc.stats().rejected, before + 1);
        assert.equal(c.driver.status().executors.length, executors);
      } finally {
        await Deno.remove(wrong.path);
      }
    });

    await t.step("garbage before authentication is rejected and the connection closed", async () => {
      const before = c.pc.stats().rejected;
      const ws = new WebSocket(c.pc.address);
      ws.binaryType = "arraybuffer";
      const closed = new Promise<void>((resolve) =>
        ws.addEventListener("close", () => resolve(), { once: true })
      );
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      ws.send(encodeCredit(64)); // lets the server answer with auth.reject instead of waiting for credit
      const random = mulberry32(7);
      for (let i = 0; i < 50; i++) {
        ws.send(Uint8Array.from({ length: 1 + (i * 37) % 300 }, () => Math.floor(random() * 256)));
      }
      ws.send("not binary");
      ws.send(encodeFrame(new TextEncoder().encode("{not json"), undefined)[0]!);
      // A well-formed frame that is not an authentication message ends the handshake at once.
      ws.send(encodeFrame(new TextEncoder().encode(`{"v":1,"type":"job.submit"}`), undefined)[0]!);
      await closed;
      // The server counts the rejection right after closing the socket.
      for (let i = 0; i < 200 && c.pc.stats().rejected === before; i++) await systemClock.sleep(5);
      assert.equal(c.pc.stats().rejected, before + 1);
    });

    await t.step(
      "malformed frames and requests after a valid client authentication get errors, not a crash",
      async () => {
        const { conn, socket } = await rawDial(c.pc.address);
        try {
          await authenticateClient(conn, {
            secret,
            hello: hello("client"),
            timeoutMs: 10_000,
          });
          const welcome = await conn.receive();
          assert.equal((welcome?.header as { type?: string }).type, "session.welcome");
          const requestsBefore = c.pc.stats().malformedRequests;
          let deep: unknown = { op: "range", start: 0, end: 1, step: 1, partitions: 1 };
          for (let i = 0; i < 5_000; i++) deep = { op: "limit", n: 1, input: deep };
          const bad: unknown[] = [
            { v: 1, type: "nope", reqId: 1 },
            { v: 2, type: "cluster.status", reqId: 2 },
            { v: 1, type: "job.submit", reqId: 3, plan: deep, action: { kind: "collect" } },
            {
              v: 1,
              type: "job.submit",
              reqId: 4,
              plan: { op: "range", start: 0, end: 5, step: 0, partitions: 1 },
              action: { kind: "count" },
            },
            {
              v: 1,
              type: "data.put",
              reqId: 5,
              schema: [{ name: "x", type: "long", nullable: false }],
              partitionRows: [3],
            },
            "just a string",
          ];
          for (const header of bad) await conn.send({ header });
          for (let i = 0; i < bad.length; i++) {
            const reply = (await conn.receive())?.header as { type?: string; error?: { name?: string } };
            assert.equal(reply.type, "error");
            assert.equal(reply.error?.name, "MalformedMessageError");
          }
          assert.equal(c.pc.stats().malformedRequests, requestsBefore + bad.length);
          // Invalid JSON headers are dropped and counted by the transport; the session goes on.
          for (let i = 0; i < 20; i++) {
            socket.send(encodeFrame(new TextEncoder().encode(`{"v":1,"type":`), undefined)[0]!);
          }
          await conn.send({ header: { v: 1, type: "cluster.status", reqId: 99 } });
          const status = (await conn.receive())?.header as { type?: string; reqId?: number };
          assert.deepEqual([status.type, status.reqId], ["cluster.status.result", 99]);
          assert.ok(c.pc.stats().malformedFrames >= 20, `malformedFrames ${c.pc.stats().malformedFrames}`);
          // Random binary garbage: counted; the server may close this one connection.
          const random = mulberry32(11);
          for (let i = 0; i < 200; i++) {
            socket.send(Uint8Array.from({ length: 8 + i }, () => Math.floor(random() * 256)));
          }
        } finally {
          await conn.close();
        }
      },
    );

    await t.step("garbage from an authenticated executor is counted by the driver", async () => {
      const before = c.driver.status().malformedFrames;
      const { conn, socket } = await rawDial(c.pc.address);
      try {
        await authenticateClient(conn, {
          secret,
          hello: hello("executor"),
          timeoutMs: 10_000,
        });
        assert.equal((((await conn.receive())?.header) as { type?: string }).type, "executor.welcome");
        for (let i = 0; i < 30; i++) await conn.send({ header: { v: 1, type: "task.finished", taskId: 42 } });
        for (let i = 0; i < 30; i++) socket.send(encodeFrame(new TextEncoder().encode("]]"), undefined)[0]!);
        // Wait for the driver's error replies to the 30 decodable frames.
        let errors = 0;
        while (errors < 30) {
          const f = await conn.receive();
          if (!f) break;
          if ((f.header as { type?: string }).type === "error") errors++;
        }
        assert.equal(errors, 30);
        assert.ok(c.driver.status().malformedFrames >= before + 30);
      } finally {
        await conn.close();
      }
    });

    await t.step("after the flood the driver still runs a job with the reference result", async () => {
      assert.equal(c.driver.aliveExecutors().length, 2);
      const { value: rows, ms } = await timed(() => shuffleJob(rangeOn(c.engine, n, 8)).collect());
      assert.deepEqual(rows, expected);
      const s = c.pc.stats();
      console.log(
        `after the flood: job ${ms} ms; server stats: rejected ${s.rejected}, malformed requests ${s.malformedRequests}, ` +
          `malformed frames ${s.malformedFrames}; driver malformed frames ${c.driver.status().malformedFrames}`,
      );
    });

    await t.step(
      "Frontier.connect submits jobs to the process cluster and gets the same result",
      async () => {
        const { value: fx, ms: connectMs } = await timed(() => Frontier.connect(c.pc.address, { secret }));
        try {
          const { value: rows, ms } = await timed(() =>
            shuffleJob(fx.range(0, n, { partitions: 8 })).collect()
          );
          console.log(`remote client: connected in ${connectMs} ms; job ${ms} ms`);
          assert.deepEqual(rows, expected);
          assert.equal(fx.defaultParallelism, 4);
          const status = await fx.status();
          assert.equal(status.executors.filter((e) => e.state === "alive").length, 2);
          assert.match(await shuffleJob(fx.range(0, 10)).explain(), /\S/);
          const ds = await fx.fromRows(
            Array.from({ length: 100 }, (_, i) => ({ id: i, s: `r${i}` })),
            {
              schema: [{ name: "id", type: "long", nullable: false }, {
                name: "s",
                type: "string",
                nullable: false,
              }],
              partitions: 3,
            },
          );
          const cached = ds.filter(col("id").mod(2).eq(0)).cache();
          assert.equal(await cached.count(), 50);
          assert.deepEqual((await cached.sort("id").limit(2).collect()).map((r) => r["s"]), ["r0", "r2"]);
          await cached.unpersist();
        } finally {
          await fx.stop();
        }
      },
    );

    await t.step(
      "Frontier.connect runs mapPartitions with a built-in carry and aggregatePartitions on process executors",
      async () => {
        const fx = await Frontier.connect(c.pc.address, { secret });
        try {
          // The contact date (a built-in module, loaded by least-privilege executors) over 3 partitions.
          const months = ["may", "jun", "dec", "jan", "mar", "feb", "nov", "jan", "may"];
          const rows = months.map((month, i) => ({ month, day: 1 + i }));
          const schema: Schema = [
            { name: "month", type: "string", nullable: false },
            { name: "day", type: "int", nullable: false },
          ];
          const ds = await fx.fromRows(rows, { schema, partitions: 3 });
          const dated = await ds.mapPartitions({
            module: CONTACT_DATE_MODULE,
            export: "addContactDate",
            schema: [...schema, { name: "contact_date", type: "date", nullable: false }],
            carry: { summarize: "summarize", chain: "chain" },
          }).collect();
          const expected = withContactDate(batchFromRows(schema, rows)).batch.columns[2]!.values;
          assert.deepEqual(dated.map((r) => r["contact_date"]), Array.from(expected as Int32Array));
          // A fold's float64 value comes back through the client session as raw bytes.
          const spec = { module: FIXTURE, fold: "histogram", merge: "addVectors", args: { bins: 5 } };
          const remote = await fx.range(0, 1_000, { partitions: 4 }).aggregatePartitions(spec);
          assert.ok(remote instanceof Float64Array);
          assert.deepEqual(Array.from(remote.subarray(0, 5)), [200, 200, 200, 200, 200]);
          assert.deepEqual(remote, await rangeOn(c.engine, 1_000, 4).aggregatePartitions(spec));
          // Executor-local state through the client session: kept between jobs, released on request.
          const cached = fx.range(0, 1_000, { partitions: 4 }).cache();
          const visits = async () =>
            Array.from(
              await cached.aggregatePartitions({
                module: FIXTURE,
                fold: "stateVisits",
                merge: "concatFloats",
                args: { prefix: "remote/" },
              }) as Float64Array,
            );
          assert.deepEqual(await visits(), [1, 1, 1, 1]);
          assert.deepEqual(await visits(), [2, 2, 2, 2]);
          await cached.releaseState("remote/");
          assert.deepEqual(await visits(), [1, 1, 1, 1]);
          await cached.releaseState("remote/");
          await cached.unpersist();
          // Arguments past the 1 MiB frame header travel in the submit's payload, then as a
          // broadcast to the executors.
          const pad = "p".repeat(1_200_000);
          const tagged = await fx.range(0, 100, { partitions: 4 }).mapPartitions({
            module: FIXTURE,
            export: "tag",
            schema: [
              { name: "id", type: "long", nullable: false },
              { name: "part", type: "long", nullable: false },
              { name: "scaled", type: "double", nullable: false },
            ],
            args: { factor: 2, pad },
          }).collect();
          assert.deepEqual(tagged.map((r) => r["scaled"]), Array.from({ length: 100 }, (_, i) => 2 * i));
        } finally {
          await fx.stop();
        }
      },
    );

    await t.step("executors write job output into writeDirs, and nowhere else", async () => {
      const dir = `${out}/parquet`;
      const r = await rangeOn(c.engine, 1000, 4).write.parquet(dir);
      assert.equal(r.rows, 1000);
      assert.equal(r.files.length, 4);
      for (const f of r.files) assert.ok((await Deno.stat(f.path)).size > 0);
      const outside = await Deno.makeTempDir({ prefix: "frontier-not-allowed-" });
      try {
        await assert.rejects(
          rangeOn(c.engine, 10, 1).write.csv(outside),
          /NotCapable|write access|permission/i,
        );
      } finally {
        await Deno.remove(outside, { recursive: true });
      }
    });

    // Last: the driver may keep working on a cancelled job's planning sub-jobs for a while.
    await t.step("aborting a remote job's signal rejects it with AbortedError", async () => {
      const fx = await Frontier.connect(c.pc.address, { secret });
      try {
        const ac = new AbortController();
        const long = shuffleJob(fx.range(0, 50_000_000, { partitions: 64 })).collect({ signal: ac.signal });
        await systemClock.sleep(200);
        ac.abort();
        await assert.rejects(long, AbortedError);
        // The session is still usable after the cancel.
        assert.equal((await fx.status()).executors.filter((e) => e.state === "alive").length, 2);
      } finally {
        await fx.stop();
      }
    });

    await t.step("Frontier.connect with a wrong secret fails with AuthenticationError", async () => {
      const wrong = crypto.getRandomValues(new Uint8Array(32));
      await assert.rejects(Frontier.connect(c.pc.address, { secret: wrong }), AuthenticationError);
    });
  } finally {
    await c.stop();
    await Deno.remove(out, { recursive: true });
  }
});

function hello(role: NodeHello["role"]): NodeHello {
  return { role, host: "127.0.0.1", pid: Deno.pid, slots: role === "executor" ? 1 : 0 };
}

/** A connection over a WebSocket whose raw socket the test can also write garbage to. */
async function rawDial(url: string): Promise<{ conn: Connection; socket: WebSocket }> {
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  const closed = new Promise<void>((resolve) =>
    socket.addEventListener("close", () => resolve(), { once: true })
  );
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  const encoder = new TextEncoder();
  const decoder = new FrameDecoder({ maxHeaderBytes: 1 << 20, maxPayloadBytes: 1 << 30 });
  const { connection, inbound } = createLinkConnection({
    post(m) {
      if (socket.readyState !== WebSocket.OPEN) throw new Error("socket is closed");
      if (m.kind === "frame") {
        for (const part of encodeFrame(encoder.encode(m.header), m.payload)) socket.send(part);
      } else if (m.kind === "credit") socket.send(encodeCredit(m.n));
      else socket.send(encodeClose(m.reason));
    },
    async release() {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
        socket.close(1000);
      }
      await closed;
    },
  }, { remoteAddress: url });
  socket.addEventListener("message", (event: MessageEvent) => {
    if (!(event.data instanceof ArrayBuffer)) return;
    const d = decoder.decode(new Uint8Array(event.data));
    if (d.kind === "frame" || d.kind === "credit" || d.kind === "close") inbound.deliver(d);
    else if (d.kind === "malformed") inbound.malformed(d.droppedFrame);
    else if (d.kind === "fatal") inbound.fail(d.reason);
  });
  socket.addEventListener("close", () => inbound.fail("socket closed"));
  return { conn: connection, socket };
}
