/**
 * Generated card transactions on the wire: the JSON record each row becomes (malformed rows
 * broken the way real feeds break), and the decoder and aggregator the runtime uses for them.
 *
 * A record is the row's JSON object with `event_time` as an ISO-8601 string; rows flagged
 * `is_malformed` are passed through `malformRecord` with the row's own reproducible random
 * stream, so the same rows always give the same bytes.
 *
 * @module
 */
import type { Batch } from "../cluster/columnar/batch.ts";
import { malformRecord } from "../cluster/sources/transactions/malform.ts";
import { MALFORM_DOMAIN } from "../cluster/sources/transactions/streams.ts";
import { counterStream } from "../cluster/util/seeded_random.ts";
import type { EventDecoder, Result } from "./event_time.ts";
import { recordDecoder } from "./event_time.ts";
import type { Aggregator } from "./keyed_windows.ts";

/** The value of a decoded transaction event (id and event time are on the event itself). */
export interface TransactionValue {
  /** The account (one card each). */
  readonly account_id: string;
  /** The merchant. */
  readonly merchant_id: string;
  /** The merchant category code name. */
  readonly merchant_category: string;
  /** In the merchant's currency. */
  readonly amount: number;
  /** ISO 4217 code of `amount`. */
  readonly currency: string;
  /** Where it was made (pos, online, atm…). */
  readonly channel: string;
  /** The merchant's country. */
  readonly country: string;
}

/** What a transaction stream can be keyed by, and the record field each name reads. */
export const TRANSACTION_KEYS: Readonly<Record<string, string>> = {
  account: "account_id",
  merchant: "merchant_id",
  category: "merchant_category",
  country: "country",
};

/** One record ready to send: its message key (the account) and its UTF-8 JSON bytes. */
export interface TransactionRecord {
  /** The account id: producers partition by it, so an account's events stay in order. */
  readonly key: string;
  /** UTF-8 JSON (possibly malformed on purpose). */
  readonly value: Uint8Array;
}

const encoder = new TextEncoder();

/** The rows of a generated batch as wire records (`seed` is the generator's, for malformed rows). */
export function transactionRecords(batch: Batch, seed: number): TransactionRecord[] {
  // Column by column, once: `values` of a Utf8 column materializes its strings on first access.
  const columns = batch.schema.map((f, i) => ({ name: f.name, vec: batch.columns[i]! }));
  const malformed = columns.find((c) => c.name === "is_malformed")?.vec;
  const fields = columns.filter((c) => c.name !== "is_malformed").map(({ name, vec }) => ({
    name,
    values: vec.values as ArrayLike<string | number>,
    kind: name === "event_time" ? "time" : vec.type === "bool" ? "bool" : "plain",
  }));
  const account = fields.find((f) => f.name === "account_id")!.values;
  const seq = fields.find((f) => f.name === "seq")!.values;
  const out: TransactionRecord[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const record: Record<string, string | number | boolean> = {};
    for (const f of fields) {
      const v = f.values[i]!;
      record[f.name] = f.kind === "time"
        ? new Date(v as number).toISOString()
        : f.kind === "bool"
        ? v === 1
        : v;
    }
    const json = JSON.stringify(record);
    const text = malformed?.values[i] === 1
      ? malformRecord(json, counterStream(seed, Number(seq[i]), MALFORM_DOMAIN)).text
      : json;
    out[i] = { key: String(account[i]), value: encoder.encode(text) };
  }
  return out;
}

const STRING_FIELDS = ["account_id", "merchant_id", "merchant_category", "currency", "channel", "country"];

function str(r: Readonly<Record<string, unknown>>, field: string): Result<string> {
  const v = r[field];
  return typeof v === "string" && v !== "" ? { ok: true, value: v } : {
    ok: false,
    reason: `field "${field}" must be a non-empty string, got ${JSON.stringify(v) ?? "nothing"}`,
  };
}

/**
 * The decoder of transaction records keyed by `key` (`account`, `merchant`, `category` or
 * `country`): id `transaction_id`, event time `event_time`, a finite `amount`.
 */
export function transactionDecoder(key: string): EventDecoder<TransactionValue> {
  const keyField = TRANSACTION_KEYS[key];
  if (keyField === undefined) {
    throw new RangeError(`key must be one of ${Object.keys(TRANSACTION_KEYS).join(", ")}, got "${key}"`);
  }
  return recordDecoder({
    idField: "transaction_id",
    keyField,
    timeField: "event_time",
    value: (r) => {
      const amount = r["amount"];
      if (typeof amount !== "number" || !Number.isFinite(amount)) {
        return { ok: false, reason: `field "amount" must be a finite number, got ${JSON.stringify(amount)}` };
      }
      const { account_id, merchant_id, merchant_category, currency, channel, country } = r;
      if (
        typeof account_id === "string" && account_id !== "" && typeof merchant_id === "string" &&
        merchant_id !== "" && typeof merchant_category === "string" && merchant_category !== "" &&
        typeof currency === "string" && currency !== "" && typeof channel === "string" && channel !== "" &&
        typeof country === "string" && country !== ""
      ) {
        // The common case, without a result object per field.
        return {
          ok: true,
          value: { account_id, merchant_id, merchant_category, amount, currency, channel, country },
        };
      }
      for (const f of STRING_FIELDS) {
        const v = str(r, f);
        if (!v.ok) return v;
      }
      throw new Error("unreachable: a string field failed the fast check but passed str()");
    },
  });
}

/** Count, sum, min and max of amounts in a window (sums are rounded to cents when written). */
export interface AmountStats {
  /** Events. */
  readonly count: number;
  /** Sum of amounts in integer cents. */
  readonly sum: number;
  /** Smallest amount (`Number.MAX_VALUE` when empty). */
  readonly min: number;
  /** Largest amount (`-Number.MAX_VALUE` when empty). */
  readonly max: number;
}

/**
 * The window aggregate of the runtime: count, sum (in integer cents, so it is exact in any
 * order), min and max of `amount`.
 */
export const AMOUNT_STATS: Aggregator<TransactionValue, AmountStats> = {
  init: () => ({ count: 0, sum: 0, min: Number.MAX_VALUE, max: -Number.MAX_VALUE }),
  add: (s, v) => ({
    count: s.count + 1,
    sum: s.sum + Math.round(v.amount * 100),
    min: Math.min(s.min, v.amount),
    max: Math.max(s.max, v.amount),
  }),
  merge: (a, b) => ({
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  }),
};
