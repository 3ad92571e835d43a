/**
 * Settings of the transaction generator, their validation, and row ranges.
 *
 * @module
 */
import type { TokenEncoding } from "./card_token.ts";

/** A half-open range of global row indices. */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/** Settings of `TransactionGenerator`. Every partition must use the same settings. */
export interface TransactionGeneratorOptions {
  /** Any safe integer. */
  readonly seed: number;
  /** Rows in the whole dataset (all partitions), at most 2^50. */
  readonly totalRows: number;
  /** HMAC key for card tokens, at least 32 bytes (`loadTokenKey`, `generateDemoKey`). */
  readonly tokenKey: Uint8Array;
  /** @default {"base64url"} */
  readonly tokenEncoding?: TokenEncoding;
  /** First instant of the period, ms since the epoch. @default {Date.UTC(2024, 0, 1)} */
  readonly startTime?: number;
  /** Length of the period in ms. @default {30 days} */
  readonly durationMs?: number;
  /** Offset of the local time the daily/weekly seasonality follows. @default {0} */
  readonly seasonalityUtcOffsetHours?: number;
  /** Number of accounts (= cards), at most `MAX_ACCOUNTS` (`catalog.ts`). @default {clamp(totalRows / 50, 100, 10^7)} */
  readonly accounts?: number;
  /** Merchants per (country, category) cell. @default {clamp(totalRows / 20000, 5, 200)} */
  readonly merchantsPerCell?: number;
  /** Target share of fraudulent rows, in [0, 0.5]. @default {0.003} */
  readonly fraudRate?: number;
  /** Share of fraudulent rows per scenario (normalised). @default {card_testing 0.4, account_takeover 0.2, velocity 0.4} */
  readonly scenarioMix?: {
    readonly card_testing?: number;
    readonly account_takeover?: number;
    readonly velocity?: number;
  };
  /** @default {0} */
  readonly outOfOrderFraction?: number;
  /** @default {5000} */
  readonly outOfOrderMeanDelayMs?: number;
  /** @default {0} */
  readonly lateFraction?: number;
  /** @default {60000} */
  readonly allowedLatenessMs?: number;
  /** @default {60000} */
  readonly lateMeanExtraMs?: number;
  /** @default {0} */
  readonly duplicateFraction?: number;
  /** @default {10000} */
  readonly duplicateMaxLag?: number;
  /** @default {0} */
  readonly malformedFraction?: number;
  /** Cards whose token is cached (rounded up to a power of two). @default {262144} */
  readonly cardCacheSize?: number;
}

/** `v` (default 0), checked to lie in [0, max]. */
export function fraction(name: string, v: number | undefined, max = 1): number {
  const x = v ?? 0;
  if (!(x >= 0 && x <= max)) throw new RangeError(`${name} must be in [0, ${max}], got ${x}`);
  return x;
}

/** `v` (default `fallback`), checked to be positive and finite. */
export function positive(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!(x > 0 && Number.isFinite(x))) throw new RangeError(`${name} must be a positive number, got ${x}`);
  return x;
}

/** `v`, checked to be an integer in [min, max]. */
export function integerIn(name: string, v: number, min: number, max: number): number {
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

/** Splits `[0, totalRows)` into `partitions` contiguous ranges whose sizes differ by at most one. */
export function partitionRanges(totalRows: number, partitions: number): RowRange[] {
  integerIn("totalRows", totalRows, 0, 2 ** 50);
  integerIn("partitions", partitions, 1, 1 << 20);
  const out: RowRange[] = [];
  for (let p = 0; p < partitions; p++) {
    out.push({
      start: Math.floor((totalRows * p) / partitions),
      end: Math.floor((totalRows * (p + 1)) / partitions),
    });
  }
  return out;
}
