/**
 * Trend analysis per category as an online operator: events are counted and summed in
 * event-time panes of `paneMs` per category; when the watermark passes a pane's end the pane
 * closes (a category with no events in it gets a zero pane) and the operator emits, over the
 * sliding window of the last `slopePanes` closed panes, the least-squares slope of the volume
 * (events per pane) and of the amount (sum per pane), per pane.
 *
 * **Change points** by a two-window mean-shift test ({@linkcode meanShift}): at each closed pane,
 * the last `changeWindow` panes are compared with the `changeWindow` before them; a change is
 * flagged when Welch's statistic reaches `changeThreshold` in magnitude **and** the means differ
 * by at least `minRelativeChange` of the earlier one. A flag is raised when the test first passes
 * and re-armed once it fails again, so one shift gives one flag per metric, placed at the most
 * likely split of the `2 · changeWindow` panes (the CUSUM split). A steep steady ramp also shifts
 * the mean between consecutive windows, and is flagged as such.
 *
 * Lateness: an event whose pane has already closed (pane end ≤ watermark) is late and goes to
 * the late output; any other event is counted, however far behind the watermark within its open
 * pane. `end` closes every pane up to the last one holding an event.
 *
 * @module
 */
import type { Row } from "../../cluster/columnar/batch.ts";
import type { Timed } from "../event_time.ts";
import type { Window } from "../window.ts";
import type { OnlineOperator, Step } from "./operator.ts";
import { leastSquaresSlope, meanShift } from "./trend_stats.ts";

/** What the trend operator consumes. */
export type TrendInput =
  | { readonly type: "event"; readonly row: Row }
  | { readonly type: "watermark"; readonly watermark: number }
  | { readonly type: "end" };

/** A series the trend operator follows. */
export type TrendMetric = "volume" | "amount";

/** What the trend operator emits. */
export type TrendOutput =
  /** A closed pane of a category with the slopes over the last panes. */
  | {
    readonly type: "trend";
    readonly category: string;
    readonly window: Window;
    /** Events in the pane. */
    readonly volume: number;
    /** Their amounts' sum. */
    readonly amount: number;
    /** Closed panes the slopes span (at most `slopePanes`). */
    readonly panes: number;
    /** Volume change per pane (absent below two panes). */
    readonly volumeSlope?: number;
    /** Amount change per pane (absent below two panes). */
    readonly amountSlope?: number;
  }
  /** A change point of a category's series. */
  | {
    readonly type: "change";
    readonly category: string;
    readonly metric: TrendMetric;
    /** Start of the first pane after the change (the most likely split). */
    readonly at: number;
    /** The pane whose closing detected it. */
    readonly detectedIn: Window;
    /** Mean per pane before the change (from the test's earlier window to the split). */
    readonly before: number;
    /** Mean per pane after the change (from the split to the pane that detected it). */
    readonly after: number;
    /** Welch's statistic of the two windows. */
    readonly statistic: number;
  }
  | { readonly type: "late"; readonly row: Row; readonly watermark: number }
  | { readonly type: "rejected"; readonly row: Row; readonly reason: string };

/** One category's series. */
export interface CategorySeries {
  /** Start of the next pane to close. */
  next: number;
  /** Volumes of the last closed panes, oldest first. */
  volume: number[];
  /** Amount sums of the last closed panes, oldest first. */
  amount: number[];
  /** Whether the change test is passing (a flag was raised and not re-armed). */
  passing: Record<TrendMetric, boolean>;
  /** Open panes by `p:` + start. */
  open: Record<string, { count: number; sum: number }>;
}

/** The trend operator's state (plain data). */
export interface TrendState {
  /** State layout version. */
  readonly version: 1;
  /** The last watermark seen. */
  watermark: number;
  /** By `c:` + category JSON. */
  series: Record<string, CategorySeries>;
}

/** Settings of {@linkcode trendOperator}. */
export interface TrendOptions {
  /** Columns read. */
  readonly columns?: {
    /** The category. @default {"merchant_category"} */
    readonly category?: string;
    /** Event time (ms). @default {"event_time"} */
    readonly time?: string;
    /** The amount. @default {"amount"} */
    readonly amount?: string;
  };
  /** Pane width, ms of event time (panes start at multiples of it). @default {3_600_000} */
  readonly paneMs?: number;
  /** Panes the slopes span. @default {6} */
  readonly slopePanes?: number;
  /** Panes in each window of the change test. @default {6} */
  readonly changeWindow?: number;
  /** |Welch statistic| at which a change is flagged. @default {4} */
  readonly changeThreshold?: number;
  /** Smallest shift, as a share of the earlier mean. @default {0.25} */
  readonly minRelativeChange?: number;
}

function integer(name: string, v: number, min: number): number {
  if (!(Number.isSafeInteger(v) && v >= min)) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  }
  return v;
}

/** {@linkcode TrendOptions} checked, with defaults filled in. */
export interface TrendSettings {
  /** Column names. */
  readonly columns: { readonly category: string; readonly time: string; readonly amount: string };
  /** See {@linkcode TrendOptions}. */
  readonly paneMs: number;
  /** See {@linkcode TrendOptions}. */
  readonly slopePanes: number;
  /** See {@linkcode TrendOptions}. */
  readonly changeWindow: number;
  /** See {@linkcode TrendOptions}. */
  readonly changeThreshold: number;
  /** See {@linkcode TrendOptions}. */
  readonly minRelativeChange: number;
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws {RangeError} naming the first bad setting.
 */
export function trendSettings(options: TrendOptions = {}): TrendSettings {
  const changeThreshold = options.changeThreshold ?? 4, minRelativeChange = options.minRelativeChange ?? 0.25;
  if (!(changeThreshold > 0)) {
    throw new RangeError(`changeThreshold must be positive, got ${changeThreshold}`);
  }
  if (!(minRelativeChange >= 0)) {
    throw new RangeError(`minRelativeChange must be >= 0, got ${minRelativeChange}`);
  }
  return {
    columns: {
      category: options.columns?.category ?? "merchant_category",
      time: options.columns?.time ?? "event_time",
      amount: options.columns?.amount ?? "amount",
    },
    paneMs: integer("paneMs", options.paneMs ?? 3_600_000, 1),
    slopePanes: integer("slopePanes", options.slopePanes ?? 6, 2),
    changeWindow: integer("changeWindow", options.changeWindow ?? 6, 2),
    changeThreshold,
    minRelativeChange,
  };
}

/**
 * Adds the event `row` to its category's `series` (in place) behind `watermark`; returns its late
 * or rejected output when it cannot be counted.
 */
export function addTrendEvent(
  settings: TrendSettings,
  series: CategorySeries,
  row: Row,
  watermark: number,
): TrendOutput | undefined {
  const { category, time, amount } = settings.columns;
  const cat = row[category], t = row[time], x = row[amount];
  if (typeof cat !== "string" || !Number.isSafeInteger(t) || typeof x !== "number" || !Number.isFinite(x)) {
    const reason =
      `columns "${category}" (string), "${time}" (ms) and "${amount}" (finite number) are required`;
    return { type: "rejected", row, reason };
  }
  const paneMs = settings.paneMs, start = Math.floor((t as number) / paneMs) * paneMs;
  if (start + paneMs <= watermark) return { type: "late", row, watermark };
  const s = series;
  // Before its first pane closes, a category's series starts at its earliest open pane.
  if (s.volume.length === 0 && (Object.keys(s.open).length === 0 || start < s.next)) s.next = start;
  const pane = s.open[`p:${start}`] ??= { count: 0, sum: 0 };
  pane.count++;
  pane.sum += x;
  return undefined;
}

/** A category's series before its first event. */
export function emptySeries(): CategorySeries {
  return { next: 0, volume: [], amount: [], passing: { volume: false, amount: false }, open: {} };
}

/** Closes every pane of `category`'s `series` that ends at or before `upTo` (in place), emitting into `out`. */
export function closePanes(
  settings: TrendSettings,
  category: string,
  series: CategorySeries,
  upTo: number,
  out: TrendOutput[],
): void {
  const { paneMs, slopePanes, changeWindow: w } = settings, keep = Math.max(slopePanes, 2 * w);
  const s = series;
  while (s.next + paneMs <= upTo) {
    const window = { start: s.next, end: s.next + paneMs };
    const pane = s.open[`p:${s.next}`] ?? { count: 0, sum: 0 };
    delete s.open[`p:${s.next}`];
    s.volume.push(pane.count);
    s.amount.push(pane.sum);
    if (s.volume.length > keep) {
      s.volume.shift();
      s.amount.shift();
    }
    s.next += paneMs;
    const last = (y: number[]) => y.slice(Math.max(0, y.length - slopePanes));
    const volumeSlope = leastSquaresSlope(last(s.volume)), amountSlope = leastSquaresSlope(last(s.amount));
    out.push({
      type: "trend",
      category,
      window,
      volume: pane.count,
      amount: pane.sum,
      panes: Math.min(slopePanes, s.volume.length),
      ...(volumeSlope === undefined ? {} : { volumeSlope }),
      ...(amountSlope === undefined ? {} : { amountSlope }),
    });
    for (const metric of ["volume", "amount"] as const) {
      const shift = meanShift(s[metric], w);
      if (shift === undefined) continue;
      const passes = Math.abs(shift.statistic) >= settings.changeThreshold &&
        Math.abs(shift.after - shift.before) >= settings.minRelativeChange * Math.abs(shift.before);
      if (passes && !s.passing[metric]) {
        out.push({
          type: "change",
          category,
          metric,
          at: window.end - (2 * w - shift.split) * paneMs,
          detectedIn: window,
          before: shift.levels[0],
          after: shift.levels[1],
          statistic: shift.statistic,
        });
      }
      s.passing[metric] = passes;
    }
  }
}

/** The end of the last open pane of `series` (−∞ without one). */
export function lastOpenPaneEnd(settings: TrendSettings, series: CategorySeries): number {
  let last = -Infinity;
  for (const p of Object.keys(series.open)) last = Math.max(last, Number(p.slice(2)) + settings.paneMs);
  return last;
}

/** The trend operator (see the module documentation): every category in one state. */
export function trendOperator(
  options: TrendOptions = {},
): OnlineOperator<TrendState, TrendInput, TrendOutput> {
  const settings = trendSettings(options);
  const closeAll = (state: TrendState, upTo: number, out: TrendOutput[]) => {
    for (const key of Object.keys(state.series).sort()) {
      closePanes(settings, JSON.parse(key.slice(2)) as string, state.series[key]!, upTo, out);
    }
  };
  return {
    name: "trends",
    initial: () => ({ version: 1, watermark: -Infinity, series: {} }),
    step(state: TrendState, input: Timed<TrendInput>): Step<TrendState, TrendOutput> {
      const msg = input.value, out: TrendOutput[] = [];
      switch (msg.type) {
        case "event": {
          const cat = msg.row[settings.columns.category];
          const key = `c:${JSON.stringify(cat)}`;
          const series = state.series[key] ?? emptySeries();
          const refused = addTrendEvent(settings, series, msg.row, state.watermark);
          if (refused === undefined) state.series[key] = series;
          else out.push(refused);
          break;
        }
        case "watermark":
          if (msg.watermark > state.watermark) {
            state.watermark = msg.watermark;
            closeAll(state, msg.watermark, out);
          }
          break;
        case "end": {
          const last = Math.max(...Object.values(state.series).map((s) => lastOpenPaneEnd(settings, s)));
          closeAll(state, last, out);
          break;
        }
        default: {
          const never: never = msg;
          throw new TypeError(`Unknown trend input ${JSON.stringify(never)}`);
        }
      }
      return { state, outputs: out };
    },
  };
}
