/**
 * The random streams of the transaction generator, in one place so they never collide: the
 * domains of its `CounterRandom`s and the streams drawn per row.
 *
 * @module
 */
/** Domains: per row, per account, per fraud episode, per card (its BIN), and key material. */
export const DOMAIN_ROW = 1, DOMAIN_ACCOUNT = 2, DOMAIN_EPISODE = 3, DOMAIN_CARD = 4, DOMAIN_KEYS = 5;
/** Domain for `counterStream` when malforming row `seq`'s text, so it is reproducible too. */
export const MALFORM_DOMAIN = 6;
/** Streams of a row's draws (`CounterRandom.at(row)`). */
export const S_TIME = 0,
  S_ACCOUNT = 1,
  S_REGULAR = 2,
  S_MERCHANT = 3,
  S_CATEGORY = 4,
  S_FOREIGN = 5,
  S_COUNTRY = 6;
export const S_CHANNEL = 7,
  S_AMOUNT = 8,
  S_DCC = 9,
  S_DISORDER = 10,
  S_DELAY = 11,
  S_DUP = 12,
  S_DUP_LAG = 13;
export const S_MALFORMED = 14;
