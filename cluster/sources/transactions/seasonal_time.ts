/**
 * Seasonal event time of the transaction generator: row `i` sits at quantile `(i + u) / totalRows`
 * of an intensity that is constant within hour-long bins counted from the start (a weekday or
 * weekend daily profile times a per-weekday factor, in local time), mapped through its inverse CDF.
 *
 * @module
 */
import { DAY_FACTOR, WEEKDAY_HOURS, WEEKEND_HOURS } from "./catalog.ts";

/** Milliseconds per hour and per day. */
export const HOUR = 3_600_000, DAY = 24 * HOUR;

/** Settings of {@linkcode SeasonalTime} (validated by the generator). */
export interface SeasonalTimeOptions {
  readonly totalRows: number;
  readonly startTime: number;
  readonly durationMs: number;
  /** Offset of the local time the daily/weekly seasonality follows. */
  readonly utcOffsetHours: number;
}

/** Maps fractional row positions to event times and hour bins. */
export class SeasonalTime {
  readonly #totalRows: number;
  readonly #startTime: number;
  readonly #durationMs: number;
  /** Cumulative intensity at hour-bin boundaries. */
  readonly #cumulative: Float64Array;

  constructor(options: SeasonalTimeOptions) {
    const { totalRows, startTime, durationMs, utcOffsetHours } = options;
    this.#totalRows = totalRows;
    this.#startTime = startTime;
    this.#durationMs = durationMs;
    const bins = Math.ceil(durationMs / HOUR);
    this.#cumulative = new Float64Array(bins + 1);
    for (let h = 0; h < bins; h++) {
      const local = startTime + h * HOUR + utcOffsetHours * HOUR;
      const hour = ((Math.floor(local / HOUR) % 24) + 24) % 24;
      const dow = ((Math.floor(local / DAY) + 4) % 7 + 7) % 7;
      const profile = dow === 0 || dow === 6 ? WEEKEND_HOURS : WEEKDAY_HOURS;
      const len = Math.min(HOUR, durationMs - h * HOUR) / HOUR;
      this.#cumulative[h + 1] = this.#cumulative[h]! + profile[hour]! * DAY_FACTOR[dow]! * len;
    }
  }

  /** Number of hour bins. */
  get bins(): number {
    return this.#cumulative.length - 1;
  }

  /** Event time at fractional row position `x` in [0, totalRows). */
  nominalTime(x: number): number {
    const cum = this.#cumulative;
    const q = (x / this.#totalRows) * cum[cum.length - 1]!;
    const lo = this.binOf(x);
    const len = Math.min(HOUR, this.#durationMs - lo * HOUR);
    const t = this.#startTime + lo * HOUR + Math.floor(((q - cum[lo]!) / (cum[lo + 1]! - cum[lo]!)) * len);
    return Math.min(t, this.#startTime + this.#durationMs - 1);
  }

  /** The hour bin holding fractional row position `x`. */
  binOf(x: number): number {
    const cum = this.#cumulative;
    const q = (x / this.#totalRows) * cum[cum.length - 1]!;
    let lo = 0, hi = cum.length - 1; // cum[lo] <= q < cum[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! <= q) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Rows per millisecond in hour bin `h`. */
  rowsPerMs(h: number): number {
    const cum = this.#cumulative;
    const len = Math.min(HOUR, this.#durationMs - h * HOUR);
    return (this.#totalRows * (cum[h + 1]! - cum[h]!)) / cum[cum.length - 1]! / len;
  }
}
