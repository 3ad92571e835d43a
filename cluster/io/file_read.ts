/**
 * Reads whole Parquet and Arrow files into batches, and their schemas.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { SchemaError } from "../../actors/errors.ts";
import type { Batch, DataType, Field, Row, Schema } from "../batch.ts";
import { batchFromRows, concatBatches, emptyBatch } from "../batch_util.ts";
import { arrowTableToBatches, fromArrowSchema } from "../arrow_codec.ts";

export type FileFormat = "parquet" | "arrow";

/** Files of `format` at `path` (a file, or a directory whose matching files are taken in name order). */
export async function listFiles(path: string, format: FileFormat): Promise<string[]> {
  const info = await Deno.stat(path);
  if (info.isFile) return [path];
  const ext = format === "parquet" ? ".parquet" : ".arrow";
  const out: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && e.name.endsWith(ext)) out.push(`${path}/${e.name}`);
  }
  out.sort();
  if (out.length === 0) throw new SchemaError(`No ${ext} files in directory "${path}"`);
  return out;
}

/** The schema of a file. */
export async function fileSchema(path: string, format: FileFormat): Promise<Schema> {
  const bytes = await Deno.readFile(path);
  if (format === "arrow") return fromArrowSchema(arrow.tableFromIPC(bytes).schema);
  const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
  return parquetSchema(meta).children.map((c): Field => {
    const el = c.element;
    return {
      name: el.name,
      type: parquetType(el.name, el.type, el.converted_type, el.logical_type?.type),
      nullable: el.repetition_type !== "REQUIRED",
    };
  });
}

function parquetType(
  name: string,
  physical: string | undefined,
  converted: string | undefined,
  logical: string | undefined,
): DataType {
  if (logical === "TIMESTAMP" || converted === "TIMESTAMP_MILLIS" || converted === "TIMESTAMP_MICROS") {
    return "timestamp";
  }
  if (logical === "DATE" || converted === "DATE") return "date";
  if (logical === "STRING" || converted === "UTF8" || physical === "BYTE_ARRAY") return "string";
  switch (physical) {
    case "DOUBLE":
    case "FLOAT":
      return "double";
    case "INT64":
      return "long";
    case "INT32":
      return "int";
    case "BOOLEAN":
      return "bool";
  }
  throw new SchemaError(
    `Parquet column "${name}" has unsupported type ${physical}/${converted ?? logical ?? "-"}`,
  );
}

/** All rows of a file as one batch with `schema`. */
export async function readFileBatch(path: string, format: FileFormat, schema: Schema): Promise<Batch> {
  const bytes = await Deno.readFile(path);
  if (format === "arrow") {
    const batches = arrowTableToBatches(arrow.tableFromIPC(bytes));
    return batches.length ? concatBatches(batches[0]!.schema, batches) : emptyBatch(schema);
  }
  const rows = await parquetReadObjects({ file: bytes.buffer as ArrayBuffer, compressors }) as Record<
    string,
    unknown
  >[];
  const converted: Row[] = rows.map((r) => {
    const o: Row = {};
    for (const f of schema) {
      const v = r[f.name];
      if (v === null || v === undefined) o[f.name] = null;
      else if (typeof v === "bigint") o[f.name] = Number(v);
      else if (v instanceof Date) {
        o[f.name] = f.type === "date" ? Math.floor(v.getTime() / 86_400_000) : v.getTime();
      } else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") o[f.name] = v;
      else throw new SchemaError(`Parquet column "${f.name}" holds an unsupported value in ${path}`);
    }
    return o;
  });
  return batchFromRows(schema, converted);
}
