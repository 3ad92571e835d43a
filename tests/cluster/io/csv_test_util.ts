/**
 * Helpers shared by the CSV tests: where the bank data lives, a seeded PRNG, and a reader that
 * cuts a buffer at given byte offsets and runs the three phases range by range.
 *
 * @module
 */
import type { Batch, Row } from "../../../cluster/batch.ts";
import { batchToRows, concatBatches } from "../../../cluster/batch_util.ts";
import { type CsvParseOptions, parseRange, type QuarantineRow } from "../../../cluster/io/csv_parse.ts";
import { chainScans, compileDialect, readHeader, scanRange } from "../../../cluster/io/csv_scan.ts";
import { toBatchSchema } from "../../../cluster/io/csv_schema.ts";

/** The project copy of a data file when present, else the shared copy. */
export async function dataPath(name: string): Promise<string | URL> {
  const local = new URL(`../../../data/${name}`, import.meta.url);
  try {
    await Deno.stat(local);
    return local;
  } catch {
    return `/work/shared/data/${name}`;
  }
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What reading produced, in a comparable form. */
export interface ReadOutcome {
  rows: Row[];
  quarantine: QuarantineRow[];
  rowsRead: number;
  batch: Batch;
}

/** Reads `bytes` split at `cuts` (byte offsets after the header, ascending) through all phases. */
export function readWithCuts(
  bytes: Uint8Array,
  cuts: readonly number[],
  options: CsvParseOptions,
): ReadOutcome {
  const header = readHeader(bytes, options);
  const bounds = [header.dataStart, ...cuts.map((c) => Math.max(header.dataStart, c)), bytes.length];
  const m = compileDialect(options);
  const scans = bounds.slice(1).map((end, i) => scanRange(bytes, { start: bounds[i]!, end }, m));
  const results = chainScans(scans, { line: header.dataLine }).map((e) => parseRange(bytes, e, options));
  const batch = concatBatches(toBatchSchema(options.schema), results.map((r) => r.batch));
  return {
    rows: batchToRows(batch),
    quarantine: results.flatMap((r) => r.quarantine),
    rowsRead: results.reduce((s, r) => s + r.rowsRead, 0),
    batch,
  };
}

/** Encodes text as UTF-8. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
