/**
 * Reading what `frontier train`, `evaluate` and `predict` are pointed at: any CSV (schema given
 * or inferred; malformed rows quarantined with their reasons, as `frontier ingest` does), a
 * directory of Parquet/Arrow files, or one of the UCI bank files (explicit schema; a bank CSV
 * other than the shipped files — a slice, a copy — gets the derived `contact_date` too).
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import type { Frontier } from "../../../cluster/frontier.ts";
import type { CsvSchema } from "../../../cluster/io/csv/schema.ts";
import { CONTACT_DATE_MODULE } from "../../../cluster/sources/bank/contact_date.ts";
import { BANK_TIME_COLUMN, type BankFile } from "../../../models/features/bank.ts";
import { detectBankFile, loadInput } from "../../eda/load_input.ts";
import { quarantineReasons } from "../ingest.ts";

/** Options of {@linkcode readInput}. */
export interface ReadOptions {
  /** CSV separator. @default {";" for the bank files, else ","} */
  readonly separator?: string | undefined;
  /** CSV schema, or a path to a schema JSON file. @default {bank schema, else inferred} */
  readonly schema?: CsvSchema | string | undefined;
  /** CSV byte ranges read in parallel. */
  readonly partitions?: number | undefined;
  /** Where the shipped bank files are decompressed. */
  readonly workDir?: string | undefined;
}

/** An opened input and its reconciled counts. */
export interface InputRead {
  /** The valid rows (cached on the executors for CSV). */
  readonly data: Dataset;
  /** The malformed rows (CSV only). */
  readonly quarantine: Dataset | undefined;
  /** The bank file the input is, if it is one. */
  readonly bank: BankFile | undefined;
  /** Base name of the input. */
  readonly name: string;
  /** Rows read (valid + quarantined). */
  readonly rowsRead: number;
  /** Valid rows. */
  readonly rowsValid: number;
  /** Malformed rows. */
  readonly rowsQuarantined: number;
  /** Malformed rows per reason. */
  readonly reasons: Record<string, number>;
}

/** Opens `path` on the cluster (see the module doc). */
export async function readInput(fx: Frontier, path: string, options: ReadOptions = {}): Promise<InputRead> {
  const loaded = await loadInput(fx, path, {
    ...(options.separator === undefined ? {} : { separator: options.separator }),
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
    ...(options.workDir === undefined ? {} : { workDir: options.workDir }),
  });
  const bank = loaded.format === "csv" && options.schema === undefined
    ? await detectBankFile(path)
    : undefined;
  let data = loaded.data;
  if (bank !== undefined && !data.columns.includes(BANK_TIME_COLUMN)) {
    data = data.mapPartitions({
      module: CONTACT_DATE_MODULE,
      export: "addContactDate",
      schema: [...data.schema, { name: BANK_TIME_COLUMN, type: "date", nullable: false }],
      carry: { summarize: "summarize", chain: "chain" },
    });
  }
  const s = loaded.summary;
  const quarantined = s?.rows_quarantined ?? 0;
  return {
    data,
    quarantine: loaded.quarantine,
    bank,
    name: loaded.name,
    rowsRead: s?.rows_read ?? loaded.rows,
    rowsValid: loaded.rows,
    rowsQuarantined: quarantined,
    reasons: quarantined > 0 && loaded.quarantine !== undefined
      ? await quarantineReasons(loaded.quarantine)
      : {},
  };
}

/** Writes the quarantined rows of `read` as CSV into `dir` (replacing it); resolves to the path or undefined. */
export async function writeQuarantine(read: InputRead, dir: string): Promise<string | undefined> {
  if (read.quarantine === undefined) return undefined;
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await read.quarantine.coalesce(1).write.csv(dir);
  return dir;
}
