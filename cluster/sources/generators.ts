/**
 * Built-in generators executors may run without a job declaring them (they are part of
 * Frontier itself, so they are always on the allowlist).
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { GeneratorFn } from "../executor/task_runner.ts";
import { TransactionGenerator } from "./transactions/generator.ts";
import { partitionRanges, type TransactionGeneratorOptions } from "./transactions/options.ts";

/** URL executors accept for built-in generators. */
export const BUILTIN_GENERATORS_MODULE: string = import.meta.url;

function decodeHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) throw new TypeError("tokenKeyHex must be an even-length hex string");
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
  /** Any other {@linkcode TransactionGeneratorOptions} field that is a number. */
  options?: Record<string, number>;
}

function decodeArgs(args: Json): TransactionArgs {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new TypeError("transactions generator needs { seed, totalRows, tokenKeyHex }");
  }
  const { seed, totalRows, tokenKeyHex, options } = args as Record<string, Json>;
  if (typeof seed !== "number" || typeof totalRows !== "number" || typeof tokenKeyHex !== "string") {
    throw new TypeError("transactions generator needs numeric seed and totalRows and a hex tokenKeyHex");
  }
  const opts: Record<string, number> = {};
  if (options !== undefined) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new TypeError("options must be an object");
    }
    for (const [k, v] of Object.entries(options)) {
      if (typeof v !== "number") throw new TypeError(`option "${k}" must be a number`);
      opts[k] = v;
    }
  }
  return { seed, totalRows, tokenKeyHex, options: opts };
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
    const options = {
      ...a.options,
      seed: a.seed,
      totalRows: a.totalRows,
      tokenKey: decodeHex(a.tokenKeyHex),
    } as TransactionGeneratorOptions;
    last = { key, gen: new TransactionGenerator(options) };
  }
  const gen = last.gen;
  const range = partitionRanges(a.totalRows, numPartitions)[partition]!;
  yield* gen.chunks(range);
};
