/**
 * The quality benchmark's data: a bank file from `data/`, without the columns that leak the label
 * (`duration`), written once as a plain CSV with a `row` number and one column per split (`fit`,
 * `valid` or `test` per row, see `splits.ts`), plus a manifest every engine reads: which columns
 * are numeric or categorical, the label, the splits and their row counts.
 *
 * Every engine reads this file and fits its own encoding on the `fit`/`valid` rows only.
 *
 * @module
 */
import { gunzip } from "../../../cluster/io/csv/parse.ts";
import type { CsvSchema } from "../../../cluster/io/csv/schema.ts";
import {
  BANK_ADDITIONAL_SCHEMA,
  BANK_FULL_SCHEMA,
  BANK_LABEL_COLUMN,
  BANK_LEAK_COLUMNS,
} from "../../../cluster/sources/bank/schemas.ts";
import { outOfTimeSplit, SPLIT_ROLES, splitCounts, type SplitRole, stratifiedSplit } from "./splits.ts";

/** The two bank files of the benchmark. */
export const BANK_DATASETS = ["bank-full", "bank-additional-full"] as const;
/** One of them. */
export type BankDataset = (typeof BANK_DATASETS)[number];

/** Seeds of the random splits (averaged). */
export const DEFAULT_SPLIT_SEEDS: readonly number[] = [42, 43, 44, 45, 46];

/**
 * Model seeds of the out-of-time split: its test rows are fixed, so a randomized model (a forest)
 * is fitted once per seed and its figure is the mean over them.
 */
export const DEFAULT_OOT_MODEL_SEEDS: readonly number[] = [0, 1, 2, 3, 4];

/** One split of a prepared file. */
export interface SplitInfo {
  /** The CSV column holding it, e.g. `split_random_42` or `split_oot`. */
  column: string;
  kind: "random" | "oot";
  /** The seed of a random split. */
  seed?: number;
  /**
   * The seeds a randomized model is fitted with on this split, its figure the mean over them: a
   * random split's own seed, or the out-of-time split's model seeds. A deterministic model is
   * fitted once.
   */
  modelSeeds: number[];
  counts: Record<SplitRole, number>;
  /** Positives among the test rows. */
  testPositives: number;
}

/** What engines need to know about a prepared file (written next to it as JSON). */
export interface PreparedManifest {
  dataset: string;
  /** The CSV path (comma-separated, header, no quoting needed). */
  path: string;
  rows: number;
  positives: number;
  label: string;
  /** The label's positive value. */
  positive: string;
  numeric: string[];
  categorical: string[];
  dropped: string[];
  splits: SplitInfo[];
}

/** A parsed source table: columns of text, in file order. */
export interface SourceTable {
  header: string[];
  rows: string[][];
}

/** Parses a `;`-separated bank file (quoted strings, LF or CR LF line ends). */
export function parseBankCsv(text: string): SourceTable {
  const lines = text.split(/\r?\n/).filter((l) => l !== "");
  const cells = (line: string) => line.split(";").map((c) => c.startsWith('"') ? c.slice(1, -1) : c);
  const header = cells(lines[0] ?? "");
  const rows = lines.slice(1).map(cells);
  for (const [i, r] of rows.entries()) {
    if (r.length !== header.length) {
      throw new RangeError(`Row ${i} has ${r.length} cells, the header ${header.length}`);
    }
  }
  return { header, rows };
}

/** Options of {@linkcode prepareSplitTable}. */
export interface PrepareOptions {
  /** Seeds of the stratified random splits. @default {DEFAULT_SPLIT_SEEDS} */
  seeds?: readonly number[];
  /** Model seeds of the out-of-time split. @default {DEFAULT_OOT_MODEL_SEEDS} */
  ootModelSeeds?: readonly number[];
  /** Columns left out. @default {BANK_LEAK_COLUMNS} */
  drop?: readonly string[];
  label?: string;
  /** @default {"yes"} */
  positive?: string;
}

/**
 * The prepared CSV text and manifest of a table: `row`, the kept columns, the label, then one
 * column per split (random splits in seed order, then `split_oot`).
 */
export function prepareSplitTable(
  dataset: string,
  table: SourceTable,
  schema: CsvSchema,
  options: PrepareOptions & { path: string },
): { csv: string; manifest: PreparedManifest } {
  const label = options.label ?? BANK_LABEL_COLUMN, positive = options.positive ?? "yes";
  const drop = new Set(options.drop ?? BANK_LEAK_COLUMNS);
  const labelAt = table.header.indexOf(label);
  if (labelAt < 0) throw new RangeError(`No label column "${label}" in ${dataset}`);
  const kept = table.header.map((name, i) => ({ name, i })).filter((c) =>
    !drop.has(c.name) && c.name !== label
  );
  const typeOf = (name: string) => schema.fields.find((f) => f.name === name)?.type;
  for (const c of kept) {
    if (typeOf(c.name) === undefined) throw new RangeError(`Column "${c.name}" not in schema`);
  }
  const labels = Uint8Array.from(table.rows, (r) => (r[labelAt] === positive ? 1 : 0));
  const ootSeeds = options.ootModelSeeds ?? DEFAULT_OOT_MODEL_SEEDS;
  if (
    ootSeeds.length === 0 || !ootSeeds.every(Number.isSafeInteger) || new Set(ootSeeds).size < ootSeeds.length
  ) {
    throw new RangeError(
      `ootModelSeeds must be distinct integers, at least one; got [${ootSeeds.join(", ")}]`,
    );
  }
  const splits: { info: Omit<SplitInfo, "counts" | "testPositives">; codes: Uint8Array }[] = [
    ...(options.seeds ?? DEFAULT_SPLIT_SEEDS).map((seed) => ({
      info: { column: `split_random_${seed}`, kind: "random" as const, seed, modelSeeds: [seed] },
      codes: stratifiedSplit(labels, { seed }),
    })),
    {
      info: { column: "split_oot", kind: "oot" as const, modelSeeds: [...ootSeeds] },
      codes: outOfTimeSplit(labels.length),
    },
  ];
  for (const row of table.rows) {
    for (const c of kept) {
      if (/[,"\n\r]/.test(row[c.i]!)) throw new RangeError(`Value ${JSON.stringify(row[c.i])} needs quoting`);
    }
  }
  const header = ["row", ...kept.map((c) => c.name), label, ...splits.map((s) => s.info.column)];
  const lines = [header.join(",")];
  table.rows.forEach((r, i) => {
    lines.push(
      [String(i), ...kept.map((c) => r[c.i]!), r[labelAt]!, ...splits.map((s) => SPLIT_ROLES[s.codes[i]!]!)]
        .join(","),
    );
  });
  const manifest: PreparedManifest = {
    dataset,
    path: options.path,
    rows: labels.length,
    positives: labels.reduce((s, y) => s + y, 0),
    label,
    positive,
    numeric: kept.filter((c) => typeOf(c.name) !== "string").map((c) => c.name),
    categorical: kept.filter((c) => typeOf(c.name) === "string").map((c) => c.name),
    dropped: [...drop],
    splits: splits.map((s) => ({
      ...s.info,
      counts: splitCounts(s.codes),
      testPositives: labels.reduce((n, y, i) => n + (s.codes[i] === 2 ? y : 0), 0),
    })),
  };
  return { csv: `${lines.join("\n")}\n`, manifest };
}

/** The labels (0/1) of the test rows of `column`, in row order, read back from a prepared CSV. */
export function testLabels(csv: string, column: string, manifest: PreparedManifest): Uint8Array {
  const lines = csv.split("\n").filter((l) => l !== "");
  const header = lines[0]!.split(",");
  const s = header.indexOf(column), y = header.indexOf(manifest.label);
  if (s < 0 || y < 0) throw new RangeError(`No column "${column}" or label in the prepared file`);
  const out: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    if (cells[s] === "test") out.push(cells[y] === manifest.positive ? 1 : 0);
  }
  return Uint8Array.from(out);
}

/**
 * Writes `<dir>/<dataset>.csv` and `<dir>/<dataset>.json` from `data/<dataset>.csv.gz` (45k rows:
 * rewritten every run, a fraction of a second) and returns the manifest.
 */
export async function prepareBankDataset(
  dataset: BankDataset,
  options: PrepareOptions & { dir: string },
): Promise<PreparedManifest> {
  await Deno.mkdir(options.dir, { recursive: true });
  const path = `${options.dir}/${dataset}.csv`;
  const gz = await Deno.readFile(new URL(`../../../data/${dataset}.csv.gz`, import.meta.url));
  const table = parseBankCsv(new TextDecoder().decode(await gunzip(gz)));
  const schema = dataset === "bank-full" ? BANK_FULL_SCHEMA : BANK_ADDITIONAL_SCHEMA;
  const { csv, manifest } = prepareSplitTable(dataset, table, schema, { ...options, path });
  await Deno.writeTextFile(path, csv);
  await Deno.writeTextFile(`${options.dir}/${dataset}.json`, `${JSON.stringify(manifest, undefined, 2)}\n`);
  return manifest;
}
