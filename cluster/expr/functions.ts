/**
 * Vectorized evaluation of the built-in functions ({@linkcode FnName}) over resolved arguments.
 *
 * @module
 */
import type { Vec } from "../columnar/batch.ts";
import { allocVec } from "../columnar/batch_ops.ts";
import { hashColumns } from "../columnar/row_hash.ts";
import type { FnName } from "./expr.ts";
import { civilFromDays } from "../util/civil_time.ts";
import type { Typed } from "./resolve.ts";
import { blend, bothValid, finish, makeVec, MS_PER_DAY, type Slots, type Values } from "./vectors.ts";

/** Evaluates function `fn` of node `t` over its evaluated arguments. */
export function evalFn(fn: FnName, t: Typed, args: Vec[], n: number): Vec {
  switch (fn) {
    case "hash":
      return makeVec("long", Float64Array.from(hashColumns(args, n)), undefined);
    case "coalesce": {
      const out = allocVec(t.type, n).values as Values, valid = new Uint8Array(n), take = new Uint8Array(n);
      for (const a of args) {
        const av = a.valid;
        for (let i = 0; i < n; i++) take[i] = (valid[i]! ^ 1) & (av ? av[i]! : 1);
        blend(out, valid, a, take, n);
      }
      return finish(t.type, out, valid, n);
    }
    case "least":
    case "greatest": {
      const out = allocVec(t.type, n).values as Values, valid = new Uint8Array(n);
      const dst = out as Slots, cur = out as ArrayLike<number | string>;
      const least = fn === "least";
      for (const a of args) {
        const src = a.values as ArrayLike<number | string>, av = a.valid;
        for (let i = 0; i < n; i++) {
          if (av && av[i] === 0) continue;
          const x = src[i]!;
          if (valid[i] === 0 || (least ? x < cur[i]! : x > cur[i]!)) {
            dst[i] = x;
            valid[i] = 1;
          }
        }
      }
      return finish(t.type, out, valid, n);
    }
    case "concat": {
      const out = new Array<string>(n);
      const parts = args.map((a) => a.values as readonly string[]);
      let valid: Uint8Array | undefined;
      for (const a of args) valid = bothValid(valid, a.valid, n);
      for (let i = 0; i < n; i++) {
        let s = "";
        for (const p of parts) s += p[i]!;
        out[i] = s;
      }
      return makeVec("string", out, valid);
    }
    case "lower":
    case "upper": {
      const src = args[0]!.values as readonly string[], out = new Array<string>(n);
      if (fn === "lower") { for (let i = 0; i < n; i++) out[i] = src[i]!.toLowerCase(); }
      else for (let i = 0; i < n; i++) out[i] = src[i]!.toUpperCase();
      return makeVec("string", out, args[0]!.valid);
    }
    case "length": {
      const src = args[0]!.values as readonly string[], out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = codePoints(src[i]!);
      return makeVec("int", out, args[0]!.valid);
    }
    case "substr":
      return substr(args, n);
    case "pow": {
      const a = args[0]!.values as Float64Array,
        b = args[1]!.values as Float64Array,
        out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = a[i]! ** b[i]!;
      return makeVec("double", out, bothValid(args[0]!.valid, args[1]!.valid, n));
    }
    case "round":
      return round(args[0]!, t.value as number, n);
    case "year":
    case "month":
    case "dayOfMonth":
    case "dayOfWeek":
    case "hour":
      return datePart(fn, args[0]!, n);
    case "isIn": {
      const x = args[0]!, src = x.values as ArrayLike<number | string>, set = t.set!, xv = x.valid;
      const out = new Uint8Array(n);
      const valid = xv || t.setHasNull ? new Uint8Array(n) : undefined;
      for (let i = 0; i < n; i++) {
        const hit = set.has(src[i]!) ? 1 : 0;
        out[i] = hit;
        if (valid) valid[i] = (xv ? xv[i]! : 1) & (hit | (t.setHasNull ? 0 : 1));
      }
      return makeVec("bool", out, valid);
    }
  }
}

function codePoints(s: string): number {
  let count = s.length;
  for (let k = 0; k + 1 < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
      count--;
      k++;
    }
  }
  return count;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Spark's `substring(s, pos, len)` over code points: 1-based, 0 acts as 1, negative counts from the end. */
function substr(args: Vec[], n: number): Vec {
  const s = args[0]!.values as readonly string[], pos = args[1]!.values as Int32Array;
  const len = args[2]?.values as Int32Array | undefined;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const str = s[i]!, p = pos[i]!;
    const wide = SURROGATE.test(str);
    const chars = wide ? Array.from(str) : undefined;
    const count = chars ? chars.length : str.length;
    let start = p > 0 ? p - 1 : p < 0 ? count + p : 0;
    const end = len ? start + len[i]! : Infinity;
    start = Math.max(start, 0);
    out[i] = start >= end ? "" : chars ? chars.slice(start, end).join("") : str.slice(start, end);
  }
  let valid = bothValid(args[0]!.valid, args[1]!.valid, n);
  if (args[2]) valid = bothValid(valid, args[2].valid, n);
  return makeVec("string", out, valid);
}

/** Rounds half away from zero at `digits` decimal places (negative: tens, hundreds…). */
function round(x: Vec, digits: number, n: number): Vec {
  if (x.type !== "double") {
    if (digits >= 0) return x;
    const p = 10 ** -digits, src = x.values as Float64Array | Int32Array;
    const out = x.type === "int" ? new Int32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      out[i] = Math.sign(v) * Math.floor(Math.abs(v) / p + 0.5) * p;
    }
    return makeVec(x.type, out, x.valid);
  }
  const src = x.values as Float64Array, out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = roundHalfUp(src[i]!, digits);
  return makeVec("double", out, x.valid);
}

/** Rounds through the shortest decimal text of `x`, so 2.675 rounds to 2.68 as in Spark. */
function roundHalfUp(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const ax = Math.abs(x);
  if (digits >= 0 && digits <= 22) {
    // Fast path away from ties: the scaled value's rounding is unambiguous.
    const p = 10 ** digits, y = ax * p;
    const frac = y - Math.floor(y);
    if (y < 2 ** 52 && Math.abs(frac - 0.5) > y * 1e-15 + 1e-9) {
      return (x < 0 ? -Math.round(y) : Math.round(y)) / p;
    }
  }
  const text = String(ax);
  let r: number;
  if (text.includes("e")) {
    const p = 10 ** digits;
    r = Math.round(ax * p) / p;
  } else {
    const scaled = Number(`${text}e${digits}`);
    r = scaled >= 2 ** 52 ? ax : Number(`${Math.round(scaled)}e${-digits}`);
  }
  return x < 0 ? -r : r;
}

function datePart(fn: "year" | "month" | "dayOfMonth" | "dayOfWeek" | "hour", a: Vec, n: number): Vec {
  const src = a.values as Float64Array | Int32Array, ts = a.type === "timestamp";
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    const days = ts ? Math.floor(v / MS_PER_DAY) : v;
    switch (fn) {
      case "year":
        out[i] = civilFromDays(days) >> 9;
        break;
      case "month":
        out[i] = (civilFromDays(days) >> 5) & 15;
        break;
      case "dayOfMonth":
        out[i] = civilFromDays(days) & 31;
        break;
      case "dayOfWeek":
        out[i] = (((days + 4) % 7) + 7) % 7 + 1;
        break;
      case "hour":
        out[i] = ts ? Math.floor((v - days * MS_PER_DAY) / 3_600_000) : 0;
    }
  }
  return makeVec("int", out, a.valid);
}
