import assert from "node:assert/strict";
import { SchemaError } from "../../../../cluster/errors.ts";
import { concatBatches, sliceBatch } from "../../../../cluster/columnar/batch_ops.ts";
import { BANK_ADDITIONAL_OPTIONS, BANK_FULL_OPTIONS } from "../../../../cluster/sources/bank/schemas.ts";
import {
  BANK_START,
  chainMonthRuns,
  deriveContactDates,
  summarizeMonths,
  withContactDate,
} from "../../../../cluster/sources/bank/contact_date.ts";
import { readCsvFile } from "../../../../cluster/io/csv/parse.ts";
import { dataPath } from "../../io/csv/csv_test_util.ts";

function isoDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

Deno.test("bank-full contact dates run from 2008-05-05 to 2010-11-17 with two year roll-overs", async () => {
  const r = await readCsvFile(await dataPath("bank-full.csv.gz"), BANK_FULL_OPTIONS);
  const months = r.batch.columns[10]!.values as readonly string[];
  assert.deepEqual(summarizeMonths(months), { first: 5, last: 11, rollovers: 2 });
  const { batch, cursor } = withContactDate(r.batch);
  const dates = batch.columns.at(-1)!.values as Int32Array;
  assert.deepEqual(batch.schema.at(-1), { name: "contact_date", type: "date", nullable: false });
  assert.equal(isoDate(dates[0]!), "2008-05-05");
  assert.equal(isoDate(dates[45210]!), "2010-11-17");
  assert.deepEqual(cursor, { year: 2010, month: 11 });
  // Row 27729 (line 27731) is the first January: 2009-01-28.
  assert.equal(isoDate(dates[27728]!), "2008-12-27");
  assert.equal(isoDate(dates[27729]!), "2009-01-28");
  for (let i = 1; i < dates.length; i++) {
    assert.ok(dates[i]! >= dates[i - 1]! - 31, `row ${i} goes back in time`);
  }

  // The composable form: per-partition summaries, chained on the driver, give the same dates.
  const cuts = [0, 1, 9000, 9000, 27729, 27730, 40000, 45211];
  const parts = cuts.slice(1).map((end, i) => sliceBatch(r.batch, cuts[i]!, end));
  const runs = parts.map((p) => summarizeMonths(p.columns[10]!.values as readonly string[]));
  assert.equal(runs[2], undefined);
  const cursors = chainMonthRuns(runs);
  assert.deepEqual(cursors[0], BANK_START);
  const joined = concatBatches(batch.schema, parts.map((p, i) => withContactDate(p, cursors[i]).batch));
  assert.deepEqual(Array.from(joined.columns.at(-1)!.values as Int32Array), Array.from(dates));
});

Deno.test("bank-additional contact dates are the first of each month from May 2008 to November 2010", async () => {
  const r = await readCsvFile(await dataPath("bank-additional-full.csv.gz"), BANK_ADDITIONAL_OPTIONS);
  const { batch, cursor } = withContactDate(r.batch);
  const dates = batch.columns.at(-1)!.values as Int32Array;
  assert.equal(isoDate(dates[0]!), "2008-05-01");
  assert.equal(isoDate(dates[41187]!), "2010-11-01");
  assert.deepEqual(cursor, { year: 2010, month: 11 });
  assert.ok(Array.from(dates).every((d) => isoDate(d).endsWith("-01")));
  assert.equal(summarizeMonths(r.batch.columns[8]!.values as readonly string[])!.rollovers, 2);
});

Deno.test("deriveContactDates rolls the year when the month goes down and rejects bad input", () => {
  const r = deriveContactDates(["nov", "dec", "jan", "jan", "mar", "feb"], [30, 31, 1, 2, 3, 28], {
    year: 2008,
    month: 11,
  });
  assert.deepEqual(Array.from(r.dates, isoDate), [
    "2008-11-30",
    "2008-12-31",
    "2009-01-01",
    "2009-01-02",
    "2009-03-03",
    "2010-02-28",
  ]);
  assert.deepEqual(r.cursor, { year: 2010, month: 2 });
  assert.throws(
    () => deriveContactDates(["may", "foo"], undefined),
    (e: unknown) => e instanceof SchemaError && /row 1 has month "foo"/.test(e.message),
  );
  assert.throws(() => deriveContactDates(["feb"], [29], { year: 2009, month: 1 }), /day 29 in 2009-02/);
});
