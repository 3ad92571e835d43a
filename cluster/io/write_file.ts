/**
 * Writes one partition's batches to a file as Arrow IPC (file format), Parquet or CSV.
 *
 * @module
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import * as arrow from "apache-arrow";
import type { Batch, DataType, Schema } from "../batch.ts";
import { batchFromRows, concatBatches, emptyBatch, scalarAt } from "../batch_util.ts";
import { batchToArrowTable } from "../arrow_codec.ts";

/** Writes `batches` to `path`; returns the bytes written. */
export async function writeBatchesToFile(
  path: string,
  format: "arrow" | "parquet" | "csv",
  schema: Schema,
  batches: readonly Batch[],
): Promise<number> {
  const all = batches.length ? concatBatches(schema, batches) : emptyBatch(schema);
  const bytes = encodeFile(format, all);
  await Deno.writeFile(path, bytes);
  return bytes.byteLength;
}

export function encodeFile(format: "arrow" | "parquet" | "csv", batch: Batch): Uint8Array {
  switch (format) {
    case "arrow":
      return arrow.tableToIPC(batchToArrowTable(batch), "file");
    case "parquet":
      return new Uint8Array(
        parquetWriteBuffer(parquetColumns(batch) as unknown as Parameters<typeof parquetWriteBuffer>[0]),
      );
    case "csv":
      return new TextEncoder().encode(toCsv(batch));
  }
}

const PARQUET_TYPES: Record<DataType, { type: string; converted_type?: string }> = {
  double: { type: "DOUBLE" },
  long: { type: "INT64" },
  int: { type: "INT32" },
  bool: { type: "BOOLEAN" },
  string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  timestamp: { type: "INT64", converted_type: "TIMESTAMP_MILLIS" },
  date: { type: "INT32", converted_type: "DATE" },
};

/** Parquet schema elements (root first) and column values for hyparquet-writer. */
function parquetColumns(batch: Batch) {
  const schema = [
    { name: "root", num_children: batch.schema.length },
    ...batch.schema.map((f) => ({
      name: f.name,
      ...PARQUET_TYPES[f.type],
      repetition_type: f.nullable ? "OPTIONAL" : "REQUIRED",
    })),
  ];
  const columnData = batch.schema.map((f, j) => {
    const v = batch.columns[j]!;
    const data: (number | string | boolean | bigint | Date | null)[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const x = scalarAt(v, i);
      if (x === null) data[i] = null;
      else if (f.type === "long") data[i] = BigInt(x as number);
      else if (f.type === "timestamp") data[i] = new Date(x as number);
      else if (f.type === "date") data[i] = new Date((x as number) * 86_400_000);
      else data[i] = x;
    }
    return { name: f.name, data };
  });
  return { schema, columnData };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

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

export { batchFromRows };
