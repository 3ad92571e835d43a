/**
 * Readable SQL-like text for expressions, used by `explain()` and as the default output name of
 * computed columns (Spark style: `(amount > 100)`, `sum(amount)`).
 *
 * @module
 */
import type { DataType, Scalar } from "../columnar/batch.ts";
import type {
  AggExpr,
  BinaryOp,
  Expr,
  FrameBound,
  SortKey,
  UnaryOp,
  WindowCall,
  WindowFrame,
  WindowOrder,
  WindowSpecData,
} from "./expr.ts";

const BINARY_TEXT: Record<BinaryOp, string> = {
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  "%": "%",
  "==": "=",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  and: "AND",
  or: "OR",
};

const UNARY_FN_TEXT: Record<Exclude<UnaryOp, "not" | "neg" | "isNull" | "isNotNull">, string> = {
  abs: "abs",
  sqrt: "sqrt",
  log: "ln",
  exp: "exp",
  floor: "floor",
  ceil: "ceil",
};

/**
 * SQL-like text of an expression.
 *
 * @example
 * ```ts
 * import { formatExpr } from "./format.ts";
 * const text = formatExpr({ op: "bin", fn: ">", left: { op: "col", name: "amount" }, right: { op: "lit", value: 100 } });
 * console.assert(text === "(amount > 100)");
 * ```
 */
export function formatExpr(expr: Expr): string {
  switch (expr.op) {
    case "col":
      return expr.name;
    case "lit":
      return formatLiteral(expr.value, expr.type);
    case "bin":
      return `(${formatExpr(expr.left)} ${BINARY_TEXT[expr.fn]} ${formatExpr(expr.right)})`;
    case "un":
      switch (expr.fn) {
        case "not":
          return `(NOT ${formatExpr(expr.arg)})`;
        case "neg":
          return `(- ${formatExpr(expr.arg)})`;
        case "isNull":
          return `(${formatExpr(expr.arg)} IS NULL)`;
        case "isNotNull":
          return `(${formatExpr(expr.arg)} IS NOT NULL)`;
        default:
          return `${UNARY_FN_TEXT[expr.fn]}(${formatExpr(expr.arg)})`;
      }
    case "cast":
      return `CAST(${formatExpr(expr.arg)} AS ${expr.to})`;
    case "when": {
      const parts = expr.branches.map((b) => `WHEN ${formatExpr(b.cond)} THEN ${formatExpr(b.value)}`);
      const otherwise = expr.otherwise ? ` ELSE ${formatExpr(expr.otherwise)}` : "";
      return `CASE ${parts.join(" ")}${otherwise} END`;
    }
    case "fn": {
      const args = expr.args.map(formatExpr);
      if (expr.fn === "isIn") return `(${args[0] ?? "NULL"} IN (${args.slice(1).join(", ")}))`;
      return `${expr.fn}(${args.join(", ")})`;
    }
    case "alias":
      return `${formatExpr(expr.arg)} AS ${expr.name}`;
    case "over":
      return `${formatWindowCall(expr.call)} OVER (${formatWindow(expr.window)})`;
  }
}

const WINDOW_FN_TEXT: Record<WindowCall["fn"], string> = {
  rowNumber: "row_number",
  rank: "rank",
  denseRank: "dense_rank",
  lag: "lag",
  lead: "lead",
  count: "count",
  sum: "sum",
  avg: "avg",
  min: "min",
  max: "max",
  stddev: "stddev",
  variance: "variance",
};

/** Spark-style text of a window function call: `row_number()`, `lag(amount, 1, NULL)`, `count(1)`. */
export function formatWindowCall(call: WindowCall): string {
  const name = WINDOW_FN_TEXT[call.fn];
  switch (call.fn) {
    case "rowNumber":
    case "rank":
    case "denseRank":
      return `${name}()`;
    case "lag":
    case "lead": {
      const arg = call.arg ? formatExpr(call.arg) : "NULL";
      return `${name}(${arg}, ${call.offset ?? 1}, ${formatLiteral(call.default ?? null, undefined)})`;
    }
    default:
      return `${name}(${call.arg ? formatExpr(call.arg) : "1"})`;
  }
}

/** `PARTITION BY account ORDER BY ts ASC NULLS FIRST RANGE BETWEEN 3600000 PRECEDING AND CURRENT ROW`. */
export function formatWindow(w: WindowSpecData): string {
  const parts: string[] = [];
  if (w.partitionBy.length > 0) parts.push(`PARTITION BY ${w.partitionBy.join(", ")}`);
  if (w.orderBy.length > 0) parts.push(`ORDER BY ${w.orderBy.map(formatWindowOrder).join(", ")}`);
  if (w.frame) parts.push(formatFrame(w.frame));
  return parts.join(" ");
}

/** `ts ASC NULLS FIRST`. */
export function formatWindowOrder(o: WindowOrder): string {
  return `${o.column} ${o.ascending ? "ASC" : "DESC"} NULLS ${o.nullsFirst ? "FIRST" : "LAST"}`;
}

/** `ROWS BETWEEN 3 PRECEDING AND CURRENT ROW`. */
export function formatFrame(f: WindowFrame): string {
  const bound = (b: FrameBound, edge: "PRECEDING" | "FOLLOWING"): string =>
    b === "unbounded"
      ? `UNBOUNDED ${edge}`
      : b === 0
      ? "CURRENT ROW"
      : b < 0
      ? `${-b} PRECEDING`
      : `${b} FOLLOWING`;
  return `${f.kind.toUpperCase()} BETWEEN ${bound(f.lower, "PRECEDING")} AND ${bound(f.upper, "FOLLOWING")}`;
}

function formatLiteral(value: Scalar, type: DataType | undefined): string {
  if (value === null) return type ? `CAST(NULL AS ${type})` : "NULL";
  if (typeof value === "string") {
    const quoted = `'${value.replaceAll("'", "''")}'`;
    if (type === "timestamp") return `TIMESTAMP ${quoted}`;
    if (type === "date") return `DATE ${quoted}`;
    return quoted;
  }
  if (typeof value === "number" && (type === "timestamp" || type === "date")) {
    const ms = type === "date" ? value * 86_400_000 : value;
    const d = new Date(ms);
    if (Number.isFinite(d.getTime())) {
      const iso = d.toISOString();
      return type === "date" ? `DATE '${iso.slice(0, 10)}'` : `TIMESTAMP '${iso}'`;
    }
  }
  return String(value);
}

/** The output name of a column-producing expression: its alias, its column name, or its text. */
export function exprName(expr: Expr): string {
  if (expr.op === "alias" || expr.op === "col") return expr.name;
  return formatExpr(expr);
}

const AGG_TEXT: Record<AggExpr["fn"], string> = {
  count: "count",
  sum: "sum",
  avg: "avg",
  min: "min",
  max: "max",
  stddev: "stddev",
  variance: "variance",
  countDistinct: "count",
  approxCountDistinct: "approx_count_distinct",
  approxQuantile: "approx_quantile",
  first: "first",
};

/** Spark-style default output name of an aggregate: `count(1)`, `sum(amount)`, `count(DISTINCT id)`. */
export function aggDefaultName(agg: Omit<AggExpr, "name">): string {
  const arg = agg.arg ? exprName(agg.arg) : "1";
  switch (agg.fn) {
    case "countDistinct":
      return `count(DISTINCT ${arg})`;
    case "approxQuantile":
      return `approx_quantile(${arg}, ${agg.q ?? 0.5})`;
    default:
      return `${AGG_TEXT[agg.fn]}(${arg})`;
  }
}

/** `sum(amount) AS total` (the `AS` part only when the name differs from the default). */
export function formatAgg(agg: AggExpr): string {
  const argText = agg.arg ? formatExpr(agg.arg) : "1";
  let text: string;
  switch (agg.fn) {
    case "countDistinct":
      text = `count(DISTINCT ${argText})`;
      break;
    case "approxQuantile":
      text = `approx_quantile(${argText}, ${agg.q ?? 0.5}, ${agg.relativeError ?? 0.01})`;
      break;
    default:
      text = `${AGG_TEXT[agg.fn]}(${argText})`;
  }
  return agg.name === aggDefaultName(agg) ? text : `${text} AS ${agg.name}`;
}

/** `amount DESC NULLS LAST`. */
export function formatSortKey(key: SortKey): string {
  return `${formatExpr(key.expr)} ${key.ascending ? "ASC" : "DESC"} NULLS ${
    key.nullsFirst ? "FIRST" : "LAST"
  }`;
}

/** A short description of an unexpected value for error messages (strings quoted, objects by class). */
export function describe(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x);
  if (typeof x === "function") return "a function";
  if (typeof x === "bigint" || typeof x === "symbol") return `a ${typeof x}`;
  if (x === null || x === undefined || typeof x !== "object") return String(x);
  return x.constructor?.name ?? "object";
}
