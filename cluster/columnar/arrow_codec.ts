/**
 * Batches as Arrow IPC: the shuffle and result format, and the bridge to user Arrow tables.
 *
 * Type mapping: `double`↔Float64, `long`↔Int64, `int`↔Int32, `bool`↔Bool, `string`↔Utf8,
 * `timestamp`↔Timestamp(ms, UTC), `date`↔Date(day). Foreign Arrow types convert to the closest
 * type (Int8/16, Uint8/16 → int; Uint32/Uint64 → long; Float16/32 → double; LargeUtf8, Utf8View and
 * Dictionary<…> → the value type; Timestamp(s/µs/ns) → timestamp; Date(ms) → date); anything else
 * is a `SchemaError` naming the column and the type.
 *
 * Decoding views the IPC buffer for Float64, Int32 and Date(day) columns (no copy) when the input
 * is 8-byte aligned. Strings stay Utf8 bytes until read (`utf8_vec.ts`); Int64, timestamps and
 * booleans convert on first read: a task pays only for the columns it uses.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { FrontierError, MalformedMessageError } from "../../actors/errors.ts";
import { SchemaError } from "../errors.ts";
import type { Batch, DataType, Field, Schema, Vec } from "./batch.ts";
import { allocVec, assertSameSchema, concatVecs, emptyBatch, takeVec } from "./batch_ops.ts";
import { decodeUtf8, materialize, utf8Of, utf8Vec } from "./utf8_vec.ts";
import { verifyStream } from "./ipc_verify.ts";

const TWO_32 = 4294967296;
const MS_PER_DAY = 86_400_000;

/** Encodes batches of `schema` as one Arrow IPC stream (schema only when `batches` is empty). */
export function encodeBatches(schema: Schema, batches: readonly Batch[]): Uint8Array {
  for (const b of batches) assertSameSchema(schema, b.schema);
  const arrowSchema = toArrowSchema(schema, batches);
  const records = batches.map((b) => toRecordBatch(arrowSchema, b));
  return arrow.tableToIPC(new arrow.Table(arrowSchema, records), "stream");
}

/**
 * Decodes an Arrow IPC stream. Garbage input raises `MalformedMessageError` (the framing and
 * metadata are verified first, so corrupt lengths cannot make Arrow allocate without bound).
 */
export function decodeBatches(bytes: Uint8Array): { schema: Schema; batches: Batch[] } {
  // Arrow views body buffers in place only when they are 8-byte aligned.
  const input = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  verifyStream(input);
  try {
    const reader = arrow.RecordBatchReader.from(input);
    reader.open();
    if (!reader.schema) {
      throw new MalformedMessageError(`Arrow IPC input (${bytes.byteLength} bytes) has no schema`);
    }
    const schema = fromArrowSchema(reader.schema);
    const batches: Batch[] = [];
    const dictionaries: Dictionaries = new Map();
    for (const rb of reader) {
      // A stream without record batches yields one placeholder (a RecordBatch subclass): skip it.
      if (Object.getPrototypeOf(rb) !== arrow.RecordBatch.prototype) continue;
      batches.push(fromRecordBatch(schema, rb, dictionaries));
    }
    return { schema, batches };
  } catch (e) {
    if (e instanceof FrontierError) throw e;
    throw new MalformedMessageError(`Cannot decode Arrow IPC (${bytes.byteLength} bytes): ${String(e)}`, {
      cause: e,
    });
  }
}

/** One batch as an Arrow table (for `toArrow()`). */
export function batchToArrowTable(batch: Batch): arrow.Table {
  const arrowSchema = toArrowSchema(batch.schema, [batch]);
  return new arrow.Table(arrowSchema, [toRecordBatch(arrowSchema, batch)]);
}

/** An Arrow table as batches, one per record batch (for `fromArrow()`). */
export function arrowTableToBatches(table: arrow.Table): Batch[] {
  const schema = fromArrowSchema(table.schema);
  const dictionaries: Dictionaries = new Map();
  return table.batches.map((rb) => fromRecordBatch(schema, rb, dictionaries));
}

/** The Frontier schema of an Arrow schema (`SchemaError` for unsupported types). */
export function fromArrowSchema(schema: arrow.Schema): Schema {
  return schema.fields.map((f): Field => ({
    name: f.name,
    type: dataTypeOf(f.name, f.type),
    nullable: f.nullable,
  }));
}

function dataTypeOf(name: string, t: arrow.DataType): DataType {
  if (arrow.DataType.isDictionary(t)) return dataTypeOf(name, t.dictionary);
  if (arrow.DataType.isFloat(t)) return "double";
  if (arrow.DataType.isInt(t)) return t.bitWidth < 32 || (t.bitWidth === 32 && t.isSigned) ? "int" : "long";
  if (arrow.DataType.isBool(t)) return "bool";
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t) || arrow.DataType.isUtf8View(t)) {
    return "string";
  }
  if (arrow.DataType.isTimestamp(t)) return "timestamp";
  if (arrow.DataType.isDate(t)) return "date";
  throw new SchemaError(`Column "${name}" has unsupported Arrow type ${String(t)}`, {
    data: { column: name, arrowType: String(t) },
  });
}

function arrowTypeOf(t: DataType): arrow.DataType {
  switch (t) {
    case "double":
      return new arrow.Float64();
    case "long":
      return new arrow.Int64();
    case "int":
      return new arrow.Int32();
    case "bool":
      return new arrow.Bool();
    case "string":
      return new arrow.Utf8();
    case "timestamp":
      return new arrow.TimestampMillisecond("UTC");
    case "date":
      return new arrow.DateDay();
  }
}

function toArrowSchema(schema: Schema, batches: readonly Batch[]): arrow.Schema {
  return new arrow.Schema(schema.map((f, i) => {
    const hasNulls = batches.some((b) => countNulls(b.columns[i]!.valid, b.length) > 0);
    return new arrow.Field(f.name, arrowTypeOf(f.type), f.nullable || hasNulls);
  }));
}

function toRecordBatch(schema: arrow.Schema, batch: Batch): arrow.RecordBatch {
  const children = batch.columns.map((v, i) => vecToData(schema.fields[i]!, v, batch.length));
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: batch.length,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, data);
}

function vecToData(field: arrow.Field, v: Vec, n: number): arrow.Data {
  const nullCount = countNulls(v.valid, n);
  const nullBitmap = nullCount > 0 ? packBits(v.valid!, n) : undefined;
  const base = { length: n, nullCount, nullBitmap };
  switch (v.type) {
    case "double":
      return arrow.makeData({ ...base, type: new arrow.Float64(), data: v.values.subarray(0, n) });
    case "int":
      return arrow.makeData({ ...base, type: new arrow.Int32(), data: v.values.subarray(0, n) });
    case "date":
      return arrow.makeData({ ...base, type: new arrow.DateDay(), data: v.values.subarray(0, n) });
    case "long":
      return arrow.makeData({ ...base, type: new arrow.Int64(), data: toInt64(field.name, v, n) });
    case "timestamp":
      return arrow.makeData({
        ...base,
        type: field.type as arrow.TimestampMillisecond,
        data: toInt64(field.name, v, n),
      });
    case "bool":
      return arrow.makeData({ ...base, type: new arrow.Bool(), data: packBits(v.values, n) });
    case "string": {
      const { offsets, data } = utf8Of(v, n);
      return arrow.makeData({ ...base, type: new arrow.Utf8(), valueOffsets: offsets, data });
    }
  }
}

function countNulls(valid: Uint8Array | undefined, n: number): number {
  if (!valid) return 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) nulls += valid[i] === 0 ? 1 : 0;
  return nulls;
}

/** 0/1 bytes → LSB-first bitmap. */
function packBits(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(((n + 63) >> 6) << 3);
  const full = n >> 3;
  for (let j = 0; j < full; j++) {
    const i = j << 3;
    out[j] = (bytes[i]! & 1) | ((bytes[i + 1]! & 1) << 1) | ((bytes[i + 2]! & 1) << 2) |
      ((bytes[i + 3]! & 1) << 3) | ((bytes[i + 4]! & 1) << 4) | ((bytes[i + 5]! & 1) << 5) |
      ((bytes[i + 6]! & 1) << 6) | ((bytes[i + 7]! & 1) << 7);
  }
  for (let i = full << 3; i < n; i++) out[i >> 3]! |= (bytes[i]! & 1) << (i & 7);
  return out;
}

/** LSB-first bitmap starting at bit `offset` → 0/1 bytes. */
function unpackBits(bits: Uint8Array, offset: number, n: number): Uint8Array {
  if (bits.byteLength * 8 < offset + n) {
    throw new MalformedMessageError(`Bitmap of ${bits.byteLength} bytes is too short for ${n} rows`);
  }
  const out = new Uint8Array(n);
  if ((offset & 7) === 0) {
    const base = offset >> 3;
    const full = n >> 3;
    for (let j = 0; j < full; j++) {
      const b = bits[base + j]!, i = j << 3;
      out[i] = b & 1;
      out[i + 1] = (b >> 1) & 1;
      out[i + 2] = (b >> 2) & 1;
      out[i + 3] = (b >> 3) & 1;
      out[i + 4] = (b >> 4) & 1;
      out[i + 5] = (b >> 5) & 1;
      out[i + 6] = (b >> 6) & 1;
      out[i + 7] = (b >> 7) & 1;
    }
    for (let i = full << 3; i < n; i++) out[i] = (bits[base + (i >> 3)]! >> (i & 7)) & 1;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    out[i] = (bits[k >> 3]! >> (k & 7)) & 1;
  }
  return out;
}

/** Float64 integers → little-endian int64 (null slots become 0; a valid slot beyond ±2^53 is an error). */
function toInt64(name: string, v: Vec & { values: Float64Array }, n: number): BigInt64Array {
  const values = v.values, valid = v.valid;
  const out = new BigInt64Array(n);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = Math.trunc(values[i]!);
    if (!(x >= -9007199254740992 && x <= 9007199254740992)) {
      if (valid && valid[i] === 0) continue;
      throw new SchemaError(`Column "${name}" row ${i} holds ${values[i]}, not a ${v.type} within ±2^53`, {
        data: { column: name, row: i },
      });
    }
    const hi = Math.floor(x / TWO_32);
    words[2 * i] = (x - hi * TWO_32) | 0;
    words[2 * i + 1] = hi;
  }
  return out;
}

/** Decoded dictionaries, so batches sharing one decode it once. */
type Dictionaries = Map<arrow.Vector, Vec>;

function fromRecordBatch(schema: Schema, rb: arrow.RecordBatch, dictionaries: Dictionaries): Batch {
  const n = rb.numRows;
  const children = rb.data.children;
  if (children.length !== schema.length) {
    throw new MalformedMessageError(
      `Record batch has ${children.length} columns, schema has ${schema.length}`,
    );
  }
  if (n === 0) return emptyBatch(schema);
  const columns = schema.map((f, i) => {
    const d = children[i]!;
    if (d.length !== n) {
      throw new MalformedMessageError(`Column "${f.name}" has ${d.length} rows, expected ${n}`);
    }
    return dataToVec(f, d, dictionaries);
  });
  return { schema, length: n, columns };
}

function validityOf(d: arrow.Data): Uint8Array | undefined {
  const bitmap = d.nullBitmap;
  if (!bitmap || bitmap.byteLength === 0 || d.nullCount === 0) return undefined;
  return unpackBits(bitmap, d.offset, d.length);
}

function need(values: { length: number } | undefined, n: number, f: Field): void {
  if (!values || values.length < n) {
    throw new MalformedMessageError(`Column "${f.name}" has ${values?.length ?? 0} values, expected ${n}`);
  }
}

function dataToVec(f: Field, d: arrow.Data, dictionaries: Dictionaries): Vec {
  const t: arrow.DataType = d.type;
  const n = d.length;
  const valid = validityOf(d);
  if (arrow.DataType.isDictionary(t)) return dictionaryToVec(f, d, valid, dictionaries);
  if (arrow.DataType.isFloat(t)) {
    need(d.values, n, f);
    if (t.precision === arrow.Precision.DOUBLE) {
      return { type: "double", values: (d.values as Float64Array).subarray(0, n), valid };
    }
    const values = new Float64Array(n);
    if (t.precision === arrow.Precision.SINGLE) values.set((d.values as Float32Array).subarray(0, n));
    else for (let i = 0; i < n; i++) values[i] = halfToFloat((d.values as Uint16Array)[i]!);
    return { type: "double", values, valid };
  }
  if (arrow.DataType.isInt(t)) {
    need(d.values, n, f);
    if (t.bitWidth === 64) {
      const raw = d.values, signed = t.isSigned;
      return lazyVec("long", valid, () => int64ToF64(f, raw, n, signed, valid));
    }
    const src = (d.values as Int32Array).subarray(0, n);
    if (t.bitWidth === 32 && t.isSigned) return { type: "int", values: src, valid };
    if (t.bitWidth === 32) return { type: "long", values: Float64Array.from(src), valid };
    return { type: "int", values: Int32Array.from(src), valid };
  }
  if (arrow.DataType.isBool(t)) {
    need(d.values, (d.offset + n + 7) >> 3, f);
    const bits = d.values as Uint8Array, offset = d.offset;
    return lazyVec("bool", valid, () => unpackBits(bits, offset, n));
  }
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) {
    need(d.valueOffsets, n + 1, f);
    const bytes = d.values as Uint8Array;
    if (d.valueOffsets instanceof Int32Array) {
      return utf8Vec({ offsets: d.valueOffsets.subarray(0, n + 1), data: bytes }, valid, f.name);
    }
    return { type: "string", values: decodeUtf8(f.name, d.valueOffsets, bytes, n), valid };
  }
  if (arrow.DataType.isTimestamp(t)) {
    need(d.values, n, f);
    const raw = d.values as BigInt64Array, unit = t.unit;
    return lazyVec("timestamp", valid, () => timestampToMs(f, raw, unit, n, valid));
  }
  if (arrow.DataType.isDate(t)) {
    need(d.values, n, f);
    if (t.unit === arrow.DateUnit.DAY) {
      return { type: "date", values: (d.values as Int32Array).subarray(0, n), valid };
    }
    const ms = int64ToF64(f, d.values, n, true, valid);
    const values = new Int32Array(n);
    for (let i = 0; i < n; i++) values[i] = Math.floor(ms[i]! / MS_PER_DAY);
    return { type: "date", values, valid };
  }
  // Utf8View and anything else the schema accepted: go through Arrow's accessors.
  const vector = arrow.makeVector(d);
  const values = new Array<string>(n);
  for (let i = 0; i < n; i++) values[i] = String(vector.get(i) ?? "");
  return { type: "string", values, valid };
}

function dictionaryToVec(
  f: Field,
  d: arrow.Data,
  valid: Uint8Array | undefined,
  dictionaries: Dictionaries,
): Vec {
  const dict = d.dictionary;
  if (!dict) throw new MalformedMessageError(`Dictionary column "${f.name}" has no dictionary`);
  let values = dictionaries.get(dict);
  if (!values) {
    const chunks = dict.data.map((c) =>
      dataToVec({ ...f, type: dataTypeOf(f.name, c.type) }, c, dictionaries)
    );
    values = concatVecs(f.type, chunks);
    dictionaries.set(dict, values);
  }
  const n = d.length, size = values.values.length;
  need(d.values, n, f);
  const raw = d.values as Int32Array;
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (valid && valid[i] === 0) continue;
    const k = Number(raw[i]!);
    if (!(k >= 0 && k < size)) {
      throw new MalformedMessageError(
        `Column "${f.name}" row ${i}: dictionary index ${k} out of range [0, ${size})`,
      );
    }
    indices[i] = k;
  }
  if (size === 0) return { ...allocVec(f.type, n), valid: new Uint8Array(n) } as Vec; // all null
  // Strings expand by reference (one shared string per dictionary entry), never by copying the
  // entry's bytes per row: a small dictionary payload must not decode into gigabytes.
  let out: Vec;
  if (values.type === "string") {
    const strs = values.values, dv = values.valid;
    const expanded = new Array<string>(n);
    const dvalid = dv === undefined ? undefined : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = indices[i]!;
      expanded[i] = strs[k]!;
      if (dvalid !== undefined) dvalid[i] = dv![k]!;
    }
    out = { type: "string", values: expanded, valid: dvalid };
  } else out = takeVec(values, indices);
  if (!valid) return out;
  const merged = out.valid ? out.valid.map((x, i) => x & valid[i]!) : valid;
  return { ...out, valid: merged } as Vec;
}

/**
 * A vector whose values are converted from the Arrow buffers on first read: a task that never
 * touches a 64-bit or boolean column pays nothing for it (errors such as an out-of-range long
 * surface on that read).
 */
function lazyVec(
  type: "long" | "timestamp" | "bool",
  valid: Uint8Array | undefined,
  make: () => Float64Array | Uint8Array,
): Vec {
  return {
    type,
    valid,
    get values() {
      return materialize(this, make());
    },
  } as Vec;
}

/** Int64/Uint64 → Float64, rejecting values beyond ±2^53 in non-null slots. */
function int64ToF64(
  f: Field,
  raw: unknown,
  n: number,
  signed: boolean,
  valid: Uint8Array | undefined,
): Float64Array {
  const src = raw as BigInt64Array;
  const words = new Int32Array(src.buffer, src.byteOffset, 2 * n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]! >>> 0, hi = words[2 * i + 1]!;
    const safe = signed
      ? (hi >= -2097152 && hi < 2097152) || (hi === 2097152 && lo === 0)
      : (hi >>> 0) < 2097152 ||
        ((hi >>> 0) === 2097152 && lo === 0);
    if (!safe) {
      if (valid && valid[i] === 0) continue;
      throw new SchemaError(
        `Column "${f.name}" row ${i} holds ${src[i]}, beyond the exactly representable range ±2^53 of long`,
        { data: { column: f.name, row: i } },
      );
    }
    out[i] = (signed ? hi : hi >>> 0) * TWO_32 + lo;
  }
  return out;
}

function timestampToMs(
  f: Field,
  raw: BigInt64Array,
  unit: arrow.TimeUnit,
  n: number,
  valid: Uint8Array | undefined,
): Float64Array {
  if (unit === arrow.TimeUnit.MILLISECOND) return int64ToF64(f, raw, n, true, valid);
  if (unit === arrow.TimeUnit.SECOND) return int64ToF64(f, raw, n, true, valid).map((s) => s * 1000);
  const per = unit === arrow.TimeUnit.MICROSECOND ? 1000n : 1000000n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = raw[i]!;
    const q = x / per;
    out[i] = Number(x < 0n && q * per !== x ? q - 1n : q);
  }
  return out;
}

/** IEEE half → double. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
