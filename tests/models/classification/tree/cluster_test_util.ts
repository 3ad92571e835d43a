/**
 * Data and clusters for the cluster training tests: the XOR sample as a dataset, and a driver
 * with in-isolate executors on a fake clock whose heartbeats (state bytes) fire on demand.
 *
 * @module
 */
import { FakeClock, flushMicrotasks } from "../../../../actors/clock.ts";
import type { Batch } from "../../../../cluster/columnar/batch.ts";
import { Dataset } from "../../../../cluster/dataset.ts";
import { Driver } from "../../../../cluster/driver/driver.ts";
import { Executor } from "../../../../cluster/executor/executor.ts";
import { type Frontier, localEngine } from "../../../../cluster/frontier.ts";
import { fitGbtCluster } from "../../../../models/classification/gbt/fit_cluster.ts";
import { fitForestCluster } from "../../../../models/classification/random_forest/fit_cluster.ts";
import { decodeWelcome } from "../../../../cluster/protocol.ts";
import { createMemoryPair } from "../../../../cluster/transport/memory.ts";
import type { Engine } from "../../../../cluster/engine.ts";
import { xorSample } from "./tree_test_util.ts";

/** Feature columns of {@linkcode xorBatch}: two numeric, one categorical (`cat`), one noise. */
export const XOR_FEATURES = ["x0", "x1", "cat", "noise"];

/** The XOR sample with labels `y` and row weights `w` (non-integer, heavier positives). */
export function xorBatch(rows: number, seed: number, options: { noise?: number } = {}): Batch {
  const s = xorSample(rows, { seed, noise: options.noise ?? 0.05 });
  const w = s.labels.map((y, i) => (y === 1 ? 2.5 : 1) * (1 + (i % 5) / 7));
  return {
    schema: [...XOR_FEATURES, "y", "w"].map((name) => ({ name, type: "double" as const, nullable: true })),
    length: rows,
    columns: [...s.columns, s.labels, w].map((values) => ({ type: "double" as const, values })),
  };
}

/** The columns of {@linkcode xorBatch} as cluster training reads them. */
export const XOR_COLUMNS = { features: XOR_FEATURES, categorical: ["cat"], label: "y", weight: "w" } as const;

/** A driver and in-isolate executors on a fake clock; `stateBytes()` fires one heartbeat each. */
export async function startMemoryCluster(executors: number): Promise<{
  engine: Engine;
  fromBatch(batch: Batch, partitions: number): Dataset;
  /** State bytes each executor holds now (read in-isolate, no heartbeat). */
  heldState(): number[];
  /** State bytes each executor reported in a heartbeat fired now. */
  stateBytes(): Promise<number[]>;
  stop(): Promise<void>;
}> {
  const clock = new FakeClock(0);
  const driver = new Driver({ clock });
  const runs: Promise<void>[] = [];
  const started: Executor[] = [];
  for (let i = 0; i < executors; i++) {
    const [driverSide, executorSide] = createMemoryPair();
    runs.push((async () => {
      const welcome = decodeWelcome((await executorSide.receive())?.header);
      const executor = new Executor({ connection: executorSide, clock }, {
        executorId: welcome.executorId,
        slots: welcome.slots,
        heartbeatMs: welcome.heartbeatMs,
        allowedModules: welcome.allowedModules,
      });
      started.push(executor);
      await executor.run();
    })());
    await driver.addExecutor(driverSide, { host: "test", pid: i, slots: 2, kind: "memory" }, {
      heartbeatMs: 500,
    });
  }
  const engine = localEngine(driver, executors * 2);
  return {
    engine,
    fromBatch(batch, partitions) {
      const parts = Array.from(
        { length: partitions },
        (_, p) =>
          sliceRows(
            batch,
            Math.floor(batch.length * p / partitions),
            Math.floor(batch.length * (p + 1) / partitions),
          ),
      );
      const dataId = driver.putInline(batch.schema, parts);
      return new Dataset(engine, {
        op: "inline",
        dataId,
        schema: batch.schema,
        partitions,
        rows: batch.length,
      });
    },
    heldState: () => started.map((e) => e.stateBytes),
    async stateBytes() {
      await flushMicrotasks(200);
      clock.advance(500);
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

function sliceRows(batch: Batch, begin: number, end: number): Batch {
  return {
    schema: batch.schema,
    length: end - begin,
    columns: batch.columns.map((c) => {
      if (c.type !== "double") throw new TypeError("xor batches hold doubles");
      return { type: "double" as const, values: c.values.slice(begin, end) };
    }),
  };
}

/** What {@linkcode trainEverywhere} trained on one layout. */
export interface LayoutRun {
  readonly executors: number;
  readonly partitions: number;
  /** The boosted model's JSON. */
  readonly gbt: string;
  /** The forest's JSON. */
  readonly forest: string;
  /** Both models' probabilities from `transform`, in row order. */
  readonly scores: readonly number[][];
  readonly replays: number;
}

/** A small boosted model (early stopping off) and forest, with bagging and feature sampling. */
export const LAYOUT_GBT = {
  numRounds: 6,
  numLeaves: 8,
  minDataInLeaf: 5,
  baggingFraction: 0.8,
  featureFraction: 0.75,
  learningRate: 0.3,
  seed: 7,
};
export const LAYOUT_FOREST = { numTrees: 5, maxDepth: 5, treesPerGroup: 3, seed: 3 };

/** Trains {@linkcode LAYOUT_GBT} and {@linkcode LAYOUT_FOREST} on `batch` in `layout.partitions` partitions of `fx`. */
export async function trainEverywhere(
  fx: Frontier,
  batch: Batch,
  layout: { executors: number; partitions: number },
  hooks: { onRequest?: (info: { requests: number; type: string }) => void } = {},
): Promise<LayoutRun> {
  const ds = await fx.fromBatch(batch, { partitions: layout.partitions });
  const gbt = await fitGbtCluster(ds, { ...XOR_COLUMNS, params: LAYOUT_GBT, ...hooks });
  const forest = await fitForestCluster(ds, { ...XOR_COLUMNS, params: LAYOUT_FOREST, ...hooks });
  const scores: number[][] = [];
  for (const model of [gbt.model, forest.model]) {
    scores.push(
      (await model.transform(ds).select("probability").collect()).map((r) => r.probability as number),
    );
  }
  return {
    ...layout,
    gbt: JSON.stringify(gbt.model.toJSON()),
    forest: JSON.stringify(forest.model.toJSON()),
    scores,
    replays: gbt.cluster.replays + forest.cluster.replays,
  };
}
