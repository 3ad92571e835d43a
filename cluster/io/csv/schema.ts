/**
 * The schema of a CSV file: declared (a JSON file validated with zod), or inferred from a sample.
 * Also the value grammar every CSV cell is read with, working on bytes:
 * - numbers: `[+-]digits[.digits][e[+-]digits]` (also `.5`, `5.`), surrounding spaces ignored;
 *   `int`/`long` accept any such number whose value is integral and in range (`1e+05` → 100000);
 * - bools: `true`/`false`/`1`/`0` (case-insensitive);
 * - dates: `yyyy-MM-dd` unless the field has a `format` (tokens `yyyy MM M dd d HH H mm ss SSS`,
 *   any other character literal); timestamps: ISO 8601 (`T` or space, optional seconds, fraction,
 *   `Z` or `±HH:mm`; no zone means UTC) unless a `format` is given (then UTC).
 *
 * @module
 */
import { z } from "zod";
import { SchemaError } from "../../errors.ts";
import { DATA_TYPES, type DataType, type Field, type Schema } from "../../columnar/batch.ts";
import { daysFromCivil, daysInMonth, MS_PER_DAY } from "../../util/civil_time.ts";
import { compileDialect, type CsvDialect, EV_BROKEN, readHeader, RecordReader } from "./scan.ts";

/** One column of a CSV file. */
export interface CsvField {
  /** Column name (the header must match it when the file has one). */
  readonly name: string;
  /** Type the cells are parsed as; a cell that does not parse quarantines its row. */
  readonly type: DataType;
  /** Whether empty cells are allowed (read as null). @default {true} */
  readonly nullable?: boolean;
  /** For `string` columns: the only values allowed. */
  readonly enum?: readonly string[];
  /** For `date` / `timestamp` columns: a pattern such as `dd/MM/yyyy`. */
  readonly format?: string;
}

/** The columns of a CSV file, in order. */
export interface CsvSchema {
  /** At least one field; names unique. */
  readonly fields: readonly CsvField[];
}

const fieldSchema = z.strictObject({
  name: z.string().min(1),
  type: z.enum(DATA_TYPES as [DataType, ...DataType[]]),
  nullable: z.boolean().optional(),
  enum: z.array(z.string()).min(1).optional(),
  format: z.string().min(1).optional(),
});
const csvSchemaSchema = z.strictObject({ fields: z.array(fieldSchema).min(1) }).superRefine((s, ctx) => {
  const seen = new Set<string>();
  s.fields.forEach((f, i) => {
    const path = ["fields", i];
    if (seen.has(f.name)) {
      ctx.addIssue({ code: "custom", path, message: `duplicate column name "${f.name}"` });
    }
    seen.add(f.name);
    if (f.enum !== undefined && f.type !== "string") {
      ctx.addIssue({ code: "custom", path, message: `"enum" needs type "string", not "${f.type}"` });
    }
    if (f.format !== undefined) {
      if (f.type !== "date" && f.type !== "timestamp") {
        ctx.addIssue({
          code: "custom",
          path,
          message: `"format" needs type "date" or "timestamp", not "${f.type}"`,
        });
      } else {
        try {
          compileDateFormat(f.format, f.type);
        } catch (e) {
          ctx.addIssue({ code: "custom", path, message: e instanceof Error ? e.message : String(e) });
        }
      }
    }
  });
});

/**
 * Validates an untrusted value as a {@linkcode CsvSchema}. Throws `SchemaError` listing every
 * problem as `path: message` (e.g. `fields.2.type: Invalid option: expected one of ...`).
 */
export function parseCsvSchema(value: unknown, source = "CSV schema"): CsvSchema {
  const r = csvSchemaSchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SchemaError(`Invalid ${source}: ${issues.join("; ")}`, { data: { issues } });
  }
  return {
    fields: r.data.fields.map((f) => ({
      name: f.name,
      type: f.type,
      ...(f.nullable === undefined ? {} : { nullable: f.nullable }),
      ...(f.enum === undefined ? {} : { enum: f.enum }),
      ...(f.format === undefined ? {} : { format: f.format }),
    })),
  };
}

/** Reads and validates a schema JSON file (`{ "fields": [{ "name", "type", ... }] }`). */
export async function loadCsvSchema(path: string | URL): Promise<CsvSchema> {
  const text = await Deno.readTextFile(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SchemaError(`Invalid CSV schema file ${String(path)}: not JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
  return parseCsvSchema(json, `CSV schema file ${String(path)}`);
}

/** The batch schema a CSV schema produces (`nullable` defaults to true). */
export function toBatchSchema(schema: CsvSchema): Schema {
  return schema.fields.map((f): Field => ({ name: f.name, type: f.type, nullable: f.nullable ?? true }));
}

/** Options of {@linkcode inferSchema}. */
export interface InferOptions extends CsvDialect {
  /** Records sampled after the header. @default {10000} */
  readonly sampleRows?: number;
  /** Set false when `bytes` is only a prefix of the file (a cut-off last record is ignored). @default {true} */
  readonly eof?: boolean;
}

const T_BOOL = 1, T_INT = 2, T_LONG = 4, T_DOUBLE = 8, T_DATE = 16, T_TIMESTAMP = 32;
const INFER_ORDER: readonly (readonly [number, DataType])[] = [
  [T_BOOL, "bool"],
  [T_INT, "int"],
  [T_LONG, "long"],
  [T_DOUBLE, "double"],
  [T_DATE, "date"],
  [T_TIMESTAMP, "timestamp"],
];

/**
 * Infers a schema from the first records: per column the narrowest of bool (true/false only),
 * int, long, double, date (`yyyy-MM-dd`), timestamp (ISO 8601) that fits every non-empty sampled
 * value, else string; integral numbers in any notation (`1e+05`) count as integers. Columns are
 * named by the header (blank names become `_c<i>`, repeats get `_<i>`), or `_c0`, `_c1`, ...
 * Records with broken quoting or a field count unlike the first record's are not sampled.
 * Every inferred field is nullable.
 */
export function inferSchema(bytes: Uint8Array, options: InferOptions = {}): CsvSchema {
  const m = compileDialect(options);
  const eof = options.eof ?? true;
  const sampleRows = options.sampleRows ?? 10_000;
  const header = readHeader(bytes, options, { eof });
  let names = header.names;
  let fits: number[] = [];
  let seen: boolean[] = [];
  const span = new RecordReader(m, { eof });
  const num = new NumberReader();
  let sampled = 0;
  for (let pos = header.dataStart; pos < bytes.length && sampled < sampleRows; pos = span.next) {
    if (!span.read(bytes, pos)) break;
    if (span.blank || (span.events & EV_BROKEN) !== 0) continue;
    if (names === undefined) names = Array.from({ length: span.fields }, (_, i) => `_c${i}`);
    if (fits.length === 0) {
      fits = names.map(() => T_BOOL | T_INT | T_LONG | T_DOUBLE | T_DATE | T_TIMESTAMP);
      seen = names.map(() => false);
    }
    if (span.fields !== names.length) continue;
    sampled++;
    for (let f = 0; f < span.fields; f++) {
      let a = span.bounds[3 * f]!;
      let b = span.bounds[3 * f + 1]!;
      if (a === b) continue; // unquoted empty: null
      seen[f] = true;
      if (bytes[a] === m.quote) {
        a++;
        b--;
        if (span.bounds[3 * f + 2] === 1) {
          fits[f] = 0;
          continue;
        }
      }
      let fit = fits[f]!;
      if (fit & T_BOOL && (b - a < 4 || readBool(bytes, a, b) < 0)) fit &= ~T_BOOL;
      if (fit & (T_INT | T_LONG | T_DOUBLE)) {
        const v = num.read(bytes, a, b) ? num.value : NaN;
        if (Number.isNaN(v)) fit &= ~(T_INT | T_LONG | T_DOUBLE);
        else if (!Number.isInteger(v)) fit &= ~(T_INT | T_LONG);
        else if (Math.abs(v) > Number.MAX_SAFE_INTEGER) fit &= ~(T_INT | T_LONG);
        else if (v > 2147483647 || v < -2147483648) fit &= ~T_INT;
      }
      if (fit & T_DATE && Number.isNaN(parseIsoDate(bytes, a, b))) fit &= ~T_DATE;
      if (fit & T_TIMESTAMP && Number.isNaN(parseIsoTimestamp(bytes, a, b))) fit &= ~T_TIMESTAMP;
      fits[f] = fit;
    }
  }
  if (names === undefined || names.length === 0) {
    throw new SchemaError("Cannot infer a CSV schema: the sample has no records");
  }
  const used = new Set<string>();
  const fields = names.map((raw, i): CsvField => {
    let name = raw === "" ? `_c${i}` : raw;
    if (used.has(name)) name = `${name}_${i}`;
    used.add(name);
    const fit = fits[i] ?? 0;
    const type = seen[i] ? INFER_ORDER.find(([bit]) => (fit & bit) !== 0)?.[1] ?? "string" : "string";
    return { name, type, nullable: true };
  });
  return { fields };
}

// ---------------------------------------------------------------- value grammar (on bytes)

const POW10 = [
  1,
  1e1,
  1e2,
  1e3,
  1e4,
  1e5,
  1e6,
  1e7,
  1e8,
  1e9,
  1e10,
  1e11,
  1e12,
  1e13,
  1e14,
  1e15,
  1e16,
  1e17,
  1e18,
  1e19,
  1e20,
  1e21,
  1e22,
];

/**
 * Parses decimal numbers from bytes, correctly rounded (exact fast path for up to 15 digits and
 * |exponent| <= 22, else `Number()`). Keeps the last value in {@linkcode NumberReader.value} so
 * a parse allocates nothing.
 */
export class NumberReader {
  /** The last number read. */
  value = 0;

  /** Parses `bytes[a, b)`; false when it is not a finite decimal number. */
  read(bytes: Uint8Array, a: number, b: number): boolean {
    while (a < b && (bytes[a] === 32 || bytes[a] === 9)) a++;
    while (b > a && (bytes[b - 1] === 32 || bytes[b - 1] === 9)) b--;
    const from = a;
    let neg = false;
    if (a < b && (bytes[a] === 45 || bytes[a] === 43)) neg = bytes[a++] === 45;
    let mant = 0;
    let digits = 0; // significant digits taken into mant
    let exp = 0;
    let any = false;
    let exact = true;
    for (; a < b; a++) {
      const d = bytes[a]! - 48;
      if (d < 0 || d > 9) break;
      any = true;
      if (digits < 15) {
        mant = mant * 10 + d;
        if (mant !== 0) digits++;
      } else {
        exact = false;
      }
    }
    if (a < b && bytes[a] === 46) {
      for (a++; a < b; a++) {
        const d = bytes[a]! - 48;
        if (d < 0 || d > 9) break;
        any = true;
        if (digits < 15) {
          mant = mant * 10 + d;
          if (mant !== 0) digits++;
          exp--;
        } else if (d !== 0) {
          exact = false;
        }
      }
    }
    if (!any) return false;
    if (a < b && (bytes[a] === 101 || bytes[a] === 69)) {
      a++;
      let eneg = false;
      if (a < b && (bytes[a] === 45 || bytes[a] === 43)) eneg = bytes[a++] === 45;
      if (a === b) return false;
      let e = 0;
      for (; a < b; a++) {
        const d = bytes[a]! - 48;
        if (d < 0 || d > 9) return false;
        if (e < 100_000) e = e * 10 + d;
      }
      exp += eneg ? -e : e;
    }
    if (a !== b) return false;
    if (exact && exp >= -22 && exp <= 22) {
      const v = exp >= 0 ? mant * POW10[exp]! : mant / POW10[-exp]!;
      this.value = neg ? -v : v;
      return true;
    }
    let text = "";
    for (let i = from; i < b; i++) text += String.fromCharCode(bytes[i]!);
    this.value = Number(text);
    return Number.isFinite(this.value);
  }
}

/** Parses a bool (`true`/`false`/`1`/`0`, case-insensitive): 1, 0, or -1 when it is not one. */
export function readBool(bytes: Uint8Array, a: number, b: number): number {
  const n = b - a;
  const lower = (i: number) => bytes[a + i]! | 0x20;
  if (n === 1) return bytes[a] === 49 ? 1 : bytes[a] === 48 ? 0 : -1;
  if (n === 4 && lower(0) === 116 && lower(1) === 114 && lower(2) === 117 && lower(3) === 101) return 1;
  if (
    n === 5 && lower(0) === 102 && lower(1) === 97 && lower(2) === 108 && lower(3) === 115 && lower(4) === 101
  ) return 0;
  return -1;
}

/** Parses `bytes[a, b)`: days since epoch for dates, ms since epoch for timestamps; NaN if invalid. */
export type DateParser = (bytes: Uint8Array, a: number, b: number) => number;

type Part = { kind: "y" | "M" | "d" | "H" | "m" | "s" | "S"; min: number; max: number } | {
  kind: "lit";
  byte: number;
};

const TOKENS: readonly (readonly [string, "y" | "M" | "d" | "H" | "m" | "s" | "S", number, number])[] = [
  ["yyyy", "y", 4, 4],
  ["MM", "M", 2, 2],
  ["M", "M", 1, 2],
  ["dd", "d", 2, 2],
  ["d", "d", 1, 2],
  ["HH", "H", 2, 2],
  ["H", "H", 1, 2],
  ["mm", "m", 2, 2],
  ["ss", "s", 2, 2],
  ["SSS", "S", 1, 9],
];

/** Compiles a date/timestamp `format` (or the ISO default when undefined). Throws `RangeError` if unusable. */
export function compileDateFormat(format: string | undefined, type: "date" | "timestamp"): DateParser {
  if (format === undefined) return type === "date" ? parseIsoDate : parseIsoTimestamp;
  const parts: Part[] = [];
  for (let i = 0; i < format.length;) {
    const tok = TOKENS.find(([t]) => format.startsWith(t, i));
    if (tok) {
      parts.push({ kind: tok[1], min: tok[2], max: tok[3] });
      i += tok[0].length;
    } else if (/[a-zA-Z]/.test(format[i]!) && "yMdHmsS".includes(format[i]!)) {
      throw new RangeError(
        `Cannot use date format ${JSON.stringify(format)}: bad token at ${JSON.stringify(format.slice(i))}`,
      );
    } else {
      const c = format.charCodeAt(i);
      if (c > 0x7f) {
        throw new RangeError(`Cannot use date format ${JSON.stringify(format)}: non-ASCII literal`);
      }
      parts.push({ kind: "lit", byte: c });
      i++;
    }
  }
  const kinds = new Set(parts.map((p) => p.kind));
  if (!kinds.has("y") || !kinds.has("M") || !kinds.has("d")) {
    throw new RangeError(`Cannot use date format ${JSON.stringify(format)}: it needs yyyy, MM and dd`);
  }
  if (type === "date" && ["H", "m", "s", "S"].some((k) => kinds.has(k as Part["kind"]))) {
    throw new RangeError(`Cannot use date format ${JSON.stringify(format)} for a date: it has a time of day`);
  }
  return (bytes, a, b) => {
    const v = { y: 0, M: 0, d: 0, H: 0, m: 0, s: 0, S: 0 };
    let i = a;
    for (const p of parts) {
      if (p.kind === "lit") {
        if (i >= b || bytes[i] !== p.byte) return NaN;
        i++;
        continue;
      }
      let n = 0;
      let len = 0;
      while (len < p.max && i < b && bytes[i]! >= 48 && bytes[i]! <= 57) {
        n = n * 10 + bytes[i++]! - 48;
        len++;
      }
      if (len < p.min) return NaN;
      v[p.kind] = p.kind === "S" ? Math.floor(n / 10 ** (len - 3)) : n;
    }
    if (i !== b) return NaN;
    return civil(
      v.y,
      v.M,
      v.d,
      type === "date" ? undefined : v.H * 3600_000 + v.m * 60_000 + v.s * 1000 + v.S,
      v,
    );
  };
}

function civil(y: number, mo: number, d: number, ms: number | undefined, t = { H: 0, m: 0, s: 0 }): number {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  if (t.H > 23 || t.m > 59 || t.s > 59) return NaN;
  const days = daysFromCivil(y, mo, d);
  return ms === undefined ? days : days * MS_PER_DAY + ms;
}

function digitsAt(bytes: Uint8Array, i: number, n: number, b: number): number {
  if (i + n > b) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = bytes[i + k]! - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  return v;
}

function parseIsoDate(bytes: Uint8Array, a: number, b: number): number {
  if (b - a !== 10 || bytes[a + 4] !== 45 || bytes[a + 7] !== 45) return NaN;
  const y = digitsAt(bytes, a, 4, b), mo = digitsAt(bytes, a + 5, 2, b), d = digitsAt(bytes, a + 8, 2, b);
  return y < 0 || mo < 0 || d < 0 ? NaN : civil(y, mo, d, undefined);
}

function parseIsoTimestamp(bytes: Uint8Array, a: number, b: number): number {
  const days = parseIsoDate(bytes, a, Math.min(b, a + 10));
  if (Number.isNaN(days)) return NaN;
  if (b === a + 10) return days * MS_PER_DAY;
  let i = a + 10;
  if (bytes[i] !== 84 && bytes[i] !== 32) return NaN;
  const H = digitsAt(bytes, i + 1, 2, b), m = bytes[i + 3] === 58 ? digitsAt(bytes, i + 4, 2, b) : -1;
  if (H < 0 || m < 0 || H > 23 || m > 59) return NaN;
  i += 6;
  let s = 0, ms = 0;
  if (i < b && bytes[i] === 58) {
    s = digitsAt(bytes, i + 1, 2, b);
    if (s < 0 || s > 59) return NaN;
    i += 3;
    if (i < b && bytes[i] === 46) {
      let frac = 0, len = 0;
      for (i++; i < b && bytes[i]! >= 48 && bytes[i]! <= 57; i++, len++) {
        if (len < 3) frac = frac * 10 + bytes[i]! - 48;
      }
      if (len === 0) return NaN;
      ms = frac * 10 ** (3 - Math.min(len, 3));
    }
  }
  let offset = 0;
  if (i < b && bytes[i] === 90) i++;
  else if (i < b && (bytes[i] === 43 || bytes[i] === 45)) {
    const sign = bytes[i] === 45 ? -1 : 1;
    const oh = digitsAt(bytes, i + 1, 2, b);
    const colon = i + 3 < b && bytes[i + 3] === 58 ? 1 : 0;
    const om = digitsAt(bytes, i + 3 + colon, 2, b);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
    offset = sign * (oh * 60 + om) * 60_000;
    i += 5 + colon;
  }
  if (i !== b) return NaN;
  return days * MS_PER_DAY + H * 3600_000 + m * 60_000 + s * 1000 + ms - offset;
}
