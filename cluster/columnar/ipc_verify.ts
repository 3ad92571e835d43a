/**
 * Arrow IPC stream verification. Arrow JS trusts the lengths inside IPC metadata (flatbuffers): a
 * corrupt vector length makes it loop and allocate until the process dies. Before decoding, every
 * message's framing and every table, string and vector its reader touches is checked to lie
 * inside the input.
 *
 * @module
 */
import { MalformedMessageError } from "../../actors/errors.ts";

/** Bounds-checked reads over one flatbuffer (`[start, end)` of the input). */
class Flat {
  readonly #view: DataView;
  readonly #start: number;
  readonly #end: number;
  constructor(view: DataView, start: number, end: number) {
    this.#view = view;
    this.#start = start;
    this.#end = end;
  }
  #check(pos: number, size: number): number {
    if (!(pos >= this.#start && pos + size <= this.#end)) {
      throw malformedIpc(`metadata offset ${pos} out of bounds`);
    }
    return pos;
  }
  /** Position of the root table. */
  root(): number {
    return this.deref(this.#start);
  }
  /** Follows the unsigned offset stored at `pos`. */
  deref(pos: number): number {
    return this.#check(pos + this.#view.getUint32(this.#check(pos, 4), true), 1);
  }
  /** Position of field `slot` of the table at `table`, or undefined when absent. */
  field(table: number, slot: number, size: number): number | undefined {
    const vt = table - this.#view.getInt32(this.#check(table, 4), true);
    const vtSize = this.#view.getUint16(this.#check(vt, 4), true);
    this.#check(vt, vtSize);
    if (vtSize < 4 + 2 * slot + 2) return undefined;
    const off = this.#view.getUint16(vt + 4 + 2 * slot, true);
    return off === 0 ? undefined : this.#check(table + off, size);
  }
  /** The table, string or vector a field points to, or undefined when absent. */
  ref(table: number, slot: number): number | undefined {
    const at = this.field(table, slot, 4);
    return at === undefined ? undefined : this.deref(at);
  }
  u8(table: number, slot: number): number {
    const at = this.field(table, slot, 1);
    return at === undefined ? 0 : this.#view.getUint8(at);
  }
  /** A non-negative int64 field below 2^53. */
  u53(table: number, slot: number): number {
    const at = this.field(table, slot, 8);
    return at === undefined ? 0 : this.u53At(at);
  }
  /** A non-negative int64 below 2^53 at `at`. */
  u53At(at: number): number {
    this.#check(at, 8);
    const lo = this.#view.getUint32(at, true), hi = this.#view.getInt32(at + 4, true);
    if (hi < 0 || hi >= 2097152) throw malformedIpc(`length ${hi * 2 ** 32 + lo} out of range`);
    return hi * 2 ** 32 + lo;
  }
  /** Length of the vector at `pos` with `size`-byte elements (checked to fit). */
  vector(pos: number, size: number): number {
    const n = this.#view.getUint32(this.#check(pos, 4), true);
    this.#check(pos + 4, n * size);
    return n;
  }
  /** Each table of the vector of tables at `pos`. */
  tables(pos: number | undefined, visit: (table: number) => void): void {
    if (pos === undefined) return;
    const n = this.vector(pos, 4);
    for (let i = 0; i < n; i++) visit(this.deref(pos + 4 + 4 * i));
  }
}

function malformedIpc(problem: string): MalformedMessageError {
  return new MalformedMessageError(`Malformed Arrow IPC stream: ${problem}`);
}

const MAX_FIELD_DEPTH = 64;

/** Checks the stream framing and each message's metadata (`MalformedMessageError` if not sound). */
export function verifyStream(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let first = true;
  while (pos < bytes.length) {
    if (pos + 4 > bytes.length) throw malformedIpc(`truncated message header at byte ${pos}`);
    let len = view.getInt32(pos, true);
    let meta = pos + 4;
    if (len === -1) {
      if (pos + 8 > bytes.length) throw malformedIpc(`truncated message header at byte ${pos}`);
      len = view.getInt32(pos + 4, true);
      meta = pos + 8;
    }
    if (len === 0) break;
    if (len < 0 || meta + len > bytes.length) {
      throw malformedIpc(`message at byte ${pos} claims ${len} bytes`);
    }
    const flat = new Flat(view, meta, meta + len);
    const msg = flat.root();
    const type = flat.u8(msg, 1);
    const header = flat.ref(msg, 2);
    if (header === undefined || type < 1 || type > 3 || (first && type !== 1)) {
      throw malformedIpc(`unexpected message type ${type} at byte ${pos}`);
    }
    flat.tables(flat.ref(msg, 4), (kv) => verifyKeyValue(flat, kv));
    const body = flat.u53(msg, 3);
    if (type === 1) verifySchema(flat, header);
    else verifyRecordBatch(flat, type === 2 ? flat.ref(header, 1) : header, body);
    pos = meta + len + body;
    if (pos > bytes.length) throw malformedIpc(`message body of ${body} bytes runs past the end`);
    first = false;
  }
  if (first) throw malformedIpc("no schema message");
}

function verifyKeyValue(flat: Flat, kv: number): void {
  for (const slot of [0, 1]) {
    const str = flat.ref(kv, slot);
    if (str !== undefined) flat.vector(str, 1);
  }
}

function verifySchema(flat: Flat, schema: number): void {
  flat.tables(flat.ref(schema, 1), (f) => verifyField(flat, f, 1));
  flat.tables(flat.ref(schema, 2), (kv) => verifyKeyValue(flat, kv));
  const features = flat.ref(schema, 3);
  if (features !== undefined) flat.vector(features, 8);
}

function verifyField(flat: Flat, field: number, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) throw malformedIpc(`fields nested deeper than ${MAX_FIELD_DEPTH}`);
  const name = flat.ref(field, 0);
  if (name !== undefined) flat.vector(name, 1);
  const type = flat.ref(field, 3);
  if (type !== undefined) {
    const kind = flat.u8(field, 2);
    const inner = kind === 10 ? flat.ref(type, 1) : kind === 14 ? flat.ref(type, 1) : undefined;
    if (inner !== undefined) flat.vector(inner, kind === 10 ? 1 : 4); // Timestamp zone; Union type ids
    flat.field(type, 0, 1);
  }
  const dictionary = flat.ref(field, 4);
  if (dictionary !== undefined) {
    const index = flat.ref(dictionary, 1);
    if (index !== undefined) flat.field(index, 0, 4);
  }
  flat.tables(flat.ref(field, 5), (child) => verifyField(flat, child, depth + 1));
  flat.tables(flat.ref(field, 6), (kv) => verifyKeyValue(flat, kv));
}

/**
 * Checks a record batch's vectors, and that its row counts are possible for its body: every
 * supported column needs at least one bit per row, so a corrupt length cannot make Arrow build
 * (and fill) huge placeholder buffers.
 */
function verifyRecordBatch(flat: Flat, batch: number | undefined, body: number): void {
  if (batch === undefined) throw malformedIpc("dictionary batch without data");
  const variadic = flat.ref(batch, 4);
  if (variadic !== undefined) flat.vector(variadic, 8);
  const buffers = flat.ref(batch, 2);
  if (buffers !== undefined) flat.vector(buffers, 16);
  const compression = flat.ref(batch, 3);
  if (compression !== undefined) flat.field(compression, 0, 1);
  const nodes = flat.ref(batch, 1);
  const count = nodes === undefined ? 0 : flat.vector(nodes, 16);
  if (count === 0 || compression !== undefined) return; // compressed bodies can be arbitrarily small
  const maxRows = 8 * body + 64;
  const length = flat.u53(batch, 0);
  if (length > maxRows) throw malformedIpc(`record batch of ${length} rows in a ${body}-byte body`);
  for (let i = 0; i < count; i++) {
    const rows = flat.u53At(nodes! + 4 + 16 * i), nulls = flat.u53At(nodes! + 12 + 16 * i);
    if (rows > maxRows || nulls > rows) throw malformedIpc(`field node of ${rows} rows and ${nulls} nulls`);
  }
}
