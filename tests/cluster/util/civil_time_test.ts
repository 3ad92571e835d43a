import assert from "node:assert/strict";
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY } from "../../../cluster/util/civil_time.ts";
import { rng } from "../test_rng.ts";

Deno.test("daysFromCivil matches Date.UTC over four centuries", () => {
  const rnd = rng(3);
  for (let i = 0; i < 2000; i++) {
    const y = 1800 + Math.floor(rnd() * 400), m = 1 + Math.floor(rnd() * 12), d = 1 + Math.floor(rnd() * 28);
    assert.equal(daysFromCivil(y, m, d), Date.UTC(y, m - 1, d) / MS_PER_DAY);
  }
});

Deno.test("civilFromDays inverts daysFromCivil, packed as year, month and day bits", () => {
  const rnd = rng(5);
  for (let i = 0; i < 2000; i++) {
    const days = Math.floor(rnd() * 200_000) - 100_000;
    const c = civilFromDays(days);
    const y = c >> 9, m = (c >> 5) & 15, d = c & 31;
    const date = new Date(days * MS_PER_DAY);
    assert.deepEqual([y, m, d], [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]);
    assert.equal(daysFromCivil(y, m, d), days);
  }
});

Deno.test("daysInMonth follows the Gregorian leap-year rule", () => {
  assert.deepEqual([2023, 2024, 1900, 2000].map((y) => daysInMonth(y, 2)), [28, 29, 28, 29]);
  assert.deepEqual([1, 4, 6, 9, 11, 12].map((m) => daysInMonth(2023, m)), [31, 30, 30, 30, 30, 31]);
});
