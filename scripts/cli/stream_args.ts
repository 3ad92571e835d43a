/**
 * Parsing of the `frontier stream` flags: durations, window specs and `kafka://` addresses.
 *
 * @module
 */
import { UsageError } from "./common.ts";
import type { WindowSpec } from "../../streaming/window.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `1m`, `2h`, `1d` → ms (a positive integer); `allowZero` accepts `0`. */
export function parseDuration(text: string, flag: string, allowZero = false): number {
  if (allowZero && text === "0") return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  const ms = m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : NaN;
  if (!(ms > 0 && Number.isSafeInteger(ms))) {
    throw new UsageError(`${flag} must be a duration like 500ms, 30s, 1m or 2h, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** `tumbling:1m`, `sliding:5m/1m` (size/slide) or `session:30s` (gap). */
export function parseWindow(text: string): WindowSpec {
  const [kind, arg] = text.split(":", 2) as [string, string | undefined];
  if (kind === "tumbling" && arg) return { kind, sizeMs: parseDuration(arg, "--window tumbling size") };
  if (kind === "session" && arg) return { kind, gapMs: parseDuration(arg, "--window session gap") };
  if (kind === "sliding" && arg?.includes("/")) {
    const [size, slide] = arg.split("/", 2) as [string, string];
    const sizeMs = parseDuration(size, "--window sliding size");
    const slideMs = parseDuration(slide, "--window sliding slide");
    if (slideMs > sizeMs) {
      throw new UsageError(`--window sliding slide ${slide} is longer than its size ${size}`);
    }
    return { kind, sizeMs, slideMs };
  }
  throw new UsageError(
    `--window must be tumbling:SIZE, sliding:SIZE/SLIDE or session:GAP, got ${JSON.stringify(text)}`,
  );
}

/** A `kafka://HOST:PORT/NAME` address. */
export interface KafkaAddress {
  /** `HOST:PORT`. */
  readonly bootstrap: string;
  /** The topic (or output prefix). */
  readonly name: string;
}

/** Parses `kafka://HOST:PORT/NAME`; `flag` names the flag in errors. */
export function parseKafkaAddress(text: string, flag: string): KafkaAddress {
  const m = /^kafka:\/\/([^/:]+:\d+)\/([A-Za-z0-9._-]+)$/.exec(text);
  if (!m) {
    throw new UsageError(`${flag} must look like kafka://127.0.0.1:9092/NAME, got ${JSON.stringify(text)}`);
  }
  return { bootstrap: m[1]!, name: m[2]! };
}

/** A fraction flag in [0, 1] (0 when absent). */
export function fractionFlag(value: unknown, flag: string): number {
  if (value === undefined) return 0;
  const x = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !(x >= 0 && x <= 1)) {
    throw new UsageError(`${flag} must be a number in [0, 1], got ${JSON.stringify(value)}`);
  }
  return x;
}
