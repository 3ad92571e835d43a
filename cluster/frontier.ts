/**
 * The entry point: start a cluster (embedded Web Workers by default, or local processes) or
 * connect to a running driver, then build datasets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier } from "@frontier/frontier";
 * await using fx = await Frontier.start({ executors: 2, slots: 1 });
 * assert.equal(fx.defaultParallelism, 2);
 * assert.equal(await fx.range(0, 100_000).filter(col("id").mod(3).eq(0)).count(), 33_334);
 * const status = await fx.status();
 * assert.deepEqual(status.executors.map((e) => e.state), ["alive", "alive"]);
 * ```
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { type Clock, systemClock } from "../actors/clock.ts";
import type { Json } from "../actors/errors.ts";
import type { Batch, Row, Schema } from "./columnar/batch.ts";
import { batchFromRows, concatBatches, emptyBatch, sliceBatch } from "./columnar/batch_ops.ts";
import { arrowTableToBatches, fromArrowSchema } from "./columnar/arrow_codec.ts";
import { Dataset } from "./dataset.ts";
import { type ClusterStatus, Driver, type DriverOptions } from "./driver/driver.ts";
import type { Engine } from "./engine.ts";
import { connectWorker, type WorkerConnection } from "./transport/worker.ts";
import { type ProcessCluster, startProcessCluster } from "./deploy/process_cluster.ts";
import { connectRemote, type RemoteEngine } from "./deploy/remote_client.ts";
import { BUILTIN_GENERATORS_MODULE } from "./sources/generators.ts";
import { DataReader } from "./reader.ts";
import { TRANSACTION_SCHEMA } from "./sources/transactions/generator.ts";
import { checkArgs } from "./util/partition_value.ts";

/** Settings of {@linkcode Frontier.start}: the executors to start, plus the driver's settings. */
export interface StartOptions extends DriverOptions {
  /** Executors to start. @default {2} */
  executors?: number;
  /** "embedded": Web Workers in this process (default); "process": local executor processes. */
  mode?: "embedded" | "process";
  /** Tasks per executor. @default {2} */
  slots?: number;
  /** Process mode: directories executors may read (input data). */
  readDirs?: readonly string[];
  /** Process mode: directories executors may write (outputs, spill). */
  writeDirs?: readonly string[];
  /** The driver's source of time (heartbeat deadlines, locality waits). @default {systemClock} */
  clock?: Clock;
  /** Receives the driver's log lines. @default {discard them} */
  log?: (line: string) => void;
}

/** Options of {@linkcode Frontier.range}. */
export interface RangeOptions {
  /** Difference between consecutive ids (negative counts down). @default {1} */
  step?: number;
  /** Partitions to split the range into. @default {the cluster's default parallelism} */
  partitions?: number;
}

/** Options of {@linkcode Frontier.connect}. */
export interface ConnectOptions {
  /** The cluster's shared secret (what `--secret-file` holds). */
  secret: Uint8Array;
  /** Gives up connecting when aborted. */
  signal?: AbortSignal;
  /** PEM certificates to trust for a `wss://` driver with a private CA. */
  caCerts?: string[];
}

/** Options of {@linkcode Frontier.generate}. */
export interface GenerateOptions {
  /** URL of the module; it must be on the executors' allowlist (`StartOptions.modules`). */
  module: string;
  /** Name of the `GeneratorFn` the module exports. */
  export: string;
  /** Schema of the batches the generator yields. */
  schema: Schema;
  /** Partitions (generator calls). @default {the cluster's default parallelism} */
  partitions?: number;
  /** JSON arguments every call receives. @default {null} */
  args?: Json;
}

/** Options of {@linkcode Frontier.transactions}. */
export interface TransactionsOptions {
  /** Rows to generate. */
  rows: number;
  /** The seed: the same seed gives the same rows. */
  seed: number;
  /** HMAC key for card tokens (at least 32 bytes). */
  tokenKey: Uint8Array;
  /** Partitions to generate in parallel. @default {the cluster's default parallelism} */
  partitions?: number;
  /** Numeric generator options (fraudRate, outOfOrderFraction, …). */
  options?: Record<string, number>;
}

/** How many partitions a dataset made from data held here is split into. */
export interface PartitionOptions {
  /** Partitions of consecutive rows. @default {the cluster's default parallelism} */
  partitions?: number;
}

/** Options of {@linkcode Frontier.fromRows}. */
export interface FromRowsOptions extends PartitionOptions {
  /** Schema of the rows (names, types, nullability). */
  schema: Schema;
}

/**
 * A running (or connected) cluster: the sources of datasets, and the cluster's status.
 *
 * @example Start a cluster, group and count
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, count, Frontier, sum } from "@frontier/frontier";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const rows = await fx.range(0, 10)
 *   .withColumn("even", col("id").mod(2).eq(0))
 *   .groupBy("even").agg(count().alias("n"), sum("id"))
 *   .sort("even")
 *   .collect();
 * assert.deepEqual(rows, [
 *   { even: false, n: 5, "sum(id)": 25 },
 *   { even: true, n: 5, "sum(id)": 20 },
 * ]);
 * ```
 */
export class Frontier implements AsyncDisposable {
  readonly #engine: Engine;
  readonly #close: () => Promise<void>;
  #closed = false;

  private constructor(engine: Engine, close: () => Promise<void>) {
    this.#engine = engine;
    this.#close = close;
  }

  /**
   * Starts a driver and its executors. Dispose (or `stop()`) to stop them all.
   *
   * @throws {RangeError} when `executors` is not a positive integer, or `stateBudgetBytes` not a
   * non-negative integer.
   */
  static async start(options: StartOptions = {}): Promise<Frontier> {
    const executors = options.executors ?? 2;
    if (!Number.isSafeInteger(executors) || executors < 1) {
      throw new RangeError(`executors must be a positive integer, got ${executors}`);
    }
    const clock = options.clock ?? systemClock;
    const driver = new Driver({ clock, log: options.log }, options);
    const slots = options.slots ?? 2;
    const modules = [...(options.modules ?? [])];
    if ((options.mode ?? "embedded") === "process") {
      let pc: ProcessCluster | undefined;
      try {
        pc = await startProcessCluster(driver, {
          executors,
          slots,
          modules,
          readDirs: options.readDirs ?? [],
          writeDirs: options.writeDirs ?? [],
          log: options.log,
        });
      } catch (e) {
        await driver.stop();
        throw e;
      }
      const cluster = pc;
      return new Frontier(localEngine(driver, executors * slots), async () => {
        await driver.stop();
        await cluster.stop();
      });
    }
    const workers: WorkerConnection[] = [];
    try {
      for (let i = 0; i < executors; i++) {
        const worker = new Worker(new URL("./deploy/executor_worker.ts", import.meta.url), {
          type: "module",
        });
        const conn = connectWorker(worker, { name: `executor-${i + 1}` });
        workers.push(conn);
        await driver.addExecutor(conn, { host: "embedded", pid: Deno.pid, slots, kind: "worker" }, {
          allowedModules: modules,
        });
      }
    } catch (e) {
      await driver.stop();
      await Promise.allSettled(workers.map((w) => w.terminate()));
      throw e;
    }
    return new Frontier(localEngine(driver, executors * slots), async () => {
      await driver.stop();
      await Promise.allSettled(workers.map((w) => w.terminate("cluster stopped")));
    });
  }

  /** Connects to a running driver (`deno task cluster` prints its URL) to submit jobs. */
  static async connect(url: string, options: ConnectOptions): Promise<Frontier> {
    const remote: RemoteEngine = await connectRemote(url, options);
    return new Frontier(remote, () => remote.close());
  }

  // ---- sources ----

  /** Distributed readers: `csv` (with quarantine), `bank`, `parquet`, `arrow`. */
  get read(): DataReader {
    return new DataReader(this.#engine);
  }

  /**
   * Rows `id` (a `long`) in [start, end) (or [0, start) with one argument), `step` apart.
   *
   * @throws {RangeError} unless the bounds and step are safe integers and the step is not zero.
   */
  range(start: number, end?: number, options: RangeOptions = {}): Dataset {
    const [a, b] = end === undefined ? [0, start] : [start, end];
    const step = options.step ?? 1;
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(step) || step === 0) {
      throw new RangeError(`range() needs safe integers and a non-zero step, got (${a}, ${b}, ${step})`);
    }
    const partitions = options.partitions ?? this.#engine.defaultParallelism;
    return new Dataset(this.#engine, { op: "range", start: a, end: b, step, partitions });
  }

  /**
   * Rows produced on the executors by a named export of an allowlisted module (a `GeneratorFn`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Frontier } from "@frontier/frontier";
   *
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(
   *   `${dir}/gen.js`,
   *   `export function* evens({ partition, args }) {
   *     const values = Float64Array.from({ length: args.perPartition }, (_, i) => 2 * (partition * args.perPartition + i));
   *     yield { schema: [{ name: "even", type: "long", nullable: false }], length: values.length, columns: [{ type: "long", values }] };
   *   }`,
   * );
   * const module = new URL(`file://${dir}/gen.js`).href;
   * await using fx = await Frontier.start({ executors: 1, modules: [module] });
   * const ds = fx.generate({
   *   module,
   *   export: "evens",
   *   schema: [{ name: "even", type: "long", nullable: false }],
   *   partitions: 2,
   *   args: { perPartition: 3 },
   * });
   * assert.deepEqual((await ds.collect()).map((r) => r["even"]), [0, 2, 4, 6, 8, 10]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  generate(options: GenerateOptions): Dataset {
    return new Dataset(this.#engine, {
      op: "generate",
      module: options.module,
      export: options.export,
      args: checkArgs(options.args ?? null, "generate() args"),
      partitions: options.partitions ?? this.#engine.defaultParallelism,
      schema: options.schema,
    });
  }

  /**
   * Synthetic card transactions (see `cluster/sources/transactions/generator.ts`), generated in
   * parallel by the executors. The same seed gives the same rows for any partition count.
   */
  transactions(options: TransactionsOptions): Dataset {
    return this.generate({
      module: BUILTIN_GENERATORS_MODULE,
      export: "transactions",
      schema: TRANSACTION_SCHEMA,
      partitions: options.partitions ?? this.#engine.defaultParallelism,
      args: {
        seed: options.seed,
        totalRows: options.rows,
        tokenKeyHex: [...options.tokenKey].map((b) => b.toString(16).padStart(2, "0")).join(""),
        options: options.options ?? {},
      },
    });
  }

  /** A dataset from rows held here, split into `partitions`. */
  async fromRows(rows: readonly Row[], options: FromRowsOptions): Promise<Dataset> {
    return await this.fromBatch(batchFromRows(options.schema, rows), options);
  }

  /** A dataset from an Arrow table held here. */
  async fromArrow(table: arrow.Table, options: PartitionOptions = {}): Promise<Dataset> {
    const schema = fromArrowSchema(table.schema);
    const batches = arrowTableToBatches(table);
    return await this.fromBatch(
      batches.length ? concatBatches(schema, batches) : emptyBatch(schema),
      options,
    );
  }

  /** A dataset from a batch held here, split into `partitions` of consecutive rows. */
  async fromBatch(batch: Batch, options: PartitionOptions = {}): Promise<Dataset> {
    const n = options.partitions ?? this.#engine.defaultParallelism;
    const parts: Batch[] = [];
    for (let p = 0; p < n; p++) {
      parts.push(
        sliceBatch(batch, Math.floor((batch.length * p) / n), Math.floor((batch.length * (p + 1)) / n)),
      );
    }
    const dataId = await this.#engine.putInline(batch.schema, parts);
    return new Dataset(this.#engine, {
      op: "inline",
      dataId,
      schema: batch.schema,
      partitions: n,
      rows: batch.length,
    });
  }

  /** Executors and jobs, as the driver sees them. */
  async status(): Promise<ClusterStatus> {
    return await this.#engine.status();
  }

  /** Partitions of sources not given a count: the cluster's task slots (executors × slots). */
  get defaultParallelism(): number {
    return this.#engine.defaultParallelism;
  }

  /** Stops the driver and its executors (or closes the connection to a remote driver). Idempotent. */
  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#close();
  }

  /** Same as {@linkcode Frontier.stop}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** The engine of a driver in this isolate (what `Frontier.start` hands its datasets). */
export function localEngine(driver: Driver, parallelism: number): Engine {
  let cacheSeq = 0;
  return {
    runJob: (plan, action, options) => driver.runJob(plan, action, options),
    explain: (plan) => driver.explain(plan),
    putInline: (schema, parts) => Promise.resolve(driver.putInline(schema, parts)),
    unpersist: (id) => Promise.resolve(driver.unpersist(id)),
    releaseState: (prefix) => Promise.resolve().then(() => driver.releaseState(prefix)),
    nextCacheId: () => ++cacheSeq,
    status: () => Promise.resolve(driver.status()),
    defaultParallelism: parallelism,
  };
}
