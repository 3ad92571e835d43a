/**
 * The reference tables of the transaction generator: fraud scenarios, payment channels, merchant
 * categories with their amount distributions, currencies, countries, test BIN ranges, the daily
 * and weekly intensity profile, and the shapes of fraud episodes.
 *
 * @module
 */
import { cumulativeWeights } from "../../util/seeded_random.ts";

/** Fraud scenario of a row; `none` for legitimate rows. */
export type Scenario = "none" | "card_testing" | "account_takeover" | "velocity";
/** The scenarios, indexable by their internal code. */
export const SCENARIOS: readonly Scenario[] = ["none", "card_testing", "account_takeover", "velocity"];
/** Payment channels. */
export const CHANNELS = ["pos", "online", "atm", "contactless", "moto"] as const;
/** Codes of the channels the fraud scenarios use (indices into {@linkcode CHANNELS}). */
export const POS = 0, ONLINE = 1, ATM_CHANNEL = 2;

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
/** Code of the `atm` category. */
export const ATM = 7;
/** Categories each fraud scenario draws from (codes into {@linkcode CATEGORIES}). */
export const CARD_TESTING_CATEGORIES = [5, 9, 6]; // online_retail, entertainment, gambling
export const TAKEOVER_CATEGORIES = [4, 3, 5, 11, 6]; // electronics, travel, online_retail, apparel, gambling
export const VELOCITY_CATEGORIES = [7, 7, 4, 0, 5, 11]; // atm twice as likely

/** A currency: units per USD, minor-unit decimals, and the banknote ATM amounts round to. */
export interface Currency {
  readonly code: string;
  readonly perUsd: number;
  readonly decimals: number;
  readonly note: number;
}
/** The currencies of {@linkcode COUNTRIES}. */
export const CURRENCIES: readonly Currency[] = [
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
/** Index into {@linkcode CURRENCIES} of each country's currency. */
export const COUNTRY_CURRENCY = COUNTRIES.map((c) => CURRENCIES.findIndex((x) => x.code === c.currency));

/** Public test BIN ranges (Visa, Mastercard, Amex, Discover, JCB, Diners) with PAN length and share. */
export const TEST_BINS: readonly {
  readonly bin: string;
  readonly length: number;
  readonly weight: number;
}[] = [
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
/** Cumulative weights of {@linkcode TEST_BINS}. */
export const BIN_CDF = cumulativeWeights(TEST_BINS.map((b) => b.weight));
/** Most cards a generator supports: PAN bodies are a bijection of the card index, so they never repeat. */
export const MAX_ACCOUNTS = 10_000_000;

/** Local-time hourly intensity on weekdays. */
export const WEEKDAY_HOURS = [
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
/** Local-time hourly intensity on weekends. */
export const WEEKEND_HOURS = [
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
/** Intensity factor per day of the week, Sunday … Saturday. */
export const DAY_FACTOR = [0.85, 0.95, 0.97, 1, 1.02, 1.12, 1.08];

/** Fraud episode shapes (members, and the time they span), indexed by scenario code (1..3). */
export const EPISODE_SPECS = [
  { min: 0, max: 0, spanMs: 0 },
  { min: 12, max: 40, spanMs: 10 * 60_000 },
  { min: 2, max: 6, spanMs: 2 * 3_600_000 },
  { min: 10, max: 25, spanMs: 45 * 60_000 },
] as const;

/** Converts a USD amount to `currency`, rounded to minor units (ATM: to banknotes). */
export function toLocal(usd: number, currency: number, atm: boolean): number {
  const c = CURRENCIES[currency]!;
  const x = usd * c.perUsd;
  if (atm) return Math.max(c.note, Math.round(x / c.note) * c.note);
  const f = c.decimals === 0 ? 1 : 100;
  return Math.max(1 / f, Math.round(x * f) / f);
}

/** Index of merchant `k` of the (`country`, `category`) cell. */
export function merchantIndex(country: number, category: number, k: number): number {
  return (k * COUNTRIES.length + country) * CATEGORIES.length + category;
}
