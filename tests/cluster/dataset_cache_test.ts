import assert from "node:assert/strict";
import { FakeClock, flushMicrotasks } from "../../actors/clock.ts";
import { col, Dataset } from "../../mod.ts";
import { decodeWelcome } from "../../cluster/protocol.ts";
import { Driver } from "../../cluster/driver/driver.ts";
import { Executor } from "../../cluster/executor/executor.ts";
import { localEngine } from "../../cluster/frontier.ts";
import { createMemoryPair } from "../../cluster/transport/memory.ts";
import type { Engine } from "../../cluster/engine.ts";

const HEARTBEAT_MS = 500;

/**
 * A driver and real executors in this isolate, over memory connections, on one fake clock: the
 * executors an embedded cluster runs in Web Workers, but with heartbeats that fire when the test
 * says, so the block bytes they report can be read without sleeping.
 */
async function startCluster(executors: number): Promise<{
  engine: Engine;
  /** Fires one heartbeat per executor and returns the block bytes each reported. */
  heartbeat(): Promise<number[]>;
  stop(): Promise<void>;
}> {
  const clock = new FakeClock(0);
  const driver = new Driver({ clock }, { shufflePartitions: 3 });
  const runs: Promise<void>[] = [];
  for (let i = 0; i < executors; i++) {
    const [driverSide, executorSide] = createMemoryPair();
    runs.push((async () => {
      const welcome = decodeWelcome((await executorSide.receive())?.header);
      const executor = new Executor({ connection: executorSide, clock }, {
        executorId: welcome.executorId,
        slots: welcome.slots,
        heartbeatMs: welcome.heartbeatMs,
      });
      await executor.run();
    })());
    await driver.addExecutor(driverSide, { host: "test", pid: i, slots: 4, kind: "memory" }, {
      heartbeatMs: HEARTBEAT_MS,
    });
  }
  return {
    engine: localEngine(driver, executors * 4),
    async heartbeat() {
      await flushMicrotasks(200); // messages already sent (e.g. blocks.remove) are handled first
      clock.advance(HEARTBEAT_MS);
      for (let turn = 0; turn < 1_000; turn++) {
        const status = driver.status();
        if (status.executors.every((e) => e.lastHeartbeatAgoMs === 0)) {
          return status.executors.map((e) => e.blockBytes);
        }
        await flushMicrotasks(1);
      }
      throw new Error("no heartbeat arrived after the clock passed the heartbeat interval");
    },
    async stop() {
      await driver.stop();
      await Promise.all(runs);
    },
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

Deno.test("unpersist frees a cached dataset's blocks on every executor; other jobs' shuffle blocks never stay", async () => {
  const cluster = await startCluster(2);
  try {
    assert.deepEqual(await cluster.heartbeat(), [0, 0]);
    const range = new Dataset(cluster.engine, { op: "range", start: 0, end: 10_000, step: 1, partitions: 4 });
    const cached = range.withColumn("x", col("id").mod(13)).cache();

    assert.equal(await cached.count(), 10_000);
    const held = await cluster.heartbeat();
    assert.ok(held.every((b) => b > 0), `each executor holds cached partitions: ${held}`);
    // Two 8-byte columns of 10,000 rows, Arrow IPC framing on top.
    assert.ok(sum(held) >= 160_000, `cached bytes ${sum(held)}`);

    const groups = await cached.groupBy("x").count().collect();
    assert.equal(groups.length, 13);
    assert.deepEqual(
      await cluster.heartbeat(),
      held,
      "the group-by's shuffle blocks are removed after its job",
    );

    await cached.unpersist();
    assert.deepEqual(await cluster.heartbeat(), [0, 0], "unpersist frees every cached block");

    assert.equal(await cached.count(), 10_000, "an unpersisted dataset is computed again");
    assert.equal(sum(await cluster.heartbeat()), sum(held), "and cached again, at the same size");
    await cached.unpersist();
    assert.deepEqual(await cluster.heartbeat(), [0, 0]);
  } finally {
    await cluster.stop();
  }
});
