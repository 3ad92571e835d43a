/**
 * A stubbed {@linkcode PlannerContext} for planner unit tests: counters for stage and output ids,
 * canned map-output locations and inline payloads, and a record of every sub-job, broadcast and
 * cached stage the planner asked for. Plus small builders for logical plans and expressions.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { Batch, Schema } from "../../../cluster/columnar/batch.ts";
import type { MapOutputLocation } from "../../../cluster/driver/scheduler.ts";
import type { Expr } from "../../../cluster/expr/expr.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import {
  type CarryJob,
  type Part,
  type PlannedStage,
  type PlannerContext,
  planPart,
  resultStage,
} from "../../../cluster/plan/planner.ts";

/** What the planner asked of a {@linkcode stubContext}. */
export interface StubRecord {
  readonly collected: Part[];
  /** The prefix carries asked for, with the part they were computed over. */
  readonly carries: { part: Part; job: CarryJob }[];
  readonly broadcasts: { id: string; schema: Schema; batches: readonly Batch[] }[];
  /** Operator arguments broadcast because they were too large to travel with each task. */
  readonly argsBroadcasts: { id: string; json: Uint8Array }[];
  readonly cached: Map<number, PlannedStage>;
  stageIdsDrawn: number;
  outputIdsDrawn: number;
}

/** Options of {@linkcode stubContext}. */
export interface StubOptions {
  shufflePartitions?: number;
  broadcastThresholdRows?: number;
  dryRun?: boolean;
  /** What a sub-job returns; by default no batches. */
  collect?: (part: Part) => Batch[];
  /** Stages already cached, by cache id. */
  cached?: Map<number, PlannedStage>;
  /** Stage ids start after this (as a later job's would on a real driver). @default {0} */
  stageIdBase?: number;
  /** What a carry sub-job returns; by default `null` for every partition. */
  carries?: (part: Part, job: CarryJob) => Json[];
}

/** Map partition `m` of every output lives on executor `e{m % 2}`. */
export function executorOf(map: number): string {
  return `e${map % 2}`;
}

/** A planner context whose ids start at 1 (stages, unless `stageIdBase` is set) and 101 (outputs). */
export function stubContext(options: StubOptions = {}): { ctx: PlannerContext; record: StubRecord } {
  const record: StubRecord = {
    collected: [],
    carries: [],
    broadcasts: [],
    argsBroadcasts: [],
    cached: options.cached ?? new Map(),
    stageIdsDrawn: 0,
    outputIdsDrawn: 0,
  };
  const location = (m: number): MapOutputLocation => ({
    executorId: executorOf(m),
    epoch: 1,
    rows: [],
    bytes: [],
  });
  const ctx: PlannerContext = {
    shufflePartitions: options.shufflePartitions ?? 3,
    broadcastThresholdRows: options.broadcastThresholdRows ?? 1_000,
    dryRun: options.dryRun ?? false,
    nextStageId: () => (options.stageIdBase ?? 0) + ++record.stageIdsDrawn,
    nextOutputId: () => 100 + ++record.outputIdsDrawn,
    locations: () => Array.from({ length: 8 }, (_, m) => location(m)),
    inlinePayload: (dataId, p) => new TextEncoder().encode(`${dataId}#${p}`),
    cachedStage: (id) => record.cached.get(id),
    rememberCachedStage: (id, stage) => void record.cached.set(id, stage),
    collect: (part) => {
      record.collected.push(part);
      return Promise.resolve(options.collect?.(part) ?? []);
    },
    broadcast: (schema, batches) => {
      const id = `bc-${record.broadcasts.length + 1}`;
      record.broadcasts.push({ id, schema, batches });
      return id;
    },
    broadcastArgs: (json) => {
      const id = `bc-args-${record.argsBroadcasts.length + 1}`;
      record.argsBroadcasts.push({ id, json });
      return id;
    },
    carries: (part, job) => {
      record.carries.push({ part, job });
      return Promise.resolve(options.carries?.(part, job) ?? Array.from({ length: part.n }, () => null));
    },
  };
  return { ctx, record };
}

/** Plans `plan` as a collect job: the result stage, whose parents reach every other stage. */
export async function planResult(plan: LogicalPlan, ctx: PlannerContext): Promise<PlannedStage> {
  return resultStage(await planPart(plan, ctx), { kind: "result" }, ctx, "Result");
}

/** Every stage of the DAG ending at `final`, parents first, each once. */
export function stagesOf(final: PlannedStage): PlannedStage[] {
  const out: PlannedStage[] = [];
  const visit = (s: PlannedStage) => {
    if (out.includes(s)) return;
    for (const p of s.parents) visit(p);
    out.push(s);
  };
  visit(final);
  return out;
}

/** The shape of a stage: what most tests compare. */
export function shape(s: PlannedStage): {
  id: number;
  partitions: number;
  parents: number[];
  outputId: number | undefined;
  partitioner: PlannedStage["partitioner"];
  ops: readonly string[];
} {
  return {
    id: s.id,
    partitions: s.numPartitions,
    parents: s.parents.map((p) => p.id),
    outputId: s.outputId,
    partitioner: s.partitioner,
    ops: s.ops,
  };
}

/** `ops` without their bracketed details: `["Range", "Project", "Filter"]`. */
export function opNames(s: PlannedStage): string[] {
  return s.ops.map((o) => o.replace(/[[(].*$/s, ""));
}

// ---- plan and expression builders ----

/** `id` in [start, end), in `partitions` partitions. */
export function range(end: number, partitions: number, start = 0): LogicalPlan {
  return { op: "range", start, end, step: 1, partitions };
}

export function col(name: string): Expr {
  return { op: "col", name };
}

export function lit(value: number): Expr {
  return { op: "lit", value };
}

export function bin(fn: "%" | "*" | ">" | "<", left: Expr, right: Expr): Expr {
  return { op: "bin", fn, left, right };
}

export function alias(name: string, arg: Expr): Expr {
  return { op: "alias", name, arg };
}
