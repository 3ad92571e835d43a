/**
 * The logical plan a {@linkcode Dataset} builds lazily: JSON data, validated when built (so errors
 * name the missing column at the call that introduced it), shipped to a remote driver as is.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { Schema } from "../columnar/batch.ts";
import type { CsvDialect, RangeEntry } from "../io/csv/scan.ts";
import type { CsvRangeOptions } from "../io/csv/range_options.ts";
import type { AggExpr, Expr, SortKey, WindowExpr, WindowOrder } from "../expr/expr.ts";
import type { JoinHow } from "./task_plan.ts";
import type { CarrySpec } from "../partition_fns.ts";

/**
 * How a join runs: `broadcast` sends the right side to every task of the left; `shuffle`
 * partitions both sides by key; `auto` broadcasts when the right side is estimated at most
 * `DriverOptions.broadcastThresholdRows` rows. `right` and `full` joins always shuffle.
 */
export type JoinStrategy = "auto" | "broadcast" | "shuffle";

export interface CsvSourceOptions {
  readonly path: string;
  readonly partitions: number;
  readonly options: Json;
  readonly schema: Schema;
}

export type LogicalPlan =
  | {
    readonly op: "range";
    readonly start: number;
    readonly end: number;
    readonly step: number;
    readonly partitions: number;
  }
  | {
    readonly op: "generate";
    readonly module: string;
    readonly export: string;
    readonly args: Json;
    readonly partitions: number;
    readonly schema: Schema;
  }
  | {
    readonly op: "inline";
    readonly dataId: string;
    readonly schema: Schema;
    readonly partitions: number;
    readonly rows: number;
  }
  | { readonly op: "project"; readonly input: LogicalPlan; readonly exprs: readonly Expr[] }
  | { readonly op: "filter"; readonly input: LogicalPlan; readonly cond: Expr }
  | {
    readonly op: "aggregate";
    readonly input: LogicalPlan;
    readonly keys: readonly Expr[];
    readonly aggs: readonly AggExpr[];
  }
  | {
    readonly op: "join";
    readonly left: LogicalPlan;
    readonly right: LogicalPlan;
    readonly on: readonly string[];
    readonly how: JoinHow;
    readonly strategy: JoinStrategy;
  }
  | {
    readonly op: "repartition";
    readonly input: LogicalPlan;
    readonly n: number;
    readonly keys: readonly string[];
  }
  | { readonly op: "coalesce"; readonly input: LogicalPlan; readonly n: number }
  | { readonly op: "sort"; readonly input: LogicalPlan; readonly keys: readonly SortKey[] }
  /**
   * Window functions (see `kernels/window.ts`): the input's rows and columns, plus one column per
   * function, computed over the rows with equal `partitionBy` values ordered by `orderBy`.
   */
  | {
    readonly op: "window";
    readonly input: LogicalPlan;
    readonly partitionBy: readonly string[];
    readonly orderBy: readonly WindowOrder[];
    readonly fns: readonly WindowExpr[];
  }
  | { readonly op: "limit"; readonly input: LogicalPlan; readonly n: number }
  /**
   * Rows drawn with per-row seeded randomness (see `kernels/row_sample.ts`): without replacement
   * the rows whose draw lies in [lower, upper); with replacement Poisson(upper − lower) copies of
   * each row (then `lower` is 0).
   */
  | {
    readonly op: "sample";
    readonly input: LogicalPlan;
    readonly lower: number;
    readonly upper: number;
    readonly withReplacement: boolean;
    readonly seed: number;
  }
  | { readonly op: "union"; readonly inputs: readonly LogicalPlan[] }
  | { readonly op: "cache"; readonly input: LogicalPlan; readonly cacheId: number }
  /** Phase 1 of a CSV read: one row `{ scan }` per byte range. */
  | {
    readonly op: "csvScan";
    readonly path: string;
    readonly ranges: readonly { start: number; end: number }[];
    readonly dialect: CsvDialect;
  }
  /**
   * Phase 2: parsed records of `path`, one partition per entry, cached on the executors with the
   * quarantined records beside them; `which` picks the valid rows, the quarantine, or one row per
   * partition with the lines its records spanned (`meta`).
   */
  | {
    readonly op: "csv";
    readonly path: string;
    readonly entries: readonly RangeEntry[];
    readonly options: CsvRangeOptions;
    readonly cacheId: number;
    readonly which: "valid" | "quarantine" | "meta";
    readonly schema: Schema;
    readonly rows?: number | undefined;
    /** Quarantine of a read without a scan phase: line offset of each partition (see `fixLines`). */
    readonly lineOffsets?: readonly number[] | undefined;
  }
  /**
   * A named export of an allowlisted module applied to each partition (see `partition_fns.ts`),
   * yielding batches of `schema`; with `carry`, each partition also gets a value chained from the
   * summaries of the partitions before it.
   */
  | {
    readonly op: "mapPartitions";
    readonly input: LogicalPlan;
    readonly module: string;
    readonly export: string;
    readonly args: Json;
    readonly schema: Schema;
    readonly carry?: CarrySpec | undefined;
  }
  /** One partition per Parquet/Arrow file. */
  | {
    readonly op: "files";
    readonly paths: readonly string[];
    readonly format: "parquet" | "arrow";
    readonly schema: Schema;
  };

/** What an action does with the final plan. */
export type Action =
  | { readonly kind: "collect" }
  | { readonly kind: "count" }
  | { readonly kind: "write"; readonly format: "arrow" | "parquet" | "csv"; readonly dir: string }
  /** Folds every partition with `fold` and merges the values with `merge`, in partition order. */
  | {
    readonly kind: "aggregate";
    readonly module: string;
    readonly fold: string;
    readonly merge: string;
    readonly args: Json;
  };

/** Rough row count, for choosing broadcast joins. `undefined` when unknown. */
export function estimateRows(plan: LogicalPlan): number | undefined {
  switch (plan.op) {
    case "range":
      return Math.max(0, Math.ceil((plan.end - plan.start) / plan.step));
    case "inline":
      return plan.rows;
    case "generate":
      return undefined;
    case "project":
    case "repartition":
    case "coalesce":
    case "sort":
    case "cache":
    case "window":
      return estimateRows(plan.input);
    case "filter":
      return estimateRows(plan.input);
    case "limit": {
      const r = estimateRows(plan.input);
      return r === undefined ? plan.n : Math.min(r, plan.n);
    }
    case "sample": {
      const r = estimateRows(plan.input);
      return r === undefined ? undefined : Math.ceil(r * (plan.upper - plan.lower));
    }
    case "aggregate":
      return plan.keys.length === 0 ? 1 : estimateRows(plan.input);
    case "join":
    case "csvScan":
    case "files":
      return undefined;
    case "csv":
      return plan.rows;
    case "mapPartitions": // a rough guess: most maps keep their rows
      return estimateRows(plan.input);
    case "union": {
      let n = 0;
      for (const p of plan.inputs) {
        const r = estimateRows(p);
        if (r === undefined) return undefined;
        n += r;
      }
      return n;
    }
  }
}
