/**
 * Strict decoding of a {@linkcode LogicalPlan} and its {@linkcode Action} received from an
 * untrusted remote client. Every node is rebuilt field by field (unknown fields are dropped),
 * expressions go through `decodeExpr`/`decodeAggExpr`/`decodeSortKey`, schemas through `decodeSchema`, and the
 * tree is bounded in depth and size. Anything else raises `MalformedMessageError`.
 *
 * @module
 */
import { type Json, MalformedMessageError } from "../../actors/errors.ts";
import { decodeAggExpr, decodeExpr, decodeSortKey } from "../expr/codec.ts";
import type { AggExpr, Expr, SortKey } from "../expr/expr.ts";
import type { Action, JoinStrategy, LogicalPlan } from "./logical_plan.ts";
import { decodeSchema } from "../protocol.ts";
import type { JoinHow } from "./task_plan.ts";

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
  /** Nesting of a generator's JSON arguments. @default {32} */
  maxJsonDepth?: number;
}

const DEFAULTS: Required<PlanLimits> = {
  maxDepth: 64,
  maxNodes: 10_000,
  maxPartitions: 100_000,
  maxItems: 10_000,
  maxJsonDepth: 32,
};

const HOWS: ReadonlySet<string> = new Set<JoinHow>(["inner", "left", "right", "full", "semi", "anti"]);
const STRATEGIES: ReadonlySet<string> = new Set<JoinStrategy>(["auto", "broadcast", "shuffle"]);
const MAX_STRING = 10_000;

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
  limit: ["input", "n"],
  union: ["inputs"],
  cache: ["input", "cacheId"],
  csvScan: ["path", "ranges", "dialect"],
  csv: ["path", "entries", "options", "cacheId", "which", "schema", "rows", "lineOffsets"],
  monthRuns: ["input"],
  contactDate: ["input", "cursors"],
  files: ["paths", "format", "schema"],
};

type Obj = Record<string, unknown>;

function bad(detail: string): MalformedMessageError {
  return new MalformedMessageError(`Malformed logical plan: ${detail}`, { data: { detail } });
}

function isObj(u: unknown): u is Obj {
  return typeof u === "object" && u !== null && !Array.isArray(u);
}

class PlanDecoder {
  readonly #limits: Required<PlanLimits>;
  #nodes = 0;

  constructor(limits: Required<PlanLimits>) {
    this.#limits = limits;
  }

  plan(u: unknown, depth: number): LogicalPlan {
    if (depth > this.#limits.maxDepth) throw bad(`operator tree deeper than ${this.#limits.maxDepth}`);
    if (++this.#nodes > this.#limits.maxNodes) throw bad(`more than ${this.#limits.maxNodes} operators`);
    if (!isObj(u)) throw bad("an operator must be an object");
    const o = u;
    const child = (k: string) => this.plan(o[k], depth + 1);
    const op = o["op"];
    const fields = typeof op === "string" && Object.hasOwn(FIELDS, op)
      ? FIELDS[op as LogicalPlan["op"]]
      : undefined;
    if (fields) {
      for (const k of Object.keys(o)) {
        if (k !== "op" && !fields.includes(k)) {
          throw bad(`unexpected field ${JSON.stringify(k.slice(0, 100))} in ${op}`);
        }
      }
    }
    switch (op) {
      case "range": {
        const step = int(o, "step");
        if (step === 0) throw bad(`"step" must not be 0`);
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
          args: this.#json(o["args"] ?? null, 0),
          partitions: this.#partitions(o, "partitions"),
          schema: decodeSchema(o["schema"]),
        };
      case "inline":
        return {
          op,
          dataId: str(o, "dataId"),
          schema: decodeSchema(o["schema"]),
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
      case "join": {
        const how = str(o, "how");
        if (!HOWS.has(how)) throw bad(`unknown join type ${JSON.stringify(how)}`);
        const strategy = str(o, "strategy");
        if (!STRATEGIES.has(strategy)) throw bad(`unknown join strategy ${JSON.stringify(strategy)}`);
        return {
          op,
          left: child("left"),
          right: child("right"),
          on: this.#items(o, "on", name),
          how: how as JoinHow,
          strategy: strategy as JoinStrategy,
        };
      }
      case "repartition":
        return { op, input: child("input"), n: this.#partitions(o, "n"), keys: this.#items(o, "keys", name) };
      case "coalesce":
        return { op, input: child("input"), n: this.#partitions(o, "n") };
      case "sort":
        return { op, input: child("input"), keys: this.#items(o, "keys", sortKey) };
      case "limit":
        return { op, input: child("input"), n: nat(o, "n") };
      case "union": {
        const inputs = this.#items(o, "inputs", (x) => this.plan(x, depth + 1));
        if (inputs.length === 0) throw bad("union needs at least one input");
        return { op, inputs };
      }
      case "cache":
        return { op, input: child("input"), cacheId: nat(o, "cacheId") };
      case "csvScan":
        return {
          op,
          path: str(o, "path"),
          ranges: this.#list(o, "ranges", (x) => {
            const r = record(x, "byte range");
            const start = nat(r, "start");
            const end = nat(r, "end");
            if (end < start) throw bad(`byte range end ${end} is before its start ${start}`);
            return { start, end };
          }),
          dialect: this.#json(o["dialect"] ?? null, 0),
        };
      case "csv": {
        const which = o["which"];
        if (which !== "valid" && which !== "quarantine" && which !== "meta") {
          throw bad(`"which" must be "valid", "quarantine" or "meta"`);
        }
        const plan: Extract<LogicalPlan, { op: "csv" }> = {
          op,
          path: str(o, "path"),
          entries: this.#json(o["entries"] ?? null, 0),
          options: this.#json(o["options"] ?? null, 0),
          cacheId: nat(o, "cacheId"),
          which,
          schema: decodeSchema(o["schema"]),
        };
        const withRows = o["rows"] === undefined ? plan : { ...plan, rows: nat(o, "rows") };
        return o["lineOffsets"] === undefined
          ? withRows
          : { ...withRows, lineOffsets: this.#list(o, "lineOffsets", (x) => nat({ offset: x }, "offset")) };
      }
      case "monthRuns":
        return { op, input: child("input") };
      case "contactDate":
        return {
          op,
          input: child("input"),
          cursors: this.#list(o, "cursors", (x) => {
            const c = record(x, "cursor");
            return { year: int(c, "year"), month: int(c, "month") };
          }),
        };
      case "files": {
        const format = o["format"];
        if (format !== "parquet" && format !== "arrow") throw bad(`"format" must be "parquet" or "arrow"`);
        return {
          op,
          paths: this.#list(o, "paths", (x) => {
            if (typeof x !== "string" || x.length === 0 || x.length > MAX_STRING) {
              throw bad("file paths must be non-empty strings");
            }
            return x;
          }),
          format,
          schema: decodeSchema(o["schema"]),
        };
      }
      default:
        throw bad(`unknown operator ${JSON.stringify(op)?.slice(0, 100)}`);
    }
  }

  #partitions(o: Obj, k: string): number {
    const n = nat(o, k);
    if (n < 1 || n > this.#limits.maxPartitions) {
      throw bad(`"${k}" must be between 1 and ${this.#limits.maxPartitions}, got ${n}`);
    }
    return n;
  }

  #items<T>(o: Obj, k: string, decode: (u: unknown) => T): T[] {
    const v = o[k];
    if (!Array.isArray(v)) throw bad(`"${k}" must be an array`);
    if (v.length > this.#limits.maxItems) throw bad(`"${k}" has more than ${this.#limits.maxItems} items`);
    return v.map((x) => decode(x));
  }

  /** A per-partition list: at most `maxPartitions` items. */
  #list<T>(o: Obj, k: string, decode: (u: unknown) => T): T[] {
    const v = o[k];
    if (!Array.isArray(v)) throw bad(`"${k}" must be an array`);
    if (v.length > this.#limits.maxPartitions) {
      throw bad(`"${k}" has more than ${this.#limits.maxPartitions} items`);
    }
    return v.map((x) => decode(x));
  }

  #json(u: unknown, depth: number): Json {
    if (depth > this.#limits.maxJsonDepth) {
      throw bad(`generator arguments nest deeper than ${this.#limits.maxJsonDepth}`);
    }
    if (u === null || typeof u === "string" || typeof u === "boolean") return u;
    if (typeof u === "number") {
      if (!Number.isFinite(u)) throw bad("generator arguments must hold finite numbers");
      return u;
    }
    if (Array.isArray(u)) return u.map((x) => this.#json(x, depth + 1));
    if (isObj(u)) {
      const out: Record<string, Json> = {};
      for (const [key, value] of Object.entries(u)) out[key] = this.#json(value, depth + 1);
      return out;
    }
    throw bad(`generator arguments must be JSON, found ${typeof u}`);
  }
}

function record(u: unknown, what: string): Obj {
  if (!isObj(u)) throw bad(`a ${what} must be an object`);
  return u;
}

function str(o: Obj, k: string): string {
  const v = o[k];
  if (typeof v !== "string" || v.length > MAX_STRING) {
    throw bad(`"${k}" must be a string of at most ${MAX_STRING} characters`);
  }
  return v;
}

function int(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw bad(`"${k}" must be a safe integer`);
  return v;
}

function nat(o: Obj, k: string): number {
  const v = int(o, k);
  if (v < 0) throw bad(`"${k}" must be a non-negative integer`);
  return v;
}

function name(u: unknown): string {
  if (typeof u !== "string" || u.length === 0 || u.length > MAX_STRING) {
    throw bad("column names must be non-empty strings");
  }
  return u;
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
    return new PlanDecoder(resolved).plan(u, 0);
  } catch (e) {
    if (e instanceof MalformedMessageError) throw e;
    // decodeExpr/decodeSchema may throw other errors on hostile input (e.g. stack overflow).
    throw new MalformedMessageError(`Malformed logical plan: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}

/** Decodes a job's action from untrusted input. Throws `MalformedMessageError`. */
export function decodeAction(u: unknown): Action {
  if (!isObj(u)) throw new MalformedMessageError("Malformed action: must be an object");
  switch (u["kind"]) {
    case "collect":
      return { kind: "collect" };
    case "count":
      return { kind: "count" };
    case "write": {
      const format = u["format"];
      if (format !== "arrow" && format !== "parquet" && format !== "csv") {
        throw new MalformedMessageError(
          `Malformed action: unknown format ${JSON.stringify(format)?.slice(0, 100)}`,
        );
      }
      const dir = u["dir"];
      if (typeof dir !== "string" || dir.length === 0 || dir.length > 4096) {
        throw new MalformedMessageError(`Malformed action: "dir" must be a non-empty path`);
      }
      return { kind: "write", format, dir };
    }
    default:
      throw new MalformedMessageError(
        `Malformed action: unknown kind ${JSON.stringify(u["kind"])?.slice(0, 100)}`,
      );
  }
}
