/**
 * Event-time windows: what they are and which ones an event belongs to. Pure functions; the
 * keyed state that fills and fires them is {@linkcode KeyedWindows} (`keyed_windows.ts`).
 *
 * Every window is half-open, `[start, end)` in ms of event time.
 * - **Tumbling** `size`: consecutive windows `[offset + k·size, offset + (k+1)·size)`; each event
 *   belongs to exactly one.
 * - **Sliding** (hopping) `size` every `slide`: windows start at `offset + k·slide` and last
 *   `size`; an event belongs to every window that contains it (`size / slide` of them when
 *   `slide` divides `size`). `slide === size` is tumbling.
 * - **Session** `gap`: an event opens `[time, time + gap)`; per key, windows that overlap merge,
 *   so a session ends `gap` after its last event. Events exactly `gap` apart do not overlap and
 *   start separate sessions.
 *
 * @module
 */
/** A half-open interval of event time, `[start, end)`, in ms. */
export interface Window {
  /** First instant inside. */
  readonly start: number;
  /** First instant after. */
  readonly end: number;
}

/** Fixed-size windows that do not overlap. */
export interface TumblingWindows {
  /** Discriminant. */
  readonly kind: "tumbling";
  /** Length of each window. */
  readonly sizeMs: number;
  /** Shifts the window boundaries (e.g. to a time zone's midnight). @default {0} */
  readonly offsetMs?: number;
}

/** Fixed-size windows that start every `slideMs`. */
export interface SlidingWindows {
  /** Discriminant. */
  readonly kind: "sliding";
  /** Length of each window. */
  readonly sizeMs: number;
  /** Distance between consecutive window starts, at most `sizeMs`. */
  readonly slideMs: number;
  /** Shifts the window boundaries. @default {0} */
  readonly offsetMs?: number;
}

/** Per-key activity bursts separated by at least `gapMs` of silence. */
export interface SessionWindows {
  /** Discriminant. */
  readonly kind: "session";
  /** Silence (ms of event time) that closes a session. */
  readonly gapMs: number;
}

/** Any kind of window. */
export type WindowSpec = TumblingWindows | SlidingWindows | SessionWindows;

function positiveMs(name: string, v: number): number {
  if (!(v > 0 && Number.isSafeInteger(v))) {
    throw new RangeError(`${name} must be a positive integer of ms, got ${v}`);
  }
  return v;
}

function offsetMs(v: number | undefined): number {
  const x = v ?? 0;
  if (!Number.isSafeInteger(x)) throw new RangeError(`offsetMs must be an integer of ms, got ${x}`);
  return x;
}

/** Tumbling windows of `sizeMs`. */
export function tumbling(sizeMs: number, options: { offsetMs?: number } = {}): TumblingWindows {
  return validateWindowSpec({ kind: "tumbling", sizeMs, offsetMs: options.offsetMs ?? 0 });
}

/** Sliding windows of `sizeMs` starting every `slideMs`. */
export function sliding(
  sizeMs: number,
  slideMs: number,
  options: { offsetMs?: number } = {},
): SlidingWindows {
  return validateWindowSpec({ kind: "sliding", sizeMs, slideMs, offsetMs: options.offsetMs ?? 0 });
}

/** Session windows closed by `gapMs` of silence per key. */
export function session(gapMs: number): SessionWindows {
  return validateWindowSpec({ kind: "session", gapMs });
}

/** Checks a spec (sizes positive integers, slide at most size) and returns it. */
export function validateWindowSpec<S extends WindowSpec>(spec: S): S {
  switch (spec.kind) {
    case "tumbling":
      positiveMs("sizeMs", spec.sizeMs);
      offsetMs(spec.offsetMs);
      return spec;
    case "sliding":
      positiveMs("sizeMs", spec.sizeMs);
      positiveMs("slideMs", spec.slideMs);
      offsetMs(spec.offsetMs);
      if (spec.slideMs > spec.sizeMs) {
        throw new RangeError(
          `slideMs (${spec.slideMs}) must not exceed sizeMs (${spec.sizeMs}): events would fall between windows`,
        );
      }
      return spec;
    case "session":
      positiveMs("gapMs", spec.gapMs);
      return spec;
    default: {
      const unknown: never = spec;
      throw new TypeError(`unknown window kind ${JSON.stringify(unknown)}`);
    }
  }
}

/** The start of the latest window grid cell of `step` (shifted by `offset`) that holds `time`. */
function floorTo(time: number, step: number, offset: number): number {
  return time - (((time - offset) % step) + step) % step;
}

/**
 * The windows an event at `time` belongs to, by increasing start. For sessions this is the
 * event's own `[time, time + gap)`, before merging.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assignWindows, sliding, tumbling } from "@frontier/frontier/streaming";
 * assert.deepEqual(assignWindows(tumbling(60_000), 90_000), [{ start: 60_000, end: 120_000 }]);
 * assert.deepEqual(assignWindows(sliding(30, 10), 25), [
 *   { start: 0, end: 30 },
 *   { start: 10, end: 40 },
 *   { start: 20, end: 50 },
 * ]);
 * ```
 */
export function assignWindows(spec: WindowSpec, time: number): Window[] {
  switch (spec.kind) {
    case "tumbling": {
      const start = floorTo(time, spec.sizeMs, spec.offsetMs ?? 0);
      return [{ start, end: start + spec.sizeMs }];
    }
    case "sliding": {
      const last = floorTo(time, spec.slideMs, spec.offsetMs ?? 0);
      const out: Window[] = [];
      for (let start = last; start > time - spec.sizeMs; start -= spec.slideMs) {
        out.push({ start, end: start + spec.sizeMs });
      }
      return out.reverse();
    }
    case "session":
      return [{ start: time, end: time + spec.gapMs }];
    default: {
      const unknown: never = spec;
      throw new TypeError(`unknown window kind ${JSON.stringify(unknown)}`);
    }
  }
}

/** Whether two half-open windows share an instant. */
export function overlaps(a: Window, b: Window): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Orders windows by end, then start. */
export function compareWindows(a: Window, b: Window): number {
  return a.end - b.end || a.start - b.start;
}
