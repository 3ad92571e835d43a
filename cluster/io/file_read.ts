/**
 * Reads whole Parquet and Arrow files into batches, and their schemas.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { SchemaError } from "../errors.ts";
import type { Batch, Schema } from "../columnar/batch.ts";
import { concatBatches, emptyBatch, schemaString } from "../columnar/batch_ops.ts";
import { arrowTableToBatches, fromArrowSchema } from "../columnar/arrow_codec.ts";
import { decodeParquet } from "./parquet.ts";

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
  return (await decodeParquet(bytes)).schema;
}

/** All rows of a file as one batch. */
export async function readFileBatch(path: string, format: FileFormat, schema: Schema): Promise<Batch> {
  const bytes = await Deno.readFile(path);
  const batches = format === "arrow"
    ? arrowTableToBatches(arrow.tableFromIPC(bytes))
    : (await decodeParquet(bytes)).batches;
  if (batches.length === 0) return emptyBatch(schema);
  const b = concatBatches(batches[0]!.schema, batches);
  const same = b.schema.length === schema.length &&
    b.schema.every((f, i) => f.name === schema[i]!.name && f.type === schema[i]!.type);
  if (!same) {
    throw new SchemaError(
      `"${path}" has columns (${schemaString(b.schema)}), expected (${schemaString(schema)})`,
    );
  }
  return b;
}
