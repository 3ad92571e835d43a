/**
 * How window-function definitions (engine expressions holding `over` calls, as
 * `models/features/velocity.ts` defines its features) are computed online: every distinct
 * `f.over(w)` call becomes an {@linkcode OnlineWindowFn} that keeps state per window partition,
 * and every definition becomes a plain row expression over the calls' results (each call replaced
 * by a column), evaluated by the engine's own evaluator. So the online values follow the batch
 * definitions, not a restatement of them.
 *
 * What can be computed online — a window whose rows are all known once the watermark has passed
 * the current row's instant:
 * - every window is partitioned first by the same column (the stream's key) and ordered first,
 *   ascending, by the same column (event time);
 * - frames end at the current row (with its peers, in a range frame) or before it: an upper bound
 *   of `"unbounded"` or a positive offset would need the future;
 * - frames start before or at the current row (lower bound `"unbounded"` or an offset ≤ 0);
 * - `lead` (with a non-zero offset) and `lag` with a negative offset need the future too.
 * Anything else is refused with a {@linkcode SchemaError} naming the feature and the reason.
 *
 * @module
 */
import type { DataType, Field, Schema } from "../../cluster/columnar/batch.ts";
import { SchemaError } from "../../cluster/errors.ts";
import type { Expr, WindowCall, WindowFrame, WindowSpecData } from "../../cluster/expr/expr.ts";
import { formatWindowCall } from "../../cluster/expr/format.ts";
import { frameFor, windowProblem } from "../../cluster/expr/window_rules.ts";
import { windowOutputSchema } from "../../cluster/kernels/window.ts";

/** A named definition: an output column and an expression that may hold window functions. */
export interface FeatureDefinition {
  /** Output column name. */
  readonly name: string;
  /** The definition, as JSON data. */
  readonly expr: Expr;
}

/** One distinct `f.over(w)` call of the definitions. */
export interface OnlineWindowFn {
  /** The column that holds its value in the rewritten definitions (`__over_0`, …). */
  readonly column: string;
  /** The call: function, argument, `lag` offset and default. */
  readonly call: WindowCall;
  /** Its window. */
  readonly window: WindowSpecData;
  /** The frame of an aggregate (its own or the default); absent for ranking and `lag`. */
  readonly frame: WindowFrame | undefined;
  /** The type of its value (the batch operator's schema rule). */
  readonly type: DataType;
}

/** The definitions, compiled for an online operator. */
export interface OnlineWindowPlan {
  /** The input columns the definitions read (in input order): what an event must hold. */
  readonly input: Schema;
  /** The stream's key: every window's first partition column. */
  readonly key: string;
  /** Event time: every window's first order column (ascending). */
  readonly time: string;
  /** The distinct window calls. */
  readonly fns: readonly OnlineWindowFn[];
  /** The input plus one column per call: what the rewritten definitions read. */
  readonly extended: Schema;
  /** Each definition with its window calls replaced by their columns. */
  readonly outputs: readonly FeatureDefinition[];
}

const COLUMN_PREFIX = "__over_";

/**
 * Compiles `definitions` over rows of `input` (see the module documentation).
 *
 * @throws {SchemaError} when a definition cannot be computed online or reads a missing column.
 */
export function planOnlineWindows(
  definitions: readonly FeatureDefinition[],
  input: Schema,
): OnlineWindowPlan {
  if (definitions.length === 0) throw new RangeError("planOnlineWindows needs at least one definition");
  const fns: OnlineWindowFn[] = [];
  const byText = new Map<string, string>();
  let key: string | undefined, time: string | undefined;
  const outputs = definitions.map((d) => {
    const rewrite = (e: Expr): Expr => {
      switch (e.op) {
        case "col":
        case "lit":
          return e;
        case "bin":
          return { ...e, left: rewrite(e.left), right: rewrite(e.right) };
        case "un":
        case "cast":
        case "alias":
          return { ...e, arg: rewrite(e.arg) };
        case "when":
          return {
            ...e,
            branches: e.branches.map((b) => ({ cond: rewrite(b.cond), value: rewrite(b.value) })),
            ...(e.otherwise === undefined ? {} : { otherwise: rewrite(e.otherwise) }),
          };
        case "fn":
          return { ...e, args: e.args.map(rewrite) };
        case "over": {
          const text = JSON.stringify([e.call, e.window]);
          let column = byText.get(text);
          if (column === undefined) {
            const fn = checkCall(d.name, e.call, e.window, input);
            if (key !== undefined && fn.key !== key) {
              throw unsupported(d.name, e, `it is keyed by "${fn.key}", another feature by "${key}"`);
            }
            if (time !== undefined && fn.time !== time) {
              throw unsupported(d.name, e, `it is ordered by "${fn.time}", another feature by "${time}"`);
            }
            key = fn.key;
            time = fn.time;
            column = `${COLUMN_PREFIX}${fns.length}`;
            byText.set(text, column);
            fns.push({ column, call: e.call, window: e.window, frame: fn.frame, type: fn.type });
          }
          return { op: "col", name: column };
        }
        default: {
          const never: never = e;
          throw new SchemaError(`Unknown expression ${JSON.stringify(never)}`);
        }
      }
    };
    return { name: d.name, expr: rewrite(d.expr) };
  });
  if (key === undefined || time === undefined) {
    throw new SchemaError("The definitions hold no window function: there is no keyed state to keep");
  }
  const reads = new Set<string>();
  for (const d of definitions) columnsOf(d.expr, reads);
  for (const name of reads) {
    if (!input.some((f) => f.name === name)) {
      throw new SchemaError(`The definitions read column "${name}", which the input does not have`, {
        data: { column: name },
      });
    }
  }
  const used = input.filter((f) => reads.has(f.name));
  const extended: Field[] = [...used, ...fns.map((f) => ({ name: f.column, type: f.type, nullable: true }))];
  return { input: used, key, time, fns, extended, outputs };
}

/** Adds every column `e` reads (window partition and order columns included) to `into`. */
function columnsOf(e: Expr, into: Set<string>): void {
  switch (e.op) {
    case "col":
      into.add(e.name);
      return;
    case "lit":
      return;
    case "bin":
      columnsOf(e.left, into);
      columnsOf(e.right, into);
      return;
    case "un":
    case "cast":
    case "alias":
      columnsOf(e.arg, into);
      return;
    case "when":
      for (const b of e.branches) {
        columnsOf(b.cond, into);
        columnsOf(b.value, into);
      }
      if (e.otherwise !== undefined) columnsOf(e.otherwise, into);
      return;
    case "fn":
      for (const a of e.args) columnsOf(a, into);
      return;
    case "over":
      if (e.call.arg !== undefined) columnsOf(e.call.arg, into);
      for (const c of e.window.partitionBy) into.add(c);
      for (const o of e.window.orderBy) into.add(o.column);
      return;
  }
}

function unsupported(feature: string, e: { call: WindowCall }, why: string): SchemaError {
  return new SchemaError(`Cannot compute feature "${feature}" online: ${formatWindowCall(e.call)}: ${why}`, {
    data: { feature },
  });
}

function checkCall(
  feature: string,
  call: WindowCall,
  window: WindowSpecData,
  input: Schema,
): { key: string; time: string; frame: WindowFrame | undefined; type: DataType } {
  const e = { call };
  const key = window.partitionBy[0], order = window.orderBy[0];
  if (key === undefined) throw unsupported(feature, e, "its window has no partition column (no key)");
  if (order === undefined) throw unsupported(feature, e, "its window has no order (no event time)");
  if (!order.ascending) throw unsupported(feature, e, `it orders "${order.column}" descending`);
  const timeField = input.find((f) => f.name === order.column);
  if (timeField === undefined || timeField.type === "string" || timeField.type === "bool") {
    throw unsupported(feature, e, `its first order column "${order.column}" is not a time in the input`);
  }
  const frame = frameFor(call.fn, window);
  const problem = windowProblem(call, window.orderBy, frame);
  if (problem !== undefined) throw unsupported(feature, e, problem);
  const offset = call.offset ?? 1;
  if (call.fn === "lead" && offset !== 0) {
    throw unsupported(feature, e, "lead reads rows that have not arrived");
  }
  if (call.fn === "lag" && offset < 0) throw unsupported(feature, e, "a negative lag reads later rows");
  if (frame) {
    const bad = (b: WindowFrame["lower"], what: "lower" | "upper") =>
      b === "unbounded" ? what === "upper" : b > 0;
    if (bad(frame.upper, "upper")) {
      throw unsupported(
        feature,
        e,
        "its frame ends after the current row, which needs rows that have not arrived",
      );
    }
    if (bad(frame.lower, "lower")) {
      throw unsupported(feature, e, "its frame starts after the current row");
    }
  }
  const name = "__check";
  const schema = windowOutputSchema(input, {
    partitionBy: window.partitionBy,
    orderBy: window.orderBy,
    fns: [{ ...call, ...(frame === undefined ? {} : { frame }), name }],
  });
  return { key, time: order.column, frame, type: schema[schema.length - 1]!.type };
}
