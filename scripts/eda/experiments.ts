/**
 * Measured experiments on the cluster — wall time per variant, each repeated (≥ 3 runs, in
 * interleaved rounds so drift hits every variant alike) and summarized by the median — with the
 * stage plan (`explain()`) of every variant, the data size and the machine:
 *
 * 1. **partitions**: a group-by aggregation straight from the source at 1, 2, … up to 4× the
 *    executors' partitions (source read/generate + partial agg + shuffle + final agg);
 * 2. **cache vs recompute**: three actions on one derived dataset, recomputed from the source each
 *    time vs cached by the first action;
 * 3. **broadcast vs shuffle join**: the (cached) data joined to a small dimension table on the key;
 * 4. **lazy vs materialized**: a chain of three transformations and an aggregation run as one job
 *    (the planner fuses the narrow steps) vs `.cache()` + `count()` after every step.
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import type { Frontier } from "../../cluster/frontier.ts";
import { avg, col, count, sum } from "../../cluster/expr/column.ts";

/** Where the experiments run and what on. */
export interface ExperimentContext {
  frontier: Frontier;
  /** The data at `partitions` partitions, built from its source (file read or generator) each call. */
  source(partitions: number): Dataset | Promise<Dataset>;
  /** Executors in the cluster (the partition sweep goes up to 4× this). */
  executors: number;
  /** Partitions of the other experiments. @default {frontier.defaultParallelism} */
  partitions?: number;
  /** A categorical column with few values: the group-by and join key. */
  key: string;
  /** A numeric column the queries sum. */
  value: string;
  /** What the data is, e.g. `"1,000,000 generated transactions"`. */
  dataLabel: string;
  /** Rows of the data. */
  rows: number;
  /** Bytes of the input, when known (file size). */
  bytes?: number;
  /** Runs per variant (at least 3). @default {3} */
  repeats?: number;
  clock?: Clock;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One measured variant. */
export interface ExperimentRow {
  variant: string;
  partitions: number;
  /** Median wall time of the runs, ms. */
  ms: number;
  minMs: number;
  maxMs: number;
  /** Every run, ms, in order. */
  runs: number[];
  /** Rows of the input data. */
  rows: number;
  /** Jobs one run submits. */
  jobs: number;
}

/** The plan of one variant. */
export interface VariantPlan {
  variant: string;
  explain: string;
}

/** One experiment's table and plans. */
export interface Experiment {
  id: "partitions" | "cache" | "join" | "lazy";
  title: string;
  /** What was measured, in one or two sentences. */
  method: string;
  rows: ExperimentRow[];
  plans: VariantPlan[];
}

/** The machine the experiments ran on. */
export interface MachineInfo {
  nproc: number;
  memoryBytes: number;
  cpu: string;
  os: string;
  deno: string;
  v8: string;
}

/** All experiments with their context. */
export interface ExperimentsReport {
  machine: MachineInfo;
  data: { label: string; rows: number; bytes: number | null; executors: number; repeats: number };
  experiments: Experiment[];
}

/** The median of `xs` (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Partition counts 1, 2, 4, … up to `4 × executors` (always including the last). */
export function partitionSweep(executors: number): number[] {
  const top = 4 * executors;
  const out: number[] = [];
  for (let p = 1; p < top; p *= 2) out.push(p);
  out.push(top);
  return out;
}

/** The machine: cores, memory, CPU model (Linux), OS and runtime versions. */
export async function machineInfo(): Promise<MachineInfo> {
  let cpu = "unknown";
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    cpu = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux, or not readable: keep "unknown"
  }
  return {
    nproc: navigator.hardwareConcurrency,
    memoryBytes: Deno.systemMemoryInfo().total,
    cpu,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

interface Variant {
  name: string;
  partitions: number;
  jobs: number;
  /** Runs the variant once (its cleanup included). */
  run(): Promise<void>;
  explain(): Promise<string>;
}

async function measure(
  variants: readonly Variant[],
  ctx: ExperimentContext,
  label: string,
): Promise<{ rows: ExperimentRow[]; plans: VariantPlan[] }> {
  const clock = ctx.clock ?? systemClock;
  const repeats = Math.max(3, ctx.repeats ?? 3);
  const runs = variants.map(() => [] as number[]);
  for (let r = 0; r < repeats; r++) {
    ctx.log?.(`experiments: ${label}, round ${r + 1}/${repeats}`);
    for (const [i, v] of variants.entries()) {
      const t0 = clock.monotonic();
      await v.run();
      runs[i]!.push(clock.monotonic() - t0);
    }
  }
  const rows = variants.map((v, i): ExperimentRow => ({
    variant: v.name,
    partitions: v.partitions,
    ms: median(runs[i]!),
    minMs: Math.min(...runs[i]!),
    maxMs: Math.max(...runs[i]!),
    runs: runs[i]!,
    rows: ctx.rows,
    jobs: v.jobs,
  }));
  const plans: VariantPlan[] = [];
  for (const v of variants) plans.push({ variant: v.name, explain: await v.explain() });
  return { rows, plans };
}

function groupQuery(ds: Dataset, ctx: ExperimentContext): Dataset {
  return ds.groupBy(ctx.key).agg(count().alias("n"), sum(col(ctx.value).cast("double")).alias("total"));
}

async function partitionsExperiment(ctx: ExperimentContext): Promise<Experiment> {
  const variants: Variant[] = [];
  for (const p of partitionSweep(ctx.executors)) {
    variants.push({
      name: `${p} partition${p === 1 ? "" : "s"}`,
      partitions: p,
      jobs: 1,
      run: async () => {
        const rows = await groupQuery(await ctx.source(p), ctx).collect();
        const seen = rows.reduce((n, r) => n + Number(r["n"]), 0);
        if (seen !== ctx.rows) {
          throw new RangeError(
            `Partition experiment at ${p} partitions counted ${seen} rows, expected ${ctx.rows}`,
          );
        }
      },
      explain: async () => await groupQuery(await ctx.source(p), ctx).explain(),
    });
  }
  const m = await measure(variants, ctx, "partitions");
  return {
    id: "partitions",
    title: "Partition count",
    method: `groupBy(${ctx.key}).agg(count, sum(${ctx.value})) read straight from the source, at each ` +
      `partition count from 1 to 4x the ${ctx.executors} executors.`,
    ...m,
  };
}

/** The reused dataset: the key and the value (as `__v`) of the rows with a positive value. */
function derived(ds: Dataset, ctx: ExperimentContext): Dataset {
  return ds.select(col(ctx.key), col(ctx.value).cast("double").alias("__v")).filter(col("__v").gt(0));
}

async function cacheExperiment(ctx: ExperimentContext, partitions: number): Promise<Experiment> {
  const actions = (ds: Dataset) => [
    ds.groupBy(ctx.key).agg(count().alias("n")),
    ds.agg(sum("__v").alias("total"), avg("__v").alias("mean")),
    ds.filter(col("__v").gt(100)).agg(count().alias("n")),
  ];
  const runAll = async (ds: Dataset) => {
    for (const a of actions(ds)) await a.collect();
  };
  const variants: Variant[] = [
    {
      name: "recompute",
      partitions,
      jobs: 3,
      run: async () => await runAll(derived(await ctx.source(partitions), ctx)),
      explain: async () => await actions(derived(await ctx.source(partitions), ctx))[0]!.explain(),
    },
    {
      name: "cache",
      partitions,
      jobs: 3,
      run: async () => {
        const cached = derived(await ctx.source(partitions), ctx).cache();
        try {
          await runAll(cached);
        } finally {
          await cached.unpersist();
        }
      },
      explain: async () => await actions(derived(await ctx.source(partitions), ctx).cache())[0]!.explain(),
    },
  ];
  const m = await measure(variants, ctx, "cache vs recompute");
  return {
    id: "cache",
    title: "Cache vs recompute",
    method: `Three actions (count by ${ctx.key}, sum/avg of ${ctx.value}, a filtered count) on one derived ` +
      `dataset (${ctx.key} and ${ctx.value} of the rows with a positive ${ctx.value}): recomputed from the ` +
      "source for each action, or cached (as Arrow blocks on the executors) by the first action and unpersisted after.",
    ...m,
  };
}

async function joinExperiment(
  ctx: ExperimentContext,
  base: Dataset,
  partitions: number,
): Promise<Experiment> {
  const keys = (await base.groupBy(ctx.key).agg(count().alias("n")).collect()).map((r) => r[ctx.key] ?? null);
  const keyField = base.schema.find((f) => f.name === ctx.key)!;
  const dim = await ctx.frontier.fromRows(
    keys.map((k, i) => ({ [ctx.key]: k, __group: `g${i % 5}` })),
    {
      schema: [{ ...keyField, nullable: true }, { name: "__group", type: "string", nullable: false }],
      partitions: 1,
    },
  );
  const query = (strategy: "broadcast" | "shuffle") =>
    base.join(dim, ctx.key, "inner", { strategy })
      .groupBy("__group")
      .agg(count().alias("n"), sum(col(ctx.value).cast("double")).alias("total"));
  const variants: Variant[] = (["broadcast", "shuffle"] as const).map((s) => ({
    name: s,
    partitions,
    jobs: 1,
    run: async () => void await query(s).collect(),
    explain: async () => await query(s).explain(),
  }));
  const m = await measure(variants, ctx, "broadcast vs shuffle join");
  return {
    id: "join",
    title: "Broadcast vs shuffle join",
    method:
      `The cached data joined on ${ctx.key} to a ${keys.length}-row dimension table, then aggregated; ` +
      "join strategy forced to broadcast (dimension shipped to every task) or shuffle (both sides hash-partitioned).",
    ...m,
  };
}

async function lazyExperiment(
  ctx: ExperimentContext,
  base: Dataset,
  partitions: number,
): Promise<Experiment> {
  const steps = [
    (ds: Dataset) => ds.withColumn("__v", col(ctx.value).cast("double").times(1.1)),
    (ds: Dataset) => ds.filter(col("__v").gt(1)),
    (ds: Dataset) => ds.withColumn("__b", col("__v").log().floor()),
  ];
  const final = (ds: Dataset) =>
    ds.groupBy(ctx.key, "__b").agg(count().alias("n"), sum("__v").alias("total"));
  const lazy = () => final(steps.reduce((ds, step) => step(ds), base));
  const materialized = async (keep: Dataset[]) => {
    let ds = base;
    for (const step of steps) {
      ds = step(ds).cache();
      keep.push(ds);
      await ds.count();
    }
    return final(ds);
  };
  const variants: Variant[] = [
    {
      name: "lazy chain",
      partitions,
      jobs: 1,
      run: async () => void await lazy().collect(),
      explain: async () => await lazy().explain(),
    },
    {
      name: "materialize each step",
      partitions,
      jobs: steps.length + 1,
      run: async () => {
        const keep: Dataset[] = [];
        try {
          await (await materialized(keep)).collect();
        } finally {
          for (const ds of keep) await ds.unpersist();
        }
      },
      explain: async () => {
        const keep: Dataset[] = [];
        try {
          const last = await materialized(keep);
          const parts = [];
          for (const [i, ds] of keep.entries()) {
            parts.push(`-- step ${i + 1}: cache() + count()\n${await ds.explain()}`);
          }
          parts.push(`-- final aggregation\n${await last.explain()}`);
          return parts.join("\n");
        } finally {
          for (const ds of keep) await ds.unpersist();
        }
      },
    },
  ];
  const m = await measure(variants, ctx, "lazy vs materialized");
  return {
    id: "lazy",
    title: "Lazy chain vs materializing each step",
    method:
      "withColumn → filter → withColumn → groupBy/agg on the cached data, as one lazy job (narrow steps " +
      "fused into one stage) or with .cache() + count() after each transformation (4 jobs).",
    ...m,
  };
}

/** Runs the four experiments. Leaves no cached data behind. */
export async function runExperiments(ctx: ExperimentContext): Promise<ExperimentsReport> {
  if (!ctx.frontier || ctx.executors < 1) {
    throw new RangeError("runExperiments needs a cluster with executors");
  }
  const partitions = ctx.partitions ?? ctx.frontier.defaultParallelism;
  const experiments: Experiment[] = [];
  experiments.push(await partitionsExperiment(ctx));
  experiments.push(await cacheExperiment(ctx, partitions));
  const base = (await ctx.source(partitions)).cache();
  try {
    ctx.log?.("experiments: caching the base data");
    await base.count();
    experiments.push(await joinExperiment(ctx, base, partitions));
    experiments.push(await lazyExperiment(ctx, base, partitions));
  } finally {
    await base.unpersist();
  }
  return {
    machine: await machineInfo(),
    data: {
      label: ctx.dataLabel,
      rows: ctx.rows,
      bytes: ctx.bytes ?? null,
      executors: ctx.executors,
      repeats: Math.max(3, ctx.repeats ?? 3),
    },
    experiments,
  };
}
