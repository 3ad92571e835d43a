/**
 * Malformed records, the way real feeds break: what a writer of generated rows does with the rows
 * flagged `is_malformed`.
 *
 * @module
 */
import { TRANSACTION_SCHEMA } from "./generator.ts";

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
 * MALFORM_DOMAIN)` (`streams.ts`) for reproducible output.
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
