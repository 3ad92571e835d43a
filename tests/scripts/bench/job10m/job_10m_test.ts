import assert from "node:assert/strict";
import {
  checkJobResult,
  decodeJobRows,
  type JobRow,
  referenceJob,
  validateJobRows,
} from "../../../../scripts/bench/job10m/job_10m.ts";

/** The job written out the slow, obvious way: materialize both tables, nested-loop join, group in a Map. */
function naiveJob(rows: number): JobRow[] {
  const fact = Array.from({ length: rows }, (_, id) => ({
    id,
    key: (id * 7919) % 1000,
    value: ((id * 104729) % 10007) / 100.0,
    cat: id % 7,
  }));
  const dim = Array.from({ length: 1000 }, (_, k) => ({ k, region: k % 10, weight: (k % 13) + 1 }));
  const groups = new Map<number, { n: number; total: number; sumValue: number }>();
  for (const f of fact) {
    if (!(f.value > 10.0)) continue;
    for (const d of dim) {
      if (f.key !== d.k) continue;
      const g = groups.get(d.region) ?? { n: 0, total: 0, sumValue: 0 };
      g.n += 1;
      g.total += f.value * d.weight;
      g.sumValue += f.value;
      groups.set(d.region, g);
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([region, g]) => ({ region, n: g.n, total: g.total, mean: g.sumValue / g.n }));
}

Deno.test("referenceJob for N=20 matches a naive nested-loop computation", () => {
  const expected = naiveJob(20);
  const actual = referenceJob(20);
  assert.deepEqual(actual.map((r) => [r.region, r.n]), expected.map((r) => [r.region, r.n]));
  const check = checkJobResult(actual, expected, { relTol: 1e-12 });
  assert.deepEqual(check.mismatches, []);
  assert.equal(check.ok, true);
});

Deno.test("referenceJob for N=20 gives the hand-computed rows of regions 0, 7 and 9", () => {
  const byRegion = new Map(referenceJob(20).map((r) => [r.region, r]));
  // id 0 has value 0.00 (filtered out); id 10: key 190, value 65.62, weight 9.
  assert.deepEqual(byRegion.get(0), { region: 0, n: 1, total: 590.58, mean: 65.62 });
  // id 3: key 757, value 39.70, weight 4; id 13 (value 5.25) is filtered out.
  assert.deepEqual(byRegion.get(7), { region: 7, n: 1, total: 158.8, mean: 39.7 });
  // id 1: key 919, 46.59 × 10; id 11: key 109, 12.14 × 6.
  assert.deepEqual(byRegion.get(9), { region: 9, n: 2, total: 538.74, mean: 29.365 });
});

Deno.test("referenceJob for N=5,000 matches the naive computation within 1e-9", () => {
  const check = checkJobResult(referenceJob(5_000), naiveJob(5_000));
  assert.deepEqual(check.mismatches, []);
});

Deno.test("referenceJob of zero rows is empty and bad row counts throw RangeError", () => {
  assert.deepEqual(referenceJob(0), []);
  assert.throws(() => validateJobRows(-1), RangeError);
  assert.throws(() => validateJobRows(1.5), RangeError);
  assert.throws(() => referenceJob(Number.NaN), RangeError);
});

Deno.test("checkJobResult reports a wrong count, a sum off by more than relTol, and a missing row", () => {
  const expected = referenceJob(1_000);
  assert.equal(checkJobResult(expected, expected).ok, true);

  const nudged = expected.map((r) => ({ ...r, total: r.total * (1 + 1e-12) }));
  assert.equal(checkJobResult(nudged, expected).ok, true);

  const wrong = expected.map((r, i) => i === 2 ? { ...r, n: r.n + 1, total: r.total * (1 + 1e-6) } : r);
  const check = checkJobResult(wrong, expected);
  assert.equal(check.ok, false);
  assert.equal(check.mismatches.length, 2);
  assert.match(check.mismatches[0]!, /^region 2: n /);
  assert.match(check.mismatches[1]!, /^region 2: total /);

  const missing = checkJobResult(expected.slice(1), expected);
  assert.equal(missing.ok, false);
  assert.match(missing.mismatches[0]!, /row count 9 != 10/);
});

Deno.test("decodeJobRows accepts bigint counts and rejects a missing field with TypeError", () => {
  assert.deepEqual(decodeJobRows([{ region: 1, n: 5n, total: 2.5, mean: 0.5 }]), [
    { region: 1, n: 5, total: 2.5, mean: 0.5 },
  ]);
  assert.throws(() => decodeJobRows([{ region: 1, n: 5, total: 2.5 }]), TypeError);
  assert.throws(() => decodeJobRows({}), TypeError);
});
