import assert from "node:assert/strict";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import {
  EXACT_SUM_LIMBS,
  ExactSum,
  exactSumValue,
  isExactSumState,
} from "../../../models/evaluation/exact_sum.ts";

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

function wild(n: number, seed: number): number[] {
  const rng = new CounterRandom(seed, 1);
  return Array.from({ length: n }, (_, i) => {
    rng.at(i);
    const sign = rng.float(0) < 0.4 ? -1 : 1;
    const exponent = Math.floor(rng.float(1) * 2000) - 1060; // 2^-1060 (subnormal) … 2^939
    return sign * rng.float(2) * 2 ** exponent;
  });
}

Deno.test("ExactSum holds the exact sum of doubles spanning the whole range (checked with BigInt)", () => {
  const xs = wild(5000, 1);
  const sum = new ExactSum();
  for (const x of xs) sum.add(x);
  const state = sum.state();
  assert.equal(stateValue(state), xs.reduce((a, x) => a + scaled(x), 0n));
  assert.ok(isExactSumState(state));
});

Deno.test("ExactSum states are bit-identical for any order and any grouping", () => {
  const xs = wild(3000, 2);
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
  assert.equal(grouped.value, forward.value);
});

Deno.test("ExactSum.value is within an ulp of the exact sum, cancellation included", () => {
  const cases: number[][] = [
    [1e308, 1e308, -1e308, -1e308, 1],
    [1e16, 1, -1e16, 1e-30],
    [0.1, 0.2, -0.3],
    [-5, 2, 1e-300],
    wild(2000, 3),
  ];
  for (const xs of cases) {
    const sum = new ExactSum();
    for (const x of xs) sum.add(x);
    const exact = xs.reduce((a, x) => a + scaled(x), 0n);
    const v = sum.value;
    const ulp = v === 0 ? 2 ** -1074 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 52);
    const diff = scaled(v) - exact;
    assert.ok((diff < 0n ? -diff : diff) <= scaled(ulp), `${xs.slice(0, 5)}: ${v}`);
  }
  const s = new ExactSum();
  for (const x of [1e16, 1, -1e16]) s.add(x);
  assert.equal(s.value, 1);
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
  assert.ok(Math.abs(sum.value - x * n) <= 2 ** (Math.floor(Math.log2(x * n)) - 52));
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
