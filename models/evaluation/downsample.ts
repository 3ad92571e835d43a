/**
 * Deterministic down-sampling of a curve for charts: Largest-Triangle-Three-Buckets (Steinarsson,
 * 2013). The first and last points are kept; the points between are split into `maxPoints − 2`
 * equal buckets in order, and from each bucket the point that spans the largest triangle with the
 * previously kept point and the next bucket's centroid is kept. Peaks and corners survive where
 * taking every k-th point would cut them off. The result is a subsequence of the input, in order,
 * and depends on nothing but the input.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { downsample } from "./downsample.ts";
 * const points = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i === 500 ? 100 : 0 }));
 * const kept = downsample(points, { maxPoints: 10, x: (p) => p.x, y: (p) => p.y });
 * assert.equal(kept.length, 10);
 * assert.ok(kept.some((p) => p.y === 100));
 * ```
 *
 * @module
 */

/** Options of {@linkcode downsample}. */
export interface DownsampleOptions<T> {
  /** Most points kept, an integer ≥ 2. */
  maxPoints: number;
  /** The horizontal coordinate of a point. */
  x: (point: T) => number;
  /** The vertical coordinate of a point. */
  y: (point: T) => number;
}

/** At most `maxPoints` of `points`, chosen by LTTB (see the module documentation). */
export function downsample<T>(points: readonly T[], options: DownsampleOptions<T>): T[] {
  const { maxPoints, x, y } = options;
  const xs = new Float64Array(points.length), ys = new Float64Array(points.length);
  points.forEach((p, i) => {
    xs[i] = x(p);
    ys[i] = y(p);
  });
  return Array.from(lttbIndices(xs, ys, maxPoints), (i) => points[i]!);
}

/**
 * The indexes LTTB keeps of the curve `(xs[i], ys[i])`, ascending: all of them when there are at
 * most `maxPoints` (an integer ≥ 2).
 */
export function lttbIndices(xs: Float64Array, ys: Float64Array, maxPoints: number): Int32Array {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`"maxPoints" must be an integer >= 2, got ${maxPoints}`);
  }
  const n = xs.length;
  if (n <= maxPoints) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(maxPoints);
  const buckets = maxPoints - 2;
  const size = (n - 2) / buckets;
  const start = (b: number) => 1 + Math.floor(b * size);
  let a = 0;
  for (let b = 0; b < buckets; b++) {
    const from = start(b), to = start(b + 1);
    // Centroid of the next bucket (the last point for the last bucket).
    const nextTo = b + 1 < buckets ? start(b + 2) : n;
    let cx = 0, cy = 0;
    for (let j = to; j < nextTo; j++) {
      cx += xs[j]!;
      cy += ys[j]!;
    }
    cx /= nextTo - to;
    cy /= nextTo - to;
    const ax = xs[a]!, ay = ys[a]!;
    let best = from, bestArea = -1;
    for (let j = from; j < to; j++) {
      const area = Math.abs((ax - cx) * (ys[j]! - ay) - (ax - xs[j]!) * (cy - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out[b + 1] = best;
    a = best;
  }
  out[maxPoints - 1] = n - 1;
  return out;
}
