/**
 * A deterministic synthetic card-transaction generator, for demos, benchmarks and fraud models.
 *
 * Row `i` is a pure function of the options and `i`: every random draw is counter-based
 * (`seeded_random.ts`), keyed by the row, account or fraud-episode number, so generating rows
 * `[a, b)` gives exactly the rows one sequential pass would give for that slice, whatever the
 * partitioning. (Defaults such as the number of accounts derive from `totalRows`, so every
 * partition must be given the same options, `totalRows` included.)
 *
 * The model:
 * - Time: row `i` sits at quantile `(i + u_i) / totalRows` of a seasonal intensity over
 *   `[startTime, startTime + durationMs)`, mapped through its inverse CDF. The intensity is
 *   constant within hour-long bins counted from `startTime`: a weekday and a weekend daily profile
 *   (quiet nights, busy midday and evening) times a per-weekday factor (Friday busiest, Sunday
 *   quietest), in local time `UTC + seasonalityUtcOffsetHours`. So `event_time` is non-decreasing in
 *   the row index until the disorder knobs apply.
 * - Accounts (one card each) are drawn per row with a mildly heavy-tailed activity (the busiest
 *   transact about 7x the mean). Each has a home country and six regular merchants that take about
 *   half of its purchases. Merchants live in (country, category) cells, popular ones more often.
 * - Amounts: per-category log-normal in USD ({@linkcode CATEGORIES}), converted to the merchant
 *   country's currency (5% of cross-border purchases are charged in the home currency instead);
 *   ATM withdrawals are rounded to banknotes.
 * - Fraud comes in episodes on a fixed grid: episode `e` starts at a random row of
 *   `[e·P, (e+1)·P)`, `P = mean episode size / fraudRate`, so the fraud share of a long range is
 *   close to `fraudRate` (slightly under where episodes overlap: the earlier episode keeps the row).
 *   Members are spaced (one per stride of rows) so an episode lasts about its scenario's span at the
 *   row density of the hour it starts in; with sparse data the stride is 1 and it lasts longer.
 *   Episode types follow a golden-ratio sequence, so any stretch of episodes has close to the mix.
 *   `card_testing`: 12–40 online charges of 0.30–3.00 USD at one merchant within ~10 minutes.
 *   `account_takeover`: 2–6 large purchases at new merchants in one foreign country within ~2 hours.
 *   `velocity`: 10–25 purchases and ATM withdrawals on one account within ~45 minutes.
 * - Card numbers: a Luhn-valid PAN in a public test BIN range is derived per card
 *   ({@linkcode syntheticPan}), then tokenized and masked (`card_token.ts`); the PAN itself is never
 *   output. Tokens are cached per card (a bounded direct-mapped cache), so HMAC runs about once per
 *   distinct card, not once per row.
 *
 * Disorder knobs (all default 0) are drawn per row index on their own streams, so turning them on
 * leaves every other field of every non-duplicate row unchanged. A row's index is its arrival
 * position, and its undisturbed time `t_i` is its nominal arrival time.
 * - `outOfOrderFraction`: that share of rows get `event_time = t_i − d`, `d` exponential with mean
 *   `outOfOrderMeanDelayMs`, truncated to `1 ≤ d ≤ allowedLatenessMs` (so these are never late).
 *   Whether a row actually lands before earlier arrivals depends on `d` versus the row spacing.
 * - `lateFraction`: a further, disjoint share get `d = allowedLatenessMs + 1 + Exp(lateMeanExtraMs)`,
 *   i.e. strictly later than the allowed lateness behind a watermark that tracks arrival time.
 * - `duplicateFraction`: that share of rows (never row 0) are re-emissions of an earlier row
 *   `j = i − lag`, lag uniform in `[1, min(i, duplicateMaxLag)]` (chains resolve to the first
 *   emission): every field is copied (same `transaction_id`, `event_time`, labels) except `seq`,
 *   `is_duplicate` (true) and `is_malformed`. The row count stays `totalRows`; about
 *   `duplicateFraction · totalRows` of them are duplicates.
 * - `malformedFraction`: that share of rows get `is_malformed = true`. Nothing else changes in the
 *   batch; a CSV/JSON writer should pass those rows' text through {@linkcode malformRecord}
 *   (e.g. with `counterStream(seed, seq, MALFORM_DOMAIN)` as its rng).
 *
 * @module
 */
import type { Batch, Schema, Vec } from "../../columnar/batch.ts";
import { utf8Vec } from "../../columnar/utf8_vec.ts";
import { CardTokenizer, displayCard, luhnCheckDigit, type TokenEncoding } from "./card_token.ts";
import { CounterRandom, cumulativeWeights, Permutation, pickCumulative } from "../../util/seeded_random.ts";

/** Fraud scenario of a row; `none` for legitimate rows. */
export type Scenario = "none" | "card_testing" | "account_takeover" | "velocity";
/** The scenarios, indexable by their internal code. */
export const SCENARIOS: readonly Scenario[] = ["none", "card_testing", "account_takeover", "velocity"];
/** Payment channels. */
export const CHANNELS = ["pos", "online", "atm", "contactless", "moto"] as const;
const POS = 0, ONLINE = 1, ATM_CHANNEL = 2;

/** A merchant category: share of purchases, log-normal amount in USD, cross-border share, channel mix. */
export interface Category {
  readonly name: string;
  readonly weight: number;
  readonly medianUsd: number;
  readonly sigma: number;
  readonly foreign: number;
  /** Weights in {@linkcode CHANNELS} order: pos, online, atm, contactless, moto. */
  readonly channels: readonly [number, number, number, number, number];
}

/** The merchant categories (MCC groups) with their amount distributions. */
export const CATEGORIES: readonly Category[] = [
  {
    name: "grocery",
    weight: 0.2,
    medianUsd: 42,
    sigma: 0.7,
    foreign: 0.02,
    channels: [0.45, 0.1, 0, 0.45, 0],
  },
  { name: "fuel", weight: 0.08, medianUsd: 48, sigma: 0.45, foreign: 0.02, channels: [0.6, 0, 0, 0.4, 0] },
  {
    name: "restaurants",
    weight: 0.14,
    medianUsd: 32,
    sigma: 0.65,
    foreign: 0.04,
    channels: [0.45, 0.08, 0, 0.45, 0.02],
  },
  {
    name: "travel",
    weight: 0.03,
    medianUsd: 320,
    sigma: 0.9,
    foreign: 0.35,
    channels: [0.3, 0.6, 0, 0, 0.1],
  },
  {
    name: "electronics",
    weight: 0.04,
    medianUsd: 150,
    sigma: 0.9,
    foreign: 0.05,
    channels: [0.4, 0.5, 0, 0.1, 0],
  },
  {
    name: "online_retail",
    weight: 0.14,
    medianUsd: 38,
    sigma: 0.95,
    foreign: 0.15,
    channels: [0, 0.97, 0, 0, 0.03],
  },
  { name: "gambling", weight: 0.015, medianUsd: 50, sigma: 1, foreign: 0.3, channels: [0.1, 0.9, 0, 0, 0] },
  { name: "atm", weight: 0.06, medianUsd: 100, sigma: 0.6, foreign: 0.03, channels: [0, 0, 1, 0, 0] },
  { name: "pharmacy", weight: 0.05, medianUsd: 22, sigma: 0.7, foreign: 0.02, channels: [0.5, 0, 0, 0.5, 0] },
  {
    name: "entertainment",
    weight: 0.05,
    medianUsd: 28,
    sigma: 0.7,
    foreign: 0.05,
    channels: [0.25, 0.5, 0, 0.25, 0],
  },
  { name: "utilities", weight: 0.04, medianUsd: 85, sigma: 0.6, foreign: 0, channels: [0, 0.85, 0, 0, 0.15] },
  {
    name: "apparel",
    weight: 0.06,
    medianUsd: 55,
    sigma: 0.8,
    foreign: 0.05,
    channels: [0.5, 0.35, 0, 0.15, 0],
  },
  {
    name: "transport",
    weight: 0.085,
    medianUsd: 14,
    sigma: 0.8,
    foreign: 0.03,
    channels: [0.1, 0.3, 0, 0.6, 0],
  },
];
const ATM = 7;
const CARD_TESTING_CATEGORIES = [5, 9, 6]; // online_retail, entertainment, gambling
const TAKEOVER_CATEGORIES = [4, 3, 5, 11, 6]; // electronics, travel, online_retail, apparel, gambling
const VELOCITY_CATEGORIES = [7, 7, 4, 0, 5, 11]; // atm twice as likely

/** A currency: units per USD, minor-unit decimals, and the banknote ATM amounts round to. */
interface Currency {
  readonly code: string;
  readonly perUsd: number;
  readonly decimals: number;
  readonly note: number;
}
const CURRENCIES: readonly Currency[] = [
  { code: "USD", perUsd: 1, decimals: 2, note: 20 },
  { code: "EUR", perUsd: 0.92, decimals: 2, note: 10 },
  { code: "GBP", perUsd: 0.79, decimals: 2, note: 10 },
  { code: "CAD", perUsd: 1.36, decimals: 2, note: 20 },
  { code: "AUD", perUsd: 1.52, decimals: 2, note: 20 },
  { code: "JPY", perUsd: 150, decimals: 0, note: 1000 },
  { code: "BRL", perUsd: 5, decimals: 2, note: 50 },
  { code: "MXN", perUsd: 17, decimals: 2, note: 100 },
  { code: "INR", perUsd: 83, decimals: 2, note: 500 },
  { code: "SGD", perUsd: 1.34, decimals: 2, note: 10 },
  { code: "CHF", perUsd: 0.88, decimals: 2, note: 20 },
  { code: "SEK", perUsd: 10.5, decimals: 2, note: 100 },
  { code: "PLN", perUsd: 4, decimals: 2, note: 50 },
  { code: "AED", perUsd: 3.67, decimals: 2, note: 50 },
  { code: "ZAR", perUsd: 18.5, decimals: 2, note: 100 },
];

/** Countries (ISO 3166-1 alpha-2) with their share of accounts and their currency. */
export const COUNTRIES: readonly {
  readonly code: string;
  readonly weight: number;
  readonly currency: string;
}[] = [
  { code: "US", weight: 0.34, currency: "USD" },
  { code: "GB", weight: 0.1, currency: "GBP" },
  { code: "DE", weight: 0.08, currency: "EUR" },
  { code: "FR", weight: 0.07, currency: "EUR" },
  { code: "ES", weight: 0.04, currency: "EUR" },
  { code: "IT", weight: 0.04, currency: "EUR" },
  { code: "NL", weight: 0.03, currency: "EUR" },
  { code: "IE", weight: 0.01, currency: "EUR" },
  { code: "CA", weight: 0.05, currency: "CAD" },
  { code: "AU", weight: 0.03, currency: "AUD" },
  { code: "JP", weight: 0.04, currency: "JPY" },
  { code: "BR", weight: 0.03, currency: "BRL" },
  { code: "MX", weight: 0.03, currency: "MXN" },
  { code: "IN", weight: 0.04, currency: "INR" },
  { code: "SG", weight: 0.01, currency: "SGD" },
  { code: "CH", weight: 0.01, currency: "CHF" },
  { code: "SE", weight: 0.02, currency: "SEK" },
  { code: "PL", weight: 0.02, currency: "PLN" },
  { code: "AE", weight: 0.01, currency: "AED" },
  { code: "ZA", weight: 0.01, currency: "ZAR" },
];
const COUNTRY_CURRENCY = COUNTRIES.map((c) => CURRENCIES.findIndex((x) => x.code === c.currency));

/** Public test BIN ranges (Visa, Mastercard, Amex, Discover, JCB, Diners) with PAN length and share. */
const TEST_BINS: readonly { readonly bin: string; readonly length: number; readonly weight: number }[] = [
  { bin: "411111", length: 16, weight: 0.2 },
  { bin: "424242", length: 16, weight: 0.15 },
  { bin: "400005", length: 16, weight: 0.1 },
  { bin: "401288", length: 16, weight: 0.1 },
  { bin: "555555", length: 16, weight: 0.1 },
  { bin: "510510", length: 16, weight: 0.1 },
  { bin: "222300", length: 16, weight: 0.1 },
  { bin: "378282", length: 15, weight: 0.05 },
  { bin: "371449", length: 15, weight: 0.03 },
  { bin: "601111", length: 16, weight: 0.04 },
  { bin: "353011", length: 16, weight: 0.02 },
  { bin: "305693", length: 14, weight: 0.01 },
];
const BIN_CDF = cumulativeWeights(TEST_BINS.map((b) => b.weight));
/** Most cards a generator supports: PAN bodies are a bijection of the card index, so they never repeat. */
export const MAX_ACCOUNTS = 10_000_000;

/** Local-time hourly intensity, weekday then weekend. */
const WEEKDAY_HOURS = [
  0.25,
  0.15,
  0.1,
  0.08,
  0.08,
  0.12,
  0.3,
  0.6,
  0.9,
  1,
  1.1,
  1.25,
  1.4,
  1.3,
  1.2,
  1.2,
  1.3,
  1.45,
  1.55,
  1.5,
  1.3,
  1,
  0.7,
  0.45,
];
const WEEKEND_HOURS = [
  0.35,
  0.25,
  0.15,
  0.1,
  0.08,
  0.08,
  0.15,
  0.3,
  0.55,
  0.85,
  1.1,
  1.3,
  1.45,
  1.45,
  1.4,
  1.35,
  1.35,
  1.4,
  1.45,
  1.4,
  1.25,
  1.05,
  0.8,
  0.55,
];
/** Sunday … Saturday. */
const DAY_FACTOR = [0.85, 0.95, 0.97, 1, 1.02, 1.12, 1.08];

/** Fraud episode shapes, indexed by scenario code (1..3). */
const EPISODE_SPECS = [
  { min: 0, max: 0, spanMs: 0 },
  { min: 12, max: 40, spanMs: 10 * 60_000 },
  { min: 2, max: 6, spanMs: 2 * 3_600_000 },
  { min: 10, max: 25, spanMs: 45 * 60_000 },
] as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GOLDEN_FRACTION = 0.6180339887498949;
const REGULARS = 6;
const REGULAR_SHARE = 0.5;
const DCC_SHARE = 0.05;
const DOMAIN_ROW = 1, DOMAIN_ACCOUNT = 2, DOMAIN_EPISODE = 3, DOMAIN_CARD = 4, DOMAIN_KEYS = 5;
/** Domain for {@linkcode counterStream} when malforming row `seq`'s text, so it is reproducible too. */
export const MALFORM_DOMAIN = 6;
// Row streams.
const S_TIME = 0, S_ACCOUNT = 1, S_REGULAR = 2, S_MERCHANT = 3, S_CATEGORY = 4, S_FOREIGN = 5, S_COUNTRY = 6;
const S_CHANNEL = 7, S_AMOUNT = 8, S_DCC = 9, S_DISORDER = 10, S_DELAY = 11, S_DUP = 12, S_DUP_LAG = 13;
const S_MALFORMED = 14;

/** The columns of every generated batch, in order. */
export const TRANSACTION_SCHEMA: Schema = [
  { name: "transaction_id", type: "string", nullable: false },
  { name: "event_time", type: "timestamp", nullable: false },
  { name: "account_id", type: "string", nullable: false },
  { name: "card", type: "string", nullable: false },
  { name: "card_display", type: "string", nullable: false },
  { name: "merchant_id", type: "string", nullable: false },
  { name: "merchant_category", type: "string", nullable: false },
  { name: "amount", type: "double", nullable: false },
  { name: "currency", type: "string", nullable: false },
  { name: "channel", type: "string", nullable: false },
  { name: "country", type: "string", nullable: false },
  { name: "is_fraud", type: "bool", nullable: false },
  { name: "scenario", type: "string", nullable: false },
  /** Global row index = arrival order. */
  { name: "seq", type: "long", nullable: false },
  { name: "is_duplicate", type: "bool", nullable: false },
  { name: "is_malformed", type: "bool", nullable: false },
];

/** A half-open range of global row indices. */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/** Settings of {@linkcode TransactionGenerator}. Every partition must use the same settings. */
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
  /** Number of accounts (= cards), at most {@linkcode MAX_ACCOUNTS}. @default {clamp(totalRows / 50, 100, 10^7)} */
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

interface Episode {
  readonly e: number;
  readonly type: number;
  readonly start: number;
  readonly count: number;
  readonly gap: number;
  readonly account: number;
  readonly category: number;
  readonly country: number;
  readonly merchant: number;
}

/** Row fields before they are turned into strings. */
interface RowScratch {
  txIndex: number;
  time: number;
  account: number;
  category: number;
  country: number;
  merchant: number;
  channel: number;
  amount: number;
  currency: number;
  scenario: number;
}

const B32 = Array.from("0123456789abcdefghjkmnpqrstvwxyz", (c) => c.charCodeAt(0));
const TWO_25 = 33_554_432;

const utf8Encoder = new TextEncoder();
const NO_BYTES = new Uint8Array(0);
// A card's slot in the text slab: token (hex of a 32-byte HMAC at most: 64), display (≤ 19), account id.
const TOKEN_AT = 0, DISPLAY_AT = 64, ACCOUNT_AT = 88, CARD_SLOT = 104;

/** Writes ASCII `s` at `dst[at]` (at most `max` bytes); returns its length. */
function writeAscii(s: string, dst: Uint8Array, at: number, max: number): number {
  if (s.length > max) throw new RangeError(`Generated text "${s}" is longer than its ${max}-byte slot`);
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c > 0x7f) throw new RangeError(`Generated text "${s}" is not ASCII`);
    dst[at + k] = c;
  }
  return s.length;
}
const CATEGORY_UTF8 = CATEGORIES.map((c) => utf8Encoder.encode(c.name));
const CURRENCY_UTF8 = CURRENCIES.map((c) => utf8Encoder.encode(c.code));
const CHANNEL_UTF8 = CHANNELS.map((c) => utf8Encoder.encode(c));
const COUNTRY_UTF8 = COUNTRIES.map((c) => utf8Encoder.encode(c.code));
const SCENARIO_UTF8 = SCENARIOS.map((c) => utf8Encoder.encode(c));

/** A string column written as UTF-8 bytes and offsets, one row at a time. */
class Utf8Builder {
  #data: Uint8Array;
  readonly #offsets: Int32Array;
  #at = 0;
  #n = 0;

  constructor(rows: number, bytesPerRow: number) {
    this.#data = new Uint8Array(Math.max(64, rows * bytesPerRow));
    this.#offsets = new Int32Array(rows + 1);
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#data.length) return;
    const next = new Uint8Array(Math.max(2 * this.#data.length, this.#at + bytes));
    next.set(this.#data.subarray(0, this.#at));
    this.#data = next;
  }

  /** Appends `len` bytes of `src` from `at`. */
  pushFrom(src: Uint8Array, from: number, len: number): void {
    this.#room(len);
    const data = this.#data;
    let at = this.#at;
    for (let k = from; k < from + len; k++) data[at++] = src[k]!;
    this.#at = at;
    this.#offsets[++this.#n] = at;
  }

  /** Appends one value's UTF-8 bytes. */
  push(bytes: Uint8Array): void {
    const len = bytes.length;
    this.#room(len);
    const data = this.#data;
    let at = this.#at;
    if (len < 32) { for (let k = 0; k < len; k++) data[at++] = bytes[k]!; }
    else {
      data.set(bytes, at);
      at += len;
    }
    this.#at = at;
    this.#offsets[++this.#n] = at;
  }

  /** Appends the three bytes `p0 p1 p2` then 10 base-32 digits of `v` < 2^50 (a row id). */
  id50(p0: number, p1: number, p2: number, v: number): void {
    this.#room(13);
    const d = this.#data;
    let at = this.#at;
    const hi = Math.floor(v / TWO_25), lo = v % TWO_25;
    d[at++] = p0;
    d[at++] = p1;
    d[at++] = p2;
    for (let shift = 20; shift >= 0; shift -= 5) d[at++] = B32[(hi >>> shift) & 31]!;
    for (let shift = 20; shift >= 0; shift -= 5) d[at++] = B32[(lo >>> shift) & 31]!;
    this.#at = at;
    this.#offsets[++this.#n] = at;
  }

  vec(): Vec {
    return utf8Vec({ offsets: this.#offsets, data: this.#data.subarray(0, this.#at) }, undefined);
  }
}

/** `prefix` + `chars` base-32 digits of `value` (most significant first). */
function encodeId(prefix: string, value: number, chars: number): string {
  let v = value;
  let digits = "";
  for (let i = 0; i < chars; i++) {
    digits = String.fromCharCode(B32[v % 32]!) + digits;
    v = Math.floor(v / 32);
  }
  return prefix + digits;
}

function fraction(name: string, v: number | undefined, max = 1): number {
  const x = v ?? 0;
  if (!(x >= 0 && x <= max)) throw new RangeError(`${name} must be in [0, ${max}], got ${x}`);
  return x;
}

function positive(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!(x > 0 && Number.isFinite(x))) throw new RangeError(`${name} must be a positive number, got ${x}`);
  return x;
}

function integerIn(name: string, v: number, min: number, max: number): number {
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

/** Builds the PAN of `card` (exported as {@linkcode syntheticPan}). */
class PanMaker {
  readonly #rng: CounterRandom;
  readonly #bodies: Permutation[];
  constructor(seed: number) {
    this.#rng = new CounterRandom(seed, DOMAIN_CARD);
    const k = new CounterRandom(seed, DOMAIN_KEYS);
    this.#bodies = TEST_BINS.map((t, b) => new Permutation(10 ** (t.length - 7), k.at(16 + b).u32(0)));
  }
  pan(card: number): string {
    const b = pickCumulative(BIN_CDF, this.#rng.at(card).float(0));
    const { bin, length } = TEST_BINS[b]!;
    const bodyLength = length - 7;
    const body = this.#bodies[b]!.apply(card);
    const partial = bin + String(body).padStart(bodyLength, "0");
    return partial + luhnCheckDigit(partial);
  }
}

/**
 * The internal, Luhn-valid synthetic PAN of card `cardIndex` (= account index) under `seed`.
 * A test hook: generated batches only ever hold its token and masked form.
 */
export function syntheticPan(seed: number, cardIndex: number): string {
  integerIn("cardIndex", cardIndex, 0, MAX_ACCOUNTS - 1);
  return new PanMaker(seed).pan(cardIndex);
}

/**
 * Generates transaction rows by global index. Holds precomputed tables and bounded caches (card
 * tokens, ids), so build one per task and reuse it across chunks. Not shareable across threads.
 *
 * @example
 * ```ts
 * import { TransactionGenerator } from "./generator.ts";
 * import { generateDemoKey } from "./card_token.ts";
 * const gen = new TransactionGenerator({ seed: 7, totalRows: 1_000_000, tokenKey: generateDemoKey({ seed: 7 }) });
 * for (const batch of gen.chunks({ start: 0, end: 200_000 })) console.log(batch.length); // 65536, …, 3392
 * ```
 */
export class TransactionGenerator {
  readonly #n: number;
  readonly #accounts: number;
  readonly #perCell: number;
  readonly #start: number;
  readonly #duration: number;
  readonly #row: CounterRandom;
  readonly #acct: CounterRandom;
  readonly #ep: CounterRandom;
  readonly #pans: PanMaker;
  readonly #tokenizer: CardTokenizer;
  readonly #txIds: Permutation;
  readonly #accountIds: Permutation;
  readonly #merchantIdPerm: Permutation;
  // Seasonal time: cumulative intensity at hour-bin boundaries.
  readonly #cum: Float64Array;
  // Account activity: rank density ∝ (r + c)^-0.7.
  readonly #actC: number;
  readonly #actC3: number;
  readonly #actD: number;
  readonly #catCdf = cumulativeWeights(CATEGORIES.map((c) => c.weight));
  readonly #countryCdf = cumulativeWeights(COUNTRIES.map((c) => c.weight));
  readonly #channelCdf = CATEGORIES.map((c) => cumulativeWeights(c.channels));
  // Fraud episodes.
  readonly #period: number;
  readonly #typeCdf: Float64Array;
  readonly #typePhase: number;
  readonly #maxSpan: number;
  // Knobs.
  readonly #ooo: number;
  readonly #oooMean: number;
  readonly #late: number;
  readonly #lateness: number;
  readonly #lateMean: number;
  readonly #dup: number;
  readonly #dupLag: number;
  readonly #malformed: number;
  // Caches.
  readonly #mask: number;
  readonly #cardKey: Int32Array;
  // Cached per card as ASCII in one slab (token, display, account id at fixed offsets of each
  // card's slot, lengths beside): rows copy the bytes, no string or buffer per row or card.
  readonly #cardText: Uint8Array;
  readonly #cardTextLen: Uint8Array;
  readonly #cardHome: Uint8Array;
  readonly #merchantIds: Uint8Array[];
  readonly #s: RowScratch = {
    txIndex: 0,
    time: 0,
    account: 0,
    category: 0,
    country: 0,
    merchant: 0,
    channel: 0,
    amount: 0,
    currency: 0,
    scenario: 0,
  };

  constructor(options: TransactionGeneratorOptions) {
    const o = options;
    if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be a safe integer, got ${o.seed}`);
    this.#n = integerIn("totalRows", o.totalRows, 0, 2 ** 50);
    this.#accounts = integerIn(
      "accounts",
      o.accounts ?? Math.min(MAX_ACCOUNTS, Math.max(100, Math.ceil(this.#n / 50))),
      1,
      MAX_ACCOUNTS,
    );
    this.#perCell = integerIn(
      "merchantsPerCell",
      o.merchantsPerCell ?? Math.min(200, Math.max(5, Math.round(this.#n / 20000))),
      1,
      100_000,
    );
    this.#start = o.startTime ?? Date.UTC(2024, 0, 1);
    if (!Number.isSafeInteger(this.#start)) {
      throw new RangeError(`startTime must be an integer ms timestamp, got ${this.#start}`);
    }
    this.#duration = integerIn("durationMs", o.durationMs ?? 30 * DAY, 1, 100 * 365 * DAY);
    const offset = o.seasonalityUtcOffsetHours ?? 0;
    if (!(offset >= -24 && offset <= 24)) {
      throw new RangeError(`seasonalityUtcOffsetHours must be in [-24, 24], got ${offset}`);
    }
    this.#row = new CounterRandom(o.seed, DOMAIN_ROW);
    this.#acct = new CounterRandom(o.seed, DOMAIN_ACCOUNT);
    this.#ep = new CounterRandom(o.seed, DOMAIN_EPISODE);
    this.#pans = new PanMaker(o.seed);
    this.#tokenizer = new CardTokenizer(
      o.tokenKey,
      o.tokenEncoding === undefined ? {} : { encoding: o.tokenEncoding },
    );
    const keys = new CounterRandom(o.seed, DOMAIN_KEYS).at(0);
    this.#txIds = new Permutation(2 ** 50, keys.u32(0));
    this.#accountIds = new Permutation(2 ** 40, keys.u32(1));
    this.#merchantIdPerm = new Permutation(2 ** 30, keys.u32(2));

    const bins = Math.ceil(this.#duration / HOUR);
    this.#cum = new Float64Array(bins + 1);
    for (let h = 0; h < bins; h++) {
      const local = this.#start + h * HOUR + offset * HOUR;
      const hour = ((Math.floor(local / HOUR) % 24) + 24) % 24;
      const dow = ((Math.floor(local / DAY) + 4) % 7 + 7) % 7;
      const profile = dow === 0 || dow === 6 ? WEEKEND_HOURS : WEEKDAY_HOURS;
      const len = Math.min(HOUR, this.#duration - h * HOUR) / HOUR;
      this.#cum[h + 1] = this.#cum[h]! + profile[hour]! * DAY_FACTOR[dow]! * len;
    }

    this.#actC = this.#accounts / 50;
    this.#actC3 = this.#actC ** 0.3;
    this.#actD = (this.#accounts + this.#actC) ** 0.3 - this.#actC3;

    const rate = fraction("fraudRate", o.fraudRate ?? 0.003, 0.5);
    const mix = o.scenarioMix ?? {};
    const shares = [mix.card_testing ?? 0.4, mix.account_takeover ?? 0.2, mix.velocity ?? 0.4];
    const meanSize = EPISODE_SPECS.slice(1).map((s) => (s.min + s.max) / 2);
    const episodeWeights = shares.map((w, k) => w / meanSize[k]!);
    this.#typeCdf = cumulativeWeights(episodeWeights);
    this.#typePhase = keys.float(3);
    const totalW = episodeWeights.reduce((a, b) => a + b, 0);
    const meanEpisode = episodeWeights.reduce((a, w, k) => a + (w / totalW) * meanSize[k]!, 0);
    this.#period = rate > 0 ? meanEpisode / rate : Infinity;
    let densest = 0;
    for (let h = 0; h < bins; h++) densest = Math.max(densest, this.#rowsPerMs(h));
    this.#maxSpan = Math.max(...EPISODE_SPECS.map((s, k) => s.max * this.#gap(k, densest)));

    this.#ooo = fraction("outOfOrderFraction", o.outOfOrderFraction);
    this.#late = fraction("lateFraction", o.lateFraction);
    if (this.#ooo + this.#late > 1) {
      throw new RangeError("outOfOrderFraction + lateFraction must be at most 1");
    }
    this.#oooMean = positive("outOfOrderMeanDelayMs", o.outOfOrderMeanDelayMs, 5000);
    this.#lateness = positive("allowedLatenessMs", o.allowedLatenessMs, 60_000);
    this.#lateMean = positive("lateMeanExtraMs", o.lateMeanExtraMs, 60_000);
    this.#dup = fraction("duplicateFraction", o.duplicateFraction);
    this.#dupLag = integerIn("duplicateMaxLag", o.duplicateMaxLag ?? 10_000, 1, 2 ** 50);
    this.#malformed = fraction("malformedFraction", o.malformedFraction);

    const want = integerIn("cardCacheSize", o.cardCacheSize ?? 262_144, 1, 1 << 24);
    let cap = 1;
    while (cap < Math.min(want, this.#accounts)) cap *= 2;
    this.#mask = cap - 1;
    this.#cardKey = new Int32Array(cap).fill(-1);
    this.#cardText = new Uint8Array(cap * CARD_SLOT);
    this.#cardTextLen = new Uint8Array(cap * 3);
    this.#cardHome = new Uint8Array(cap);
    this.#merchantIds = new Array<Uint8Array>(COUNTRIES.length * CATEGORIES.length * this.#perCell).fill(
      NO_BYTES,
    );
  }

  /** The schema of every batch ({@linkcode TRANSACTION_SCHEMA}). */
  get schema(): Schema {
    return TRANSACTION_SCHEMA;
  }

  /** Rows `[range.start, range.end)` as one batch. */
  generate(range: RowRange): Batch {
    this.#checkRange(range);
    return this.#batch(range.start, range.end);
  }

  /** Rows `[range.start, range.end)` as consecutive batches of at most `chunkSize` rows. */
  *chunks(range: RowRange, chunkSize = 65_536): Generator<Batch, void, undefined> {
    this.#checkRange(range);
    integerIn("chunkSize", chunkSize, 1, 1 << 24);
    for (let a = range.start; a < range.end; a += chunkSize) {
      yield this.#batch(a, Math.min(range.end, a + chunkSize));
    }
  }

  #checkRange(range: RowRange): void {
    integerIn("range.start", range.start, 0, this.#n);
    integerIn("range.end", range.end, range.start, this.#n);
  }

  #batch(a: number, b: number): Batch {
    const len = b - a;
    // String columns are written straight to UTF-8 (the Arrow layout): no string per row for
    // the ids, and nothing to encode when the batch is cached, shuffled or written.
    const text = (bytesPerRow: number) => new Utf8Builder(len, bytesPerRow);
    const txId = text(13), account = text(11), card = text(44), display = text(19), merchant = text(8);
    const category = text(12), currency = text(3), channel = text(11), country = text(2), scenario = text(8);
    const time = new Float64Array(len), amount = new Float64Array(len), seq = new Float64Array(len);
    const fraud = new Uint8Array(len), dup = new Uint8Array(len), bad = new Uint8Array(len);
    const { episodes, slot } = this.#markEpisodes(a, b);
    const s = this.#s;
    for (let i = a; i < b; i++) {
      const k = i - a;
      const o = this.#dup > 0 ? this.#originalOf(i) : i;
      if (o === i) {
        const e = slot[k]!;
        this.#fill(i, e >= 0 ? episodes[e] : undefined);
      } else {
        this.#fill(o, this.#episodeAt(o));
        dup[k] = 1;
      }
      const c = this.#card(s.account);
      txId.id50(116, 120, 95, this.#txIds.apply(s.txIndex)); // "tx_"
      time[k] = s.time;
      const at = c * CARD_SLOT, lens = this.#cardTextLen, text = this.#cardText;
      account.pushFrom(text, at + ACCOUNT_AT, lens[3 * c + 2]!);
      card.pushFrom(text, at + TOKEN_AT, lens[3 * c]!);
      display.pushFrom(text, at + DISPLAY_AT, lens[3 * c + 1]!);
      merchant.push(this.#merchantId(s.merchant));
      category.push(CATEGORY_UTF8[s.category]!);
      amount[k] = s.amount;
      currency.push(CURRENCY_UTF8[s.currency]!);
      channel.push(CHANNEL_UTF8[s.channel]!);
      country.push(COUNTRY_UTF8[s.country]!);
      fraud[k] = s.scenario === 0 ? 0 : 1;
      scenario.push(SCENARIO_UTF8[s.scenario]!);
      seq[k] = i;
      if (this.#malformed > 0 && this.#row.at(i).float(S_MALFORMED) < this.#malformed) bad[k] = 1;
    }
    const columns: Vec[] = [
      txId.vec(),
      { type: "timestamp", values: time },
      account.vec(),
      card.vec(),
      display.vec(),
      merchant.vec(),
      category.vec(),
      { type: "double", values: amount },
      currency.vec(),
      channel.vec(),
      country.vec(),
      { type: "bool", values: fraud },
      scenario.vec(),
      { type: "long", values: seq },
      { type: "bool", values: dup },
      { type: "bool", values: bad },
    ];
    return { schema: TRANSACTION_SCHEMA, length: len, columns };
  }

  /** The first emission of row `i` (itself unless `i` is a duplicate). */
  #originalOf(i: number): number {
    let j = i;
    while (j > 0) {
      const r = this.#row.at(j);
      if (!(r.float(S_DUP) < this.#dup)) break;
      j -= 1 + r.below(S_DUP_LAG, Math.min(j, this.#dupLag));
    }
    return j;
  }

  /** Fills the scratch row with the first emission of row `i`. */
  #fill(i: number, episode: Episode | undefined): void {
    const s = this.#s;
    const r = this.#row.at(i);
    s.txIndex = i;
    let t = this.#nominalTime(i + r.float(S_TIME));
    if (episode === undefined) this.#legit(r, s);
    else this.#fraud(r, s, episode);
    if (this.#ooo > 0 || this.#late > 0) {
      const u = r.float(S_DISORDER);
      if (u < this.#ooo) {
        // Exponential truncated to (0, lateness]: inverse CDF on a scaled uniform.
        const cut = 1 - Math.exp(-this.#lateness / this.#oooMean);
        t -= Math.min(this.#lateness, Math.ceil(-this.#oooMean * Math.log(1 - r.float(S_DELAY) * cut)));
      } else if (u < this.#ooo + this.#late) {
        t -= this.#lateness + 1 + Math.floor(r.exponential(S_DELAY, this.#lateMean));
      }
    }
    s.time = t;
  }

  /** Event time at fractional row position `x` in [0, totalRows). */
  #nominalTime(x: number): number {
    const cum = this.#cum;
    const q = (x / this.#n) * cum[cum.length - 1]!;
    const lo = this.#binOf(x);
    const len = Math.min(HOUR, this.#duration - lo * HOUR);
    const t = this.#start + lo * HOUR + Math.floor(((q - cum[lo]!) / (cum[lo + 1]! - cum[lo]!)) * len);
    return Math.min(t, this.#start + this.#duration - 1);
  }

  /** The hour bin holding fractional row position `x`. */
  #binOf(x: number): number {
    const cum = this.#cum;
    const q = (x / this.#n) * cum[cum.length - 1]!;
    let lo = 0, hi = cum.length - 1; // cum[lo] <= q < cum[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! <= q) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Rows per millisecond in hour bin `h`. */
  #rowsPerMs(h: number): number {
    const cum = this.#cum;
    const len = Math.min(HOUR, this.#duration - h * HOUR);
    return (this.#n * (cum[h + 1]! - cum[h]!)) / cum[cum.length - 1]! / len;
  }

  /** Row stride between members of a `type` episode, so it lasts about its span at `rowsPerMs`. */
  #gap(type: number, rowsPerMs: number): number {
    const spec = EPISODE_SPECS[type]!;
    if (spec.max === 0) return 1;
    return Math.max(1, Math.round((spec.spanMs * rowsPerMs) / ((spec.min + spec.max) / 2)));
  }

  #legit(r: CounterRandom, s: RowScratch): void {
    const u = r.float(S_ACCOUNT);
    const account = Math.min(
      this.#accounts - 1,
      Math.floor((this.#actC3 + u * this.#actD) ** (1 / 0.3) - this.#actC),
    );
    const home = this.#cardHome[this.#card(account)]!;
    let category: number, country: number, k: number;
    if (r.float(S_REGULAR) < REGULAR_SHARE) {
      const j = r.below(S_MERCHANT, REGULARS);
      const a = this.#acct.at(account);
      category = pickCumulative(this.#catCdf, a.float(10 + j));
      country = home;
      k = a.below(20 + j, this.#perCell);
    } else {
      category = pickCumulative(this.#catCdf, r.float(S_CATEGORY));
      country = r.float(S_FOREIGN) < CATEGORIES[category]!.foreign
        ? pickCumulative(this.#countryCdf, r.float(S_COUNTRY))
        : home;
      const m = r.float(S_MERCHANT);
      k = Math.floor(this.#perCell * m * m);
    }
    const cat = CATEGORIES[category]!;
    let currency = COUNTRY_CURRENCY[country]!;
    if (country !== home && r.float(S_DCC) < DCC_SHARE) currency = COUNTRY_CURRENCY[home]!;
    s.account = account;
    s.category = category;
    s.country = country;
    s.merchant = this.#merchantIndex(country, category, k);
    s.channel = pickCumulative(this.#channelCdf[category]!, r.float(S_CHANNEL));
    s.amount = toLocal(cat.medianUsd * Math.exp(cat.sigma * r.normal(S_AMOUNT)), currency, category === ATM);
    s.currency = currency;
    s.scenario = 0;
  }

  #fraud(r: CounterRandom, s: RowScratch, ep: Episode): void {
    s.account = ep.account;
    s.scenario = ep.type;
    let usd: number;
    if (ep.type === 1) {
      s.category = ep.category;
      s.country = ep.country;
      s.merchant = ep.merchant;
      s.channel = ONLINE;
      usd = 0.3 + Math.floor(r.float(S_AMOUNT) * 271) / 100;
    } else if (ep.type === 2) {
      s.category = TAKEOVER_CATEGORIES[r.below(S_CATEGORY, TAKEOVER_CATEGORIES.length)]!;
      s.country = ep.country;
      s.merchant = this.#merchantIndex(ep.country, s.category, r.below(S_MERCHANT, this.#perCell));
      s.channel = r.float(S_CHANNEL) < 0.8 ? ONLINE : POS;
      usd = Math.max(250, 4 * CATEGORIES[s.category]!.medianUsd) * Math.exp(0.5 * r.normal(S_AMOUNT));
    } else {
      s.category = VELOCITY_CATEGORIES[r.below(S_CATEGORY, VELOCITY_CATEGORIES.length)]!;
      s.country = ep.country;
      s.merchant = this.#merchantIndex(ep.country, s.category, r.below(S_MERCHANT, this.#perCell));
      s.channel = s.category === ATM
        ? ATM_CHANNEL
        : pickCumulative(this.#channelCdf[s.category]!, r.float(S_CHANNEL));
      usd = 1.5 * CATEGORIES[s.category]!.medianUsd * Math.exp(0.5 * r.normal(S_AMOUNT));
    }
    s.currency = COUNTRY_CURRENCY[s.country]!;
    s.amount = toLocal(usd, s.currency, s.category === ATM);
  }

  /** Parameters of fraud episode `e` (a pure function of the seed and `e`). */
  #episode(e: number): Episode {
    const g = this.#ep.at(e);
    // Types follow a golden-ratio sequence (not independent draws), so every stretch of episodes
    // has close to the configured mix and the fraud share of a range varies less.
    const w = (this.#typePhase + e * GOLDEN_FRACTION) % 1;
    const type = 1 + pickCumulative(this.#typeCdf, w);
    const spec = EPISODE_SPECS[type]!;
    const start = Math.floor((e + g.float(1)) * this.#period);
    const count = spec.min + g.below(2, spec.max - spec.min + 1);
    const account = g.below(3, this.#accounts);
    const home = this.#cardHome[this.#card(account)]!;
    let category = 0, country = home, merchant = 0;
    if (type === 1) {
      category = CARD_TESTING_CATEGORIES[g.below(4, CARD_TESTING_CATEGORIES.length)]!;
      if (g.float(5) < 0.5) country = pickCumulative(this.#countryCdf, g.float(6));
      merchant = this.#merchantIndex(country, category, g.below(7, this.#perCell));
    } else if (type === 2) {
      country = pickCumulative(this.#countryCdf, g.float(5));
      if (country === home) country = (home + 1 + g.below(6, COUNTRIES.length - 1)) % COUNTRIES.length;
    }
    return {
      e,
      type,
      start,
      count,
      gap: this.#gap(type, this.#rowsPerMs(this.#binOf(start))),
      account,
      category,
      country,
      merchant,
    };
  }

  /** Row index of member `j` of `ep`: one row in each `gap`-wide stride. */
  #memberRow(ep: Episode, j: number): number {
    return ep.start + j * ep.gap + (ep.gap > 1 ? this.#ep.at(ep.e).below(100 + j, ep.gap) : 0);
  }

  /** Episodes that may own rows in `[a, b)` (earliest first). */
  #episodesNear(a: number, b: number): Episode[] {
    if (!Number.isFinite(this.#period)) return [];
    const lo = Math.max(0, Math.floor((a - this.#maxSpan) / this.#period) - 1);
    const hi = Math.floor(b / this.#period);
    const out: Episode[] = [];
    for (let e = lo; e <= hi; e++) out.push(this.#episode(e));
    return out;
  }

  /** For each row of `[a, b)`: the index into `episodes` of the episode owning it, or -1. */
  #markEpisodes(a: number, b: number): { episodes: Episode[]; slot: Int32Array } {
    const episodes = this.#episodesNear(a, b);
    const slot = new Int32Array(b - a).fill(-1);
    episodes.forEach((ep, x) => {
      for (let j = 0; j < ep.count; j++) {
        const row = this.#memberRow(ep, j);
        if (row >= a && row < b && slot[row - a] === -1) slot[row - a] = x;
      }
    });
    return { episodes, slot };
  }

  /** The episode owning row `i`, if any (the same answer {@linkcode #markEpisodes} gives). */
  #episodeAt(i: number): Episode | undefined {
    for (const ep of this.#episodesNear(i, i + 1)) {
      const j = Math.floor((i - ep.start) / ep.gap);
      if (j >= 0 && j < ep.count && this.#memberRow(ep, j) === i) return ep;
    }
    return undefined;
  }

  #merchantIndex(country: number, category: number, k: number): number {
    return (k * COUNTRIES.length + country) * CATEGORIES.length + category;
  }

  #merchantId(m: number): Uint8Array {
    let id = this.#merchantIds[m]!;
    if (id === NO_BYTES) {
      id = utf8Encoder.encode(encodeId("m_", this.#merchantIdPerm.apply(m), 6));
      this.#merchantIds[m] = id;
    }
    return id;
  }

  /** Cache slot of `account`'s card, filling it (PAN → token, display; account id; home) on a miss. */
  #card(account: number): number {
    const c = account & this.#mask;
    if (this.#cardKey[c] !== account) {
      const pan = this.#pans.pan(account);
      const slot = c * CARD_SLOT, text = this.#cardText, lens = this.#cardTextLen;
      lens[3 * c] = writeAscii(this.#tokenizer.tokenize(pan), text, slot + TOKEN_AT, DISPLAY_AT - TOKEN_AT);
      lens[3 * c + 1] = writeAscii(displayCard(pan), text, slot + DISPLAY_AT, ACCOUNT_AT - DISPLAY_AT);
      lens[3 * c + 2] = writeAscii(
        encodeId("ac_", this.#accountIds.apply(account), 8),
        text,
        slot + ACCOUNT_AT,
        CARD_SLOT - ACCOUNT_AT,
      );
      this.#cardHome[c] = pickCumulative(this.#countryCdf, this.#acct.at(account).float(0));
      this.#cardKey[c] = account;
    }
    return c;
  }
}

/** Converts a USD amount to `currency`, rounded to minor units (ATM: to banknotes). */
function toLocal(usd: number, currency: number, atm: boolean): number {
  const c = CURRENCIES[currency]!;
  const x = usd * c.perUsd;
  if (atm) return Math.max(c.note, Math.round(x / c.note) * c.note);
  const f = c.decimals === 0 ? 1 : 100;
  return Math.max(1 / f, Math.round(x * f) / f);
}

/**
 * Rows `[range.start, range.end)` of the dataset described by `options`, as one batch.
 *
 * @example
 * ```ts
 * import { generateTransactions } from "./generator.ts";
 * import { generateDemoKey } from "./card_token.ts";
 * const batch = generateTransactions({ start: 0, end: 1000 }, { seed: 1, totalRows: 1000, tokenKey: generateDemoKey({ seed: 1 }) });
 * ```
 */
export function generateTransactions(range: RowRange, options: TransactionGeneratorOptions): Batch {
  return new TransactionGenerator(options).generate(range);
}

/** Rows `[range.start, range.end)` as batches of at most `chunkSize` (default 65,536) rows, lazily. */
export function generateChunks(
  range: RowRange,
  options: TransactionGeneratorOptions & { readonly chunkSize?: number },
): Generator<Batch, void, undefined> {
  return new TransactionGenerator(options).chunks(range, options.chunkSize);
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

/** How {@linkcode malformRecord} broke a record. */
export type MalformKind = "truncated" | "non_numeric_amount" | "bad_timestamp";

const BAD_AMOUNTS = ["N/A", "12,50", "$12.50", "abc", "", "1.2.3", "NaN"];
const BAD_TIMES = [
  "2024-02-30T25:61:00Z",
  "not-a-date",
  "",
  "31/12/2024 10:00",
  "17000000000000000000",
  "0000-00-00",
];

/**
 * Breaks one CSV line or JSON object (a record as written from a generated row) the way real
 * feeds break: `truncated` (cut somewhere inside), `non_numeric_amount` (the `amount` value
 * replaced by text like `N/A` or `12,50`), or `bad_timestamp` (the `event_time` value replaced by an
 * impossible or unparsable date). JSON is recognised by a leading `{`; a CSV line is split on commas
 * outside double quotes and its fields named by `options.columns` (default: the
 * {@linkcode TRANSACTION_SCHEMA} names in order). When the field to replace is missing, the record
 * is truncated instead. `rng` returns uniforms in [0, 1); pass `counterStream(seed, seq,
 * MALFORM_DOMAIN)` for reproducible output.
 */
export function malformRecord(
  text: string,
  rng: () => number,
  options: { readonly columns?: readonly string[] } = {},
): { readonly text: string; readonly kind: MalformKind } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(rng() * xs.length))]!;
  const kind = pick<MalformKind>(["truncated", "non_numeric_amount", "bad_timestamp"]);
  if (kind !== "truncated") {
    const field = kind === "non_numeric_amount" ? "amount" : "event_time";
    const bad = pick(kind === "non_numeric_amount" ? BAD_AMOUNTS : BAD_TIMES);
    const replaced = text.trimStart().startsWith("{")
      ? replaceJsonField(text, field, JSON.stringify(bad))
      : replaceCsvField(text, (options.columns ?? TRANSACTION_SCHEMA.map((f) => f.name)).indexOf(field), bad);
    if (replaced !== undefined) return { text: replaced, kind };
  }
  const body = text.replace(/\r?\n$/, "");
  const keep = Math.max(1, Math.min(body.length - 1, Math.floor(body.length * (0.1 + 0.8 * rng()))));
  return { text: body.slice(0, Math.max(0, keep)), kind: "truncated" };
}

function replaceJsonField(text: string, field: string, value: string): string | undefined {
  const re = new RegExp(`("${field}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[-+0-9.eE]+|true|false|null)`);
  if (!re.test(text)) return undefined;
  return text.replace(re, (_m, key: string) => key + value);
}

function replaceCsvField(text: string, index: number, value: string): string | undefined {
  if (index < 0) return undefined;
  const fields: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of text.replace(/\r?\n$/, "")) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      fields.push(cur);
      cur = "";
    } else cur += ch;
  }
  fields.push(cur);
  if (index >= fields.length) return undefined;
  fields[index] = value;
  return fields.join(",") + (text.endsWith("\n") ? "\n" : "");
}
