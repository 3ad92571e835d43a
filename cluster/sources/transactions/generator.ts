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
 * - Amounts: per-category log-normal in USD (`CATEGORIES` in `catalog.ts`), converted to the merchant
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
 *   batch; a CSV/JSON writer should pass those rows' text through `malformRecord` (`malform.ts`)
 *   (e.g. with `counterStream(seed, seq, MALFORM_DOMAIN)` as its rng).
 *
 * @module
 */
import type { Batch, Schema, Vec } from "../../columnar/batch.ts";
import { CardTokenizer } from "./card_token.ts";
import { CounterRandom, cumulativeWeights, Permutation } from "../../util/seeded_random.ts";
import { CATEGORIES, CHANNELS, COUNTRIES, CURRENCIES, MAX_ACCOUNTS, SCENARIOS } from "./catalog.ts";
import { CardTexts, PanMaker } from "./card_text.ts";
import { type Episode, FraudEpisodes } from "./fraud_episodes.ts";
import { fraction, integerIn, positive, type RowRange, type TransactionGeneratorOptions } from "./options.ts";
import { RowContent, type RowScratch } from "./row_content.ts";
import { DAY, SeasonalTime } from "./seasonal_time.ts";
import {
  DOMAIN_ACCOUNT,
  DOMAIN_CARD,
  DOMAIN_EPISODE,
  DOMAIN_KEYS,
  DOMAIN_ROW,
  S_DELAY,
  S_DISORDER,
  S_DUP,
  S_DUP_LAG,
  S_MALFORMED,
  S_TIME,
} from "./streams.ts";
import { encodeId, Utf8Builder } from "./utf8_text.ts";

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

const utf8Encoder = new TextEncoder();
const NO_BYTES = new Uint8Array(0);
const CATEGORY_UTF8 = CATEGORIES.map((c) => utf8Encoder.encode(c.name));
const CURRENCY_UTF8 = CURRENCIES.map((c) => utf8Encoder.encode(c.code));
const CHANNEL_UTF8 = CHANNELS.map((c) => utf8Encoder.encode(c));
const COUNTRY_UTF8 = COUNTRIES.map((c) => utf8Encoder.encode(c.code));
const SCENARIO_UTF8 = SCENARIOS.map((c) => utf8Encoder.encode(c));

/**
 * The internal, Luhn-valid synthetic PAN of card `cardIndex` (= account index) under `seed`.
 * A test hook: generated batches only ever hold its token and masked form.
 */
export function syntheticPan(seed: number, cardIndex: number): string {
  integerIn("cardIndex", cardIndex, 0, MAX_ACCOUNTS - 1);
  return new PanMaker(new CounterRandom(seed, DOMAIN_CARD), new CounterRandom(seed, DOMAIN_KEYS)).pan(
    cardIndex,
  );
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
  readonly #totalRows: number;
  readonly #rowRandom: CounterRandom;
  readonly #transactionIdPermutation: Permutation;
  readonly #merchantIdPermutation: Permutation;
  readonly #time: SeasonalTime;
  readonly #cards: CardTexts;
  readonly #episodes: FraudEpisodes;
  readonly #rows: RowContent;
  // Disorder knobs.
  readonly #outOfOrderFraction: number;
  readonly #outOfOrderMeanDelayMs: number;
  readonly #lateFraction: number;
  readonly #allowedLatenessMs: number;
  readonly #lateMeanExtraMs: number;
  readonly #duplicateFraction: number;
  readonly #duplicateMaxLag: number;
  readonly #malformedFraction: number;
  /** Merchant ids as UTF-8, built on first use. */
  readonly #merchantIds: Uint8Array[];
  readonly #scratch: RowScratch = {
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
    const totalRows = this.#totalRows = integerIn("totalRows", o.totalRows, 0, 2 ** 50);
    const accounts = integerIn(
      "accounts",
      o.accounts ?? Math.min(MAX_ACCOUNTS, Math.max(100, Math.ceil(totalRows / 50))),
      1,
      MAX_ACCOUNTS,
    );
    const merchantsPerCell = integerIn(
      "merchantsPerCell",
      o.merchantsPerCell ?? Math.min(200, Math.max(5, Math.round(totalRows / 20000))),
      1,
      100_000,
    );
    const startTime = o.startTime ?? Date.UTC(2024, 0, 1);
    if (!Number.isSafeInteger(startTime)) {
      throw new RangeError(`startTime must be an integer ms timestamp, got ${startTime}`);
    }
    const durationMs = integerIn("durationMs", o.durationMs ?? 30 * DAY, 1, 100 * 365 * DAY);
    const utcOffsetHours = o.seasonalityUtcOffsetHours ?? 0;
    if (!(utcOffsetHours >= -24 && utcOffsetHours <= 24)) {
      throw new RangeError(`seasonalityUtcOffsetHours must be in [-24, 24], got ${utcOffsetHours}`);
    }
    this.#rowRandom = new CounterRandom(o.seed, DOMAIN_ROW);
    const accountRandom = new CounterRandom(o.seed, DOMAIN_ACCOUNT);
    const panMaker = new PanMaker(
      new CounterRandom(o.seed, DOMAIN_CARD),
      new CounterRandom(o.seed, DOMAIN_KEYS),
    );
    const tokenizer = new CardTokenizer(
      o.tokenKey,
      o.tokenEncoding === undefined ? {} : { encoding: o.tokenEncoding },
    );
    const keys = new CounterRandom(o.seed, DOMAIN_KEYS).at(0);
    this.#transactionIdPermutation = new Permutation(2 ** 50, keys.u32(0));
    const accountIdPermutation = new Permutation(2 ** 40, keys.u32(1));
    this.#merchantIdPermutation = new Permutation(2 ** 30, keys.u32(2));
    this.#time = new SeasonalTime({ totalRows, startTime, durationMs, utcOffsetHours });

    const fraudRate = fraction("fraudRate", o.fraudRate ?? 0.003, 0.5);
    const mix = o.scenarioMix ?? {};
    const shares = [mix.card_testing ?? 0.4, mix.account_takeover ?? 0.2, mix.velocity ?? 0.4];

    this.#outOfOrderFraction = fraction("outOfOrderFraction", o.outOfOrderFraction);
    this.#lateFraction = fraction("lateFraction", o.lateFraction);
    if (this.#outOfOrderFraction + this.#lateFraction > 1) {
      throw new RangeError("outOfOrderFraction + lateFraction must be at most 1");
    }
    this.#outOfOrderMeanDelayMs = positive("outOfOrderMeanDelayMs", o.outOfOrderMeanDelayMs, 5000);
    this.#allowedLatenessMs = positive("allowedLatenessMs", o.allowedLatenessMs, 60_000);
    this.#lateMeanExtraMs = positive("lateMeanExtraMs", o.lateMeanExtraMs, 60_000);
    this.#duplicateFraction = fraction("duplicateFraction", o.duplicateFraction);
    this.#duplicateMaxLag = integerIn("duplicateMaxLag", o.duplicateMaxLag ?? 10_000, 1, 2 ** 50);
    this.#malformedFraction = fraction("malformedFraction", o.malformedFraction);

    const want = integerIn("cardCacheSize", o.cardCacheSize ?? 262_144, 1, 1 << 24);
    let capacity = 1;
    while (capacity < Math.min(want, accounts)) capacity *= 2;
    const countryCdf = cumulativeWeights(COUNTRIES.map((c) => c.weight));
    const cards = this.#cards = new CardTexts(
      { panMaker, tokenizer, accountIdPermutation, accountRandom, countryCdf },
      capacity,
    );
    this.#episodes = new FraudEpisodes(
      {
        random: new CounterRandom(o.seed, DOMAIN_EPISODE),
        time: this.#time,
        cards,
        countryCdf,
      },
      {
        fraudRate,
        shares,
        typePhase: keys.float(3),
        accounts,
        merchantsPerCell,
      },
    );
    this.#rows = new RowContent({ cards, accountRandom, countryCdf }, { accounts, merchantsPerCell });
    this.#merchantIds = new Array<Uint8Array>(COUNTRIES.length * CATEGORIES.length * merchantsPerCell).fill(
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
    integerIn("range.start", range.start, 0, this.#totalRows);
    integerIn("range.end", range.end, range.start, this.#totalRows);
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
    const { episodes, slot } = this.#episodes.mark(a, b);
    const s = this.#scratch;
    for (let i = a; i < b; i++) {
      const k = i - a;
      const o = this.#duplicateFraction > 0 ? this.#originalOf(i) : i;
      if (o === i) {
        const e = slot[k]!;
        this.#fill(i, e >= 0 ? episodes[e] : undefined);
      } else {
        this.#fill(o, this.#episodes.at(o));
        dup[k] = 1;
      }
      txId.id50(116, 120, 95, this.#transactionIdPermutation.apply(s.txIndex)); // "tx_"
      time[k] = s.time;
      this.#cards.push(s.account, account, card, display);
      merchant.push(this.#merchantId(s.merchant));
      category.push(CATEGORY_UTF8[s.category]!);
      amount[k] = s.amount;
      currency.push(CURRENCY_UTF8[s.currency]!);
      channel.push(CHANNEL_UTF8[s.channel]!);
      country.push(COUNTRY_UTF8[s.country]!);
      fraud[k] = s.scenario === 0 ? 0 : 1;
      scenario.push(SCENARIO_UTF8[s.scenario]!);
      seq[k] = i;
      if (this.#malformedFraction > 0 && this.#rowRandom.at(i).float(S_MALFORMED) < this.#malformedFraction) {
        bad[k] = 1;
      }
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
      const r = this.#rowRandom.at(j);
      if (!(r.float(S_DUP) < this.#duplicateFraction)) break;
      j -= 1 + r.below(S_DUP_LAG, Math.min(j, this.#duplicateMaxLag));
    }
    return j;
  }

  /** Fills the scratch row with the first emission of row `i`. */
  #fill(i: number, episode: Episode | undefined): void {
    const s = this.#scratch;
    const r = this.#rowRandom.at(i);
    s.txIndex = i;
    let t = this.#time.nominalTime(i + r.float(S_TIME));
    if (episode === undefined) this.#rows.legit(r, s);
    else this.#rows.fraud(r, s, episode);
    const outOfOrder = this.#outOfOrderFraction, lateness = this.#allowedLatenessMs;
    if (outOfOrder > 0 || this.#lateFraction > 0) {
      const u = r.float(S_DISORDER);
      if (u < outOfOrder) {
        // Exponential truncated to (0, lateness]: inverse CDF on a scaled uniform.
        const mean = this.#outOfOrderMeanDelayMs;
        const cut = 1 - Math.exp(-lateness / mean);
        t -= Math.min(lateness, Math.ceil(-mean * Math.log(1 - r.float(S_DELAY) * cut)));
      } else if (u < outOfOrder + this.#lateFraction) {
        t -= lateness + 1 + Math.floor(r.exponential(S_DELAY, this.#lateMeanExtraMs));
      }
    }
    s.time = t;
  }

  #merchantId(m: number): Uint8Array {
    let id = this.#merchantIds[m]!;
    if (id === NO_BYTES) {
      id = utf8Encoder.encode(encodeId("m_", this.#merchantIdPermutation.apply(m), 6));
      this.#merchantIds[m] = id;
    }
    return id;
  }
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
