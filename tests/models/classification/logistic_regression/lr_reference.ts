/**
 * Independent single-node solvers for the logistic-regression tests, on the original feature
 * scale in plain float64 with ml-matrix: ridge by IRLS (each Newton step a QR least-squares solve
 * of the weighted, penalty-augmented system) and elastic net by IRLS with glmnet-style coordinate
 * descent. They share no code with the solver under test.
 *
 * Objective: `(1/W) Σ w_i ℓ_i + λ ((1-α)/2 Σ s_j² β_j² + α Σ s_j |β_j|)`, intercept unpenalized.
 *
 * @module
 */
import { Matrix, QrDecomposition } from "ml-matrix";
import type { Rows } from "./lr_test_data.ts";

/** A reference fit. */
export interface ReferenceFit {
  coefficients: number[];
  intercept: number;
  iterations: number;
}

/** Per-feature weighted mean and Spark's weighted std (`Σw(x-μ)² / (W - Σw²/W)`). */
export function referenceScales(rows: Rows, weights: number[]): { mean: number[]; std: number[] } {
  const d = rows.x[0]!.length, W = weights.reduce((a, b) => a + b, 0);
  const W2 = weights.reduce((a, b) => a + b * b, 0);
  const mean = Array.from(
    { length: d },
    (_, j) => rows.x.reduce((s, r, i) => s + weights[i]! * r[j]!, 0) / W,
  );
  const std = mean.map((m, j) =>
    Math.sqrt(rows.x.reduce((s, r, i) => s + weights[i]! * (r[j]! - m) ** 2, 0) / (W - W2 / W))
  );
  return { mean, std };
}

/** Effective weights: instance weight × class weight. */
export function effectiveWeights(rows: Rows, classWeights: [number, number] = [1, 1]): number[] {
  return rows.y.map((y, i) => (rows.w?.[i] ?? 1) * classWeights[y]);
}

function probabilities(rows: Rows, beta: number[], b: number): number[] {
  return rows.x.map((r) => 1 / (1 + Math.exp(-(b + r.reduce((s, v, j) => s + v * beta[j]!, 0)))));
}

/** Ridge logistic regression by IRLS: penalty `λ/2 Σ s_j² β_j²` (intercept 0 when `intercept` is false). */
export function ridgeIrls(
  rows: Rows,
  weights: number[],
  o: { lambda: number; scales: number[]; intercept?: boolean },
): ReferenceFit {
  const n = rows.y.length, d = rows.x[0]!.length, W = weights.reduce((a, b) => a + b, 0);
  let beta = new Array<number>(d).fill(0), b = 0;
  for (let it = 1; it <= 100; it++) {
    const p = probabilities(rows, beta, b);
    const a = new Matrix(n + d, d + 1), t = new Matrix(n + d, 1);
    for (let i = 0; i < n; i++) {
      const v = weights[i]! * p[i]! * (1 - p[i]!), root = Math.sqrt(v / W);
      if (v === 0) continue; // a saturated row (p is exactly 0 or 1) carries no curvature
      const eta = b + rows.x[i]!.reduce((s, x, j) => s + x * beta[j]!, 0);
      a.set(i, 0, root);
      rows.x[i]!.forEach((x, j) => a.set(i, j + 1, root * x));
      t.set(i, 0, root * (eta + (rows.y[i]! - p[i]!) / (p[i]! * (1 - p[i]!))));
    }
    for (let j = 0; j < d; j++) a.set(n + j, j + 1, Math.sqrt(o.lambda) * o.scales[j]!);
    const system = o.intercept === false ? a.subMatrix(0, n + d - 1, 1, d) : a;
    const solved = new QrDecomposition(system).solve(t).getColumn(0);
    const solution = o.intercept === false ? [0, ...solved] : solved;
    const next = solution.slice(1),
      change = Math.max(...next.map((v, j) => Math.abs(v - beta[j]!) / Math.max(1e-300, Math.abs(v))));
    beta = next;
    b = solution[0]!;
    if (change < 1e-13) return { coefficients: beta, intercept: b, iterations: it };
  }
  return { coefficients: beta, intercept: b, iterations: 100 };
}

/** Elastic-net logistic regression: IRLS outer loop, cyclic coordinate descent inner loop. */
export function elasticNetCd(
  rows: Rows,
  weights: number[],
  o: { lambda: number; alpha: number; scales: number[] },
): ReferenceFit {
  const n = rows.y.length, d = rows.x[0]!.length, W = weights.reduce((a, b) => a + b, 0);
  const center = Array.from({ length: d }, (_, j) => rows.x.reduce((s, r) => s + r[j]!, 0) / n);
  const xc = rows.x.map((r) => r.map((v, j) => v - center[j]!)); // centered copy: b' = b + β·center
  let beta = new Array<number>(d).fill(0), b = 0, total = 0;
  for (let outer = 1; outer <= 200; outer++) {
    const eta = xc.map((r) => b + r.reduce((s, v, j) => s + v * beta[j]!, 0));
    const p = eta.map((e) => 1 / (1 + Math.exp(-e)));
    const v = p.map((pi, i) => weights[i]! * pi * (1 - pi) / W);
    const z = eta.map((e, i) => (v[i] === 0 ? e : e + (rows.y[i]! - p[i]!) / (p[i]! * (1 - p[i]!))));
    const before = [...beta, b];
    const residual = z.map((zi, i) => zi - eta[i]!);
    for (let sweep = 0; sweep < 10000; sweep++) {
      let moved = 0;
      const vs = v.reduce((s, vi) => s + vi, 0);
      const db = v.reduce((s, vi, i) => s + vi * residual[i]!, 0) / vs;
      b += db;
      residual.forEach((_, i) => (residual[i]! -= db));
      for (let j = 0; j < d; j++) {
        let num = 0, den = 0;
        for (let i = 0; i < n; i++) {
          const x = xc[i]![j]!;
          num += v[i]! * x * (residual[i]! + x * beta[j]!);
          den += v[i]! * x * x;
        }
        const s = o.scales[j]!, l1 = o.lambda * o.alpha * s;
        const next = Math.sign(num) * Math.max(Math.abs(num) - l1, 0) /
          (den + o.lambda * (1 - o.alpha) * s * s);
        const delta = next - beta[j]!;
        if (delta !== 0) { for (let i = 0; i < n; i++) residual[i]! -= delta * xc[i]![j]!; }
        moved = Math.max(moved, Math.abs(delta) * Math.sqrt(den));
        beta[j] = next;
      }
      total++;
      if (moved < 1e-15) break;
    }
    const change = Math.max(...[...beta, b].map((x, k) => Math.abs(x - before[k]!)));
    if (change < 1e-13) break;
  }
  beta = [...beta];
  return {
    coefficients: beta,
    intercept: b - beta.reduce((s, bj, j) => s + bj * center[j]!, 0),
    iterations: total,
  };
}

/** Gradient of the smooth part (loss / W + L2) on the original scale: `[∂β_1 … ∂β_d, ∂b]`. */
export function originalGradient(
  rows: Rows,
  weights: number[],
  fit: { coefficients: ArrayLike<number>; intercept: number },
  o: { lambda: number; alpha: number; scales: number[] },
): number[] {
  const d = rows.x[0]!.length, W = weights.reduce((a, b) => a + b, 0), g = new Array<number>(d + 1).fill(0);
  const beta = Array.from(fit.coefficients);
  probabilities(rows, beta, fit.intercept).forEach((p, i) => {
    const r = weights[i]! * (p - rows.y[i]!) / W;
    rows.x[i]!.forEach((x, j) => (g[j]! += r * x));
    g[d]! += r;
  });
  for (let j = 0; j < d; j++) g[j]! += o.lambda * (1 - o.alpha) * o.scales[j]! ** 2 * beta[j]!;
  return g;
}
