/**
 * Building, slicing, gathering and converting {@linkcode Batch}es.
 *
 * @module
 */
import { concatUtf8, sliceUtf8, takeUtf8, vecLength } from "./utf8_vec.ts";
import { SchemaError } from "../errors.ts";
import type { Batch, DataType, Field, Row, Scalar, Schema, Vec } from "./batch.ts";

/** Index of a column by name, or a `SchemaError` naming the available columns. */
export function columnIndex(schema: Schema, name: string): number {
  const i = schema.findIndex((f) => f.name === name);
  if (i < 0) {
    throw new SchemaError(
      `Cannot resolve column "${name}": available columns are ${schema.map((f) => `"${f.name}"`).join(", ")}`,
      { data: { column: name, available: schema.map((f) => f.name) } },
    );
  }
  return i;
}

/** The column named `name`. */
export function column(batch: Batch, name: string): Vec {
  return batch.columns[columnIndex(batch.schema, name)]!;
}

/** True when row `i` of `v` is null. */
export function isNull(v: Vec, i: number): boolean {
  return v.valid !== undefined && v.valid[i] === 0;
}

/** Value of row `i` as a plain scalar (`null` for nulls; bools as booleans). */
export function scalarAt(v: Vec, i: number): Scalar {
  if (isNull(v, i)) return null;
  if (v.type === "bool") return v.values[i] === 1;
  return v.values[i]!;
}

/** An empty vector of `type` with `length` slots (all valid). */
export function allocVec(type: DataType, length: number, withValidity = false): Vec {
  const valid = withValidity ? new Uint8Array(length).fill(1) : undefined;
  switch (type) {
    case "double":
    case "long":
    case "timestamp":
      return { type, values: new Float64Array(length), valid };
    case "int":
    case "date":
      return { type, values: new Int32Array(length), valid };
    case "bool":
      return { type, values: new Uint8Array(length), valid };
    case "string":
      return { type, values: new Array<string>(length).fill(""), valid };
  }
}

/** An empty batch with `schema`. */
export function emptyBatch(schema: Schema): Batch {
  return { schema, length: 0, columns: schema.map((f) => allocVec(f.type, 0)) };
}

/** Makes a batch, checking column count, types and lengths. */
export function makeBatch(schema: Schema, columns: readonly Vec[]): Batch {
  if (schema.length !== columns.length) {
    throw new SchemaError(`Batch has ${columns.length} columns but its schema has ${schema.length}`);
  }
  const length = columns[0] === undefined ? 0 : vecLength(columns[0]);
  columns.forEach((c, i) => {
    const f = schema[i]!;
    if (c.type !== f.type) {
      throw new SchemaError(`Column "${f.name}" is declared ${f.type} but holds ${c.type}`);
    }
    if (vecLength(c) !== length || (c.valid && c.valid.length !== length)) {
      throw new SchemaError(`Column "${f.name}" has ${vecLength(c)} rows, expected ${length}`);
    }
  });
  return { schema, length, columns };
}

/** Rows `indices` of `v`, in that order. */
export function takeVec(v: Vec, indices: ArrayLike<number>): Vec {
  const n = indices.length;
  let valid: Uint8Array | undefined;
  if (v.valid) {
    valid = new Uint8Array(n);
    for (let j = 0; j < n; j++) valid[j] = v.valid[indices[j]!]!;
  }
  switch (v.type) {
    case "double":
    case "long":
    case "timestamp": {
      const out = new Float64Array(n);
      for (let j = 0; j < n; j++) out[j] = v.values[indices[j]!]!;
      return { type: v.type, values: out, valid };
    }
    case "int":
    case "date": {
      const out = new Int32Array(n);
      for (let j = 0; j < n; j++) out[j] = v.values[indices[j]!]!;
      return { type: v.type, values: out, valid };
    }
    case "bool": {
      const out = new Uint8Array(n);
      for (let j = 0; j < n; j++) out[j] = v.values[indices[j]!]!;
      return { type: v.type, values: out, valid };
    }
    case "string": {
      if (v.utf8 !== undefined) return takeUtf8(v.utf8, indices, valid);
      const out = new Array<string>(n);
      for (let j = 0; j < n; j++) out[j] = v.values[indices[j]!]!;
      return { type: v.type, values: out, valid };
    }
  }
}

/** Rows `indices` of `batch`, in that order. */
export function takeRows(batch: Batch, indices: ArrayLike<number>): Batch {
  return {
    schema: batch.schema,
    length: indices.length,
    columns: batch.columns.map((c) => takeVec(c, indices)),
  };
}

/** Rows [start, end) of `batch` (views, no copy, for typed arrays). */
export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  const s = Math.max(0, Math.min(start, batch.length));
  const e = Math.max(s, Math.min(end, batch.length));
  const columns = batch.columns.map((c): Vec => {
    const valid = c.valid?.subarray(s, e);
    switch (c.type) {
      case "string":
        if (c.utf8 !== undefined) return sliceUtf8(c.utf8, s, e, valid);
        return { type: c.type, values: c.values.slice(s, e), valid };
      case "double":
      case "long":
      case "timestamp":
        return { type: c.type, values: c.values.subarray(s, e), valid };
      case "int":
      case "date":
        return { type: c.type, values: c.values.subarray(s, e), valid };
      case "bool":
        return { type: c.type, values: c.values.subarray(s, e), valid };
    }
  });
  return { schema: batch.schema, length: e - s, columns };
}

/** Concatenates vectors of one type. */
export function concatVecs(type: DataType, vecs: readonly Vec[]): Vec {
  let n = 0;
  let anyValid = false;
  for (const v of vecs) {
    if (v.type !== type) throw new SchemaError(`Cannot concatenate a ${v.type} column into a ${type} column`);
    n += vecLength(v);
    anyValid ||= v.valid !== undefined;
  }
  if (type === "string" && vecs.every((v) => v.type === "string" && v.utf8 !== undefined)) {
    let valid: Uint8Array | undefined;
    if (anyValid) {
      valid = new Uint8Array(n).fill(1);
      let at = 0;
      for (const v of vecs) {
        if (v.valid) valid.set(v.valid, at);
        at += vecLength(v);
      }
    }
    return concatUtf8(vecs, valid)!;
  }
  const out = allocVec(type, n, anyValid);
  let at = 0;
  for (const v of vecs) {
    const len = vecLength(v);
    if (out.type === "string") {
      const dst = out.values as string[];
      const src = v.values as readonly string[];
      for (let j = 0; j < len; j++) dst[at + j] = src[j]!;
    } else {
      (out.values as Float64Array).set(v.values as Float64Array, at);
    }
    if (out.valid && v.valid) out.valid.set(v.valid, at);
    at += len;
  }
  return out;
}

/** Concatenates batches with equal schemas (field names and types). */
export function concatBatches(schema: Schema, batches: readonly Batch[]): Batch {
  const nonEmpty = batches.filter((b) => b.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  for (const b of nonEmpty) assertSameSchema(schema, b.schema);
  return {
    schema,
    length: nonEmpty.reduce((a, b) => a + b.length, 0),
    columns: schema.map((f, i) => concatVecs(f.type, nonEmpty.map((b) => b.columns[i]!))),
  };
}

/** Throws `SchemaError` unless both schemas have the same names and types in order. */
export function assertSameSchema(expected: Schema, actual: Schema): void {
  const same = expected.length === actual.length &&
    expected.every((f, i) => f.name === actual[i]!.name && f.type === actual[i]!.type);
  if (!same) {
    throw new SchemaError(
      `Schema mismatch: expected (${schemaString(expected)}), got (${schemaString(actual)})`,
    );
  }
}

/** `name: type, ...` */
export function schemaString(schema: Schema): string {
  return schema.map((f) => `${f.name}: ${f.type}${f.nullable ? "?" : ""}`).join(", ");
}

/** Builds a batch from row objects (missing or `null` values become nulls). */
export function batchFromRows(schema: Schema, rows: readonly Row[]): Batch {
  const n = rows.length;
  const columns = schema.map((f: Field): Vec => {
    const v = allocVec(f.type, n, true);
    const valid = v.valid!;
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      const x = rows[i]![f.name];
      if (x === null || x === undefined) {
        valid[i] = 0;
        nulls++;
        continue;
      }
      if (v.type === "string") (v.values as string[])[i] = String(x);
      else if (v.type === "bool") v.values[i] = x === true || x === 1 ? 1 : 0;
      else {
        if (typeof x !== "number") {
          throw new SchemaError(`Column "${f.name}" is ${f.type} but row ${i} holds ${JSON.stringify(x)}`);
        }
        v.values[i] = x;
      }
    }
    return nulls === 0 ? { ...v, valid: undefined } as Vec : v;
  });
  return { schema, length: n, columns };
}

/** Rows as plain objects. */
export function batchToRows(batch: Batch): Row[] {
  const rows: Row[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const r: Row = {};
    batch.schema.forEach((f, j) => r[f.name] = scalarAt(batch.columns[j]!, i));
    rows[i] = r;
  }
  return rows;
}

/**
 * Total order over scalars used for deterministic sorting: nulls first, then booleans, numbers
 * (NaN after all numbers), strings (by UTF-16 code units).
 */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (a === b && (a !== 0 || Object.is(a, b))) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const ta = typeof a, tb = typeof b;
  if (ta !== tb) return RANK[ta]! - RANK[tb]!;
  if (ta === "number") {
    const x = a as number, y = b as number;
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return x < y
      ? -1
      : x > y
      ? 1
      : Object.is(x, -0) && Object.is(y, 0)
      ? -1
      : Object.is(x, 0) && Object.is(y, -0)
      ? 1
      : 0;
  }
  if (ta === "boolean") return a ? 1 : -1;
  return (a as string) < (b as string) ? -1 : 1;
}
const RANK: Record<string, number> = { boolean: 0, number: 1, string: 2 };

/** Sorts rows by every column in schema order: the canonical order for comparing results. */
export function canonicalRows(rows: readonly Row[]): Row[] {
  const keys = rows.length > 0 ? Object.keys(rows[0]!) : [];
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const c = compareScalars(a[k] ?? null, b[k] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Bytes held by a batch (approximate for strings: 2 bytes per UTF-16 unit). */
export function batchBytes(batch: Batch): number {
  let n = 0;
  for (const c of batch.columns) {
    if (c.type === "string" && c.utf8 !== undefined) n += c.utf8.data.byteLength + c.utf8.offsets.byteLength;
    else if (c.type === "string") { for (const s of c.values) n += 2 * s.length + 8; }
    else n += c.values.byteLength;
    if (c.valid) n += c.valid.byteLength;
  }
  return n;
}
