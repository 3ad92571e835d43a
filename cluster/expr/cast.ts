/**
 * Casts between column types. Number ↔ number truncates toward zero, and values out of the
 * target's range, NaN and ±Infinity become null; timestamp ↔ date converts ms ↔ days (floor);
 * timestamp ↔ long/double is milliseconds, date ↔ int/long/double is days; bool ↔ number is 1/0
 * (NaN → null). Strings parse trimmed (numbers: decimal notation, plus NaN/Infinity for double;
 * bool: true/t/yes/y/1 and false/f/no/n/0, case-insensitive; timestamp: ISO-8601
 * `YYYY-MM-DD[( |T)hh:mm[:ss[.fff]]][Z|±hh:mm]`, UTC unless an offset is given; date: the
 * `YYYY-MM-DD` part of the same) and bad text → null. To string: integers print without ".0",
 * doubles as JS `String(x)`, timestamps as ISO-8601 UTC (`2024-01-31T12:00:00.000Z`), dates as
 * `YYYY-MM-DD`, bools as `true`/`false`.
 *
 * @module
 */
import type { DataType, Vec } from "../columnar/batch.ts";
import { allocVec } from "../columnar/batch_ops.ts";
import { INT32_MAX, INT32_MIN, makeVec, MS_PER_DAY, nullUnless, SAFE } from "./vectors.ts";
import { civilFromDays, daysFromCivil, daysInMonth } from "../util/civil_time.ts";

/** Casts a vector to `to` (see the rules in the module doc). */
export function castVec(v: Vec, to: DataType, n: number): Vec {
  const from = v.type;
  if (from === to) return v;
  if (to === "string") return formatVec(v, n);
  if (from === "string") return parseVec(v.values, to, v.valid, n);
  const src = v.values as Float64Array | Int32Array | Uint8Array;
  const scale = from === "date" && to === "timestamp" ? MS_PER_DAY : 1;
  const div = from === "timestamp" && to === "date" ? MS_PER_DAY : 1;
  if (to === "bool") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
    return makeVec(
      "bool",
      out,
      from === "double" ? nullUnless(src as Float64Array, v.valid, n, "number") : v.valid,
    );
  }
  const f64 = to === "double" || to === "long" || to === "timestamp";
  // Exact widenings share or copy without checks.
  if (f64 && (src instanceof Float64Array) && (to === "double" || from !== "double")) {
    return makeVec(to, src, v.valid);
  }
  if (f64 && !(src instanceof Float64Array)) {
    const out = new Float64Array(n);
    if (scale === 1) out.set(src.subarray(0, n));
    else for (let i = 0; i < n; i++) out[i] = src[i]! * scale;
    return makeVec(to, out, v.valid);
  }
  if (!f64 && !(src instanceof Float64Array)) {
    return makeVec(to, Int32Array.from(src.subarray(0, n)), v.valid);
  }
  // Checked narrowing from float64.
  const x = src as Float64Array;
  const out = f64 ? new Float64Array(n) : new Int32Array(n);
  const lo = f64 ? -SAFE : INT32_MIN, hi = f64 ? SAFE : INT32_MAX;
  let valid: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const y = div === 1 ? Math.trunc(x[i]!) : Math.floor(x[i]! / div);
    if (y >= lo && y <= hi) out[i] = y;
    else {
      valid ??= v.valid ? v.valid.slice() : new Uint8Array(n).fill(1);
      valid[i] = 0;
    }
  }
  return makeVec(to, out, valid ?? v.valid);
}

function formatVec(v: Vec, n: number): Vec {
  const out = new Array<string>(n);
  let valid = v.valid;
  const src = v.values as ArrayLike<number>;
  switch (v.type) {
    case "bool":
      for (let i = 0; i < n; i++) out[i] = src[i] ? "true" : "false";
      break;
    case "timestamp":
    case "date":
      for (let i = 0; i < n; i++) {
        const s = v.type === "date" ? formatDate(src[i]!) : formatTimestamp(src[i]!);
        if (s !== undefined) out[i] = s;
        else {
          out[i] = "";
          valid = valid === v.valid ? (valid ? valid.slice() : new Uint8Array(n).fill(1)) : valid;
          valid![i] = 0;
        }
      }
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = String(src[i]);
  }
  return makeVec("string", out, valid);
}

function parseVec(src: readonly string[], to: DataType, inValid: Uint8Array | undefined, n: number): Vec {
  const out = allocVec(to, n).values as Float64Array | Int32Array | Uint8Array;
  const valid = inValid ? inValid.slice() : new Uint8Array(n).fill(1);
  let nulls = false;
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) {
      nulls = true;
      continue;
    }
    const x = parseScalar(src[i]!.trim(), to);
    if (x === undefined) {
      valid[i] = 0;
      nulls = true;
    } else out[i] = x;
  }
  return makeVec(to, out, nulls ? valid : undefined);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;
const TRUE_TEXT = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_TEXT = new Set(["false", "f", "no", "n", "0"]);

function parseScalar(s: string, to: DataType): number | undefined {
  switch (to) {
    case "bool": {
      const lower = s.toLowerCase();
      return TRUE_TEXT.has(lower) ? 1 : FALSE_TEXT.has(lower) ? 0 : undefined;
    }
    case "timestamp":
      return parseTimestamp(s);
    case "date": {
      const m = ISO.exec(s);
      return m ? civilDays(m) : undefined;
    }
    default: {
      if (!DECIMAL.test(s)) {
        if (to !== "double" || !SPECIAL.test(s)) return undefined;
        const lower = s.toLowerCase();
        return lower.includes("nan") ? NaN : lower.startsWith("-") ? -Infinity : Infinity;
      }
      const x = Number(s);
      if (to === "double") return x;
      const y = Math.trunc(x);
      const [lo, hi] = to === "int" ? [INT32_MIN, INT32_MAX] : [-SAFE, SAFE];
      return y >= lo && y <= hi ? y : undefined;
    }
  }
}

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Days since the epoch of a matched ISO date, or undefined when the date does not exist. */
function civilDays(m: RegExpExecArray): number | undefined {
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d);
}

function parseTimestamp(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const days = civilDays(m);
  const hh = Number(m[4] ?? 0), mm = Number(m[5] ?? 0), ss = Number(m[6] ?? 0);
  if (days === undefined || hh > 23 || mm > 59 || ss > 59) return undefined;
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  let offset = 0;
  const tz = m[8];
  if (tz && tz.toUpperCase() !== "Z") {
    const digits = tz.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2) || 0);
    if (oh > 18 || om > 59) return undefined;
    offset = (tz[0] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return days * MS_PER_DAY + hh * 3_600_000 + mm * 60_000 + ss * 1000 + ms - offset;
}

function pad(x: number, width: number): string {
  return String(x).padStart(width, "0");
}

function formatDate(days: number): string | undefined {
  if (!Number.isFinite(days)) return undefined;
  const c = civilFromDays(days);
  const y = c >> 9;
  if (y < 0 || y > 9999) return undefined;
  return `${pad(y, 4)}-${pad((c >> 5) & 15, 2)}-${pad(c & 31, 2)}`;
}

function formatTimestamp(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const t = Math.floor(ms);
  const days = Math.floor(t / MS_PER_DAY);
  const date = formatDate(days);
  if (date === undefined) return undefined;
  let rem = t - days * MS_PER_DAY;
  const hh = Math.floor(rem / 3_600_000);
  rem -= hh * 3_600_000;
  const mm = Math.floor(rem / 60_000);
  rem -= mm * 60_000;
  const ss = Math.floor(rem / 1000);
  return `${date}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(rem - ss * 1000, 3)}Z`;
}
