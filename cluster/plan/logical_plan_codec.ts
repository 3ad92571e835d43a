/**
 * Strict decoding of a {@linkcode LogicalPlan} and its {@linkcode Action} received from an
 * untrusted remote client. Every node is rebuilt field by field (unknown fields are dropped),
 * expressions go through `decodeExpr`/`decodeAggExpr`/`decodeSortKey`, schemas through `decodeSchema`, and the
 * tree is bounded in depth and size. Anything else raises `MalformedMessageError`.
 *
 * @module
 */
import { MalformedMessageError } from "../../actors/errors.ts";
import {
  at,
  bool,
  describe,
  fail,
  field,
  int,
  json,
  jsonValue,
  list,
  nat,
  natValue,
  num,
  type Obj,
  obj,
  oneOf,
  only,
  str,
  stringValue,
  type Where,
  where,
} from "../../actors/decode.ts";
import {
  decodeAggExpr,
  decodeExpr,
  decodeSortKey,
  decodeWindowExpr,
  decodeWindowOrder,
} from "../expr/codec.ts";
import type { AggExpr, Expr, SortKey } from "../expr/expr.ts";
import type { Action, JoinStrategy, LogicalPlan } from "./logical_plan.ts";
import { decodeSchema } from "../protocol.ts";
import type { JoinHow } from "./task_plan.ts";
import { decodeCsvDialect, decodeCsvRangeOptions, decodeRangeEntry } from "../io/csv/range_options.ts";
import { compileDialect } from "../io/csv/scan.ts";

/** Limits applied by {@linkcode decodeLogicalPlan}. */
export interface PlanLimits {
  /** Deepest operator nesting. @default {64} */
  maxDepth?: number;
  /** Operators in the whole tree. @default {10_000} */
  maxNodes?: number;
  /** Partitions of any source or repartition. @default {100_000} */
  maxPartitions?: number;
  /** Expressions (columns, keys, aggregates) in one operator. @default {10_000} */
  maxItems?: number;
  /** Nesting of an operator's JSON arguments (generators, mapPartitions). @default {32} */
  maxJsonDepth?: number;
}

const DEFAULTS: Required<PlanLimits> = {
  maxDepth: 64,
  maxNodes: 10_000,
  maxPartitions: 100_000,
  maxItems: 10_000,
  maxJsonDepth: 32,
};

const HOWS: readonly JoinHow[] = ["inner", "left", "right", "full", "semi", "anti"];
const STRATEGIES: readonly JoinStrategy[] = ["auto", "broadcast", "shuffle"];

/** The fields each operator may have (besides `op`); anything else is rejected. */
const FIELDS: Readonly<Record<LogicalPlan["op"], readonly string[]>> = {
  range: ["start", "end", "step", "partitions"],
  generate: ["module", "export", "args", "partitions", "schema"],
  inline: ["dataId", "schema", "partitions", "rows"],
  project: ["input", "exprs"],
  filter: ["input", "cond"],
  aggregate: ["input", "keys", "aggs"],
  join: ["left", "right", "on", "how", "strategy"],
  repartition: ["input", "n", "keys"],
  coalesce: ["input", "n"],
  sort: ["input", "keys"],
  window: ["input", "partitionBy", "orderBy", "fns"],
  limit: ["input", "n"],
  sample: ["input", "lower", "upper", "withReplacement", "seed"],
  union: ["inputs"],
  cache: ["input", "cacheId"],
  csvScan: ["path", "ranges", "dialect"],
  csv: ["path", "entries", "options", "cacheId", "which", "schema", "rows", "lineOffsets"],
  mapPartitions: ["input", "module", "export", "args", "schema", "carry"],
  files: ["paths", "format", "schema"],
};

class PlanDecoder {
  readonly #limits: Required<PlanLimits>;
  #nodes = 0;

  constructor(limits: Required<PlanLimits>) {
    this.#limits = limits;
  }

  plan(u: unknown, w: Where, depth: number): LogicalPlan {
    if (depth > this.#limits.maxDepth) throw fail(w, `nests operators deeper than ${this.#limits.maxDepth}`);
    if (++this.#nodes > this.#limits.maxNodes) {
      throw fail(w, `makes more than ${this.#limits.maxNodes} operators`);
    }
    const o = obj(u, w);
    const child = (k: string) => this.plan(o[k], at(o, k), depth + 1);
    const op = o["op"];
    const fields = typeof op === "string" && Object.hasOwn(FIELDS, op)
      ? FIELDS[op as LogicalPlan["op"]]
      : undefined;
    if (fields) {
      for (const k of Object.keys(o)) {
        if (k !== "op" && !fields.includes(k)) {
          throw fail(w, `has an unexpected field ${JSON.stringify(k.slice(0, 100))} in ${op}`);
        }
      }
    }
    switch (op) {
      case "range": {
        const step = int(o, "step");
        if (step === 0) throw fail(at(o, "step"), "must not be 0");
        return {
          op,
          start: int(o, "start"),
          end: int(o, "end"),
          step,
          partitions: this.#partitions(o, "partitions"),
        };
      }
      case "generate":
        return {
          op,
          module: str(o, "module"),
          export: str(o, "export"),
          args: o["args"] === undefined
            ? null
            : jsonValue(o["args"], at(o, "args"), this.#limits.maxJsonDepth),
          partitions: this.#partitions(o, "partitions"),
          schema: decodeSchema(o["schema"], at(o, "schema")),
        };
      case "inline":
        return {
          op,
          dataId: str(o, "dataId"),
          schema: decodeSchema(o["schema"], at(o, "schema")),
          partitions: this.#partitions(o, "partitions"),
          rows: nat(o, "rows"),
        };
      case "project":
        return { op, input: child("input"), exprs: this.#items(o, "exprs", expr) };
      case "filter":
        return { op, input: child("input"), cond: expr(o["cond"]) };
      case "aggregate":
        return {
          op,
          input: child("input"),
          keys: this.#items(o, "keys", expr),
          aggs: this.#items(o, "aggs", aggExpr),
        };
      case "join":
        return {
          op,
          left: child("left"),
          right: child("right"),
          on: this.#items(o, "on", name),
          how: oneOf(o, "how", HOWS),
          strategy: oneOf(o, "strategy", STRATEGIES),
        };
      case "repartition":
        return { op, input: child("input"), n: this.#partitions(o, "n"), keys: this.#items(o, "keys", name) };
      case "coalesce":
        return { op, input: child("input"), n: this.#partitions(o, "n") };
      case "sort":
        return { op, input: child("input"), keys: this.#items(o, "keys", sortKey) };
      case "window": {
        const fns = this.#items(o, "fns", (x, xw) => decodeWindowExpr(x, xw.path));
        if (fns.length === 0) throw fail(at(o, "fns"), "must hold at least one window function");
        return {
          op,
          input: child("input"),
          partitionBy: this.#items(o, "partitionBy", name),
          orderBy: this.#items(o, "orderBy", (x, xw) => decodeWindowOrder(x, xw.path)),
          fns,
        };
      }
      case "limit":
        return { op, input: child("input"), n: nat(o, "n") };
      case "sample": {
        const lower = num(o, "lower"), upper = num(o, "upper");
        const withReplacement = bool(o, "withReplacement");
        if (withReplacement ? lower !== 0 || upper < 0 : !(lower >= 0 && lower <= upper && upper <= 1)) {
          throw fail(
            w,
            withReplacement
              ? `samples with replacement, so it needs lower 0 and upper >= 0, got [${lower}, ${upper})`
              : `has bounds [${lower}, ${upper}) that do not satisfy 0 <= lower <= upper <= 1`,
          );
        }
        return { op, input: child("input"), lower, upper, withReplacement, seed: int(o, "seed") };
      }
      case "union": {
        const inputs = this.#items(o, "inputs", (x, xw) => this.plan(x, xw, depth + 1));
        if (inputs.length === 0) throw fail(at(o, "inputs"), "must hold at least one input");
        return { op, inputs };
      }
      case "cache":
        return { op, input: child("input"), cacheId: nat(o, "cacheId") };
      case "csvScan":
        return {
          op,
          path: str(o, "path"),
          ranges: this.#list(o, "ranges", (x, xw) => {
            const r = obj(x, xw);
            const start = nat(r, "start");
            const end = nat(r, "end");
            if (end < start) throw fail(xw, `ends (${end}) before its start (${start})`);
            return { start, end };
          }),
          dialect: o["dialect"] === undefined ? {} : decodeCsvDialect(o["dialect"], at(o, "dialect")),
        };
      case "csv": {
        const options = decodeCsvRangeOptions(o["options"], at(o, "options"));
        const { states } = compileDialect(options.dialect);
        const plan: Extract<LogicalPlan, { op: "csv" }> = {
          op,
          path: str(o, "path"),
          entries: this.#list(o, "entries", (x, xw) => decodeRangeEntry(x, xw, states)),
          options,
          cacheId: nat(o, "cacheId"),
          which: oneOf(o, "which", ["valid", "quarantine", "meta"]),
          schema: decodeSchema(o["schema"], at(o, "schema")),
        };
        const withRows = o["rows"] === undefined ? plan : { ...plan, rows: nat(o, "rows") };
        return o["lineOffsets"] === undefined
          ? withRows
          : { ...withRows, lineOffsets: this.#list(o, "lineOffsets", natValue) };
      }
      case "mapPartitions": {
        const plan: Extract<LogicalPlan, { op: "mapPartitions" }> = {
          op,
          input: child("input"),
          module: str(o, "module"),
          export: str(o, "export"),
          args: o["args"] === undefined
            ? null
            : jsonValue(o["args"], at(o, "args"), this.#limits.maxJsonDepth),
          schema: decodeSchema(o["schema"], at(o, "schema")),
        };
        if (o["carry"] === undefined) return plan;
        const c = field(o, "carry");
        only(c, ["summarize", "chain"]);
        return { ...plan, carry: { summarize: str(c, "summarize"), chain: str(c, "chain") } };
      }
      case "files":
        return {
          op,
          paths: this.#list(o, "paths", (x, xw) => stringValue(x, xw, { min: 1 })),
          format: oneOf(o, "format", ["parquet", "arrow"]),
          schema: decodeSchema(o["schema"], at(o, "schema")),
        };
      default:
        throw fail(at(o, "op"), `is an unknown operator: ${describe(op)}`);
    }
  }

  #partitions(o: Obj, k: string): number {
    const n = nat(o, k);
    if (n < 1 || n > this.#limits.maxPartitions) {
      throw fail(at(o, k), `must be between 1 and ${this.#limits.maxPartitions}, got ${n}`);
    }
    return n;
  }

  /** Expressions, keys or inputs of one operator: at most `maxItems`. */
  #items<T>(o: Obj, k: string, decode: (u: unknown, w: Where) => T): T[] {
    return list(o, k, decode, this.#limits.maxItems);
  }

  /** A per-partition list: at most `maxPartitions` items. */
  #list<T>(o: Obj, k: string, decode: (u: unknown, w: Where) => T): T[] {
    return list(o, k, decode, this.#limits.maxPartitions);
  }
}

function name(u: unknown, w: Where): string {
  return stringValue(u, w, { min: 1 });
}

function expr(u: unknown): Expr {
  return decodeExpr(u);
}

function aggExpr(u: unknown): AggExpr {
  return decodeAggExpr(u);
}

function sortKey(u: unknown): SortKey {
  return decodeSortKey(u);
}

/**
 * Decodes a logical plan from untrusted input (a remote client's job).
 *
 * @example
 * ```ts ignore
 * import { decodeLogicalPlan } from "./logical_plan_codec.ts";
 * const plan = decodeLogicalPlan(JSON.parse('{"op":"range","start":0,"end":10,"step":1,"partitions":2}'));
 * ```
 * @throws {MalformedMessageError} on any structural problem or exceeded limit.
 */
export function decodeLogicalPlan(u: unknown, limits: PlanLimits = {}): LogicalPlan {
  const resolved = { ...DEFAULTS };
  for (const [k, v] of Object.entries(limits) as [keyof PlanLimits, number | undefined][]) {
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new RangeError(`Plan limit "${k}" must be a positive integer, got ${v}`);
    }
    resolved[k] = v;
  }
  try {
    return new PlanDecoder(resolved).plan(u, where("logical plan"), 0);
  } catch (e) {
    if (e instanceof MalformedMessageError) throw e;
    // decodeExpr/decodeSchema may throw other errors on hostile input (e.g. stack overflow).
    throw new MalformedMessageError(`logical plan: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}

/** Decodes a job's action from untrusted input. Throws `MalformedMessageError`. */
export function decodeAction(u: unknown): Action {
  const o = obj(u, where("action"));
  const kind = oneOf(o, "kind", ["collect", "count", "write", "aggregate"]);
  switch (kind) {
    case "collect":
    case "count":
      return { kind };
    case "write":
      return {
        kind,
        format: oneOf(o, "format", ["arrow", "parquet", "csv"]),
        dir: str(o, "dir", { min: 1, max: 4096 }),
      };
    case "aggregate":
      return {
        kind,
        module: str(o, "module", { min: 1 }),
        fold: str(o, "fold", { min: 1 }),
        merge: str(o, "merge", { min: 1 }),
        args: o["args"] === undefined ? null : json(o, "args"),
      };
    default:
      return kind satisfies never;
  }
}
