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

/** The anomaly operator (see the module documentation). */
export function anomalyOperator(
  options: AnomalyOptions = {},
): OnlineOperator<AnomalyState, AnomalyInput, AnomalyOutput> {
  const c = options.columns ?? {};
  const account = c.account ?? "account_id", time = c.time ?? "event_time", amount = c.amount ?? "amount";
  const category = c.category ?? "merchant_category", country = c.country ?? "country";
  const zThreshold = options.zThreshold ?? 3;
  if (!(zThreshold > 0 && Number.isFinite(zThreshold))) {
    throw new RangeError(`zThreshold must be a positive number, got ${zThreshold}`);
  }
  const minCount = positiveInteger("minCount", options.minCount ?? 10);
  const minSegmentCount = positiveInteger("minSegmentCount", options.minSegmentCount ?? 30);
  const windowMs = positiveInteger("velocityWindowMs", options.velocityWindowMs ?? 3_600_000);
  const scale = options.amountScale ?? "log";
  if (scale !== "log" && scale !== "linear") throw new RangeError(`amountScale must be "log" or "linear"`);
  const scaled = (x: number) => scale === "log" ? Math.log1p(x) : x;
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
      const a = row[account], t = row[time], x = row[amount], cat = row[category], ctry = row[country];
      const problem = typeof a !== "string" && typeof a !== "number"
        ? `column "${account}" must be a string or a number`
        : !Number.isFinite(t)
        ? `column "${time}" must be a time in ms`
        : typeof x !== "number" || !Number.isFinite(x) || (scale === "log" && x <= -1)
        ? `column "${amount}" must be a finite number${scale === "log" ? " above -1" : ""}`
        : typeof cat !== "string" || typeof ctry !== "string"
        ? `columns "${category}" and "${country}" must be strings`
        : undefined;
      if (problem !== undefined) return { state, outputs: [{ type: "rejected", row, reason: problem }] };
      const now = t as number, v = scaled(x as number);
      const outputs: AnomalyOutput[] = [];
      const flag = (rule: AnomalyRule, w: Welford, value: number, z: number, what: string) => {
        state.flagged[rule]++;
        const std = welfordStd(w);
        const side = z > 0 ? "above" : "below";
        outputs.push({
          type: "anomaly",
          rule,
          row,
          z,
          value,
          baseline: { n: w.n, mean: w.mean, std },
          reason: `${what} ${fmt(value)} is ${fmt(Math.abs(z))} sd ${side} the mean of ${
            fmt(w.mean)
          } (n = ${w.n})`,
        });
      };
      const acct = state.accounts[`k:${JSON.stringify(a)}`] ??= {
        amount: emptyWelford(),
        velocity: emptyWelford(),
        recent: [],
      };
      // Velocity: events of the account within the window up to this one, this one included.
      const recent = acct.recent;
      let at = recent.length;
      while (at > 0 && recent[at - 1]! > now) at--;
      recent.splice(at, 0, now);
      const latest = recent[recent.length - 1]!;
      while (recent.length > 0 && recent[0]! < latest - windowMs) recent.shift();
      let count = 0;
      for (const r of recent) if (r >= now - windowMs && r <= now) count++;
      const judge = (rule: AnomalyRule, w: Welford, value: number, min: number, what: string) => {
        if (w.n < min) return;
        const std = welfordStd(w);
        const z = rule === "velocity" ? (value - w.mean) / Math.max(std, 1) : (value - w.mean) / std;
        if (!(std > 0) && rule !== "velocity") return;
        if (rule === "velocity" ? z >= zThreshold : Math.abs(z) >= zThreshold) flag(rule, w, value, z, what);
      };
      const amountWhat = scale === "log" ? `ln(1 + amount)` : "amount";
      judge("amount_z", acct.amount, v, minCount, `${amountWhat} of account ${String(a)}:`);
      const segment = state.segments[`s:${JSON.stringify([cat, ctry])}`] ??= emptyWelford();
      judge("segment_z", segment, v, minSegmentCount, `${amountWhat} in ${cat as string}/${ctry as string}:`);
      judge("velocity", acct.velocity, count, minCount, `events of account ${String(a)} in ${windowMs} ms:`);
      welfordUpdate(acct.amount, v);
      welfordUpdate(segment, v);
      welfordUpdate(acct.velocity, count);
      return { state, outputs };
    },
  };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}
