/**
 * Opens what `frontier eda` / `frontier ingest` are pointed at, on the cluster, and says what it is:
 * - a directory (or file) of Parquet or Arrow files → `fx.read.parquet` / `fx.read.arrow`;
 * - the UCI Bank Marketing files shipped in `data/` → `fx.read.bank` (explicit schema, quarantine,
 *   derived `contact_date`);
 * - another CSV whose header is a bank file's → `fx.read.csv` with that explicit schema;
 * - any other CSV → `fx.read.csv` with the given or an inferred schema.
 *
 * The kind (`bank`, `transactions` or `generic`) chooses the analyses.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { concatBytes } from "../../cluster/util/bytes.ts";
import type { Frontier } from "../../cluster/frontier.ts";
import type { CsvRead, CsvSummary } from "../../cluster/reader.ts";
import {
  BANK_ADDITIONAL_SCHEMA,
  BANK_DIALECT,
  BANK_FULL_SCHEMA,
} from "../../cluster/sources/bank/schemas.ts";
import type { CsvSchema } from "../../cluster/io/csv/schema.ts";
import { readHeader } from "../../cluster/io/csv/scan.ts";
import { isTransactionData } from "./transaction_analysis.ts";

/** What analyses a dataset gets. */
export type InputKind = "bank" | "transactions" | "generic";

/** An opened input. */
export interface LoadedInput {
  /** Base name of the file or directory. */
  name: string;
  path: string;
  kind: InputKind;
  format: "csv" | "parquet" | "arrow";
  data: Dataset;
  /** CSV only: the malformed rows. */
  quarantine?: Dataset;
  /** CSV only: rows read / valid / quarantined. */
  summary?: CsvSummary;
  /** Valid rows. */
  rows: number;
  /** Input bytes on disk. */
  bytes: number;
}

/** Options of {@linkcode loadInput}. */
export interface LoadInputOptions {
  /** CSV separator. @default {auto: ";" for bank files, else ","} */
  separator?: string;
  /** CSV schema (or a path to a schema JSON file). */
  schema?: CsvSchema | string;
  /** Fail on the first malformed CSV row. */
  strict?: boolean;
  /** CSV byte ranges read in parallel. */
  partitions?: number;
  /** Where `fx.read.bank` decompresses the shipped files. @default {"out/data"} */
  workDir?: string;
  /**
   * Cache Parquet/Arrow data on the executors when it is first read (CSV reads are always cached),
   * so later jobs do not decode the files again; unpersist it when done. @default {false}
   */
  cache?: boolean;
}

const SHIPPED_BANK: Readonly<Record<"full" | "additional", string>> = {
  full: new URL("../../data/bank-full.csv.gz", import.meta.url).pathname,
  additional: new URL("../../data/bank-additional-full.csv.gz", import.meta.url).pathname,
};

function baseName(path: string): string {
  return path.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? path;
}

/** The first `n` bytes of a file, decompressed when it is gzip. */
async function headBytes(path: string, n = 64 << 10): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const first = new Uint8Array(2);
  const got = await file.read(first);
  await file.seek(0, Deno.SeekMode.Start);
  const gzip = got === 2 && first[0] === 0x1f && first[1] === 0x8b;
  const stream: ReadableStream<Uint8Array> = gzip
    ? (file.readable as ReadableStream<BufferSource>).pipeThrough(new DecompressionStream("gzip"))
    : file.readable;
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < n) {
      const r = await reader.read();
      if (r.done) break;
      parts.push(r.value);
      size += r.value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return concatBytes(parts, size).subarray(0, Math.min(size, n));
}

/** `"full"` / `"additional"` when the CSV's header is a bank file's header, else undefined. */
export async function detectBankFile(path: string): Promise<"full" | "additional" | undefined> {
  let names: readonly string[] | undefined;
  try {
    names = readHeader(await headBytes(path), BANK_DIALECT, { eof: false }).names;
  } catch {
    return undefined;
  }
  const same = (s: CsvSchema) =>
    names !== undefined && names.length === s.fields.length && s.fields.every((f, i) => f.name === names[i]);
  return same(BANK_FULL_SCHEMA) ? "full" : same(BANK_ADDITIONAL_SCHEMA) ? "additional" : undefined;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    return (await Deno.realPath(a)) === (await Deno.realPath(b));
  } catch {
    return false;
  }
}

async function fileFormat(path: string): Promise<"csv" | "parquet" | "arrow"> {
  const info = await Deno.stat(path);
  if (info.isFile) return path.endsWith(".parquet") ? "parquet" : path.endsWith(".arrow") ? "arrow" : "csv";
  let arrow = false;
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && e.name.endsWith(".parquet")) return "parquet";
    if (e.isFile && e.name.endsWith(".arrow")) arrow = true;
  }
  if (arrow) return "arrow";
  throw new RangeError(`Cannot read "${path}": the directory holds no .parquet or .arrow files`);
}

async function diskBytes(path: string): Promise<number> {
  const info = await Deno.stat(path);
  if (info.isFile) return info.size;
  let total = 0;
  for await (const e of Deno.readDir(path)) {
    if (e.isFile) total += (await Deno.stat(`${path}/${e.name}`)).size;
  }
  return total;
}

function kindOf(columns: readonly string[], bank: boolean): InputKind {
  if (bank) return "bank";
  return isTransactionData(columns) ? "transactions" : "generic";
}

/** Opens `path` on the cluster (see the module doc for what is accepted). */
export async function loadInput(
  fx: Frontier,
  path: string,
  options: LoadInputOptions = {},
): Promise<LoadedInput> {
  const format = await fileFormat(path);
  const name = baseName(path);
  const bytes = await diskBytes(path);
  if (format !== "csv") {
    const files = format === "parquet" ? await fx.read.parquet(path) : await fx.read.arrow(path);
    const data = options.cache ? files.cache() : files;
    const rows = await data.count();
    return { name, path, kind: kindOf(data.columns, false), format, data, rows, bytes };
  }
  const bank = options.schema === undefined ? await detectBankFile(path) : undefined;
  let read: CsvRead;
  if (bank !== undefined && await sameFile(path, SHIPPED_BANK[bank])) {
    read = await fx.read.bank(bank, {
      ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
      ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
      ...(options.strict === undefined ? {} : { strict: options.strict }),
    });
  } else {
    const schema = options.schema ??
      (bank === "full" ? BANK_FULL_SCHEMA : bank === "additional" ? BANK_ADDITIONAL_SCHEMA : undefined);
    read = await fx.read.csv(path, {
      separator: options.separator ?? (bank !== undefined ? ";" : ","),
      quote: '"',
      header: true,
      ...(schema === undefined ? {} : { schema }),
      ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
      ...(options.strict === undefined ? {} : { strict: options.strict }),
    });
  }
  return {
    name,
    path,
    kind: kindOf(read.data.columns, bank !== undefined),
    format,
    data: read.data,
    quarantine: read.quarantine,
    summary: read.summary,
    rows: read.summary.rows_valid,
    bytes,
  };
}
