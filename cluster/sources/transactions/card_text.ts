/**
 * The texts of each card: its synthetic PAN (internal, never output), the token and masked display
 * derived from it (`card_token.ts`), its account id, and its home country, cached per card so HMAC
 * runs about once per distinct card, not once per row.
 *
 * @module
 */
import { type CardTokenizer, displayCard, luhnCheckDigit } from "./card_token.ts";
import { type CounterRandom, Permutation, pickCumulative } from "../../util/seeded_random.ts";
import { BIN_CDF, TEST_BINS } from "./catalog.ts";
import { encodeId, type Utf8Builder, writeAscii } from "./utf8_text.ts";

// A card's slot in the text slab: token (hex of a 32-byte HMAC at most: 64), display (≤ 19), account id.
const TOKEN_AT = 0, DISPLAY_AT = 64, ACCOUNT_AT = 88, CARD_SLOT = 104;

/** Builds the Luhn-valid PAN of a card in a public test BIN range (see `syntheticPan`). */
export class PanMaker {
  readonly #binRandom: CounterRandom;
  readonly #bodyPermutations: Permutation[];
  /** `binRandom` picks each card's BIN; `keys` seeds the per-BIN body permutations. */
  constructor(binRandom: CounterRandom, keys: CounterRandom) {
    this.#binRandom = binRandom;
    this.#bodyPermutations = TEST_BINS.map((t, b) =>
      new Permutation(10 ** (t.length - 7), keys.at(16 + b).u32(0))
    );
  }
  /** The PAN of `card`. */
  pan(card: number): string {
    const b = pickCumulative(BIN_CDF, this.#binRandom.at(card).float(0));
    const { bin, length } = TEST_BINS[b]!;
    const bodyLength = length - 7;
    const body = this.#bodyPermutations[b]!.apply(card);
    const partial = bin + String(body).padStart(bodyLength, "0");
    return partial + luhnCheckDigit(partial);
  }
}

/** Collaborators of {@linkcode CardTexts}. */
export interface CardTextsDeps {
  readonly panMaker: PanMaker;
  readonly tokenizer: CardTokenizer;
  /** Maps an account index to the number its id spells. */
  readonly accountIdPermutation: Permutation;
  /** Per-account draws (float 0: the home country). */
  readonly accountRandom: CounterRandom;
  /** Cumulative weights of the home countries. */
  readonly countryCdf: Float64Array;
}

/**
 * A direct-mapped cache of card texts: the slot of an account holds its token, masked card and
 * account id as ASCII in one slab (lengths beside), so rows copy bytes and build no string.
 */
export class CardTexts {
  readonly #deps: CardTextsDeps;
  readonly #slotMask: number;
  /** The account each slot holds, or -1. */
  readonly #slotAccount: Int32Array;
  readonly #text: Uint8Array;
  /** Per slot: lengths of the token, the display and the account id. */
  readonly #textLengths: Uint8Array;
  readonly #homeCountry: Uint8Array;

  /** A cache of `capacity` (a power of two) cards. */
  constructor(deps: CardTextsDeps, capacity: number) {
    this.#deps = deps;
    this.#slotMask = capacity - 1;
    this.#slotAccount = new Int32Array(capacity).fill(-1);
    this.#text = new Uint8Array(capacity * CARD_SLOT);
    this.#textLengths = new Uint8Array(capacity * 3);
    this.#homeCountry = new Uint8Array(capacity);
  }

  /** The home country (index into `COUNTRIES`) of `account`. */
  homeCountry(account: number): number {
    return this.#homeCountry[this.#slot(account)]!;
  }

  /** Appends `account`'s id, card token and masked card to the three columns. */
  push(account: number, accountId: Utf8Builder, card: Utf8Builder, display: Utf8Builder): void {
    const c = this.#slot(account);
    const at = c * CARD_SLOT, lens = this.#textLengths, text = this.#text;
    accountId.pushFrom(text, at + ACCOUNT_AT, lens[3 * c + 2]!);
    card.pushFrom(text, at + TOKEN_AT, lens[3 * c]!);
    display.pushFrom(text, at + DISPLAY_AT, lens[3 * c + 1]!);
  }

  /** Cache slot of `account`'s card, filling it (PAN → token, display; account id; home) on a miss. */
  #slot(account: number): number {
    const c = account & this.#slotMask;
    if (this.#slotAccount[c] !== account) {
      const { panMaker, tokenizer, accountIdPermutation, accountRandom, countryCdf } = this.#deps;
      const pan = panMaker.pan(account);
      const slot = c * CARD_SLOT, text = this.#text, lens = this.#textLengths;
      lens[3 * c] = writeAscii(tokenizer.tokenize(pan), text, slot + TOKEN_AT, DISPLAY_AT - TOKEN_AT);
      lens[3 * c + 1] = writeAscii(displayCard(pan), text, slot + DISPLAY_AT, ACCOUNT_AT - DISPLAY_AT);
      lens[3 * c + 2] = writeAscii(
        encodeId("ac_", accountIdPermutation.apply(account), 8),
        text,
        slot + ACCOUNT_AT,
        CARD_SLOT - ACCOUNT_AT,
      );
      this.#homeCountry[c] = pickCumulative(countryCdf, accountRandom.at(account).float(0));
      this.#slotAccount[c] = account;
    }
    return c;
  }
}
