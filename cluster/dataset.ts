/**
 * The Dataset: a lazy, immutable description of distributed data. Transformations build a
 * logical plan; actions (`count`, `collect`, `take`, `toArrow`, `write.*`, `aggregatePartitions`)
 * run jobs. See {@linkcode Dataset} for an example.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { Batch, Row, Schema } from "./columnar/batch.ts";
import { batchToRows, concatBatches, emptyBatch, schemaString } from "./columnar/batch_ops.ts";
import { batchToArrowTable } from "./columnar/arrow_codec.ts";
import { type AggColumn, col, type Column, type ColumnLike, toAggExpr } from "./expr/column.ts";
import type { AggExpr, Expr, SortKey } from "./expr/expr.ts";
import type { Engine } from "./engine.ts";
import type { JoinStrategy, LogicalPlan } from "./plan/logical_plan.ts";
import { schemaOf } from "./plan/plan_schema.ts";
import { projectWithWindows } from "./plan/window_plan.ts";
import type { JoinHow } from "./plan/task_plan.ts";
import type { AggregatePartitionsSpec, MapPartitionsSpec } from "./partition_fns.ts";
import { checkArgs, type PartitionValue } from "./util/partition_value.ts";

function toExpr(c: ColumnLike): Expr {
  return typeof c === "string" ? col(c).expr : c.expr;
}

function toSortKey(c: ColumnLike | SortKey): SortKey {
  if (typeof c === "object" && "ascending" in c) return c;
  return { expr: toExpr(c), ascending: true, nullsFirst: true };
}

/** Options of every action (`count`, `collect`, `write.*`, …). */
export interface ActionOptions {
  /** Cancels the job; the action then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode Dataset.join}. */
export interface JoinOptions {
  /** How the join runs. @default {"auto"} */
  strategy?: JoinStrategy;
}

/** Options of {@linkcode Dataset.sample}. */
export interface SampleOptions {
  /** The seed (a safe integer): the same seed gives the same sample. */
  seed: number;
  /** Whether a row may be drawn more than once. @default {false} */
  withReplacement?: boolean;
}

/** Options of {@linkcode Dataset.randomSplit}. */
export interface RandomSplitOptions {
  /** The seed (a safe integer): the same seed gives the same splits. */
  seed: number;
}

/**
 * A lazy, immutable, partitioned collection of rows with a schema. Transformations return new
 * datasets and run nothing; actions run a job on the cluster.
 *
 * @example Transformations, then actions
 * ```ts
 * import assert from "node:assert/strict";
 * import { col, Frontier, sum } from "@frontier/frontier";
 *
 * await using fx = await Frontier.start({ executors: 1 });
 * const ds = fx.range(0, 20, { partitions: 4 })
 *   .withColumn("k", col("id").mod(4))
 *   .filter(col("k").ne(0));
 * assert.deepEqual(ds.columns, ["id", "k"]);
 * assert.equal(await ds.count(), 15);
 * assert.deepEqual(await ds.groupBy("k").agg(sum("id").alias("total")).sort("k").collect(), [
 *   { k: 1, total: 45 },
 *   { k: 2, total: 50 },
 *   { k: 3, total: 55 },
 * ]);
 * assert.deepEqual(await ds.sort(col("id").desc()).take(2), [{ id: 19, k: 3 }, { id: 18, k: 2 }]);
 * ```
 */
export class Dataset {
  readonly #engine: Engine;
  /** @internal The logical plan this dataset describes (what travels to the driver). */
  readonly plan: LogicalPlan;
  /** Names, types and nullability of the columns, checked when the dataset was built. */
  readonly schema: Schema;
  #cacheId: number | undefined;

  /** @internal Use `Frontier` sources to make datasets. */
  constructor(engine: Engine, plan: LogicalPlan) {
    this.#engine = engine;
    this.plan = plan;
    this.schema = schemaOf(plan); // analysis: fails here on unknown columns or type errors
  }

  #derive(plan: LogicalPlan): Dataset {
    return new Dataset(this.#engine, plan);
  }

  /** The column names, in order. */
  get columns(): string[] {
    return this.schema.map((f) => f.name);
  }

  // ---- transformations (lazy) ----

  /**
   * The given columns or expressions, in that order. Window functions (`count().over(w)`, see
   * `expr/window.ts`) may appear anywhere in them: they run as window operators first.
   *
   * @throws {SchemaError} when a column does not exist or an expression does not type-check.
   */
  select(...cols: ColumnLike[]): Dataset {
    if (cols.length === 0) throw new TypeError("select() needs at least one column");
    return this.#derive(projectWithWindows(this.plan, this.schema, cols.map(toExpr)));
  }

  /** The rows where `cond` is true (not false, not null). */
  filter(cond: Column): Dataset {
    return this.#derive({ op: "filter", input: this.plan, cond: cond.expr });
  }

  /** Alias of {@linkcode Dataset.filter}. */
  where(cond: Column): Dataset {
    return this.filter(cond);
  }

  /**
   * This dataset with column `name` set to `value`: replaced in place, or added last. `value` may
   * hold window functions.
   *
   * @example A window function: each account's events in the hour up to each event
   * ```ts
   * import assert from "node:assert/strict";
   * import { col, count, Frontier, Window } from "@frontier/frontier";
   *
   * await using fx = await Frontier.start({ executors: 1 });
   * const hour = 3_600_000;
   * const events = fx.range(0, 6, { partitions: 3 })
   *   .withColumn("account", col("id").mod(2))
   *   .withColumn("ts", col("id").times(hour / 2));
   * const w = Window.partitionBy("account").orderBy("ts").rangeBetween(-hour, 0);
   * const rows = await events.withColumn("n_1h", count().over(w)).sort("id").collect();
   * // Same-account events are an hour apart: the one exactly an hour back is in the frame.
   * assert.deepEqual(rows.map((r) => r["n_1h"]), [1, 1, 2, 2, 2, 2]);
   * ```
   */
  withColumn(name: string, value: Column): Dataset {
    const exprs: Expr[] = [];
    let replaced = false;
    for (const f of this.schema) {
      if (f.name === name) {
        exprs.push({ op: "alias", name, arg: value.expr });
        replaced = true;
      } else exprs.push({ op: "col", name: f.name });
    }
    if (!replaced) exprs.push({ op: "alias", name, arg: value.expr });
    return this.#derive(projectWithWindows(this.plan, this.schema, exprs));
  }

  /** This dataset with column `from` named `to` (unchanged when there is no `from`). */
  withColumnRenamed(from: string, to: string): Dataset {
    if (!this.columns.includes(from)) return this;
    return this.#derive({
      op: "project",
      input: this.plan,
      exprs: this.schema.map((f): Expr =>
        f.name === from
          ? { op: "alias", name: to, arg: { op: "col", name: from } }
          : { op: "col", name: f.name }
      ),
    });
  }

  /**
   * This dataset without the named columns (names it does not have are ignored).
   *
   * @throws {TypeError} when no column would be left.
   */
  drop(...names: string[]): Dataset {
    const keep = this.schema.filter((f) => !names.includes(f.name));
    if (keep.length === 0) throw new TypeError("drop() would remove every column");
    return this.#derive({
      op: "project",
      input: this.plan,
      exprs: keep.map((f): Expr => ({ op: "col", name: f.name })),
    });
  }

  /** Groups rows by `keys` for {@linkcode GroupedData.agg} (no keys: one group of every row). */
  groupBy(...keys: ColumnLike[]): GroupedData {
    return new GroupedData(this, keys.map(toExpr), (plan) => this.#derive(plan));
  }

  /** Aggregates over all rows (one output row). */
  agg(...aggs: (AggColumn | AggExpr)[]): Dataset {
    return this.groupBy().agg(...aggs);
  }

  /**
   * Rows of this dataset joined with `other` on equal values of the `on` columns, which both sides
   * have (numeric keys compare across int, long and double; null keys never match). The output has
   * this side's columns (keys once), then `other`'s other columns; `semi` and `anti` keep only
   * this side's.
   *
   * @throws {SchemaError} when a key is missing or not comparable, or when a non-key column name is
   * on both sides.
   */
  join(
    other: Dataset,
    on: string | readonly string[],
    how: JoinHow = "inner",
    options: JoinOptions = {},
  ): Dataset {
    const keys = typeof on === "string" ? [on] : [...on];
    if (keys.length === 0) throw new TypeError("join() needs at least one key column");
    return this.#derive({
      op: "join",
      left: this.plan,
      right: other.plan,
      on: keys,
      how,
      strategy: options.strategy ?? "auto",
    });
  }

  /** The rows shuffled into `n` partitions: by the hash of `keys`, or round robin without keys. */
  repartition(n: number, ...keys: string[]): Dataset {
    checkPositive("repartition", n);
    return this.#derive({ op: "repartition", input: this.plan, n, keys });
  }

  /** At most `n` partitions, each made of neighbouring ones (no hashing; rows keep their order). */
  coalesce(n: number): Dataset {
    checkPositive("coalesce", n);
    return this.#derive({ op: "coalesce", input: this.plan, n });
  }

  /**
   * The rows in a global order: by each key in turn, ascending with nulls first unless a
   * {@linkcode SortKey} (`col("x").desc()`) says otherwise. Keys may be expressions.
   */
  sort(...keys: (ColumnLike | SortKey)[]): Dataset {
    if (keys.length === 0) throw new TypeError("sort() needs at least one key");
    const sortKeys = keys.map(toSortKey);
    if (sortKeys.every((k) => k.expr.op === "col")) {
      return this.#derive({ op: "sort", input: this.plan, keys: sortKeys });
    }
    // Expression keys: sort by temporary columns holding them, then drop those.
    const temp: Expr[] = [];
    const byColumns = sortKeys.map((k, i): SortKey => {
      if (k.expr.op === "col") return k;
      const name = `__sort${i}`;
      temp.push({ op: "alias", name, arg: k.expr });
      return { ...k, expr: { op: "col", name } };
    });
    const widened: LogicalPlan = {
      op: "project",
      input: this.plan,
      exprs: [...this.schema.map((f): Expr => ({ op: "col", name: f.name })), ...temp],
    };
    return this.#derive({
      op: "project",
      input: { op: "sort", input: widened, keys: byColumns },
      exprs: this.schema.map((f): Expr => ({ op: "col", name: f.name })),
    });
  }

  /** Alias of {@linkcode Dataset.sort}. */
  orderBy(...keys: (ColumnLike | SortKey)[]): Dataset {
    return this.sort(...keys);
  }

  /** At most `n` rows; after a `sort`, the first `n` in that order. */
  limit(n: number): Dataset {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`limit() needs a non-negative integer, got ${n}`);
    }
    return this.#derive({ op: "limit", input: this.plan, n });
  }

  /**
   * A random sample: without replacement each row is kept with probability `fraction`; with
   * replacement each row appears Poisson(`fraction`) times. Draws are per row and depend only on
   * `seed`, the plan and the row's position in its partition, so the same job gives the same rows
   * in any session, for any executor count, and on every retry (as Spark's `sample`).
   *
   * @example The same seed, the same rows
   * ```ts
   * import assert from "node:assert/strict";
   * import { Frontier } from "@frontier/frontier";
   *
   * await using fx = await Frontier.start({ executors: 1 });
   * const ds = fx.range(0, 1_000, { partitions: 4 });
   * const tenth = await ds.sample(0.1, { seed: 42 }).collect();
   * assert.ok(tenth.length > 50 && tenth.length < 150);
   * assert.deepEqual(await ds.sample(0.1, { seed: 42 }).collect(), tenth);
   * assert.notDeepEqual(await ds.sample(0.1, { seed: 43 }).collect(), tenth);
   * ```
   *
   * @throws {RangeError} when `fraction` is out of range or the seed is not a safe integer.
   */
  sample(fraction: number, options: SampleOptions): Dataset {
    const withReplacement = options.withReplacement ?? false;
    if (!Number.isFinite(fraction) || fraction < 0 || (!withReplacement && fraction > 1)) {
      throw new RangeError(
        `sample() needs a fraction in [0, ${withReplacement ? "∞" : "1"}], got ${fraction}`,
      );
    }
    checkSeed("sample", options.seed);
    return this.#derive({
      op: "sample",
      input: this.plan,
      lower: 0,
      upper: fraction,
      withReplacement,
      seed: options.seed,
    });
  }

  /**
   * Splits the rows at random in proportion to `weights` (normalized to sum 1): the splits are
   * disjoint and together hold every row, and the same seed gives the same splits (as Spark's
   * `randomSplit`). Each row's one draw decides its split.
   *
   * @example Disjoint splits that cover every row
   * ```ts
   * import assert from "node:assert/strict";
   * import { Frontier } from "@frontier/frontier";
   *
   * await using fx = await Frontier.start({ executors: 1 });
   * const splits = fx.range(0, 1_000, { partitions: 4 }).randomSplit([0.8, 0.2], { seed: 7 });
   * const [a = [], b = []] = await Promise.all(
   *   splits.map(async (ds) => (await ds.collect()).map((r) => Number(r["id"]))),
   * );
   * assert.ok(a.length > 700 && a.length < 900);
   * assert.deepEqual([...a, ...b].sort((x, y) => x - y), Array.from({ length: 1_000 }, (_, i) => i));
   * ```
   *
   * @throws {RangeError} when a weight is negative or not finite, they sum to 0, or the seed is not
   * a safe integer.
   */
  randomSplit(weights: readonly number[], options: RandomSplitOptions): Dataset[] {
    if (weights.length === 0 || weights.some((w) => !Number.isFinite(w) || w < 0)) {
      throw new RangeError(`randomSplit() needs finite non-negative weights, got [${weights.join(", ")}]`);
    }
    const total = weights.reduce((a, w) => a + w, 0);
    if (!(total > 0)) throw new RangeError("randomSplit() needs weights that sum to more than 0");
    checkSeed("randomSplit", options.seed);
    const bounds = [0];
    let acc = 0;
    for (const w of weights.slice(0, -1)) {
      acc += w;
      bounds.push(Math.min(1, acc / total));
    }
    bounds.push(1);
    return weights.map((_, i) =>
      this.#derive({
        op: "sample",
        input: this.plan,
        lower: bounds[i]!,
        upper: bounds[i + 1]!,
        withReplacement: false,
        seed: options.seed,
      })
    );
  }

  /** The rows of this dataset, then those of `others`, duplicates kept (same column names and types). */
  union(...others: Dataset[]): Dataset {
    return this.#derive({ op: "union", inputs: [this.plan, ...others.map((o) => o.plan)] });
  }

  /**
   * Applies a named export of an allowlisted module to every partition (see `partition_fns.ts`):
   * it gets the partition's batches and yields batches of `spec.schema`. With `spec.carry`, a
   * first pass folds every partition with the `summarize` export, the driver chains the summaries
   * in partition order with the `chain` export, and each partition's map gets its carry (for
   * state that flows from one partition to the next, such as a running date). Lazy; a carry's
   * pass runs as part of each action.
   *
   * @example A column computed by user code on the executors
   * ```ts
   * import assert from "node:assert/strict";
   * import { Frontier } from "@frontier/frontier";
   *
   * // User code is a named export of a module the cluster was started with.
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(
   *   `${dir}/scale.js`,
   *   `export function* scale(batches, ctx) {
   *     const field = { name: "scaled", type: "double", nullable: false };
   *     for (const b of batches) {
   *       const scaled = { type: "double", values: b.columns[0].values.map((v) => v * ctx.args.factor) };
   *       yield { schema: [...b.schema, field], length: b.length, columns: [...b.columns, scaled] };
   *     }
   *   }`,
   * );
   * const module = new URL(`file://${dir}/scale.js`).href;
   * await using fx = await Frontier.start({ executors: 1, modules: [module] });
   * const ds = fx.range(0, 4, { partitions: 2 });
   * const scaled = ds.mapPartitions({
   *   module,
   *   export: "scale",
   *   schema: [...ds.schema, { name: "scaled", type: "double", nullable: false }],
   *   args: { factor: 2.5 },
   * });
   * assert.deepEqual((await scaled.collect()).map((r) => r["scaled"]), [0, 2.5, 5, 7.5]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   * @throws {TypeError} when the module or export is not a non-empty string, or `args` is not JSON.
   * @throws {RangeError} when `args` is more than `MAX_BROADCAST_ARGS_BYTES` (256 MiB) of JSON.
   * Arguments up to `MAX_ARGS_BYTES` (512 KiB) travel with every task; larger ones go once to
   * each executor as a broadcast value, freed when the job (or a cached dataset over it) is done.
   */
  mapPartitions(spec: MapPartitionsSpec): Dataset {
    checkName("mapPartitions", "module", spec.module);
    checkName("mapPartitions", "export", spec.export);
    if (spec.carry) {
      checkName("mapPartitions", "carry.summarize", spec.carry.summarize);
      checkName("mapPartitions", "carry.chain", spec.carry.chain);
    }
    if (!Array.isArray(spec.schema) || spec.schema.length === 0) {
      throw new TypeError("mapPartitions() needs a schema with at least one column");
    }
    const args = checkArgs(spec.args ?? null, "mapPartitions() args");
    return this.#derive({
      op: "mapPartitions",
      input: this.plan,
      module: spec.module,
      export: spec.export,
      args,
      schema: spec.schema.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable })),
      ...(spec.carry ? { carry: { summarize: spec.carry.summarize, chain: spec.carry.chain } } : {}),
    });
  }

  /** Keeps partitions on the executors after the first action that computes them. */
  cache(): Dataset {
    if (this.plan.op === "cache") return this;
    const cacheId = this.#engine.nextCacheId();
    const ds = this.#derive({ op: "cache", input: this.plan, cacheId });
    ds.#cacheId = cacheId;
    return ds;
  }

  /** Alias of {@linkcode Dataset.cache}. */
  persist(): Dataset {
    return this.cache();
  }

  /**
   * Drops the cached partitions this dataset reads: its own `cache()`, or the cached parse of a
   * `read.csv`/`read.bank` it derives from through narrow steps.
   */
  async unpersist(): Promise<void> {
    for (let p: LogicalPlan | undefined = this.plan; p;) {
      if (p.op === "cache" || p.op === "csv") {
        await this.#engine.unpersist(p.cacheId);
        return;
      }
      p = p.op === "project" || p.op === "filter" || p.op === "mapPartitions" || p.op === "limit" ||
          p.op === "sample"
        ? p.input
        : undefined;
    }
  }

  /**
   * Drops the executor-local state (`PartitionContext.state`) whose keys start with `prefix`, on
   * every executor: what per-partition functions kept between jobs, once they are done with it.
   *
   * @throws {TypeError} for an empty prefix.
   */
  async releaseState(prefix: string): Promise<void> {
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new TypeError("releaseState() needs a non-empty key prefix");
    }
    await this.#engine.releaseState(prefix);
  }

  // ---- actions ----

  /** Runs a job that counts the rows. */
  async count(options: ActionOptions = {}): Promise<number> {
    return (await this.#engine.runJob(this.plan, { kind: "count" }, options)).rows;
  }

  /** Runs a job and brings every row here as one columnar batch. */
  async collectBatch(options: ActionOptions = {}): Promise<Batch> {
    const r = await this.#engine.runJob(this.plan, { kind: "collect" }, options);
    return r.batches.length ? concatBatches(this.schema, r.batches) : emptyBatch(this.schema);
  }

  /** Runs a job and brings every row here as plain objects (dates and timestamps as numbers). */
  async collect(options: ActionOptions = {}): Promise<Row[]> {
    return batchToRows(await this.collectBatch(options));
  }

  /**
   * Spark's `treeAggregate`: every partition folds into a value with the `fold` export (on the
   * executors), and the driver merges the values with the `merge` export, pairwise in
   * partition-index order. Values are JSON, a `Uint8Array` or a `Float64Array`; bytes and floats
   * travel as raw frame payloads. With an associative `merge` the result is the same for any
   * partition count, executor count or task completion order.
   *
   * @example A sum folded per partition, merged on the driver
   * ```ts
   * import assert from "node:assert/strict";
   * import { Frontier } from "@frontier/frontier";
   *
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(
   *   `${dir}/sums.js`,
   *   `export const sumIds = (batches) => batches.reduce((s, b) => s + b.columns[0].values.reduce((a, v) => a + v, 0), 0);
   *   export const add = (a, b) => a + b;`,
   * );
   * const module = new URL(`file://${dir}/sums.js`).href;
   * await using fx = await Frontier.start({ executors: 1, modules: [module] });
   * const total = await fx.range(0, 100, { partitions: 4 })
   *   .aggregatePartitions({ module, fold: "sumIds", merge: "add" });
   * assert.equal(total, 4_950);
   * await Deno.remove(dir, { recursive: true });
   * ```
   * @throws {NotAllowedError} when the module is not on the allowlist (or lacks the exports).
   * @throws {RangeError} when `args` is more than `MAX_BROADCAST_ARGS_BYTES` (256 MiB) of JSON.
   * Arguments up to `MAX_ARGS_BYTES` (512 KiB) travel with every task; larger ones go once to
   * each executor as a broadcast value, freed when the job (or a cached dataset over it) is done.
   */
  async aggregatePartitions(
    spec: AggregatePartitionsSpec,
    options: ActionOptions = {},
  ): Promise<PartitionValue> {
    checkName("aggregatePartitions", "module", spec.module);
    checkName("aggregatePartitions", "fold", spec.fold);
    checkName("aggregatePartitions", "merge", spec.merge);
    const args = checkArgs(spec.args ?? null, "aggregatePartitions() args");
    const action = {
      kind: "aggregate",
      module: spec.module,
      fold: spec.fold,
      merge: spec.merge,
      args,
    } as const;
    const r = await this.#engine.runJob(this.plan, action, options);
    if (r.value === undefined) throw new TypeError("The engine returned no value for aggregatePartitions()");
    return r.value;
  }

  /** Runs a job for at most `n` rows (see {@linkcode Dataset.limit}). */
  async take(n: number, options: ActionOptions = {}): Promise<Row[]> {
    return await this.limit(n).collect(options);
  }

  /** Runs a job and brings every row here as an Arrow table. */
  async toArrow(options: ActionOptions = {}): Promise<arrow.Table> {
    return batchToArrowTable(await this.collectBatch(options));
  }

  /** Writers that run a job writing one file per partition into a directory. */
  get write(): DatasetWriter {
    const run = async (format: "arrow" | "parquet" | "csv", dir: string, options: ActionOptions) => {
      await Deno.mkdir(dir, { recursive: true });
      const r = await this.#engine.runJob(this.plan, { kind: "write", format, dir }, options);
      return {
        rows: r.rows,
        files: r.outputs.flatMap((o) =>
          o.kind === "write" ? [{ path: o.path, rows: o.rows, bytes: o.bytes }] : []
        ),
      };
    };
    return {
      arrow: (dir, o = {}) => run("arrow", dir, o),
      parquet: (dir, o = {}) => run("parquet", dir, o),
      csv: (dir, o = {}) => run("csv", dir, o),
    };
  }

  /** The stage plan: stages, fused operators, shuffles, partition counts. */
  async explain(): Promise<string> {
    return `Schema: (${schemaString(this.schema)})\n${await this.#engine.explain(this.plan)}`;
  }
}

/** What a write produced. */
export interface WriteResult {
  /** Rows written, over all files. */
  rows: number;
  /** One file per partition: its path, rows and size in bytes. */
  files: { path: string; rows: number; bytes: number }[];
}

/**
 * `dataset.write`: each method creates `dir` (recursively) and writes one file per partition
 * into it.
 */
export interface DatasetWriter {
  /** Arrow IPC files. */
  arrow(dir: string, options?: ActionOptions): Promise<WriteResult>;
  /** Parquet files. */
  parquet(dir: string, options?: ActionOptions): Promise<WriteResult>;
  /** CSV files with a header line. */
  csv(dir: string, options?: ActionOptions): Promise<WriteResult>;
}

/** Rows grouped by keys ({@linkcode Dataset.groupBy}), waiting for their aggregates. */
export class GroupedData {
  readonly #parent: Dataset;
  readonly #keys: Expr[];
  readonly #make: (plan: LogicalPlan) => Dataset;

  /** @internal Use {@linkcode Dataset.groupBy}. */
  constructor(parent: Dataset, keys: Expr[], make: (plan: LogicalPlan) => Dataset) {
    this.#parent = parent;
    this.#keys = keys;
    this.#make = make;
  }

  /** One row per group: the keys, then each aggregate (`sum("x")`, `count()`, …) as a column. */
  agg(...aggs: (AggColumn | AggExpr)[]): Dataset {
    if (aggs.length === 0) throw new TypeError("agg() needs at least one aggregate");
    return this.#make({
      op: "aggregate",
      input: this.#parent.plan,
      keys: this.#keys,
      aggs: aggs.map(toAggExpr),
    });
  }

  /** One row per group: the keys and the group's row count, as `count`. */
  count(): Dataset {
    return this.agg({ fn: "count", name: "count" });
  }
}

function checkName(what: string, field: string, name: unknown): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(
      `${what}() needs a non-empty string "${field}", got ${JSON.stringify(name) ?? typeof name}`,
    );
  }
}

function checkSeed(what: string, seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${what}() needs a safe integer seed, got ${seed}`);
}

function checkPositive(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${what}() needs a positive integer, got ${n}`);
}
