/**
 * What an executor does for one byte range of a CSV file: scan it for the quote state at its
 * edges (the scan phase), or parse the records that start in it, reading further until the last
 * one ends. The task runner calls these for its `csvScan` and `csvRange` operators; nothing here
 * knows about tasks, sinks or transports.
 *
 * @module
 */
import { SchemaError } from "../../errors.ts";
import type { Batch } from "../../columnar/batch.ts";
import { compileDialect, type CsvDialect, type RangeEntry, RECORD_START, scanRange } from "./scan.ts";
import {
  gunzip,
  isGzip,
  NO_RECORD_START,
  ownRecords,
  parseRange,
  quarantineToBatch,
  RECORD_START_SEARCH_BYTES,
} from "./parse.ts";
import type { CsvRangeOptions } from "./range_options.ts";

/** The parsed records of one range and what it sets aside. */
export interface CsvRangeResult {
  /** The valid rows. */
  batch: Batch;
  /** Records read (valid and quarantined). */
  rowsRead: number;
  /** The quarantined records, or `undefined` when there are none. */
  quarantine: Batch | undefined;
  /** Lines the range's records spanned. */
  lines: number;
}

/** Bytes [start, end) of a file (fewer at its end). */
export async function readFileRange(path: string, start: number, end: number): Promise<Uint8Array> {
  using f = await Deno.open(path);
  await f.seek(start, Deno.SeekMode.Start);
  const out = new Uint8Array(Math.max(0, end - start));
  let at = 0;
  while (at < out.length) {
    const n = await f.read(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  return out.subarray(0, at);
}

/** Scan phase: the quote-state scan of bytes [start, end) of `path`, as the JSON the reader chains. */
export async function scanCsvRange(
  path: string,
  range: { start: number; end: number },
  dialect: CsvDialect,
): Promise<string> {
  const bytes = await readFileRange(path, range.start, range.end);
  const scan = scanRange(bytes, { start: 0, end: bytes.length }, dialect);
  return JSON.stringify({ ...scan, start: range.start, end: range.end });
}

/** Parses the records that start in `entry`'s range of `path`, reading further until the last one ends. */
export async function parseCsvRange(
  path: string,
  entry: RangeEntry,
  o: CsvRangeOptions,
): Promise<CsvRangeResult> {
  const options = { ...o.dialect, schema: o.schema, file: o.file, strict: o.strict };
  if (o.gzip) {
    let bytes: Uint8Array = await Deno.readFile(path);
    if (isGzip(bytes)) bytes = await gunzip(bytes);
    const r = parseRange(bytes, { ...entry, end: bytes.length }, { ...options, eof: true });
    return result(r, entry.line);
  }
  const size = (await Deno.stat(path)).size;
  const m = compileDialect(o.dialect);
  for (let extra = 1 << 16;; extra *= 4) {
    const end = Math.min(size, entry.end + extra);
    const bytes = await readFileRange(path, entry.start, end);
    let local: RangeEntry = { ...entry, start: 0, end: entry.end - entry.start };
    if (o.fused) {
      const first = entry.start === o.dataStart;
      const own = ownRecords(bytes, { start: 0, end: entry.end - entry.start }, m, {
        first,
        last: entry.end === size,
        eof: end === size,
      });
      if (own === undefined) {
        const limit = o.searchBytes ?? RECORD_START_SEARCH_BYTES;
        if (extra < limit) continue; // read further
        throw new SchemaError(
          `${o.file}: no record start within ${limit} bytes after byte ${entry.end}`,
          { data: { reason: NO_RECORD_START, file: o.file, byte: entry.end } },
        );
      }
      local = { ...own, state: RECORD_START, line: first ? entry.line : 1 };
    }
    try {
      const r = parseRange(bytes, local, { ...options, eof: end === size });
      return result(r, local.line);
    } catch (e) {
      if (e instanceof RangeError && end < size) continue; // the last record runs past the window
      throw e;
    }
  }
}

function result(r: ReturnType<typeof parseRange>, firstLine: number): CsvRangeResult {
  return {
    batch: r.batch,
    rowsRead: r.rowsRead,
    quarantine: r.quarantine.length ? quarantineToBatch(r.quarantine) : undefined,
    lines: r.nextLine - firstLine,
  };
}
