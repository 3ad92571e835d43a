/**
 * Strict decoders for expressions that arrive over the network: {@linkcode Expr},
 * {@linkcode AggExpr}, {@linkcode SortKey} and the window parts ({@linkcode WindowExpr},
 * {@linkcode WindowOrder}) from untrusted JSON. Internal: not part of the public API.
 *
 * @module
 */
import type { MalformedMessageError } from "../../actors/errors.ts";
import { fail } from "../../actors/decode.ts";
import { DATA_TYPES, type Scalar } from "../columnar/batch.ts";
import {
  AGG_FNS,
  type AggExpr,
  type BinaryOp,
  type Expr,
  type FnName,
  type FrameBound,
  type SortKey,
  type UnaryOp,
  WINDOW_FNS,
  type WindowCall,
  type WindowExpr,
  type WindowFn,
  type WindowFrame,
  type WindowOrder,
  type WindowSpecData,
} from "./expr.ts";
import { describe } from "./format.ts";
import { FN_ARITY } from "./resolve.ts";
import { isFrameFn } from "./window_rules.ts";

const MAX_DEPTH = 64;
const MAX_NODES = 10_000;
/** Most partition or order columns of one window. */
const MAX_WINDOW_KEYS = 1_000;
/** Largest |offset| of `lag` / `lead`. */
const MAX_OFFSET = 2 ** 31 - 1;
const BINARY_OPS: readonly BinaryOp[] = [
  "+",
  "-",
  "*",
  "/",
  "%",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "and",
  "or",
];
const UNARY_OPS: readonly UnaryOp[] = [
  "not",
  "neg",
  "isNull",
  "isNotNull",
  "abs",
  "sqrt",
  "log",
  "exp",
  "floor",
  "ceil",
];
const FN_NAMES = Object.keys(FN_ARITY) as FnName[];

function malformed(path: string, problem: string): MalformedMessageError {
  return fail({ message: "expression", path }, problem);
}

function record(u: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof u !== "object" || u === null || Array.isArray(u)) {
    throw malformed(path, `expected an object, got ${describe(u)}`);
  }
  const o = u as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw malformed(path, `unexpected key ${JSON.stringify(k)}`);
  }
  return o;
}

function name(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== "string" || v.length === 0) {
    throw malformed(`${path}.${key}`, "expected a non-empty string");
  }
  return v;
}

function member<K extends string>(allowed: readonly K[], v: unknown, path: string, what: string): K {
  if (!(allowed as readonly unknown[]).includes(v)) throw malformed(path, `unknown ${what} ${describe(v)}`);
  return v as K;
}

function decodeNode(u: unknown, path: string, depth: number, budget: { nodes: number }): Expr {
  if (depth > MAX_DEPTH) throw malformed(path, `nesting deeper than ${MAX_DEPTH}`);
  if (++budget.nodes > MAX_NODES) throw malformed(path, `more than ${MAX_NODES} nodes`);
  if (typeof u !== "object" || u === null || Array.isArray(u)) {
    throw malformed(path, `expected an object, got ${describe(u)}`);
  }
  const op = (u as Record<string, unknown>)["op"];
  const child = (v: unknown, at: string) => decodeNode(v, `${path}.${at}`, depth + 1, budget);
  switch (op) {
    case "col": {
      const o = record(u, path, ["op", "name"]);
      return { op, name: name(o, "name", path) };
    }
    case "lit": {
      const o = record(u, path, ["op", "value", "type"]);
      const value = o["value"];
      const ok = value === null || typeof value === "string" || typeof value === "boolean" ||
        (typeof value === "number" && Number.isFinite(value));
      if (!ok) {
        throw malformed(
          `${path}.value`,
          `expected a finite number, string, boolean or null, got ${describe(value)}`,
        );
      }
      if (o["type"] === undefined) return { op, value: value as Scalar };
      return {
        op,
        value: value as Scalar,
        type: member(DATA_TYPES, o["type"], `${path}.type`, "data type"),
      };
    }
    case "bin": {
      const o = record(u, path, ["op", "fn", "left", "right"]);
      const fn = member(BINARY_OPS, o["fn"], `${path}.fn`, "binary operator");
      return { op, fn, left: child(o["left"], "left"), right: child(o["right"], "right") };
    }
    case "un": {
      const o = record(u, path, ["op", "fn", "arg"]);
      return {
        op,
        fn: member(UNARY_OPS, o["fn"], `${path}.fn`, "unary operator"),
        arg: child(o["arg"], "arg"),
      };
    }
    case "cast": {
      const o = record(u, path, ["op", "to", "arg"]);
      return {
        op,
        to: member(DATA_TYPES, o["to"], `${path}.to`, "data type"),
        arg: child(o["arg"], "arg"),
      };
    }
    case "when": {
      const o = record(u, path, ["op", "branches", "otherwise"]);
      const raw = o["branches"];
      if (!Array.isArray(raw) || raw.length === 0) {
        throw malformed(`${path}.branches`, "expected a non-empty array");
      }
      const branches = raw.map((b: unknown, i) => {
        const at = `branches[${i}]`;
        const bo = record(b, `${path}.${at}`, ["cond", "value"]);
        return { cond: child(bo["cond"], `${at}.cond`), value: child(bo["value"], `${at}.value`) };
      });
      if (o["otherwise"] === undefined) return { op, branches };
      return { op, branches, otherwise: child(o["otherwise"], "otherwise") };
    }
    case "fn": {
      const o = record(u, path, ["op", "fn", "args"]);
      const fn = member(FN_NAMES, o["fn"], `${path}.fn`, "function");
      const raw = o["args"];
      const [lo, hi] = FN_ARITY[fn];
      if (!Array.isArray(raw) || raw.length < lo || raw.length > hi) {
        throw malformed(
          `${path}.args`,
          `${fn} takes ${lo}${hi === lo ? "" : hi === Infinity ? "+" : `-${hi}`} arguments`,
        );
      }
      return { op, fn, args: raw.map((a: unknown, i) => child(a, `args[${i}]`)) };
    }
    case "alias": {
      const o = record(u, path, ["op", "name", "arg"]);
      return { op, name: name(o, "name", path), arg: child(o["arg"], "arg") };
    }
    case "over": {
      const o = record(u, path, ["op", "call", "window"]);
      const c = record(o["call"], `${path}.call`, ["fn", "arg", "offset", "default"]);
      const call = windowCall(c, `${path}.call`, (v) => child(v, "call.arg"));
      return { op, call, window: windowSpec(o["window"], `${path}.window`) };
    }
    default:
      throw malformed(path, `unknown op ${describe(op)}`);
  }
}

/**
 * An {@linkcode Expr} from untrusted JSON: unknown operators, functions, types or keys, wrong
 * shapes, nesting deeper than 64 or more than 10,000 nodes raise `MalformedMessageError`.
 */
export function decodeExpr(u: unknown): Expr {
  return decodeNode(u, "expr", 1, { nodes: 0 });
}

/** An {@linkcode AggExpr} from untrusted JSON (see {@linkcode decodeExpr}). */
export function decodeAggExpr(u: unknown): AggExpr {
  const o = record(u, "agg", ["fn", "arg", "name", "q", "relativeError"]);
  const fnName = member(AGG_FNS, o["fn"], "agg.fn", "aggregate");
  const out: { -readonly [K in keyof AggExpr]: AggExpr[K] } = { fn: fnName, name: name(o, "name", "agg") };
  if (o["arg"] !== undefined) out.arg = decodeNode(o["arg"], "agg.arg", 2, { nodes: 0 });
  else if (fnName !== "count") throw malformed("agg.arg", `${fnName} needs an argument`);
  const quantile = fnName === "approxQuantile";
  const q = o["q"], e = o["relativeError"];
  if (quantile || q !== undefined) {
    if (!quantile || typeof q !== "number" || !(q >= 0 && q <= 1)) {
      throw malformed("agg.q", quantile ? "expected a number in [0, 1]" : `not allowed for ${fnName}`);
    }
    out.q = q;
  }
  if (e !== undefined) {
    if (!quantile || typeof e !== "number" || !(e > 0 && e < 1)) {
      throw malformed(
        "agg.relativeError",
        quantile ? "expected a number in (0, 1)" : `not allowed for ${fnName}`,
      );
    }
    out.relativeError = e;
  }
  return out;
}

/** A {@linkcode SortKey} from untrusted JSON (see {@linkcode decodeExpr}). */
export function decodeSortKey(u: unknown): SortKey {
  const o = record(u, "sortKey", ["expr", "ascending", "nullsFirst"]);
  const { ascending, nullsFirst } = o;
  if (typeof ascending !== "boolean" || typeof nullsFirst !== "boolean") {
    throw malformed("sortKey", "ascending and nullsFirst must be booleans");
  }
  return { expr: decodeNode(o["expr"], "sortKey.expr", 2, { nodes: 0 }), ascending, nullsFirst };
}

/** The fields of a window call (`fn`, `arg`, `offset`, `default`), checked against its function. */
function windowCall(o: Record<string, unknown>, path: string, arg: (u: unknown) => Expr): WindowCall {
  const fn: WindowFn = member(WINDOW_FNS, o["fn"], `${path}.fn`, "window function");
  const out: { -readonly [K in keyof WindowCall]: WindowCall[K] } = { fn };
  const ranking = fn === "rowNumber" || fn === "rank" || fn === "denseRank";
  const offsetFn = fn === "lag" || fn === "lead";
  if (o["arg"] !== undefined) {
    if (ranking) throw malformed(`${path}.arg`, `not allowed for ${fn}`);
    out.arg = arg(o["arg"]);
  } else if (!ranking && fn !== "count") throw malformed(`${path}.arg`, `${fn} needs an argument`);
  const offset = o["offset"];
  if (offset !== undefined) {
    if (!offsetFn) throw malformed(`${path}.offset`, `not allowed for ${fn}`);
    if (typeof offset !== "number" || !Number.isInteger(offset) || Math.abs(offset) > MAX_OFFSET) {
      throw malformed(`${path}.offset`, `expected an integer in [-${MAX_OFFSET}, ${MAX_OFFSET}]`);
    }
    out.offset = offset;
  }
  const value = o["default"];
  if (value !== undefined && value !== null) {
    if (!offsetFn) throw malformed(`${path}.default`, `not allowed for ${fn}`);
    const ok = typeof value === "string" || typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value));
    if (!ok) {
      throw malformed(
        `${path}.default`,
        `expected a finite number, string or boolean, got ${describe(value)}`,
      );
    }
    out.default = value;
  }
  return out;
}

function frameBound(u: unknown, path: string, rows: boolean): FrameBound {
  if (u === "unbounded") return u;
  if (typeof u !== "number" || !Number.isFinite(u) || (rows && !Number.isSafeInteger(u))) {
    throw malformed(
      path,
      `expected "unbounded" or a finite ${rows ? "integer" : "number"}, got ${describe(u)}`,
    );
  }
  return u;
}

/** A {@linkcode WindowFrame} from untrusted JSON at `path`. */
export function decodeWindowFrame(u: unknown, path = "frame"): WindowFrame {
  const o = record(u, path, ["kind", "lower", "upper"]);
  const kind = member(["rows", "range"] as const, o["kind"], `${path}.kind`, "frame kind");
  const lower = frameBound(o["lower"], `${path}.lower`, kind === "rows");
  const upper = frameBound(o["upper"], `${path}.upper`, kind === "rows");
  if (typeof lower === "number" && typeof upper === "number" && lower > upper) {
    throw malformed(path, `lower bound ${lower} is after upper bound ${upper}`);
  }
  return { kind, lower, upper };
}

/** A {@linkcode WindowOrder} from untrusted JSON at `path`. */
export function decodeWindowOrder(u: unknown, path = "order"): WindowOrder {
  const o = record(u, path, ["column", "ascending", "nullsFirst"]);
  const { ascending, nullsFirst } = o;
  if (typeof ascending !== "boolean" || typeof nullsFirst !== "boolean") {
    throw malformed(path, "ascending and nullsFirst must be booleans");
  }
  return { column: name(o, "column", path), ascending, nullsFirst };
}

function windowKeys<T>(u: unknown, path: string, item: (x: unknown, at: string) => T): T[] {
  if (!Array.isArray(u) || u.length > MAX_WINDOW_KEYS) {
    throw malformed(path, `expected an array of at most ${MAX_WINDOW_KEYS} items`);
  }
  return u.map((x, i) => item(x, `${path}[${i}]`));
}

function windowSpec(u: unknown, path: string): WindowSpecData {
  const o = record(u, path, ["partitionBy", "orderBy", "frame"]);
  const partitionBy = windowKeys(o["partitionBy"], `${path}.partitionBy`, (x, at) => {
    if (typeof x !== "string" || x.length === 0) throw malformed(at, "expected a non-empty string");
    return x;
  });
  const orderBy = windowKeys(o["orderBy"], `${path}.orderBy`, decodeWindowOrder);
  if (o["frame"] === undefined) return { partitionBy, orderBy };
  return { partitionBy, orderBy, frame: decodeWindowFrame(o["frame"], `${path}.frame`) };
}

/**
 * A {@linkcode WindowExpr} from untrusted JSON: a known function with the arguments it takes, a
 * frame exactly when it is a frame aggregate, and an output name.
 */
export function decodeWindowExpr(u: unknown, path = "windowFn"): WindowExpr {
  const o = record(u, path, ["fn", "arg", "offset", "default", "frame", "name"]);
  const call = windowCall(o, path, (v) => decodeNode(v, `${path}.arg`, 2, { nodes: 0 }));
  const out: WindowExpr = { ...call, name: name(o, "name", path) };
  const framed = isFrameFn(call.fn);
  if (o["frame"] === undefined) {
    if (framed) throw malformed(`${path}.frame`, `${call.fn} needs a frame`);
    return out;
  }
  if (!framed) throw malformed(`${path}.frame`, `not allowed for ${call.fn}`);
  return { ...out, frame: decodeWindowFrame(o["frame"], `${path}.frame`) };
}
