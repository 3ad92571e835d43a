/**
 * How `select` and `withColumn` plan window functions, as Spark's analyzer does: every `over`
 * expression (anywhere inside a column, e.g. `col("amount").div(avg("amount").over(w))`) becomes
 * a column `__w<i>` computed by a window operator below the projection, which then reads it. Calls
 * over the same partition columns and order share one operator (one sort), each with its own
 * frame; identical calls are computed once; operators with fewer partition columns go first, so
 * one over a superset of an earlier one's columns needs no shuffle of its own.
 *
 * @module
 */
import type { Schema } from "../columnar/batch.ts";
import type { Expr, WindowExpr, WindowSpecData } from "../expr/expr.ts";
import { exprName } from "../expr/format.ts";
import { frameFor } from "../expr/window_rules.ts";
import type { LogicalPlan } from "./logical_plan.ts";

/** One window operator being built: its partition and order, and its functions. */
interface PendingWindow {
  readonly partitionBy: readonly string[];
  readonly orderBy: WindowSpecData["orderBy"];
  readonly fns: WindowExpr[];
}

/**
 * The projection of `exprs` over `input` (whose schema is `schema`), with the window functions
 * they hold computed by window operators in between (a plain projection when there are none).
 * Each projected column keeps the name it would have had.
 */
export function projectWithWindows(input: LogicalPlan, schema: Schema, exprs: readonly Expr[]): LogicalPlan {
  const taken = new Set(schema.map((f) => f.name));
  const windows = new Map<string, PendingWindow>();
  const columns = new Map<string, string>(); // a call's canonical text → its column
  let next = 0;
  const columnFor = (e: Extract<Expr, { op: "over" }>): string => {
    const { partitionBy, orderBy } = e.window;
    const frame = frameFor(e.call.fn, e.window);
    const call = frame ? { ...e.call, frame } : e.call;
    const windowKey = JSON.stringify([partitionBy, orderBy]);
    const callKey = JSON.stringify([windowKey, call]);
    const known = columns.get(callKey);
    if (known !== undefined) return known;
    let name: string;
    do name = `__w${next++}`; while (taken.has(name));
    taken.add(name);
    columns.set(callKey, name);
    let w = windows.get(windowKey);
    if (!w) windows.set(windowKey, w = { partitionBy, orderBy, fns: [] });
    w.fns.push({ ...call, name });
    return name;
  };
  const rewritten = exprs.map((e) => {
    const out = rewrite(e, columnFor);
    const name = exprName(e);
    return out === e || exprName(out) === name ? out : { op: "alias", name, arg: out } satisfies Expr;
  });
  let plan = input;
  // Fewer partition columns first: a window over a superset of an earlier one's columns reuses
  // its shuffle (see the planner), e.g. by account, then by (account, merchant).
  const ordered = [...windows.values()].sort((a, b) => a.partitionBy.length - b.partitionBy.length);
  for (const w of ordered) {
    plan = { op: "window", input: plan, partitionBy: w.partitionBy, orderBy: w.orderBy, fns: w.fns };
  }
  return { op: "project", input: plan, exprs: rewritten };
}

/** `e` with every `over` node replaced by a reference to its column (arguments left as they are). */
function rewrite(e: Expr, columnFor: (over: Extract<Expr, { op: "over" }>) => string): Expr {
  const r = (x: Expr) => rewrite(x, columnFor);
  switch (e.op) {
    case "col":
    case "lit":
      return e;
    case "over":
      return { op: "col", name: columnFor(e) };
    case "bin":
      return { ...e, left: r(e.left), right: r(e.right) };
    case "un":
    case "cast":
    case "alias":
      return { ...e, arg: r(e.arg) };
    case "when": {
      const branches = e.branches.map((b) => ({ cond: r(b.cond), value: r(b.value) }));
      return e.otherwise ? { ...e, branches, otherwise: r(e.otherwise) } : { ...e, branches };
    }
    case "fn":
      return { ...e, args: e.args.map(r) };
  }
}
