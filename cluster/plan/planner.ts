/**
 * Turns a logical plan into stages. Narrow operators (project, filter, local limit, broadcast
 * join, partial aggregation) are fused into the task tree of one stage; wide ones (aggregation,
 * shuffle join, repartition, coalesce, sort, window, global limit) end a stage at a shuffle. Sort and
 * broadcast joins run small sub-jobs while planning (range bounds, the broadcast side), as Spark does.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { Batch, Row, Schema } from "../columnar/batch.ts";
import { batchToRows, concatBatches } from "../columnar/batch_ops.ts";
import type { Expr } from "../expr/expr.ts";
import { formatAgg, formatExpr, formatFrame, formatWindowCall, formatWindowOrder } from "../expr/format.ts";
import { estimateRows, type LogicalPlan } from "./logical_plan.ts";
import { partitionSeed, planFingerprint } from "./fingerprint.ts";
import { preAggSchema, schemaOf } from "./plan_schema.ts";
import { aggSpecsFor, keyNamesFor, preAggExprs } from "./plan_agg.ts";
import { computeRangeBounds } from "../kernels/partition.ts";
import { partialStateSchema } from "../kernels/aggregate.ts";
import type { MapOutputLocation, StageDef } from "../driver/scheduler.ts";
import { type Partitioner, reduceCount, type SortColumn, type TaskNode, type TaskSink } from "./task_plan.ts";
import type { CarrySpec } from "../partition_fns.ts";
import { encodeArgs, MAX_ARGS_BYTES } from "../util/partition_value.ts";

export interface BuiltTask {
  readonly node: TaskNode;
  readonly sink: TaskSink;
  readonly payload?: Uint8Array | undefined;
}

export interface PlannedStage extends StageDef {
  readonly parents: readonly PlannedStage[];
  /** Fused operators, for explain(). */
  readonly ops: readonly string[];
  readonly sinkLabel: string;
  /** Broadcast variables its tasks read. */
  readonly broadcasts: readonly string[];
  /** For map stages: how outputs are split among reduce partitions. */
  readonly partitioner?: Partitioner | undefined;
  buildTask(p: number): BuiltTask;
}

/** A partially planned dataset: how to compute each partition within the current stage. */
export interface Part {
  readonly n: number;
  readonly schema: Schema;
  readonly parents: readonly PlannedStage[];
  readonly ops: readonly string[];
  readonly broadcasts: readonly string[];
  build(p: number): TaskNode;
  payload?: ((p: number) => Uint8Array | undefined) | undefined;
  preferred?: ((p: number) => string | undefined) | undefined;
}

export interface PlannerContext {
  readonly shufflePartitions: number;
  /** Joins whose smaller side is estimated at most this many rows broadcast it. */
  readonly broadcastThresholdRows: number;
  /** Explain without running sub-jobs. */
  readonly dryRun: boolean;
  nextStageId(): number;
  nextOutputId(): number;
  locations(outputId: number): readonly (MapOutputLocation | undefined)[];
  inlinePayload(dataId: string, partition: number): Uint8Array | undefined;
  cachedStage(cacheId: number): PlannedStage | undefined;
  rememberCachedStage(cacheId: number, stage: PlannedStage): void;
  /** Runs `part` as a result stage and returns each partition's batches. */
  collect(part: Part): Promise<Batch[]>;
  /** Registers a broadcast value, returning its id. */
  broadcast(schema: Schema, batches: readonly Batch[]): string;
  /**
   * Registers a per-partition operator's JSON arguments (their UTF-8 text, more than
   * `MAX_ARGS_BYTES`) as a broadcast value for the job, returning its id.
   */
  broadcastArgs(json: Uint8Array): string;
  /**
   * A prefix carry: folds every partition of `part` with the `summarize` export (see
   * {@linkcode foldSinks}), then chains the summaries on the driver into one carry per partition.
   */
  carries(part: Part, spec: CarryJob): Promise<readonly Json[]>;
}

/** What {@linkcode PlannerContext.carries} computes: the carries of a `mapPartitions` over `input`. */
export interface CarryJob {
  readonly input: LogicalPlan;
  readonly module: string;
  readonly carry: CarrySpec;
  readonly args: Json;
}

/** How a task carries an operator's arguments: inline, or (`argsBroadcast`) as a broadcast value. */
export interface ShippedArgs {
  readonly args: Json;
  readonly argsBroadcast?: string;
}

/**
 * `args` as tasks carry them: inline up to `MAX_ARGS_BYTES` of JSON, else registered as a
 * broadcast value that each executor receives once (`args` is then null). Explain (a dry run)
 * registers nothing.
 */
export function shipArgs(args: Json, ctx: PlannerContext): ShippedArgs {
  const bytes = encodeArgs(args);
  if (bytes.byteLength <= MAX_ARGS_BYTES) return { args };
  return { args: null, argsBroadcast: ctx.dryRun ? "dry-run" : ctx.broadcastArgs(bytes) };
}

/** The broadcasts a task with `shipped` arguments reads (none, or its arguments'). */
export function argsBroadcasts(shipped: ShippedArgs): string[] {
  return shipped.argsBroadcast === undefined ? [] : [shipped.argsBroadcast];
}

/**
 * The fold sinks of `n` partitions of `input`: each folds its partition with `fold`, seeded from
 * the plan, the fold and the partition (from the arguments themselves however they travel).
 */
export function foldSinks(
  input: LogicalPlan,
  fold: { readonly module: string; readonly export: string; readonly args: Json },
  n: number,
  shipped: ShippedArgs = { args: fold.args },
): (p: number) => TaskSink {
  const fp = planFingerprint(input, { fold: `${fold.module}#${fold.export}`, args: fold.args });
  return (p) => ({
    kind: "fold",
    module: fold.module,
    export: fold.export,
    ...shipped,
    numPartitions: n,
    seed: partitionSeed(fp, p),
  });
}

export async function planPart(plan: LogicalPlan, ctx: PlannerContext): Promise<Part> {
  const schema = schemaOf(plan);
  switch (plan.op) {
    case "range": {
      const total = Math.max(0, Math.ceil((plan.end - plan.start) / plan.step));
      const n = plan.partitions;
      return leaf(n, schema, [`Range(${plan.start}, ${plan.end}, step ${plan.step})`], (p) => {
        const a = Math.floor((total * p) / n), b = Math.floor((total * (p + 1)) / n);
        return {
          op: "range",
          start: plan.start + a * plan.step,
          end: plan.start + b * plan.step,
          step: plan.step,
          column: "id",
        };
      });
    }
    case "generate": {
      const fp = planFingerprint(plan);
      const shipped = shipArgs(plan.args, ctx);
      const part = leaf(plan.partitions, schema, [`Generate(${plan.export} from ${plan.module})`], (p) => ({
        op: "generate",
        module: plan.module,
        export: plan.export,
        ...shipped,
        partition: p,
        numPartitions: plan.partitions,
        schema,
        seed: partitionSeed(fp, p),
      }));
      return { ...part, broadcasts: argsBroadcasts(shipped) };
    }
    case "inline": {
      const part = leaf(
        plan.partitions,
        schema,
        [`LocalData(${plan.dataId})`],
        () => ({ op: "inline", schema }),
      );
      return { ...part, payload: (p) => ctx.inlinePayload(plan.dataId, p) };
    }
    case "project": {
      const child = await planPart(plan.input, ctx);
      return narrow(child, schema, `Project[${plan.exprs.map(formatExpr).join(", ")}]`, (input) => ({
        op: "project",
        input,
        exprs: plan.exprs,
      }));
    }
    case "filter": {
      const child = await planPart(plan.input, ctx);
      return narrow(
        child,
        schema,
        `Filter[${formatExpr(plan.cond)}]`,
        (input) => ({ op: "filter", input, cond: plan.cond }),
      );
    }
    case "aggregate": {
      const child = await planPart(plan.input, ctx);
      const input = schemaOf(plan.input);
      const keys = keyNamesFor(plan.keys, input);
      const aggs = aggSpecsFor(plan.aggs);
      const pre = preAggSchema(plan.keys, plan.aggs, input);
      const exprs = preAggExprs(plan.keys, plan.aggs, input);
      const projected = narrow(child, pre, `Project[${exprs.map(formatExpr).join(", ")}]`, (i) => ({
        op: "project",
        input: i,
        exprs,
      }));
      const partial = narrow(
        projected,
        partialStateSchema(pre, keys, aggs),
        `PartialAgg[keys: ${keys.join(", ") || "()"}; ${plan.aggs.map(formatAgg).join(", ")}]`,
        (i) => ({ op: "partialAgg", input: i, keys, aggs }),
      );
      const partitioner: Partitioner = keys.length === 0
        ? { kind: "single" }
        : { kind: "hash", keys, n: ctx.shufflePartitions };
      const read = exchange(partial, partitioner, ctx);
      return narrow(read, schema, `FinalAgg[keys: ${keys.join(", ") || "()"}]`, (i) => ({
        op: "finalAgg",
        input: i,
        keys,
        aggs,
      }));
    }
    case "join":
      return await planJoin(plan, schema, ctx);
    case "repartition": {
      const child = await planPart(plan.input, ctx);
      const partitioner: Partitioner = plan.keys.length > 0
        ? { kind: "hash", keys: plan.keys, n: plan.n }
        : { kind: "roundRobin", n: plan.n };
      return exchange(child, partitioner, ctx);
    }
    case "coalesce": {
      const child = await planPart(plan.input, ctx);
      if (plan.n >= child.n) return child;
      return exchange(child, { kind: "coalesce", n: plan.n, numMaps: child.n }, ctx);
    }
    case "limit": {
      const child = await planPart(plan.input, ctx);
      const local = narrow(
        child,
        schema,
        `LocalLimit[${plan.n}]`,
        (i) => ({ op: "limit", input: i, n: plan.n }),
      );
      const one = exchange(local, { kind: "single" }, ctx);
      return narrow(one, schema, `GlobalLimit[${plan.n}]`, (i) => ({ op: "limit", input: i, n: plan.n }));
    }
    case "sample": {
      const child = await planPart(plan.input, ctx);
      const fp = planFingerprint(plan.input);
      const { lower, upper, withReplacement } = plan;
      const label = withReplacement
        ? `Sample[with replacement, fraction ${upper}; seed ${plan.seed}]`
        : `Sample[[${lower}, ${upper}); seed ${plan.seed}]`;
      return {
        ...child,
        schema,
        ops: [...child.ops, label],
        build: (p) => ({
          op: "rowSample",
          input: child.build(p),
          lower,
          upper,
          withReplacement,
          seed: partitionSeed(fp, p, plan.seed),
        }),
      };
    }
    case "union": {
      const parts: Part[] = [];
      for (const p of plan.inputs) parts.push(await planPart(p, ctx));
      return unionParts(parts, schema);
    }
    case "sort":
      return await planSort(plan, schema, ctx);
    case "window": {
      // Wide: every row of a window partition must meet in one task, which sorts and scans them.
      // Rows already hash-placed by a subset of the partition columns (an earlier window's
      // shuffle) are: Spark's clustered distribution, satisfied without another exchange.
      const child = await planPart(plan.input, ctx);
      const { partitionBy, orderBy, fns } = plan;
      const placedBy = placement.get(child);
      const placed = placedBy !== undefined && placedBy.every((k) => partitionBy.includes(k));
      const partitioner: Partitioner = partitionBy.length === 0
        ? { kind: "single" }
        : { kind: "hash", keys: partitionBy, n: ctx.shufflePartitions };
      const read = placed ? child : exchange(child, partitioner, ctx);
      const out = narrow(read, schema, `Window[${describeWindow(plan)}]`, (input) => ({
        op: "window",
        input,
        partitionBy,
        orderBy,
        fns,
      }));
      placement.set(out, placement.get(read)!); // a window keeps every input column and row
      return out;
    }
    case "csvScan":
      return leaf(plan.ranges.length, schema, [`CsvScan(${plan.path})`], (p) => ({
        op: "csvScan",
        path: plan.path,
        start: plan.ranges[p]!.start,
        end: plan.ranges[p]!.end,
        dialect: plan.dialect,
      }));
    case "csv": {
      let stage = ctx.cachedStage(plan.cacheId);
      if (!stage) {
        const entries = plan.entries;
        const dataSchema = schemaOf({ ...plan, which: "valid" });
        const child = leaf(entries.length, dataSchema, [`CsvRead(${plan.path})`], (p) => ({
          op: "csvRange",
          path: plan.path,
          entry: entries[p]!,
          options: plan.options,
          schema: dataSchema,
        }));
        stage = mapStage(child, { kind: "split" }, ctx, `Cache(${plan.cacheId}): rows + quarantine + lines`);
        if (!ctx.dryRun) ctx.rememberCachedStage(plan.cacheId, stage);
      }
      const read = readStage(
        stage,
        schema,
        ctx,
        `CacheRead(${plan.cacheId}, ${plan.which})`,
        plan.which === "valid" ? 0 : plan.which === "quarantine" ? 1 : 2,
      );
      const offsets = plan.which === "quarantine" ? plan.lineOffsets : undefined;
      if (offsets === undefined) return read;
      if (offsets.length !== read.n) {
        throw new RangeError(`CSV line offsets: ${read.n} partitions, ${offsets.length} offsets`);
      }
      const file = plan.options.file;
      return {
        ...read,
        ops: [...read.ops, "FixLines"],
        build: (p) => ({ op: "fixLines", input: read.build(p), offset: offsets[p]!, file }),
      };
    }
    case "mapPartitions": {
      const child = await planPart(plan.input, ctx);
      const { module, args, carry } = plan;
      let carries: readonly Json[] | undefined;
      if (carry && !ctx.dryRun) {
        carries = await ctx.carries(child, { input: plan.input, module, carry, args });
        if (carries.length !== child.n) {
          throw new RangeError(
            `${module}#${carry.chain} returned ${carries.length} carries for ${child.n} partitions`,
          );
        }
      }
      const fp = planFingerprint(plan);
      const via = carry ? `; carry: ${carry.summarize} → ${carry.chain}` : "";
      const shipped = shipArgs(args, ctx);
      const by = shipped.argsBroadcast === undefined ? "" : "; args by broadcast";
      return {
        ...child,
        schema,
        ops: [...child.ops, `MapPartitions[${plan.export} from ${module}${via}${by}]`],
        broadcasts: [...child.broadcasts, ...argsBroadcasts(shipped)],
        build: (p) => ({
          op: "mapPartitions",
          input: child.build(p),
          module,
          export: plan.export,
          ...shipped,
          schema,
          partition: p,
          numPartitions: child.n,
          seed: partitionSeed(fp, p),
          ...(carry ? { carry: carries?.[p] ?? null } : {}),
        }),
      };
    }
    case "files":
      return leaf(
        plan.paths.length,
        schema,
        [`FileRead(${plan.format}, ${plan.paths.length} files)`],
        (p) => ({
          op: "fileRead",
          path: plan.paths[p]!,
          format: plan.format,
          schema,
        }),
      );
    case "cache": {
      let stage = ctx.cachedStage(plan.cacheId);
      if (!stage) {
        const child = await planPart(plan.input, ctx);
        stage = mapStage(child, { kind: "identity" }, ctx, `Cache(${plan.cacheId})`);
        if (!ctx.dryRun) ctx.rememberCachedStage(plan.cacheId, stage);
      }
      return readStage(stage, schema, ctx, `CacheRead(${plan.cacheId})`);
    }
  }
}

function leaf(n: number, schema: Schema, ops: string[], build: (p: number) => TaskNode): Part {
  return { n, schema, parents: [], ops, broadcasts: [], build };
}

function narrow(child: Part, schema: Schema, op: string, wrap: (input: TaskNode) => TaskNode): Part {
  return { ...child, schema, ops: [...child.ops, op], build: (p) => wrap(child.build(p)) };
}

function mapStage(child: Part, partitioner: Partitioner, ctx: PlannerContext, label?: string): PlannedStage {
  const outputId = ctx.nextOutputId();
  const sink: TaskSink = { kind: "shuffle", outputId, partitioner };
  return {
    id: ctx.nextStageId(),
    numPartitions: child.n,
    parents: child.parents,
    outputId,
    preferredExecutor: child.preferred,
    ops: child.ops,
    sinkLabel: label ?? `Exchange[${describePartitioner(partitioner)}] → output ${outputId}`,
    broadcasts: child.broadcasts,
    partitioner,
    buildTask: (p) => ({ node: child.build(p), sink, payload: child.payload?.(p) }),
  };
}

function readStage(stage: PlannedStage, schema: Schema, ctx: PlannerContext, label: string, side = 0): Part {
  const outputId = stage.outputId!;
  const identity = stage.partitioner?.kind === "identity" || stage.partitioner?.kind === "split";
  const n = stage.partitioner ? reduceCount(stage.partitioner, stage.numPartitions) : 1;
  return {
    n,
    schema,
    parents: [stage],
    ops: [label],
    broadcasts: [],
    build: (p) => {
      const locs = ctx.locations(outputId);
      const maps = identity ? [p] : [...Array(stage.numPartitions).keys()];
      return {
        op: "shuffleRead",
        outputId,
        reducePartition: identity ? side : p,
        sources: maps.map((m) => ({ mapPartition: m, executorId: locs[m]?.executorId ?? "" })),
        schema,
      };
    },
    preferred: identity ? (p) => ctx.locations(outputId)[p]?.executorId : undefined,
  };
}

/**
 * The columns whose equal values a part's rows are known to share a partition by (none: a single
 * partition): set for hash and single exchanges and kept through windows. Only these parts are
 * keys, so any other operator built on them (a new object) loses it.
 */
const placement = new WeakMap<Part, readonly string[]>();

function exchange(child: Part, partitioner: Partitioner, ctx: PlannerContext): Part {
  const stage = mapStage(child, partitioner, ctx);
  const read = readStage(stage, child.schema, ctx, `ShuffleRead(output ${stage.outputId})`);
  if (partitioner.kind === "hash") placement.set(read, partitioner.keys);
  if (partitioner.kind === "single") placement.set(read, []);
  return read;
}

function unionParts(parts: Part[], schema: Schema): Part {
  const offsets: number[] = [];
  let n = 0;
  for (const p of parts) {
    offsets.push(n);
    n += p.n;
  }
  const locate = (p: number): [Part, number] => {
    let i = parts.length - 1;
    while (offsets[i]! > p) i--;
    return [parts[i]!, p - offsets[i]!];
  };
  return {
    n,
    schema,
    parents: parts.flatMap((p) => p.parents),
    ops: [`Union[${parts.map((p) => `(${p.ops.join(" → ")})`).join(", ")}]`],
    broadcasts: parts.flatMap((p) => p.broadcasts),
    build: (p) => {
      const [part, q] = locate(p);
      return part.build(q);
    },
    payload: (p) => {
      const [part, q] = locate(p);
      return part.payload?.(q);
    },
    preferred: (p) => {
      const [part, q] = locate(p);
      return part.preferred?.(q);
    },
  };
}

async function planJoin(
  plan: Extract<LogicalPlan, { op: "join" }>,
  schema: Schema,
  ctx: PlannerContext,
): Promise<Part> {
  const left = await planPart(plan.left, ctx);
  const right = await planPart(plan.right, ctx);
  const on = [...plan.on];
  const rightRows = estimateRows(plan.right);
  const canBroadcastRight = plan.how !== "right" && plan.how !== "full";
  const broadcast = canBroadcastRight &&
    (plan.strategy === "broadcast" ||
      (plan.strategy === "auto" && rightRows !== undefined && rightRows <= ctx.broadcastThresholdRows));
  if (broadcast) {
    const rightSchema = schemaOf(plan.right);
    let id = "dry-run";
    if (!ctx.dryRun) id = ctx.broadcast(rightSchema, await ctx.collect(right));
    const op = `BroadcastHashJoin[${plan.how}; on ${on.join(", ")}; build: (${right.ops.join(" → ")})]`;
    const joined = narrow(left, schema, op, (input) => ({
      op: "hashJoin",
      left: input,
      right: { op: "broadcastRead", broadcastId: id, schema: rightSchema },
      leftOn: on,
      rightOn: on,
      how: plan.how,
    }));
    return { ...joined, broadcasts: [...left.broadcasts, id] };
  }
  const n = ctx.shufflePartitions;
  const l = exchange(left, { kind: "hash", keys: on, n }, ctx);
  const r = exchange(right, { kind: "hash", keys: on, n }, ctx);
  return {
    n,
    schema,
    parents: [...l.parents, ...r.parents],
    ops: [`ShuffledHashJoin[${plan.how}; on ${on.join(", ")}]`],
    broadcasts: [],
    build: (p) => ({
      op: "hashJoin",
      left: l.build(p),
      right: r.build(p),
      leftOn: on,
      rightOn: on,
      how: plan.how,
    }),
  };
}

async function planSort(
  plan: Extract<LogicalPlan, { op: "sort" }>,
  schema: Schema,
  ctx: PlannerContext,
): Promise<Part> {
  const child = await planPart(plan.input, ctx);
  const keys: SortColumn[] = plan.keys.map((k) => {
    if (k.expr.op !== "col") {
      throw new TypeError(`sort keys must be columns; project ${formatExpr(k.expr)} first`);
    }
    return { column: k.expr.name, ascending: k.ascending, nullsFirst: k.nullsFirst };
  });
  const n = Math.max(1, Math.min(ctx.shufflePartitions, child.n));
  const keyNames = keys.map((k) => k.column);
  let bounds: readonly Row[] = [];
  if (!ctx.dryRun && n > 1) {
    const fp = planFingerprint(plan.input);
    const sampled: Part = {
      ...child,
      ops: [...child.ops, `Sample[${keyNames.join(", ")}]`],
      build: (p) => ({
        op: "sample",
        input: child.build(p),
        keys: keyNames,
        size: 20 * n,
        seed: partitionSeed(fp, p),
      }),
    };
    const samples = await ctx.collect(sampled);
    if (samples.length > 0) {
      bounds = batchToRows(computeRangeBounds(concatBatches(samples[0]!.schema, samples), keys, n));
    }
  }
  const read = exchange(child, { kind: "range", keys, n, bounds }, ctx);
  return narrow(
    read,
    schema,
    `SortLocal[${plan.keys.map((k) => `${formatExpr(k.expr)} ${k.ascending ? "ASC" : "DESC"}`).join(", ")}]`,
    (i) => ({
      op: "sortLocal",
      input: i,
      keys,
    }),
  );
}

function describeWindow(plan: Extract<LogicalPlan, { op: "window" }>): string {
  const parts = [`partition by ${plan.partitionBy.join(", ") || "()"}`];
  if (plan.orderBy.length > 0) parts.push(`order by ${plan.orderBy.map(formatWindowOrder).join(", ")}`);
  const fns = plan.fns.map((f) =>
    `${formatWindowCall(f)}${f.frame ? ` ${formatFrame(f.frame)}` : ""} AS ${f.name}`
  );
  return [...parts, fns.join(", ")].join("; ");
}

/** The final stage of a job; `sink` may differ by partition (file names, fold seeds). */
export function resultStage(
  part: Part,
  sink: TaskSink | ((p: number) => TaskSink),
  ctx: PlannerContext,
  label: string,
): PlannedStage {
  const sinkFor = typeof sink === "function" ? sink : () => sink;
  return {
    id: ctx.nextStageId(),
    numPartitions: part.n,
    parents: part.parents,
    outputId: undefined,
    preferredExecutor: part.preferred,
    ops: part.ops,
    sinkLabel: label,
    broadcasts: part.broadcasts,
    buildTask: (p) => ({ node: part.build(p), sink: sinkFor(p), payload: part.payload?.(p) }),
  };
}

export function describePartitioner(p: Partitioner): string {
  switch (p.kind) {
    case "hash":
      return `hash(${p.keys.join(", ")}), ${p.n} partitions`;
    case "roundRobin":
      return `roundRobin, ${p.n} partitions`;
    case "range":
      return `range(${p.keys.map((k) => k.column).join(", ")}), ${p.n} partitions`;
    case "single":
      return "single partition";
    case "coalesce":
      return `coalesce ${p.numMaps} → ${p.n}`;
    case "identity":
      return "identity";
    case "split":
      return "rows + side output";
  }
}

/** Text of the stage DAG, parents first. */
export function explainStages(final: PlannedStage): string {
  const seen = new Set<number>();
  const lines: string[] = [];
  const visit = (s: PlannedStage) => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    for (const p of s.parents) visit(p);
    const deps = s.parents.length
      ? ` (after stage${s.parents.length > 1 ? "s" : ""} ${s.parents.map((p) => p.id).join(", ")})`
      : "";
    lines.push(`Stage ${s.id}: ${s.numPartitions} partition${s.numPartitions === 1 ? "" : "s"}${deps}`);
    lines.push(`  ${s.ops.join("\n  → ")}`);
    lines.push(`  ⇒ ${s.sinkLabel}`);
  };
  visit(final);
  return lines.join("\n");
}

export type { Expr };
