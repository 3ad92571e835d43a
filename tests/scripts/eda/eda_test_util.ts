/**
 * Shared by the EDA tests: the shipped bank file, an embedded cluster per test, and DuckDB (in
 * process) as the independent oracle over the same CSV file.
 *
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { Frontier } from "../../../cluster/frontier.ts";

/** The shipped bank-full file (gzip). */
export const BANK_FULL_GZ: string = new URL("../../../data/bank-full.csv.gz", import.meta.url).pathname;
/** The shipped bank-additional-full file (gzip). */
export const BANK_ADDITIONAL_GZ: string =
  new URL("../../../data/bank-additional-full.csv.gz", import.meta.url).pathname;

/** Runs `fn` with a fresh 2-executor embedded cluster, stopped afterwards. */
export async function withCluster<T>(fn: (fx: Frontier) => Promise<T>): Promise<T> {
  await using fx = await Frontier.start({ executors: 2 });
  return await fn(fx);
}

/** Runs `sql` on a fresh in-memory DuckDB (2 threads); BIGINTs come back as numbers. */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const connection = await instance.connect();
    try {
      await connection.run("SET threads=2");
      const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
      return rows.map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]))
      );
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** DuckDB's `read_csv` of a bank file. */
export function bankTable(path: string = BANK_FULL_GZ): string {
  return `read_csv('${path}', delim=';', header=true)`;
}

/** Asserts `actual` is within `relative` (of |expected|; default 1e-9) or `absolute` of `expected`. */
export function assertClose(
  actual: unknown,
  expected: unknown,
  options: { what: string; relative?: number; absolute?: number },
): void {
  const { what, relative = 1e-9, absolute = 0 } = options;
  if (typeof actual !== "number" || typeof expected !== "number") {
    throw new TypeError(`${what}: expected numbers, got ${String(actual)} and ${String(expected)}`);
  }
  const tolerance = Math.max(absolute, relative * Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new RangeError(`${what}: ${actual} is not within ${tolerance} of ${expected}`);
  }
}
