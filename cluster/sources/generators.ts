/**
 * Built-in generators executors may run without a job declaring them (they are part of
 * Frontier itself, so they are always on the allowlist).
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import { at, fail, field, int, nat, num, obj, only, optional, str, where } from "../../actors/decode.ts";
import type { GeneratorFn } from "../partition_fns.ts";
import { TransactionGenerator } from "./transactions/generator.ts";
import { partitionRanges, type TransactionGeneratorOptions } from "./transactions/options.ts";

/** URL executors accept for built-in generators. */
export const BUILTIN_GENERATORS_MODULE: string = import.meta.url;

function decodeHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Arguments of the `transactions` generator, as they travel in the plan (JSON). */
export interface TransactionArgs {
  seed: number;
  totalRows: number;
  /** HMAC key for card tokens, hex. */
  tokenKeyHex: string;
  /** Numeric {@linkcode TransactionGeneratorOptions} fields (see {@linkcode NUMERIC_OPTIONS}). */
  options?: Partial<Record<NumericOption, number>>;
}

/** The {@linkcode TransactionGeneratorOptions} fields that are numbers, which `options` may set. */
export const NUMERIC_OPTIONS = [
  "startTime",
  "durationMs",
  "seasonalityUtcOffsetHours",
  "accounts",
  "merchantsPerCell",
  "fraudRate",
  "outOfOrderFraction",
  "outOfOrderMeanDelayMs",
  "lateFraction",
  "allowedLatenessMs",
  "lateMeanExtraMs",
  "duplicateFraction",
  "duplicateMaxLag",
  "malformedFraction",
  "cardCacheSize",
] as const satisfies readonly (keyof TransactionGeneratorOptions)[];
type NumericOption = typeof NUMERIC_OPTIONS[number];

/** Decodes the generator's JSON arguments; a bad one is a `MalformedMessageError` naming it. */
function decodeArgs(args: Json): Required<TransactionArgs> {
  const o = obj(args, where("transactions arguments"));
  only(o, ["seed", "totalRows", "tokenKeyHex", "options"]);
  const tokenKeyHex = str(o, "tokenKeyHex", { min: 2 });
  if (!/^(?:[0-9a-f]{2})+$/i.test(tokenKeyHex)) {
    throw fail(at(o, "tokenKeyHex"), "must be an even-length hex string");
  }
  const options: Partial<Record<NumericOption, number>> = {};
  if (o["options"] !== undefined) {
    const opts = field(o, "options");
    only(opts, NUMERIC_OPTIONS);
    for (const k of NUMERIC_OPTIONS) {
      const v = optional(opts, k, num);
      if (v !== undefined) options[k] = v;
    }
  }
  return { seed: int(o, "seed"), totalRows: nat(o, "totalRows"), tokenKeyHex, options };
}

/**
 * The last generator this isolate built, reused by the next task with the same arguments so its
 * card-token cache stays warm (a cold generator spends ~0.4 s re-tokenizing cards per task).
 * Output does not depend on it: rows are a function of (seed, index) only.
 */
let last: { key: string; gen: TransactionGenerator } | undefined;

/** Synthetic transactions: partition p of n yields rows of its slice of [0, totalRows). */
export const transactions: GeneratorFn = function* ({ partition, numPartitions, args }) {
  const a = decodeArgs(args);
  const key = JSON.stringify(a);
  if (last?.key !== key) {
    const options: TransactionGeneratorOptions = {
      ...a.options,
      seed: a.seed,
      totalRows: a.totalRows,
      tokenKey: decodeHex(a.tokenKeyHex),
    };
    last = { key, gen: new TransactionGenerator(options) };
  }
  const gen = last.gen;
  const range = partitionRanges(a.totalRows, numPartitions)[partition]!;
  yield* gen.chunks(range);
};
