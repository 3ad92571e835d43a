/**
 * Statistical anomaly detection as an online operator: every event is compared with baselines
 * learnt from the events before it — never with fixed amounts — and each anomaly says which rule
 * fired and why.
 *
 * Rules (each a z-score against a running Welford mean / standard deviation, {@linkcode Welford}):
 * - **`amount_z`** — the event's amount against its account's history: `z = (v − mean) / std`
 *   over the account's earlier events, flagged when `|z| ≥ zThreshold`.
 * - **`segment_z`** — the same against the event's segment (merchant category × country), so a
 *   first purchase of an account is still judged against what is usual where it happens.
 * - **`velocity`** — the account's events in `[t − velocityWindowMs, t]` of event time (this one
 *   included, as `tx_count_1h` counts) against the same count at its earlier events: `z = (count − mean) / max(std, 1)`
 *   (counts are integers: the floor keeps a steady account from being flagged for one extra
 *   event), flagged when `z ≥ zThreshold` (only bursts, not lulls).
 *
 * `v` is `ln(1 + amount)` by default (`amountScale: "log"`): card amounts are roughly
 * log-normal, so a z-score of the log is meaningful where one of the raw amount is dominated by
 * a few large purchases; `"linear"` uses the amount as is.
 *
 * **Warm-up**: a rule judges an event only when its baseline holds at least `minCount` earlier
 * events (accounts and velocity, default 10) or `minSegmentCount` (segments, default 30), and its
 * standard deviation is positive; until then the event only feeds the baseline. The baseline is
 * updated after the event is judged, so an event never dilutes its own z-score.
 *
 * Input order: events should come in event-time order per account — what the features operator
 * emits as the watermark passes (`online_features.ts`). An event older than its account's latest
 * is still judged and learnt from, and its velocity window counts the events already seen within
 * `velocityWindowMs` of it.
 *
 * @module
 */
import type { Row } from "../../cluster/columnar/batch.ts";
import type { Timed } from "../event_time.ts";
import type { OnlineOperator, Step } from "./operator.ts";
import { emptyWelford, type Welford, welfordStd, welfordUpdate } from "./welford.ts";

/** The rule that flagged an event. */
export type AnomalyRule = "amount_z" | "segment_z" | "velocity";

/** What the anomaly operator consumes. */
export type AnomalyInput = { readonly type: "event"; readonly row: Row };

/** What the anomaly operator emits. */
export type AnomalyOutput =
  | {
    readonly type: "anomaly";
    readonly rule: AnomalyRule;
    readonly row: Row;
    /** The z-score. */
    readonly z: number;
    /** The baseline it was measured against (before this event). */
    readonly baseline: { readonly n: number; readonly mean: number; readonly std: number };
    /** The value judged: the (scaled) amount, or the velocity count. */
    readonly value: number;
    /** For people, e.g. `ln(1 + amount) of account a17: 6.700 is 4.210 sd above the mean of 3.512 (n = 23)`. */
    readonly reason: string;
  }
  | { readonly type: "rejected"; readonly row: Row; readonly reason: string };

/** Columns the rules read. Defaults are the generated transactions' names. */
export interface AnomalyColumns {
  /** The account. @default {"account_id"} */
  readonly account?: string;
  /** Event time (ms). @default {"event_time"} */
  readonly time?: string;
  /** The amount. @default {"amount"} */
  readonly amount?: string;
  /** The segment's category. @default {"merchant_category"} */
  readonly category?: string;
  /** The segment's country. @default {"country"} */
  readonly country?: string;
}

/** Settings of {@linkcode anomalyOperator}. */
export interface AnomalyOptions {
  /** Column names. */
  readonly columns?: AnomalyColumns;
  /** |z| at or above which an event is anomalous. @default {3} */
  readonly zThreshold?: number;
  /** Earlier events an account needs before its rules judge. @default {10} */
  readonly minCount?: number;
  /** Earlier events a segment needs before its rule judges. @default {30} */
  readonly minSegmentCount?: number;
  /** The velocity window, ms of event time. @default {3_600_000} */
  readonly velocityWindowMs?: number;
  /** `"log"`: z-scores of ln(1 + amount); `"linear"`: of the amount. @default {"log"} */
  readonly amountScale?: "log" | "linear";
}

/** Per account: its amounts' baseline, its recent event times, its velocity counts' baseline. */
export interface AccountBaseline {
  /** Scaled amounts. */
  amount: Welford;
  /** Velocity counts at its events. */
  velocity: Welford;
  /** Event times within the velocity window of the latest, ascending. */
  recent: number[];
}

/** The anomaly operator's state (plain data). */
export interface AnomalyState {
  /** State layout version. */
  readonly version: 1;
  /** By `k:` + account JSON. */
  accounts: Record<string, AccountBaseline>;
  /** By `s:` + [category, country] JSON. */
  segments: Record<string, Welford>;
  /** Anomalies emitted, by rule. */
  flagged: Record<AnomalyRule, number>;
}

function positiveInteger(name: string, v: number): number {
  if (!(Number.isSafeInteger(v) && v >= 1)) throw new RangeError(`${name} must be an integer >= 1, got ${v}`);
  return v;
}

/** {@linkcode AnomalyOptions} checked, with defaults filled in. */
export interface AnomalySettings {
  /** Column names. */
  readonly columns: Required<AnomalyColumns>;
  /** See {@linkcode AnomalyOptions}. */
  readonly zThreshold: number;
  /** See {@linkcode AnomalyOptions}. */
  readonly minCount: number;
  /** See {@linkcode AnomalyOptions}. */
  readonly minSegmentCount: number;
  /** See {@linkcode AnomalyOptions}. */
  readonly velocityWindowMs: number;
  /** See {@linkcode AnomalyOptions}. */
  readonly amountScale: "log" | "linear";
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws {RangeError} naming the first bad setting.
 */
export function anomalySettings(options: AnomalyOptions = {}): AnomalySettings {
  const c = options.columns ?? {};
  const zThreshold = options.zThreshold ?? 3;
  if (!(zThreshold > 0 && Number.isFinite(zThreshold))) {
    throw new RangeError(`zThreshold must be a positive number, got ${zThreshold}`);
  }
  const amountScale = options.amountScale ?? "log";
  if (amountScale !== "log" && amountScale !== "linear") {
    throw new RangeError(`amountScale must be "log" or "linear", got ${JSON.stringify(amountScale)}`);
  }
  return {
    columns: {
      account: c.account ?? "account_id",
      time: c.time ?? "event_time",
      amount: c.amount ?? "amount",
      category: c.category ?? "merchant_category",
      country: c.country ?? "country",
    },
    zThreshold,
    minCount: positiveInteger("minCount", options.minCount ?? 10),
    minSegmentCount: positiveInteger("minSegmentCount", options.minSegmentCount ?? 30),
    velocityWindowMs: positiveInteger("velocityWindowMs", options.velocityWindowMs ?? 3_600_000),
    amountScale,
  };
}

/** The fields of an event the rules read. */
export interface AnomalyEvent {
  /** The account, as given. */
  readonly account: string | number;
  /** Event time, ms. */
  readonly time: number;
  /** The scaled amount. */
  readonly value: number;
  /** The segment's category and country. */
  readonly segment: readonly [category: string, country: string];
}

/** The fields the rules read from `row`, or why it cannot be judged. */
export function anomalyEvent(settings: AnomalySettings, row: Row): AnomalyEvent | string {
  const { account, time, amount, category, country } = settings.columns;
  const a = row[account], t = row[time], x = row[amount], cat = row[category], ctry = row[country];
  const log = settings.amountScale === "log";
  if (typeof a !== "string" && typeof a !== "number") {
    return `column "${account}" must be a string or a number`;
  }
  if (typeof t !== "number" || !Number.isFinite(t)) return `column "${time}" must be a time in ms`;
  if (typeof x !== "number" || !Number.isFinite(x) || (log && x <= -1)) {
    return `column "${amount}" must be a finite number${log ? " above -1" : ""}`;
  }
  if (typeof cat !== "string" || typeof ctry !== "string") {
    return `columns "${category}" and "${country}" must be strings`;
  }
  return { account: a, time: t, value: log ? Math.log1p(x) : x, segment: [cat, ctry] };
}

/** An account with no history. */
export function emptyAccountBaseline(): AccountBaseline {
  return { amount: emptyWelford(), velocity: emptyWelford(), recent: [] };
}

/** A rule's verdict on a value against a baseline, or `undefined` when it does not fire. */
function judge(
  settings: AnomalySettings,
  check: { rule: AnomalyRule; baseline: Welford; value: number; min: number; what: string },
  row: Row,
): AnomalyOutput | undefined {
  const { rule, baseline: w, value, min, what } = check;
  if (w.n < min) return undefined;
  const std = welfordStd(w);
  if (rule !== "velocity" && !(std > 0)) return undefined;
  const z = (value - w.mean) / (rule === "velocity" ? Math.max(std, 1) : std);
  if (!(rule === "velocity" ? z >= settings.zThreshold : Math.abs(z) >= settings.zThreshold)) {
    return undefined;
  }
  const side = z > 0 ? "above" : "below";
  return {
    type: "anomaly",
    rule,
    row,
    z,
    value,
    baseline: { n: w.n, mean: w.mean, std },
    reason: `${what} ${fmt(value)} is ${fmt(Math.abs(z))} sd ${side} the mean of ${fmt(w.mean)} (n = ${w.n})`,
  };
}

function amountWhat(settings: AnomalySettings): string {
  return settings.amountScale === "log" ? "ln(1 + amount)" : "amount";
}

/**
 * The account rules (`amount_z`, `velocity`) on `event`, then the event learnt into `baseline`
 * (in place). Returns the anomalies, in that rule order.
 */
export function judgeAccount(
  settings: AnomalySettings,
  baseline: AccountBaseline,
  event: AnomalyEvent,
  row: Row,
): AnomalyOutput[] {
  const windowMs = settings.velocityWindowMs, now = event.time, recent = baseline.recent;
  // Velocity: events of the account in [now − window, now], this one included.
  let at = recent.length;
  while (at > 0 && recent[at - 1]! > now) at--;
  recent.splice(at, 0, now);
  const latest = recent[recent.length - 1]!;
  while (recent.length > 0 && recent[0]! < latest - windowMs) recent.shift();
  let count = 0;
  for (const r of recent) if (r >= now - windowMs && r <= now) count++;
  const name = String(event.account);
  const out = [
    judge(settings, {
      rule: "amount_z",
      baseline: baseline.amount,
      value: event.value,
      min: settings.minCount,
      what: `${amountWhat(settings)} of account ${name}:`,
    }, row),
    judge(settings, {
      rule: "velocity",
      baseline: baseline.velocity,
      value: count,
      min: settings.minCount,
      what: `events of account ${name} in ${windowMs} ms:`,
    }, row),
  ].filter((o) => o !== undefined);
  welfordUpdate(baseline.amount, event.value);
  welfordUpdate(baseline.velocity, count);
  return out;
}

/** The segment rule (`segment_z`) on `event`, then the event learnt into `baseline` (in place). */
export function judgeSegment(
  settings: AnomalySettings,
  baseline: Welford,
  event: AnomalyEvent,
  row: Row,
): AnomalyOutput[] {
  const [cat, ctry] = event.segment;
  const verdict = judge(settings, {
    rule: "segment_z",
    baseline,
    value: event.value,
    min: settings.minSegmentCount,
    what: `${amountWhat(settings)} in ${cat}/${ctry}:`,
  }, row);
  welfordUpdate(baseline, event.value);
  return verdict === undefined ? [] : [verdict];
}

/** The anomaly operator (see the module documentation): every rule, accounts and segments in one state. */
export function anomalyOperator(
  options: AnomalyOptions = {},
): OnlineOperator<AnomalyState, AnomalyInput, AnomalyOutput> {
  const settings = anomalySettings(options);
  return {
    name: "anomalies",
    initial: () => ({
      version: 1,
      accounts: {},
      segments: {},
      flagged: { amount_z: 0, segment_z: 0, velocity: 0 },
    }),
    step(state: AnomalyState, input: Timed<AnomalyInput>): Step<AnomalyState, AnomalyOutput> {
      const { row } = input.value;
      const event = anomalyEvent(settings, row);
      if (typeof event === "string") return { state, outputs: [{ type: "rejected", row, reason: event }] };
      const account = state.accounts[`k:${JSON.stringify(event.account)}`] ??= emptyAccountBaseline();
      const segment = state.segments[`s:${JSON.stringify(event.segment)}`] ??= emptyWelford();
      const outputs = [
        ...judgeAccount(settings, account, event, row),
        ...judgeSegment(settings, segment, event, row),
      ];
      for (const o of outputs) if (o.type === "anomaly") state.flagged[o.rule]++;
      return { state, outputs };
    },
  };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}
