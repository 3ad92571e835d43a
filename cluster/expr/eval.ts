/**
 * Type inference and vectorized evaluation of {@linkcode Expr} trees over {@linkcode Batch}es.
 *
 * An expression is first resolved against the schema (one pass: every node gets its type, its
 * nullability and the implicit casts it needs), then evaluated bottom-up over whole columns with
 * tight loops on typed arrays.
 *
 * Semantics (Spark's non-ANSI mode unless noted):
 * - Null in → null out for arithmetic, comparisons and functions; `and`/`or` use three-valued
 *   logic (`false AND null` is false, `true OR null` is true).
 * - `int` op `int` stays `int` and wraps to 32 bits like Java; `long` arithmetic is float64
 *   arithmetic, exact while results stay within ±2^53. `/` always yields `double`; division or
 *   modulo by zero yields null.
 * - Comparisons follow IEEE 754 (NaN is unequal to everything); strings compare by UTF-16 units.
 *   A string compared with a timestamp or date is cast to it; with a number, both become double.
 * - `timestamp - timestamp` is a `long` in milliseconds; `timestamp ± long` is a timestamp;
 *   `date ± int` is a date and `date - date` an `int` of days.
 * - Casts that cannot convert a value (bad text, NaN, out of range) yield null; the rules are in
 *   cast.ts. Casts of literals are folded once, not evaluated per row.
 * - An untyped `lit(null)` takes the type its context needs; on its own it is a `string`.
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import type { Batch, DataType, Field, Vec } from "../columnar/batch.ts";
import { allocVec } from "../columnar/batch_ops.ts";
import type { BinaryOp, Expr } from "./expr.ts";
import { exprName, formatExpr } from "./format.ts";
import { castVec } from "./cast.ts";
import { evalFn } from "./functions.ts";
import { ARITH, coerce, litVec, resolve, type Typed } from "./resolve.ts";
import { allNull, blend, bothValid, finish, makeVec, nullUnless, type Values } from "./vectors.ts";

/** Evaluates `expr` over every row of `batch`; a literal becomes a full-length vector. */
export function evalExpr(expr: Expr, batch: Batch): Vec {
  return evalNode(resolve(expr, batch.schema), batch);
}

/** Indices of the rows where the boolean `expr` is true (null counts as false). */
export function evalPredicate(expr: Expr, batch: Batch): Uint32Array {
  const t = resolve(expr, batch.schema);
  if (t.type !== "bool" && !t.nullType) {
    throw new SchemaError(`Filter condition ${formatExpr(expr)} must be bool, not ${t.type}`);
  }
  const v = evalNode(coerce(t, "bool"), batch);
  const n = batch.length, values = v.values as Uint8Array, valid = v.valid;
  let count = 0;
  for (let i = 0; i < n; i++) count += values[i]! & (valid ? valid[i]! : 1);
  const out = new Uint32Array(count);
  let j = 0;
  for (let i = 0; i < n; i++) if (values[i]! & (valid ? valid[i]! : 1)) out[j++] = i;
  return out;
}

/** Evaluates each expression into a column of a new batch; plain column references are not copied. */
export function projectBatch(batch: Batch, exprs: readonly Expr[]): Batch {
  const schema: Field[] = [];
  const columns: Vec[] = [];
  for (const expr of exprs) {
    const t = resolve(expr, batch.schema);
    schema.push({ name: exprName(expr), type: t.type, nullable: t.nullable });
    let inner = t;
    while (inner.expr.op === "alias") inner = inner.args[0]!;
    columns.push(inner.expr.op === "col" ? batch.columns[inner.index!]! : evalNode(t, batch));
  }
  return { schema, length: batch.length, columns };
}

function evalNode(t: Typed, batch: Batch): Vec {
  const n = batch.length;
  if (t.nullType) return allNull(t.type, n);
  const e = t.expr;
  switch (e.op) {
    case "col":
      return batch.columns[t.index!]!;
    case "lit":
      return litVec(t, n);
    case "alias":
      return evalNode(t.args[0]!, batch);
    case "bin": {
      const l = evalNode(t.args[0]!, batch), r = evalNode(t.args[1]!, batch);
      return ARITH.has(e.fn)
        ? arith(e.fn, t.type, l, r, n)
        : e.fn === "and" || e.fn === "or"
        ? logic(e.fn, l, r, n)
        : compare(e.fn, l, r, n);
    }
    case "un":
      return unary(e.fn, t.type, evalNode(t.args[0]!, batch), n);
    case "cast": {
      const a = evalNode(t.args[0]!, batch);
      return a.type === e.to ? a : castVec(a, e.to, n);
    }
    case "when":
      return evalWhen(t, batch);
    case "fn":
      return evalFn(e.fn, t, t.args.map((a) => evalNode(a, batch)), n);
    case "over": // resolve() rejects it: window operators compute these
      throw new SchemaError(`Cannot evaluate window function ${formatExpr(e)} row by row`);
  }
}

function arith(op: BinaryOp, type: DataType, l: Vec, r: Vec, n: number): Vec {
  let valid = bothValid(l.valid, r.valid, n);
  let values: Float64Array | Int32Array;
  if (l.values instanceof Int32Array && r.values instanceof Int32Array) {
    const a = l.values, b = r.values, out = new Int32Array(n);
    if (op === "+") { for (let i = 0; i < n; i++) out[i] = (a[i]! + b[i]!) | 0; }
    else if (op === "-") { for (let i = 0; i < n; i++) out[i] = (a[i]! - b[i]!) | 0; }
    else if (op === "*") { for (let i = 0; i < n; i++) out[i] = Math.imul(a[i]!, b[i]!); }
    else for (let i = 0; i < n; i++) out[i] = b[i] === 0 ? 0 : (a[i]! % b[i]!) | 0;
    values = out;
  } else {
    const a = l.values as Float64Array, b = r.values as Float64Array, out = new Float64Array(n);
    if (op === "+") { for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!; }
    else if (op === "-") { for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!; }
    else if (op === "*") { for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!; }
    else if (op === "/") { for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!; }
    else if (type === "long") integerMod(a, b, out, n);
    else for (let i = 0; i < n; i++) out[i] = a[i]! % b[i]!;
    values = out;
  }
  if (op === "/" || op === "%") valid = nullWhereZero(r.values as Float64Array | Int32Array, valid, n);
  return makeVec(type, values, valid);
}

/**
 * `a % b` for integers held in doubles, without the slow fmod: a truncated quotient, corrected
 * by one where rounding of `a / b` moved it across an integer. Same results as `%` (sign of `a`,
 * -0 included) for |a|, |b| < 2^53.
 */
function integerMod(a: Float64Array, b: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    if (y === 0 || x === 0 || x !== x || y !== y) {
      out[i] = x % y;
      continue;
    }
    const m = y < 0 ? -y : y;
    let r = x - Math.trunc(x / y) * y;
    if (x >= 0) {
      if (r < 0) r += m;
      else if (r >= m) r -= m;
    } else {
      if (r > 0) r -= m;
      else if (r <= -m) r += m;
      if (r === 0) r = -0;
    }
    out[i] = r;
  }
}

function nullWhereZero(
  b: Float64Array | Int32Array,
  valid: Uint8Array | undefined,
  n: number,
): Uint8Array | undefined {
  let zeros = false;
  for (let i = 0; i < n; i++) {
    if (b[i] === 0) {
      zeros = true;
      break;
    }
  }
  if (!zeros) return valid;
  const out = valid ? valid.slice() : new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) if (b[i] === 0) out[i] = 0;
  return out;
}

function logic(op: "and" | "or", l: Vec, r: Vec, n: number): Vec {
  const a = l.values as Uint8Array, b = r.values as Uint8Array, va = l.valid, vb = r.valid;
  const out = new Uint8Array(n);
  if (!va && !vb) {
    if (op === "and") { for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!; }
    else for (let i = 0; i < n; i++) out[i] = a[i]! | b[i]!;
    return makeVec("bool", out, undefined);
  }
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const ka = va ? va[i]! : 1, kb = vb ? vb[i]! : 1, x = a[i]! & ka, y = b[i]! & kb;
    if (op === "and") {
      // false if either side is a known false; true if both known true; else null.
      const falseSide = (ka & (x ^ 1)) | (kb & (y ^ 1));
      out[i] = x & y;
      valid[i] = falseSide | (ka & kb);
    } else {
      out[i] = x | y;
      valid[i] = x | y | (ka & kb);
    }
  }
  return makeVec("bool", out, valid);
}

function compare(op: BinaryOp, l: Vec, r: Vec, n: number): Vec {
  const out = new Uint8Array(n);
  const a = l.values as ArrayLike<number | string>, b = r.values as ArrayLike<number | string>;
  switch (op) {
    case "==":
      for (let i = 0; i < n; i++) out[i] = a[i] === b[i] ? 1 : 0;
      break;
    case "!=":
      for (let i = 0; i < n; i++) out[i] = a[i] !== b[i] ? 1 : 0;
      break;
    case "<":
      for (let i = 0; i < n; i++) out[i] = a[i]! < b[i]! ? 1 : 0;
      break;
    case "<=":
      for (let i = 0; i < n; i++) out[i] = a[i]! <= b[i]! ? 1 : 0;
      break;
    case ">":
      for (let i = 0; i < n; i++) out[i] = a[i]! > b[i]! ? 1 : 0;
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = a[i]! >= b[i]! ? 1 : 0;
  }
  return makeVec("bool", out, bothValid(l.valid, r.valid, n));
}

function unary(fn: Extract<Expr, { op: "un" }>["fn"], type: DataType, a: Vec, n: number): Vec {
  const valid = a.valid;
  switch (fn) {
    case "isNull":
    case "isNotNull": {
      const out = new Uint8Array(n);
      const flip = fn === "isNull" ? 1 : 0;
      if (valid) { for (let i = 0; i < n; i++) out[i] = valid[i]! ^ flip; }
      else out.fill(flip ^ 1);
      return makeVec("bool", out, undefined);
    }
    case "not": {
      const x = a.values as Uint8Array, out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = x[i]! ^ 1;
      return makeVec("bool", out, valid);
    }
    case "neg":
    case "abs": {
      if (a.values instanceof Int32Array) {
        const x = a.values, out = new Int32Array(n);
        if (fn === "neg") { for (let i = 0; i < n; i++) out[i] = -x[i]! | 0; }
        else for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!) | 0;
        return makeVec(type, out, valid);
      }
      const x = a.values as Float64Array, out = new Float64Array(n);
      if (fn === "neg") { for (let i = 0; i < n; i++) out[i] = -x[i]!; }
      else for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return makeVec(type, out, valid);
    }
    case "floor":
    case "ceil": {
      if (a.type !== "double") return a;
      const x = a.values as Float64Array, out = new Float64Array(n);
      if (fn === "floor") { for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!); }
      else for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!);
      return makeVec("long", out, nullUnless(out, valid, n, "safe"));
    }
    default: {
      const x = a.values as Float64Array, out = new Float64Array(n);
      if (fn === "sqrt") { for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); }
      else if (fn === "exp") { for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!); }
      else for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return makeVec("double", out, fn === "log" ? nullUnless(x, valid, n, "positive") : valid);
    }
  }
}

function evalWhen(t: Typed, batch: Batch): Vec {
  const e = t.expr as Extract<Expr, { op: "when" }>;
  const n = batch.length;
  const out = allocVec(t.type, n).values as Values;
  const valid = new Uint8Array(n);
  const pending = new Uint8Array(n).fill(1);
  const take = new Uint8Array(n);
  let remaining = n;
  for (let k = 0; k < e.branches.length && remaining > 0; k++) {
    const c = evalNode(t.args[2 * k]!, batch);
    const cv = c.values as Uint8Array, cValid = c.valid;
    let any = 0;
    for (let i = 0; i < n; i++) {
      const hit = pending[i]! & cv[i]! & (cValid ? cValid[i]! : 1);
      take[i] = hit;
      any |= hit;
    }
    if (any === 0) continue;
    blend(out, valid, evalNode(t.args[2 * k + 1]!, batch), take, n);
    for (let i = 0; i < n; i++) {
      if (take[i] === 0) continue;
      pending[i] = 0;
      remaining--;
    }
  }
  if (remaining > 0 && e.otherwise) {
    blend(out, valid, evalNode(t.args[t.args.length - 1]!, batch), pending, n);
  }
  return finish(t.type, out, valid, n);
}
