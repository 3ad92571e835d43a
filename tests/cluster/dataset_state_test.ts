import assert from "node:assert/strict";
import { FakeClock, flushMicrotasks } from "../../actors/clock.ts";
import { Dataset } from "../../mod.ts";
import { decodeWelcome } from "../../cluster/protocol.ts";
import { Driver } from "../../cluster/driver/driver.ts";
import { Executor } from "../../cluster/executor/executor.ts";
import { localEngine } from "../../cluster/frontier.ts";
import { createMemoryPair } from "../../cluster/transport/memory.ts";
import type { Engine } from "../../cluster/engine.ts";

const FIXTURE = new URL("./fixtures/partition_fns.ts", import.meta.url).href;
const HEARTBEAT_MS = 500;

/**
 * A driver and real executors in this isolate over memory connections on one fake clock, so the
 * state bytes executors report can be read without sleeping.
 */
async function startCluster(executors: number, stateBudgetBytes?: number): Promise<{
  engine: Engine;
  /** Fires one heartbeat per executor and returns the state bytes each reported. */
  stateBytes(): Promise<number[]>;
  stop(): Promise<void>;
}> {
  const clock = new FakeClock(0);
  const driver = new Driver({ clock }, { modules: [FIXTURE] });
  const runs: Promise<void>[] = [];
  for (let i = 0; i < executors; i++) {
    const [driverSide, executorSide] = createMemoryPair();
    runs.push((async () => {
      const welcome = decodeWelcome((await executorSide.receive())?.header);
      const executor = new Executor({ connection: executorSide, clock }, {
        executorId: welcome.executorId,
        slots: welcome.slots,
        heartbeatMs: welcome.heartbeatMs,
        allowedModules: welcome.allowedModules,
        ...(stateBudgetBytes === undefined ? {} : { stateBudgetBytes }),
      });
      await executor.run();
    })());
    await driver.addExecutor(driverSide, { host: "test", pid: i, slots: 2, kind: "memory" }, {
      heartbeatMs: HEARTBEAT_MS,
    });
  }
  return {
    engine: localEngine(driver, executors * 2),
    async stateBytes() {
      await flushMicrotasks(200); // messages already sent (e.g. state.release) are handled first
      clock.advance(HEARTBEAT_MS);
      for (let turn = 0; turn < 1_000; turn++) {
        const status = driver.status();
        if (status.executors.every((e) => e.lastHeartbeatAgoMs === 0)) {
          return status.executors.map((e) => e.stateBytes);
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

async function visits(ds: Dataset, args: { prefix: string; bytes?: number }): Promise<number[]> {
  const v = await ds.aggregatePartitions({
    module: FIXTURE,
    fold: "stateVisits",
    merge: "concatFloats",
    args,
  });
  assert.ok(v instanceof Float64Array);
  return [...v];
}

Deno.test("per-partition state stays on the executor between jobs, is counted in its status, and releaseState drops it", async () => {
  const cluster = await startCluster(2);
  try {
    const range = new Dataset(cluster.engine, { op: "range", start: 0, end: 1_000, step: 1, partitions: 4 });
    const cached = range.cache();
    assert.equal(await cached.count(), 1_000);
    assert.deepEqual(await cluster.stateBytes(), [0, 0]);

    assert.deepEqual(await visits(cached, { prefix: "t/" }), [1, 1, 1, 1]);
    // Tasks over a cached dataset run where its partitions are, so each finds its own state.
    assert.deepEqual(await visits(cached, { prefix: "t/" }), [2, 2, 2, 2]);
    assert.deepEqual(await visits(cached, { prefix: "u/" }), [1, 1, 1, 1], "keys are the caller's");
    const held = await cluster.stateBytes();
    assert.equal(held[0]! + held[1]!, 8 * 1000, `state bytes ${held}`);
    assert.ok(held.every((b) => b > 0), "both executors hold state");

    await cached.releaseState("t/");
    assert.equal((await cluster.stateBytes()).reduce((a, b) => a + b), 4 * 1000, "only t/ is released");
    assert.deepEqual(await visits(cached, { prefix: "t/" }), [1, 1, 1, 1], "released state starts over");
    await cached.releaseState("t/");
    await cached.releaseState("u/");
    assert.deepEqual(await cluster.stateBytes(), [0, 0]);
    await assert.rejects(cached.releaseState(""), TypeError);
  } finally {
    await cluster.stop();
  }
});

Deno.test("a state value larger than the executor's state budget is not kept", async () => {
  const cluster = await startCluster(2, 4_096);
  try {
    const ds = new Dataset(cluster.engine, { op: "range", start: 0, end: 100, step: 1, partitions: 2 })
      .cache();
    assert.deepEqual(await visits(ds, { prefix: "big/", bytes: 5_000 }), [1, 1]);
    assert.deepEqual(await visits(ds, { prefix: "big/", bytes: 5_000 }), [1, 1], "nothing was kept");
    assert.deepEqual(await cluster.stateBytes(), [0, 0]);
    assert.deepEqual(await visits(ds, { prefix: "small/", bytes: 4_000 }), [1, 1]);
    assert.deepEqual(await visits(ds, { prefix: "small/", bytes: 4_000 }), [2, 2]);
  } finally {
    await cluster.stop();
  }
});
