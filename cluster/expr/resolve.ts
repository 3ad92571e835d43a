/**
 * Resolution of {@linkcode Expr} trees against a schema: one pass gives every node its type, its
 * nullability and the implicit casts it needs (see eval.ts for the semantics). Casts of literals
 * are folded here, once, instead of being evaluated per row.
 *
 * @module
 */
import { SchemaError } from "../errors.ts";
import type { DataType, Field, Schema, Vec } from "../columnar/batch.ts";
import { allocVec, columnIndex } from "../columnar/batch_ops.ts";
import type { BinaryOp, Expr, FnName } from "./expr.ts";
import { exprName, formatExpr } from "./format.ts";
import { castVec } from "./cast.ts";
import { allNull, INT32_MAX, INT32_MIN, makeVec, SAFE } from "./vectors.ts";

/** A resolved expression node: its type, nullability and resolved (possibly cast-wrapped) inputs. */
export interface Typed {
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

const NUMERIC: ReadonlySet<DataType> = new Set(["int", "long", "double"]);

/** The output field of `expr` over `schema` (`SchemaError` for unknown columns and type errors). */
export function inferField(expr: Expr, schema: Schema): Field {
  const t = resolve(expr, schema);
  return { name: exprName(expr), type: t.type, nullable: t.nullable };
}

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
export function coerce(t: Typed, to: DataType): Typed {
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

/** `expr` resolved against `schema` (`SchemaError` for unknown columns and type errors). */
export function resolve(expr: Expr, schema: Schema): Typed {
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
    case "over":
      throw new SchemaError(
        `Window function ${formatExpr(expr)} is allowed only in select() and withColumn(), ` +
          "not in filter, groupBy, agg, sort, join or another window function",
        { data: { expr: formatExpr(expr) } },
      );
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

/** The arithmetic operators (the rest of {@linkcode BinaryOp} compare or combine booleans). */
export const ARITH: ReadonlySet<BinaryOp> = new Set(["+", "-", "*", "/", "%"]);

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

/** The value of a literal node as a vector of `n` rows. */
export function litVec(t: Typed, n: number): Vec {
  const v = t.value;
  if (v === null || v === undefined || t.nullType) return allNull(t.type, n);
  if (typeof v === "string") return makeVec("string", new Array<string>(n).fill(v), undefined);
  const out = allocVec(t.type, n);
  (out.values as Float64Array).fill(v);
  return out;
}
