/**
 * Parsing of the `frontier stream` flags: durations, window specs and `kafka://` addresses.
 *
 * @module
 */
import { UsageError } from "./common.ts";
import type { WindowSpec } from "../../streaming/window.ts";
import { parseDuration as parseDurationText, parseWindowSpec } from "../../streaming/stream_spec.ts";

function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/** `500ms`, `30s`, `1m`, `2h`, `1d` → ms (a positive integer); `allowZero` accepts `0`. */
export function parseDuration(text: string, flag: string, allowZero = false): number {
  return usage(() => parseDurationText(text, flag, allowZero));
}

/** `tumbling:1m`, `sliding:5m/1m` (size/slide) or `session:30s` (gap). */
export function parseWindow(text: string): WindowSpec {
  return usage(() => parseWindowSpec(text, "--window"));
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
