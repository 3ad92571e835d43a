/**
 * What one task computes: a tree of narrow operators over one partition's inputs, and where its
 * output goes (a sink). Built by the planner on the driver, shipped as JSON, decoded from
 * `unknown` on the executor, evaluated by `task_runner.ts`.
 *
 * @module
 */
import type { Row, Schema } from "../columnar/batch.ts";
import type { AggFn, Expr, WindowExpr, WindowOrder } from "../expr/expr.ts";
import type { Json } from "../../actors/errors.ts";
import type { CsvDialect, RangeEntry } from "../io/csv/scan.ts";
import type { CsvRangeOptions } from "../io/csv/range_options.ts";

/** An aggregate over a named column (the planner projects expressions to columns first). */
export interface AggSpecJson {
  readonly fn: AggFn;
  readonly input?: string;
  readonly name: string;
  readonly q?: number;
  readonly relativeError?: number;
}

export interface SortColumn {
  readonly column: string;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

/**
 * Which rows a join keeps: `inner` the matches; `left`, `right`, `full` also the unmatched rows of
 * that side (or both), with nulls for the other; `semi` the left rows that have a match and `anti`
 * those that have none (left columns only).
 */
export type JoinHow = "inner" | "left" | "right" | "full" | "semi" | "anti";

/** Where a map output lives, for a shuffle read. */
export interface BlockSource {
  readonly mapPartition: number;
  readonly executorId: string;
}

export type TaskNode =
  | {
    readonly op: "range";
    readonly start: number;
    readonly end: number;
    readonly step: number;
    readonly column: string;
  }
  | {
    readonly op: "generate";
    readonly module: string;
    readonly export: string;
    readonly args: Json;
    /** Set when the arguments travel as this broadcast value (JSON) instead; `args` is then null. */
    readonly argsBroadcast?: string | undefined;
    readonly partition: number;
    readonly numPartitions: number;
    readonly schema: Schema;
    /** The partition's seed (see `plan/fingerprint.ts`). */
    readonly seed: number;
  }
  | { readonly op: "inline"; readonly schema: Schema } // data arrives as the task payload (Arrow IPC)
  | { readonly op: "broadcastRead"; readonly broadcastId: string; readonly schema: Schema }
  | {
    readonly op: "shuffleRead";
    readonly outputId: number;
    readonly reducePartition: number;
    readonly sources: readonly BlockSource[];
    readonly schema: Schema;
  }
  | { readonly op: "project"; readonly input: TaskNode; readonly exprs: readonly Expr[] }
  | { readonly op: "filter"; readonly input: TaskNode; readonly cond: Expr }
  | {
    readonly op: "partialAgg" | "finalAgg";
    readonly input: TaskNode;
    readonly keys: readonly string[];
    readonly aggs: readonly AggSpecJson[];
  }
  | {
    readonly op: "hashJoin";
    readonly left: TaskNode;
    readonly right: TaskNode;
    readonly leftOn: readonly string[];
    readonly rightOn: readonly string[];
    readonly how: JoinHow;
  }
  | { readonly op: "sortLocal"; readonly input: TaskNode; readonly keys: readonly SortColumn[] }
  /** Window functions over this partition, which holds whole window partitions (`kernels/window.ts`). */
  | {
    readonly op: "window";
    readonly input: TaskNode;
    readonly partitionBy: readonly string[];
    readonly orderBy: readonly WindowOrder[];
    readonly fns: readonly WindowExpr[];
  }
  | { readonly op: "limit"; readonly input: TaskNode; readonly n: number }
  /** A reservoir sample of the keys, for a range partitioner's bounds. */
  | {
    readonly op: "sample";
    readonly input: TaskNode;
    readonly keys: readonly string[];
    readonly size: number;
    readonly seed: number;
  }
  /** `Dataset.sample` / `randomSplit`: see `kernels/row_sample.ts`. */
  | {
    readonly op: "rowSample";
    readonly input: TaskNode;
    readonly lower: number;
    readonly upper: number;
    readonly withReplacement: boolean;
    readonly seed: number;
  }
  /** Phase 1 of a CSV read: scan bytes [start, end) of `path`; yields one row `{ scan: JSON }`. */
  | {
    readonly op: "csvScan";
    readonly path: string;
    readonly start: number;
    readonly end: number;
    readonly dialect: CsvDialect;
  }
  /** Phase 2: parse the records starting in `entry`; malformed ones go to the side output. */
  | {
    readonly op: "csvRange";
    readonly path: string;
    readonly entry: RangeEntry;
    readonly options: CsvRangeOptions;
    readonly schema: Schema;
  }
  /**
   * Quarantine rows of a CSV range parsed without a scan: their lines count from 1 at the range's
   * first record; this adds `offset` and rewrites the `"<file> line N"` start of each message.
   */
  | { readonly op: "fixLines"; readonly input: TaskNode; readonly offset: number; readonly file: string }
  /** A named `MapPartitionsFn` export over this partition (`carry` is absent without a carry). */
  | {
    readonly op: "mapPartitions";
    readonly input: TaskNode;
    readonly module: string;
    readonly export: string;
    readonly args: Json;
    /** Set when the arguments travel as this broadcast value (JSON) instead; `args` is then null. */
    readonly argsBroadcast?: string | undefined;
    readonly schema: Schema;
    readonly partition: number;
    readonly numPartitions: number;
    readonly seed: number;
    readonly carry?: Json | undefined;
  }
  /** A whole Parquet or Arrow file. */
  | {
    readonly op: "fileRead";
    readonly path: string;
    readonly format: "parquet" | "arrow";
    readonly schema: Schema;
  };

export type Partitioner =
  | { readonly kind: "hash"; readonly keys: readonly string[]; readonly n: number }
  | { readonly kind: "roundRobin"; readonly n: number }
  | {
    readonly kind: "range";
    readonly keys: readonly SortColumn[];
    readonly n: number;
    /** Rows of the key columns: partition i holds keys in (bounds[i-1], bounds[i]]. */
    readonly bounds: readonly Row[];
  }
  | { readonly kind: "single" }
  | { readonly kind: "coalesce"; readonly n: number; readonly numMaps: number }
  | { readonly kind: "identity" } // cache: map partition p is reduce partition p
  // CSV cache: reduce 0 = the rows, 1 = the quarantine, 2 = one row `{ lines }` (see CSV_META_SCHEMA)
  | { readonly kind: "split" };

export type TaskSink =
  | { readonly kind: "shuffle"; readonly outputId: number; readonly partitioner: Partitioner }
  | { readonly kind: "result" }
  | { readonly kind: "count" }
  /** Folds the partition with a named `FoldFn` export; the value goes to the driver. */
  | {
    readonly kind: "fold";
    readonly module: string;
    readonly export: string;
    readonly args: Json;
    /** Set when the arguments travel as this broadcast value (JSON) instead; `args` is then null. */
    readonly argsBroadcast?: string | undefined;
    readonly numPartitions: number;
    readonly seed: number;
  }
  | {
    readonly kind: "write";
    readonly format: "arrow" | "parquet" | "csv";
    readonly dir: string;
    readonly file: string;
  };

/** Reduce partition count of a partitioner given the number of maps. */
export function reduceCount(p: Partitioner, numMaps: number): number {
  switch (p.kind) {
    case "hash":
    case "roundRobin":
    case "range":
    case "coalesce":
      return p.n;
    case "single":
      return 1;
    case "identity":
      return numMaps;
    case "split":
      return numMaps;
  }
}
