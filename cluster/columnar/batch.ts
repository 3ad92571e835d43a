/**
 * The in-memory columnar batch every operator works on. Numbers live in typed arrays; strings in
 * plain arrays. Batches are immutable once built. On the wire a batch is Arrow IPC
 * (see `arrow_codec.ts`).
 *
 * @module
 */

/**
 * Logical types.
 * - `double`: Float64.
 * - `long`: 64-bit integer, held in a Float64Array (exact up to 2^53; larger values are rejected).
 * - `int`: Int32.
 * - `bool`: Uint8Array of 0/1.
 * - `string`: UTF-8 text.
 * - `timestamp`: milliseconds since the Unix epoch (UTC), held in a Float64Array.
 * - `date`: days since the Unix epoch, held in an Int32Array.
 */
export type DataType = "double" | "long" | "int" | "bool" | "string" | "timestamp" | "date";

/** Every {@linkcode DataType}, for validating names that arrive as text. */
export const DATA_TYPES: readonly DataType[] = [
  "double",
  "long",
  "int",
  "bool",
  "string",
  "timestamp",
  "date",
];

/** A named, typed column of a {@linkcode Schema}. */
export interface Field {
  /** Column name, unique within its schema. */
  readonly name: string;
  /** Logical type of the values. */
  readonly type: DataType;
  /** Whether the column may hold nulls. */
  readonly nullable: boolean;
}

/** The columns of a dataset or batch, in order. */
export type Schema = readonly Field[];

/** A column's values. `valid[i] === 0` marks a null; absent `valid` means no nulls. */
export type Vec =
  | {
    readonly type: "double" | "long" | "timestamp";
    readonly values: Float64Array;
    readonly valid?: Uint8Array | undefined;
  }
  | { readonly type: "int" | "date"; readonly values: Int32Array; readonly valid?: Uint8Array | undefined }
  | { readonly type: "bool"; readonly values: Uint8Array; readonly valid?: Uint8Array | undefined }
  | {
    readonly type: "string";
    readonly values: readonly string[];
    readonly valid?: Uint8Array | undefined;
    /** The same strings as Arrow Utf8 buffers, when the column came as bytes (see `utf8_vec.ts`). */
    readonly utf8?: Utf8Buffers | undefined;
  };

/** Arrow Utf8 layout: row i is `data[offsets[i], offsets[i + 1])`, valid UTF-8. */
export interface Utf8Buffers {
  /** `length + 1` byte offsets into `data`, non-decreasing. */
  readonly offsets: Int32Array;
  /** The UTF-8 bytes of every row, back to back. */
  readonly data: Uint8Array;
}

/** Rows held column by column: what generators yield and `Dataset.collectBatch` returns. */
export interface Batch {
  /** The columns' names and types. */
  readonly schema: Schema;
  /** Number of rows. */
  readonly length: number;
  /** One per schema field, same order, each `length` long. */
  readonly columns: readonly Vec[];
}

/** A scalar as it appears in rows handed to users (`collect`). Timestamps and dates are numbers. */
export type Scalar = number | string | boolean | null;

/** A row as a plain object keyed by column name. */
export type Row = Record<string, Scalar>;
