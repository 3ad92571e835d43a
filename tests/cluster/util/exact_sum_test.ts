import assert from "node:assert/strict";
import { seededRandom } from "../../../actors/supervisor.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import {
  EXACT_SUM_LIMBS,
  ExactSum,
  exactSum,
  exactSumValue,
  isExactSumState,
  scaledToNumber,
} from "../../../cluster/util/exact_sum.ts";

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
    for (const p of shuffled(partials, 100 + parts)) merged.addSum(new ExactSum(p.state()));
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

Deno.test("ExactSum takes terms up to the largest double, and refuses non-finite terms and malformed states", () => {
  const s = new ExactSum();
  assert.throws(() => s.add(Number.NaN), RangeError);
  assert.throws(() => s.add(Infinity), RangeError);
  for (const x of [2 ** 974, Number.MAX_VALUE, -Number.MAX_VALUE, -(2 ** 974 - 2 ** 921), 1]) s.add(x);
  assert.equal(s.exact(), units(2 ** 974) + units(-(2 ** 974 - 2 ** 921)) + units(1));
  assert.equal(s.value(), 2 ** 921);
  assert.throws(() => new ExactSum(new Float64Array(3)), /expected 68 normalized limbs, got 3 values/);
  const bad = new Float64Array(EXACT_SUM_LIMBS);
  bad[0] = 0.5;
  assert.throws(() => new ExactSum(bad), RangeError);
  bad[0] = 1; // below 2^-1074: no sum of doubles has it
  assert.equal(isExactSumState(bad), false);
});

/** `x · 2^1088` as a BigInt (exact: every finite double is a multiple of 2^-1074). */
function scaled(x: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) m |= 1n << 52n;
  const shift = BigInt((biased === 0 ? 1 : biased) - 1075 + 1088);
  return (x < 0 ? -m : m) << shift;
}

/** The state's value `Σ limb_k · 2^(32k)`, i.e. the sum scaled by 2^1088. */
function stateValue(state: Float64Array): bigint {
  let out = 0n;
  for (let k = EXACT_SUM_LIMBS - 1; k >= 0; k--) out = (out << 32n) + BigInt(state[k]!);
  return out;
}

function wildDoubles(n: number, seed: number): number[] {
  const rng = new CounterRandom(seed, 1);
  return Array.from({ length: n }, (_, i) => {
    rng.at(i);
    const sign = rng.float(0) < 0.4 ? -1 : 1;
    const exponent = Math.floor(rng.float(1) * 2000) - 1060; // 2^-1060 (subnormal) … 2^939
    return sign * rng.float(2) * 2 ** exponent;
  });
}

Deno.test("ExactSum holds the exact sum of doubles spanning the whole range (checked with BigInt)", () => {
  const xs = wildDoubles(5000, 1);
  const sum = new ExactSum();
  for (const x of xs) sum.add(x);
  const state = sum.state();
  assert.equal(stateValue(state), xs.reduce((a, x) => a + scaled(x), 0n));
  assert.ok(isExactSumState(state));
});

Deno.test("ExactSum states are bit-identical for any order and any grouping", () => {
  const xs = wildDoubles(3000, 2);
  const forward = new ExactSum();
  for (const x of xs) forward.add(x);
  const backward = new ExactSum();
  for (const x of [...xs].reverse()) backward.add(x);
  const grouped = new ExactSum();
  for (let start = 0; start < xs.length; start += 397) {
    const part = new ExactSum();
    for (const x of xs.slice(start, start + 397)) part.add(x);
    grouped.addState(part.state());
  }
  assert.deepEqual(backward.state(), forward.state());
  assert.deepEqual(grouped.state(), forward.state());
  assert.equal(grouped.value(), forward.value());
});

Deno.test("ExactSum.value is the exact sum rounded to nearest, cancellation included", () => {
  const cases: number[][] = [
    [1e308, 1e308, -1e308, -1e308, 1],
    [1e16, 1, -1e16, 1e-30],
    [0.1, 0.2, -0.3],
    [-5, 2, 1e-300],
    wildDoubles(2000, 3),
  ];
  for (const xs of cases) {
    const sum = new ExactSum();
    for (const x of xs) sum.add(x);
    const exact = xs.reduce((a, x) => a + scaled(x), 0n);
    assert.ok(Object.is(sum.value(), scaledToNumber(exact / 16384n, -1074)), `${xs.slice(0, 5)}`);
  }
  const s = new ExactSum();
  for (const x of [1e16, 1, -1e16]) s.add(x);
  assert.equal(s.value(), 1);
});

Deno.test("ExactSum keeps negative sums in sign-magnitude digits, so the value has no overflow", () => {
  const sum = new ExactSum();
  sum.add(-1);
  sum.add(2 ** -60);
  const state = sum.state();
  assert.ok(isExactSumState(state));
  assert.ok(state.every((v) => v <= 0), "every digit carries the sign of the sum");
  assert.equal(exactSumValue(state), -1 + 2 ** -60);
});

Deno.test("ExactSum stays exact where uncarried limbs would pass 2^53 (2^21 additions)", () => {
  const sum = new ExactSum();
  const n = (1 << 21) + 1000;
  const x = 4294967295.75; // fills its 32-bit pieces, so limbs grow as fast as they can
  for (let i = 0; i < n; i++) sum.add(x);
  assert.equal(stateValue(sum.state()), scaled(x) * BigInt(n));
  assert.ok(Math.abs(sum.value() - x * n) <= 2 ** (Math.floor(Math.log2(x * n)) - 52));
});

Deno.test("ExactSum refuses NaN, infinities and malformed states", () => {
  const sum = new ExactSum();
  assert.throws(() => sum.add(NaN), RangeError);
  assert.throws(() => sum.add(Infinity), RangeError);
  assert.throws(() => sum.addState(new Float64Array(3)), RangeError);
  const bad = new Float64Array(EXACT_SUM_LIMBS);
  bad[0] = 1;
  bad[1] = -1;
  assert.equal(isExactSumState(bad), false, "mixed signs");
  bad[1] = 2 ** 32;
  assert.equal(isExactSumState(bad), false, "digit out of range");
});
