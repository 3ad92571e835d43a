/**
 * The engine's expressions evaluated one row at a time, for online features (a step computes the
 * features of one event, where building a one-row batch for `evalExpr` costs more than the
 * arithmetic). Compiled from the **resolved** expression (`cluster/expr/resolve.ts`: the same types,
 * implicit casts and folded literals as the batch evaluator), each node doing what `eval.ts` does
 * for one row: `null` in, `null` out; `/` and `%` give `null` for a zero divisor; `and` / `or`
 * three-valued; `when` takes the first branch whose condition is true.
 *
 * Only what evaluates the same on a JavaScript number as on the batch evaluator's vectors is
 * compiled: double, long and timestamp arithmetic (float64, as the batch path), comparisons (`int`
 * values stored as int32 first), boolean logic, null tests, `neg` / `abs`, widening casts, `when`.
 * Anything else (`int` arithmetic, `date` values, `%` on longs, functions, narrowing or string casts) makes
 * {@linkcode compileRowExpr} return `undefined`, and the caller evaluates batches instead.
 *
 * @module
 */
import type { DataType, Row, Scalar, Schema } from "../../cluster/columnar/batch.ts";
import type { Expr } from "../../cluster/expr/expr.ts";
import { resolve, type Typed } from "../../cluster/expr/resolve.ts";

/** A compiled expression: the value `evalExpr` then `scalarAt` would give for the row. */
export type RowExpr = (row: Row) => Scalar;

/** A node's value: numbers (bools as 0/1), strings, or null. */
type Node = (row: Row) => number | string | null;

const F64: ReadonlySet<DataType> = new Set(["double", "long", "timestamp"]);

/**
 * `expr` over rows of `schema`, evaluated one row at a time, or `undefined` when it holds
 * something only the batch evaluator computes (see the module documentation).
 *
 * @throws {SchemaError} as `resolve` does, for unknown columns and type errors.
 */
export function compileRowExpr(expr: Expr, schema: Schema): RowExpr | undefined {
  const t = resolve(expr, schema);
  const node = compile(t, schema);
  if (node === undefined) return undefined;
  if (t.type === "bool") {
    return (row) => {
      const v = node(row);
      return v === null ? null : v === 1;
    };
  }
  return node;
}

function compile(t: Typed, schema: Schema): Node | undefined {
  if (t.nullType) return () => null;
  if (t.type === "date") return undefined;
  const e = t.expr;
  switch (e.op) {
    case "col": {
      const field = schema[t.index!]!;
      const name = field.name;
      if (field.type === "date") return undefined;
      if (field.type === "int") {
        // What storing it in the batch's Int32Array does.
        return (row) => {
          const x = row[name];
          return x === null || x === undefined ? null : (x as number) | 0;
        };
      }
      if (field.type === "bool") {
        return (row) => {
          const x = row[name];
          return x === null || x === undefined ? null : x === true || x === 1 ? 1 : 0;
        };
      }
      if (field.type === "string") {
        return (row) => {
          const x = row[name];
          return x === null || x === undefined ? null : String(x);
        };
      }
      return (row) => {
        const x = row[name];
        return x === null || x === undefined ? null : x as number;
      };
    }
    case "lit": {
      const v = t.value;
      const value = v === undefined ? null : v;
      return () => value;
    }
    case "alias":
      return compile(t.args[0]!, schema);
    case "cast": {
      const from = t.args[0]!.type, to = e.to;
      const widening = from === to || (from === "int" && F64.has(to)) ||
        (F64.has(from) && F64.has(to) && (to === "double" || from !== "double"));
      return widening ? compile(t.args[0]!, schema) : undefined;
    }
    case "un": {
      const a = compile(t.args[0]!, schema);
      return a === undefined ? undefined : unary(e.fn, t, a);
    }
    case "bin": {
      const l = compile(t.args[0]!, schema), r = compile(t.args[1]!, schema);
      if (l === undefined || r === undefined) return undefined;
      return binary(e.fn, t, l, r);
    }
    case "when": {
      const parts = t.args.map((a) => compile(a, schema));
      if (parts.some((p) => p === undefined)) return undefined;
      const branches = e.branches.length, nodes = parts as Node[];
      const otherwise = e.otherwise === undefined ? undefined : nodes[nodes.length - 1]!;
      return (row) => {
        for (let k = 0; k < branches; k++) if (nodes[2 * k]!(row) === 1) return nodes[2 * k + 1]!(row);
        return otherwise === undefined ? null : otherwise(row);
      };
    }
    default:
      return undefined;
  }
}

function unary(fn: string, t: Typed, a: Node): Node | undefined {
  switch (fn) {
    case "isNull":
      return (row) => a(row) === null ? 1 : 0;
    case "isNotNull":
      return (row) => a(row) === null ? 0 : 1;
    case "not":
      return (row) => {
        const x = a(row);
        return x === null ? null : (x as number) ^ 1;
      };
    case "neg":
    case "abs":
      if (!F64.has(t.args[0]!.type)) return undefined;
      return fn === "neg"
        ? (row) => {
          const x = a(row);
          return x === null ? null : -(x as number);
        }
        : (row) => {
          const x = a(row);
          return x === null ? null : Math.abs(x as number);
        };
    default:
      return undefined;
  }
}

function binary(op: string, t: Typed, l: Node, r: Node): Node | undefined {
  switch (op) {
    case "+":
    case "-":
    case "*":
    case "/":
    case "%": {
      if (!F64.has(t.type) || !F64.has(t.args[0]!.type) || !F64.has(t.args[1]!.type)) return undefined;
      if (op === "%" && t.type === "long") return undefined;
      return (row) => {
        const a = l(row), b = r(row);
        if (a === null || b === null) return null;
        const x = a as number, y = b as number;
        switch (op) {
          case "+":
            return x + y;
          case "-":
            return x - y;
          case "*":
            return x * y;
          case "/":
            return y === 0 ? null : x / y;
          default:
            return y === 0 ? null : x % y;
        }
      };
    }
    case "and":
    case "or":
      return (row) => {
        const a = l(row), b = r(row);
        if (op === "and") {
          if (a === 0 || b === 0) return 0;
          return a === null || b === null ? null : 1;
        }
        if (a === 1 || b === 1) return 1;
        return a === null || b === null ? null : 0;
      };
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return (row) => {
        const a = l(row), b = r(row);
        if (a === null || b === null) return null;
        switch (op) {
          case "==":
            return a === b ? 1 : 0;
          case "!=":
            return a !== b ? 1 : 0;
          case "<":
            return a < b ? 1 : 0;
          case "<=":
            return a <= b ? 1 : 0;
          case ">":
            return a > b ? 1 : 0;
          default:
            return a >= b ? 1 : 0;
        }
      };
    default:
      return undefined;
  }
}
