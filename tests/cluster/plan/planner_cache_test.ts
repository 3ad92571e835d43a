import assert from "node:assert/strict";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import type { CsvRangeOptions } from "../../../cluster/io/csv/range_options.ts";
import {
  alias,
  bin,
  col,
  executorOf,
  lit,
  opNames,
  planResult,
  range,
  shape,
  stagesOf,
  stubContext,
} from "./planner_stub.ts";

const filtered: LogicalPlan = { op: "filter", input: range(100, 4), cond: bin(">", col("id"), lit(10)) };
const cached: LogicalPlan = { op: "cache", input: filtered, cacheId: 7 };
const derived: LogicalPlan = {
  op: "project",
  input: cached,
  exprs: [alias("twice", bin("*", col("id"), lit(2)))],
};

Deno.test("planner caches through an identity exchange: partition p reads map p where it was written", async () => {
  const { ctx, record } = stubContext();
  const final = await planResult(derived, ctx);
  const [cache, result] = stagesOf(final);
  assert.deepEqual(shape(cache!), {
    id: 1,
    partitions: 4,
    parents: [],
    outputId: 101,
    partitioner: { kind: "identity" },
    ops: ["Range(0, 100, step 1)", "Filter[(id > 10)]"],
  });
  assert.equal(cache!.sinkLabel, "Cache(7)");
  assert.equal(record.cached.get(7), cache, "remembered for later jobs");
  assert.equal(result!.numPartitions, 4);
  assert.deepEqual(result!.ops, ["CacheRead(7)", "Project[(id * 2) AS twice]"]);
  assert.deepEqual(result!.buildTask(3).node, {
    op: "project",
    input: {
      op: "shuffleRead",
      outputId: 101,
      reducePartition: 0,
      sources: [{ mapPartition: 3, executorId: executorOf(3) }],
      schema: [{ name: "id", type: "long", nullable: false }],
    },
    exprs: [alias("twice", bin("*", col("id"), lit(2)))],
  });
  assert.deepEqual([0, 1, 2, 3].map((p) => result!.preferredExecutor?.(p)), ["e0", "e1", "e0", "e1"]);
});

Deno.test("planner reuses a cached stage in later jobs instead of planning its input again", async () => {
  const first = stubContext();
  const firstFinal = await planResult(derived, first.ctx);
  const cacheStage = firstFinal.parents[0]!;

  const later = stubContext({ cached: first.record.cached, stageIdBase: 10 });
  const final = await planResult({
    op: "aggregate",
    input: derived,
    keys: [],
    aggs: [{ fn: "count", name: "n" }],
  }, later.ctx);
  const stages = stagesOf(final);
  assert.equal(
    stages[0],
    cacheStage,
    "the same stage object: its outputs are registered, so the scheduler skips it",
  );
  assert.deepEqual(stages.map((s) => s.id), [1, 11, 12]);
  assert.deepEqual(opNames(stages[1]!), ["CacheRead", "Project", "Project", "PartialAgg"]);
  assert.equal(later.record.outputIdsDrawn, 1, "only the aggregate's exchange");
  assert.equal(later.record.stageIdsDrawn, 2);
});

Deno.test("planner does not remember a cached stage while explaining", async () => {
  const { ctx, record } = stubContext({ dryRun: true });
  const final = await planResult(derived, ctx);
  assert.equal(final.parents[0]!.partitioner?.kind, "identity");
  assert.equal(record.cached.size, 0);
});

Deno.test("planner reads a cached CSV parse by side: rows, quarantine with line offsets, meta", async () => {
  const schema: Schema = [{ name: "a", type: "long", nullable: true }];
  const options: CsvRangeOptions = {
    dialect: {},
    schema: { fields: [{ name: "a", type: "long" }] },
    file: "x.csv",
    strict: false,
    gzip: false,
  };
  const entries = [{ start: 0, end: 4096, state: 0, line: 2 }, { start: 4096, end: 9000, state: 0, line: 2 }];
  const csv = (which: "valid" | "quarantine" | "meta"): LogicalPlan => ({
    op: "csv",
    path: "/in/x.csv",
    entries,
    options,
    cacheId: 3,
    which,
    schema,
    ...(which === "quarantine" ? { lineOffsets: [0, 812] } : {}),
  });
  const { ctx, record } = stubContext();
  const valid = await planResult(csv("valid"), ctx);
  const parse = valid.parents[0]!;
  assert.deepEqual(shape(parse), {
    id: 1,
    partitions: 2,
    parents: [],
    outputId: 101,
    partitioner: { kind: "split" },
    ops: ["CsvRead(/in/x.csv)"],
  });
  assert.deepEqual(parse.buildTask(1).node, {
    op: "csvRange",
    path: "/in/x.csv",
    entry: entries[1],
    options,
    schema,
  });

  const quarantine = await planResult(csv("quarantine"), ctx);
  const meta = await planResult(csv("meta"), ctx);
  assert.equal(quarantine.parents[0], parse);
  assert.equal(meta.parents[0], parse);
  assert.equal(record.outputIdsDrawn, 1, "one parse serves all three reads");
  const fix = quarantine.buildTask(1).node;
  assert.ok(fix.op === "fixLines" && fix.input.op === "shuffleRead", JSON.stringify(fix));
  assert.deepEqual([fix.offset, fix.file], [812, "x.csv"]);
  assert.deepEqual([fix.input.reducePartition, fix.input.sources], [1, [{
    mapPartition: 1,
    executorId: "e1",
  }]]);
  const sides = [valid, meta].map((s) => {
    const node = s.buildTask(0).node;
    return node.op === "shuffleRead" ? node.reducePartition : -1;
  });
  assert.deepEqual(sides, [0, 2]);
});
