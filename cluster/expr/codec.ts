/**
 * Strict decoders for expressions that arrive over the network: {@linkcode Expr},
 * {@linkcode AggExpr} and {@linkcode SortKey} from untrusted JSON. Internal: not part of the
 * public API.
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
  type SortKey,
  type UnaryOp,
} from "./expr.ts";
import { describe } from "./format.ts";
import { FN_ARITY } from "./resolve.ts";

const MAX_DEPTH = 64;
const MAX_NODES = 10_000;
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
