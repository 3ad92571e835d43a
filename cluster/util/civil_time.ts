/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), without `Date`:
 * the one copy of H. Hinnant's `days_from_civil` / `civil_from_days` algorithms that CSV parsing,
 * casts, date functions and the data sources share.
 *
 * @module
 */

/** Milliseconds in a day: a `date` is days since the epoch, a `timestamp` milliseconds. */
export const MS_PER_DAY = 86_400_000;

/** Days from 1970-01-01 to a proleptic Gregorian civil date (month 1-12; the day is not checked). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/**
 * The civil date of a day number, packed as `((year * 16) + month) * 32 + day` so that a column
 * of dates converts without allocating: `year = c >> 9`, `month = (c >> 5) & 15`, `day = c & 31`.
 */
export function civilFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return (y * 16 + m) * 32 + d;
}

/** Days in a month (1-12) of a proleptic Gregorian year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
