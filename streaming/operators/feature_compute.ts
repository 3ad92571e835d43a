/**
 * The per-instant computation of online window features: events whose instant the watermark has
 * passed, grouped by key and instant, split into window partitions, each sorted by its window's
 * order, run through every window function's keyed state ({@linkcode advanceFn}), then every
 * definition evaluated over the results by the engine's evaluator.
 *
 * @module
 */
import type { Batch, Row, Scalar, Schema, Vec } from "../../cluster/columnar/batch.ts";
import type { Expr, WindowSpecData } from "../../cluster/expr/expr.ts";
import { batchFromRows, compareScalars, scalarAt } from "../../cluster/columnar/batch_ops.ts";
import { evalExpr } from "../../cluster/expr/eval.ts";
import { advanceFn, copyFnState, emptyFnState, type FnState } from "./window_fn_state.ts";
import type { OnlineWindowPlan } from "./window_plan.ts";
import { compileRowExpr, type RowExpr } from "./row_eval.ts";

/** What a plan's every call reuses: window texts, and the definitions compiled row by row. */
interface Compiled {
  /** Per window function: its window's partition and order, as text (calls sharing it group once). */
  readonly windowText: readonly string[];
  /** The definitions evaluated one row at a time, or undefined when one needs the batch evaluator. */
  readonly rowOutputs: readonly RowExpr[] | undefined;
  /** Per window function: the column its argument reads (null: no argument); undefined if any is an expression. */
  readonly argColumns: readonly (string | null)[] | undefined;
}

const compiledPlans = new WeakMap<OnlineWindowPlan, Compiled>();

function compiledOf(plan: OnlineWindowPlan): Compiled {
  let c = compiledPlans.get(plan);
  if (c === undefined) {
    const rowOutputs = plan.outputs.map((o) => compileRowExpr(o.expr, plan.extended));
    c = {
      windowText: plan.fns.map((fn) => JSON.stringify([fn.window.partitionBy, fn.window.orderBy])),
      rowOutputs: rowOutputs.every((f) => f !== undefined) ? rowOutputs as RowExpr[] : undefined,
      argColumns: plan.fns.every((fn) => fn.call.arg === undefined || fn.call.arg.op === "col")
        ? plan.fns.map((fn) => fn.call.arg?.op === "col" ? fn.call.arg.name : null)
        : undefined,
    };
    compiledPlans.set(plan, c);
  }
  return c;
}

/** One key's state: per window function of the plan, by window partition (`p:` + its values' JSON). */
export type KeyFnStates = Record<string, FnState>[];

/** Why `row` does not hold what the definitions read, or `undefined`. */
export function rowProblem(plan: OnlineWindowPlan, row: Row): string | undefined {
  if (typeof row !== "object" || row === null) return "an event must be an object";
  for (const f of plan.input) {
    const v = row[f.name];
    if (v === null || v === undefined) {
      if (!f.nullable || f.name === plan.key || f.name === plan.time) return `column "${f.name}" is missing`;
      continue;
    }
    const ok = f.type === "string"
      ? typeof v === "string"
      : f.type === "bool"
      ? typeof v === "boolean"
      : typeof v === "number" && (f.type === "double" || Number.isInteger(v)) &&
        (f.type !== "timestamp" || Number.isSafeInteger(v));
    if (!ok) return `column "${f.name}" must be ${f.type}, got ${JSON.stringify(v)}`;
  }
  return undefined;
}

/**
 * The features of `rows` (events of any keys whose instants the watermark has passed, in any
 * order), in event-time order, then key, then the other columns; each key's state comes from
 * `stateOf` (given the key's JSON) and is updated in place — or, with `copyOnWrite`, each window
 * partition's state is replaced by an advanced copy in the key's records, so the states the
 * records held before are left as they were (the records themselves must be the caller's own).
 *
 * @throws {RangeError} when a `long` sum leaves the range of exact integers.
 */
export function computeFeatures(
  plan: OnlineWindowPlan,
  rows: Row[],
  stateOf: (key: string) => KeyFnStates,
  copyOnWrite = false,
): Row[] {
  const timeOf = (r: Row) => r[plan.time] as number;
  const compiled = compiledOf(plan);
  if (rows.length === 1 && compiled.rowOutputs !== undefined && compiled.argColumns !== undefined) {
    return [computeOne(plan, compiled.rowOutputs, compiled.argColumns, rows[0]!, stateOf, copyOnWrite)];
  }
  // Event time, then key, then every input column: instants of a key become runs of rows.
  const keyJson = new Map<Row, string>();
  for (const r of rows) keyJson.set(r, JSON.stringify(r[plan.key]));
  const keyOf = (r: Row) => keyJson.get(r)!;
  rows.sort((p, q) =>
    timeOf(p) - timeOf(q) || compareScalars(keyOf(p), keyOf(q)) || canonical(plan.input, p, q)
  );
  // Runs of one key's instant.
  const runs: [number, number][] = [];
  for (let start = 0; start < rows.length;) {
    let end = start + 1;
    const t = timeOf(rows[start]!), k = keyOf(rows[start]!);
    while (end < rows.length && timeOf(rows[end]!) === t && keyOf(rows[end]!) === k) end++;
    runs.push([start, end]);
    start = end;
  }
  // Arguments: a column is read from the rows; anything else evaluated once per distinct expression.
  let batch: Batch | undefined;
  const evaluated = new Map<string, Vec>();
  const argOf = (arg: Expr | undefined): (i: number) => Scalar => {
    if (arg === undefined) return () => null;
    if (arg.op === "col") {
      const name = arg.name;
      return (i) => rows[i]![name] ?? null;
    }
    const text = JSON.stringify(arg);
    let v = evaluated.get(text);
    if (v === undefined) {
      batch ??= batchFromRows(plan.input, rows);
      evaluated.set(text, v = evalExpr(arg, batch));
    }
    const vec = v;
    return (i) => scalarAt(vec, i);
  };
  const values = plan.fns.map(() => new Array<Scalar>(rows.length));
  const keyStates = runs.map(([start]) => stateOf(keyOf(rows[start]!)));
  // Per window (partition and order), per run: its window partitions, sorted, with their peers.
  const grouped = new Map<string, Group[][]>();
  const copied = new Set<FnState>();
  plan.fns.forEach((fn, f) => {
    const text = compiled.windowText[f]!;
    let groups = grouped.get(text);
    if (groups === undefined) grouped.set(text, groups = runs.map((run) => groupRun(fn.window, rows, run)));
    const argAt = argOf(fn.call.arg);
    runs.forEach((_, r) => {
      const keyState = keyStates[r]!;
      for (const g of groups[r]!) {
        const record = keyState[f]!, at = g.at;
        const old = record[at];
        const fnState = old === undefined
          ? record[at] = emptyFnState(fn)
          : copyOnWrite && !copied.has(old)
          ? record[at] = copyFnState(fn, old)
          : old;
        copied.add(fnState);
        const got = advanceFn(fn, fnState, {
          t: g.indices.map((i) => timeOf(rows[i]!)),
          x: g.indices.map(argAt),
          peerStart: g.peerStart,
          peerEnd: g.peerEnd,
        });
        g.indices.forEach((i, k) => values[f]![i] = got[k]!);
      }
    });
  });
  const extendedRows = rows.map((r, i) => {
    const e: Row = { ...r };
    plan.fns.forEach((fn, f) => e[fn.column] = values[f]![i]!);
    return e;
  });
  const rowOutputs = compiled.rowOutputs;
  if (rowOutputs !== undefined) {
    return rows.map((r, i) => {
      const row: Row = { ...r }, e = extendedRows[i]!;
      plan.outputs.forEach((o, j) => row[o.name] = rowOutputs[j]!(e));
      return row;
    });
  }
  const extended = batchFromRows(plan.extended, extendedRows);
  const columns = plan.outputs.map((o) => evalExpr(o.expr, extended));
  return rows.map((r, i) => {
    const row: Row = { ...r };
    plan.outputs.forEach((o, j) => row[o.name] = scalarAt(columns[j]!, i));
    return row;
  });
}

/**
 * {@linkcode computeFeatures} of a single row, without the grouping and sorting: its key's one
 * instant, one row in every window partition (its own peer group).
 */
function computeOne(
  plan: OnlineWindowPlan,
  rowOutputs: readonly RowExpr[],
  argColumns: readonly (string | null)[],
  row: Row,
  stateOf: (key: string) => KeyFnStates,
  copyOnWrite: boolean,
): Row {
  const keyState = stateOf(JSON.stringify(row[plan.key]));
  const t = [row[plan.time] as number];
  const e: Row = { ...row };
  plan.fns.forEach((fn, f) => {
    const extra = fn.window.partitionBy;
    let at = "p:";
    if (extra.length > 1) {
      const values: Scalar[] = [];
      for (let c = 1; c < extra.length; c++) values.push(row[extra[c]!] ?? null);
      at = `p:${JSON.stringify(values)}`;
    }
    const record = keyState[f]!, old = record[at];
    const fnState = old === undefined
      ? record[at] = emptyFnState(fn)
      : copyOnWrite
      ? record[at] = copyFnState(fn, old)
      : old;
    const arg = argColumns[f]!;
    const got = advanceFn(fn, fnState, { t, x: [arg === null ? null : row[arg] ?? null], ...SINGLE });
    e[fn.column] = got[0]!;
  });
  const out: Row = { ...row };
  plan.outputs.forEach((o, j) => out[o.name] = rowOutputs[j]!(e));
  return out;
}

/** One window partition of a run: its rows in the window's order, and their peer groups. */
interface Group {
  /** The partition's entry in a key's state: `p:` + the further partition values' JSON. */
  readonly at: string;
  readonly indices: number[];
  readonly peerStart: number[];
  readonly peerEnd: number[];
}

const SINGLE = { peerStart: [0], peerEnd: [1] };

/** The rows `[start, end)` (one key's instant) split by the window's further partition columns, each sorted. */
function groupRun(window: WindowSpecData, rows: readonly Row[], [start, end]: [number, number]): Group[] {
  const extra = window.partitionBy.slice(1);
  const partOf = (i: number) =>
    extra.length === 0 ? "p:" : `p:${JSON.stringify(extra.map((c) => rows[i]![c] ?? null))}`;
  if (end - start === 1) return [{ at: partOf(start), indices: [start], ...SINGLE }];
  const parts = new Map<string, number[]>();
  for (let i = start; i < end; i++) {
    const part = partOf(i);
    const list = parts.get(part);
    if (list) list.push(i);
    else parts.set(part, [i]);
  }
  const cmp = (i: number, j: number) => {
    for (const o of window.orderBy) {
      const a = rows[i]![o.column] ?? null, b = rows[j]![o.column] ?? null;
      if (a === null || b === null) {
        if (a !== b) return (a === null) === o.nullsFirst ? -1 : 1;
        continue;
      }
      const c = compareScalars(a, b);
      if (c !== 0) return o.ascending ? c : -c;
    }
    return 0;
  };
  return [...parts].map(([at, indices]) => {
    indices.sort((i, j) => cmp(i, j) || i - j);
    const peerStart: number[] = [], peerEnd: number[] = [];
    indices.forEach((idx, k) =>
      peerStart.push(k > 0 && cmp(indices[k - 1]!, idx) === 0 ? peerStart[k - 1]! : k)
    );
    for (let k = indices.length - 1; k >= 0; k--) {
      peerEnd[k] = k + 1 < indices.length && peerStart[k + 1] === peerStart[k] ? peerEnd[k + 1]! : k + 1;
    }
    return { at, indices, peerStart, peerEnd };
  });
}

function canonical(schema: Schema, p: Row, q: Row): number {
  for (const f of schema) {
    const c = compareScalars(p[f.name] ?? null, q[f.name] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}
