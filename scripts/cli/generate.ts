/**
 * `frontier generate`: synthetic card transactions generated in parallel by the executors and
 * written as Parquet or Arrow files (one per partition, written as each partition is produced),
 * then read back from disk for an order-independent content checksum.
 *
 * The checksum is a sum over rows of two 32-bit hashes of the whole row (columns in order, and in
 * reverse order), each split into its low 20 bits and the rest so that every cluster sum stays an
 * exact integer below 2^53. Sums do not depend on row order, so the same seed and row count give
 * the same checksum for any partition count, executor count or file layout.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col, count, hash, sum } from "../../cluster/expr/column.ts";
import { generateDemoKey, loadTokenKey } from "../../cluster/sources/transactions/card_token.ts";
import {
  absolute,
  type CliIo,
  clusterLabel,
  COMMON_HELP,
  commonFlags,
  openCluster,
  parseCommand,
  positiveInt,
  progressFor,
  required,
  UsageError,
} from "./common.ts";

/** Help of `frontier generate`. */
export const GENERATE_USAGE = `Usage: deno task frontier generate --rows N --out DIR [options]

Generates synthetic card transactions on the cluster (deterministic: the same --seed gives the same
rows for any partition count) and writes one file per partition, then checksums what was written.

Options:
  --rows N              rows to generate (required)
  --seed S              generator seed (default: 42)
  --partitions P        partitions = output files (default: the cluster's parallelism, or one per
                        100,000 rows when that is more)
  --out DIR             output directory (required)
  --format F            parquet (default) or arrow
  --overwrite           replace .parquet/.arrow files already in DIR (else refuse)
  --token-key-file F    HMAC key for card tokens (hex or base64, >= 32 bytes); the environment variable
                        FRONTIER_TOKEN_KEY wins when set; without either a demo key derived from the
                        seed is used (not secret: demos only)
  --gen-option K=V      numeric generator option, repeatable (fraudRate, outOfOrderFraction,
                        lateFraction, duplicateFraction, malformedFraction, ...)

${COMMON_HELP}

JSON summary: { command, rows_written, files, bytes, partitions, seed, format, output_path, checksum,
checksum_rows, token_key, ms, rows_per_s, cluster }
`;

const TWO_20 = 1 << 20;
/**
 * Default rows per output file. Encoding one Parquet file is synchronous work on its executor;
 * around 100k rows it stays near a second, well inside the heartbeat tolerance.
 */
const ROWS_PER_FILE = 100_000;

/** The order-independent checksum of a dataset's content (see the module doc). */
export async function contentChecksum(ds: Dataset): Promise<{ rows: number; checksum: string }> {
  const names = ds.columns;
  const forward = hash(...names);
  const backward = hash(...[...names].reverse());
  const [row] = await ds
    .select(forward.alias("h1"), backward.alias("h2"))
    .agg(
      count().alias("n"),
      sum(col("h1").mod(TWO_20)).alias("l1"),
      sum(col("h1").div(TWO_20).floor()).alias("u1"),
      sum(col("h2").mod(TWO_20)).alias("l2"),
      sum(col("h2").div(TWO_20).floor()).alias("u2"),
    )
    .collect();
  const big = (k: string) => BigInt(Number(row?.[k] ?? 0));
  const s1 = big("u1") * BigInt(TWO_20) + big("l1");
  const s2 = big("u2") * BigInt(TWO_20) + big("l2");
  const hex = (x: bigint) => x.toString(16).padStart(12, "0");
  return { rows: Number(row?.["n"] ?? 0), checksum: `${hex(s1)}-${hex(s2)}` };
}

function genOptions(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([A-Za-z]\w*)=(.+)$/.exec(v);
    const n = Number(m?.[2]);
    if (!m || !Number.isFinite(n)) {
      throw new UsageError(`--gen-option must be NAME=NUMBER, got ${JSON.stringify(v)}`);
    }
    out[m[1]!] = n;
  }
  return out;
}

async function prepareOut(dir: string, overwrite: boolean): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const existing: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && /\.(parquet|arrow)$/.test(e.name)) existing.push(`${dir}/${e.name}`);
  }
  if (existing.length === 0) return;
  if (!overwrite) {
    throw new UsageError(
      `${dir} already holds ${existing.length} data files; pass --overwrite to replace them`,
    );
  }
  for (const f of existing) await Deno.remove(f);
}

/** Runs `frontier generate`; resolves to the exit code. */
export async function generateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, {
    rows: { type: "string" },
    seed: { type: "string" },
    partitions: { type: "string" },
    out: { type: "string" },
    format: { type: "string" },
    overwrite: { type: "boolean" },
    "token-key-file": { type: "string" },
    "gen-option": { type: "string", multiple: true },
  });
  if (values.help) {
    io.out(GENERATE_USAGE);
    return 0;
  }
  const flags = commonFlags(values);
  const rows = positiveInt(values.rows, "--rows");
  const seedText = values.seed ?? "42";
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer, got ${JSON.stringify(seedText)}`);
  }
  const format = values.format ?? "parquet";
  if (format !== "parquet" && format !== "arrow") {
    throw new UsageError(`--format must be parquet or arrow, got ${JSON.stringify(format)}`);
  }
  const out = absolute(required(values.out, "--out").replace(/\/+$/, ""));
  const options = genOptions(values["gen-option"] ?? []);
  const keyFile = values["token-key-file"];
  const envKey = (Deno.env.get("FRONTIER_TOKEN_KEY") ?? "").trim() !== "";
  let tokenKey: Uint8Array;
  let keySource: string;
  if (envKey || keyFile !== undefined) {
    tokenKey = await loadTokenKey({ env: "FRONTIER_TOKEN_KEY", ...(keyFile ? { file: keyFile } : {}) });
    keySource = envKey ? "env FRONTIER_TOKEN_KEY" : "file";
  } else {
    io.err(
      "frontier generate: no --token-key-file or FRONTIER_TOKEN_KEY: using a demo key derived from the seed",
    );
    tokenKey = generateDemoKey({ seed });
    keySource = "demo (derived from the seed; not secret)";
  }
  await prepareOut(out, values.overwrite === true);

  const progress = progressFor(io, flags);
  progress.stage("starting the cluster");
  await using fx = await openCluster(flags, { writeDirs: [out], readDirs: [out], log: io.err });
  const partitions = positiveInt(
    values.partitions,
    "--partitions",
    Math.max(fx.defaultParallelism, Math.ceil(rows / ROWS_PER_FILE)),
  );
  progress.stage(`generating ${rows.toLocaleString("en-US")} rows in ${partitions} partitions → ${format}`);
  const t0 = io.clock.monotonic();
  const ds = fx.transactions({ rows, seed, tokenKey, partitions, options });
  const written = format === "parquet" ? await ds.write.parquet(out) : await ds.write.arrow(out);
  const writeMs = io.clock.monotonic() - t0;
  progress.stage(`wrote ${written.files.length} files; checksumming what was written`);
  const t1 = io.clock.monotonic();
  const back = format === "parquet" ? await fx.read.parquet(out) : await fx.read.arrow(out);
  const check = await contentChecksum(back);
  const checksumMs = io.clock.monotonic() - t1;
  if (check.rows !== written.rows) {
    io.err(`frontier generate: wrote ${written.rows} rows but read back ${check.rows}`);
    return 1;
  }
  const summary = {
    command: "generate",
    rows_written: written.rows,
    files: written.files.length,
    bytes: written.files.reduce((s, f) => s + f.bytes, 0),
    partitions,
    seed,
    format,
    output_path: out,
    checksum: check.checksum,
    checksum_rows: check.rows,
    token_key: keySource,
    generator_options: options,
    ms: {
      generate_write: Math.round(writeMs),
      checksum: Math.round(checksumMs),
      total: Math.round(progress.elapsedMs),
    },
    rows_per_s: Math.round(written.rows / (writeMs / 1000)),
    cluster: clusterLabel(flags),
  };
  progress.stage("done");
  if (flags.json) io.out(JSON.stringify(summary));
  else {
    io.out(
      `Generated ${
        summary.rows_written.toLocaleString("en-US")
      } rows into ${summary.files} ${format} files ` +
        `(${(summary.bytes / 2 ** 20).toFixed(1)} MiB) at ${out} in ${(writeMs / 1000).toFixed(1)} s ` +
        `(${summary.rows_per_s.toLocaleString("en-US")} rows/s)\nchecksum ${summary.checksum} ` +
        `(${summary.checksum_rows.toLocaleString("en-US")} rows read back)`,
    );
  }
  return 0;
}
