import assert from "node:assert/strict";
import {
  ExactSum,
  exactSum,
  scaledToNumber,
} from "../../../../models/classification/logistic_regression/exact_sum.ts";
import { seededRandom } from "../../../../actors/supervisor.ts";

/** `x` as an exact integer count of 2^-1074, read from its bits (an independent path). */
function units(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const shifted = mantissa << BigInt(Math.max(biased, 1) - 1);
  return hi >>> 31 ? -shifted : shifted;
}

function wildTerms(n: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const magnitude = 2 ** Math.floor(rand() * 1900 - 1000); // 2^-1000 .. 2^900
    const x = (rand() - 0.5) * magnitude;
    out.push(x, rand() < 0.1 ? -x : rand() * 3 - 1.5);
  }
  out.push(5e-324, -2.5e-320, 1e292, -1e292);
  return out;
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rand = seededRandom(seed), out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

Deno.test("ExactSum holds the exact sum of terms spanning 2^-1074 to 2^970", () => {
  const terms = wildTerms(5000, 7);
  const s = new ExactSum();
  for (const t of terms) s.add(t);
  const want = terms.reduce((acc, t) => acc + units(t), 0n);
  assert.equal(s.exact(), want);
  assert.equal(s.value(), scaledToNumber(want, -1074));
});

Deno.test("ExactSum gives the same bits for any split into partial sums and any merge order", () => {
  const terms = wildTerms(3000, 11);
  const whole = new ExactSum();
  for (const t of terms) whole.add(t);
  for (const parts of [2, 3, 7]) {
    const order = shuffled(terms, parts);
    const partials = Array.from({ length: parts }, () => new ExactSum());
    order.forEach((t, i) => partials[(i * 7919) % parts]!.add(t));
    const merged = new ExactSum();
    for (const p of shuffled(partials, 100 + parts)) merged.addSum(new ExactSum(p.toArray()));
    assert.equal(merged.exact(), whole.exact(), `${parts} parts`);
    assert.ok(Object.is(merged.value(), whole.value()), `${parts} parts`);
  }
});

Deno.test("ExactSum renormalizes past 2^19 additions without losing a unit", () => {
  const s = new ExactSum();
  const n = (1 << 20) + 3;
  for (let i = 0; i < n; i++) s.add(i % 2 === 0 ? 2 ** 972 : 2 ** 900 + 2 ** 850);
  const even = BigInt(Math.ceil(n / 2)), odd = BigInt(Math.floor(n / 2));
  assert.equal(s.exact(), even * units(2 ** 972) + odd * units(2 ** 900 + 2 ** 850));
});

Deno.test("exactSum cancels what float addition loses, and rounds to nearest even", () => {
  assert.equal(exactSum([1e100, 1, -1e100]), 1);
  assert.equal(exactSum([2 ** 53, 1]), 2 ** 53); // tie → even
  assert.equal(exactSum([2 ** 53, 1, 2 ** -60]), 2 ** 53 + 2); // just above the tie → up
  assert.equal(exactSum([2 ** 53, 3]), 2 ** 53 + 4);
  assert.equal(exactSum([0.1, 0.2, -0.3]), scaledToNumber(units(0.1) + units(0.2) - units(0.3), -1074));
  assert.equal(exactSum([]), 0);
});

Deno.test("scaledToNumber rounds wide integers to nearest, ties to even", () => {
  const big = (1n << 100n) + (1n << 47n); // exactly halfway between two doubles near 2^100
  assert.equal(scaledToNumber(big, 0), 2 ** 100);
  assert.equal(scaledToNumber(big + 1n, 0), 2 ** 100 + 2 ** 48);
  assert.equal(scaledToNumber(-(big + 1n), -100), -(1 + 2 ** -52));
  assert.equal(scaledToNumber(3n, -1074), 1.5e-323);
});

Deno.test("ExactSum refuses non-finite and out-of-range terms and malformed states", () => {
  const s = new ExactSum();
  assert.throws(() => s.add(Number.NaN), RangeError);
  assert.throws(() => s.add(Infinity), RangeError);
  assert.throws(() => s.add(2 ** 974), /magnitude below 2\^974/);
  s.add(-(2 ** 974 - 2 ** 921));
  assert.equal(s.value(), -(2 ** 974 - 2 ** 921));
  assert.throws(() => new ExactSum(new Float64Array(3)), /expected 66/);
  const bad = new Float64Array(66);
  bad[0] = 0.5;
  assert.throws(() => new ExactSum(bad), /chunk 0 .* not on its grid/);
});
