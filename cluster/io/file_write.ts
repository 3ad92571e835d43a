/**
 * Writes one partition's batches to a file as Arrow IPC (file format), Parquet (Snappy) or CSV.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import type { Batch, Schema } from "../columnar/batch.ts";
import { concatBatches, emptyBatch, scalarAt } from "../columnar/batch_ops.ts";
import { batchToArrowTable } from "../columnar/arrow_codec.ts";
import { encodeParquet } from "./parquet.ts";

/** Writes `batches` to `path`; returns the bytes written. */
export async function writeBatchesToFile(
  path: string,
  format: "arrow" | "parquet" | "csv",
  schema: Schema,
  batches: readonly Batch[],
): Promise<number> {
  const all = batches.length ? concatBatches(schema, batches) : emptyBatch(schema);
  const bytes = await encodeFile(format, all);
  await Deno.writeFile(path, bytes);
  return bytes.byteLength;
}

/** The bytes of a file holding `batch`. */
export async function encodeFile(format: "arrow" | "parquet" | "csv", batch: Batch): Promise<Uint8Array> {
  switch (format) {
    case "arrow":
      return arrow.tableToIPC(batchToArrowTable(batch), "file");
    case "parquet":
      return await encodeParquet(batch.schema, [batch]);
    case "csv":
      return new TextEncoder().encode(toCsv(batch));
  }
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 text with a header; timestamps as ISO-8601 UTC, dates as YYYY-MM-DD, nulls empty. */
export function toCsv(batch: Batch): string {
  const lines = [batch.schema.map((f) => csvField(f.name)).join(",")];
  for (let i = 0; i < batch.length; i++) {
    lines.push(
      batch.columns.map((c, j) => {
        const x = scalarAt(c, i);
        if (x === null) return "";
        if (batch.schema[j]!.type === "timestamp") return new Date(x as number).toISOString();
        if (batch.schema[j]!.type === "date") {
          return new Date((x as number) * 86_400_000).toISOString().slice(0, 10);
        }
        return csvField(String(x));
      }).join(","),
    );
  }
  return lines.join("\n") + "\n";
}
