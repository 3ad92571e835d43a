/**
 * Helpers shared by the CSV tests: where the bank data lives, a seeded PRNG, and a reader that
 * cuts a buffer at given byte offsets and runs the three phases range by range.
 *
 * @module
 */
import type { Batch, Row } from "../../../../cluster/columnar/batch.ts";
import { batchToRows, concatBatches } from "../../../../cluster/columnar/batch_ops.ts";
import {
  type CsvParseOptions,
  offsetQuarantineLines,
  ownRecords,
  parseRange,
  type QuarantineRow,
  quarantineToBatch,
} from "../../../../cluster/io/csv/parse.ts";
import {
  chainScans,
  compileDialect,
  readHeader,
  RECORD_START,
  scanRange,
} from "../../../../cluster/io/csv/scan.ts";
import { toBatchSchema } from "../../../../cluster/io/csv/schema.ts";

/** The project copy of a data file when present, else the shared copy. */
export async function dataPath(name: string): Promise<string | URL> {
  const local = new URL(`../../../../data/${name}`, import.meta.url);
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

/** The header, the range bounds (data start, `cuts`, end) and the compiled dialect. */
function cutBounds(bytes: Uint8Array, cuts: readonly number[], options: CsvParseOptions) {
  const header = readHeader(bytes, options);
  const bounds = [header.dataStart, ...cuts.map((c) => Math.max(header.dataStart, c)), bytes.length];
  return { header, bounds, m: compileDialect(options) };
}

/** Reads `bytes` split at `cuts` (byte offsets after the header, ascending) through all phases. */
export function readWithCuts(
  bytes: Uint8Array,
  cuts: readonly number[],
  options: CsvParseOptions,
): ReadOutcome {
  const { header, bounds, m } = cutBounds(bytes, cuts, options);
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

/**
 * Reads `bytes` split at `cuts` the way the cluster does without a scan phase: each range sees only
 * the bytes from its own start (as an executor reads its window), finds the records it owns with
 * `ownRecords`, numbers lines from 1 there, and the lines are moved afterwards by the line counts
 * of the ranges before it (as the reader does with `offsetQuarantineLines`).
 */
export function readWithCutsFused(
  bytes: Uint8Array,
  cuts: readonly number[],
  options: CsvParseOptions,
): ReadOutcome {
  const { header, bounds, m } = cutBounds(bytes, cuts, options);
  const file = options.file ?? "<csv>";
  const batches: Batch[] = [];
  const quarantine: QuarantineRow[] = [];
  let rowsRead = 0;
  let line = header.dataLine;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const window = bytes.subarray(bounds[i]!);
    const first = i === 0;
    const own = ownRecords(window, { start: 0, end: bounds[i + 1]! - bounds[i]! }, m, {
      first,
      last: bounds[i + 1] === bytes.length,
      eof: true,
    })!;
    const start = first ? header.dataLine : 1;
    const r = parseRange(window, { ...own, state: RECORD_START, line: start }, options);
    batches.push(r.batch);
    rowsRead += r.rowsRead;
    if (r.quarantine.length > 0) {
      const fixed = offsetQuarantineLines(quarantineToBatch(r.quarantine), first ? 0 : line - 1, file);
      for (const q of batchToRows(fixed)) {
        quarantine.push({
          file: q["file"] as string,
          line: q["line"] as number,
          raw: q["raw"] as string,
          reason: q["reason"] as QuarantineRow["reason"],
          ...(q["column"] === null ? {} : { column: q["column"] as string }),
          message: q["message"] as string,
        });
      }
    }
    line += r.nextLine - start;
  }
  const batch = concatBatches(toBatchSchema(options.schema), batches);
  return { rows: batchToRows(batch), quarantine, rowsRead, batch };
}

/** Encodes text as UTF-8. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
