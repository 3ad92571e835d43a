/**
 * Fraud episodes of the transaction generator, on a fixed grid: episode `e` starts at a random row
 * of `[e·P, (e+1)·P)`, `P = mean episode size / fraudRate`, and its members are spaced (one per
 * stride of rows) so it lasts about its scenario's span at the row density of the hour it starts
 * in. Episode types follow a golden-ratio sequence, so any stretch of episodes has close to the mix.
 * Every episode is a pure function of the seed and its number.
 *
 * @module
 */
import { type CounterRandom, cumulativeWeights, pickCumulative } from "../../util/seeded_random.ts";
import { CARD_TESTING_CATEGORIES, COUNTRIES, EPISODE_SPECS, merchantIndex } from "./catalog.ts";
import type { CardTexts } from "./card_text.ts";
import type { SeasonalTime } from "./seasonal_time.ts";

const GOLDEN_FRACTION = 0.6180339887498949;

/** One fraud episode: its scenario code, rows and victim. */
export interface Episode {
  /** The episode number. */
  readonly e: number;
  /** Scenario code (1..3, see `SCENARIOS`). */
  readonly type: number;
  /** Its first row: a random row of grid cell `e`. */
  readonly start: number;
  /** Number of member rows. */
  readonly count: number;
  /** Row stride between members. */
  readonly gap: number;
  readonly account: number;
  /** Card testing: the category. */
  readonly category: number;
  /** Card testing: the merchant's country; account takeover: the foreign country; velocity: home. */
  readonly country: number;
  /** Card testing: the merchant. */
  readonly merchant: number;
}

/** Collaborators of {@linkcode FraudEpisodes}. */
export interface FraudEpisodesDeps {
  /** Per-episode draws. */
  readonly random: CounterRandom;
  readonly time: SeasonalTime;
  /** Home countries of the victims. */
  readonly cards: CardTexts;
  /** Cumulative weights of the countries. */
  readonly countryCdf: Float64Array;
}

/** Settings of {@linkcode FraudEpisodes} (validated by the generator). */
export interface FraudEpisodesOptions {
  /** Target share of fraudulent rows, in [0, 0.5]. */
  readonly fraudRate: number;
  /** Share of fraudulent rows per scenario, in scenario order (normalised). */
  readonly shares: readonly number[];
  /** Phase of the golden-ratio type sequence, in [0, 1). */
  readonly typePhase: number;
  readonly accounts: number;
  readonly merchantsPerCell: number;
}

/** Row stride between members of a `type` episode, so it lasts about its span at `rowsPerMs`. */
export function episodeGap(type: number, rowsPerMs: number): number {
  const spec = EPISODE_SPECS[type]!;
  if (spec.max === 0) return 1;
  return Math.max(1, Math.round((spec.spanMs * rowsPerMs) / ((spec.min + spec.max) / 2)));
}

/** Which rows belong to which fraud episode. */
export class FraudEpisodes {
  readonly #deps: FraudEpisodesDeps;
  readonly #accounts: number;
  readonly #merchantsPerCell: number;
  /** Rows per grid cell (Infinity without fraud). */
  readonly #period: number;
  readonly #typeCdf: Float64Array;
  readonly #typePhase: number;
  /** Most rows any episode can span. */
  readonly #maxSpanRows: number;

  constructor(deps: FraudEpisodesDeps, options: FraudEpisodesOptions) {
    this.#deps = deps;
    this.#accounts = options.accounts;
    this.#merchantsPerCell = options.merchantsPerCell;
    const meanSize = EPISODE_SPECS.slice(1).map((s) => (s.min + s.max) / 2);
    const episodeWeights = options.shares.map((w, k) => w / meanSize[k]!);
    this.#typeCdf = cumulativeWeights(episodeWeights);
    this.#typePhase = options.typePhase;
    const totalW = episodeWeights.reduce((a, b) => a + b, 0);
    const meanEpisode = episodeWeights.reduce((a, w, k) => a + (w / totalW) * meanSize[k]!, 0);
    this.#period = options.fraudRate > 0 ? meanEpisode / options.fraudRate : Infinity;
    let densest = 0;
    for (let h = 0; h < deps.time.bins; h++) densest = Math.max(densest, deps.time.rowsPerMs(h));
    this.#maxSpanRows = Math.max(...EPISODE_SPECS.map((s, k) => s.max * episodeGap(k, densest)));
  }

  /** For each row of `[a, b)`: the index into `episodes` of the episode owning it, or -1. */
  mark(a: number, b: number): { episodes: Episode[]; slot: Int32Array } {
    const episodes = this.#near(a, b);
    const slot = new Int32Array(b - a).fill(-1);
    episodes.forEach((ep, x) => {
      for (let j = 0; j < ep.count; j++) {
        const row = this.#memberRow(ep, j);
        if (row >= a && row < b && slot[row - a] === -1) slot[row - a] = x;
      }
    });
    return { episodes, slot };
  }

  /** The episode owning row `i`, if any (the same answer {@linkcode FraudEpisodes.mark} gives). */
  at(i: number): Episode | undefined {
    for (const ep of this.#near(i, i + 1)) {
      const j = Math.floor((i - ep.start) / ep.gap);
      if (j >= 0 && j < ep.count && this.#memberRow(ep, j) === i) return ep;
    }
    return undefined;
  }

  /** Parameters of fraud episode `e` (a pure function of the seed and `e`). */
  #episode(e: number): Episode {
    const { random, time, cards, countryCdf } = this.#deps;
    const g = random.at(e);
    // Types follow a golden-ratio sequence (not independent draws), so every stretch of episodes
    // has close to the configured mix and the fraud share of a range varies less.
    const w = (this.#typePhase + e * GOLDEN_FRACTION) % 1;
    const type = 1 + pickCumulative(this.#typeCdf, w);
    const spec = EPISODE_SPECS[type]!;
    const start = Math.floor((e + g.float(1)) * this.#period);
    const count = spec.min + g.below(2, spec.max - spec.min + 1);
    const account = g.below(3, this.#accounts);
    const home = cards.homeCountry(account);
    let category = 0, country = home, merchant = 0;
    if (type === 1) {
      category = CARD_TESTING_CATEGORIES[g.below(4, CARD_TESTING_CATEGORIES.length)]!;
      if (g.float(5) < 0.5) country = pickCumulative(countryCdf, g.float(6));
      merchant = merchantIndex(country, category, g.below(7, this.#merchantsPerCell));
    } else if (type === 2) {
      country = pickCumulative(countryCdf, g.float(5));
      if (country === home) country = (home + 1 + g.below(6, COUNTRIES.length - 1)) % COUNTRIES.length;
    }
    return {
      e,
      type,
      start,
      count,
      gap: episodeGap(type, time.rowsPerMs(time.binOf(start))),
      account,
      category,
      country,
      merchant,
    };
  }

  /** Row index of member `j` of `ep`: one row in each `gap`-wide stride. */
  #memberRow(ep: Episode, j: number): number {
    return ep.start + j * ep.gap + (ep.gap > 1 ? this.#deps.random.at(ep.e).below(100 + j, ep.gap) : 0);
  }

  /** Episodes that may own rows in `[a, b)` (earliest first). */
  #near(a: number, b: number): Episode[] {
    if (!Number.isFinite(this.#period)) return [];
    const lo = Math.max(0, Math.floor((a - this.#maxSpanRows) / this.#period) - 1);
    const hi = Math.floor(b / this.#period);
    const out: Episode[] = [];
    for (let e = lo; e <= hi; e++) out.push(this.#episode(e));
    return out;
  }
}
