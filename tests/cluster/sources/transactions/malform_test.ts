import assert from "node:assert/strict";
import type { Batch } from "../../../../cluster/columnar/batch.ts";
import { generateDemoKey } from "../../../../cluster/sources/transactions/card_token.ts";
import {
  generateTransactions,
  TRANSACTION_SCHEMA,
} from "../../../../cluster/sources/transactions/generator.ts";
import { malformRecord } from "../../../../cluster/sources/transactions/malform.ts";
import { counterStream } from "../../../../cluster/util/seeded_random.ts";

const KEY = generateDemoKey({ seed: 11 });

/** Concatenates batches into plain arrays per column. */
function columnsOf(batch: Batch): Record<string, readonly (string | number)[]> {
  const out: Record<string, (string | number)[]> = {};
  batch.schema.forEach((f, c) => {
    out[f.name] = Array.from(batch.columns[c]!.values as ArrayLike<string | number>);
  });
  return out;
}

Deno.test("malformRecord truncates records or breaks their amount or timestamp, in CSV and JSON", () => {
  const c = columnsOf(
    generateTransactions({ start: 0, end: 200 }, { seed: 2024, tokenKey: KEY, totalRows: 200 }),
  );
  const names = TRANSACTION_SCHEMA.map((f) => f.name);
  const amountAt = names.indexOf("amount"), timeAt = names.indexOf("event_time");
  const kinds = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const csv = names.map((n) => String(c[n]![i])).join(",");
    const json = JSON.stringify(Object.fromEntries(names.map((n) => [n, c[n]![i]])));
    for (const text of [csv, json]) {
      const bad = malformRecord(text, counterStream(1, i, 6));
      assert.notEqual(bad.text, text);
      kinds.add(bad.kind);
      const isJson = text.startsWith("{");
      const field = (name: string, at: number): string => {
        if (!isJson) return bad.text.split(",")[at]!;
        try {
          return String((JSON.parse(bad.text) as Record<string, unknown>)[name]);
        } catch {
          return "(unparsable)";
        }
      };
      if (bad.kind === "truncated") assert.ok(text.startsWith(bad.text) && bad.text.length < text.length);
      if (bad.kind === "non_numeric_amount") {
        // An unquoted decimal comma ("12,50") shifts the CSV columns instead: also a broken record.
        const shifted = !isJson && bad.text.split(",").length !== names.length;
        assert.ok(shifted || !/^-?[0-9]+(\.[0-9]+)?$/.test(field("amount", amountAt)), bad.text);
      }
      if (bad.kind === "bad_timestamp") {
        const v = field("event_time", timeAt);
        assert.ok(Number.isNaN(Date.parse(v)) && !/^[0-9]{1,15}$/.test(v), `timestamp ${v}`);
      }
    }
  }
  assert.deepEqual([...kinds].sort(), ["bad_timestamp", "non_numeric_amount", "truncated"]);
  assert.deepEqual(
    malformRecord("a,b", counterStream(3, 3, 6)),
    malformRecord("a,b", counterStream(3, 3, 6)),
  );
});
