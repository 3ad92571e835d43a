/**
 * `fx.read`: distributed readers. CSV is read in one parallel pass: each executor finds the
 * first record of its byte range that does not depend on what came before (`findRecordStart`),
 * parses the records from there to the next range's first record, and the parsed partitions are
 * cached with their quarantined records beside them, so rows read = valid + quarantined always
 * reconciles; quarantine line numbers are fixed up from each range's line count. In strict mode
 * (and when a range finds no record start near its edge) the read scans first: executors scan
 * byte ranges for the quote state at their edges, the driver chains the scans.
 *
 * @module
 */
import { SchemaError } from "./errors.ts";
import { Dataset } from "./dataset.ts";
import type { Engine } from "./engine.ts";
import type { LogicalPlan } from "./plan/logical_plan.ts";
import {
  chainScans,
  type CsvDialect,
  type RangeEntry,
  type RangeScan,
  readHeader,
  RECORD_START,
  splitRanges,
} from "./io/csv/scan.ts";
import { checkHeader, gunzip, isGzip, NO_RECORD_START, RECORD_START_SEARCH_BYTES } from "./io/csv/parse.ts";
import { type CsvSchema, inferSchema, loadCsvSchema, toBatchSchema } from "./io/csv/schema.ts";
import type { CsvRangeOptions } from "./io/csv/range_options.ts";
import { BANK_ADDITIONAL_OPTIONS, BANK_FULL_OPTIONS } from "./sources/bank/schemas.ts";
import { CONTACT_DATE_MODULE } from "./sources/bank/contact_date.ts";
import { fileSchema, listFiles } from "./io/file_read.ts";

/** Options of {@linkcode DataReader.csv}: the dialect, the schema, and how the file is split. */
export interface CsvOptions extends CsvDialect {
  /** The schema (or a path to a schema JSON file); inferred from the first 4 MiB when absent. */
  schema?: CsvSchema | string;
  /** Byte ranges read in parallel. @default {the cluster's default parallelism} */
  partitions?: number;
  /** Fail on the first malformed row (naming file, line, column and what was expected). */
  strict?: boolean;
  /** Name used for the file in quarantine rows and errors. @default {the file's base name} */
  file?: string;
  /**
   * How far past its end a range looks for where the next range's records begin before the read
   * falls back to scanning the file first. @default {RECORD_START_SEARCH_BYTES (16 MiB)}
   */
  recordStartSearchBytes?: number;
}

/** What a CSV read found; `rows_read = rows_valid + rows_quarantined` always. */
export interface CsvSummary {
  /** The file's name (`CsvOptions.file`). */
  file: string;
  /** Size of the file on disk (compressed, for gzip). */
  bytes: number;
  /** Byte ranges read in parallel (1 for gzip). */
  partitions: number;
  /** Records read (the header excluded). */
  rows_read: number;
  /** Records that matched the schema: the rows of `data`. */
  rows_valid: number;
  /** Records that did not: the rows of `quarantine`. */
  rows_quarantined: number;
  /** Whether a scan phase ran first (strict mode, gzip-free fallback; see `read.csv`). */
  scanned: boolean;
}

/** Options of {@linkcode DataReader.bank}. */
export interface BankOptions {
  /** Where the decompressed file is kept (and reused). @default {"out/data"} */
  workDir?: string;
  /** Byte ranges read in parallel. @default {the cluster's default parallelism} */
  partitions?: number;
  /** Fail on the first malformed row instead of quarantining it. @default {false} */
  strict?: boolean;
}

/** The result of a CSV read: the valid rows, the quarantined ones, and the counts. */
export interface CsvRead {
  /** Valid rows, cached on the executors. */
  data: Dataset;
  /** Malformed rows: file, line, reason, column, message, raw. */
  quarantine: Dataset;
  /** Counts of what was read. */
  summary: CsvSummary;
}

const SAMPLE_BYTES = 4 << 20;

/**
 * The distributed readers, as `fx.read`: CSV (with a quarantine of malformed rows), the bank
 * marketing files shipped with Frontier, Parquet and Arrow IPC files.
 *
 * @example Valid rows and quarantined ones
 * ```ts
 * import assert from "node:assert/strict";
 * import { Frontier } from "@frontier/frontier";
 *
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "id,amount\n1,9.5\n2,oops\n3,\n");
 * await using fx = await Frontier.start({ executors: 1 });
 * const { data, quarantine, summary } = await fx.read.csv(path, {
 *   schema: { fields: [{ name: "id", type: "long", nullable: false }, { name: "amount", type: "double" }] },
 * });
 * assert.deepEqual(await data.sort("id").collect(), [{ id: 1, amount: 9.5 }, { id: 3, amount: null }]);
 * assert.deepEqual((await quarantine.collect()).map((r) => [r["line"], r["column"]]), [[3, "amount"]]);
 * assert.equal(summary.rows_read, 3);
 * await data.unpersist();
 * await Deno.remove(path);
 * ```
 */
export class DataReader {
  readonly #engine: Engine;

  /** @internal Use `fx.read`. */
  constructor(engine: Engine) {
    this.#engine = engine;
  }

  #ds(plan: LogicalPlan): Dataset {
    return new Dataset(this.#engine, plan);
  }

  /** Reads a CSV file (gzip accepted; it is not splittable, so it is one partition). */
  async csv(path: string, options: CsvOptions = {}): Promise<CsvRead> {
    const file = options.file ?? path.split(/[\\/]/).pop() ?? path;
    const size = (await Deno.stat(path)).size;
    const head = await readPrefix(path, SAMPLE_BYTES);
    const gzip = isGzip(head);
    const sample = gzip ? await gunzip(await Deno.readFile(path)) : head;
    const dialect: CsvDialect = {
      ...(options.separator !== undefined ? { separator: options.separator } : {}),
      ...(options.quote !== undefined ? { quote: options.quote } : {}),
      ...(options.header !== undefined ? { header: options.header } : {}),
      ...(options.maxQuotedNewlines !== undefined ? { maxQuotedNewlines: options.maxQuotedNewlines } : {}),
    };
    const header = readHeader(sample, dialect, { eof: gzip || size <= SAMPLE_BYTES });
    const schema = typeof options.schema === "string"
      ? await loadCsvSchema(options.schema)
      : options.schema ?? inferSchema(sample, dialect);
    if (header.names !== undefined) checkHeader(header.names, schema, file);
    const strict = options.strict ?? false;
    const read = (fused: boolean) =>
      this.#csvPass(path, { dialect, schema, file, strict, gzip, size, sample, header, fused }, options);
    // Without a scan phase each range finds its own first record (see `findRecordStart`) and
    // quarantine lines are numbered afterwards; strict mode scans first, so that the error it
    // throws names the line at once. A file where no record start can be found near a range's
    // edge (quoting that keeps two readings of the file alive for megabytes) is read again with
    // the scan.
    if (gzip || strict) return await read(false);
    try {
      return await read(true);
    } catch (e) {
      if (!(e instanceof SchemaError && e.data["reason"] === NO_RECORD_START)) throw e;
      return await read(false);
    }
  }

  async #csvPass(
    path: string,
    o: {
      dialect: CsvDialect;
      schema: CsvSchema;
      file: string;
      strict: boolean;
      gzip: boolean;
      size: number;
      sample: Uint8Array;
      header: ReturnType<typeof readHeader>;
      fused: boolean;
    },
    options: CsvOptions,
  ): Promise<CsvRead> {
    const { dialect, schema, file, gzip, size, header, fused } = o;
    const parseOptions: CsvRangeOptions = {
      dialect,
      schema,
      file,
      strict: o.strict,
      gzip,
      fused,
      dataStart: header.dataStart,
      searchBytes: options.recordStartSearchBytes ?? RECORD_START_SEARCH_BYTES,
    };

    let entries: RangeEntry[];
    if (gzip) {
      entries = [{ start: header.dataStart, end: o.sample.length, state: 0, line: header.dataLine }];
    } else {
      const n = Math.max(
        1,
        Math.min(
          options.partitions ?? this.#engine.defaultParallelism,
          Math.ceil((size - header.dataStart) / 4096),
        ),
      );
      const ranges = splitRanges(header.dataStart, size, n);
      if (fused) {
        entries = ranges.map((r) => ({ ...r, state: RECORD_START, line: header.dataLine }));
      } else {
        const scans = (await this.#ds({ op: "csvScan", path, ranges, dialect }).collect())
          .map((r) => JSON.parse(r["scan"] as string) as RangeScan);
        entries = chainScans(scans, { line: header.dataLine });
      }
    }
    const cacheId = this.#engine.nextCacheId();
    const base = {
      op: "csv" as const,
      path,
      entries,
      options: parseOptions,
      cacheId,
      schema: toBatchSchema(schema),
    };
    const data = this.#ds({ ...base, which: "valid" });
    let quarantine = this.#ds({ ...base, which: "quarantine" });
    let rowsValid: number, rowsQuarantined: number;
    try {
      rowsValid = await data.count();
      rowsQuarantined = await quarantine.count();
    } catch (e) {
      await this.#engine.unpersist(cacheId);
      throw e;
    }
    if (fused && rowsQuarantined > 0) {
      // Range p's lines count from 1 at its first record: it starts after the lines of ranges < p.
      const lines = (await this.#ds({ ...base, which: "meta" }).collect()).map((r) => Number(r["lines"]));
      const lineOffsets: number[] = [];
      let at = header.dataLine;
      lines.forEach((n, p) => {
        lineOffsets.push(p === 0 ? 0 : at - 1);
        at += n;
      });
      quarantine = this.#ds({ ...base, which: "quarantine", lineOffsets });
    }
    return {
      data: this.#ds({ ...base, which: "valid", rows: rowsValid }),
      quarantine,
      summary: {
        file,
        bytes: size,
        partitions: entries.length,
        rows_read: rowsValid + rowsQuarantined,
        rows_valid: rowsValid,
        rows_quarantined: rowsQuarantined,
        scanned: !gzip && !fused,
      },
    };
  }

  /**
   * One of the UCI Bank Marketing files shipped in `data/`, with its explicit schema and a derived
   * `contact_date` (the files are in time order, May 2008 – Nov 2010, without a year; see
   * `sources/bank/contact_date.ts`, applied with `mapPartitions` and a carry). The gzip file is
   * decompressed once into `workDir` so that it can be read in parallel byte ranges.
   */
  async bank(which: "full" | "additional", options: BankOptions = {}): Promise<CsvRead> {
    const name = which === "full" ? "bank-full.csv" : "bank-additional-full.csv";
    const workDir = options.workDir ?? "out/data";
    await Deno.mkdir(workDir, { recursive: true });
    const plain = `${workDir}/${name}`;
    try {
      await Deno.stat(plain);
    } catch {
      const gz = await Deno.readFile(new URL(`../data/${name}.gz`, import.meta.url));
      const tmp = `${plain}.${crypto.randomUUID()}.tmp`;
      await Deno.writeFile(tmp, await gunzip(gz));
      await Deno.rename(tmp, plain);
    }
    const opts = which === "full" ? BANK_FULL_OPTIONS : BANK_ADDITIONAL_OPTIONS;
    const read = await this.csv(plain, {
      ...opts,
      file: name,
      ...(options.partitions !== undefined ? { partitions: options.partitions } : {}),
      ...(options.strict !== undefined ? { strict: options.strict } : {}),
    });
    const data = read.data.mapPartitions({
      module: CONTACT_DATE_MODULE,
      export: "addContactDate",
      schema: [...read.data.schema, { name: "contact_date", type: "date", nullable: false }],
      carry: { summarize: "summarize", chain: "chain" },
    });
    return { ...read, data };
  }

  /** Parquet files: one partition per file (`path` is a file or a directory of `.parquet` files). */
  async parquet(path: string): Promise<Dataset> {
    return await this.#files(path, "parquet");
  }

  /** Arrow IPC files: one partition per file (`path` is a file or a directory of `.arrow` files). */
  async arrow(path: string): Promise<Dataset> {
    return await this.#files(path, "arrow");
  }

  async #files(path: string, format: "parquet" | "arrow"): Promise<Dataset> {
    const paths = await listFiles(path, format);
    const schema = await fileSchema(paths[0]!, format);
    for (const p of paths.slice(1)) {
      const s = await fileSchema(p, format);
      if (
        JSON.stringify(s.map((f) => [f.name, f.type])) !== JSON.stringify(schema.map((f) => [f.name, f.type]))
      ) {
        throw new SchemaError(`"${p}" has a different schema from "${paths[0]}"`);
      }
    }
    return this.#ds({ op: "files", paths, format, schema });
  }
}

async function readPrefix(path: string, n: number): Promise<Uint8Array> {
  using f = await Deno.open(path);
  const buf = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const r = await f.read(buf.subarray(at));
    if (r === null) break;
    at += r;
  }
  return buf.subarray(0, at);
}
