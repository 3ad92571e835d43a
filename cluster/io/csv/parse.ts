/**
 * Parsing of partitioned CSV reading: {@linkcode parseRange} turns the records of one byte range
 * (those from its first independent record start, or, on the scan path, those that start inside
 * it) into a columnar {@linkcode Batch}, and every malformed record into a {@linkcode QuarantineRow}
 * (or an `InvalidRowError` in strict mode). {@linkcode readCsvBytes} runs the two-phase scan path
 * in-process: the oracle the one-pass cluster reading is tested against, and the reader for small
 * files.
 *
 * Each record is judged on its own, in this order: broken quoting, invalid UTF-8, field count,
 * then each field left to right (empty value in a non-nullable column, unparsable number, bool or
 * date, value outside the enum). Empty cells are null, except that a quoted empty `""` in a
 * string column is the empty string. Reconciliation: `rowsRead = batch.length + quarantine.length`.
 *
 * @module
 */
import { InvalidRowError, SchemaError } from "../../errors.ts";
import type { Batch, Row, Schema, Vec } from "../../columnar/batch.ts";
import { batchFromRows, concatBatches } from "../../columnar/batch_ops.ts";
import { utf8Vec } from "../../columnar/utf8_vec.ts";
import {
  asciiText,
  chainScans,
  compileDialect,
  type CsvDialect,
  type CsvMachine,
  EV_AFTER_CLOSE,
  EV_BROKEN,
  EV_HIGH,
  EV_OVERFLOW,
  EV_STRAY_QUOTE,
  findRecordStart,
  type RangeEntry,
  readHeader,
  RECORD_START,
  RecordReader,
  scanRange,
  splitRanges,
} from "./scan.ts";
import {
  compileDateFormat,
  type CsvSchema,
  type DateParser,
  inferSchema,
  NumberReader,
  readBool,
  toBatchSchema,
} from "./schema.ts";

/** Why a record was quarantined. */
export type QuarantineReason =
  | "broken_quoting"
  | "invalid_utf8"
  | "wrong_field_count"
  | "missing_value"
  | "unparsable_number"
  | "unparsable_bool"
  | "unparsable_date"
  | "not_in_enum";

/** A malformed record, kept aside with where it came from and why. */
export interface QuarantineRow {
  readonly file: string;
  /** 1-based physical line where the record starts. */
  readonly line: number;
  /** The record's text (terminator excluded; invalid UTF-8 shown as U+FFFD). */
  readonly raw: string;
  readonly reason: QuarantineReason;
  /** The column at fault, when there is one. */
  readonly column?: string;
  /** e.g. `bank-full.csv line 1042, column "age": expected int, got "4x2"`. */
  readonly message: string;
}

/** Options of {@linkcode parseRange}. */
export interface CsvParseOptions extends CsvDialect {
  readonly schema: CsvSchema;
  /** Source name used in quarantine rows and errors. @default {"<csv>"} */
  readonly file?: string;
  /** Throw `InvalidRowError` on the first malformed record instead of quarantining it. @default {false} */
  readonly strict?: boolean;
  /**
   * Whether `bytes` ends where the file ends. With false, a record running past the end of
   * `bytes` throws `RangeError` (read a longer window and retry). @default {true}
   */
  readonly eof?: boolean;
}

/** What one range produced. `rowsRead === batch.length + quarantine.length`. */
export interface RangeResult {
  readonly batch: Batch;
  readonly quarantine: QuarantineRow[];
  readonly rowsRead: number;
  /** The line number after the last record (`entry.line` + the LF bytes the records spanned). */
  readonly nextLine: number;
}

const K_STRING = 0, K_INT = 1, K_LONG = 2, K_DOUBLE = 3, K_BOOL = 4, K_DATE = 5, K_TIMESTAMP = 6;
const KINDS = {
  string: K_STRING,
  int: K_INT,
  long: K_LONG,
  double: K_DOUBLE,
  bool: K_BOOL,
  date: K_DATE,
  timestamp: K_TIMESTAMP,
};

interface Column {
  readonly name: string;
  readonly kind: number;
  readonly nullable: boolean;
  readonly expected: string;
  readonly parseDate: DateParser | undefined;
  /** Enum values as UTF-8, with a cheap key per value (see {@linkcode enumKey}). */
  readonly enumTable: EnumTable | undefined;
  readonly enumSet: ReadonlySet<string> | undefined;
  // One array per representation, so every access is monomorphic; unused ones stay empty.
  f64: Float64Array;
  i32: Int32Array;
  u8: Uint8Array;
  /** String columns as Arrow Utf8: `sOff` (capacity + 1) into `sData[0, sLen)`. */
  sOff: Int32Array;
  sData: Uint8Array;
  sLen: number;
  /** Validity, allocated (and `nulls` set) at the first null. */
  valid: Uint8Array;
  nulls: boolean;
}

/** Where rows are written: row `n` of `cols` (each `capacity` long) from `bytes`. */
interface RowWriter {
  readonly bytes: Uint8Array;
  readonly m: CsvMachine;
  readonly cols: Column[];
  readonly num: NumberReader;
  capacity: number;
  n: number;
  /** `bytes[textStart, textEnd)` decoded; `textOk` when each byte became one UTF-16 unit (ASCII). */
  text: string;
  textStart: number;
  textEnd: number;
  textOk: boolean;
  /** Recently made short strings by hash of their bytes. */
  readonly interned: (string | undefined)[];
  /** The quote character, and doubled. */
  readonly quoteText: string;
  readonly quotes: string;
}

const TEXT_WINDOW = 1 << 16;
const INTERN_BITS = 12;

/**
 * The text of `bytes[a, b)` within the current record. Decodes 64 KiB windows in one call and
 * cuts fields out with `substring` (far cheaper than one decode per field) when the window is
 * ASCII, where byte offsets are character offsets; otherwise decodes the field alone.
 */
function sliceText(w: RowWriter, span: RecordReader, a: number, b: number): string {
  if (span.start < w.textStart || span.end > w.textEnd) {
    const end = Math.min(w.bytes.length, Math.max(span.end, span.start + TEXT_WINDOW));
    w.text = lenient.decode(w.bytes.subarray(span.start, end));
    w.textStart = span.start;
    w.textEnd = end;
    w.textOk = w.text.length === end - span.start;
  }
  if (w.textOk) {
    if (b - a > 16) return w.text.substring(a - w.textStart, b - w.textStart);
    // Short values repeat (categories): reuse the string instead of allocating another.
    const bytes = w.bytes;
    let h = 0x811c9dc5;
    for (let i = a; i < b; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
    const slot = h >>> (32 - INTERN_BITS);
    const cached = w.interned[slot];
    if (cached !== undefined && cached.length === b - a) {
      let k = 0;
      while (k < b - a && cached.charCodeAt(k) === bytes[a + k]) k++;
      if (k === b - a) return cached;
    }
    return w.interned[slot] = w.text.substring(a - w.textStart, b - w.textStart);
  }
  return asciiText(w.bytes, a, b) ?? lenient.decode(w.bytes.subarray(a, b));
}

interface Problem {
  readonly reason: QuarantineReason;
  readonly message: string;
  readonly column?: string;
}

const encoder = new TextEncoder();
const lenient = new TextDecoder();
const fatal = new TextDecoder("utf-8", { fatal: true });

function planColumns(schema: CsvSchema, capacity: number, stringBytes: number): Column[] {
  return schema.fields.map((f) => {
    const kind = KINDS[f.type];
    const shown = f.enum?.slice(0, 12).map((v) => JSON.stringify(v)).join(", ");
    const expected = f.enum !== undefined
      ? `one of ${shown}${f.enum.length > 12 ? `, ... (${f.enum.length} values)` : ""}`
      : f.format !== undefined
      ? `${f.type} (${f.format})`
      : f.type;
    return {
      name: f.name,
      kind,
      nullable: f.nullable ?? true,
      expected,
      parseDate: f.type === "date" || f.type === "timestamp"
        ? compileDateFormat(f.format, f.type)
        : undefined,
      enumTable: f.enum === undefined ? undefined : enumTable(f.enum),
      enumSet: f.enum === undefined ? undefined : new Set(f.enum),
      f64: new Float64Array(kind === K_LONG || kind === K_DOUBLE || kind === K_TIMESTAMP ? capacity : 0),
      i32: new Int32Array(kind === K_INT || kind === K_DATE ? capacity : 0),
      u8: new Uint8Array(kind === K_BOOL ? capacity : 0),
      sOff: new Int32Array(kind === K_STRING ? capacity + 1 : 0),
      sData: new Uint8Array(kind === K_STRING ? stringBytes : 0),
      sLen: 0,
      valid: new Uint8Array(0),
      nulls: false,
    };
  });
}

function grow(cols: Column[], capacity: number): void {
  const widen = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    if (a.length === 0) return a;
    const next = make(capacity);
    next.set(a);
    return next;
  };
  for (const c of cols) {
    c.f64 = widen(c.f64, (n) => new Float64Array(n));
    c.i32 = widen(c.i32, (n) => new Int32Array(n));
    c.u8 = widen(c.u8, (n) => new Uint8Array(n));
    c.valid = widen(c.valid, (n) => new Uint8Array(n));
    c.sOff = widen(c.sOff, (n) => new Int32Array(n + 1));
  }
}

/** Enum values as UTF-8 in a small open-addressing hash table keyed by {@linkcode enumKey}. */
interface EnumTable {
  /** Slot → 1 + value index, 0 when empty. */
  readonly slots: Int32Array;
  readonly shift: number;
  readonly keys: Int32Array;
  readonly bytes: readonly Uint8Array[];
  readonly values: readonly string[];
}

/** Length, first and last byte of `bytes[a, b)` packed in one int: most enum values differ in it. */
function enumKey(bytes: Uint8Array, a: number, b: number): number {
  return b === a ? 0 : (b - a) | (bytes[a]! << 16) | (bytes[b - 1]! << 24);
}

function enumTable(values: readonly string[]): EnumTable {
  const bytes = values.map((v) => encoder.encode(v));
  const keys = Int32Array.from(bytes, (b) => enumKey(b, 0, b.length));
  let bits = 2;
  while (1 << bits < 4 * values.length) bits++;
  const slots = new Int32Array(1 << bits);
  const shift = 32 - bits;
  keys.forEach((key, i) => {
    let h = Math.imul(key, 0x9e3779b1) >>> shift;
    while (slots[h] !== 0) h = (h + 1) & (slots.length - 1);
    slots[h] = i + 1;
  });
  return { slots, shift, keys, bytes, values };
}

/** The index of the enum value spelled by `bytes[a, b)`, or -1. */
function matchEnum(t: EnumTable, bytes: Uint8Array, a: number, b: number): number {
  const key = enumKey(bytes, a, b);
  const { slots, keys } = t;
  const mask = slots.length - 1;
  for (let h = Math.imul(key, 0x9e3779b1) >>> t.shift;; h = (h + 1) & mask) {
    const i = slots[h]! - 1;
    if (i < 0) return -1;
    if (keys[i] !== key) continue;
    const eb = t.bytes[i]!;
    let k = 1;
    while (k < eb.length - 1 && bytes[a + k] === eb[k]) k++;
    if (k >= eb.length - 1) return i;
  }
}

/**
 * Phase 2: parses the records that start in `[entry.start, entry.end)` (entered in
 * `entry.state`, first line `entry.line`, both from `chainScans`), reading past `entry.end` to
 * finish the last one. Positions are indices into `bytes`, which may be a window of the file.
 */
export function parseRange(bytes: Uint8Array, entry: RangeEntry, options: CsvParseOptions): RangeResult {
  const m = compileDialect(options);
  if (entry.start < 0 || entry.end < entry.start || entry.end > bytes.length) {
    throw new RangeError(
      `Cannot parse bytes [${entry.start}, ${entry.end}) of a ${bytes.length}-byte buffer`,
    );
  }
  if (!Number.isInteger(entry.state) || entry.state < 0 || entry.state >= m.states) {
    throw new RangeError(`Cannot parse from state ${entry.state}: the dialect has ${m.states} states`);
  }
  const file = options.file ?? "<csv>";
  const eof = options.eof ?? true;
  const nFields = options.schema.fields.length;
  const capacity = estimateRows(bytes, entry, nFields);
  // A string column starts with its share of the range's bytes and doubles when it needs more.
  const cols = planColumns(options.schema, capacity, 64 + Math.ceil((entry.end - entry.start) / nFields));
  const quoteText = m.quote < 0 ? "" : String.fromCharCode(m.quote);
  const w: RowWriter = {
    bytes,
    m,
    cols,
    num: new NumberReader(),
    capacity,
    n: 0,
    text: "",
    textStart: 0,
    textEnd: 0,
    textOk: false,
    quoteText,
    quotes: quoteText + quoteText,
    interned: new Array<string | undefined>(1 << INTERN_BITS).fill(undefined),
  };
  const quarantine: QuarantineRow[] = [];
  const span = new RecordReader(m, { eof });
  const { table, classes } = m;
  let pos = entry.start;
  let state = entry.state;
  let line = entry.line;
  while (state !== RECORD_START && pos < entry.end) {
    const b = bytes[pos++]!;
    state = table[(state << 3) | classes[b]!]! & 0xffff;
    if (b === 10) line++;
  }
  let rowsRead = 0;
  while (pos < entry.end) {
    if (bytes[pos] === 10) {
      pos++;
      line++;
      continue;
    }
    if (!span.read(bytes, pos)) {
      throw new RangeError(
        `Cannot finish the ${file} record at line ${line}: it runs past byte ${bytes.length}`,
      );
    }
    if (!span.blank) {
      rowsRead++;
      if (w.n === w.capacity) grow(cols, w.capacity *= 2);
      const problem = convertRecord(w, span);
      if (problem === undefined) w.n++;
      else {
        const message = `${file} line ${line}${
          problem.column === undefined ? "" : `, column "${problem.column}"`
        }: ${problem.message}`;
        const raw = lenient.decode(bytes.subarray(span.start, span.end));
        if (options.strict) {
          throw new InvalidRowError(message, {
            data: { file, line, column: problem.column ?? null, reason: problem.reason, raw },
          });
        }
        quarantine.push({
          file,
          line,
          raw,
          reason: problem.reason,
          ...(problem.column === undefined ? {} : { column: problem.column }),
          message,
        });
      }
    }
    line += span.newlines;
    pos = span.next;
  }
  const columns = cols.map((c) => finishColumn(c, w.n));
  return {
    batch: { schema: toBatchSchema(options.schema), length: w.n, columns },
    quarantine,
    rowsRead,
    nextLine: line,
  };
}

/**
 * Rows to allocate for a range: its size over the mean record length of its first 64 KiB (plus
 * 10%), so buffers are neither grown nor mostly empty; capped at 2^20 (they grow past it).
 */
function estimateRows(bytes: Uint8Array, entry: RangeEntry, nFields: number): number {
  const size = entry.end - entry.start;
  const probe = bytes.subarray(entry.start, Math.min(entry.end, entry.start + (1 << 16)));
  let lines = 0;
  for (let i = probe.indexOf(10); i >= 0; i = probe.indexOf(10, i + 1)) lines++;
  const perRecord = lines > 0 ? probe.length / lines : 4 * nFields + 8;
  return Math.max(16, Math.min(1 << 20, Math.ceil((1.1 * size) / perRecord) + 16));
}

/** A view when the buffer is mostly used (the batch is usually encoded and dropped), else a compact copy. */
function trim<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  return (n >= 0.8 * a.length ? a.subarray(0, n) : a.slice(0, n)) as T;
}

function finishColumn(c: Column, n: number): Vec {
  const valid = c.nulls && c.valid.subarray(0, n).indexOf(0) >= 0 ? trim(c.valid, n) : undefined;
  switch (c.kind) {
    case K_STRING:
      return utf8Vec({ offsets: trim(c.sOff, n + 1), data: trim(c.sData, c.sOff[n]!) }, valid, c.name);
    case K_INT:
    case K_DATE:
      return { type: c.kind === K_INT ? "int" : "date", values: trim(c.i32, n), valid };
    case K_BOOL:
      return { type: "bool", values: trim(c.u8, n), valid };
    default: {
      const type = c.kind === K_LONG ? "long" : c.kind === K_DOUBLE ? "double" : "timestamp";
      return { type, values: trim(c.f64, n), valid };
    }
  }
}

/**
 * Appends `src[a, b)` as row `n` of string column `c`; with `quote` ≥ 0, each doubled quote
 * is written once.
 */
function appendString(c: Column, n: number, src: Uint8Array, a: number, b: number, quote: number): void {
  let at = c.sOff[n]!;
  if (at + (b - a) > c.sData.length) {
    const next = new Uint8Array(Math.max(2 * c.sData.length, at + (b - a)));
    next.set(c.sData.subarray(0, at));
    c.sData = next;
  }
  const out = c.sData;
  if (quote < 0) {
    if (b - a < 48) { for (let i = a; i < b; i++) out[at++] = src[i]!; }
    else {
      out.set(src.subarray(a, b), at);
      at += b - a;
    }
  } else {
    for (let i = a; i < b; i++) {
      const x = src[i]!;
      out[at++] = x;
      if (x === quote) i++;
    }
  }
  c.sOff[n + 1] = at;
}

function brokenMessage(events: number): string {
  if (events & EV_STRAY_QUOTE) return "broken quoting: a quote inside an unquoted field";
  if (events & EV_AFTER_CLOSE) return "broken quoting: text after a closing quote";
  if (events & EV_OVERFLOW) {
    return "broken quoting: a quoted field runs over too many lines (unterminated quote?)";
  }
  return "broken quoting: a quoted field is not closed before the end of the file";
}

function shown(bytes: Uint8Array, span: RecordReader, f: number): string {
  const text = span.text(bytes, f);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

/** Writes record `span` as row `n` of `cols`; returns the first problem instead when there is one. */
function convertRecord(w: RowWriter, span: RecordReader): Problem | undefined {
  const { bytes, cols, m, n, num } = w;
  const events = span.events;
  if (events & EV_BROKEN) return { reason: "broken_quoting", message: brokenMessage(events) };
  if (events & EV_HIGH) {
    try {
      fatal.decode(bytes.subarray(span.start, span.end));
    } catch {
      return { reason: "invalid_utf8", message: "invalid UTF-8" };
    }
  }
  if (span.fields !== cols.length) {
    return { reason: "wrong_field_count", message: `expected ${cols.length} fields, got ${span.fields}` };
  }
  const bounds = span.bounds;
  const quote = m.quote;
  for (let f = 0; f < cols.length; f++) {
    const c = cols[f]!;
    let a = bounds[3 * f]!;
    let b = bounds[3 * f + 1]!;
    const isQuoted = a < b && bytes[a] === quote;
    if (isQuoted) {
      a++;
      b--;
    }
    if (a === b && (!isQuoted || c.kind !== K_STRING)) {
      if (!c.nullable) {
        return {
          reason: "missing_value",
          column: c.name,
          message: `expected ${c.expected}, got an empty value`,
        };
      }
      if (!c.nulls) {
        c.nulls = true;
        c.valid = new Uint8Array(w.capacity);
        c.valid.fill(1, 0, n);
      }
      c.valid[n] = 0;
      if (c.kind === K_STRING) c.sOff[n + 1] = c.sOff[n]!;
      else if (c.kind === K_INT || c.kind === K_DATE) c.i32[n] = 0;
      else if (c.kind === K_BOOL) c.u8[n] = 0;
      else c.f64[n] = 0;
      continue;
    }
    if (c.nulls) c.valid[n] = 1;
    let ok = true;
    let v: number;
    switch (c.kind) {
      case K_STRING: {
        const escaped = isQuoted && bounds[3 * f + 2] === 1;
        let from = bytes, fa = a, fb = b;
        if (c.enumTable !== undefined) {
          let k: number;
          if (escaped) {
            const text = sliceText(w, span, a, b).replaceAll(w.quotes, w.quoteText);
            k = c.enumTable.values.indexOf(text);
          } else k = matchEnum(c.enumTable, bytes, a, b);
          if (k < 0) {
            return {
              reason: "not_in_enum",
              column: c.name,
              message: `expected ${c.expected}, got ${shown(bytes, span, f)}`,
            };
          }
          from = c.enumTable.bytes[k]!;
          fa = 0;
          fb = from.length;
        }
        appendString(c, n, from, fa, fb, escaped && c.enumTable === undefined ? m.quote : -1);
        break;
      }
      case K_INT: {
        // Plain decimal integers (the common case) without the general number grammar.
        let i = bytes[a] === 45 ? a + 1 : a;
        if (i < b && b - i <= 9) {
          let x = 0;
          for (; i < b; i++) {
            const d = bytes[i]! - 48;
            if (d < 0 || d > 9) break;
            x = x * 10 + d;
          }
          if (i === b) {
            c.i32[n] = bytes[a] === 45 ? -x : x;
            break;
          }
        }
        ok = num.read(bytes, a, b) && Number.isInteger(num.value) && num.value <= 2147483647 &&
          num.value >= -2147483648;
        c.i32[n] = num.value;
        break;
      }
      case K_LONG:
        ok = num.read(bytes, a, b) && Number.isInteger(num.value) &&
          Math.abs(num.value) <= Number.MAX_SAFE_INTEGER;
        c.f64[n] = num.value;
        break;
      case K_DOUBLE:
        ok = num.read(bytes, a, b);
        c.f64[n] = num.value;
        break;
      case K_BOOL:
        v = readBool(bytes, a, b);
        ok = v >= 0;
        c.u8[n] = v;
        break;
      default:
        v = c.parseDate!(bytes, a, b);
        ok = !Number.isNaN(v);
        if (c.kind === K_DATE) c.i32[n] = v;
        else c.f64[n] = v;
    }
    if (!ok) {
      const reason = c.kind === K_BOOL
        ? "unparsable_bool"
        : c.kind === K_DATE || c.kind === K_TIMESTAMP
        ? "unparsable_date"
        : "unparsable_number";
      return { reason, column: c.name, message: `expected ${c.expected}, got ${shown(bytes, span, f)}` };
    }
  }
  return undefined;
}

/**
 * `SchemaError.data.reason` of a range read without a scan phase that found no record start
 * within {@linkcode RECORD_START_SEARCH_BYTES} of its edge; the reader then scans the file first.
 */
export const NO_RECORD_START = "csv_no_record_start";

/**
 * How far past a range's end its reader looks for where the next range's records begin. Real
 * files settle within a record or two; quoting that keeps two readings alive longer than this
 * (e.g. every line `"a`) makes the read fall back to the scan instead of each range reading the
 * rest of the file.
 */
export const RECORD_START_SEARCH_BYTES = 16 << 20;

/**
 * The records a range owns when ranges are parsed without a scan phase: those starting in
 * [R(start), R(end)), where R(x) is {@linkcode findRecordStart} from x — except that the data's
 * first byte and the file's end are their own R. Positions are in `bytes`, a window that begins
 * at or before `range.start`. `undefined` when the window ends before R(end) is known (read a
 * longer one); with `eof`, a missing R is the end of the bytes (the range owns no record).
 */
export function ownRecords(
  bytes: Uint8Array,
  range: { readonly start: number; readonly end: number },
  machine: CsvMachine,
  options: { readonly first: boolean; readonly last: boolean; readonly eof: boolean },
): { start: number; end: number } | undefined {
  const a = options.first ? range.start : findRecordStart(bytes, range.start, machine)?.pos;
  const b = options.last ? range.end : findRecordStart(bytes, range.end, machine)?.pos;
  if ((a === undefined || b === undefined) && !options.eof) return undefined;
  const start = a ?? bytes.length;
  return { start, end: Math.max(start, b ?? bytes.length) };
}

/**
 * Quarantine rows (a batch of {@linkcode QUARANTINE_SCHEMA}) whose lines were counted from 1 at
 * their range's first record, moved by `offset`: the line column and the `"<file> line N"` that
 * starts each message.
 */
export function offsetQuarantineLines(b: Batch, offset: number, file: string): Batch {
  if (offset === 0 || b.length === 0) return b;
  const li = b.schema.findIndex((f) => f.name === "line");
  const mi = b.schema.findIndex((f) => f.name === "message");
  const lineVec = b.columns[li], messageVec = b.columns[mi];
  if (lineVec?.type !== "long" || messageVec?.type !== "string") {
    throw new SchemaError("Cannot renumber quarantine lines: expected a long line and a string message");
  }
  const lines = new Float64Array(b.length);
  const messages = new Array<string>(b.length);
  for (let i = 0; i < b.length; i++) {
    const line = lineVec.values[i]!;
    const prefix = `${file} line ${line}`;
    const message = messageVec.values[i]!;
    lines[i] = line + offset;
    messages[i] = message.startsWith(prefix)
      ? `${file} line ${line + offset}${message.slice(prefix.length)}`
      : message;
  }
  const columns = b.columns.slice();
  columns[li] = { type: "long", values: lines };
  columns[mi] = { type: "string", values: messages };
  return { schema: b.schema, length: b.length, columns };
}

/** Options of {@linkcode readCsvBytes}. */
export interface CsvReadOptions extends Omit<CsvParseOptions, "schema" | "eof"> {
  /** The schema; inferred from the first records when absent. */
  readonly schema?: CsvSchema;
  /** Byte ranges to split the data into (each scanned and parsed separately). @default {1} */
  readonly ranges?: number;
}

/** Everything read from one file. `rowsRead === rowsValid + quarantine.length`. */
export interface CsvReadResult {
  readonly schema: CsvSchema;
  /** One batch per range, in file order. */
  readonly batches: Batch[];
  /** All ranges' batches concatenated. */
  readonly batch: Batch;
  readonly quarantine: QuarantineRow[];
  readonly rowsRead: number;
  readonly rowsValid: number;
}

/**
 * Reads a whole (uncompressed) CSV buffer in-process with the same phases the cluster runs:
 * header, schema (given or inferred), scan per range, chain, parse per range.
 * Throws `SchemaError` when the header does not match a given schema.
 *
 * @example
 * ```ts
 * import { readCsvBytes } from "./parse.ts";
 * const csv = new TextEncoder().encode('n;s\n1e+05;"a;b"\n2;"say ""hi"""\nx;c\n');
 * const r = readCsvBytes(csv, { separator: ";", schema: { fields: [{ name: "n", type: "int" }, { name: "s", type: "string" }] }, ranges: 2 });
 * r.rowsRead; // 3 = r.rowsValid (2) + r.quarantine.length (1: line 4, "unparsable_number")
 * ```
 */
export function readCsvBytes(bytes: Uint8Array, options: CsvReadOptions = {}): CsvReadResult {
  const header = readHeader(bytes, options);
  const schema = options.schema ?? inferSchema(bytes, options);
  const file = options.file ?? "<csv>";
  if (header.names !== undefined) checkHeader(header.names, schema, file);
  const m = compileDialect(options);
  const scans = splitRanges(header.dataStart, bytes.length, options.ranges ?? 1).map((r) =>
    scanRange(bytes, r, m)
  );
  const results = chainScans(scans, { line: header.dataLine }).map((e) =>
    parseRange(bytes, e, { ...options, schema, file })
  );
  const batches = results.map((r) => r.batch);
  const batch = concatBatches(toBatchSchema(schema), batches);
  return {
    schema,
    batches,
    batch,
    quarantine: results.flatMap((r) => r.quarantine),
    rowsRead: results.reduce((s, r) => s + r.rowsRead, 0),
    rowsValid: batch.length,
  };
}

/** Throws `SchemaError` unless the header names are the schema's names, in order. */
export function checkHeader(names: readonly string[], schema: CsvSchema, file = "<csv>"): void {
  const want = schema.fields.map((f) => f.name);
  if (names.length !== want.length) {
    throw new SchemaError(`${file}: the header has ${names.length} columns, the schema ${want.length}`, {
      data: { file, header: [...names], schema: want },
    });
  }
  names.forEach((name, i) => {
    if (name !== want[i]) {
      throw new SchemaError(
        `${file}: header column ${i + 1} is ${JSON.stringify(name)}, the schema expects ${
          JSON.stringify(want[i])
        }`,
        {
          data: { file, header: [...names], schema: want },
        },
      );
    }
  });
}

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a gzip buffer (gzip is not splittable: decompress, then read as one range). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const view = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length);
  const stream = ReadableStream.from<BufferSource>([view]).pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Reads a CSV file (gzip-compressed when its bytes say so, then as one range). Quarantine rows
 * and errors name the file by its base name unless `options.file` is given.
 */
export async function readCsvFile(path: string | URL, options: CsvReadOptions = {}): Promise<CsvReadResult> {
  let bytes: Uint8Array = await Deno.readFile(path);
  const name = (path instanceof URL ? path.pathname : path).split(/[\\/]/).pop() ?? String(path);
  const gz = isGzip(bytes);
  if (gz) bytes = await gunzip(bytes);
  return readCsvBytes(bytes, { ...options, file: options.file ?? name, ...(gz ? { ranges: 1 } : {}) });
}

/** The schema of {@linkcode quarantineToBatch}'s output. */
export const QUARANTINE_SCHEMA: Schema = [
  { name: "file", type: "string", nullable: false },
  { name: "line", type: "long", nullable: false },
  { name: "reason", type: "string", nullable: false },
  { name: "column", type: "string", nullable: true },
  { name: "message", type: "string", nullable: false },
  { name: "raw", type: "string", nullable: false },
];

/** One row per CSV range: the LF bytes its records spanned (for numbering quarantine lines). */
export const CSV_META_SCHEMA: Schema = [{ name: "lines", type: "long", nullable: false }];

/** Quarantine rows as a batch (for writing them out like any other table). */
export function quarantineToBatch(rows: readonly QuarantineRow[]): Batch {
  return batchFromRows(QUARANTINE_SCHEMA, rows.map((r): Row => ({ ...r, column: r.column ?? null })));
}
