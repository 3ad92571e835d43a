/**
 * The rules a window function and its window must satisfy, and the default frame, as Spark has
 * them. Pure functions of the data, shared by the builder (`Column.over`, which throws
 * `TypeError`), the planner's rewrite and the operator's schema rule (`SchemaError`).
 *
 * @module
 */
import {
  FRAME_FNS,
  type FrameFn,
  type WindowCall,
  type WindowFn,
  type WindowFrame,
  type WindowSpecData,
} from "./expr.ts";

/** Whether `fn` computes over a frame (the aggregates) rather than over positions. */
export function isFrameFn(fn: string): fn is FrameFn {
  return (FRAME_FNS as readonly string[]).includes(fn);
}

/** Whether `frame` offsets an order value (a range frame with a bound other than 0 or unbounded). */
export function hasRangeOffset(frame: WindowFrame): boolean {
  const offset = (b: WindowFrame["lower"]) => b !== "unbounded" && b !== 0;
  return frame.kind === "range" && (offset(frame.lower) || offset(frame.upper));
}

/**
 * The frame an aggregate uses over `window`: its own, or Spark's default — with an order, RANGE
 * BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (a running aggregate, peers included); without, the
 * whole partition. `undefined` for the functions that ignore frames (ranking, `lag`, `lead`).
 */
export function frameFor(fn: WindowFn, window: WindowSpecData): WindowFrame | undefined {
  if (!isFrameFn(fn)) return undefined;
  if (window.frame) return window.frame;
  return window.orderBy.length > 0
    ? { kind: "range", lower: "unbounded", upper: 0 }
    : { kind: "rows", lower: "unbounded", upper: "unbounded" };
}

/**
 * What is wrong with applying `call` over a window ordered by `orderBy` with `frame`, or
 * `undefined`: the ranking functions, `lag` and `lead` need an order; a range frame with an
 * offset needs exactly one order column (its values are offset).
 */
export function windowProblem(
  call: WindowCall,
  orderBy: WindowSpecData["orderBy"],
  frame: WindowFrame | undefined,
): string | undefined {
  if (!isFrameFn(call.fn) && orderBy.length === 0) {
    return "it needs an ordered window; add Window.orderBy(…)";
  }
  if (frame && hasRangeOffset(frame) && orderBy.length !== 1) {
    return `a range frame with an offset needs exactly one order column, not ${orderBy.length}`;
  }
  return undefined;
}
