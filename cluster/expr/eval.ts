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
 *   the "Casts" section below. Casts of literals are folded once, not evaluated per row.
 * - An untyped `lit(null)` takes the type its context needs; on its own it is a `string`.
 *
 * @module
 */
import { SchemaError } from "../../actors/errors.ts";
import type { Batch, DataType, Field, Schema, Vec } from "../columnar/batch.ts";
import { allocVec, columnIndex } from "../columnar/batch_ops.ts";
import type { BinaryOp, Expr, FnName } from "./expr.ts";
import { exprName, formatExpr } from "./format.ts";
import { hashColumns } from "../columnar/row_hash.ts";

/** A resolved expression node: its type, nullability and resolved (possibly cast-wrapped) inputs. */
interface Typed {
  readonly expr: Expr;
  readonly type: DataType;
  /** Always null (built from untyped `null` literals only); its `type` is settled by the parent. */
  readonly nullType: boolean;
  readonly nullable: boolean;
  readonly args: readonly Typed[];
  /** `col`: the column position. */
  readonly index?: number | undefined;
  /** `lit`: the value converted to `type` (bools as 0/1). `round`: the digits. */
  readonly value?: number | string | null | undefined;
  /** `isIn`: the literal set (converted to the comparison type) and whether it holds a null. */
  readonly set?: ReadonlySet<number | string> | undefined;
  readonly setHasNull?: boolean | undefined;
}

type Values = Float64Array | Int32Array | Uint8Array | string[];
type Slots = { [i: number]: number | string };

const NUMERIC: ReadonlySet<DataType> = new Set(["int", "long", "double"]);
const INT32_MIN = -2147483648, INT32_MAX = 2147483647, SAFE = 9007199254740992, MS_PER_DAY = 86_400_000;

/** The output field of `expr` over `schema` (`SchemaError` for unknown columns and type errors). */
export function inferField(expr: Expr, schema: Schema): Field {
  const t = resolve(expr, schema);
  return { name: exprName(expr), type: t.type, nullable: t.nullable };
}

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

// ---------------------------------------------------------------------------------------------
// Resolution

function node(
  expr: Expr,
  type: DataType,
  nullable: boolean,
  args: readonly Typed[],
  extra: Partial<Typed> = {},
): Typed {
  return { expr, type, nullable, args, nullType: false, ...extra };
}

function nullNode(expr: Expr, type: DataType, args: readonly Typed[] = []): Typed {
  return { expr, type, nullable: true, args, nullType: true };
}

function fail(message: string, expr: Expr): never {
  throw new SchemaError(`${message} in ${formatExpr(expr)}`, { data: { expr: formatExpr(expr) } });
}

function wider(a: DataType, b: DataType): DataType {
  return a === "double" || b === "double" ? "double" : a === "long" || b === "long" ? "long" : "int";
}

/** Common type of two values (for CASE, coalesce, least/greatest), or undefined. */
function supertype(a: DataType, b: DataType): DataType | undefined {
  if (a === b) return a;
  if (NUMERIC.has(a) && NUMERIC.has(b)) return wider(a, b);
  if ((a === "date" && b === "timestamp") || (a === "timestamp" && b === "date")) return "timestamp";
  return undefined;
}

function commonType(args: readonly Typed[], expr: Expr, what: string): DataType | undefined {
  let t: DataType | undefined;
  for (const a of args) {
    if (a.nullType) continue;
    const s = t === undefined ? a.type : supertype(t, a.type);
    if (s === undefined) fail(`${what} mixes incompatible types ${t} and ${a.type}`, expr);
    t = s;
  }
  return t;
}

function castable(from: DataType, to: DataType): boolean {
  return !((from === "bool" && (to === "timestamp" || to === "date")) ||
    (to === "bool" && (from === "timestamp" || from === "date")));
}

const SAFE_CASTS: Record<DataType, readonly DataType[]> = {
  int: ["long", "double", "string", "date"],
  long: ["double", "string", "timestamp"],
  double: ["string"],
  bool: ["int", "long", "double", "string"],
  string: [],
  timestamp: ["long", "double", "date"],
  date: ["int", "long", "double", "timestamp", "string"],
};

/** `t` as type `to`: untyped nulls settle, other types get a cast node. */
function coerce(t: Typed, to: DataType): Typed {
  if (t.nullType) return t.type === to ? t : { ...t, type: to };
  if (t.type === to) return t;
  if (t.expr.op === "lit") {
    // Fold the cast now instead of once per row.
    const cast = castVec(litVec(t, 1), to, 1);
    const value = cast.valid && cast.valid[0] === 0 ? null : cast.values[0]!;
    return node({ op: "lit", value: t.expr.value, type: to }, to, value === null, [], { value });
  }
  return node({ op: "cast", to, arg: t.expr }, to, t.nullable || !SAFE_CASTS[t.type].includes(to), [t]);
}

function resolve(expr: Expr, schema: Schema): Typed {
  switch (expr.op) {
    case "col": {
      const index = columnIndex(schema, expr.name);
      const f = schema[index]!;
      return node(expr, f.type, f.nullable, [], { index });
    }
    case "lit":
      return resolveLit(expr);
    case "alias": {
      const a = resolve(expr.arg, schema);
      return { ...a, expr, args: [a], index: undefined, value: undefined };
    }
    case "bin": {
      const l = resolve(expr.left, schema), r = resolve(expr.right, schema);
      return resolveBinary(expr, expr.fn, l, r);
    }
    case "un":
      return resolveUnary(expr, resolve(expr.arg, schema));
    case "cast": {
      const a = resolve(expr.arg, schema);
      if (a.nullType) return nullNode(expr, expr.to, [a]);
      if (!castable(a.type, expr.to)) fail(`Cannot cast ${a.type} to ${expr.to}`, expr);
      const c = coerce(a, expr.to);
      return c === a ? node(expr, a.type, a.nullable, [a]) : c;
    }
    case "when": {
      const conds = expr.branches.map((b) => resolve(b.cond, schema));
      const values = expr.branches.map((b) => resolve(b.value, schema));
      if (expr.otherwise) values.push(resolve(expr.otherwise, schema));
      conds.forEach((c, i) => {
        if (!c.nullType && c.type !== "bool") fail(`CASE condition ${i + 1} is ${c.type}, not bool`, expr);
      });
      const t = commonType(values, expr, "CASE");
      if (t === undefined) return nullNode(expr, "string", []);
      const args = conds.flatMap((c, i) => [coerce(c, "bool"), coerce(values[i]!, t)]);
      if (expr.otherwise) args.push(coerce(values[values.length - 1]!, t));
      return node(expr, t, !expr.otherwise || values.some((v) => v.nullable), args);
    }
    case "fn":
      return resolveFn(expr, expr.fn, expr.args.map((a) => resolve(a, schema)));
  }
}

function naturalType(v: number | string | boolean): DataType {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  if (Number.isInteger(v)) {
    return v >= INT32_MIN && v <= INT32_MAX ? "int" : Math.abs(v) <= SAFE ? "long" : "double";
  }
  return "double";
}

function resolveLit(expr: Extract<Expr, { op: "lit" }>): Typed {
  const v = expr.value;
  if (v === null) {
    return expr.type === undefined
      ? nullNode(expr, "string")
      : node(expr, expr.type, true, [], { value: null });
  }
  const natural = node(expr, naturalType(v), false, [], { value: typeof v === "boolean" ? (v ? 1 : 0) : v });
  if (expr.type === undefined || expr.type === natural.type) return natural;
  if (!castable(natural.type, expr.type)) {
    fail(`Cannot make a ${expr.type} literal of ${JSON.stringify(v)}`, expr);
  }
  return { ...coerce(natural, expr.type), expr };
}

const ARITH: ReadonlySet<BinaryOp> = new Set(["+", "-", "*", "/", "%"]);

function resolveBinary(expr: Expr, op: BinaryOp, l: Typed, r: Typed): Typed {
  if (op === "and" || op === "or") {
    for (const x of [l, r]) {
      if (!x.nullType && x.type !== "bool") fail(`"${op}" needs bool operands, not ${x.type}`, expr);
    }
    if (l.nullType && r.nullType) return nullNode(expr, "bool", [l, r]);
    return node(expr, "bool", l.nullable || r.nullable, [coerce(l, "bool"), coerce(r, "bool")]);
  }
  const lt = l.nullType ? r.type : l.type, rt = r.nullType ? l.type : r.type;
  if (!ARITH.has(op)) {
    let ct = supertype(lt, rt);
    if (ct === undefined && (lt === "string" || rt === "string")) {
      const other = lt === "string" ? rt : lt;
      ct = other === "timestamp" || other === "date" ? other : NUMERIC.has(other) ? "double" : undefined;
    }
    if (ct === undefined) fail(`Cannot compare ${lt} with ${rt}`, expr);
    if (l.nullType || r.nullType) return nullNode(expr, "bool", [coerce(l, ct), coerce(r, ct)]);
    return node(expr, "bool", l.nullable || r.nullable, [coerce(l, ct), coerce(r, ct)]);
  }
  const nullable = l.nullable || r.nullable || op === "/" || op === "%";
  const make = (type: DataType, lt2: DataType, rt2: DataType): Typed =>
    l.nullType && r.nullType
      ? nullNode(expr, type, [coerce(l, lt2), coerce(r, rt2)])
      : node(expr, type, nullable, [coerce(l, lt2), coerce(r, rt2)]);
  if (NUMERIC.has(lt) && NUMERIC.has(rt)) {
    const t = op === "/" ? "double" : wider(lt, rt);
    return make(t, t, t);
  }
  const integral = (t: DataType) => t === "int" || t === "long";
  if (op === "-" && lt === rt && (lt === "timestamp" || lt === "date")) {
    return make(lt === "timestamp" ? "long" : "int", lt, rt);
  }
  if ((op === "+" || op === "-") && (lt === "timestamp" || lt === "date") && integral(rt)) {
    return make(lt, lt, lt === "timestamp" ? "long" : "int");
  }
  if (op === "+" && integral(lt) && (rt === "timestamp" || rt === "date")) {
    return make(rt, rt === "timestamp" ? "long" : "int", rt);
  }
  return fail(`Cannot apply "${op}" to ${lt} and ${rt}`, expr);
}

function resolveUnary(expr: Extract<Expr, { op: "un" }>, a: Typed): Typed {
  switch (expr.fn) {
    case "isNull":
    case "isNotNull":
      return node(expr, "bool", false, [a]);
    case "not":
      if (!a.nullType && a.type !== "bool") fail(`NOT needs a bool, not ${a.type}`, expr);
      return a.nullType ? nullNode(expr, "bool", [a]) : node(expr, "bool", a.nullable, [a]);
    default: {
      if (!a.nullType && !NUMERIC.has(a.type)) fail(`${expr.fn} needs a number, not ${a.type}`, expr);
      const fn = expr.fn;
      const t: DataType = fn === "neg" || fn === "abs"
        ? a.type
        : fn === "floor" || fn === "ceil"
        ? (a.type === "double" ? "long" : a.type)
        : "double";
      if (a.nullType) return nullNode(expr, t === "string" ? "double" : t, [a]);
      const nullable = a.nullable || fn === "log" ||
        ((fn === "floor" || fn === "ceil") && a.type === "double");
      return node(expr, t, nullable, [
        fn === "sqrt" || fn === "log" || fn === "exp" ? coerce(a, "double") : a,
      ]);
    }
  }
}

/** How many arguments each function takes: `[min, max]`. */
export const FN_ARITY: Readonly<Record<FnName, readonly [number, number]>> = {
  hash: [1, Infinity],
  coalesce: [1, Infinity],
  concat: [1, Infinity],
  lower: [1, 1],
  upper: [1, 1],
  length: [1, 1],
  substr: [2, 3],
  pow: [2, 2],
  round: [1, 2],
  year: [1, 1],
  month: [1, 1],
  dayOfMonth: [1, 1],
  dayOfWeek: [1, 1],
  hour: [1, 1],
  least: [1, Infinity],
  greatest: [1, Infinity],
  isIn: [1, Infinity],
};

function resolveFn(expr: Extract<Expr, { op: "fn" }>, fn: FnName, args: Typed[]): Typed {
  const [min, max] = FN_ARITY[fn];
  if (args.length < min || args.length > max) {
    fail(
      `${fn} takes ${min === max ? min : `${min} to ${max === Infinity ? "any number of" : max}`} arguments`,
      expr,
    );
  }
  const anyNullable = args.some((a) => a.nullable);
  const need = (a: Typed, ok: (t: DataType) => boolean, what: string) => {
    if (!a.nullType && !ok(a.type)) fail(`${fn} needs ${what}, not ${a.type}`, expr);
  };
  switch (fn) {
    case "hash":
      return node(expr, "long", false, args);
    case "coalesce":
    case "least":
    case "greatest": {
      const t = commonType(args, expr, fn);
      if (t === undefined) return nullNode(expr, "string", args);
      return node(expr, t, args.every((a) => a.nullable), args.map((a) => coerce(a, t)));
    }
    case "concat":
      return node(expr, "string", anyNullable, args.map((a) => coerce(a, "string")));
    case "lower":
    case "upper":
    case "length":
      need(args[0]!, (t) => t === "string", "a string");
      return node(expr, fn === "length" ? "int" : "string", anyNullable, [coerce(args[0]!, "string")]);
    case "substr":
      need(args[0]!, (t) => t === "string", "a string");
      for (const a of args.slice(1)) need(a, (t) => t === "int" || t === "long", "integer positions");
      return node(expr, "string", anyNullable || args.slice(1).some((a) => a.type === "long"), [
        coerce(args[0]!, "string"),
        ...args.slice(1).map((a) => coerce(a, "int")),
      ]);
    case "pow":
      for (const a of args) need(a, (t) => NUMERIC.has(t), "numbers");
      return node(expr, "double", anyNullable, args.map((a) => coerce(a, "double")));
    case "round": {
      const x = args[0]!;
      need(x, (t) => NUMERIC.has(t), "a number");
      const d = args[1];
      const digits = d === undefined ? 0 : d.expr.op === "lit" ? d.expr.value : undefined;
      if (typeof digits !== "number" || !Number.isInteger(digits)) {
        fail("round needs literal integer digits", expr);
      }
      const t = x.nullType ? "double" : x.type;
      return { ...node(expr, t, x.nullable, [coerce(x, t)], { value: digits }), nullType: x.nullType };
    }
    case "year":
    case "month":
    case "dayOfMonth":
    case "dayOfWeek":
    case "hour":
      need(args[0]!, (t) => t === "timestamp" || t === "date", "a timestamp or date");
      return args[0]!.nullType ? nullNode(expr, "int", args) : node(expr, "int", anyNullable, args);
    case "isIn":
      return resolveIsIn(expr, args);
  }
}

function resolveIsIn(expr: Expr, args: Typed[]): Typed {
  const [x, ...items] = args as [Typed, ...Typed[]];
  let t: DataType = x.type;
  for (const item of items) {
    if (item.expr.op !== "lit") fail("isIn takes literal values only", expr);
    if (item.nullType || x.nullType) continue;
    const s = supertype(t, item.type) ??
      (item.type === "string" && (t === "timestamp" || t === "date") ? t : undefined);
    if (s === undefined) fail(`isIn cannot compare ${t} with ${item.type}`, expr);
    t = s;
  }
  const set = new Set<number | string>();
  let setHasNull = false;
  for (const item of items) {
    const v = coerce(item, t).value;
    if (v === null || v === undefined) setHasNull = true;
    else set.add(v);
  }
  if (x.nullType) return nullNode(expr, "bool", [x]);
  return node(expr, "bool", x.nullable || setHasNull, [coerce(x, t)], { set, setHasNull });
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function makeVec(type: DataType, values: Values, valid: Uint8Array | undefined): Vec {
  return { type, values, valid } as Vec;
}

function allNull(type: DataType, n: number): Vec {
  return { ...allocVec(type, n), valid: new Uint8Array(n) } as Vec;
}

function litVec(t: Typed, n: number): Vec {
  const v = t.value;
  if (v === null || v === undefined || t.nullType) return allNull(t.type, n);
  if (typeof v === "string") return makeVec("string", new Array<string>(n).fill(v), undefined);
  const out = allocVec(t.type, n);
  (out.values as Float64Array).fill(v);
  return out;
}

/** Validity of rows valid in both (shared when only one side has nulls: never mutate the result). */
function bothValid(a: Uint8Array | undefined, b: Uint8Array | undefined, n: number): Uint8Array | undefined {
  if (!a) return b;
  if (!b) return a;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
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

/** `valid`, with rows whose value fails `test` nulled (a copy only when some row fails). */
function nullUnless(
  values: Float64Array,
  valid: Uint8Array | undefined,
  n: number,
  test: "safe" | "positive" | "number",
): Uint8Array | undefined {
  let bad = -1;
  if (test === "safe") {
    for (let i = 0; i < n && bad < 0; i++) if (!(values[i]! >= -SAFE && values[i]! <= SAFE)) bad = i;
  } else if (test === "positive") {
    for (let i = 0; i < n && bad < 0; i++) if (!(values[i]! > 0)) bad = i;
  } else {
    for (let i = 0; i < n && bad < 0; i++) if (values[i] !== values[i]) bad = i;
  }
  if (bad < 0) return valid;
  const out = valid ? valid.slice() : new Uint8Array(n).fill(1);
  for (let i = bad; i < n; i++) {
    const x = values[i]!;
    if (test === "safe" ? !(x >= -SAFE && x <= SAFE) : test === "positive" ? !(x > 0) : x !== x) out[i] = 0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Casts: number ↔ number truncates toward zero, and values out of the target's range, NaN and
// ±Infinity become null; timestamp ↔ date converts ms ↔ days (floor); timestamp ↔ long/double is
// milliseconds, date ↔ int/long/double is days; bool ↔ number is 1/0 (NaN → null). Strings parse
// trimmed (numbers: decimal notation, plus NaN/Infinity for double; bool: true/t/yes/y/1 and
// false/f/no/n/0, case-insensitive; timestamp: ISO-8601 `YYYY-MM-DD[( |T)hh:mm[:ss[.fff]]][Z|±hh:mm]`,
// UTC unless an offset is given; date: the `YYYY-MM-DD` part of the same) and bad text → null.
// To string: integers print without ".0", doubles as JS `String(x)`, timestamps as ISO-8601 UTC
// (`2024-01-31T12:00:00.000Z`), dates as `YYYY-MM-DD`, bools as `true`/`false`.

/** Casts a vector to `to` (see the rules above). */
export function castVec(v: Vec, to: DataType, n: number): Vec {
  const from = v.type;
  if (from === to) return v;
  if (to === "string") return formatVec(v, n);
  if (from === "string") return parseVec(v.values, to, v.valid, n);
  const src = v.values as Float64Array | Int32Array | Uint8Array;
  const scale = from === "date" && to === "timestamp" ? MS_PER_DAY : 1;
  const div = from === "timestamp" && to === "date" ? MS_PER_DAY : 1;
  if (to === "bool") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
    return makeVec(
      "bool",
      out,
      from === "double" ? nullUnless(src as Float64Array, v.valid, n, "number") : v.valid,
    );
  }
  const f64 = to === "double" || to === "long" || to === "timestamp";
  // Exact widenings share or copy without checks.
  if (f64 && (src instanceof Float64Array) && (to === "double" || from !== "double")) {
    return makeVec(to, src, v.valid);
  }
  if (f64 && !(src instanceof Float64Array)) {
    const out = new Float64Array(n);
    if (scale === 1) out.set(src.subarray(0, n));
    else for (let i = 0; i < n; i++) out[i] = src[i]! * scale;
    return makeVec(to, out, v.valid);
  }
  if (!f64 && !(src instanceof Float64Array)) {
    return makeVec(to, Int32Array.from(src.subarray(0, n)), v.valid);
  }
  // Checked narrowing from float64.
  const x = src as Float64Array;
  const out = f64 ? new Float64Array(n) : new Int32Array(n);
  const lo = f64 ? -SAFE : INT32_MIN, hi = f64 ? SAFE : INT32_MAX;
  let valid: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const y = div === 1 ? Math.trunc(x[i]!) : Math.floor(x[i]! / div);
    if (y >= lo && y <= hi) out[i] = y;
    else {
      valid ??= v.valid ? v.valid.slice() : new Uint8Array(n).fill(1);
      valid[i] = 0;
    }
  }
  return makeVec(to, out, valid ?? v.valid);
}

function formatVec(v: Vec, n: number): Vec {
  const out = new Array<string>(n);
  let valid = v.valid;
  const src = v.values as ArrayLike<number>;
  switch (v.type) {
    case "bool":
      for (let i = 0; i < n; i++) out[i] = src[i] ? "true" : "false";
      break;
    case "timestamp":
    case "date":
      for (let i = 0; i < n; i++) {
        const s = v.type === "date" ? formatDate(src[i]!) : formatTimestamp(src[i]!);
        if (s !== undefined) out[i] = s;
        else {
          out[i] = "";
          valid = valid === v.valid ? (valid ? valid.slice() : new Uint8Array(n).fill(1)) : valid;
          valid![i] = 0;
        }
      }
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = String(src[i]);
  }
  return makeVec("string", out, valid);
}

function parseVec(src: readonly string[], to: DataType, inValid: Uint8Array | undefined, n: number): Vec {
  const out = allocVec(to, n).values as Float64Array | Int32Array | Uint8Array;
  const valid = inValid ? inValid.slice() : new Uint8Array(n).fill(1);
  let nulls = false;
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) {
      nulls = true;
      continue;
    }
    const x = parseScalar(src[i]!.trim(), to);
    if (x === undefined) {
      valid[i] = 0;
      nulls = true;
    } else out[i] = x;
  }
  return makeVec(to, out, nulls ? valid : undefined);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;
const TRUE_TEXT = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_TEXT = new Set(["false", "f", "no", "n", "0"]);

function parseScalar(s: string, to: DataType): number | undefined {
  switch (to) {
    case "bool": {
      const lower = s.toLowerCase();
      return TRUE_TEXT.has(lower) ? 1 : FALSE_TEXT.has(lower) ? 0 : undefined;
    }
    case "timestamp":
      return parseTimestamp(s);
    case "date": {
      const m = ISO.exec(s);
      return m ? civilDays(m) : undefined;
    }
    default: {
      if (!DECIMAL.test(s)) {
        if (to !== "double" || !SPECIAL.test(s)) return undefined;
        const lower = s.toLowerCase();
        return lower.includes("nan") ? NaN : lower.startsWith("-") ? -Infinity : Infinity;
      }
      const x = Number(s);
      if (to === "double") return x;
      const y = Math.trunc(x);
      const [lo, hi] = to === "int" ? [INT32_MIN, INT32_MAX] : [-SAFE, SAFE];
      return y >= lo && y <= hi ? y : undefined;
    }
  }
}

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Days since the epoch of a matched ISO date, or undefined when the date does not exist. */
function civilDays(m: RegExpExecArray): number | undefined {
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d);
}

function parseTimestamp(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const days = civilDays(m);
  const hh = Number(m[4] ?? 0), mm = Number(m[5] ?? 0), ss = Number(m[6] ?? 0);
  if (days === undefined || hh > 23 || mm > 59 || ss > 59) return undefined;
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  let offset = 0;
  const tz = m[8];
  if (tz && tz.toUpperCase() !== "Z") {
    const digits = tz.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2) || 0);
    if (oh > 18 || om > 59) return undefined;
    offset = (tz[0] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return days * MS_PER_DAY + hh * 3_600_000 + mm * 60_000 + ss * 1000 + ms - offset;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number, packed as `((year * 16) + month) * 32 + day`. */
function civilFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return (y * 16 + m) * 32 + d;
}

function pad(x: number, width: number): string {
  return String(x).padStart(width, "0");
}

function formatDate(days: number): string | undefined {
  if (!Number.isFinite(days)) return undefined;
  const c = civilFromDays(days);
  const y = c >> 9;
  if (y < 0 || y > 9999) return undefined;
  return `${pad(y, 4)}-${pad((c >> 5) & 15, 2)}-${pad(c & 31, 2)}`;
}

function formatTimestamp(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const t = Math.floor(ms);
  const days = Math.floor(t / MS_PER_DAY);
  const date = formatDate(days);
  if (date === undefined) return undefined;
  let rem = t - days * MS_PER_DAY;
  const hh = Math.floor(rem / 3_600_000);
  rem -= hh * 3_600_000;
  const mm = Math.floor(rem / 60_000);
  rem -= mm * 60_000;
  const ss = Math.floor(rem / 1000);
  return `${date}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(rem - ss * 1000, 3)}Z`;
}

// ---------------------------------------------------------------------------------------------
// CASE WHEN and functions

/** Copies rows where `take[i]` from `src` into `out`/`outValid`. */
function blend(out: Values, outValid: Uint8Array, src: Vec, take: Uint8Array, n: number): void {
  const dst = out as Slots, from = src.values as ArrayLike<number | string>, sv = src.valid;
  for (let i = 0; i < n; i++) {
    if (take[i] === 0) continue;
    dst[i] = from[i]!;
    outValid[i] = sv ? sv[i]! : 1;
  }
}

function finish(type: DataType, values: Values, valid: Uint8Array, n: number): Vec {
  for (let i = 0; i < n; i++) if (valid[i] === 0) return makeVec(type, values, valid);
  return makeVec(type, values, undefined);
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

function evalFn(fn: FnName, t: Typed, args: Vec[], n: number): Vec {
  switch (fn) {
    case "hash":
      return makeVec("long", Float64Array.from(hashColumns(args, n)), undefined);
    case "coalesce": {
      const out = allocVec(t.type, n).values as Values, valid = new Uint8Array(n), take = new Uint8Array(n);
      for (const a of args) {
        const av = a.valid;
        for (let i = 0; i < n; i++) take[i] = (valid[i]! ^ 1) & (av ? av[i]! : 1);
        blend(out, valid, a, take, n);
      }
      return finish(t.type, out, valid, n);
    }
    case "least":
    case "greatest": {
      const out = allocVec(t.type, n).values as Values, valid = new Uint8Array(n);
      const dst = out as Slots, cur = out as ArrayLike<number | string>;
      const least = fn === "least";
      for (const a of args) {
        const src = a.values as ArrayLike<number | string>, av = a.valid;
        for (let i = 0; i < n; i++) {
          if (av && av[i] === 0) continue;
          const x = src[i]!;
          if (valid[i] === 0 || (least ? x < cur[i]! : x > cur[i]!)) {
            dst[i] = x;
            valid[i] = 1;
          }
        }
      }
      return finish(t.type, out, valid, n);
    }
    case "concat": {
      const out = new Array<string>(n);
      const parts = args.map((a) => a.values as readonly string[]);
      let valid: Uint8Array | undefined;
      for (const a of args) valid = bothValid(valid, a.valid, n);
      for (let i = 0; i < n; i++) {
        let s = "";
        for (const p of parts) s += p[i]!;
        out[i] = s;
      }
      return makeVec("string", out, valid);
    }
    case "lower":
    case "upper": {
      const src = args[0]!.values as readonly string[], out = new Array<string>(n);
      if (fn === "lower") { for (let i = 0; i < n; i++) out[i] = src[i]!.toLowerCase(); }
      else for (let i = 0; i < n; i++) out[i] = src[i]!.toUpperCase();
      return makeVec("string", out, args[0]!.valid);
    }
    case "length": {
      const src = args[0]!.values as readonly string[], out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = codePoints(src[i]!);
      return makeVec("int", out, args[0]!.valid);
    }
    case "substr":
      return substr(args, n);
    case "pow": {
      const a = args[0]!.values as Float64Array,
        b = args[1]!.values as Float64Array,
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = a[i]! ** b[i]!;
      return makeVec("double", out, bothValid(args[0]!.valid, args[1]!.valid, n));
    }
    case "round":
      return round(args[0]!, t.value as number, n);
    case "year":
    case "month":
    case "dayOfMonth":
    case "dayOfWeek":
    case "hour":
      return datePart(fn, args[0]!, n);
    case "isIn": {
      const x = args[0]!, src = x.values as ArrayLike<number | string>, set = t.set!, xv = x.valid;
      const out = new Uint8Array(n);
      const valid = xv || t.setHasNull ? new Uint8Array(n) : undefined;
      for (let i = 0; i < n; i++) {
        const hit = set.has(src[i]!) ? 1 : 0;
        out[i] = hit;
        if (valid) valid[i] = (xv ? xv[i]! : 1) & (hit | (t.setHasNull ? 0 : 1));
      }
      return makeVec("bool", out, valid);
    }
  }
}

function codePoints(s: string): number {
  let count = s.length;
  for (let k = 0; k + 1 < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
      count--;
      k++;
    }
  }
  return count;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Spark's `substring(s, pos, len)` over code points: 1-based, 0 acts as 1, negative counts from the end. */
function substr(args: Vec[], n: number): Vec {
  const s = args[0]!.values as readonly string[], pos = args[1]!.values as Int32Array;
  const len = args[2]?.values as Int32Array | undefined;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const str = s[i]!, p = pos[i]!;
    const wide = SURROGATE.test(str);
    const chars = wide ? Array.from(str) : undefined;
    const count = chars ? chars.length : str.length;
    let start = p > 0 ? p - 1 : p < 0 ? count + p : 0;
    const end = len ? start + len[i]! : Infinity;
    start = Math.max(start, 0);
    out[i] = start >= end ? "" : chars ? chars.slice(start, end).join("") : str.slice(start, end);
  }
  let valid = bothValid(args[0]!.valid, args[1]!.valid, n);
  if (args[2]) valid = bothValid(valid, args[2].valid, n);
  return makeVec("string", out, valid);
}

/** Rounds half away from zero at `digits` decimal places (negative: tens, hundreds…). */
function round(x: Vec, digits: number, n: number): Vec {
  if (x.type !== "double") {
    if (digits >= 0) return x;
    const p = 10 ** -digits, src = x.values as Float64Array | Int32Array;
    const out = x.type === "int" ? new Int32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      out[i] = Math.sign(v) * Math.floor(Math.abs(v) / p + 0.5) * p;
    }
    return makeVec(x.type, out, x.valid);
  }
  const src = x.values as Float64Array, out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = roundHalfUp(src[i]!, digits);
  return makeVec("double", out, x.valid);
}

/** Rounds through the shortest decimal text of `x`, so 2.675 rounds to 2.68 as in Spark. */
function roundHalfUp(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const ax = Math.abs(x);
  if (digits >= 0 && digits <= 22) {
    // Fast path away from ties: the scaled value's rounding is unambiguous.
    const p = 10 ** digits, y = ax * p;
    const frac = y - Math.floor(y);
    if (y < 2 ** 52 && Math.abs(frac - 0.5) > y * 1e-15 + 1e-9) {
      return (x < 0 ? -Math.round(y) : Math.round(y)) / p;
    }
  }
  const text = String(ax);
  let r: number;
  if (text.includes("e")) {
    const p = 10 ** digits;
    r = Math.round(ax * p) / p;
  } else {
    const scaled = Number(`${text}e${digits}`);
    r = scaled >= 2 ** 52 ? ax : Number(`${Math.round(scaled)}e${-digits}`);
  }
  return x < 0 ? -r : r;
}

function datePart(fn: "year" | "month" | "dayOfMonth" | "dayOfWeek" | "hour", a: Vec, n: number): Vec {
  const src = a.values as Float64Array | Int32Array, ts = a.type === "timestamp";
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    const days = ts ? Math.floor(v / MS_PER_DAY) : v;
    switch (fn) {
      case "year":
        out[i] = civilFromDays(days) >> 9;
        break;
      case "month":
        out[i] = (civilFromDays(days) >> 5) & 15;
        break;
      case "dayOfMonth":
        out[i] = civilFromDays(days) & 31;
        break;
      case "dayOfWeek":
        out[i] = (((days + 4) % 7) + 7) % 7 + 1;
        break;
      case "hour":
        out[i] = ts ? Math.floor((v - days * MS_PER_DAY) / 3_600_000) : 0;
    }
  }
  return makeVec("int", out, a.valid);
}
