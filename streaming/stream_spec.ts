/**
 * Durations and window specs as text, as the command line and {@linkcode readStream} take them:
 * `500ms`, `30s`, `1m`, `2h`, `1d`; `tumbling:1m`, `sliding:5m/1m` (size/slide), `session:30s`
 * (gap).
 *
 * @module
 */
import { validateWindowSpec, type WindowSpec } from "./window.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `500ms`, `30s`, `1m`, `2h`, `1d` → ms (a positive integer); `allowZero` accepts `0`. `what`
 * names the value in errors.
 *
 * @throws {RangeError} naming `what` when `text` is not such a duration.
 */
export function parseDuration(text: string, what: string, allowZero = false): number {
  if (allowZero && text === "0") return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  const ms = m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : NaN;
  if (!(ms > 0 && Number.isSafeInteger(ms))) {
    throw new RangeError(`${what} must be a duration like 500ms, 30s, 1m or 2h, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/**
 * `tumbling:1m`, `sliding:5m/1m` (size/slide) or `session:30s` (gap) → a {@linkcode WindowSpec}.
 * `what` names the value in errors.
 *
 * @throws {RangeError} naming `what` when `text` is not such a spec.
 */
export function parseWindowSpec(text: string, what = "window"): WindowSpec {
  const [kind, arg] = text.split(":", 2) as [string, string | undefined];
  if (kind === "tumbling" && arg) return { kind, sizeMs: parseDuration(arg, `${what} tumbling size`) };
  if (kind === "session" && arg) return { kind, gapMs: parseDuration(arg, `${what} session gap`) };
  if (kind === "sliding" && arg?.includes("/")) {
    const [size, slide] = arg.split("/", 2) as [string, string];
    const sizeMs = parseDuration(size, `${what} sliding size`);
    const slideMs = parseDuration(slide, `${what} sliding slide`);
    if (slideMs > sizeMs) {
      throw new RangeError(`${what} sliding slide ${slide} is longer than its size ${size}`);
    }
    return validateWindowSpec({ kind, sizeMs, slideMs });
  }
  throw new RangeError(
    `${what} must be tumbling:SIZE, sliding:SIZE/SLIDE or session:GAP, got ${JSON.stringify(text)}`,
  );
}
