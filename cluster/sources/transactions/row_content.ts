/**
 * The content of a generated transaction: which account pays, at which merchant (six regular
 * merchants per account take about half of its purchases), in which category, country, channel
 * and currency, and how much; for legitimate rows and for the members of fraud episodes.
 *
 * @module
 */
import { type CounterRandom, cumulativeWeights, pickCumulative } from "../../util/seeded_random.ts";
import {
  ATM,
  ATM_CHANNEL,
  CATEGORIES,
  COUNTRY_CURRENCY,
  merchantIndex,
  ONLINE,
  POS,
  TAKEOVER_CATEGORIES,
  toLocal,
  VELOCITY_CATEGORIES,
} from "./catalog.ts";
import type { CardTexts } from "./card_text.ts";
import type { Episode } from "./fraud_episodes.ts";
import {
  S_ACCOUNT,
  S_AMOUNT,
  S_CATEGORY,
  S_CHANNEL,
  S_COUNTRY,
  S_DCC,
  S_FOREIGN,
  S_MERCHANT,
  S_REGULAR,
} from "./streams.ts";

const REGULARS = 6;
const REGULAR_SHARE = 0.5;
const DCC_SHARE = 0.05;

/** Row fields before they are turned into strings. */
export interface RowScratch {
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

/** Collaborators of {@linkcode RowContent}. */
export interface RowContentDeps {
  /** Home countries of the accounts. */
  readonly cards: CardTexts;
  /** Per-account draws (floats 10+j: regular merchant j's category; 20+j: its merchant). */
  readonly accountRandom: CounterRandom;
  /** Cumulative weights of the countries. */
  readonly countryCdf: Float64Array;
}

/** Draws the content of legitimate and fraudulent rows. */
export class RowContent {
  readonly #deps: RowContentDeps;
  readonly #accounts: number;
  readonly #merchantsPerCell: number;
  // Account activity: rank density ∝ (r + c)^-0.7, drawn as (c^0.3 + u·range)^(1/0.3) − c.
  readonly #activityOffset: number;
  readonly #activityOffsetPow: number;
  readonly #activityRange: number;
  readonly #categoryCdf = cumulativeWeights(CATEGORIES.map((c) => c.weight));
  readonly #channelCdfByCategory = CATEGORIES.map((c) => cumulativeWeights(c.channels));

  constructor(
    deps: RowContentDeps,
    options: { readonly accounts: number; readonly merchantsPerCell: number },
  ) {
    this.#deps = deps;
    this.#accounts = options.accounts;
    this.#merchantsPerCell = options.merchantsPerCell;
    this.#activityOffset = this.#accounts / 50;
    this.#activityOffsetPow = this.#activityOffset ** 0.3;
    this.#activityRange = (this.#accounts + this.#activityOffset) ** 0.3 - this.#activityOffsetPow;
  }

  /** Fills `s` with a legitimate purchase drawn from row draws `r`. */
  legit(r: CounterRandom, s: RowScratch): void {
    const u = r.float(S_ACCOUNT);
    const account = Math.min(
      this.#accounts - 1,
      Math.floor((this.#activityOffsetPow + u * this.#activityRange) ** (1 / 0.3) - this.#activityOffset),
    );
    const home = this.#deps.cards.homeCountry(account);
    let category: number, country: number, k: number;
    if (r.float(S_REGULAR) < REGULAR_SHARE) {
      const j = r.below(S_MERCHANT, REGULARS);
      const a = this.#deps.accountRandom.at(account);
      category = pickCumulative(this.#categoryCdf, a.float(10 + j));
      country = home;
      k = a.below(20 + j, this.#merchantsPerCell);
    } else {
      category = pickCumulative(this.#categoryCdf, r.float(S_CATEGORY));
      country = r.float(S_FOREIGN) < CATEGORIES[category]!.foreign
        ? pickCumulative(this.#deps.countryCdf, r.float(S_COUNTRY))
        : home;
      const m = r.float(S_MERCHANT);
      k = Math.floor(this.#merchantsPerCell * m * m);
    }
    const cat = CATEGORIES[category]!;
    let currency = COUNTRY_CURRENCY[country]!;
    if (country !== home && r.float(S_DCC) < DCC_SHARE) currency = COUNTRY_CURRENCY[home]!;
    s.account = account;
    s.category = category;
    s.country = country;
    s.merchant = merchantIndex(country, category, k);
    s.channel = pickCumulative(this.#channelCdfByCategory[category]!, r.float(S_CHANNEL));
    s.amount = toLocal(cat.medianUsd * Math.exp(cat.sigma * r.normal(S_AMOUNT)), currency, category === ATM);
    s.currency = currency;
    s.scenario = 0;
  }

  /** Fills `s` with member row `r` of fraud episode `ep`. */
  fraud(r: CounterRandom, s: RowScratch, ep: Episode): void {
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
      s.merchant = merchantIndex(ep.country, s.category, r.below(S_MERCHANT, this.#merchantsPerCell));
      s.channel = r.float(S_CHANNEL) < 0.8 ? ONLINE : POS;
      usd = Math.max(250, 4 * CATEGORIES[s.category]!.medianUsd) * Math.exp(0.5 * r.normal(S_AMOUNT));
    } else {
      s.category = VELOCITY_CATEGORIES[r.below(S_CATEGORY, VELOCITY_CATEGORIES.length)]!;
      s.country = ep.country;
      s.merchant = merchantIndex(ep.country, s.category, r.below(S_MERCHANT, this.#merchantsPerCell));
      s.channel = s.category === ATM
        ? ATM_CHANNEL
        : pickCumulative(this.#channelCdfByCategory[s.category]!, r.float(S_CHANNEL));
      usd = 1.5 * CATEGORIES[s.category]!.medianUsd * Math.exp(0.5 * r.normal(S_AMOUNT));
    }
    s.currency = COUNTRY_CURRENCY[s.country]!;
    s.amount = toLocal(usd, s.currency, s.category === ATM);
  }
}
