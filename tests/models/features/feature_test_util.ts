/**
 * Shared by the feature tests: seeded random rows with nulls, NaN, ties and values a training
 * split never sees; an embedded cluster; DuckDB over the same rows (loaded as typed VALUES, so
 * every double arrives bit for bit); and comparison of collected rows where null and NaN are
 * both "missing".
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Row, Scalar, Schema } from "../../../cluster/columnar/batch.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";

export { duck, withCluster } from "../../scripts/eda/eda_test_util.ts";

/** The schema of {@linkcode randomRows}. */
export const ROW_SCHEMA: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "cat", type: "string", nullable: true },
  { name: "color", type: "string", nullable: true },
  { name: "x", type: "double", nullable: true },
  { name: "n", type: "int", nullable: true },
  { name: "y", type: "string", nullable: false },
  { name: "w", type: "double", nullable: false },
  { name: "day", type: "date", nullable: true },
];

/** What {@linkcode randomRows} draws from. */
export interface RandomRowsOptions {
  rows: number;
  seed: number;
  /** Ids start here (so a test split can have its own). @default {0} */
  firstId?: number;
  /** Categories of `cat` (drawn with skewed weights so counts tie and differ). */
  cats?: readonly string[];
  /** Shift of `x` (a test split can lie outside the training range). @default {0} */
  shift?: number;
}

/**
 * Rows with: `cat` (skewed, 8 % null), `color` (4 values, 5 % null), `x` (a double on a 0.25 grid
 * so values tie; 6 % null, 2 % NaN), `n` (a small int, 5 % null), `y` ("yes" about 30 %), `w` (a
 * weight in [0.5, 2]), `day` (a date, 3 % null).
 */
export function randomRows(options: RandomRowsOptions): Row[] {
  const { rows, seed, firstId = 0, shift = 0 } = options;
  const cats = options.cats ?? ["a", "b", "c", "d", "e"];
  const colors = ["red", "green", "blue", "ink"];
  const rng = new CounterRandom(seed, 3);
  const out: Row[] = [];
  for (let i = 0; i < rows; i++) {
    rng.at(firstId + i);
    const u = (s: number) => rng.float(s);
    const catIndex = Math.min(cats.length - 1, Math.floor(cats.length * u(1) * u(1)));
    const xr = u(3);
    out.push({
      id: firstId + i,
      cat: u(0) < 0.08 ? null : cats[catIndex]!,
      color: u(2) < 0.05 ? null : colors[Math.floor(u(4) * colors.length)]!,
      x: xr < 0.06 ? null : xr < 0.08 ? NaN : Math.round((u(5) * 20 - 5 + shift) * 4) / 4,
      n: u(6) < 0.05 ? null : Math.floor(u(7) * 7),
      y: u(8) < 0.3 ? "yes" : "no",
      w: 0.5 + Math.round(u(9) * 150) / 100,
      day: u(10) < 0.03 ? null : 14000 + Math.floor(u(11) * 60),
    });
  }
  return out;
}

/** SQL for a CTE `name` holding `rows` (columns typed by `schema`). */
export function valuesCte(name: string, rows: readonly Row[], schema: Schema): string {
  const sqlType = (t: string) =>
    t === "string"
      ? "VARCHAR"
      : t === "double"
      ? "DOUBLE"
      : t === "int"
      ? "INTEGER"
      : t === "date"
      ? "INTEGER"
      : "BIGINT";
  const lit = (v: Scalar, t: string): string => {
    if (v === null) return `NULL::${sqlType(t)}`;
    if (typeof v === "string") return `'${v.replaceAll("'", "''")}'`;
    if (typeof v === "number" && Number.isNaN(v)) return "'NaN'::DOUBLE";
    return `${String(v)}::${sqlType(t)}`;
  };
  const body = rows.map((r) => `(${schema.map((f) => lit(r[f.name] ?? null, f.type)).join(", ")})`).join(
    ",\n",
  );
  return `${name}(${schema.map((f) => `"${f.name}"`).join(", ")}) AS (VALUES ${body})`;
}

/** Whether `v` is missing (null or NaN). */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/** Asserts two feature values are equal, null and NaN counting as the same missing value. */
export function assertSameValue(actual: unknown, expected: unknown, what: string): void {
  if (isMissing(expected)) assert.ok(isMissing(actual), `${what}: expected missing, got ${String(actual)}`);
  else assert.equal(actual, expected, what);
}

/** Sorted copy. */
export function sortedNumbers(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The value of 1-based rank `k` among `values` (ascending). */
export function rankValue(values: readonly number[], k: number): number {
  return sortedNumbers(values)[k - 1]!;
}
