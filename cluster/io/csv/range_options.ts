/**
 * What a CSV range task is told (its dialect, its entry, its parse options), and the decoders
 * that read those values back from `unknown` where they cross a boundary: the driver → executor
 * protocol and a remote client's logical plan. A bad value is a `MalformedMessageError` naming
 * its path (`task.launch: "node.entry.start" must be a non-negative integer`).
 *
 * @module
 */
import {
  at,
  bool,
  fail,
  field,
  nat,
  type Obj,
  obj,
  only,
  optional,
  str,
  type Where,
} from "../../../actors/decode.ts";
import { SchemaError } from "../../errors.ts";
import { compileDialect, type CsvDialect, type RangeEntry } from "./scan.ts";
import { type CsvSchema, parseCsvSchema } from "./schema.ts";

/** How one range of a CSV file is parsed (the `options` of a `csvRange` task). */
export interface CsvRangeOptions {
  /** How the file is written (separator, quote, header). */
  readonly dialect: CsvDialect;
  /** The columns each record is parsed into. */
  readonly schema: CsvSchema;
  /** Source name used in quarantine rows and errors. */
  readonly file: string;
  /** Throw `InvalidRowError` on the first malformed record instead of quarantining it. */
  readonly strict: boolean;
  /** The file is (or may be) gzip-compressed: it is read whole. */
  readonly gzip: boolean;
  /**
   * Parse without a scan phase: the range owns the records that start in [R(start), R(end)),
   * where R(x) is `findRecordStart` from x (the file's data start and end are their own R), and
   * quarantine lines count from 1 at R(start) (the reader adds each range's offset afterwards).
   */
  readonly fused?: boolean;
  /** Where the data starts (after the header): the first range's R. */
  readonly dataStart?: number;
  /** How far past the range's end to look for R(end). @default {RECORD_START_SEARCH_BYTES} */
  readonly searchBytes?: number;
}

const DIALECT_FIELDS = ["separator", "quote", "header", "maxQuotedNewlines"];
const ENTRY_FIELDS = ["start", "end", "state", "line"];
const OPTION_FIELDS = ["dialect", "schema", "file", "strict", "gzip", "fused", "dataStart", "searchBytes"];

/** A {@linkcode CsvDialect} from `u` at `w`: known fields of the right types, compilable. */
export function decodeCsvDialect(u: unknown, w: Where): CsvDialect {
  const o = obj(u, w);
  only(o, DIALECT_FIELDS);
  const out: { -readonly [K in keyof CsvDialect]: CsvDialect[K] } = {};
  const separator = optional(o, "separator", str);
  const quote = optional(o, "quote", str);
  const header = optional(o, "header", bool);
  const maxQuotedNewlines = optional(o, "maxQuotedNewlines", nat);
  if (separator !== undefined) out.separator = separator;
  if (quote !== undefined) out.quote = quote;
  if (header !== undefined) out.header = header;
  if (maxQuotedNewlines !== undefined) out.maxQuotedNewlines = maxQuotedNewlines;
  try {
    compileDialect(out);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) {
      throw fail(w, `is not a usable dialect: ${e.message}`);
    }
    throw e;
  }
  return out;
}

/** A {@linkcode RangeEntry} from `u` at `w`: `start <= end`, a state below `states`, line >= 1. */
export function decodeRangeEntry(u: unknown, w: Where, states = Number.MAX_SAFE_INTEGER): RangeEntry {
  const o = obj(u, w);
  only(o, ENTRY_FIELDS);
  const start = nat(o, "start"), end = nat(o, "end"), state = nat(o, "state"), line = nat(o, "line");
  if (end < start) throw fail(at(o, "end"), `must not be before "start" (${end} < ${start})`);
  if (state >= states) throw fail(at(o, "state"), `must be a state of the dialect's automaton (< ${states})`);
  if (line < 1) throw fail(at(o, "line"), "must be a line number (>= 1)");
  return { start, end, state, line };
}

/** {@linkcode CsvRangeOptions} from `u` at `w`; the schema is validated like a schema file. */
export function decodeCsvRangeOptions(u: unknown, w: Where): CsvRangeOptions {
  const o = obj(u, w);
  only(o, OPTION_FIELDS);
  const out: { -readonly [K in keyof CsvRangeOptions]: CsvRangeOptions[K] } = {
    dialect: decodeCsvDialect(o["dialect"], at(o, "dialect")),
    schema: decodeCsvSchema(o, "schema"),
    file: str(o, "file"),
    strict: bool(o, "strict"),
    gzip: bool(o, "gzip"),
  };
  const fused = optional(o, "fused", bool);
  const dataStart = optional(o, "dataStart", nat);
  const searchBytes = optional(o, "searchBytes", nat);
  if (fused !== undefined) out.fused = fused;
  if (dataStart !== undefined) out.dataStart = dataStart;
  if (searchBytes !== undefined) {
    if (searchBytes < 1) throw fail(at(o, "searchBytes"), "must be at least 1");
    out.searchBytes = searchBytes;
  }
  return out;
}

/** A range task's entry, checked against its options' dialect (the entry state must exist). */
export function decodeCsvRange(
  u: { entry: unknown; options: unknown },
  w: Where,
): { entry: RangeEntry; options: CsvRangeOptions } {
  obj(u.entry, at(w, "entry")); // an object first: the fields are read once the dialect is known
  const options = decodeCsvRangeOptions(u.options, at(w, "options"));
  const { states } = compileDialect(options.dialect);
  return { entry: decodeRangeEntry(u.entry, at(w, "entry"), states), options };
}

function decodeCsvSchema(o: Obj, key: string): CsvSchema {
  const w = at(o, key);
  field(o, key); // an object, or a named rejection
  try {
    return parseCsvSchema(o[key], "CSV schema");
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    const issues = e.data["issues"];
    throw fail(w, `is not a valid CSV schema: ${Array.isArray(issues) ? issues.join("; ") : e.message}`);
  }
}
