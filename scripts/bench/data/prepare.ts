/**
 * The input files of the Task 1 data benchmark, written once and reused:
 *
 * ```
 * <dir>/tx-<rows>-s<seed>/parquet/part-*.parquet   `frontier generate --format parquet` (measured)
 * <dir>/tx-<rows>-s<seed>/tx.csv                   the same rows as one CSV file
 * <dir>/tx-<rows>-s<seed>/tx-head-<n>.csv          its first n rows (the CSV throughput file)
 * <dir>/tx-<rows>-s<seed>/manifest.json            rows, seed, checksum, file sizes, generation figures
 * ```
 *
 * Generation runs `frontier generate` as a measured child process (its `generate_write` time and
 * rows/s are the "10M rows must generate in seconds" figure; the checksum pass is reported apart).
 * The CSV is written by Frontier's own writer (`ds.write.csv` over the Parquet files, one file per
 * partition), then joined into one file with one header, every string field quoted (like Python's
 * `QUOTE_NONNUMERIC`), so that every reader's quote handling runs on every record.
 *
 * Reuse: when the manifest names the same rows and seed and every file still has the size it
 * recorded, nothing is regenerated and the generation figures are the manifest's (marked `reused`).
 *
 * @module
 */

import { type Clock, systemClock } from "../../../actors/clock.ts";
import { TaskFailedError } from "../../../cluster/errors.ts";
import type { Json } from "../../../actors/errors.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { transactionColumns } from "./eda_spec.ts";
import { numberField, parseLastJsonLine, runMeasured } from "../measure.ts";

/** How the benchmark files were generated. */
export interface GenerationFigures {
  /** Generation + Parquet write inside `frontier generate`, milliseconds. */
  generateMs: number;
  rowsPerSec: number;
  /** Reading the files back for the content checksum, milliseconds. */
  checksumMs: number;
  /** The whole `frontier generate` process, milliseconds. */
  processMs: number;
  /** Peak RSS of its process tree, MiB. */
  peakRssMb: number;
  /** `ds.write.csv` + joining and quoting, milliseconds. */
  csvMs: number;
  /** ISO time of the generation. */
  generatedAt: string;
  command: string;
}

/** The benchmark's files. */
export interface BenchData {
  rows: number;
  seed: number;
  parquetDir: string;
  parquetBytes: number;
  parquetFiles: number;
  csvPath: string;
  csvBytes: number;
  /** The CSV throughput file: the first rows of `csvPath`. */
  headPath: string;
  headRows: number;
  headBytes: number;
  /** Order-independent content checksum printed by `frontier generate`. */
  checksum: string;
  generation: GenerationFigures;
  /** True when the files of an earlier run were reused. */
  reused: boolean;
}

/** Options of {@linkcode prepareBenchData}. */
export interface PrepareOptions {
  rows: number;
  seed: number;
  /** Parent directory. @default {"out/bench/data"} */
  dir?: string;
  /** Rows of the throughput file (at most `rows`). @default {1_000_000} */
  headRows?: number;
  /** Regenerate even when the manifest matches. @default {false} */
  regenerate?: boolean;
  log?: (line: string) => void;
  signal?: AbortSignal;
  clock?: Clock;
}

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const CLI = new URL("../../cli/main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

/** Writes (or reuses) the benchmark files; returns where they are. */
export async function prepareBenchData(options: PrepareOptions): Promise<BenchData> {
  const { rows, seed } = options;
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new RangeError(`Cannot generate ${rows} rows: expected a positive integer`);
  }
  const log = options.log ?? (() => {});
  const clock = options.clock ?? systemClock;
  const headRows = Math.min(options.headRows ?? 1_000_000, rows);
  const base = absolute(`${options.dir ?? "out/bench/data"}/tx-${rows}-s${seed}`);
  const manifestPath = `${base}/manifest.json`;
  if (!options.regenerate) {
    const found = await reusable(manifestPath, { rows, seed });
    if (found !== undefined) {
      log(
        `  reusing ${base} (checksum ${found.data.checksum}, generated ${found.data.generation.generatedAt})`,
      );
      let data = found.data;
      if (data.headRows !== headRows) {
        // Only the throughput file differs: cut a new one from the CSV.
        await Deno.remove(data.headPath).catch(() => undefined);
        const headPath = `${base}/tx-head-${headRows}.csv`;
        data = { ...data, headPath, headRows, headBytes: await writeHead(data.csvPath, headPath, headRows) };
        await writeManifest(manifestPath, data, found.files);
      }
      return { ...data, reused: true };
    }
  }
  await Deno.remove(base, { recursive: true }).catch(() => undefined);
  await Deno.mkdir(base, { recursive: true });
  const parquetDir = `${base}/parquet`;
  const args = [
    "run",
    "-A",
    "--config",
    CONFIG,
    CLI,
    "generate",
    "--rows",
    String(rows),
    "--seed",
    String(seed),
    "--format",
    "parquet",
    "--out",
    parquetDir,
    "--json",
  ];
  log(`  generating ${rows} rows (seed ${seed}) → ${parquetDir}`);
  const generatedAt = new Date(clock.now()).toISOString();
  const run = await runMeasured(Deno.execPath(), args, {
    cwd: REPO_ROOT,
    // An empty key variable makes `frontier generate` use its seed-derived demo key: same seed, same rows.
    env: { FRONTIER_TOKEN_KEY: "" },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (run.code !== 0) {
    throw new TaskFailedError(
      `frontier generate exited with code ${run.code}: ${run.stderr.trim().slice(-2000)}`,
      {
        data: { code: run.code },
      },
    );
  }
  const summary = parseLastJsonLine(run.stdout, "frontier generate");
  const ms = summary["ms"] as Record<string, unknown> | undefined;
  if (ms === undefined || typeof summary["checksum"] !== "string") {
    throw new TaskFailedError("frontier generate printed no timings or checksum", { data: {} });
  }
  const generateMs = numberField(ms, "generate_write");

  log(`  writing the CSV copy (ds.write.csv, then one quoted file)`);
  const t0 = clock.monotonic();
  const partsDir = `${base}/csv-parts`;
  {
    await using fx = await Frontier.start({ executors: 2 });
    await (await fx.read.parquet(parquetDir)).write.csv(partsDir);
  }
  const csvPath = `${base}/tx.csv`;
  const csvBytes = await joinQuoted(partsDir, csvPath);
  await Deno.remove(partsDir, { recursive: true });
  const headPath = `${base}/tx-head-${headRows}.csv`;
  const headBytes = await writeHead(csvPath, headPath, headRows);
  const csvMs = clock.monotonic() - t0;

  const parquet = await listSizes(parquetDir, ".parquet");
  const data: BenchData = {
    rows,
    seed,
    parquetDir,
    parquetBytes: parquet.reduce((s, f) => s + f.bytes, 0),
    parquetFiles: parquet.length,
    csvPath,
    csvBytes,
    headPath,
    headRows,
    headBytes,
    checksum: summary["checksum"],
    generation: {
      generateMs,
      rowsPerSec: rows / (generateMs / 1000),
      checksumMs: numberField(ms, "checksum"),
      processMs: run.wallMs,
      peakRssMb: run.peakRssMb,
      csvMs,
      generatedAt,
      command: `deno task frontier ${args.slice(5).join(" ")}`,
    },
    reused: false,
  };
  await writeManifest(manifestPath, data, parquet);
  return data;
}

type FileSize = { name: string; bytes: number };

async function writeManifest(path: string, data: BenchData, files: readonly FileSize[]): Promise<void> {
  const manifest = { version: 1, ...data, files } as unknown as Json;
  await Deno.writeTextFile(path, `${JSON.stringify(manifest, undefined, 2)}\n`);
}

/** The manifest's data when its rows and seed match and every file still has its recorded size. */
async function reusable(
  manifestPath: string,
  want: { rows: number; seed: number },
): Promise<{ data: BenchData; files: FileSize[] } | undefined> {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(await Deno.readTextFile(manifestPath)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (m["version"] !== 1 || m["rows"] !== want.rows || m["seed"] !== want.seed) return undefined;
  const { files, version: _version, ...data } = m as unknown as BenchData & { files: FileSize[]; version: 1 };
  try {
    const onDisk = await listSizes(data.parquetDir, ".parquet");
    const same = onDisk.length === files.length &&
      onDisk.every((f, i) => f.name === files[i]?.name && f.bytes === files[i]?.bytes);
    if (!same) return undefined;
    if ((await Deno.stat(data.csvPath)).size !== data.csvBytes) return undefined;
    if ((await Deno.stat(data.headPath)).size !== data.headBytes) return undefined;
  } catch {
    return undefined;
  }
  return { data, files };
}

async function listSizes(dir: string, ext: string): Promise<FileSize[]> {
  const out: FileSize[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(ext)) {
      out.push({ name: e.name, bytes: (await Deno.stat(`${dir}/${e.name}`)).size });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const QUOTE = 0x22, COMMA = 0x2c, LF = 0x0a;

/**
 * Re-quotes one CSV text written by `ds.write.csv` (fields quoted only when needed): every field of a
 * column flagged in `quoteColumns` is quoted; already quoted fields are copied as they are. Drops the
 * first line when `skipHeader`. Returns the new bytes.
 */
export function quoteCsvFields(
  bytes: Uint8Array,
  quoteColumns: readonly boolean[],
  options: { skipHeader: boolean },
): Uint8Array {
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === LF) lines++;
  const extra = 2 * quoteColumns.filter((q) => q).length * (lines + 1);
  const out = new Uint8Array(bytes.length + extra);
  let i = 0, o = 0;
  if (options.skipHeader) {
    while (i < bytes.length && bytes[i] !== LF) i++;
    i++;
  }
  let column = 0;
  while (i < bytes.length) {
    if (bytes[i] === QUOTE) {
      // Already quoted: copy through the closing quote ("" is an escaped quote).
      out[o++] = bytes[i++]!;
      while (i < bytes.length) {
        const b = bytes[i++]!;
        out[o++] = b;
        if (b === QUOTE) {
          if (bytes[i] === QUOTE) out[o++] = bytes[i++]!;
          else break;
        }
      }
    } else {
      let end = i;
      while (end < bytes.length && bytes[end] !== COMMA && bytes[end] !== LF) end++;
      const quote = quoteColumns[column] === true;
      if (quote) out[o++] = QUOTE;
      out.set(bytes.subarray(i, end), o);
      o += end - i;
      if (quote) out[o++] = QUOTE;
      i = end;
    }
    if (i >= bytes.length) break;
    const sep = bytes[i++]!;
    out[o++] = sep;
    column = sep === LF ? 0 : column + 1;
  }
  return out.subarray(0, o);
}

/** Joins the part files of `dir` (in name order) into `path`, quoting string fields; returns its size. */
async function joinQuoted(dir: string, path: string): Promise<number> {
  const parts = await listSizes(dir, ".csv");
  if (parts.length === 0) throw new TaskFailedError(`ds.write.csv wrote no files into ${dir}`, { data: {} });
  const quoteColumns = transactionColumns().map(([, type]) => type === "string");
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  let size = 0;
  for (const [k, part] of parts.entries()) {
    const bytes = await Deno.readFile(`${dir}/${part.name}`);
    if (k === 0) {
      const nl = bytes.indexOf(LF);
      await writeAll(file, bytes.subarray(0, nl + 1));
      size += nl + 1;
    }
    const quoted = quoteCsvFields(bytes, quoteColumns, { skipHeader: true });
    await writeAll(file, quoted);
    size += quoted.length;
  }
  return size;
}

/** Writes the header and the first `rows` records of `src` (no quoted newlines in it) to `dest`. */
async function writeHead(src: string, dest: string, rows: number): Promise<number> {
  using input = await Deno.open(src);
  using output = await Deno.open(dest, { write: true, create: true, truncate: true });
  const buf = new Uint8Array(1 << 20);
  let lines = 0, size = 0;
  while (lines < rows + 1) {
    const n = await input.read(buf);
    if (n === null) break;
    let cut = n;
    for (let i = 0; i < n; i++) {
      if (buf[i] === LF && ++lines === rows + 1) {
        cut = i + 1;
        break;
      }
    }
    await writeAll(output, buf.subarray(0, cut));
    size += cut;
  }
  return size;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}
