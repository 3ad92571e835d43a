/**
 * Evaluates one task on an executor: the operator tree over this partition's inputs, then the
 * sink (shuffle blocks, result bytes, a count, or a file). Pure of transport: everything it needs
 * from the outside comes through {@linkcode TaskContext}.
 *
 * @module
 */
import { abortReason } from "../../actors/errors.ts";
import { NotAllowedError } from "../errors.ts";
import type { Batch, Schema } from "../columnar/batch.ts";
import { batchFromRows, concatBatches, emptyBatch, takeRows } from "../columnar/batch_ops.ts";
import { decodeBatches, encodeBatches } from "../columnar/arrow_codec.ts";
import { evalPredicate, projectBatch } from "../expr/eval.ts";
import { finalizeAggregate, mergeAggregate, partialAggregate } from "../kernels/aggregate.ts";
import { hashJoin } from "../kernels/join.ts";
import { sortBatch } from "../kernels/sort.ts";
import { computeWindow } from "../kernels/window.ts";
import { sampleRows } from "../kernels/row_sample.ts";
import { hashPartition, rangePartition, sampleForRangeBounds } from "../kernels/partition.ts";
import type { Partitioner, TaskNode, TaskSink } from "../plan/task_plan.ts";
import type { TaskMetrics, TaskOutputMsg } from "../protocol.ts";
import { writeBatchesToFile } from "../io/file_write.ts";
import { readFileBatch } from "../io/file_read.ts";
import { CSV_META_SCHEMA, offsetQuarantineLines, QUARANTINE_SCHEMA } from "../io/csv/parse.ts";
import { parseCsvRange, scanCsvRange } from "../io/csv/range_task.ts";
import type { GeneratorFn } from "../partition_fns.ts";
import { argsOf, conform, runFold, runMapPartitions, type UserCodeContext } from "./partition_fn_runner.ts";

export interface TaskContext extends UserCodeContext {
  readonly mapPartition: number;
  readonly signal: AbortSignal;
  readonly payload?: Uint8Array | undefined;
  /** Bytes of block (outputId, map, reduce) held by `executorId`. Throws FetchFailedError. */
  fetchBlock(
    outputId: number,
    mapPartition: number,
    reducePartition: number,
    executorId: string,
  ): Promise<Uint8Array>;
  /** The batches of broadcast value `id` (a broadcast join's side). */
  broadcast(id: string): Promise<Batch[]>;
  /**
   * The batches of block bytes `fetchBlock` returned; the executor remembers them by the bytes
   * object, so the blocks of a cached partition it holds decode once, not once per job.
   */
  decodeBlock?(bytes: Uint8Array): readonly Batch[];
  putBlock(outputId: number, mapPartition: number, reducePartition: number, bytes: Uint8Array): void;
}

/**
 * What a CSV range task sets aside besides its rows, written by a "split" sink: the quarantine
 * (reduce partition 1) and the LF bytes its records spanned (reduce partition 2).
 */
interface SideOutput {
  batches: Batch[];
  lines: number;
}

export interface TaskResult {
  output: TaskOutputMsg;
  payload?: Uint8Array | undefined;
  metrics: TaskMetrics;
}

const RANGE_BATCH = 1 << 16;

/** Runs `node` into `sink`. */
export async function runTask(
  node: TaskNode,
  sink: TaskSink,
  ctx: TaskContext,
  now: () => number,
): Promise<TaskResult> {
  const t0 = now();
  const stats = { rowsIn: 0, bytesFetched: 0, side: { batches: [], lines: 0 } as SideOutput };
  const batches = await evalNode(node, ctx, stats);
  const rowsOut = batches.reduce((a, b) => a + b.length, 0);
  const schema = batches[0]!.schema;
  let output: TaskOutputMsg;
  let payload: Uint8Array | undefined;
  switch (sink.kind) {
    case "shuffle": {
      const parts = sink.partitioner.kind === "split"
        ? [
          batches,
          stats.side.batches.length ? stats.side.batches : [emptyBatch(QUARANTINE_SCHEMA)],
          [
            {
              schema: CSV_META_SCHEMA,
              length: 1,
              columns: [{ type: "long", values: Float64Array.of(stats.side.lines) }],
            } satisfies Batch,
          ],
        ]
        : partitionAll(schema, batches, sink.partitioner, ctx.mapPartition);
      const rows: number[] = [], bytes: number[] = [];
      parts.forEach((part, r) => {
        const ps = part[0]?.schema ?? schema;
        const b = encodeBatches(ps, part.length ? [concatBatches(ps, part)] : []);
        ctx.putBlock(sink.outputId, ctx.mapPartition, r, b);
        rows.push(part.reduce((a, x) => a + x.length, 0));
        bytes.push(b.byteLength);
      });
      output = { kind: "map", rows, bytes };
      break;
    }
    case "result":
      payload = encodeBatches(schema, batches.length ? [concatBatches(schema, batches)] : []);
      output = { kind: "result", rows: rowsOut };
      break;
    case "count":
      output = { kind: "count", rows: rowsOut };
      break;
    case "fold": {
      const value = await runFold(sink, batches, ctx.mapPartition, ctx);
      payload = value.bytes;
      output = { kind: "value", rows: rowsOut, encoding: value.encoding, bytes: value.bytes.byteLength };
      break;
    }
    case "write": {
      const path = `${sink.dir}/${sink.file}`;
      const bytes = await writeBatchesToFile(path, sink.format, schema, batches);
      output = { kind: "write", rows: rowsOut, path, bytes };
      break;
    }
  }
  return {
    output,
    payload,
    metrics: { durationMs: now() - t0, rowsIn: stats.rowsIn, rowsOut, bytesFetched: stats.bytesFetched },
  };
}

/** Keeps at least one (possibly empty) batch so the schema always travels with the data. */
function nonEmpty(schema: Schema, batches: Batch[]): Batch[] {
  const kept = batches.filter((b) => b.length > 0);
  return kept.length > 0 ? kept : [emptyBatch(schema)];
}

function all(batches: readonly Batch[]): Batch {
  return concatBatches(batches[0]!.schema, batches);
}

function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal, "task");
}

type Stats = { rowsIn: number; bytesFetched: number; side: SideOutput };

/** Evaluates `node`; the result always holds at least one batch (maybe empty), carrying the schema. */
async function evalNode(
  node: TaskNode,
  ctx: TaskContext,
  stats: Stats,
): Promise<Batch[]> {
  checkAbort(ctx.signal);
  switch (node.op) {
    case "range": {
      const out: Batch[] = [];
      const total = Math.max(0, Math.ceil((node.end - node.start) / node.step));
      const schema: Schema = [{ name: node.column, type: "long", nullable: false }];
      for (let i = 0; i < total; i += RANGE_BATCH) {
        const n = Math.min(RANGE_BATCH, total - i);
        const values = new Float64Array(n);
        const base = node.start + i * node.step;
        for (let j = 0; j < n; j++) values[j] = base + j * node.step;
        out.push({ schema, length: n, columns: [{ type: "long", values }] });
      }
      stats.rowsIn += total;
      return nonEmpty(schema, out);
    }
    case "generate": {
      const fn = await ctx.load<GeneratorFn>(node.module, node.export);
      const out: Batch[] = [];
      const produced = fn({
        partition: node.partition,
        numPartitions: node.numPartitions,
        args: await argsOf(node, ctx),
        seed: node.seed,
        signal: ctx.signal,
        state: ctx.state,
      });
      for await (const b of produced as AsyncIterable<Batch>) {
        checkAbort(ctx.signal);
        out.push(conform(node.schema, b, `Generator ${node.module}#${node.export}`));
      }
      stats.rowsIn += out.reduce((a, b) => a + b.length, 0);
      return nonEmpty(node.schema, out);
    }
    case "inline": {
      if (!ctx.payload) return [emptyBatch(node.schema)];
      const { batches } = decodeBatches(ctx.payload);
      stats.rowsIn += batches.reduce((a, b) => a + b.length, 0);
      return nonEmpty(node.schema, batches);
    }
    case "broadcastRead":
      return nonEmpty(node.schema, await ctx.broadcast(node.broadcastId));
    case "shuffleRead": {
      const out: Batch[] = [];
      for (const s of node.sources) {
        const bytes = await ctx.fetchBlock(node.outputId, s.mapPartition, node.reducePartition, s.executorId);
        stats.bytesFetched += bytes.byteLength;
        const batches = ctx.decodeBlock ? ctx.decodeBlock(bytes) : decodeBatches(bytes).batches;
        for (const b of batches) if (b.length > 0) out.push(b);
      }
      stats.rowsIn += out.reduce((a, b) => a + b.length, 0);
      return nonEmpty(node.schema, out);
    }
    case "project": {
      const input = await evalNode(node.input, ctx, stats);
      return input.map((b) => projectBatch(b, node.exprs));
    }
    case "filter": {
      const input = await evalNode(node.input, ctx, stats);
      return nonEmpty(input[0]!.schema, input.map((b) => takeRows(b, evalPredicate(node.cond, b))));
    }
    case "partialAgg": {
      const input = await evalNode(node.input, ctx, stats);
      return [partialAggregate(all(input), node.keys, node.aggs)];
    }
    case "finalAgg": {
      const input = await evalNode(node.input, ctx, stats);
      return [finalizeAggregate(mergeAggregate(input, node.keys, node.aggs), node.keys, node.aggs)];
    }
    case "hashJoin": {
      const left = await evalNode(node.left, ctx, stats);
      const right = await evalNode(node.right, ctx, stats);
      return [
        hashJoin(all(left), all(right), {
          leftOn: [...node.leftOn],
          rightOn: [...node.rightOn],
          how: node.how,
        }),
      ];
    }
    case "sortLocal": {
      const input = await evalNode(node.input, ctx, stats);
      return [sortBatch(all(input), node.keys)];
    }
    case "window": {
      const input = await evalNode(node.input, ctx, stats);
      return [computeWindow(all(input), node)];
    }
    case "limit": {
      const input = await evalNode(node.input, ctx, stats);
      const out: Batch[] = [];
      let left = node.n;
      for (const b of input) {
        if (left <= 0) break;
        out.push(b.length <= left ? b : takeRows(b, Array.from({ length: left }, (_, i) => i)));
        left -= Math.min(left, b.length);
      }
      return nonEmpty(input[0]!.schema, out);
    }
    case "sample": {
      const input = await evalNode(node.input, ctx, stats);
      return [sampleForRangeBounds(all(input), node.keys, node.size, node.seed)];
    }
    case "rowSample": {
      const input = await evalNode(node.input, ctx, stats);
      const out: Batch[] = [];
      let firstRow = 0;
      for (const b of input) {
        out.push(sampleRows(b, { ...node, firstRow }));
        firstRow += b.length;
      }
      return nonEmpty(input[0]!.schema, out);
    }
    case "csvScan": {
      const json = await scanCsvRange(node.path, node, node.dialect);
      return [{
        schema: [{ name: "scan", type: "string", nullable: false }],
        length: 1,
        columns: [{ type: "string", values: [json] }],
      }];
    }
    case "csvRange": {
      const r = await parseCsvRange(node.path, node.entry, node.options);
      stats.rowsIn += r.rowsRead;
      stats.side.lines = r.lines;
      if (r.quarantine) stats.side.batches.push(r.quarantine);
      return [r.batch];
    }
    case "fixLines": {
      const input = await evalNode(node.input, ctx, stats);
      return input.map((b) => offsetQuarantineLines(b, node.offset, node.file));
    }
    case "mapPartitions": {
      const input = await evalNode(node.input, ctx, stats);
      return nonEmpty(node.schema, await runMapPartitions(node, input, ctx));
    }
    case "fileRead": {
      const b = await readFileBatch(node.path, node.format, node.schema);
      stats.rowsIn += b.length;
      return [b];
    }
  }
}

function partitionAll(
  schema: Schema,
  batches: readonly Batch[],
  p: Partitioner,
  mapPartition: number,
): Batch[][] {
  switch (p.kind) {
    case "single":
    case "identity":
    case "split":
      return [[...batches]];
    case "coalesce": {
      const out: Batch[][] = Array.from({ length: p.n }, () => []);
      out[Math.floor((mapPartition * p.n) / p.numMaps)]!.push(...batches);
      return out;
    }
    case "hash": {
      const out: Batch[][] = Array.from({ length: p.n }, () => []);
      for (const b of batches) {
        hashPartition(b, p.keys, p.n).forEach((part, i) => part.length && out[i]!.push(part));
      }
      return out;
    }
    case "roundRobin": {
      const out: Batch[][] = Array.from({ length: p.n }, () => []);
      let offset = mapPartition;
      for (const b of batches) {
        const idx: number[][] = Array.from({ length: p.n }, () => []);
        for (let i = 0; i < b.length; i++) idx[(offset + i) % p.n]!.push(i);
        offset = (offset + b.length) % p.n;
        idx.forEach((ix, i) => ix.length && out[i]!.push(takeRows(b, ix)));
      }
      return out;
    }
    case "range": {
      const out: Batch[][] = Array.from({ length: p.n }, () => []);
      const boundsSchema = p.keys.map((k) => schema.find((f) => f.name === k.column)!);
      const bounds = batchFromRows(boundsSchema, p.bounds);
      for (const b of batches) {
        rangePartition(b, p.keys, bounds).forEach((part, i) => part.length && out[i]!.push(part));
      }
      return out;
    }
  }
}

export { NotAllowedError };
