/**
 * The keyed state of one online window function in one window partition, as plain data, and the
 * function's values for the rows of one instant.
 *
 * The rows of a partition arrive an instant at a time (every row of the instant at once, once the
 * watermark has passed it), sorted by the window's order; a row's position is its index in the
 * partition from 0. Each function mirrors its batch kernel (`cluster/kernels/window*.ts`):
 * - `rowNumber`, `rank`, `denseRank`: positions and peer groups counted so far;
 * - `lag(k)`: the last `k` argument values;
 * - frame aggregates: the frame `[lo, hi)` of each row computed as the kernel computes it, then
 *   slid — rows entering are added, rows leaving removed, in the kernel's order — over a buffer
 *   holding only the rows that may still enter or leave. A frame that starts at the partition's
 *   first row keeps no rows at all, only running sums (and a running extreme for `min`/`max`).
 *   Sums are the kernel's double-double sums ({@linkcode SumState}), so values agree bit for bit.
 *
 * @module
 */
import type { Scalar } from "../../cluster/columnar/batch.ts";
import { emptySum, longSumOf, sumOf, type SumState, updateSum, varianceOf } from "./sum_state.ts";
import type { OnlineWindowFn } from "./window_plan.ts";

/** A buffered row: its order (event time) value and its argument value. */
export interface BufferedRow {
  /** Event time. */
  readonly t: number;
  /** The function's argument (null without one). */
  readonly x: Scalar;
}

/**
 * One function's state in one window partition. Ranking functions keep only the counters, `lag`
 * adds its recent values, frame aggregates their frame (the fields a function does not use are
 * absent, so a key's state stays small: one entry per merchant for `new_merchant`).
 */
export interface FnState {
  /** Rows of the partition seen so far. */
  rows: number;
  /** Peer groups seen so far. */
  groups: number;
  /** `lag`: the last argument values, oldest first. */
  recent?: Scalar[];
  /** Frame aggregates: the frame currently summed is positions `[a, b)`. */
  a?: number;
  /** End of the frame currently summed. */
  b?: number;
  /** Position of `buf[0]`. */
  base?: number;
  /** Rows from `base` on that may still enter or leave the frame. */
  buf?: BufferedRow[];
  /** Non-null values in the frame. */
  valid?: number;
  /** Sums of the frame's non-null values. */
  sum?: SumState;
  /** `min`/`max` over a frame from the first row: the extreme so far (null: none). */
  extreme?: Scalar;
}

/** A frame aggregate's state: every frame field present. */
type FrameState = Required<Omit<FnState, "recent">>;

function isRanking(fn: OnlineWindowFn): boolean {
  const name = fn.call.fn;
  return name === "rowNumber" || name === "rank" || name === "denseRank";
}

function isLag(fn: OnlineWindowFn): boolean {
  return fn.call.fn === "lag" || fn.call.fn === "lead";
}

/** A partition of `fn` with no rows yet. */
export function emptyFnState(fn: OnlineWindowFn): FnState {
  if (isRanking(fn)) return { rows: 0, groups: 0 };
  if (isLag(fn)) return { rows: 0, groups: 0, recent: [] };
  return { rows: 0, groups: 0, a: 0, b: 0, base: 0, buf: [], valid: 0, sum: emptySum(), extreme: null };
}

/**
 * A copy of `state` that {@linkcode advanceFn} of `fn` can advance while `state` stays as it was:
 * what the function changes is copied, what it never touches is shared (buffered rows are never
 * changed once buffered, so they are shared too).
 */
export function copyFnState(fn: OnlineWindowFn, state: FnState): FnState {
  if (isRanking(fn)) return { ...state };
  if (isLag(fn)) return { ...state, recent: (state.recent ?? []).slice() };
  return { ...state, buf: (state.buf ?? []).slice(), sum: { ...(state.sum ?? emptySum()) } };
}

/** One instant's rows of a partition, in the window's order, with their peer groups. */
export interface InstantRows {
  /** Event time of every row (the same within an instant, unless the order has more keys). */
  readonly t: readonly number[];
  /** The function's argument of every row (null without an argument). */
  readonly x: readonly Scalar[];
  /** Index (within these rows) of the first row of each row's peer group. */
  readonly peerStart: readonly number[];
  /** One past the last row of each row's peer group. */
  readonly peerEnd: readonly number[];
}

/** True when `a` comes strictly before `b` (`-0` before `0`, NaN last, strings by code units). */
function before(a: Scalar, b: Scalar): boolean {
  if (typeof a === "string" && typeof b === "string") return a < b;
  if (typeof a === "boolean" || typeof b === "boolean") return a === false && b === true;
  const x = a as number, y = b as number;
  if (x !== x) return false;
  if (y !== y) return true;
  if (x < y) return true;
  return x === 0 && y === 0 && 1 / x < 0 && 1 / y > 0;
}

/**
 * The values of `fn` for `rows` (one instant of one partition), updating `state` in place.
 *
 * @throws {RangeError} when a `long` sum leaves the range of exact integers.
 */
export function advanceFn(fn: OnlineWindowFn, state: FnState, rows: InstantRows): Scalar[] {
  const m = rows.t.length, n0 = state.rows, out: Scalar[] = new Array(m);
  const { call, frame } = fn;
  let groups = 0;
  for (let i = 0; i < m; i++) if (rows.peerStart[i] === i) groups++;
  if (call.fn === "rowNumber" || call.fn === "rank" || call.fn === "denseRank") {
    let dense = state.groups;
    for (let i = 0; i < m; i++) {
      if (rows.peerStart[i] === i) dense++;
      out[i] = call.fn === "rowNumber"
        ? n0 + i + 1
        : call.fn === "rank"
        ? n0 + rows.peerStart[i]! + 1
        : dense;
    }
  } else if (call.fn === "lag" || call.fn === "lead") {
    const k = call.offset ?? 1, fallback = call.default ?? null, recent = state.recent ??= [];
    for (let i = 0; i < m; i++) {
      const x = rows.x[i]!;
      if (k === 0) out[i] = x;
      else {
        out[i] = recent.length >= k ? recent[recent.length - k]! : fallback;
        recent.push(x);
        if (recent.length > k) recent.shift();
      }
    }
  } else if (frame) {
    const fs = frameState(state);
    for (let i = 0; i < m; i++) fs.buf.push({ t: rows.t[i]!, x: rows.x[i]! });
    const total = n0 + m;
    for (let i = 0; i < m; i++) {
      const p = n0 + i, t = rows.t[i]!;
      let lo: number, hi: number;
      if (frame.kind === "rows") {
        lo = frame.lower === "unbounded" ? 0 : Math.max(0, p + frame.lower);
        hi = frame.upper === "unbounded" ? total : Math.min(total, Math.max(0, p + frame.upper + 1));
      } else {
        lo = frame.lower === "unbounded"
          ? 0
          : frame.lower === 0
          ? n0 + rows.peerStart[i]!
          : firstAt(fs, fs.a, total, (q) => q >= t + (frame.lower as number));
        hi = frame.upper === 0
          ? n0 + rows.peerEnd[i]!
          : firstAt(fs, fs.b, total, (q) => q > t + (frame.upper as number));
      }
      if (hi < lo) hi = lo;
      while (fs.b < hi) enter(fn, fs, fs.buf[fs.b++ - fs.base]!);
      while (fs.a < lo) leave(fn, fs, fs.buf[fs.a++ - fs.base]!);
      out[i] = frameValue(fn, fs);
    }
    const keepFrom = frame.lower === "unbounded" ? fs.b : fs.a;
    fs.buf.splice(0, keepFrom - fs.base);
    fs.base = keepFrom;
  } else {
    throw new TypeError(`Window function ${call.fn} has no frame`);
  }
  state.rows += m;
  state.groups += groups;
  return out;
}

/** `state` as a frame's state (a state written without some frame field gets its empty value). */
function frameState(state: FnState): FrameState {
  state.a ??= 0;
  state.b ??= 0;
  state.base ??= 0;
  state.buf ??= [];
  state.valid ??= 0;
  state.sum ??= emptySum();
  if (state.extreme === undefined) state.extreme = null;
  return state as FrameState;
}

/** The first position from `from` (below `total`) whose time satisfies `ok`, else `total`. */
function firstAt(state: FrameState, from: number, total: number, ok: (t: number) => boolean): number {
  let q = from;
  while (q < total && !ok(state.buf[q - state.base]!.t)) q++;
  return q;
}

function squares(fn: OnlineWindowFn): boolean {
  return fn.call.fn === "stddev" || fn.call.fn === "variance";
}

function enter(fn: OnlineWindowFn, state: FrameState, row: BufferedRow): void {
  if (row.x === null) return;
  state.valid++;
  switch (fn.call.fn) {
    case "min":
    case "max":
      if (fn.frame!.lower === "unbounded") {
        const e = state.extreme;
        if (e === null || (fn.call.fn === "min" ? before(row.x, e) : before(e, row.x))) state.extreme = row.x;
      }
      return;
    case "sum":
    case "avg":
    case "stddev":
    case "variance":
      updateSum(state.sum, row.x as number, 1, squares(fn));
      return;
    default:
      return;
  }
}

function leave(fn: OnlineWindowFn, state: FrameState, row: BufferedRow): void {
  if (row.x === null) return;
  state.valid--;
  const name = fn.call.fn;
  if (name === "sum" || name === "avg" || name === "stddev" || name === "variance") {
    updateSum(state.sum, row.x as number, -1, squares(fn));
  }
}

function frameValue(fn: OnlineWindowFn, state: FrameState): Scalar {
  const s = state.sum;
  switch (fn.call.fn) {
    case "count":
      return fn.call.arg === undefined ? state.b - state.a : state.valid;
    case "sum":
      return s.n === 0 ? null : fn.type === "long" ? longSumOf(s) : sumOf(s);
    case "avg":
      return s.n === 0 ? null : sumOf(s) / s.n;
    case "stddev":
    case "variance": {
      if (s.n < 2) return null;
      const v = varianceOf(s);
      return fn.call.fn === "stddev" ? Math.sqrt(v) : v;
    }
    case "min":
    case "max": {
      if (fn.frame!.lower === "unbounded") return state.extreme;
      let best: Scalar = null;
      for (let q = state.a; q < state.b; q++) {
        const x = state.buf[q - state.base]!.x;
        if (x === null) continue;
        if (best === null || (fn.call.fn === "min" ? before(x, best) : before(best, x))) best = x;
      }
      return best;
    }
    default:
      throw new TypeError(`${fn.call.fn} is not a frame aggregate`);
  }
}
