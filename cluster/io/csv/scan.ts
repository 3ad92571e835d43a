/**
 * Record boundaries of a CSV file, found in parallel.
 *
 * One deterministic finite automaton decides where records and fields end. It is a table
 * `(state, byte class) → next state | events`, shared by every path, so the boundaries found by
 * any split of the file into byte ranges are exactly those of one pass over the whole file.
 *
 * The main path is one pass: {@linkcode findRecordStart} runs the automaton from EVERY possible
 * state at once from a range's first byte; where all paths have merged at a record start, no
 * earlier byte can change what follows, so each executor starts there and parses up to the next
 * range's start (`parse.ts`), without any coordination.
 *
 * The scan path is kept for strict mode (its error must name the line at once) and for files whose
 * quoting never settles near a range edge:
 * 1. {@linkcode scanRange} (per range, in parallel) runs the automaton from every entry state and
 *    reports each one's exit state plus the range's newline count.
 * 2. {@linkcode chainScans} (driver, O(ranges)) chains those maps from the file start to learn
 *    each range's true entry state and first physical line number.
 * 3. `parseRange` (`parse.ts`, per range) parses the records that START in its range, reading
 *    past the range end to finish the last one.
 *
 * Quoting follows RFC 4180 (`""` inside a quoted field is one quote), with recovery rules that
 * are part of the automaton and so identical in every phase:
 * - a quote inside an unquoted field is kept as text and marks the record broken;
 * - text after a closing quote (other than a separator, LF or CR LF) is kept as unquoted text
 *   and marks the record broken;
 * - a quoted field may hold at most `maxQuotedNewlines` newlines; the next LF ends the record
 *   (marked broken), so one stray quote cannot swallow the rest of the file;
 * - a quoted field still open at the end of the file marks the record broken.
 *
 * Records end at LF; a CR just before the LF belongs to the terminator. Empty lines (and lines
 * holding only CR) are skipped and are not rows.
 *
 * @module
 */

/** How a CSV file is written. */
export interface CsvDialect {
  /** Field separator: one ASCII character. @default {","} */
  readonly separator?: string;
  /** Quote character: one ASCII character, or `""` for no quoting. @default {'"'} */
  readonly quote?: string;
  /** Whether the first record names the columns (it is then not a row). @default {true} */
  readonly header?: boolean;
  /**
   * Most newlines one quoted field may contain; the next newline ends the record as broken
   * quoting. 0 forbids multi-line fields. Part of the format: every phase must use the same value.
   * @default {100}
   */
  readonly maxQuotedNewlines?: number;
}

/** A compiled {@linkcode CsvDialect}: the automaton's tables. Build it with {@linkcode compileDialect}. */
export interface CsvMachine {
  /** `table[(state << 3) | class]` = next state (low 16 bits) | event bits. */
  readonly table: Int32Array;
  /** Byte → class. */
  readonly classes: Uint8Array;
  /** `byteTable[(state << 8) | byte]` = next state: the table without events, one load per byte. */
  readonly byteTable: Uint16Array;
  /** Number of automaton states. */
  readonly states: number;
  readonly separator: number;
  /** The quote byte, or -1 when quoting is off. */
  readonly quote: number;
  readonly header: boolean;
  readonly maxQuotedNewlines: number;
}

/** Half-open byte interval `[start, end)`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Phase 1 result for one range: for each entry state, the exit state. Small and JSON-friendly. */
export interface RangeScan extends ByteRange {
  /** LF bytes in the range. */
  readonly newlines: number;
  /** `exits[s]` = state after the range when entered in state `s`. */
  readonly exits: readonly number[];
}

/** A range with its true entry state and the physical line number (1-based) at its start. */
export interface RangeEntry extends ByteRange {
  readonly state: number;
  readonly line: number;
}

/** The state at the start of a record (file start, after a record's LF). */
export const RECORD_START = 0;

// Byte classes.
const C_OTHER = 0;
const C_SEP = 1;
const C_QUOTE = 2;
const C_LF = 3;
const C_CR = 4;
const C_HIGH = 5;
// States: record start, field start, unquoted, closing quote + CR, then (quoted_k, after_quote_k)
// for k = newlines seen inside the quoted field.
const S_FIELD = 1;
const S_UNQUOTED = 2;
const S_QUOTE_CR = 3;
const quoted = (k: number) => 4 + 2 * k;
const afterQuote = (k: number) => 5 + 2 * k;

/** Event: a separator ended a field. */
export const EV_FIELD_END = 1 << 16;
/** Event: an LF ended the record. */
export const EV_RECORD_END = 1 << 17;
/** Event: a quote inside an unquoted field (broken quoting). */
export const EV_STRAY_QUOTE = 1 << 18;
/** Event: text after a closing quote (broken quoting). */
export const EV_AFTER_CLOSE = 1 << 19;
/** Event: a quoted field held more than `maxQuotedNewlines` newlines (broken quoting). */
export const EV_OVERFLOW = 1 << 20;
/** Event: `""` inside a quoted field. */
export const EV_ESCAPE = 1 << 21;
/** Event: a byte >= 0x80 (UTF-8 must be checked). */
export const EV_HIGH = 1 << 22;
/** Event: an LF inside a quoted field. */
export const EV_QUOTED_LF = 1 << 23;
/** Event (set by {@linkcode RecordReader}, not the table): a quoted field open at end of file. */
export const EV_UNTERMINATED = 1 << 24;
/** Any broken-quoting event. */
export const EV_BROKEN = EV_STRAY_QUOTE | EV_AFTER_CLOSE | EV_OVERFLOW | EV_UNTERMINATED;
const STATE_MASK = 0xffff;

function asciiByte(text: string, what: string): number {
  if (text.length !== 1 || text.charCodeAt(0) > 0x7f) {
    throw new RangeError(
      `Cannot use ${JSON.stringify(text)} as the CSV ${what}: expected one ASCII character`,
    );
  }
  const b = text.charCodeAt(0);
  if (b === 10 || b === 13) throw new RangeError(`Cannot use CR or LF as the CSV ${what}`);
  return b;
}

/** Validates a dialect and builds its automaton. Throws `RangeError` for unusable settings. */
export function compileDialect(dialect: CsvDialect = {}): CsvMachine {
  const separator = asciiByte(dialect.separator ?? ",", "separator");
  const quoteText = dialect.quote ?? '"';
  const quote = quoteText === "" ? -1 : asciiByte(quoteText, "quote");
  if (quote === separator) throw new RangeError("Cannot use the same character as CSV separator and quote");
  const maxNl = dialect.maxQuotedNewlines ?? 100;
  if (!Number.isInteger(maxNl) || maxNl < 0 || maxNl > 1000) {
    throw new RangeError(`Cannot use maxQuotedNewlines ${maxNl}: expected an integer in [0, 1000]`);
  }
  const classes = new Uint8Array(256);
  for (let b = 0x80; b < 256; b++) classes[b] = C_HIGH;
  classes[10] = C_LF;
  classes[13] = C_CR;
  classes[separator] = C_SEP;
  if (quote >= 0) classes[quote] = C_QUOTE;
  const states = 4 + 2 * (maxNl + 1);
  const table = new Int32Array(states << 3);
  const set = (s: number, c: number, v: number) => table[(s << 3) | c] = c === C_HIGH ? v | EV_HIGH : v;
  for (const s of [RECORD_START, S_FIELD]) {
    for (const c of [C_OTHER, C_CR, C_HIGH]) set(s, c, S_UNQUOTED);
    set(s, C_SEP, S_FIELD | EV_FIELD_END);
    set(s, C_QUOTE, quoted(0));
    set(s, C_LF, RECORD_START | EV_RECORD_END);
  }
  for (const c of [C_OTHER, C_CR, C_HIGH]) set(S_UNQUOTED, c, S_UNQUOTED);
  set(S_UNQUOTED, C_SEP, S_FIELD | EV_FIELD_END);
  set(S_UNQUOTED, C_QUOTE, S_UNQUOTED | EV_STRAY_QUOTE);
  set(S_UNQUOTED, C_LF, RECORD_START | EV_RECORD_END);
  for (const c of [C_OTHER, C_CR, C_HIGH, C_QUOTE]) set(S_QUOTE_CR, c, S_UNQUOTED | EV_AFTER_CLOSE);
  set(S_QUOTE_CR, C_SEP, S_FIELD | EV_FIELD_END | EV_AFTER_CLOSE);
  set(S_QUOTE_CR, C_LF, RECORD_START | EV_RECORD_END);
  for (let k = 0; k <= maxNl; k++) {
    for (const c of [C_OTHER, C_CR, C_HIGH, C_SEP]) set(quoted(k), c, quoted(k));
    set(quoted(k), C_QUOTE, afterQuote(k));
    set(
      quoted(k),
      C_LF,
      k < maxNl ? quoted(k + 1) | EV_QUOTED_LF : RECORD_START | EV_RECORD_END | EV_OVERFLOW,
    );
    set(afterQuote(k), C_QUOTE, quoted(k) | EV_ESCAPE);
    set(afterQuote(k), C_SEP, S_FIELD | EV_FIELD_END);
    set(afterQuote(k), C_LF, RECORD_START | EV_RECORD_END);
    set(afterQuote(k), C_CR, S_QUOTE_CR);
    for (const c of [C_OTHER, C_HIGH]) set(afterQuote(k), c, S_UNQUOTED | EV_AFTER_CLOSE);
  }
  const byteTable = new Uint16Array(states << 8);
  for (let s = 0; s < states; s++) {
    for (let b = 0; b < 256; b++) byteTable[(s << 8) | b] = table[(s << 3) | classes[b]!]! & STATE_MASK;
  }
  return {
    table,
    classes,
    byteTable,
    states,
    separator,
    quote,
    header: dialect.header ?? true,
    maxQuotedNewlines: maxNl,
  };
}

/** True when `state` is inside an open quoted field (a record ending here is unterminated). */
export function isQuotedState(state: number): boolean {
  return state >= 4 && (state & 1) === 0;
}

function checkRange(bytes: Uint8Array, range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > bytes.length) {
    throw new RangeError(`Cannot scan bytes [${start}, ${end}) of a ${bytes.length}-byte buffer`);
  }
}

/**
 * Phase 1: runs the automaton over `bytes[range.start, range.end)` from every entry state and
 * returns the exit state of each, plus the number of LF bytes. Cost: one pass, plus a short
 * stretch per distinct path until the paths merge.
 */
export function scanRange(
  bytes: Uint8Array,
  range: ByteRange,
  dialect: CsvDialect | CsvMachine = {},
): RangeScan {
  checkRange(bytes, range);
  const m = "table" in dialect ? dialect : compileDialect(dialect);
  const { table, classes, states } = m;
  const { start, end } = range;
  // Distinct live paths: cur[0, live) are their states; owner[entry] indexes the path it follows.
  const owner = new Int32Array(states);
  let cur = new Int32Array(states);
  let next = new Int32Array(states);
  const remap = new Int32Array(states);
  const slot = new Int32Array(states).fill(-1);
  for (let s = 0; s < states; s++) owner[s] = cur[s] = s;
  let live = states;
  let newlines = 0;
  let i = start;
  for (; i < end && live > 1; i++) {
    const c = classes[bytes[i]!]!;
    if (c === C_LF) newlines++;
    let nextLive = 0;
    for (let p = 0; p < live; p++) {
      const s = table[(cur[p]! << 3) | c]! & STATE_MASK;
      if (slot[s]! < 0) {
        slot[s] = nextLive;
        next[nextLive++] = s;
      }
      remap[p] = slot[s]!;
    }
    for (let p = 0; p < nextLive; p++) slot[next[p]!] = -1;
    if (nextLive < live) { for (let e = 0; e < states; e++) owner[e] = remap[owner[e]!]!; }
    [cur, next] = [next, cur];
    live = nextLive;
  }
  if (live === 1) {
    const byteTable = m.byteTable;
    let s = cur[0]!;
    for (; i < end; i++) {
      const b = bytes[i]!;
      s = byteTable[(s << 8) | b]!;
      newlines += b === 10 ? 1 : 0;
    }
    cur[0] = s;
  }
  const exits: number[] = new Array(states);
  for (let e = 0; e < states; e++) exits[e] = cur[owner[e]!]!;
  return { start, end, newlines, exits };
}

/**
 * The first record start at or after `from` that does not depend on the state `from` is
 * entered in: runs the automaton from every state at once until all paths have merged and stand
 * at {@linkcode RECORD_START}. The position is the same whatever came before `from`, so two
 * tasks that read overlapping windows agree on it without talking to each other, and a task
 * that starts parsing there is on the file's true path. Real files merge within a record or two;
 * some quoting never lets them (every line `"a`: inside and outside a quote swap at each line).
 * `undefined` when `bytes` end first.
 */
export function findRecordStart(
  bytes: Uint8Array,
  from: number,
  machine: CsvMachine,
): { pos: number; newlines: number } | undefined {
  const { table, classes, states } = machine;
  let cur = new Int32Array(states);
  let next = new Int32Array(states);
  const seen = new Uint8Array(states);
  for (let s = 0; s < states; s++) cur[s] = s;
  let live = states;
  let newlines = 0;
  for (let i = from; i < bytes.length; i++) {
    const c = classes[bytes[i]!]!;
    if (c === C_LF) newlines++;
    let nextLive = 0;
    for (let p = 0; p < live; p++) {
      const s = table[(cur[p]! << 3) | c]! & STATE_MASK;
      if (seen[s] === 0) {
        seen[s] = 1;
        next[nextLive++] = s;
      }
    }
    for (let p = 0; p < nextLive; p++) seen[next[p]!] = 0;
    [cur, next] = [next, cur];
    live = nextLive;
    if (live === 1 && cur[0] === RECORD_START) return { pos: i + 1, newlines };
  }
  return undefined;
}

/**
 * Driver step: chains phase 1 results (contiguous, in file order) into each range's true entry
 * state and first line. `start` is the state and line where the first range begins (after the
 * header: {@linkcode RECORD_START} and `readHeader(...).dataLine`).
 */
export function chainScans(
  scans: readonly RangeScan[],
  start: { readonly state?: number; readonly line?: number } = {},
): RangeEntry[] {
  let state = start.state ?? RECORD_START;
  let line = start.line ?? 1;
  const out: RangeEntry[] = [];
  for (let i = 0; i < scans.length; i++) {
    const scan = scans[i]!;
    const prev = scans[i - 1];
    if (prev !== undefined && prev.end !== scan.start) {
      throw new RangeError(`Cannot chain CSV scans: range ${i} starts at ${scan.start}, not at ${prev.end}`);
    }
    const exit = scan.exits[state];
    if (exit === undefined) {
      throw new RangeError(`Cannot chain CSV scans: state ${state} is unknown to range ${i}`);
    }
    out.push({ start: scan.start, end: scan.end, state, line });
    state = exit;
    line += scan.newlines;
  }
  return out;
}

/** Splits `[start, end)` into `parts` contiguous ranges of near-equal size (cut anywhere). */
export function splitRanges(start: number, end: number, parts: number): ByteRange[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`Cannot split into ${parts} ranges`);
  const out: ByteRange[] = [];
  for (let i = 0; i < parts; i++) {
    out.push({
      start: start + Math.floor(((end - start) * i) / parts),
      end: start + Math.floor(((end - start) * (i + 1)) / parts),
    });
  }
  return out;
}

/**
 * Reads one record at a time with the automaton, into reusable scratch fields (no allocation
 * per record). After a successful {@linkcode RecordReader.read} the public fields describe it.
 */
export class RecordReader {
  /** Three ints per field: start, end (quotes included, CR of CR LF excluded), 1 if it had `""`. */
  bounds: Int32Array = new Int32Array(3 * 64);
  /** Number of fields. */
  fields = 0;
  /** Byte where the record starts. */
  start = 0;
  /** Byte after the record's text (terminator excluded). */
  end = 0;
  /** Byte where the next record may start. */
  next = 0;
  /** LF bytes consumed (terminator included). */
  newlines = 0;
  /** OR of the event bits seen (`EV_*`). */
  events = 0;
  readonly #m: CsvMachine;
  readonly #eof: boolean;
  readonly #fast: boolean;

  /**
   * `eof: false` when buffers passed to `read` may end before the file does. `fast: false` turns
   * off the shortcut for plain records (for tests that check it agrees with the automaton).
   */
  constructor(
    dialect: CsvDialect | CsvMachine = {},
    options: { readonly eof?: boolean; readonly fast?: boolean } = {},
  ) {
    this.#m = "table" in dialect ? dialect : compileDialect(dialect);
    this.#eof = options.eof ?? true;
    this.#fast = options.fast ?? true;
  }

  /** The compiled dialect. */
  get machine(): CsvMachine {
    return this.#m;
  }

  /** True when the record is an empty line (one empty, unquoted field): not a row. */
  get blank(): boolean {
    return this.fields === 1 && this.end === this.start;
  }

  /**
   * Reads the record starting at `pos` (automaton in {@linkcode RECORD_START}). Returns false
   * when `bytes` ends before the record does and the reader is not at end of file.
   */
  read(bytes: Uint8Array, pos: number): boolean {
    return (this.#fast && this.#readPlain(bytes, pos)) || this.#readAny(bytes, pos);
  }

  /**
   * The shortcut: reads a record only made of unquoted fields without quote or CR, and quoted
   * fields without LF or `""` closed right before a separator or the terminator, ended by LF or
   * CR LF. For such records the automaton's result is exactly this; anything else returns false
   * and is read by {@linkcode RecordReader.#readAny}. No per-byte state: about twice as fast.
   */
  #readPlain(bytes: Uint8Array, pos: number): boolean {
    // Compares bytes with the quote, separator, LF and CR directly (no class table): the
    // common bytes of a record cost one load and a few compares.
    const q = this.#m.quote, sep = this.#m.separator;
    const n = bytes.length;
    let bounds = this.bounds;
    let i = pos;
    let f3 = 0;
    let high = 0;
    for (;;) {
      const start = i;
      if (i < n && bytes[i] === q) {
        for (i++; i < n; i++) {
          const b = bytes[i]!;
          if (b === q) break;
          if (b === 10) return false;
          high |= b;
        }
        i++;
      } else {
        for (; i < n; i++) {
          const b = bytes[i]!;
          if (b === sep || b === 10 || b === 13 || b === q) break;
          high |= b;
        }
      }
      const c = i < n ? bytes[i]! : -1;
      if (c !== sep && c !== 10 && !(c === 13 && i + 1 < n && bytes[i + 1] === 10)) return false;
      if (f3 + 3 > bounds.length) bounds = this.#grow();
      bounds[f3] = start;
      bounds[f3 + 1] = i;
      bounds[f3 + 2] = 0;
      f3 += 3;
      if (c === sep) {
        i++;
        continue;
      }
      i += c === 10 ? 1 : 2;
      break;
    }
    this.fields = f3 / 3;
    this.start = pos;
    this.end = bounds[f3 - 2]!;
    this.next = i;
    this.newlines = 1;
    this.events = (f3 > 3 ? EV_FIELD_END : 0) | EV_RECORD_END | (high & 0x80 ? EV_HIGH : 0);
    return true;
  }

  #grow(): Int32Array {
    const grown = new Int32Array(this.bounds.length * 2);
    grown.set(this.bounds);
    return this.bounds = grown;
  }

  /** Reads any record with the automaton. */
  #readAny(bytes: Uint8Array, pos: number): boolean {
    const { table, classes } = this.#m;
    const n = bytes.length;
    let s = RECORD_START;
    let fields = 0;
    let fieldStart = pos;
    let escaped = 0;
    let events = 0;
    let newlines = 0;
    let i = pos;
    let ended = false;
    for (; i < n; i++) {
      const e = table[(s << 3) | classes[bytes[i]!]!]!;
      s = e & STATE_MASK;
      if (e <= STATE_MASK) continue;
      events |= e & ~STATE_MASK;
      if ((e & (EV_FIELD_END | EV_RECORD_END)) === 0) {
        if (e & EV_ESCAPE) escaped = 1;
        if (e & EV_QUOTED_LF) newlines++;
        continue;
      }
      if (e & EV_FIELD_END) {
        this.#field(fields++, fieldStart, i, escaped);
        fieldStart = i + 1;
        escaped = 0;
        continue;
      }
      newlines++;
      this.#field(fields++, fieldStart, i > fieldStart && bytes[i - 1] === 13 ? i - 1 : i, escaped);
      ended = true;
      i++;
      break;
    }
    if (!ended) {
      if (!this.#eof) return false;
      if (isQuotedState(s)) events |= EV_UNTERMINATED;
      this.#field(fields++, fieldStart, n > fieldStart && bytes[n - 1] === 13 ? n - 1 : n, escaped);
    }
    this.fields = fields;
    this.start = pos;
    this.end = this.bounds[3 * fields - 2]!;
    this.next = i;
    this.newlines = newlines;
    this.events = events;
    return true;
  }

  #field(f: number, start: number, end: number, escaped: number): void {
    if (3 * f + 3 > this.bounds.length) this.#grow();
    this.bounds[3 * f] = start;
    this.bounds[3 * f + 1] = end;
    this.bounds[3 * f + 2] = escaped;
  }

  /** Field `f` of the last record read from `bytes`: quotes removed, `""` unescaped, UTF-8 decoded leniently. */
  text(bytes: Uint8Array, f: number): string {
    const quote = this.#m.quote;
    let a = this.bounds[3 * f]!;
    let b = this.bounds[3 * f + 1]!;
    const isQuoted = b > a && bytes[a] === quote;
    if (isQuoted) {
      a++;
      if (b > a && bytes[b - 1] === quote) b--;
    }
    const text = asciiText(bytes, a, b) ?? utf8.decode(bytes.subarray(a, b));
    if (!isQuoted || this.bounds[3 * f + 2] !== 1) return text;
    return text.replaceAll(String.fromCharCode(quote).repeat(2), String.fromCharCode(quote));
  }
}

const utf8 = new TextDecoder();

/** Decodes `bytes[a, b)` when all are ASCII; `undefined` otherwise. Fast for short fields. */
export function asciiText(bytes: Uint8Array, a: number, b: number): string | undefined {
  if (b - a > 32) {
    for (let i = a; i < b; i++) if (bytes[i]! > 0x7f) return undefined;
    return utf8.decode(bytes.subarray(a, b));
  }
  let s = "";
  for (let i = a; i < b; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Where the data starts: the header's column names (if any), first data byte and its line. */
export interface CsvHeader {
  /** Column names from the header record, or `undefined` when the dialect has no header. */
  readonly names: readonly string[] | undefined;
  /** First byte after the header (and after a UTF-8 byte-order mark). */
  readonly dataStart: number;
  /** Physical line (1-based) at `dataStart`. */
  readonly dataLine: number;
}

/**
 * Reads the header (skipping a UTF-8 BOM and blank lines). `bytes` may be a prefix of the file;
 * with `eof: false` a header running past it throws `RangeError` (read a longer prefix).
 */
export function readHeader(
  bytes: Uint8Array,
  dialect: CsvDialect = {},
  options: { eof?: boolean } = {},
): CsvHeader {
  const m = compileDialect(dialect);
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (!m.header) return { names: undefined, dataStart: pos, dataLine: 1 };
  let line = 1;
  const span = new RecordReader(m, options);
  while (pos < bytes.length) {
    if (bytes[pos] === 10) {
      pos++;
      line++;
      continue;
    }
    if (!span.read(bytes, pos)) {
      throw new RangeError(`Cannot read the CSV header: it runs past the first ${bytes.length} bytes`);
    }
    if (span.blank) {
      pos = span.next;
      line += span.newlines;
      continue;
    }
    const names: string[] = [];
    for (let f = 0; f < span.fields; f++) names.push(span.text(bytes, f));
    return { names, dataStart: span.next, dataLine: line + span.newlines };
  }
  return { names: [], dataStart: bytes.length, dataLine: line };
}
