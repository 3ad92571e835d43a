/**
 * A brute-force, single-process reference for window operators: rows grouped by their partition
 * values, sorted with `compareScalars`, and every function computed from its definition (each
 * frame found by testing every row of the partition, sums exact in BigInt). Arguments must be
 * column references.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Row, Scalar, Schema } from "../../../cluster/columnar/batch.ts";
import { canonicalRows, compareScalars } from "../../../cluster/columnar/batch_ops.ts";
import { rng } from "../test_rng.ts";
import type { WindowExpr, WindowFrame, WindowOrder } from "../../../cluster/expr/expr.ts";
import type { WindowOperator } from "../../../cluster/kernels/window.ts";

/** Exact sum of doubles that are multiples of 2^-80 and below 2^900, correctly rounded. */
export function exactSum(xs: readonly number[]): number {
  let total = 0n;
  for (const x of xs) total += BigInt(x * 2 ** 80);
  return Number(total) / 2 ** 80;
}

/** Sample variance from exact sums (two roundings: within a few ulps of the true value). */
export function exactVariance(xs: readonly number[]): number {
  const n = BigInt(xs.length);
  let s = 0n, q = 0n;
  for (const x of xs) {
    const v = BigInt(x * 2 ** 80);
    s += v;
    q += v * v;
  }
  return Number(n * q - s * s) / Number(n * (n - 1n)) / 2 ** 160;
}

/** Sort-order comparison of order values under `o` (nulls placed as `o` says). */
function orderCompare(a: Scalar, b: Scalar, o: WindowOrder): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === o.nullsFirst ? -1 : 1;
  }
  return o.ascending ? compareScalars(a, b) : compareScalars(b, a);
}

function groupKey(row: Row, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => {
    const v = row[k] ?? null;
    return typeof v === "number" ? (v === 0 ? 0 : Number.isNaN(v) ? "NaN" : v) : v;
  }));
}

function sortPartition(rows: Row[], op: WindowOperator): Row[] {
  const ordered = new Set(op.orderBy.map((o) => o.column));
  const rest = Object.keys(rows[0] ?? {}).filter((k) => !ordered.has(k));
  return [...rows].sort((a, b) => {
    for (const o of op.orderBy) {
      const c = orderCompare(a[o.column] ?? null, b[o.column] ?? null, o);
      if (c !== 0) return c;
    }
    for (const k of rest) {
      const c = compareScalars(a[k] ?? null, b[k] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  });
}

function inFrame(
  rows: readonly Row[],
  i: number,
  j: number,
  frame: WindowFrame,
  order: WindowOrder[],
): boolean {
  if (frame.kind === "rows") {
    return (frame.lower === "unbounded" || j - i >= frame.lower) &&
      (frame.upper === "unbounded" || j - i <= frame.upper);
  }
  const peers = order.every((o) => orderCompare(rows[i]![o.column]!, rows[j]![o.column]!, o) === 0);
  const edge = (bound: number, side: 1 | -1): boolean => {
    if (bound === 0) return peers || orderDirection(rows, i, j, order) === side;
    const o = order[0]!;
    const v = rows[i]![o.column]!, w = rows[j]![o.column]!;
    const limit = v === null ? null : (v as number) + (o.ascending ? bound : -bound);
    const c = orderCompare(w, limit, o);
    return side === 1 ? c >= 0 : c <= 0;
  };
  return (frame.lower === "unbounded" || edge(frame.lower, 1)) &&
    (frame.upper === "unbounded" || edge(frame.upper, -1));
}

/** 1 when row j comes after row i by the order keys, -1 before, 0 peers. */
function orderDirection(rows: readonly Row[], i: number, j: number, order: WindowOrder[]): number {
  for (const o of order) {
    const c = orderCompare(rows[j]![o.column]!, rows[i]![o.column]!, o);
    if (c !== 0) return c;
  }
  return 0;
}

function argOf(fn: WindowExpr): string | undefined {
  if (!fn.arg) return undefined;
  if (fn.arg.op !== "col") throw new TypeError("the oracle takes column arguments only");
  return fn.arg.name;
}

function compute(fn: WindowExpr, rows: readonly Row[], i: number, order: WindowOrder[]): Scalar {
  const arg = argOf(fn);
  switch (fn.fn) {
    case "rowNumber":
      return i + 1;
    case "rank":
      return 1 + rows.filter((_, j) => orderDirection(rows, i, j, order) < 0).length;
    case "denseRank": {
      const before = rows.filter((_, j) => orderDirection(rows, i, j, order) < 0);
      return 1 + before.filter((_, j) => j === 0 || orderDirection(before, j, j - 1, order) !== 0).length;
    }
    case "lag":
    case "lead": {
      const j = i + (fn.fn === "lag" ? -1 : 1) * (fn.offset ?? 1);
      return j >= 0 && j < rows.length ? rows[j]![arg!]! : fn.default ?? null;
    }
    default: {
      const frame = rows.filter((_, j) => inFrame(rows, i, j, fn.frame!, order));
      const values = arg === undefined
        ? frame.map(() => 1)
        : frame.map((r) => r[arg]!).filter((v) => v !== null);
      if (fn.fn === "count") return values.length;
      if (values.length === 0) return null;
      if (fn.fn === "min" || fn.fn === "max") {
        const sorted = [...values].sort(compareScalars);
        return fn.fn === "min" ? sorted[0]! : sorted[sorted.length - 1]!;
      }
      const xs = values as number[];
      if (fn.fn === "sum") return exactSum(xs);
      if (fn.fn === "avg") return exactSum(xs) / xs.length;
      if (xs.length < 2) return null;
      const v = exactVariance(xs);
      return fn.fn === "stddev" ? Math.sqrt(v) : v;
    }
  }
}

/** The rows `op` outputs for `rows` (input columns, then one per function), in partition order. */
export function windowOracle(rows: readonly Row[], op: WindowOperator): Row[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = groupKey(r, op.partitionBy);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: Row[] = [];
  for (const group of groups.values()) {
    const sorted = sortPartition(group, op);
    sorted.forEach((r, i) => {
      const row: Row = { ...r };
      for (const fn of op.fns) row[fn.name] = compute(fn, sorted, i, [...op.orderBy]);
      out.push(row);
    });
  }
  return out;
}

/** Columns of {@linkcode randomRows}. */
export const SCHEMA: Schema = [
  { name: "k", type: "string", nullable: true },
  { name: "t", type: "long", nullable: true },
  { name: "x", type: "double", nullable: true },
  { name: "tag", type: "string", nullable: true },
];

/** Few distinct values in every column: ties in t, equal x, whole rows repeated, nulls everywhere. */
export function randomRows(seed: number, n: number): Row[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && r() < 0.05) {
      rows.push({ ...rows[Math.floor(r() * rows.length)]! });
      continue;
    }
    rows.push({
      k: pick(["a", "b", "c", null]),
      t: r() < 0.1 ? null : Math.floor(r() * 25),
      x: r() < 0.1 ? null : Math.round((r() - 0.5) * 10_000) / 100,
      tag: pick(["p", "q", null]),
    });
  }
  return rows;
}

/**
 * Equal rows, in any order; the `approx` columns (sample statistics: the oracle rounds twice, the
 * kernel works in double-double) agree to 1e-12 relative.
 */
export function assertSameRows(
  actual: Row[],
  expected: Row[],
  what: string,
  approx: readonly string[] = ["sd", "var"],
): void {
  const a = canonicalRows(actual), e = canonicalRows(expected);
  assert.equal(a.length, e.length, what);
  a.forEach((row, i) => {
    const want = e[i]!;
    for (const k of approx) {
      const p = row[k], q = want[k];
      if (typeof p === "number" && typeof q === "number") {
        assert.ok(Math.abs(p - q) <= 1e-12 * Math.max(1, Math.abs(q)), `${what}: ${k} ${p} vs ${q}`);
        row = { ...row, [k]: q };
      }
    }
    assert.deepEqual(row, want, `${what}: row ${i}`);
  });
}
