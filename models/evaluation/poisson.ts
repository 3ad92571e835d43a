/**
 * Poisson deviates from a uniform source, for the Poisson bootstrap: a group of `k` rows drawn with
 * independent Poisson(1) weights carries Poisson(`k`) in total, so a bootstrap replicate is one draw
 * per group instead of one per row.
 *
 * Small means (< 30) use Knuth's product of uniforms; larger means use Hörmann's transformed
 * rejection with squeeze (PTRS, 1993), whose expected number of uniform pairs is below 1.2 for any
 * mean. `logFactorial` is exact by table below 30 and Stirling's series above.
 *
 * @module
 */

const SMALL_MEAN = 30;
const LOG_FACTORIAL: Float64Array = (() => {
  const t = new Float64Array(SMALL_MEAN);
  for (let k = 2; k < SMALL_MEAN; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
})();

/** ln(k!) for a non-negative integer `k`. */
export function logFactorial(k: number): number {
  if (k < SMALL_MEAN) return LOG_FACTORIAL[k]!;
  const x = k + 1, inv = 1 / x, inv2 = inv * inv;
  // Stirling's series of ln Γ(x): error below 1e-15 for x ≥ 30.
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
}

/**
 * A Poisson(`mean`) deviate; `uniform` returns doubles in (0, 1) and is called as often as the
 * method needs (about `mean` times below 30, about 2.4 times above).
 * @throws {RangeError} when `mean` is negative or not finite.
 */
export function poisson(mean: number, uniform: () => number): number {
  if (!(mean >= 0) || !Number.isFinite(mean)) {
    throw new RangeError(`Poisson mean must be a finite number ≥ 0, got ${mean}`);
  }
  if (mean === 0) return 0;
  if (mean < SMALL_MEAN) {
    const limit = Math.exp(-mean);
    let k = 0, product = uniform();
    while (product > limit) {
      k++;
      product *= uniform();
    }
    return k;
  }
  const root = Math.sqrt(mean), logMean = Math.log(mean);
  const b = 0.931 + 2.53 * root;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform() - 0.5, v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    const lhs = Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b);
    if (lhs <= -mean + k * logMean - logFactorial(k)) return k;
  }
}
