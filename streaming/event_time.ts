/**
 * Time carried by values, and events decoded from raw records.
 *
 * Two clocks meet in a stream, and both travel with the data, never read from a global:
 * - **processing time**: when a record reached the operator. Streams are sequences of
 *   {@linkcode Timed} values (mostjs's shape), stamped by whoever reads the source from an
 *   injected `Clock`, so tests run on virtual time and assert `[{ time, value }]` sequences.
 * - **event time**: when the event happened, read from the record itself
 *   ({@linkcode StreamEvent.time}); windows and watermarks are defined on it.
 *
 * Raw records that cannot be decoded (bad JSON, a missing field, an impossible date) become a
 * reason string, never an exception: the operator quarantines them and counts them.
 *
 * @module
 */

/** A value at an instant (ms). */
export interface Timed<T> {
  /** When, in ms. */
  readonly time: number;
  /** What. */
  readonly value: T;
}

/** A decoded event: its id (for de-duplication), grouping key, event time (ms since the epoch) and value. */
export interface StreamEvent<V> {
  /** Unique per event; copies of one event share it. */
  readonly id: string;
  /** What the event is grouped by (an account, a merchant, a category…). */
  readonly key: string;
  /** Event time, ms since the epoch. */
  readonly time: number;
  /** The payload the aggregation reads. */
  readonly value: V;
}

/** Success with a value, or failure with a human-readable reason. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Turns a raw record (bytes, text, or an object) into an event or a reason it is malformed. */
export type EventDecoder<V> = (payload: unknown) => Result<StreamEvent<V>>;

/** The range of `Date`: ±10^8 days around the epoch. */
const MAX_TIME = 8.64e15;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The value of the ASCII digit at `i` of `s`, or NaN. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * The fast path of {@linkcode parseEventTime}: `YYYY-MM-DDTHH:MM:SS.sssZ` exactly (what
 * `Date.prototype.toISOString` writes), read digit by digit; undefined for any other form or an
 * invalid field, which the general path then handles (and explains).
 */
function canonicalUtc(s: string): number | undefined {
  if (
    s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90
  ) {
    return undefined;
  }
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  const ms = digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
  // NaN fails every comparison below, so a non-digit anywhere falls through to the general path, as
  // do years below 100 (which Date.UTC reads as 19xx; the general path decides about them).
  if (
    !(year >= 100 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59 &&
      ms >= 0) ||
    !(day <= 28 || day <= daysInMonth(year, month))
  ) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Event time in ms since the epoch from a safe integer (already ms) or an ISO-8601 date-time with
 * a zone (`2024-01-31T10:00:00Z`, `…+02:00`; fractions below a millisecond are truncated). Every
 * field is range-checked, so `2024-02-30T25:61:00Z` is refused rather than rolled over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseEventTime } from "@frontier/frontier/streaming";
 * assert.deepEqual(parseEventTime("1970-01-01T00:00:01.5Z"), { ok: true, value: 1500 });
 * assert.equal(parseEventTime("2024-02-30T10:00:00Z").ok, false);
 * ```
 */
export function parseEventTime(raw: unknown): Result<number> {
  if (typeof raw === "number") {
    if (!Number.isSafeInteger(raw) || Math.abs(raw) > MAX_TIME) {
      return { ok: false, reason: `event time ${raw} is not an integer number of ms within Date's range` };
    }
    return { ok: true, value: raw };
  }
  if (typeof raw !== "string") {
    return { ok: false, reason: `event time must be a number or a string, got ${typeOf(raw)}` };
  }
  const fast = canonicalUtc(raw);
  if (fast !== undefined) return { ok: true, value: fast };
  const m = ISO.exec(raw);
  if (!m) return { ok: false, reason: `event time "${clip(raw)}" is not an ISO-8601 date-time with a zone` };
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (
    month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 ||
    second > 59
  ) {
    return { ok: false, reason: `event time "${clip(raw)}" is not a valid date-time` };
  }
  const ms = Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3));
  const zone = m[8]!;
  const offset = zone === "Z"
    ? 0
    : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
  return Number.isFinite(time)
    ? { ok: true, value: time }
    : { ok: false, reason: `event time "${clip(raw)}" is out of range` };
}

/** Fields of an object record and how to read its value. */
export interface RecordDecoderOptions<V> {
  /** Field holding the event id (a non-empty string or a safe integer). */
  readonly idField: string;
  /** Field holding the grouping key (a string or a finite number). */
  readonly keyField: string;
  /** Field holding the event time ({@linkcode parseEventTime}). */
  readonly timeField: string;
  /** Reads the event's value from the whole record, or says why it cannot. */
  readonly value: (record: Readonly<Record<string, unknown>>) => Result<V>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

/**
 * A decoder of JSON-object records given as bytes (a Kafka message value), text, or an already
 * parsed object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordDecoder } from "@frontier/frontier/streaming";
 * const decode = recordDecoder({
 *   idField: "id",
 *   keyField: "account",
 *   timeField: "ts",
 *   value: (r) => typeof r.amount === "number" ? { ok: true, value: r.amount } : { ok: false, reason: "amount" },
 * });
 * assert.deepEqual(decode('{"id":"t1","account":"a","ts":5,"amount":2}'), {
 *   ok: true,
 *   value: { id: "t1", key: "a", time: 5, value: 2 },
 * });
 * assert.equal(decode('{"id":"t1","account":"a"').ok, false);
 * ```
 */
export function recordDecoder<V>(options: RecordDecoderOptions<V>): EventDecoder<V> {
  const { idField, keyField, timeField } = options;
  return (payload) => {
    let record: unknown = payload;
    if (payload instanceof Uint8Array) {
      // The lenient decoder is ~3× faster; only text holding U+FFFD (a replaced invalid sequence,
      // or a real one) is decoded again strictly to tell which.
      record = lenient.decode(payload);
      if ((record as string).includes("\uFFFD")) {
        try {
          record = utf8.decode(payload);
        } catch {
          return { ok: false, reason: "record is not valid UTF-8" };
        }
      }
    }
    if (typeof record === "string") {
      try {
        record = JSON.parse(record);
      } catch (e) {
        return {
          ok: false,
          reason: `record is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      return { ok: false, reason: `record must be a JSON object, got ${typeOf(record)}` };
    }
    const r = record as Readonly<Record<string, unknown>>;
    const id = r[idField];
    if (!(typeof id === "string" && id !== "") && !Number.isSafeInteger(id)) {
      return {
        ok: false,
        reason: `field "${idField}" (id) must be a non-empty string or an integer, got ${typeOf(id)}`,
      };
    }
    const key = r[keyField];
    if (typeof key !== "string" && !(typeof key === "number" && Number.isFinite(key))) {
      return {
        ok: false,
        reason: `field "${keyField}" (key) must be a string or a number, got ${typeOf(key)}`,
      };
    }
    if (!(timeField in r)) return { ok: false, reason: `field "${timeField}" (event time) is missing` };
    const time = parseEventTime(r[timeField]);
    if (!time.ok) return { ok: false, reason: `field "${timeField}": ${time.reason}` };
    const value = options.value(r);
    if (!value.ok) return value;
    return { ok: true, value: { id: String(id), key: String(key), time: time.value, value: value.value } };
  };
}

function typeOf(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "string" ? `"${clip(x)}"` : typeof x;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
