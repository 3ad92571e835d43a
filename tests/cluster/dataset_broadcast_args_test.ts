import assert from "node:assert/strict";
import { FakeClock, flushMicrotasks } from "../../actors/clock.ts";
import { Dataset, type Schema } from "../../mod.ts";
import { decodeWelcome } from "../../cluster/protocol.ts";
import { type ClusterStatus, Driver } from "../../cluster/driver/driver.ts";
import { Executor } from "../../cluster/executor/executor.ts";
import { localEngine } from "../../cluster/frontier.ts";
import { createMemoryPair } from "../../cluster/transport/memory.ts";
import type { Engine } from "../../cluster/engine.ts";
import { MAX_ARGS_BYTES, MAX_BROADCAST_ARGS_BYTES } from "../../cluster/util/partition_value.ts";

const FIXTURE = new URL("./fixtures/partition_fns.ts", import.meta.url).href;
const HEARTBEAT_MS = 500;
const TAGGED: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "part", type: "long", nullable: false },
  { name: "scaled", type: "double", nullable: false },
];

/**
 * A driver and real executors in this isolate over memory connections on one fake clock, counting
 * the `broadcast.put` frames the driver sends each executor.
 */
async function startCluster(executors: number, stateBudgetBytes?: number): Promise<{
  engine: Engine;
  /** `broadcast.put` frames sent to each executor so far. */
  puts: number[];
  /** Fires one heartbeat per executor and returns the status they reported. */
  status(): Promise<ClusterStatus>;
  stop(): Promise<void>;
}> {
  const clock = new FakeClock(0);
  const driver = new Driver({ clock }, {
    modules: [FIXTURE],
    broadcastThresholdRows: 1_000,
    stateBudgetBytes,
  });
  const runs: Promise<void>[] = [];
  const puts: number[] = [];
  for (let i = 0; i < executors; i++) {
    const [driverSide, executorSide] = createMemoryPair();
    const send = driverSide.send.bind(driverSide);
    puts.push(0);
    driverSide.send = (frame, options) => {
      if ((frame.header as { type?: string }).type === "broadcast.put") puts[i]!++;
      return send(frame, options);
    };
    runs.push((async () => {
      const welcome = decodeWelcome((await executorSide.receive())?.header);
      const executor = new Executor({ connection: executorSide, clock }, {
        executorId: welcome.executorId,
        slots: welcome.slots,
        heartbeatMs: welcome.heartbeatMs,
        allowedModules: welcome.allowedModules,
        stateBudgetBytes: welcome.stateBudgetBytes, // as executor_worker.ts does
      });
      await executor.run();
    })());
    await driver.addExecutor(driverSide, { host: "test", pid: i, slots: 2, kind: "memory" }, {
      heartbeatMs: HEARTBEAT_MS,
    });
  }
  return {
    engine: localEngine(driver, executors * 2),
    puts,
    async status() {
      await flushMicrotasks(200); // messages already sent (e.g. blocks.remove) are handled first
      clock.advance(HEARTBEAT_MS);
      for (let turn = 0; turn < 1_000; turn++) {
        const status = driver.status();
        if (status.executors.every((e) => e.lastHeartbeatAgoMs === 0)) return status;
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

/** Broadcast values (count, bytes) each executor reported in its last heartbeat. */
function held(status: ClusterStatus): [number, number][] {
  return status.executors.map((e) => [e.broadcasts, e.broadcastBytes]);
}

function range(engine: Engine, n: number, partitions: number): Dataset {
  return new Dataset(engine, { op: "range", start: 0, end: n, step: 1, partitions });
}

Deno.test("arguments above the inline limit reach every task as a broadcast, sent once per executor", async () => {
  const cluster = await startCluster(2);
  try {
    const ds = range(cluster.engine, 400, 8);
    const pad = "x".repeat(2 * MAX_ARGS_BYTES);
    const spec = { module: FIXTURE, export: "tag", schema: TAGGED };
    const small = await ds.mapPartitions({ ...spec, args: { factor: 2.5 } }).collect();
    assert.deepEqual(cluster.puts, [0, 0], "small arguments travel inline");
    const big = await ds.mapPartitions({ ...spec, args: { factor: 2.5, pad } }).collect();
    assert.deepEqual(big, small);
    assert.deepEqual(cluster.puts, [1, 1], "8 tasks, one copy per executor");

    const lengths = await ds.aggregatePartitions({
      module: FIXTURE,
      fold: "argsLength",
      merge: "concatFloats",
      args: { pad },
    });
    assert.deepEqual([...(lengths as Float64Array)], Array(8).fill(JSON.stringify({ pad }).length));
    assert.deepEqual(cluster.puts, [2, 2]);

    // The partition seeds do not depend on how the arguments travel.
    const seeded = (args: object) =>
      new Dataset(cluster.engine, {
        op: "generate",
        module: FIXTURE,
        export: "seededRows",
        args: { rows: 50, ...args },
        partitions: 4,
        schema: [{ name: "id", type: "long", nullable: false }, {
          name: "r",
          type: "double",
          nullable: false,
        }],
      }).collect();
    const a = await seeded({});
    const b = await seeded({ pad });
    assert.equal(b.length, 200);
    assert.notDeepEqual(a, b, "different arguments, different seeds");
    assert.deepEqual(await seeded({ pad }), b, "the same large arguments give the same rows");

    assert.match(
      await ds.mapPartitions({ ...spec, args: { factor: 1, pad } }).explain(),
      /MapPartitions\[tag from .*; args by broadcast\]/,
    );
    const status = await cluster.status();
    assert.deepEqual(held(status), [[0, 0], [0, 0]], "every job's broadcasts are freed at its end");
  } finally {
    await cluster.stop();
  }
});

Deno.test("a cached dataset keeps the broadcasts of its lineage until unpersist, and the executors release them", async () => {
  const cluster = await startCluster(2);
  try {
    const pad = "y".repeat(MAX_ARGS_BYTES + 1);
    const cached = range(cluster.engine, 200, 4)
      .mapPartitions({ module: FIXTURE, export: "tag", schema: TAGGED, args: { factor: 3, pad } })
      .cache();
    assert.equal(await cached.count(), 200);
    const during = held(await cluster.status());
    const argsBytes = JSON.stringify({ factor: 3, pad }).length;
    assert.deepEqual(during, [[1, argsBytes], [1, argsBytes]], "kept: the cache's lineage reads them");
    assert.equal(await cached.count(), 200);
    assert.deepEqual(cluster.puts, [1, 1], "a second job over the cache sends nothing again");

    // A broadcast join's side is a job's broadcast too: freed when the job ends.
    const right = range(cluster.engine, 10, 1);
    const joined = await cached.join(right, "id", "inner", { strategy: "broadcast" }).count();
    assert.equal(joined, 10);
    assert.deepEqual(held(await cluster.status()), during, "the join side is gone, the cached args stay");

    await cached.unpersist();
    assert.deepEqual(held(await cluster.status()), [[0, 0], [0, 0]]);
  } finally {
    await cluster.stop();
  }
});

Deno.test("arguments above the broadcast limit are refused where the dataset is built", () => {
  const engine = { defaultParallelism: 1 } as unknown as Engine;
  const ds = range(engine, 10, 1);
  const huge = "z".repeat(MAX_BROADCAST_ARGS_BYTES);
  assert.throws(
    () => ds.mapPartitions({ module: FIXTURE, export: "tag", schema: TAGGED, args: huge }),
    (e: unknown) =>
      e instanceof RangeError && new RegExp(`at most ${MAX_BROADCAST_ARGS_BYTES} travel`).test(e.message),
  );
});

Deno.test("the driver's stateBudgetBytes reaches every executor in its welcome and comes back in its status", async () => {
  const cluster = await startCluster(2, 12_345);
  try {
    const status = await cluster.status();
    assert.deepEqual(status.executors.map((e) => e.stateBudgetBytes), [12_345, 12_345]);
  } finally {
    await cluster.stop();
  }
  const defaults = await startCluster(1);
  try {
    assert.deepEqual((await defaults.status()).executors.map((e) => e.stateBudgetBytes), [2 ** 30]);
  } finally {
    await defaults.stop();
  }
});
