/**
 * The Dataset: a lazy, immutable description of distributed data. Transformations build a
 * logical plan; actions (`count`, `collect`, `take`, `toArrow`, `write.*`) run jobs.
 *
 * @example
 * ```ts ignore
 * import { col, Frontier, sum } from "../mod.ts";
 * await using fx = await Frontier.start({ executors: 2 });
 * const ds = fx.range(1_000_000).withColumn("k", col("id").mod(10));
 * console.log(await ds.filter(col("k").gt(4)).groupBy("k").agg(sum("id")).collect());
 * ```
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
import type { JoinHow } from "./plan/task_plan.ts";
import type { AggregatePartitionsSpec, MapPartitionsSpec } from "./partition_fns.ts";
import { checkJson, type PartitionValue } from "./util/partition_value.ts";

function toExpr(c: ColumnLike): Expr {
  return typeof c === "string" ? col(c).expr : c.expr;
}

function toSortKey(c: ColumnLike | SortKey): SortKey {
  if (typeof c === "object" && "ascending" in c) return c;
  return { expr: toExpr(c), ascending: true, nullsFirst: true };
}

export interface ActionOptions {
  signal?: AbortSignal | undefined;
}

export class Dataset {
  readonly #engine: Engine;
  readonly plan: LogicalPlan;
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

  get columns(): string[] {
    return this.schema.map((f) => f.name);
  }

  // ---- transformations (lazy) ----

  select(...cols: ColumnLike[]): Dataset {
    if (cols.length === 0) throw new TypeError("select() needs at least one column");
    return this.#derive({ op: "project", input: this.plan, exprs: cols.map(toExpr) });
  }

  filter(cond: Column): Dataset {
    return this.#derive({ op: "filter", input: this.plan, cond: cond.expr });
  }

  /** Alias of {@linkcode Dataset.filter}. */
  where(cond: Column): Dataset {
    return this.filter(cond);
  }

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
    return this.#derive({ op: "project", input: this.plan, exprs });
  }

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

  drop(...names: string[]): Dataset {
    const keep = this.schema.filter((f) => !names.includes(f.name));
    if (keep.length === 0) throw new TypeError("drop() would remove every column");
    return this.#derive({
      op: "project",
      input: this.plan,
      exprs: keep.map((f): Expr => ({ op: "col", name: f.name })),
    });
  }

  groupBy(...keys: ColumnLike[]): GroupedData {
    return new GroupedData(this, keys.map(toExpr), (plan) => this.#derive(plan));
  }

  /** Aggregates over all rows (one output row). */
  agg(...aggs: (AggColumn | AggExpr)[]): Dataset {
    return this.groupBy().agg(...aggs);
  }

  join(
    other: Dataset,
    on: string | readonly string[],
    how: JoinHow = "inner",
    options: { strategy?: JoinStrategy } = {},
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

  repartition(n: number, ...keys: string[]): Dataset {
    checkPositive("repartition", n);
    return this.#derive({ op: "repartition", input: this.plan, n, keys });
  }

  coalesce(n: number): Dataset {
    checkPositive("coalesce", n);
    return this.#derive({ op: "coalesce", input: this.plan, n });
  }

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
   * @example
   * ```ts ignore
   * const tenth = ds.sample(0.1, { seed: 42 });
   * ```
   */
  sample(fraction: number, options: { seed: number; withReplacement?: boolean }): Dataset {
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
   * @example
   * ```ts ignore
   * const [train, test] = ds.randomSplit([0.8, 0.2], { seed: 7 });
   * ```
   */
  randomSplit(weights: readonly number[], options: { seed: number }): Dataset[] {
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
   * @example
   * ```ts ignore
   * const scored = ds.mapPartitions({
   *   module: "file:///srv/jobs/score.ts", // on Frontier.start({ modules }) of the cluster
   *   export: "score",
   *   schema: [...ds.schema, { name: "score", type: "double", nullable: false }],
   *   args: { threshold: 0.5 },
   * });
   * ```
   * @throws {TypeError} when the module or export is not a non-empty string, or `args` is not JSON.
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
    const args = checkJson(spec.args ?? null, "mapPartitions() args");
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

  // ---- actions ----

  async count(options: ActionOptions = {}): Promise<number> {
    return (await this.#engine.runJob(this.plan, { kind: "count" }, options)).rows;
  }

  async collectBatch(options: ActionOptions = {}): Promise<Batch> {
    const r = await this.#engine.runJob(this.plan, { kind: "collect" }, options);
    return r.batches.length ? concatBatches(this.schema, r.batches) : emptyBatch(this.schema);
  }

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
   * @example
   * ```ts ignore
   * const total = await ds.aggregatePartitions({ module: STATS_URL, fold: "sumColumn", merge: "add", args: { column: "x" } });
   * ```
   * @throws {NotAllowedError} when the module is not on the allowlist (or lacks the exports).
   */
  async aggregatePartitions(
    spec: AggregatePartitionsSpec,
    options: ActionOptions = {},
  ): Promise<PartitionValue> {
    checkName("aggregatePartitions", "module", spec.module);
    checkName("aggregatePartitions", "fold", spec.fold);
    checkName("aggregatePartitions", "merge", spec.merge);
    const args = checkJson(spec.args ?? null, "aggregatePartitions() args");
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

  async take(n: number, options: ActionOptions = {}): Promise<Row[]> {
    return await this.limit(n).collect(options);
  }

  async toArrow(options: ActionOptions = {}): Promise<arrow.Table> {
    return batchToArrowTable(await this.collectBatch(options));
  }

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

export interface WriteResult {
  rows: number;
  files: { path: string; rows: number; bytes: number }[];
}

export interface DatasetWriter {
  arrow(dir: string, options?: ActionOptions): Promise<WriteResult>;
  parquet(dir: string, options?: ActionOptions): Promise<WriteResult>;
  csv(dir: string, options?: ActionOptions): Promise<WriteResult>;
}

export class GroupedData {
  readonly #parent: Dataset;
  readonly #keys: Expr[];
  readonly #make: (plan: LogicalPlan) => Dataset;

  constructor(parent: Dataset, keys: Expr[], make: (plan: LogicalPlan) => Dataset) {
    this.#parent = parent;
    this.#keys = keys;
    this.#make = make;
  }

  agg(...aggs: (AggColumn | AggExpr)[]): Dataset {
    if (aggs.length === 0) throw new TypeError("agg() needs at least one aggregate");
    return this.#make({
      op: "aggregate",
      input: this.#parent.plan,
      keys: this.#keys,
      aggs: aggs.map(toAggExpr),
    });
  }

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
